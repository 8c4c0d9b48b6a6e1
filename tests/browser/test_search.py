"""Site search in a real Chromium, over HTTP: Pagefind's index of the built
site, its default UI started by assets/search.js, filters, and the fallback
without JavaScript."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from playwright.sync_api import Browser, Page, expect

from marginalia.pipeline import build
from tests.conftest import FIXTURE_CONTENT, Project, serve

RECORD_CSP = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', e => {
  window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'} (${e.sourceFile}:${e.lineNumber})`);
});
"""


@pytest.fixture(scope="module")
def kinds() -> dict[str, str]:
    """Return the kind of every entity, by id, as the glossary gives it."""
    entities = yaml.safe_load((FIXTURE_CONTENT / "entities.yml").read_text(encoding="utf-8"))
    return {e["id"]: e["kind"] for e in entities}


@pytest.fixture
def search(page: Page, site_url: str) -> Page:
    """Open the home page, focus the search field and wait for Pagefind's search box to replace it."""
    errors: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.add_init_script(RECORD_CSP)
    page.goto(site_url + "index.html")
    page.locator("#site-search input").first.focus()  # Pagefind's UI loads on first focus
    expect(page.locator("#site-search .pagefind-ui__search-input")).to_be_visible()
    yield page
    assert page.evaluate("() => window.__cspViolations") == []
    assert errors == []


def results(page: Page) -> list[str]:
    """Return the site paths (with #fragment) of the results shown, in order."""
    links = page.locator(".pagefind-ui__result-link")
    expect(links.first).to_be_visible()
    hrefs = links.evaluate_all("links => links.map(a => a.href)")
    return [urlsplit(h).path.lstrip("/") + (f"#{urlsplit(h).fragment}" if urlsplit(h).fragment else "") for h in hrefs]


CLAIM = re.compile(r"claims/\d{4}-\d{2}\.html#claim-[a-z0-9-]+")
"""Where a claim found by the search leads: its entry on the claims of its article's month."""


def type_query(page: Page, query: str) -> list[str]:
    page.locator(".pagefind-ui__search-input").fill(query)
    expect(page.locator(".pagefind-ui__message")).to_have_text(re.compile(rf"\d+ results? for {re.escape(query)}"))
    return results(page)


def test_akar_finds_the_entity_page_first(search: Page) -> None:
    """Typing "Akar" puts the Hulusi Akar entity page first, above the article and claims that mention him."""
    found = type_query(search, "Akar")
    assert found[0] == "entities/hulusi-akar.html", found
    assert any(CLAIM.fullmatch(f) for f in found), "claims are results of their own"
    search.locator(".pagefind-ui__result-link").first.click()
    expect(search).to_have_url(re.compile(r"/entities/hulusi-akar\.html$"))
    expect(search.locator("h1")).to_contain_text("Hulusi Akar")


@pytest.mark.parametrize(
    ("query", "entity"),
    [("Idlib", "idlib"), ("Ankara", "ankara"), ("Hatay", "hatay"), ("observation posts", "turkish-observation-posts")],
)
def test_an_entity_page_ranks_above_pages_that_mention_it(search: Page, query: str, entity: str) -> None:
    assert type_query(search, query)[0] == f"entities/{entity}.html"


def test_filtering_by_kind_shows_only_entities_of_that_kind(search: Page, kinds: dict[str, str]) -> None:
    """ "Syria" matches places, organizations, an event and claims; the Kind filter keeps one kind of entity."""
    found = type_query(search, "Syria")
    assert len({kinds.get(f.removeprefix("entities/").removesuffix(".html"), "not an entity") for f in found}) > 1
    message = search.locator(".pagefind-ui__message")
    unfiltered = message.inner_text()
    search.locator("summary.pagefind-ui__filter-name", has_text="Kind").click()
    search.locator("label.pagefind-ui__filter-label[for='Kind-organization']").click()
    expect(message).not_to_have_text(unfiltered)
    filtered = results(search)
    assert filtered and all(re.fullmatch(r"entities/[a-z0-9-]+\.html", f) for f in filtered), filtered
    assert {kinds[f.removeprefix("entities/").removesuffix(".html")] for f in filtered} == {"organization"}


def test_filtering_by_claim_status_shows_only_claims(search: Page) -> None:
    type_query(search, "Akar")
    message = search.locator(".pagefind-ui__message")
    unfiltered = message.inner_text()
    search.locator("summary.pagefind-ui__filter-name", has_text="Status").click()
    search.locator("label.pagefind-ui__filter-label[for='Status-reported']").click()
    expect(message).not_to_have_text(unfiltered)
    assert all(CLAIM.fullmatch(f) for f in results(search))


def test_without_javascript_the_search_box_is_a_link_to_the_glossary(browser: Browser, site_url: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(site_url + "entities/hulusi-akar.html")
        link = page.locator("#site-search a")
        expect(link).to_have_attribute("href", "../glossary.html")
        expect(page.locator(".pagefind-ui__search-input")).to_have_count(0)
        link.click()
        expect(page).to_have_url(re.compile(r"/glossary\.html$"))
    finally:
        context.close()


@pytest.fixture
def two_years(tmp_path: Path) -> Iterator[str]:
    """A site with an article in 2019 and one in 2020, so three search bundles: entities, 2019, 2020."""
    project = Project(tmp_path)
    project.article(
        "old", "Ada studied the lighthouse.\n", "mentions:\n  - {entity: ada, quote: Ada}\n", date="2019-02-01"
    )
    project.article("new", "London lit the lighthouse.\n", "mentions:\n  - {entity: london, quote: London}\n")
    build(dataclasses.replace(project.config, search=True))
    assert (project.root / "site" / "pagefind" / "shards.json").read_text(encoding="utf-8") == '["2019", "2020"]\n'
    server, url = serve(project.root / "site")
    yield url
    server.shutdown()
    server.server_close()


def test_a_search_finds_pages_in_every_bundle(page: Page, two_years: str) -> None:
    """A word of both articles finds both, from the bundles of 2019 and 2020; an entity page comes from
    the primary bundle; the Year filter lists both years and keeps one."""
    page.goto(two_years + "index.html")
    page.locator("#site-search input").first.focus()
    expect(page.locator("#site-search .pagefind-ui__search-input")).to_be_visible()
    assert sorted(type_query(page, "lighthouse")) == ["articles/new.html", "articles/old.html"]
    assert type_query(page, "Lovelace")[0] == "entities/ada.html"  # an alias, weighted on the entity page
    type_query(page, "lighthouse")
    page.locator("summary.pagefind-ui__filter-name", has_text="Year").click()
    expect(page.locator("label.pagefind-ui__filter-label[for='Year-2019']")).to_be_visible()
    page.locator("label.pagefind-ui__filter-label[for='Year-2019']").click()
    expect(page.locator(".pagefind-ui__message")).to_have_text(re.compile(r"^1 result for lighthouse"))
    assert results(page) == ["articles/old.html"]
