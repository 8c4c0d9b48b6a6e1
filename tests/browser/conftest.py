"""Fixtures shared by the browser tests (the site itself is built once, in tests/conftest.py)."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from playwright.sync_api import Page

from tests.conftest import FIXTURE_CONTENT

from .helpers import ARTICLE, SEED_SLUG


@pytest.fixture(scope="session")
def seed_annotations() -> dict[str, Any]:
    """Return the seed article's annotations, as its contributor wrote them."""
    return yaml.safe_load((FIXTURE_CONTENT / "articles" / f"{SEED_SLUG}.yml").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def site_claims() -> list[tuple[str, dict[str, Any]]]:
    """Return every claim of the example site, as (the year and month of its article, the claim)."""
    claims = []
    for path in sorted((FIXTURE_CONTENT / "articles").glob("*.yml")):
        front = path.with_suffix(".md").read_text(encoding="utf-8").split("---\n")[1]
        month = yaml.safe_load(front)["date"][:7]
        claims += [(month, claim) for claim in yaml.safe_load(path.read_text(encoding="utf-8")).get("claims", [])]
    return claims


@pytest.fixture(scope="session")
def site_events() -> list[tuple[str, dict[str, Any]]]:
    """Return every event of the example site, as (the slug of its article, the event)."""
    events = []
    for path in sorted((FIXTURE_CONTENT / "articles").glob("*.yml")):
        events += [(path.stem, event) for event in yaml.safe_load(path.read_text(encoding="utf-8")).get("events", [])]
    return events


@pytest.fixture
def article(page: Page, site_url: str) -> Page:
    """Open the seed article in the test's page and return the page."""
    page.goto(site_url + ARTICLE)
    return page
