"""Accessibility: axe-core finds no violation on any page type, in light and
dark colour schemes, at phone and desktop widths; and every function works
with the keyboard alone (Tab reaches every link, focus is always visible,
the skip link, note numbers, endnote back links and claim verdicts work).
"""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from . import reading_site
from .helpers import ARTICLE, describe_focus, is_focused, tab_until
from .reading_site import FERRIES

PAGE_TYPES = {
    "home": "index.html",
    "article": ARTICLE,
    "glossary": "glossary.html",
    "glossary of a kind": "glossary/person.html",
    "glossary of a letter": "glossary/a.html",
    "entity": "entities/hulusi-akar.html",
    "timeline": "timeline.html",
    "timeline of a year": "timeline/2020.html",
    "timeline of a month": "timeline/2020-03.html",
    "claims": "claims.html",
    "claims of a month": "claims/2020-03.html",
    "claims of a verdict": "claims/reported.html",
    "claims of a verdict in a month": "claims/reported/2020-03.html",
    "sources": "sources.html",
    "source": "sources/idlib-centers-report.html",
    "articles of a month": "archive/2020-03.html",
}
VIEWPORTS = {"phone": {"width": 375, "height": 800}, "desktop": {"width": 1280, "height": 900}}
SCHEMES = ("light", "dark")

AXE = Axe()
reading_url = reading_site.reading_url  # the fixture: an article with a claim of every status


def open_page(page: Page, url: str, scheme: str = "light", viewport: str = "desktop") -> None:
    """Open URL in SCHEME at VIEWPORT, once its scripts (card, search box) have run."""
    page.set_viewport_size(VIEWPORTS[viewport])
    page.emulate_media(color_scheme=scheme)
    page.goto(url, wait_until="networkidle")


SEARCH_BOX = "#site-search"
"""The search box, which assets/search.js builds in the header; checked on its own, below."""


def violations(page: Page, context: dict | None = None) -> list[str]:
    """Run axe-core on PAGE (all of it but the search box, unless CONTEXT says otherwise); return one line per violation and node."""
    results = AXE.run(page, context or {"exclude": [[SEARCH_BOX]]})
    lines = []
    for v in results.response["violations"]:
        for node in v["nodes"]:
            lines.append(
                f"{v['id']} ({v['impact']}) at {node['target']}: {v['help']} [{node.get('failureSummary', '').splitlines()[-1].strip() if node.get('failureSummary') else ''}]"
            )
    return lines


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("kind", PAGE_TYPES)
def test_no_axe_violation(page: Page, site_url: str, kind: str, scheme: str, viewport: str) -> None:
    """axe-core (every rule it runs by default: WCAG 2.x A and AA, best practices) finds nothing on the page."""
    open_page(page, site_url + PAGE_TYPES[kind], scheme, viewport)
    found = violations(page)
    assert not found, f"{kind} page, {scheme}, {viewport}: {len(found)} violations:\n" + "\n".join(found)


@pytest.mark.parametrize("scheme", SCHEMES)
def test_no_axe_violation_with_an_entity_card_open(page: Page, site_url: str, scheme: str) -> None:
    """With an entity card open (a dialog in the text), the article still has no violation."""
    open_page(page, site_url + ARTICLE, scheme)
    mention = page.locator('a.mention[data-entity="hulusi-akar"]').first
    mention.focus()
    expect(page.locator(".entity-card")).to_be_visible()
    found = violations(page)
    assert not found, "\n".join(found)


@pytest.mark.parametrize("scheme", SCHEMES)
def test_no_axe_violation_on_a_targeted_endnote(page: Page, site_url: str, scheme: str) -> None:
    """Following a note number highlights its endnote (:target); the highlight keeps enough contrast."""
    open_page(page, site_url + ARTICLE + "#note-1", scheme)
    expect(page.locator("#note-1")).to_be_visible()
    found = violations(page)
    assert not found, "\n".join(found)


@pytest.mark.parametrize("scheme", SCHEMES)
def test_no_axe_violation_in_the_search_box(page: Page, site_url: str, scheme: str) -> None:
    """The header's search box, once it has replaced the glossary link and shows results, has no violation either."""
    open_page(page, site_url + "index.html", scheme)
    if not page.locator(f"{SEARCH_BOX} input").count():
        pytest.skip("this site has no search box")
    page.locator(f"{SEARCH_BOX} input").fill("Akar")
    expect(page.get_by_role("option").first).to_be_visible()
    page.keyboard.press("ArrowDown")  # the first result active
    expect(page.get_by_role("option").first).to_have_attribute("aria-selected", "true")
    found = violations(page, {"include": [[SEARCH_BOX]]})
    assert not found, "\n".join(found)


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("scheme", SCHEMES)
def test_no_axe_violation_in_the_search_filters(page: Page, site_url: str, scheme: str, viewport: str) -> None:
    """With a type and a status pressed, a result focused after "Show more", and a filter focused, the results
    panel has no violation."""
    open_page(page, site_url + "index.html", scheme, viewport)
    page.locator(f"{SEARCH_BOX} input").fill("Akar")
    page.get_by_role("button", name=re.compile(r"^Show \d+ more$")).click()
    expect(page.get_by_role("option").nth(8)).to_be_focused()
    found = violations(page, {"include": [[SEARCH_BOX]]})
    page.get_by_role("button", name=re.compile(r"^Claims \d+$")).click()
    page.get_by_role("button", name=re.compile(r"^reported \d+$")).click()
    expect(page.get_by_role("button", name=re.compile(r"^reported \d+$"))).to_have_attribute("aria-pressed", "true")
    page.keyboard.press("Shift+Tab")  # from the status pressed to the one before it (or the types')
    found += violations(page, {"include": [[SEARCH_BOX]]})
    assert not found, "\n".join(found)


# --- Keyboard alone -----------------------------------------------------------------------


@pytest.mark.parametrize("kind", PAGE_TYPES)
def test_skip_link_is_first_on_every_page_type(page: Page, site_url: str, kind: str) -> None:
    """On every page type the first Tab shows the skip link, and Enter moves the focus into main."""
    open_page(page, site_url + PAGE_TYPES[kind])
    page.keyboard.press("Tab")
    skip = page.locator("a.skip-link")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused(timeout=1000)
    page.keyboard.press("Tab")
    inside = page.evaluate("() => !!(document.activeElement && document.activeElement.closest('main'))")
    assert inside, f"after the skip link, Tab focused {describe_focus(page)}"


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_note_number_and_back_link_work_by_keyboard(page: Page, site_url: str, viewport: str) -> None:
    """Tab reaches the first note number; Enter shows its note; Tab reaches the note's back link; Enter returns to the text."""
    open_page(page, site_url + ARTICLE, viewport=viewport)
    ref = page.locator("sup.note-ref a").first
    tab_until(page, ref, max_presses=400)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#note-1$"))
    note = page.locator("#note-1")
    expect(note).to_be_visible()
    expect(note).to_be_in_viewport()
    back = note.locator("a.back")
    tab_until(page, back, max_presses=400)
    expect(back).to_be_visible()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#note-1-ref$"))
    expect(page.locator("#note-1-ref")).to_be_in_viewport()


def test_claim_verdict_works_by_keyboard(page: Page, reading_url: str) -> None:
    """Tab reaches a claim's verdict; Enter opens it in place, and Tab goes on into its links: the sources."""
    open_page(page, reading_url + FERRIES)
    verdict = page.locator(".article-body .verdict.verdict-false")
    tab_until(page, verdict, max_presses=100)
    page.keyboard.press("Enter")
    expect(verdict).to_have_attribute("aria-expanded", "true")
    box = page.locator("#" + (verdict.get_attribute("aria-controls") or ""))
    expect(box).to_be_in_viewport()
    source = box.locator('a[href$="sources/guild-ledger.html"]')
    tab_until(page, source, max_presses=10)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/sources/guild-ledger\.html$"))


FOCUSABLE = """() => [...document.querySelectorAll('a[href], button, input, select, textarea, summary, [tabindex]:not([tabindex="-1"])')]
  .filter(el => !el.closest('[hidden]') && el.getClientRects().length && getComputedStyle(el).visibility !== 'hidden')"""


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("kind", ["article", "entity", "claims", "timeline"])
def test_tab_reaches_every_control_with_a_visible_focus(page: Page, site_url: str, kind: str, viewport: str) -> None:
    """Tab visits every visible link and control of the page, in turn, each with a visible focus indicator, and no trap."""
    open_page(page, site_url + PAGE_TYPES[kind], viewport=viewport)
    wanted = page.evaluate(f"() => ({FOCUSABLE})().length")
    page.evaluate(f"() => ({FOCUSABLE})().forEach((el, i) => el.setAttribute('data-stop', i))")
    reached: set[str] = set()
    unmarked_focus = []
    for _ in range(4 * wanted + 20):
        page.keyboard.press("Tab")
        state = page.evaluate(
            """() => { const el = document.activeElement; if (!el || el === document.body) return null;
                const s = getComputedStyle(el);
                const shown = (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== 'none';
                return {stop: el.getAttribute('data-stop'), shown, html: el.outerHTML.slice(0, 120)}; }"""
        )
        if state is None:
            break  # past the last stop: back to the document
        if state["stop"] is not None:
            reached.add(state["stop"])
        if not state["shown"]:
            unmarked_focus.append(state["html"])
    missing = page.evaluate(
        "(reached) => [...document.querySelectorAll('[data-stop]')].filter(el => !reached.includes(el.getAttribute('data-stop')))"
        ".map(el => el.outerHTML.slice(0, 120))",
        sorted(reached),
    )
    assert not missing, f"Tab never reached {len(missing)} of {wanted} controls:\n" + "\n".join(missing[:20])
    assert not unmarked_focus, "focused with no visible indicator:\n" + "\n".join(dict.fromkeys(unmarked_focus))


def test_entity_card_is_usable_by_keyboard_alone(page: Page, site_url: str) -> None:
    """Tab to a name shows its card (a tooltip: it takes no focus); Enter on the name opens the card's page."""
    open_page(page, site_url + ARTICLE)
    mention = page.locator("a.mention[data-entity]").first
    tab_until(page, mention, max_presses=400)
    card = page.locator(".entity-card")
    expect(card).to_be_visible()
    href = card.locator(".entity-card-link").get_attribute("href") or ""
    assert href == mention.get_attribute("href"), describe_focus(page)
    assert is_focused(mention)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(re.escape(href.split("/")[-1]) + "$"))
