"""The build cache: a build that reuses what the last one found makes exactly
the site a build from scratch makes, and nothing it depends on can leave it stale."""

from __future__ import annotations

import dataclasses
import os
import shutil
from pathlib import Path

import pytest

from marginalia import cache, pipeline
from marginalia.cache import cache_dir
from marginalia.errors import ContentError
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
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@pytest.fixture
def site(project):  # type: ignore[no-untyped-def]
    """The project with two articles, built once with the cache."""
    for slug, (body, yaml_text) in ARTICLES.items():
        project.article(slug, body, yaml_text)
    config = dataclasses.replace(project.config, search=False)
    build(config, use_cache=True)
    return project, config


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record the name of every article file the build reads (a small site is read in this process)."""
    return record_reads(monkeypatch, pipeline)


@pytest.fixture
def rendered(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record the site-wide pages the build renders (not those it links from the previous site)."""
    paths: list[str] = []
    original = pipeline._render_pages

    def render_pages(plan, *args):  # type: ignore[no-untyped-def]
        paths.extend(sorted(plan))
        return original(plan, *args)

    monkeypatch.setattr(pipeline, "_render_pages", render_pages)
    return paths


def key_dir(config) -> Path:  # type: ignore[no-untyped-def]
    """Return the folder of the build cache's entries (there is one site key)."""
    (folder,) = (p for p in cache_dir(config).iterdir() if p.is_dir())
    return folder


def from_scratch(config, tmp_path: Path) -> dict[str, bytes]:  # type: ignore[no-untyped-def]
    """Return the site a build without the cache makes of the same content."""
    fresh = dataclasses.replace(config, site_dir=tmp_path / "scratch" / "site")
    build(fresh)
    return files(fresh.site_dir)


def test_a_build_from_the_cache_is_the_build_from_scratch(site, reads: list[str], tmp_path: Path) -> None:
    project, config = site
    entries = sorted(p.name for p in key_dir(config).iterdir())
    assert entries == ["a.md.pickle", "b.md.pickle", "manifest.pickle"]
    build(config, use_cache=True)
    assert reads == []  # every article came from the cache
    assert files(config.site_dir) == from_scratch(config, tmp_path)


def test_an_edited_article_is_read_again(site, reads: list[str], tmp_path: Path) -> None:
    project, config = site
    project.article("b", "London is very large.\n", ARTICLES["b"][1])
    build(config, use_cache=True)
    assert reads == ["b.md"]
    assert "very large" in (config.site_dir / "articles/b.html").read_text()
    assert files(config.site_dir) == from_scratch(config, tmp_path)


@pytest.mark.parametrize("change", ["glossary", "sources"])
def test_a_changed_glossary_or_sources_file_makes_every_entry_stale(
    site, reads: list[str], tmp_path: Path, change: str
) -> None:
    project, config = site
    if change == "glossary":
        path = project.content / "entities.yml"
        path.write_text(path.read_text().replace("name: Ada Lovelace", "name: Augusta Ada King"))
    else:
        path = project.content / "sources.yml"
        path.write_text(path.read_text() + "\n")
    build(config, use_cache=True)
    assert sorted(reads) == ["a.md", "b.md"]
    if change == "glossary":
        assert "Augusta Ada King" in (config.site_dir / "articles/a.html").read_text()
    assert files(config.site_dir) == from_scratch(config, tmp_path)


def test_a_changed_template_makes_every_entry_stale(site, tmp_path: Path) -> None:
    project, config = site
    templates = tmp_path / "templates"
    shutil.copytree(config.templates_dir, templates)
    article = templates / "article.html"
    article.write_text(article.read_text().replace("{% block main %}", "{% block main %}<p>Changed template</p>", 1))
    changed = dataclasses.replace(config, templates_dir=templates)
    build(changed, use_cache=True)
    assert "Changed template" in (config.site_dir / "articles/a.html").read_text()


def test_a_page_missing_from_the_previous_site_is_rendered_again(site, reads: list[str], tmp_path: Path) -> None:
    project, config = site
    (config.site_dir / "articles/a.html").unlink()
    build(config, use_cache=True)
    assert reads == ["a.md"]
    assert files(config.site_dir) == from_scratch(config, tmp_path)


def test_a_failed_build_leaves_the_site_and_the_cache_as_they_were(site) -> None:
    project, config = site
    before, cached = files(config.site_dir), files(cache_dir(config))
    project.write("articles/b.yml", "mentions:\n  - {entity: london, quote: Paris}\n")
    with pytest.raises(ContentError):
        build(config, use_cache=True)
    assert files(config.site_dir) == before
    assert files(cache_dir(config)) == cached


def test_what_the_cache_gives_names_the_glossary_s_own_entities(annotated, reads: list[str]) -> None:
    """An entry holds its entities by id: the index and the pages compare entities by identity."""
    project, config = annotated
    prepared = pipeline._prepare(config, use_cache=True)
    assert reads == []  # every article came from the cache
    glossary = prepared.content.entities
    parts = [found.part for found in prepared.articles if found.part is not None]
    named = [
        e for part in parts for e in [*part.entities, *(e for p in [*part.claims, *part.events] for e in p.entities)]
    ]
    assert {e.id for e in named} == {"ada", "engine", "london"}
    assert all(entity is glossary[entity.id] for entity in named)


def test_an_entry_naming_an_entity_the_glossary_lacks_is_read_again(site, reads: list[str]) -> None:
    """The glossary is part of the site key; should an entry name an id it lacks all the same, it is not used."""
    project, config = site
    entry = key_dir(config) / "b.md.pickle"
    entry.write_bytes(entry.read_bytes().replace(b"london", b"paris!"))
    build(config, use_cache=True)
    assert reads == ["b.md"]


def test_a_corrupt_cache_entry_is_read_again(site, tmp_path: Path) -> None:
    project, config = site
    entry = key_dir(config) / "a.md.pickle"
    entry.write_bytes(b"not a pickle")
    build(config, use_cache=True)
    assert files(config.site_dir) == from_scratch(config, tmp_path)


# --- Site-wide pages: only those a change makes stale are rendered again -----------------

B_WITH_CLAIM = ARTICLES["b"][1] + (
    "claims:\n  - {id: large, quote: London is large, status: reported, sources: [notes]}\n"
    "events:\n  - {id: seen, quote: large, date: '1843', title: London seen}\n"
    "notes:\n  - {quote: large, text: A note.}\n"
)
SITE_WIDE = ["claims.html", "glossary.html", "index.html", "sources.html", "timeline.html", "timeline.json"]
"""The pages that list something of every article."""


@pytest.fixture
def annotated(site):  # type: ignore[no-untyped-def]
    """The two-article site, b with a claim, an event and a note, built with the cache."""
    project, config = site
    project.article("b", ARTICLES["b"][0], B_WITH_CLAIM)
    build(config, use_cache=True)
    return project, config


def test_unchanged_content_renders_no_site_wide_page(annotated, rendered: list[str], tmp_path: Path) -> None:
    project, config = annotated
    build(config, use_cache=True)
    assert rendered == []
    assert files(config.site_dir) == from_scratch(config, tmp_path)


def test_a_note_edited_renders_no_site_wide_page(annotated, rendered: list[str], tmp_path: Path) -> None:
    """A note shows on its article's page only: entity pages and lists are taken from the previous site."""
    project, config = annotated
    project.article("b", ARTICLES["b"][0], B_WITH_CLAIM.replace("A note.", "Another note."))
    build(config, use_cache=True)
    assert rendered == []
    assert "Another note." in (config.site_dir / "articles/b.html").read_text()
    assert files(config.site_dir) == from_scratch(config, tmp_path)


CHANGES = {
    # change: (new body of b, new annotations of b, new date of b, pages that must be rendered again)
    "claim status": (
        None,
        B_WITH_CLAIM.replace("reported", "confirmed"),
        None,
        ["claims.html", "claims/2020-03.html", "sources/notes.html"],
    ),
    "event date": (
        None,
        B_WITH_CLAIM.replace("'1843'", "'1844'"),
        None,
        ["timeline.html", "timeline.json", "timeline/1844.html"],
    ),
    "event month": (
        None,
        B_WITH_CLAIM.replace("'1843'", "'1843-05'"),
        None,
        ["timeline.html", "timeline/1843.html", "timeline/1843-05.html"],
    ),
    "new mention": (
        "London is large. Ada said so.\n",
        B_WITH_CLAIM.replace("mentions:\n", "mentions:\n  - {entity: ada, quote: Ada}\n"),
        None,
        ["entities/ada.html", "glossary.html", "index.html"],
    ),
    "new date": (
        None,
        None,
        "2021-01-01",
        ["archive/2021-01.html", "claims.html", "claims/2021-01.html", "entities/london.html", "index.html"],
    ),
}
UNCHANGED = {
    # change: site-wide pages that show nothing of what changed, and must not be rendered again
    "claim status": ["sources.html", "timeline.html", "timeline/1843.html", "archive/2020-03.html"],
    "event date": ["claims.html", "claims/2020-03.html", "sources/notes.html", "sources.html"],
    "event month": ["claims/2020-03.html", "sources/notes.html", "claims.html"],
    "new mention": ["claims/2020-03.html", "timeline/1843.html"],
    "new date": [],
}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_a_changed_article_renders_the_pages_that_show_it(
    annotated, rendered: list[str], tmp_path: Path, change: str
) -> None:
    project, config = annotated
    body, annotations, date, expected = CHANGES[change]
    project.article("b", body or ARTICLES["b"][0], annotations or B_WITH_CLAIM, date=date or "2020-03-13")
    build(config, use_cache=True)
    assert set(expected) <= set(rendered)
    assert not set(UNCHANGED[change]) & set(rendered)
    assert "entities/engine.html" not in rendered  # only article a mentions the engine
    assert files(config.site_dir) == from_scratch(config, tmp_path)


@pytest.mark.parametrize("change", ["added", "removed"])
def test_an_article_added_or_removed_renders_its_entities_and_every_list(
    annotated, rendered: list[str], tmp_path: Path, change: str
) -> None:
    project, config = annotated
    if change == "added":
        project.article("c", "The engine ran.\n", "mentions:\n  - {entity: engine, quote: engine}\n")
    else:
        (project.content / "articles/a.md").unlink()
        (project.content / "articles/a.yml").unlink()
    build(config, use_cache=True)
    assert "entities/engine.html" in rendered and set(SITE_WIDE) <= set(rendered)
    assert "entities/london.html" not in rendered  # neither article mentions London
    assert files(config.site_dir) == from_scratch(config, tmp_path)


def test_an_article_added_renders_the_pages_of_its_own_month_year_and_sources(
    annotated, rendered: list[str], tmp_path: Path
) -> None:
    """The lists are split by month, year and source: another month's pages are taken from the previous
    site, unless the article's month is new, and they link to it as the month before or after them."""
    project, config = annotated
    for slug, new_month in (("c", True), ("d", False)):
        rendered.clear()
        annotations = B_WITH_CLAIM.replace("id: large,", f"id: large-{slug},").replace("id: seen,", f"id: seen-{slug},")
        project.article(slug, "London is large.\n", annotations, date="2019-05-01")
        build(config, use_cache=True)
        assert {"claims/2019-05.html", "archive/2019-05.html", "timeline/1843.html", "sources/notes.html"} <= set(
            rendered
        )
        other_month = {"claims/2020-03.html", "archive/2020-03.html"}
        assert (other_month <= set(rendered)) if new_month else not (other_month & set(rendered))
        assert files(config.site_dir) == from_scratch(config, tmp_path)
    assert 'href="2019-05.html"' in (config.site_dir / "claims/2020-03.html").read_text()


A_REPORTING = ARTICLES["a"][1] + (
    "events:\n  - {id: seen, quote: Ada saw}\n"  # appearances of b's event and claim
    "claims:\n  - {id: large, quote: the engine}\n"
)
REPORTED = ["timeline.html", "timeline.json", "timeline/1843.html", "claims.html", "claims/2020-03.html"]
"""The pages that show b's event and claim, which show each article that reports them too."""


def test_an_appearance_added_or_removed_in_another_article_renders_the_pages_of_what_it_reports(
    annotated, rendered: list[str], tmp_path: Path
) -> None:
    project, config = annotated
    project.article("a", ARTICLES["a"][0], A_REPORTING)
    build(config, use_cache=True)
    assert {*REPORTED, "sources/notes.html", "entities/ada.html"} <= set(rendered)  # ada: in a's words of the event
    assert "articles/a.html#event-seen" in (config.site_dir / "timeline/1843.html").read_text()
    assert files(config.site_dir) == from_scratch(config, tmp_path / "added")

    rendered.clear()
    project.article("b", ARTICLES["b"][0], B_WITH_CLAIM.replace("London seen", "London sighted"))
    build(config, use_cache=True)  # the definition changed: the entity only a's appearance names shows it too
    assert "entities/ada.html" in rendered
    assert files(config.site_dir) == from_scratch(config, tmp_path / "retitled")

    rendered.clear()
    project.article("a", *ARTICLES["a"])
    build(config, use_cache=True)
    assert set(REPORTED) <= set(rendered)
    assert "articles/a.html" not in (config.site_dir / "timeline/1843.html").read_text()
    assert files(config.site_dir) == from_scratch(config, tmp_path / "removed")


def test_check_reads_only_what_changed_and_finds_what_reading_everything_finds(site, reads: list[str]) -> None:
    """`check` takes what the last build found in the unchanged articles (a warning in a among it)."""
    project, config = site
    project.article("a", "Ada saw the engine in London.\n", ARTICLES["a"][1])  # London, not marked: a warning
    build(config, use_cache=True)
    project.article("b", ARTICLES["b"][0], "mentions:\n  - {entity: nobody, quote: London}\n")  # an unknown id
    reads.clear()
    cached = [str(p) for p in pipeline.check(config, use_cache=True)]
    assert reads == ["b.md"]
    assert [str(p) for p in pipeline.check(config)] == cached
    assert any("a.md" in p and "warning" in p for p in cached) and any("b.yml" in p and "error" in p for p in cached)
    assert not list(cache_dir(config).rglob(".pending-*")), "check writes nothing into the cache"


def test_check_finds_across_articles_from_what_the_cache_keeps_of_each(
    project, reads: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """An id given twice, an entity no longer mentioned, a source no longer cited, a claim without a
    source: `check` finds them where an unchanged article is involved, from the little the cache keeps
    of it (not its whole entry), as reading everything finds them."""
    project.write("sources.yml", SOURCES + "- id: wire\n  title: A wire story\n  article: a\n")
    project.article(
        "a", "Ada saw the engine.\n", ARTICLES["a"][1] + "claims:\n  - {id: c1, quote: engine, status: reported}\n"
    )
    claim = "claims:\n  - {id: c2, quote: large, status: reported, sources: [wire]}\n"
    project.article("b", ARTICLES["b"][0], ARTICLES["b"][1] + claim, date="2020-03-14")
    config = dataclasses.replace(project.config, search=False)
    build(config, use_cache=True)

    def whole_entry(*args: object) -> None:
        raise AssertionError("check read a whole entry of the cache")

    def checked(read: list[str]) -> list[tuple[str, str]]:
        reads.clear()
        with monkeypatch.context() as patch:
            patch.setattr(cache, "load", whole_entry)
            cached = pipeline.check(config, use_cache=True)
        assert reads == read
        assert [str(p) for p in cached] == [str(p) for p in pipeline.check(config)]
        return [(p.code, p.where.path.name) for p in cached]

    assert checked([]) == [("W504", "a.yml")]  # a's claim c1, from the cache
    project.article("b", ARTICLES["b"][0], ARTICLES["b"][1] + claim.replace("c2", "c1"), date="2020-03-14")
    assert checked(["b.md"]) == [("W504", "a.yml"), ("M201", "b.yml")]  # b is newer: its c1 is the second one
    project.article("b", ARTICLES["b"][0], "claims:\n  - {id: c2, quote: large, status: reported}\n", date="2020-03-14")
    expected = [
        ("W504", "a.yml"),
        ("W501", "b.md"),
        ("W504", "b.yml"),
        ("W502", "entities.yml"),
        ("W503", "sources.yml"),
    ]
    assert checked(["b.md"]) == expected  # c1, London unannotated, c2; london never mentioned; wire never cited
    # An appearance in b of a's claim c1, then of an event a defines, at another date: from what the cache keeps of a.
    project.article(
        "b", ARTICLES["b"][0], ARTICLES["b"][1] + "claims:\n  - {id: c1, quote: large}\n", date="2020-03-14"
    )
    assert checked(["b.md"]) == [("W504", "a.yml"), ("W503", "sources.yml")]  # wire: b cites it no longer
    project.article(
        "a", "Ada saw the engine.\n", ARTICLES["a"][1] + "events:\n  - {id: e, quote: saw, date: '1843', title: T}\n"
    )
    assert ("M206", "b.yml") in checked(["a.md", "b.md"])  # c1 is defined nowhere now (b: changed since the build)
    appearance = "events:\n  - {id: e, quote: large, date: '1843-05'}\n"
    project.article("b", ARTICLES["b"][0], ARTICLES["b"][1] + appearance, date="2020-03-14")
    build(config, use_cache=True)
    project.article("b", ARTICLES["b"][0], ARTICLES["b"][1] + appearance.replace("1843-05", "1843"), date="2020-03-14")
    assert ("W505", "b.yml") not in checked(["b.md"])
    project.article("b", ARTICLES["b"][0], ARTICLES["b"][1] + appearance, date="2020-03-14")
    assert ("W505", "b.yml") in checked([])  # as built: both from the cache


def test_a_build_without_the_cache_removes_it(annotated, reads: list[str], tmp_path: Path) -> None:
    """The cache describes the site in place: after a build that did not keep it up to date, it is gone."""
    project, config = annotated
    project.article("b", ARTICLES["b"][0], B_WITH_CLAIM.replace("reported", "confirmed"))
    build(config)
    assert not cache_dir(config).exists()
    project.article("b", ARTICLES["b"][0], B_WITH_CLAIM)  # as the cache last saw it
    build(config, use_cache=True)
    assert sorted(reads) == ["a.md", "a.md", "b.md", "b.md"]  # by the build without the cache, then again
    assert files(config.site_dir) == from_scratch(config, tmp_path)


def test_pages_the_dev_server_rewrote_are_not_reused(annotated, tmp_path: Path) -> None:
    """The dev server writes pages in place: a later build must not take them for the cached versions."""
    project, config = annotated
    live = LiveSite(config)
    live.rebuild()
    project.article("b", ARTICLES["b"][0], B_WITH_CLAIM.replace("reported", "confirmed"))
    assert not live.rebuild().failed
    project.article("b", ARTICLES["b"][0], B_WITH_CLAIM)  # back to what the cache holds, the server stopped
    build(config, use_cache=True)
    assert files(config.site_dir) == from_scratch(config, tmp_path)


def test_the_entry_of_a_removed_article_is_dropped(site) -> None:
    project, config = site
    (project.content / "articles/b.md").unlink()
    (project.content / "articles/b.yml").unlink()
    build(config, use_cache=True)
    assert sorted(p.name for p in key_dir(config).iterdir()) == ["a.md.pickle", "manifest.pickle"]


# --- Content hashes: an article whose files kept their stamps is not read to be hashed -----------


@pytest.fixture
def hashed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record the article files hashed by reading them; files count as settled as soon as written."""

    monkeypatch.setattr(cache, "RACY_NS", -(10**12))  # the tests write files and build at once
    names: list[str] = []
    original = cache.content_hash

    def content_hash(md_path: Path) -> str:
        names.append(md_path.name)
        return original(md_path)

    monkeypatch.setattr(cache, "content_hash", content_hash)
    return names


def test_unchanged_files_are_not_hashed_again(site, hashed: list[str], tmp_path: Path) -> None:
    project, config = site
    build(config, use_cache=True)
    assert sorted(hashed) == ["a.md", "b.md"]  # the fixture's build saved no stamps: it had not settled
    hashed.clear()
    build(config, use_cache=True)
    assert hashed == []
    project.article("b", "London is very large.\n", ARTICLES["b"][1])
    build(config, use_cache=True)
    assert hashed == ["b.md"]
    assert "very large" in (config.site_dir / "articles/b.html").read_text()


def test_an_edit_that_keeps_the_size_and_the_modification_time_is_seen(site, hashed: list[str]) -> None:
    """A tool can set a file's modification time back; its change time, in the stamp too, moves all the same."""

    project, config = site
    build(config, use_cache=True)
    path = project.content / "articles/b.md"
    before = os.stat(path)
    path.write_text(path.read_text().replace("large", "LARGE"))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert os.stat(path).st_size == before.st_size and os.stat(path).st_mtime_ns == before.st_mtime_ns
    build(config, use_cache=True)
    assert "is LARGE" in (config.site_dir / "articles/b.html").read_text()


def test_a_file_changed_just_before_the_build_is_not_memoized(site, monkeypatch: pytest.MonkeyPatch) -> None:
    """Within RACY_NS of its last change, the same stamp could hide another edit: no stamp is kept for it;
    one changed longer before is kept."""

    project, config = site
    project.article("b", "London is very large.\n", ARTICLES["b"][1])
    a_changed = os.stat(project.content / "articles/a.yml").st_ctime_ns  # the fixture wrote a, then b
    b_changed = os.stat(project.content / "articles/b.md").st_ctime_ns
    assert b_changed > a_changed
    monkeypatch.setattr(cache.time, "time_ns", lambda: b_changed)  # the build's clock: just as b changed
    monkeypatch.setattr(cache, "RACY_NS", (b_changed - a_changed) // 2)
    build(config, use_cache=True)
    assert sorted(cache._load_stamps(config)) == ["a.md"]


def test_a_symbolic_link_is_hashed_every_time(project, hashed: list[str], tmp_path: Path) -> None:
    """A link's own stamp does not change with its target: it is never taken as unchanged (the build refuses
    links in content/ anyway, with a message)."""

    project.article("a", *ARTICLES["a"])
    target = tmp_path / "elsewhere.yml"
    target.write_text(ARTICLES["a"][1])
    (project.content / "articles/a.yml").unlink()
    (project.content / "articles/a.yml").symlink_to(target)
    paths = [project.content / "articles/a.md"]
    first, memo = cache.content_hashes(project.config, paths)
    assert memo == {}
    target.write_text(ARTICLES["a"][1] + "# changed\n")
    second, _ = cache.content_hashes(project.config, paths)
    assert first["a.md"] != second["a.md"] and hashed == ["a.md", "a.md"]


def test_files_linked_in_threads_are_all_linked_and_a_failure_is_raised(tmp_path: Path) -> None:
    sources = []
    for i in range(50):
        sources.append(tmp_path / "from" / f"{i}.txt")
        sources[-1].parent.mkdir(exist_ok=True)
        sources[-1].write_text(str(i), encoding="utf-8")
    pairs = [(os.fspath(s), os.fspath(tmp_path / "to" / f"d{i % 3}" / s.name)) for i, s in enumerate(sources)]
    cache.link_all(pairs)
    assert all(os.path.samefile(a, b) for a, b in pairs)
    missing = [*pairs, (os.fspath(tmp_path / "from" / "gone.txt"), os.fspath(tmp_path / "to" / "gone.txt"))]
    with pytest.raises(FileNotFoundError):
        cache.link_all([(a, b + ".again") for a, b in missing])


def test_edits_to_an_entity_with_archive_pages_build_as_from_scratch(project, tmp_path: Path) -> None:
    """A claim's verdict changed and a mention of London removed (the glossary's count), the oldest articles removed (an archive page goes), an article added: each build
    with the cache makes the site a build from scratch makes."""
    many_articles(project)
    config = dataclasses.replace(project.config, search=False)
    build(config, use_cache=True)
    assert (config.site_dir / "entities/ada/2.html").exists()
    write_article(project, 5, many_articles_annotations(5).replace("status: 'confirmed'", "status: 'false'"))
    write_article(project, 6, many_articles_annotations(6).replace("  - {entity: london, quote: London}\n", ""))
    build(config, use_cache=True)
    assert files(config.site_dir) == from_scratch(config, tmp_path / "1")
    for n in range(4):
        (project.content / f"articles/a{n:03}.md").unlink()
        (project.content / f"articles/a{n:03}.yml").unlink()
    build(config, use_cache=True)
    assert not (config.site_dir / "entities/ada/2.html").exists()
    assert files(config.site_dir) == from_scratch(config, tmp_path / "2")
    write_article(project, 100)
    build(config, use_cache=True)
    assert files(config.site_dir) == from_scratch(config, tmp_path / "3")


def test_an_entity_s_archive_pages_are_rendered_only_where_they_change(
    project, rendered: list[str], tmp_path: Path
) -> None:
    """Ada and London are in 75 articles, three full archive pages each. An edit to an old article renders
    the page holding it; a new newest article the last page and the new one after it; an article removed
    in the middle or given another date the pages from its place on. Each time the site is the one a build
    from scratch makes."""
    many_articles(project, 3 * ENTITY_ARCHIVE_ARTICLES)
    config = dataclasses.replace(project.config, search=False)
    build(config, use_cache=True)

    def archive_pages_rendered(step: str) -> set[str]:
        rendered.clear()
        build(config, use_cache=True)
        archive = {path for path in rendered if path.startswith(("entities/ada/", "entities/london/"))}
        assert files(config.site_dir) == from_scratch(config, tmp_path / step)
        return archive

    body = "Ada wrote in London on day 3, early. Later Ada rested.\n"
    project.article("a003", body, many_articles_annotations(3), date=article_date(3))
    assert archive_pages_rendered("edited") == {"entities/ada/1.html", "entities/london/1.html"}
    write_article(project, 3 * ENTITY_ARCHIVE_ARTICLES)  # the newest: a fourth page
    assert archive_pages_rendered("added") == {f"entities/{e}/{n}.html" for e in ("ada", "london") for n in (3, 4)}
    the_first_three = {f"entities/{e}/{n}.html" for e in ("ada", "london") for n in (1, 2, 3)}
    for name in ("a030.md", "a030.yml"):  # on the second page: the first names its dates; the fourth goes
        (project.content / "articles" / name).unlink()
    assert archive_pages_rendered("removed") == the_first_three
    assert not (config.site_dir / "entities/ada/4.html").exists()
    body = "Ada wrote in London on day 10. Later Ada rested.\n"
    project.article("a010", body, many_articles_annotations(10), date="2020-03-13")  # still on the first page
    assert archive_pages_rendered("moved") == {"entities/ada/1.html", "entities/london/1.html"}
    project.article("a010", body, many_articles_annotations(10), date="2024-01-01")  # now the newest
    assert archive_pages_rendered("newest") == the_first_three


def test_edits_to_a_month_of_claims_with_several_pages_build_as_from_scratch(
    project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With one claim a page, each month of two claims has two pages: a verdict changed (a month of two
    reported claims), an article removed (its month's second pages go), an article added to a month (it gets
    a third page): each build with the cache makes the site a build from scratch makes."""
    from marginalia import render

    monkeypatch.setattr(render, "CLAIMS_PAGE_CLAIMS", 1)
    many_articles(project, 8)
    config = dataclasses.replace(project.config, search=False)
    build(config, use_cache=True)
    assert (config.site_dir / "claims/2020-03/2.html").exists()
    write_article(project, 5, many_articles_annotations(5).replace("status: 'confirmed'", "status: 'reported'"))
    build(config, use_cache=True)
    assert (config.site_dir / "claims/reported/2020-03/2.html").exists()  # two reported claims that month
    assert files(config.site_dir) == from_scratch(config, tmp_path / "1")
    (project.content / "articles/a004.md").unlink()
    (project.content / "articles/a004.yml").unlink()
    build(config, use_cache=True)
    assert not (config.site_dir / "claims/2020-03/2.html").exists()
    assert not (config.site_dir / "claims/reported/2020-03/2.html").exists()
    assert files(config.site_dir) == from_scratch(config, tmp_path / "2")
    project.article(
        "a100", "Ada wrote in London. Later Ada rested.\n", many_articles_annotations(100), date="2020-01-20"
    )
    build(config, use_cache=True)
    assert (config.site_dir / "claims/2020-01/3.html").exists()
    assert files(config.site_dir) == from_scratch(config, tmp_path / "3")


def test_edits_to_a_year_and_month_of_events_with_several_pages_build_as_from_scratch(
    project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With one event a page, a year of events known only by year and a month of events have a page for each,
    so has the source their claims cite, one claim a page, and with every kind and the sources split by letter,
    the glossary's person and the source have a page of their letter: an event's title
    changed, an article removed (the last pages go), an article added (a new page): each build with the
    cache makes the site a build from scratch makes."""
    write_split_events_site(project, monkeypatch)
    config = dataclasses.replace(project.config, search=False)
    build(config, use_cache=True)
    site = config.site_dir
    assert (site / "timeline/1800/4.html").exists() and (site / "timeline/1800-05/4.html").exists()
    assert (site / "sources/notes/4.html").exists()
    assert "4 articles" in (site / "glossary/person/l.html").read_text()
    write_events_article(project, 1, title="A new title")
    build(config, use_cache=True)
    assert "A new title" in (site / "timeline/1800/3.html").read_text()
    assert "A new title" in (site / "sources/notes/3.html").read_text()
    assert files(site) == from_scratch(config, tmp_path / "1")
    (project.content / "articles/e000.md").unlink()
    (project.content / "articles/e000.yml").unlink()
    build(config, use_cache=True)
    assert not (site / "timeline/1800/4.html").exists() and not (site / "timeline/1800-05/4.html").exists()
    assert "3 articles" in (site / "glossary/person/l.html").read_text()
    assert "cited by 3 claims" in (site / "sources/a-z/s.html").read_text()
    assert files(site) == from_scratch(config, tmp_path / "2")
    write_events_article(project, 9, date="2019-01-01")  # the oldest article: its events on the last pages
    build(config, use_cache=True)
    assert "Day 9" in (site / "timeline/1800/4.html").read_text()
    assert files(site) == from_scratch(config, tmp_path / "3")


def test_an_edit_that_makes_a_further_page_puts_it_in_the_sitemap(
    project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With one event a page, an event added to an article that stays where it is makes a year a page more:
    the sitemap the build with the cache makes lists it, as a build from scratch does."""
    from marginalia import render
    from tests.fixtures.scale import many_events_annotations

    monkeypatch.setattr(render, "TIMELINE_PAGE_EVENTS", 1)
    for n in range(2):
        write_events_article(project, n)
    config = dataclasses.replace(project.config, search=False, site_url="https://example.org/")
    build(config, use_cache=True)
    site = config.site_dir
    assert not (site / "timeline/1800/3.html").exists()
    more = many_events_annotations(1) + "  - {id: z1, quote: Later, date: '1800', title: One more}\n"
    project.article("e001", "Ada wrote in London on day 1. Later Ada rested.\n", more, date=article_date(1))
    build(config, use_cache=True)
    assert "timeline/1800/3.html" in (site / "sitemap.xml").read_text()
    assert files(site) == from_scratch(config, tmp_path)


def test_a_sitemap_of_more_pages_than_one_file_may_list_is_split_and_stays_whole(
    project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past SITEMAP_URLS pages (50,000: the protocol's limit, about 24,000 articles), sitemap.xml is the index of
    sitemaps/<n>.xml, which list every HTML page once, each at most SITEMAP_URLS; as articles come and go, a
    build with the cache makes the parts a build from scratch makes, and leaves none over."""
    import xml.etree.ElementTree as ET

    from marginalia import export

    monkeypatch.setattr(export, "SITEMAP_URLS", 10)
    many_articles(project, 8)
    config = dataclasses.replace(project.config, search=False, site_url="https://example.org/news/")
    build(config, use_cache=True)
    site, ns = config.site_dir, {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}

    def listed() -> list[str]:
        index = ET.parse(site / "sitemap.xml").getroot()
        assert index.tag == "{http://www.sitemaps.org/schemas/sitemap/0.9}sitemapindex"
        parts = [loc.text or "" for loc in index.findall("s:sitemap/s:loc", ns)]
        assert parts == [f"https://example.org/news/sitemaps/{n}.xml" for n in range(1, len(parts) + 1)]
        urls: list[str] = []
        for part in parts:
            found = ET.parse(site / part.removeprefix("https://example.org/news/")).getroot().findall("s:url/s:loc", ns)
            assert 0 < len(found) <= 10
            urls += [loc.text or "" for loc in found]
        assert sorted(p.name for p in (site / "sitemaps").iterdir()) == sorted(p.rsplit("/", 1)[1] for p in parts)
        return urls

    pages = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))
    assert listed() == [f"https://example.org/news/{'' if page == 'index.html' else page}" for page in pages]
    assert len(pages) > 20  # three parts at least
    for n in range(3, 8):  # fewer pages: fewer parts, the others gone
        (project.content / f"articles/a{n:03}.md").unlink()
        (project.content / f"articles/a{n:03}.yml").unlink()
    build(config, use_cache=True)
    assert len(listed()) == len(list(site.rglob("*.html")))
    assert files(site) == from_scratch(config, tmp_path / "1")
