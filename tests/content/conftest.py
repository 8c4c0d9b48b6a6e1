"""The content checks: what the pull-request workflow holds any content/ to,
whatever articles it has. Nothing here knows what content/ holds.

Each check runs twice: on the project's content/, and on a copy of it with
generated articles added (bench/corpus.py), which shows that the checks are
about what holds for any content, not about today's articles.
`make test-content` runs them alone (`pytest -m content`).
"""

from __future__ import annotations

import importlib.util
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from marginalia.config import Config, load_config
from marginalia.pipeline import build

ROOT = Path(__file__).resolve().parents[2]
CONTENT = ROOT / "content"
"""The contributors' content: only the tests of this folder read it."""
SITE_URL = "https://news.example.org/"
"""Where the content is built as published: the exports, sitemap and feed need an address."""
GENERATED_ARTICLES = 6


def _bench_corpus():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("bench_corpus", ROOT / "bench" / "corpus.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look the module up while the class is built
    spec.loader.exec_module(module)
    return module


def enlarge(content: Path, out: Path, articles: int) -> Path:
    """Copy CONTENT to OUT/content and add ARTICLES generated articles, their entities and sources; return it."""
    copy = out / "content"
    shutil.copytree(content, copy)
    corpus = _bench_corpus()
    generated = out / "generated"
    corpus.write_project(corpus.generate(articles), generated)
    for name in ("entities.yml", "sources.yml"):
        ours = yaml.safe_load((copy / name).read_text(encoding="utf-8")) or []
        theirs = (generated / "content" / name).read_text(encoding="utf-8")
        clash = {item["id"] for item in ours} & {item["id"] for item in yaml.safe_load(theirs)}
        assert not clash, f"generated {name} ids already in content/{name}: {sorted(clash)}"
        with open(copy / name, "a", encoding="utf-8") as f:
            f.write("\n" + theirs)
    for path in sorted((generated / "content" / "articles").iterdir()):
        assert not (copy / "articles" / path.name).exists(), f"a generated article is named as one of content/: {path}"
        shutil.copy(path, copy / "articles" / path.name)
    return copy


@dataclass(frozen=True)
class Built:
    """A content folder, its configuration file and the site built from it."""

    content: Path
    config_file: Path
    config: Config

    @property
    def site(self) -> Path:
        return self.config.site_dir


@pytest.fixture(scope="session", params=["content", "enlarged"], ids=["content/", "content/ + generated"])
def content_dir(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return the project's content/, or a copy of it with generated articles added."""
    if request.param == "content":
        return CONTENT
    return enlarge(CONTENT, tmp_path_factory.mktemp("enlarged"), GENERATED_ARTICLES)


@pytest.fixture(scope="session")
def built(content_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Built:
    """Build CONTENT_DIR as published (with a site_url), with the project's templates; return it."""
    root = tmp_path_factory.mktemp("content-site")
    config_file = root / "mkdocs.yml"
    config_file.write_text(
        yaml.safe_dump(
            {
                "site_name": "Marginalia",
                "site_url": SITE_URL,
                "docs_dir": str(content_dir),
                "site_dir": str(root / "site"),
                "extra": {"marginalia": {"templates_dir": str(ROOT / "templates")}},
            }
        ),
        encoding="utf-8",
    )
    config = load_config(config_file)
    build(config)
    return Built(content_dir, config_file, config)
