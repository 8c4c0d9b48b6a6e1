"""The dev server's incremental rebuild: it re-renders only what can have
changed, and ends with the same site a full build makes."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

from marginalia.live import LiveSite
from marginalia.pipeline import build
from marginalia.render import ENTITY_ARCHIVE_ARTICLES
from tests.conftest import SOURCES, record_reads
from tests.fixtures.scale import (
    article_date,
    many_articles,
    many_articles_annotations,
    write_article,
    write_events_article,
    write_split_events_site,
)

ARTICLES = {
    "a": ("Ada saw the engine.\n", "mentions:\n  - {entity: ada, quote: Ada}\n  - {entity: engine, quote: engine}\n"),
    "b": ("London is large.\n", "mentions:\n  - {entity: london, quote: London}\n"),
}


def files(folder: Path) -> dict[str, bytes]:
    """Return the site's files, without the search index (its file names are content hashes)."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in folder.rglob("*")
        if p.is_file() and "pagefind" not in p.parts
    }


def live_site(project) -> LiveSite:
    for slug, (body, yaml_text) in ARTICLES.items():
        project.article(slug, body, yaml_text)
    return LiveSite(dataclasses.replace(project.config, search=False))


def test_an_edit_re_renders_only_what_depends_on_it(project) -> None:
    """Editing article b leaves the pages of a and of its entities alone."""
    site = live_site(project)
    first = site.rebuild()
    assert not first.failed and first.pages_written == first.rendered
    project.article("b", "London is very large.\n", ARTICLES["b"][1])
    result = site.rebuild()
    assert not result.failed
    rendered = result.rendered
    assert rendered < first.rendered
    html = (project.root / "site/articles/b.html").read_text()
    assert "very large" in html
    assert site.rebuild().rendered == 0  # nothing changed since


def test_incremental_result_equals_a_full_build(project, tmp_path: Path) -> None:
    """After edits, a deletion and an addition, the site is what a full build makes of the same content."""
    site = live_site(project)
    site.rebuild()
    project.article("a", "Ada saw the engine in London.\n", ARTICLES["a"][1] + "  - {entity: london, quote: London}\n")
    site.rebuild()
    (project.content / "articles/b.md").unlink()
    (project.content / "articles/b.yml").unlink()
    project.article("c", "The engine ran.\n", "mentions:\n  - {entity: engine, quote: engine}\n")
    assert not site.rebuild().failed
    full = dataclasses.replace(project.config, site_dir=tmp_path / "full", search=False)
    build(full)
    assert files(project.root / "site") == files(tmp_path / "full")


def test_a_new_date_moves_the_article_to_another_month_s_pages(project, tmp_path: Path) -> None:
    """Re-dating the only article of a month deletes that month's pages and writes those of its new month."""
    site = live_site(project)
    site.rebuild()
    project.article("b", ARTICLES["b"][0], ARTICLES["b"][1], date="2019-05-01")
    assert not site.rebuild().failed
    assert (project.root / "site/archive/2019-05.html").exists()
    project.article("a", ARTICLES["a"][0], ARTICLES["a"][1], date="2019-06-01")
    assert not site.rebuild().failed
    assert not (project.root / "site/archive/2020-03.html").exists()  # no article of March 2020 is left
    full = dataclasses.replace(project.config, site_dir=tmp_path / "full", search=False)
    build(full)
    assert files(project.root / "site") == files(tmp_path / "full")


def test_errors_keep_the_last_good_site(project) -> None:
    """A broken annotation file fails the rebuild and writes nothing; fixing it writes again."""
    site = live_site(project)
    site.rebuild()
    before = files(project.root / "site")
    project.write("articles/a.yml", "mentions:\n  - {entity: ada, quote: Nobody}\n")
    result = site.rebuild()
    assert result.failed and [p.code for p in result.problems if p.severity == "error"] == ["M301"]
    assert files(project.root / "site") == before
    project.write("articles/a.yml", ARTICLES["a"][1])
    assert not site.rebuild().failed


# --- What the file watcher saw change ------------------------------------------------


def reads(monkeypatch) -> list[str]:  # type: ignore[no-untyped-def]
    """Record the name of every article file the dev server reads."""
    from marginalia import live

    return record_reads(monkeypatch, live)


def test_only_the_files_the_watcher_names_are_looked_at(project, monkeypatch, tmp_path: Path) -> None:
    site = live_site(project)
    site.rebuild()
    names = reads(monkeypatch)
    articles = project.content / "articles"
    project.article("a", "Ada saw the engine in London.\n", ARTICLES["a"][1] + "  - {entity: london, quote: London}\n")
    project.article("b", "London is very large.\n", ARTICLES["b"][1])
    result = site.rebuild([str(articles / "a.yml"), str(articles / "a.md"), str(articles / "a.yml~")])
    assert not result.failed and names == ["a.md"]  # b changed too, but the watcher did not say so
    assert "very large" not in (project.root / "site/articles/b.html").read_text()
    assert not site.rebuild([str(articles / "b.md")]).failed
    assert names == ["a.md", "b.md"]
    full = dataclasses.replace(project.config, site_dir=tmp_path / "full", search=False)
    build(full)
    assert files(project.root / "site") == files(tmp_path / "full")


def test_an_article_that_came_or_went_makes_the_rebuild_look_at_every_file(project, monkeypatch) -> None:
    site = live_site(project)
    site.rebuild()
    articles = project.content / "articles"
    project.article("c", "The engine ran.\n", "mentions:\n  - {entity: engine, quote: engine}\n")
    project.article("b", "London is very large.\n", ARTICLES["b"][1])
    assert not site.rebuild([str(articles / "c.md")]).failed
    assert (project.root / "site/articles/c.html").is_file()
    assert "very large" in (project.root / "site/articles/b.html").read_text()  # every file was looked at
    (articles / "c.md").unlink()
    (articles / "c.yml").unlink()
    assert not site.rebuild([str(articles / "c.md"), str(articles / "c.yml")]).failed
    assert not (project.root / "site/articles/c.html").exists()


def test_after_a_failed_rebuild_every_file_is_looked_at(project, monkeypatch) -> None:
    """The failed rebuild forgot what it read: the next one cannot trust the watcher's list alone."""
    site = live_site(project)
    site.rebuild()
    articles = project.content / "articles"
    project.write("articles/a.yml", "mentions:\n  - {entity: ada, quote: Nobody}\n")
    project.article("b", "London is very large.\n", ARTICLES["b"][1])
    assert site.rebuild([str(articles / "a.yml")]).failed
    project.write("articles/a.yml", ARTICLES["a"][1])
    assert not site.rebuild([str(articles / "a.yml")]).failed
    assert "very large" in (project.root / "site/articles/b.html").read_text()


def test_problems_across_articles_are_those_check_finds(project) -> None:
    """Ids given twice, unused entities and claims without a source: kept up to date per article."""
    from marginalia.pipeline import check

    site = live_site(project)
    site.rebuild()
    claim = "claims:\n  - {id: big, quote: large, status: reported}\n"
    project.article("b", ARTICLES["b"][0], ARTICLES["b"][1] + claim)  # no source: W504
    result = site.rebuild()
    assert not result.failed
    assert [str(p) for p in result.problems] == [str(p) for p in check(site.config)]
    assert "W504" in [p.code for p in result.problems]
    project.article("a", "Ada saw the large engine.\n", ARTICLES["a"][1] + claim)  # the same claim id again
    result = site.rebuild()
    assert result.failed and "M201" in [p.code for p in result.problems]
    assert [str(p) for p in result.problems] == [str(p) for p in check(site.config)]
    project.article("a", *ARTICLES["a"])
    result = site.rebuild()
    assert not result.failed and "M201" not in [p.code for p in result.problems]
    assert [str(p) for p in result.problems] == [str(p) for p in check(site.config)]


def test_what_the_glossary_and_sources_lack_is_kept_up_to_date_per_edit(project) -> None:
    """An entity no longer mentioned, a source cited or no longer, a source's article gone, an unknown id:
    each incremental rebuild reports what check reports, without looking at every article again."""
    from marginalia.pipeline import check

    project.write("sources.yml", SOURCES + "- id: wire\n  title: A wire story\n  article: b\n")
    site = live_site(project)

    def codes() -> list[str]:
        result = site.rebuild()
        assert [str(p) for p in result.problems] == [str(p) for p in check(site.config)]
        return [p.code for p in result.problems]

    assert codes() == ["W503"]  # wire: no claim cites it
    claim = "claims:\n  - {id: big, quote: large, status: reported, sources: [wire]}\n"
    project.article("b", ARTICLES["b"][0], ARTICLES["b"][1] + claim)
    assert codes() == []
    project.article("a", "Ada saw the thing.\n", "mentions:\n  - {entity: ada, quote: Ada}\n")
    assert codes() == ["W502"]  # engine: no longer mentioned
    (project.content / "articles/b.md").unlink()
    (project.content / "articles/b.yml").unlink()
    assert sorted(codes()) == ["M204", "W502", "W502", "W503"]  # b's source; london, engine; wire
    project.article("a", "Ada saw the engine.\n", "mentions:\n  - {entity: adda, quote: Ada}\n")
    assert sorted(codes()) == ["M202", "M204"]  # a has an error: what it lacks is not linted
    project.article("a", *ARTICLES["a"])
    project.article("b", ARTICLES["b"][0], ARTICLES["b"][1] + claim)
    assert codes() == []


def test_an_article_that_cannot_be_read_is_reported_as_check_reports_it(project) -> None:
    """Its errors only: not its names as unannotated, not the entities it mentions as never mentioned,
    not its slug as unknown; once it is mended, what it lacks is reported again."""
    from marginalia.pipeline import check

    project.write("sources.yml", SOURCES + "- id: wire\n  title: A wire story\n  article: b\n")
    site = live_site(project)

    def codes() -> list[str]:
        result = site.rebuild()
        assert [str(p) for p in result.problems] == [str(p) for p in check(site.config)]
        return sorted(p.code for p in result.problems)

    assert codes() == ["W503"]  # wire: no claim cites it
    project.write("articles/b.yml", "mentions:\n  - {entity: london, quote: [London}\n")
    assert codes() == ["M001"]
    (project.content / "articles/b.md").write_text("---\ntitle: B\n---\n\nLondon is large.\n", encoding="utf-8")
    assert codes() == ["M001", "M102"]  # no date: the article cannot be used; its annotations are read all the same
    project.article("b", "London is large. Ada too.\n", "mentions:\n  - {entity: ada, quote: Ada}\n")
    assert codes() == ["W501", "W502", "W503"]  # London unannotated, london never mentioned, wire


def test_the_first_edit_after_a_build_from_the_cache_compiles_nothing(project, monkeypatch) -> None:
    """When every article came from the build cache, nothing had compiled the templates or the schemas'
    checks: the server does it as it starts (about 150 ms), not at the first edit."""
    import fastjsonschema
    import jinja2

    from marginalia import schema

    site = live_site(project)
    build(site.config, use_cache=True)
    schema._is_valid.cache_clear()  # compiled once per process: as if the server had just started
    compiled: list[str] = []
    get_source, compile_schema = jinja2.FileSystemLoader.get_source, fastjsonschema.compile

    def record_template(loader, environment, name):  # type: ignore[no-untyped-def]
        compiled.append(name)
        return get_source(loader, environment, name)

    def record_schema(*args, **kwargs):  # type: ignore[no-untyped-def]
        compiled.append("a schema")
        return compile_schema(*args, **kwargs)

    monkeypatch.setattr(jinja2.FileSystemLoader, "get_source", record_template)
    monkeypatch.setattr(fastjsonschema, "compile", record_schema)
    assert not site.rebuild().failed
    assert "article.html" in compiled and "a schema" in compiled  # not by the build: every article was cached
    compiled.clear()
    project.article("b", "London is very large.\n", ARTICLES["b"][1])
    result = site.rebuild()
    assert not result.failed and result.rendered > 0
    assert compiled == []


B_DEFINING = ARTICLES["b"][1] + (
    "claims:\n  - {id: large, quote: London is large, status: disputed, sources: [notes]}\n"
    "events:\n  - {id: seen, quote: large, date: '1843-05-01', title: London seen, entities: [london]}\n"
)
A_REPORTING = (
    ARTICLES["a"][1] + "events:\n  - {id: seen, quote: Ada saw}\nclaims:\n  - {id: large, quote: the engine}\n"
)


def test_an_appearance_added_or_removed_in_another_article_equals_a_full_build(project, tmp_path: Path) -> None:
    """The pages of b's event and claim list a's passages once a reports them, and not after."""
    site = live_site(project)
    project.article("b", ARTICLES["b"][0], B_DEFINING)
    site.rebuild()
    for step, written in enumerate([A_REPORTING, ARTICLES["a"][1]]):
        project.article("a", ARTICLES["a"][0], written)
        assert not site.rebuild().failed
        month = (project.root / "site/timeline/1843-05.html").read_text()
        assert ("articles/a.html#event-seen" in month) == (step == 0)
        full = dataclasses.replace(project.config, site_dir=tmp_path / f"full{step}", search=False)
        build(full)
        assert files(project.root / "site") == files(tmp_path / f"full{step}")


def test_problems_of_shared_events_are_those_check_finds(project) -> None:
    """An appearance of an id defined nowhere, another date, a likely duplicate: as check finds them, per edit."""
    from marginalia.pipeline import check

    site = live_site(project)
    project.article("b", ARTICLES["b"][0], B_DEFINING)
    site.rebuild()
    edits = [
        ("events:\n  - {id: unseen, quote: Ada saw}\n", "M206"),
        ("events:\n  - {id: seen, quote: Ada saw, date: '1843-05'}\n", "W505"),
        ("events:\n  - {id: other, quote: Ada saw, date: '1843-05-01', title: T, entities: [london]}\n", "W506"),
        ("", None),
    ]
    for added, code in edits:
        project.article("a", ARTICLES["a"][0], ARTICLES["a"][1] + added)
        result = site.rebuild()
        codes = [p.code for p in result.problems]
        assert [str(p) for p in result.problems] == [str(p) for p in check(site.config)]
        assert {"M206", "W505", "W506"} & set(codes) == ({code} if code else set())


def test_edits_to_an_entity_with_archive_pages_equal_a_full_build(project, tmp_path: Path) -> None:
    """A claim's verdict changed and a mention of London removed (the glossary's count), the oldest articles removed (an archive page goes), an article added: the dev
    server's site is each time what a full build makes."""
    many_articles(project)
    site = LiveSite(dataclasses.replace(project.config, search=False))
    site.rebuild()
    assert (project.root / "site/entities/ada/2.html").exists()

    def same_as_full(name: str) -> None:
        assert not site.rebuild().failed
        full = dataclasses.replace(project.config, site_dir=tmp_path / name, search=False)
        build(full)
        assert files(project.root / "site") == files(tmp_path / name)

    write_article(project, 5, many_articles_annotations(5).replace("status: 'confirmed'", "status: 'false'"))
    write_article(project, 6, many_articles_annotations(6).replace("  - {entity: london, quote: London}\n", ""))
    same_as_full("verdict")
    for n in range(4):
        (project.content / f"articles/a{n:03}.md").unlink()
        (project.content / f"articles/a{n:03}.yml").unlink()
    same_as_full("removed")
    assert not (project.root / "site/entities/ada/2.html").exists()
    write_article(project, 100)
    same_as_full("added")


def test_archive_pages_after_edits_and_moves_equal_a_full_build(project, tmp_path: Path) -> None:
    """Ada and London are in 75 articles, three full archive pages each: after an old article edited, a newest
    added, one removed in the middle and one given another date, the dev server's site
    is each time what a full build makes; the edit renders one archive page of each."""
    many_articles(project, 3 * ENTITY_ARCHIVE_ARTICLES)
    site = LiveSite(dataclasses.replace(project.config, search=False))
    site.rebuild()
    archive_pages = len(list((project.root / "site/entities").rglob("*/[0-9]*.html")))

    def same_as_full(name: str) -> int:
        result = site.rebuild()
        assert not result.failed, [str(p) for p in result.problems]
        full = dataclasses.replace(project.config, site_dir=tmp_path / name, search=False)
        build(full)
        assert files(project.root / "site") == files(tmp_path / name)
        return result.rendered

    body = "Ada wrote in London on day {}, early. Later Ada rested.\n"
    project.article("a003", body.format(3), many_articles_annotations(3), date=article_date(3))
    assert same_as_full("edited") == 1 + 2 + 2  # the article, Ada's and London's pages and one archive page each
    assert archive_pages == 6
    write_article(project, 3 * ENTITY_ARCHIVE_ARTICLES)
    same_as_full("added")
    assert (project.root / "site/entities/ada/4.html").exists()
    for name in ("a030.md", "a030.yml"):
        (project.content / "articles" / name).unlink()
    same_as_full("removed")
    assert not (project.root / "site/entities/ada/4.html").exists()
    project.article("a010", body.format(10), many_articles_annotations(10), date="2024-01-01")
    same_as_full("moved")


def test_archive_pages_of_an_entity_named_in_reports_equal_a_full_build(project, tmp_path: Path) -> None:
    """The engine's pages list the old articles whose claims newer ones report in words naming it: when a
    report goes, or a reported article gets another date, the archive pages holding that article (not the
    reporting one) change too, and the dev server's site is what a full build makes."""
    many_articles(project, 70)
    engine = "  - {entity: engine, quote: engine}\n"
    for n in range(40, 70):  # the engine's own articles: its second archive page, and the start of its third
        text = f"Ada wrote in London on day {n}. Later Ada rested, the engine with her.\n"
        annotations = many_articles_annotations(n).replace("claims:", engine.rstrip("\n") + "\nclaims:", 1)
        project.article(f"a{n:03}", text, annotations, date=article_date(n))
    mentions = "mentions:\n  - {entity: ada, quote: Ada, every: true}\n" + engine

    def report(n: int, claim: int | None) -> None:
        claims = f"claims:\n  - {{id: c{claim}, quote: the engine agreed}}\n" if claim is not None else ""
        project.article(
            f"r{n:03}", f"Ada wrote on day {n}; the engine agreed.\n", mentions + claims, date=article_date(n)
        )

    for n in range(100, 111):  # the newest: each reports the claim of one of articles 5 to 15
        report(n, n - 95)
    site = LiveSite(dataclasses.replace(project.config, search=False))
    assert not site.rebuild().failed
    first = (project.root / "site/entities/engine/1.html").read_text()
    assert "articles/a009.html#claim-c9" in first and 'articles/r104.html">' not in first  # a claim, a heading

    def same_as_full(name: str) -> None:
        result = site.rebuild()
        assert not result.failed, [str(p) for p in result.problems]
        full = dataclasses.replace(project.config, site_dir=tmp_path / name, search=False)
        build(full)
        assert files(project.root / "site") == files(tmp_path / name)

    report(104, None)  # a009 is no longer the engine's
    same_as_full("no longer reported")
    assert "articles/a009.html#claim-c9" not in (project.root / "site/entities/engine/1.html").read_text()
    project.article(
        "a005", "Ada wrote in London on day 5. Later Ada rested.\n", many_articles_annotations(5), date="2022-06-02"
    )
    same_as_full("reported article moved")


def test_edits_to_a_month_of_claims_with_several_pages_equal_a_full_build(project, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """With one claim a page, each month of two claims has two pages: a verdict changed (a month of two
    reported claims), an article removed (its month's second pages go), an article added to a month (it gets
    a third page): the dev server's site is each time what a full build makes."""
    from marginalia import render

    monkeypatch.setattr(render, "CLAIMS_PAGE_CLAIMS", 1)
    many_articles(project, 8)
    site = LiveSite(dataclasses.replace(project.config, search=False))
    site.rebuild()
    assert (project.root / "site/claims/2020-03/2.html").exists()

    def same_as_full(name: str) -> None:
        assert not site.rebuild().failed
        full = dataclasses.replace(project.config, site_dir=tmp_path / name, search=False)
        build(full)
        assert files(project.root / "site") == files(tmp_path / name)

    write_article(project, 5, many_articles_annotations(5).replace("status: 'confirmed'", "status: 'reported'"))
    same_as_full("verdict")
    assert (project.root / "site/claims/reported/2020-03/2.html").exists()  # two reported claims that month
    (project.content / "articles/a004.md").unlink()
    (project.content / "articles/a004.yml").unlink()
    same_as_full("removed")
    assert not (project.root / "site/claims/2020-03/2.html").exists()
    assert not (project.root / "site/claims/reported/2020-03/2.html").exists()
    project.article(
        "a100", "Ada wrote in London. Later Ada rested.\n", many_articles_annotations(100), date="2020-01-20"
    )
    same_as_full("added")
    assert (project.root / "site/claims/2020-01/3.html").exists()


def test_an_edit_that_keeps_the_size_and_sets_the_time_back_is_seen(project) -> None:
    """As a build with the cache sees it: a tool that restores the modification time does not hide an edit."""
    site = live_site(project)
    site.rebuild()
    md = project.content / "articles/b.md"
    before = md.stat()
    md.write_text(md.read_text().replace("London is large.", "London is grand."))  # as many bytes
    os.utime(md, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert md.stat().st_size == before.st_size
    result = site.rebuild([str(md)])
    assert not result.failed
    assert "grand" in (project.root / "site/articles/b.html").read_text()


def test_a_file_saved_unchanged_renders_nothing(project, monkeypatch) -> None:
    """Saving an article without changing it (a new modification time only) reads and renders nothing."""
    site = live_site(project)
    site.rebuild()
    read = reads(monkeypatch)
    md = project.content / "articles/b.md"
    md.write_bytes(md.read_bytes())
    result = site.rebuild([str(md)])
    assert (read, result.rendered, result.pages_written) == ([], 0, 0)


def test_edits_to_a_year_and_month_of_events_with_several_pages_equal_a_full_build(
    project, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """With one event a page, a year of events known only by year and a month of events have a page for each,
    so has the source their claims cite, one claim a page, and with every kind and the sources split by letter,
    the glossary's person and the source have a page of their letter: an event's title
    changed, an article removed (the last pages go), an article added (a new page): the dev server's site is
    each time what a full build makes."""
    write_split_events_site(project, monkeypatch)
    site = LiveSite(dataclasses.replace(project.config, search=False))
    site.rebuild()
    folder = project.root / "site"
    assert (folder / "timeline/1800/4.html").exists() and (folder / "timeline/1800-05/4.html").exists()
    assert (folder / "sources/notes/4.html").exists()

    def same_as_full(name: str) -> None:
        assert not site.rebuild().failed
        full = dataclasses.replace(project.config, site_dir=tmp_path / name, search=False)
        build(full)
        assert files(folder) == files(tmp_path / name)

    write_events_article(project, 1, title="A new title")
    same_as_full("title")
    assert "A new title" in (folder / "timeline/1800/3.html").read_text()
    assert "A new title" in (folder / "sources/notes/3.html").read_text()
    (project.content / "articles/e000.md").unlink()
    (project.content / "articles/e000.yml").unlink()
    same_as_full("removed")
    assert not (folder / "timeline/1800/4.html").exists() and not (folder / "timeline/1800-05/4.html").exists()
    assert "3 articles" in (folder / "glossary/person/l.html").read_text()
    assert "cited by 3 claims" in (folder / "sources/a-z/s.html").read_text()
    write_events_article(project, 9, date="2019-01-01")  # the oldest article: its events on the last pages
    same_as_full("added")
    assert "Day 9" in (folder / "timeline/1800/4.html").read_text()
