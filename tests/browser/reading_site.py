"""The site of tests/fixtures/reading (invented articles with a claim of every status), built and served once
per test module that imports its fixture."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from marginalia.config import Config
from marginalia.pipeline import build
from tests.conftest import serve

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "reading"
FERRIES = "articles/lindenholm-ferries-resume.html"


@pytest.fixture(scope="module")
def reading_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Build the reading fixture site, serve it on a free local port; return its base URL."""
    config = Config(
        site_name="Reading",
        content_dir=FIXTURE,
        templates_dir=ROOT / "templates",
        site_dir=tmp_path_factory.mktemp("reading") / "site",
        config_file=ROOT / "mkdocs.yml",
        search=False,
    )
    build(config)
    server, url = serve(config.site_dir)
    yield url
    server.shutdown()
    server.server_close()
