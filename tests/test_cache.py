"""The build cache: a build that reuses what the last one found makes exactly
the site a build from scratch makes, and nothing it depends on can leave it stale."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest

from marginalia import pipeline
from marginalia.cache import cache_dir
from marginalia.errors import ContentError
from marginalia.pipeline import build

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
    names: list[str] = []
    original = pipeline.read_article

    def read_article(path: Path, *args):  # type: ignore[no-untyped-def]
        names.append(path.name)
        return original(path, *args)

    monkeypatch.setattr(pipeline, "read_article", read_article)
    return names


def from_scratch(config, tmp_path: Path) -> dict[str, bytes]:  # type: ignore[no-untyped-def]
    """Return the site a build without the cache makes of the same content."""
    fresh = dataclasses.replace(config, site_dir=tmp_path / "scratch" / "site")
    build(fresh)
    return files(fresh.site_dir)


def test_a_build_from_the_cache_is_the_build_from_scratch(site, reads: list[str], tmp_path: Path) -> None:
    project, config = site
    assert sorted(p.name for p in next(cache_dir(config).iterdir()).iterdir()) == ["a.md.pickle", "b.md.pickle"]
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


def test_a_corrupt_cache_entry_is_read_again(site, tmp_path: Path) -> None:
    project, config = site
    entry = next(cache_dir(config).iterdir()) / "a.md.pickle"
    entry.write_bytes(b"not a pickle")
    build(config, use_cache=True)
    assert files(config.site_dir) == from_scratch(config, tmp_path)
