"""Page weight and stability: the seed article with its CSS and JavaScript is
under 60 KB, it asks nothing of another host, and opening a card moves nothing.

What counts is what the page loads by itself (the HTML, its stylesheets and
scripts), uncompressed. The search is not part of it beyond its field:
assets/search.js loads the rest (assets/search-panel.js, then Pagefind) only
when a reader first focuses the search field.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, Request, Response, ViewportSize, expect

from .helpers import ARTICLE, tab_until

BUDGET = 60_000
COUNTED = {"document", "stylesheet", "script"}

AKAR = '.article-body .mention[data-entity="hulusi-akar"]'
RUSSIA = '.article-body .mention[data-entity="russia"]'

# Every layout shift since the page started, including those before the
# observer was registered (buffered), until READ_SHIFTS is evaluated.
OBSERVE_SHIFTS = """() => {
  window.__shifts = [];
  const keep = entries => {
    for (const e of entries) {
      const nodes = e.sources.map(s => s.node ? s.node.nodeName + (s.node.className ? '.' + s.node.className : '') : '?');
      window.__shifts.push({value: e.value, recentInput: e.hadRecentInput, nodes: nodes});
    }
  };
  window.__shiftObserver = new PerformanceObserver(list => keep(list.getEntries()));
  window.__shiftObserver.observe({type: 'layout-shift', buffered: true});
  window.__keepShifts = keep;
}"""

# Wait two frames and a little, so every shift has been reported, then take what is still pending.
READ_SHIFTS = """async () => {
  await new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)));
  await new Promise(done => setTimeout(done, 100));
  window.__keepShifts(window.__shiftObserver.takeRecords());
  return window.__shifts;
}"""

PHONE: ViewportSize = {"width": 375, "height": 800}
WIDE: ViewportSize = {"width": 1400, "height": 900}


def test_seed_article_with_its_css_and_js_is_under_60_kb(page: Page, site_url: str) -> None:
    """The article page, its stylesheet and scripts add up to under 60,000 bytes, all from the site's own host."""
    requests: list[Request] = []
    responses: list[Response] = []
    page.on("request", lambda request: requests.append(request))
    page.on("response", lambda response: responses.append(response))
    page.goto(site_url + ARTICLE)
    page.wait_for_load_state("networkidle")

    host = urlsplit(site_url).netloc
    elsewhere = [r.url for r in requests if urlsplit(r.url).scheme != "data" and urlsplit(r.url).netloc != host]
    assert not elsewhere, f"the page asks another host for {elsewhere}"

    counted = [r for r in responses if r.request.resource_type in COUNTED]
    failed = [f"{r.status} {r.url}" for r in counted if r.status != 200]
    assert not failed, f"the page loads {failed}"
    sizes = {r.url.removeprefix(site_url): len(r.body()) for r in counted}
    for path in (ARTICLE, "assets/style.css", "assets/marginalia.js", "assets/search.js"):
        assert path in sizes, f"{path} was not loaded with the page; loaded: {sorted(sizes)}"
    assert not [path for path in sizes if path.startswith("pagefind/")], (
        f"Pagefind loads with the page, before the search field is used: {sorted(sizes)}"
    )
    total = sum(sizes.values())
    listing = ", ".join(f"{path} {size:,}" for path, size in sorted(sizes.items()))
    assert total < BUDGET, f"the article page with its CSS and JS weighs {total:,} bytes, over {BUDGET:,}: {listing}"


def total_shift(page: Page) -> tuple[float, list[dict[str, object]]]:
    """Return the sum of every layout shift recorded so far (with or without recent input), and the shifts."""
    shifts = page.evaluate(READ_SHIFTS)
    return sum(s["value"] for s in shifts), shifts


@pytest.mark.parametrize("viewport", [WIDE, PHONE], ids=["wide", "phone"])
def test_opening_cards_by_pointer_moves_nothing(page: Page, site_url: str, viewport: ViewportSize) -> None:
    """Hovering a mention, then another, then leaving: the card opens, moves and closes without a layout shift."""
    page.set_viewport_size(viewport)
    page.goto(site_url + ARTICLE)
    page.wait_for_load_state("networkidle")
    page.evaluate(OBSERVE_SHIFTS)
    card = page.locator("#mention-card")

    page.locator(AKAR).nth(1).hover()
    expect(card).to_be_visible()
    expect(card).to_contain_text("Hulusi Akar")
    page.locator(RUSSIA).nth(1).hover()
    expect(card).to_contain_text("Russia")
    page.mouse.move(2, 2, steps=5)  # the left margin, away from any mention
    expect(card).to_be_hidden()

    total, shifts = total_shift(page)
    assert total < 0.001, f"the layout shifted by {total:.4f} in all: {shifts}"


@pytest.mark.parametrize("viewport", [WIDE, PHONE], ids=["wide", "phone"])
def test_opening_a_card_by_keyboard_moves_nothing(page: Page, site_url: str, viewport: ViewportSize) -> None:
    """Tabbing to a name and Escape: the card opens and closes without a layout shift."""
    page.set_viewport_size(viewport)
    page.goto(site_url + ARTICLE)
    page.wait_for_load_state("networkidle")
    # Start below the header: the skip link slides into view when focused, and the search
    # field loads Pagefind's UI; neither is a card.
    page.locator("main").focus()
    page.evaluate(OBSERVE_SHIFTS)
    card = page.locator("#mention-card")
    mention = page.locator(AKAR).first  # the linked one

    tab_until(page, mention)  # past the names before it, each showing its card
    expect(card).to_be_visible()
    page.keyboard.press("Escape")
    expect(card).to_be_hidden()
    expect(mention).to_be_focused()

    total, shifts = total_shift(page)
    assert total < 0.001, f"the layout shifted by {total:.4f} in all: {shifts}"
