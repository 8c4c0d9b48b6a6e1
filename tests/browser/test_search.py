"""Site search in a real Chromium, over HTTP: Pagefind's index of the built
site, searched by assets/search.js as a combobox whose results open over the
page, and the fallback without JavaScript."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from playwright.sync_api import Browser, Locator, Page, ViewportSize, expect

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


SHIFTS = """
window.__shifts = [];
new PerformanceObserver(list => {
  for (const entry of list.getEntries()) window.__shifts.push(entry.value);
}).observe({type: 'layout-shift', buffered: true});
"""
"""Record every layout shift, with or without recent input: typing counts as input, and the
browser leaves the shifts right after it out of CLS, but a reader still sees the page jump."""


@pytest.fixture
def search(page: Page, site_url: str) -> Page:
    """Open the home page, focus the search field and wait until it searches."""
    errors: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.add_init_script(RECORD_CSP)
    page.add_init_script(SHIFTS)
    page.goto(site_url + "index.html", wait_until="networkidle")
    expect(field(page)).to_be_visible()
    yield page
    assert page.evaluate("() => window.__cspViolations") == []
    assert errors == []


def field(page: Page) -> Locator:
    return page.get_by_role("combobox", name="Search this site")


def options(page: Page) -> Locator:
    return page.get_by_role("listbox", name="Search results").get_by_role("option")


def results(page: Page) -> list[str]:
    """Return the site paths (with #fragment) of the results shown, in order."""
    expect(options(page).first).to_be_visible()
    hrefs = options(page).evaluate_all("links => links.map(a => a.href)")
    return [urlsplit(h).path.lstrip("/") + (f"#{urlsplit(h).fragment}" if urlsplit(h).fragment else "") for h in hrefs]


CLAIM = re.compile(r"claims/\d{4}-\d{2}\.html#claim-[a-z0-9-]+")
"""Where a claim found by the search leads: its entry on the claims of its article's month."""


def type_query(page: Page, query: str) -> list[str]:
    field(page).fill(query)
    expect(page.get_by_role("status")).to_have_text(re.compile(rf"^\d+ results? for {re.escape(query)}"))
    return results(page)


def test_akar_finds_the_entity_page_first_and_the_article_about_him(search: Page) -> None:
    """Typing "Akar" puts the Hulusi Akar entity page first, the article that quotes him in the first five,
    and claims he made among the results."""
    found = type_query(search, "Akar")
    assert found[0] == "entities/hulusi-akar.html", found
    assert "articles/idlib-joint-coordination-centers.html" in found[:5], found
    assert any(CLAIM.fullmatch(f) for f in found), "claims are results of their own"
    options(search).first.click()
    expect(search).to_have_url(re.compile(r"/entities/hulusi-akar\.html$"))
    expect(search.locator("h1")).to_contain_text("Hulusi Akar")


@pytest.mark.parametrize(
    ("query", "entity"),
    [("Idlib", "idlib"), ("Ankara", "ankara"), ("Hatay", "hatay"), ("observation posts", "turkish-observation-posts")],
)
def test_an_entity_page_ranks_above_pages_that_mention_it(search: Page, query: str, entity: str) -> None:
    assert type_query(search, query)[0] == f"entities/{entity}.html"


def test_each_result_says_what_it_is(search: Page, kinds: dict[str, str]) -> None:
    """An entity with its kind, a claim with its status and the article it is from, an article with its year."""
    found = type_query(search, "Akar")
    labels = options(search).locator(".site-search-type").all_inner_texts()
    by_path = dict(zip(found, (label.upper() for label in labels), strict=True))
    assert by_path["entities/hulusi-akar.html"] == f"ENTITY · {kinds['hulusi-akar']}".upper()
    assert by_path["articles/idlib-joint-coordination-centers.html"] == "ARTICLE · 2020"
    claim = next(f for f in found if CLAIM.fullmatch(f))
    assert by_path[claim] == "CLAIM · REPORTED"
    expect(options(search).nth(found.index(claim))).to_contain_text("In “Joint coordination centers")


def test_an_entity_result_shows_its_own_words_not_the_page_around_them(search: Page) -> None:
    type_query(search, "Akar")
    excerpt = options(search).first.locator(".site-search-excerpt").inner_text()
    assert "Skip to content" not in excerpt and "Glossary" not in excerpt, excerpt
    assert excerpt.startswith("Hulusi Akar person. Turkey's defence minister"), excerpt


def test_the_count_of_results_is_announced(search: Page) -> None:
    status = search.get_by_role("status")
    expect(status).to_have_attribute("role", "status")  # a live region, polite
    field(search).fill("zzzyzzy")
    expect(status).to_have_text("No results for zzzyzzy")
    expect(field(search)).to_have_attribute("aria-expanded", "true")
    type_query(search, "Hatay")
    expect(status).to_have_text(re.compile(r"^2 results for Hatay$"))


@pytest.mark.parametrize(
    "size", [{"width": 1280, "height": 900}, {"width": 375, "height": 812}], ids=["desktop", "phone"]
)
def test_showing_results_moves_nothing_on_the_page(search: Page, size: ViewportSize) -> None:
    """The results open over the page: no layout shift from focusing the field to closing the results,
    and the content stays where it was."""
    search.set_viewport_size(size)
    main_top = search.locator("main").evaluate("m => m.getBoundingClientRect().top")
    header = search.locator(".site-header").evaluate("h => h.getBoundingClientRect().height")
    search.evaluate("() => window.__shifts.length = 0")
    field(search).focus()
    type_query(search, "Syria")
    expect(search.locator(".site-search-panel")).to_be_visible()
    assert search.locator("main").evaluate("m => m.getBoundingClientRect().top") == main_top
    assert search.locator(".site-header").evaluate("h => h.getBoundingClientRect().height") == header
    search.keyboard.press("Escape")
    expect(search.locator(".site-search-panel")).to_be_hidden()
    assert search.evaluate("() => window.__shifts") == []


def test_the_search_box_does_not_shift_the_page_as_it_loads(search: Page) -> None:
    """The glossary link the page is sent with becomes the field in the same place and size."""
    assert search.evaluate("() => window.__shifts") == []


def test_up_down_enter_and_escape(search: Page) -> None:
    """Down and Up move through the results (the field keeps the focus), Enter follows one, Escape closes."""
    found = type_query(search, "Akar")
    box = field(search)
    box.press("ArrowDown")
    expect(box).to_have_attribute("aria-activedescendant", "site-search-result-0")
    expect(options(search).first).to_have_attribute("aria-selected", "true")
    box.press("ArrowDown")
    box.press("ArrowDown")
    box.press("ArrowUp")
    expect(options(search).nth(1)).to_have_attribute("aria-selected", "true")
    expect(options(search).first).to_have_attribute("aria-selected", "false")
    expect(box).to_be_focused()
    box.press("Escape")
    expect(search.get_by_role("listbox")).to_be_hidden()
    expect(box).to_have_attribute("aria-expanded", "false")
    expect(box).to_have_value("Akar")  # the first Escape closes the results, it does not clear the field
    box.press("ArrowDown")  # opens them again, on the first
    expect(box).to_have_attribute("aria-expanded", "true")
    expect(options(search).first).to_have_attribute("aria-selected", "true")
    box.press("ArrowDown")
    box.press("Enter")
    expect(search).to_have_url(re.compile(re.escape(found[1]) + "$"))


def test_a_click_elsewhere_closes_the_results(search: Page) -> None:
    type_query(search, "Akar")
    search.mouse.click(5, 400)  # the page's left margin, outside the results
    expect(search.get_by_role("listbox")).to_be_hidden()


def test_without_javascript_the_search_box_is_a_link_to_the_glossary(browser: Browser, site_url: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(site_url + "entities/hulusi-akar.html")
        link = page.locator("#site-search a")
        expect(link).to_have_attribute("href", "../glossary.html")
        expect(page.get_by_role("combobox")).to_have_count(0)
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
    """A word of both articles finds both, from the bundles of 2019 and 2020, each labelled with its
    year; an entity page comes from the primary bundle."""
    page.goto(two_years + "index.html")
    assert sorted(type_query(page, "lighthouse")) == ["articles/new.html", "articles/old.html"]
    labels = options(page).locator(".site-search-type").all_inner_texts()
    assert sorted(label.upper() for label in labels) == ["ARTICLE · 2019", "ARTICLE · 2020"]
    assert type_query(page, "Lovelace")[0] == "entities/ada.html"  # an alias, weighted on the entity page
