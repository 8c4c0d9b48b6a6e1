"""The dev server's incremental rebuild: it re-renders only what can have
changed, and ends with the same site a full build makes."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from marginalia.live import LiveSite
from marginalia.pipeline import build

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
