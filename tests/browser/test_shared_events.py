"""An event or a claim reported by several articles, in a real browser: shown once, with a link to
the passage of each article that reports it (tests/fixtures/shared-events, invented articles)."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from marginalia.config import Config
from marginalia.pipeline import build
from marginalia.serve import MarginaliaServer, make_server
from tests.conftest import free_port, serve, wait_for_port

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "shared-events"
DEFINED_IN = "Port Aldra strike ends with a truce"
REPORTED_IN = "Port Aldra harbour to reopen"
REVIEWED_IN = "May in Port Aldra"


def fixture_config(content: Path, site_dir: Path) -> Config:
    return Config(
        site_name="Shared events",
        content_dir=content,
        templates_dir=ROOT / "templates",
        site_dir=site_dir,
        config_file=ROOT / "mkdocs.yml",
        search=False,
    )


@pytest.fixture(scope="module")
def shared_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Build the fixture site, serve it on a free local port; return its base URL."""
    config = fixture_config(FIXTURE, tmp_path_factory.mktemp("shared") / "site")
    build(config)
    server, url = serve(config.site_dir)
    yield url
    server.shutdown()
    server.server_close()


def test_the_timeline_shows_the_event_once_and_links_to_every_article_reporting_it(page: Page, shared_url: str) -> None:
    page.goto(shared_url + "timeline/2021-05.html")
    entry = page.locator("#t-aldra-truce")
    expect(entry).to_have_count(1)
    expect(entry.locator(".event-title")).to_have_text("The Dock Union and Port Aldra sign a truce")
    expect(entry.locator(".reported-in a")).to_have_text([REPORTED_IN, REVIEWED_IN])
    expect(entry.locator(".reported-in")).to_contain_text("May 2021")  # the precision that article gives
    entry.locator(".reported-in a", has_text=REPORTED_IN).click()
    expect(page).to_have_url(shared_url + "articles/aldra-harbour-reopens.html#event-aldra-truce")
    expect(page.locator(":target")).to_have_text("the truce of May 1")
    page.go_back()
    entry.locator(".event-title a").click()
    expect(page).to_have_url(shared_url + "articles/aldra-truce-signed.html#event-aldra-truce")
    expect(page.locator(":target")).to_have_text("signed a truce on May 1")


def test_the_claims_page_shows_the_claim_once_with_both_appearances(page: Page, shared_url: str) -> None:
    page.goto(shared_url + "claims/2021-05.html")
    entry = page.locator("#claim-harbour-reopens-in-a-week")
    expect(entry).to_have_count(1)
    expect(entry.locator(".claim-meta a cite")).to_have_text([DEFINED_IN, REPORTED_IN])
    entry.locator(".reported-in a").click()
    expect(page).to_have_url(shared_url + "articles/aldra-harbour-reopens.html#claim-harbour-reopens-in-a-week")
    expect(page.locator(":target")).to_have_text("the harbour would reopen within a week")


def test_an_entity_page_lists_the_event_once_with_its_appearances(page: Page, shared_url: str) -> None:
    page.goto(shared_url + "entities/dock-union.html")
    events = page.locator("section[aria-labelledby=events-heading] li")
    expect(events.filter(has_text="The Dock Union and Port Aldra sign a truce")).to_have_count(1)
    expect(events.filter(has_text="sign a truce").locator(".reported-in a")).to_have_text([REPORTED_IN, REVIEWED_IN])


@pytest.fixture
def dev(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """Serve a copy of the fixture with the dev server; return its URL and the copy."""
    content = tmp_path / "content"
    shutil.copytree(FIXTURE, content)
    config = fixture_config(content, tmp_path / "site")
    server: MarginaliaServer
    server, _ = make_server(config, "127.0.0.1", free_port())
    threading.Thread(target=server.serve, daemon=True).start()
    port = server.server_address[1]
    wait_for_port(port)
    yield f"http://127.0.0.1:{port}/", content
    server.shutdown()


def test_the_dev_server_reports_an_appearance_of_an_unknown_id_and_links_it_once_fixed(
    page: Page, dev: tuple[str, Path]
) -> None:
    url, content = dev
    page.goto(url + "timeline/2021-05.html")
    page.wait_for_load_state("load")
    annotations = content / "articles/aldra-harbour-reopens.yml"
    text = annotations.read_text(encoding="utf-8")
    annotations.write_text(text.replace("id: aldra-truce", "id: aldra-truse"), encoding="utf-8")
    overlay = page.locator("#marginalia-problems")
    expect(overlay).to_be_visible(timeout=15_000)
    expect(overlay).to_contain_text("aldra-harbour-reopens.yml:7:5: error[M206]")
    annotations.write_text(
        text.replace("id: aldra-truce\n", "id: aldra-truce\n    prefix: 'After '\n"), encoding="utf-8"
    )
    expect(overlay).to_have_count(0, timeout=15_000)
    expect(page.locator("#t-aldra-truce .reported-in a")).to_have_text([REPORTED_IN, REVIEWED_IN])
