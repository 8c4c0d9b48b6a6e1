"""axe-core finds no violation on any type of page built from content/ (and
from the enlarged copy of it): the content's words, links and lists cannot
make a page inaccessible."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page

from tests.browser.test_accessibility import open_page, violations
from tests.conftest import serve

from .conftest import Built
from .test_content import PAGE_TYPES

pytestmark = pytest.mark.content


@pytest.fixture(scope="session")
def served(built: Built) -> Iterator[str]:
    """Serve the built content on a free local port; return its base URL."""
    server, url = serve(built.site)
    yield url
    server.shutdown()
    server.server_close()


def first_of_each_type(site: Path) -> list[str]:
    """Return the first page (in name order) of each type of PAGE_TYPES, as paths under SITE."""
    return [sorted(p for p in site.glob(pattern))[0].relative_to(site).as_posix() for pattern in PAGE_TYPES]


def test_no_axe_violation_on_any_page_type(page: Page, built: Built, served: str) -> None:
    """axe-core (WCAG 2.x A and AA, best practices) finds nothing on a page of each type."""
    found = []
    for path in first_of_each_type(built.site):
        open_page(page, served + path)
        found += [f"{path}: {v}" for v in violations(page)]
    assert not found, f"{len(found)} violations:\n" + "\n".join(found)
