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
    """Its description, not the page's header, nor its name and kind again (the result shows them above)."""
    type_query(search, "Akar")
    excerpt = options(search).first.locator(".site-search-excerpt").inner_text()
    assert "Skip to content" not in excerpt and "Glossary" not in excerpt, excerpt
    assert excerpt.startswith("Turkey's defence minister"), excerpt


def test_a_claim_result_shows_its_quote_once_and_who_made_it(search: Page) -> None:
    """A claim's excerpt is its quote, where the quote is not its summary (its title), without the status (in its
    label) or the claimant (on a line of their own, with the article)."""
    found = type_query(search, "Akar")
    claims = [options(search).nth(i) for i, path in enumerate(found) if CLAIM.fullmatch(path)]
    assert len(claims) >= 4, found
    for claim in claims:
        text = claim.inner_text()
        assert "Status:" not in text and text.count("Claimed by") == 1, text
        expect(claim.locator(".site-search-from")).to_have_text(re.compile(r"^Claimed by Hulusi Akar · In “Joint"))
    signs = search.get_by_role("option", name=re.compile("very good signs"))
    expect(signs.locator(".site-search-excerpt")).to_have_text("“migration in Idlib had stopped and returns had begun”")
    same = search.get_by_role(
        "option", name=re.compile("^Claim · reported Russia was also in a positive attitude", re.I)
    )
    expect(same.locator(".site-search-title")).to_have_text("Russia was also in a positive attitude on this issue")
    expect(same.locator(".site-search-excerpt")).to_have_count(0)  # its quote is its summary: said once


def test_an_article_result_does_not_repeat_its_title(search: Page) -> None:
    type_query(search, "Testville")
    chip(search, "Show only", "Articles").click()
    expect(options(search)).to_have_count(2)
    excerpts = options(search).locator(".site-search-excerpt").all_inner_texts()
    assert [e.split(".")[0] for e in excerpts] == ["TESTVILLE · April 2, 2020", "TESTVILLE · March 5, 2021"], excerpts


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
    filters toggled and more results shown between, and the content stays where it was."""
    search.set_viewport_size(size)
    main_top = search.locator("main").evaluate("m => m.getBoundingClientRect().top")
    header = search.locator(".site-header").evaluate("h => h.getBoundingClientRect().height")
    search.evaluate("() => window.__shifts.length = 0")
    field(search).focus()
    type_query(search, "Syria")
    expect(search.locator(".site-search-panel")).to_be_visible()
    chip(search, "Show only", "Claims").click()  # filters toggled, the results and the buttons change
    expect(search.get_by_role("status")).to_have_text(re.compile("among claims"))
    chip(search, "Status of the claims", "reported").click()
    expect(search.get_by_role("status")).to_have_text(re.compile(r"\(reported\)"))
    chip(search, "Show only", "All").click()
    search.get_by_role("button", name=re.compile(r"^Show \d+ more$")).click()
    expect(search.get_by_role("status")).to_have_text(re.compile("all shown"))
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


def chip(page: Page, group: str, label: str) -> Locator:
    """Return the toggle button LABEL (followed by its count) of the filters' GROUP."""
    return page.get_by_role("group", name=group).get_by_role("button", name=re.compile(rf"^{re.escape(label)} \d+$"))


def count_of(button: Locator) -> int:
    """Return the count a filter's toggle button shows."""
    return int((button.text_content() or "").split()[-1])


def labels(page: Page) -> list[str]:
    """Return the label of each result shown ("CLAIM · REPORTED"...), in order."""
    expect(options(page).first).to_be_visible()
    return [label.upper() for label in options(page).locator(".site-search-type").all_inner_texts()]


def show_all(page: Page) -> None:
    """Press "Show more" until every result is shown."""
    more = page.get_by_role("button", name=re.compile(r"^Show \d+ more$"))
    while more.count():
        shown = options(page).count()
        more.click()
        expect(options(page)).not_to_have_count(shown)


def test_a_type_filter_narrows_the_results_to_that_type_and_counts_them(search: Page) -> None:
    """Claims, then Entities, then All: each shows only results of its type, as many as its button says
    (the results of that type among all of them), and the status says so."""
    type_query(search, "Akar")
    show_all(search)
    everything = labels(search)
    assert count_of(chip(search, "Show only", "All")) == len(everything) == 10
    for name, label in (("Claims", "CLAIM"), ("Entities", "ENTITY"), ("Articles", "ARTICLE")):
        button = chip(search, "Show only", name)
        expect(button).to_have_attribute("aria-pressed", "false")
        wanted = sum(each.startswith(label + " ·") for each in everything)
        assert count_of(button) == wanted > 0, (name, everything)
        button.click()
        expect(chip(search, "Show only", name)).to_have_attribute("aria-pressed", "true")
        expect(chip(search, "Show only", "All")).to_have_attribute("aria-pressed", "false")
        expect(search.get_by_role("status")).to_have_text(
            f"{wanted} result{'s' if wanted > 1 else ''} for Akar among {name.lower()}"
        )
        expect(options(search)).to_have_count(wanted)
        assert all(each.startswith(label + " ·") for each in labels(search)), labels(search)
    chip(search, "Show only", "All").click()
    expect(search.get_by_role("status")).to_have_text("10 results for Akar, the first 8 shown")
    expect(options(search)).to_have_count(8)


def test_claims_narrow_by_status_and_articles_by_year(search: Page) -> None:
    """Among the claims, a status; among the articles, a year: each button counts its results, and pressing
    it again shows them all. A type pressed stays pressed for the next query."""
    type_query(search, "Akar")
    chip(search, "Show only", "Claims").click()
    reported, false = chip(search, "Status of the claims", "reported"), chip(search, "Status of the claims", "false")
    assert (count_of(reported), count_of(false)) == (5, 1)
    false.click()
    expect(search.get_by_role("status")).to_have_text("1 result for Akar among claims (false)")
    assert labels(search) == ["CLAIM · FALSE"]
    expect(chip(search, "Status of the claims", "false")).to_have_attribute("aria-pressed", "true")
    chip(search, "Status of the claims", "false").click()  # pressed again: every status
    expect(options(search)).to_have_count(6)
    assert sorted(set(labels(search))) == ["CLAIM · FALSE", "CLAIM · REPORTED"]

    field(search).fill("Testville")  # the filter stays pressed for the next query
    expect(search.get_by_role("status")).to_have_text("No results for Testville among claims")
    chip(search, "Show only", "Articles").click()
    expect(search.get_by_role("group", name="Status of the claims")).to_have_count(0)
    assert count_of(chip(search, "Year of the articles", "2021")) == 1
    chip(search, "Year of the articles", "2021").click()
    expect(search.get_by_role("status")).to_have_text("1 result for Testville among articles (2021)")
    assert labels(search) == ["ARTICLE · 2021"]


def test_the_filters_work_by_keyboard(search: Page) -> None:
    """Tab goes from the field to the filters, Enter presses one; Escape goes back to the field, closing the results."""
    type_query(search, "Akar")
    field(search).press("Tab")
    expect(chip(search, "Show only", "All")).to_be_focused()
    search.keyboard.press("Tab")
    search.keyboard.press("Tab")
    search.keyboard.press("Tab")
    claims = chip(search, "Show only", "Claims")
    expect(claims).to_be_focused()
    search.keyboard.press("Enter")
    expect(search.get_by_role("status")).to_have_text("6 results for Akar among claims")
    expect(chip(search, "Show only", "Claims")).to_be_focused()  # a new button, the focus kept on it
    expect(chip(search, "Show only", "Claims")).to_have_attribute("aria-pressed", "true")
    search.keyboard.press("Escape")
    expect(field(search)).to_be_focused()
    expect(search.get_by_role("listbox")).to_be_hidden()


def test_on_a_small_phone_each_row_of_filters_takes_one_line(search: Page) -> None:
    """At 320 px the buttons of a row do not wrap (it scrolls sideways instead): the results stay in view."""
    search.set_viewport_size({"width": 320, "height": 640})
    type_query(search, "the")
    chip(search, "Show only", "Articles").click()
    expect(search.get_by_role("group", name="Year of the articles")).to_be_visible()
    for row in search.get_by_role("group").all():
        button = row.get_by_role("button").first.bounding_box()
        box = row.bounding_box()
        assert box and button and box["height"] < 2 * button["height"], row.inner_text()
    expect(options(search).first).to_be_in_viewport()


def test_show_more_shows_the_next_results_and_moves_the_focus_to_them(search: Page) -> None:
    """Of ten results eight are shown; "Show 2 more", pressed from the keyboard, shows the other two, puts the
    focus on the first of them (Down and Up go on from there) and says so."""
    type_query(search, "Syria")
    status = search.get_by_role("status")
    expect(status).to_have_text("14 results for Syria, the first 8 shown")
    first_eight = results(search)
    more = search.get_by_role("button", name="Show 6 more")
    more.focus()
    search.keyboard.press("Enter")
    expect(options(search)).to_have_count(14)
    expect(status).to_have_text("14 results for Syria, all shown")
    assert results(search)[:8] == first_eight
    expect(options(search).nth(8)).to_be_focused()
    expect(options(search).nth(8)).to_have_attribute("aria-selected", "true")
    expect(search.get_by_role("button", name=re.compile("more"))).to_have_count(0)
    search.keyboard.press("ArrowDown")
    expect(options(search).nth(9)).to_be_focused()
    search.keyboard.press("ArrowUp")
    search.keyboard.press("ArrowUp")
    expect(options(search).nth(7)).to_be_focused()
    expect(options(search).nth(8)).to_have_attribute("aria-selected", "false")
    href = options(search).nth(7).get_attribute("href") or ""
    search.keyboard.press("Enter")
    expect(search).to_have_url(re.compile(re.escape(href) + "$"))


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
