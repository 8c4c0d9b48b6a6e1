"""Reading an article: quiet by default, every annotation on demand; a verdict opens where its claim
stands; a name's card never gets in the way (hover, keyboard, touch, arriving at a mention); events
link to the timeline; the article fits a phone's first screen and prints without the site around it.

The seed article's claims are all reported; tests/fixtures/reading (invented) has one of each status.
"""

from __future__ import annotations

import colorsys
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from . import reading_site
from .helpers import ARTICLE
from .reading_site import FERRIES

TRANSPARENT = "rgba(0, 0, 0, 0)"
CARD = "#mention-card"
reading_url = reading_site.reading_url  # the fixture, for the tests of this module


def background(page: Page, selector: str) -> str:
    return str(page.locator(selector).first.evaluate("el => getComputedStyle(el).backgroundColor"))


def test_reported_claims_have_no_badge_and_no_fill_and_the_headline_no_annotation(article: Page) -> None:
    """By default a reported claim reads as plain text: no fill, no badge, no status word; the headline is plain."""
    page = article
    body = page.locator(".article-body")
    reported = body.locator(".claim-reported")
    expect(reported).to_have_count(17)
    fills = reported.evaluate_all("els => els.map(el => getComputedStyle(el).backgroundColor)")
    assert set(fills) == {TRANSPARENT}, f"reported claims are filled: {set(fills)}"
    expect(body.locator(".badge, .verdict")).to_have_count(0)
    assert "reported" not in (body.inner_text()).lower()
    title = page.locator("#article-title")
    expect(title.locator("a")).to_have_count(0)
    decorations = title.locator("span").evaluate_all("els => els.map(el => getComputedStyle(el).textDecorationLine)")
    assert set(decorations) <= {"none"}, f"the headline is annotated: {decorations}"


def test_show_all_annotations_is_remembered_across_pages(article: Page, site_url: str) -> None:
    """ "Show all annotations" fills reported claims and shows the key; it stays on after going elsewhere and back, and off once turned off."""
    page = article
    toggle = page.get_by_label("Show all annotations")
    expect(toggle).not_to_be_checked()
    expect(page.locator(".legend")).to_be_hidden()
    toggle.check()
    assert background(page, ".article-body .claim-reported") != TRANSPARENT
    expect(page.locator(".legend")).to_be_visible()
    page.get_by_role("link", name="Glossary").first.click()
    expect(page).to_have_url(re.compile(r"glossary\.html$"))
    page.goto(site_url + ARTICLE)
    expect(page.get_by_label("Show all annotations")).to_be_checked()
    assert background(page, ".article-body .claim-reported") != TRANSPARENT
    page.get_by_label("Show all annotations").uncheck()
    page.reload()
    expect(page.get_by_label("Show all annotations")).not_to_be_checked()
    assert background(page, ".article-body .claim-reported") == TRANSPARENT


def test_show_all_annotations_works_without_javascript(browser: Browser, site_url: str) -> None:
    """Without JavaScript the same checkbox shows every annotation."""
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site_url + ARTICLE)
    assert background(page, ".article-body .claim-reported") == TRANSPARENT
    page.get_by_label("Show all annotations").check()
    assert background(page, ".article-body .claim-reported") != TRANSPARENT
    expect(page.locator(".article-body .event-ref").first).to_be_visible()
    context.close()


def test_verdict_opens_in_place_with_its_review_and_sources(page: Page, reading_url: str) -> None:
    """A false claim shows "False" with a shape; pressing it opens, below its paragraph, the review, the claimant,
    the sources and a link to the claim in full, without leaving the passage; pressing it again closes it."""
    page.goto(reading_url + FERRIES)
    verdict = page.locator(".article-body .verdict.verdict-false")
    expect(verdict).to_have_text("✗False")
    expect(verdict.locator("[aria-hidden=true]")).to_have_text("✗")
    expect(verdict).to_have_attribute("aria-expanded", "false")
    box = page.locator("#verdict-free-of-charge")
    expect(box).to_be_hidden()
    verdict.click()
    expect(verdict).to_have_attribute("aria-expanded", "true")
    expect(box).to_be_visible()
    expect(box).to_be_in_viewport()
    expect(verdict).to_be_in_viewport()
    expect(page).to_have_url(reading_url + FERRIES)
    expect(box).to_contain_text("The guild's own ledger records fares taken on April 9.")
    expect(box).to_contain_text("Claimed by Ferry Guild")
    expect(box.get_by_role("link", name="Ferry Guild ledger (invented)")).to_have_attribute(
        "href", "../sources/guild-ledger.html"
    )
    verdict.click()
    expect(box).to_be_hidden()
    verdict.click()
    box.get_by_role("link", name="The claim in full").click()
    expect(page).to_have_url(reading_url + "claims/2022-04.html#claim-free-of-charge")
    expect(page.locator("#claim-free-of-charge")).to_be_in_viewport()


def test_verdict_works_by_keyboard(page: Page, reading_url: str) -> None:
    """Tab reaches a verdict; Enter opens it, and the next Tab goes into its links."""
    page.goto(reading_url + FERRIES)
    verdict = page.locator(".article-body .verdict.verdict-confirmed")
    for _ in range(40):
        page.keyboard.press("Tab")
        if verdict.evaluate("el => el === document.activeElement"):
            break
    expect(verdict).to_be_focused()
    page.keyboard.press("Enter")
    box = page.locator("#verdict-twelve-ferries")
    expect(box).to_be_visible()
    page.keyboard.press("Space")
    expect(box).to_be_hidden()


def test_verdict_opens_without_javascript(browser: Browser, reading_url: str) -> None:
    """Without JavaScript a verdict is a link to its box, which :target shows."""
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(reading_url + FERRIES)
    box = page.locator("#verdict-river-never-higher")
    expect(box).to_be_hidden()
    page.locator(".article-body a.verdict-disputed").click()
    expect(box).to_be_visible()
    expect(box).to_contain_text("The log records a higher river in an earlier year.")
    context.close()


def hue(color: str) -> float:
    """Return the hue, in degrees, of a #rrggbb COLOR."""
    r, g, b = (int(color.strip().lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4))
    return colorsys.rgb_to_hls(r, g, b)[0] * 360


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_kind_colours_never_share_a_hue_with_verdict_colours(page: Page, site_url: str, scheme: str) -> None:
    """Each kind's colour is at least 30° of hue from each verdict's colour (red, amber, green), light and dark."""
    page.emulate_media(color_scheme=scheme)
    page.goto(site_url + ARTICLE)
    read = "names => names.map(n => getComputedStyle(document.documentElement).getPropertyValue(n))"
    kinds = page.evaluate(read, ["--person", "--place", "--organization", "--event", "--concept"])
    verdicts = page.evaluate(read, ["--t-confirmed", "--t-disputed", "--t-false"])
    for kind in kinds:
        for verdict in verdicts:
            distance = abs(hue(kind) - hue(verdict))
            assert min(distance, 360 - distance) >= 30, f"{scheme}: kind colour {kind} is close to verdict {verdict}"


def test_no_card_opens_on_arriving_at_a_mention(page: Page, site_url: str) -> None:
    """Following a link to article#m-… with the pointer resting where the name lands opens no card over it
    (the browser sends the name a mouseover as it scrolls there); moving the pointer onto the name does."""
    name = "#m-hulusi-akar-3"
    page.goto(f"{site_url}{ARTICLE}{name}")
    box = page.locator(name).bounding_box()
    assert box
    x, y = box["x"] + 5, box["y"] + box["height"] / 2
    page.goto(site_url + ARTICLE, wait_until="networkidle")
    page.mouse.move(x, y)
    page.evaluate(
        """name => { window.__arrived = new Promise(done =>
             document.querySelector(name).addEventListener('mouseover', done, {once: true}));
           location.hash = name; }""",
        name,
    )
    page.evaluate("() => window.__arrived")  # the name is under the resting pointer, and was told so
    expect(page.locator(name)).to_be_in_viewport()
    expect(page.locator(CARD)).to_be_hidden()
    page.mouse.move(x + 3, y, steps=3)
    expect(page.locator(CARD)).to_be_visible()
    expect(page.locator(CARD)).to_contain_text("Hulusi Akar")


def test_first_tap_on_a_name_opens_its_card_and_a_second_follows_it(browser: Browser, site_url: str) -> None:
    """On a touch screen the first tap on a name shows its card and stays on the article; the second opens its page."""
    context = browser.new_context(has_touch=True, is_mobile=True, viewport={"width": 375, "height": 812})
    page = context.new_page()
    page.goto(site_url + ARTICLE)
    name = page.locator('.article-body a.mention[data-entity="hulusi-akar"]')
    name.scroll_into_view_if_needed()
    name.tap()
    card = page.locator(CARD)
    expect(card).to_be_visible()
    expect(card).to_contain_text("Hulusi Akar")
    expect(page).to_have_url(site_url + ARTICLE)
    name.tap()
    expect(page).to_have_url(site_url + "entities/hulusi-akar.html")
    context.close()


def test_each_name_is_one_tab_stop_in_the_article(article: Page) -> None:
    """Tab through the article's text stops once per entity it names (at its first linked mention), once per note
    number and once per checked claim's verdict (none in the seed): 17 entities and 2 notes, 19 stops;
    the cards' links are never tab stops."""
    page = article
    body = page.locator(".article-body")
    entities = set(body.locator(".mention[data-entity]").evaluate_all("els => els.map(e => e.dataset.entity)"))
    intended = len(entities) + body.locator(".note-ref a").count() + body.locator(".verdict").count()
    assert intended == 19
    page.locator("#article-title").click()
    stops = []
    for _ in range(200):
        page.keyboard.press("Tab")
        where = page.evaluate(
            "() => { const el = document.activeElement; return {inBody: !!el.closest('.article-body'),"
            " inCard: !!el.closest('#mention-card'), inApparatus: !!el.closest('.article-apparatus, .endnotes, .copy-note'),"
            " what: el.outerHTML.slice(0, 80)}; }"
        )
        assert not where["inCard"], "Tab went into the card"
        if where["inBody"]:
            stops.append(where["what"])
        elif where["inApparatus"] or (stops and not where["inBody"]):
            break
    assert len(stops) == intended, f"{len(stops)} tab stops in the text, not {intended}:\n" + "\n".join(stops)


def test_focusing_a_name_shows_its_card_and_tab_goes_on_to_the_next(article: Page) -> None:
    """A focused name shows its card (a tooltip it is described by); Tab goes to the next link, not into the card."""
    page = article
    first = page.locator(".article-body a.mention").first
    first.focus()
    card = page.locator(CARD)
    expect(card).to_be_visible()
    expect(card).to_have_attribute("role", "tooltip")
    expect(first).to_have_attribute("aria-describedby", "mention-card")
    page.keyboard.press("Tab")
    expect(page.locator(".article-body a.mention").nth(1)).to_be_focused()


def test_an_event_phrase_links_to_its_timeline_entry(article: Page, site_url: str) -> None:
    """With every annotation shown, the mark after "Hulusi Akar said on March 13" leads to that event on the timeline."""
    page = article
    page.get_by_label("Show all annotations").check()
    link = page.get_by_role("link", name=re.compile(r"^On the timeline: Hulusi Akar announces joint coordination"))
    expect(link).to_be_visible()
    link.click()
    expect(page).to_have_url(site_url + "timeline/2020-03.html#t-akar-announces-centers")
    entry = page.locator("#t-akar-announces-centers")
    expect(entry).to_be_in_viewport()
    expect(entry).to_contain_text("Hulusi Akar announces joint coordination centers with Russia for Idlib")


def test_a_phone_shows_the_first_paragraph_on_its_first_screen(page: Page, site_url: str) -> None:
    """At 375×812 the header is compact and the article's first paragraph starts on the first screen."""
    page.set_viewport_size({"width": 375, "height": 812})
    page.goto(site_url + ARTICLE, wait_until="networkidle")
    header = page.locator(".site-header").bounding_box()
    first = page.locator(".article-body p").first.bounding_box()
    assert header and first
    assert header["height"] <= 110, f"the header is {header['height']:.0f} px tall"
    assert first["y"] + 50 <= 812, f"the first paragraph starts at y={first['y']:.0f}"


def test_print_shows_the_article_and_its_verdicts_without_the_site_around_it(page: Page, reading_url: str) -> None:
    """Printed: no header, search, key or apparatus; verdicts shown with their reviews; reported claims unmarked; notes at the end."""
    page.goto(reading_url + FERRIES, wait_until="networkidle")
    page.emulate_media(media="print")
    for hidden in (".site-header", "#site-search", ".reading-key", ".article-apparatus", ".site-footer"):
        expect(page.locator(hidden)).to_be_hidden()
    expect(page.locator(".article-body .verdict.verdict-false")).to_be_visible()
    expect(page.locator("#verdict-free-of-charge")).to_be_visible()
    expect(page.locator("#verdict-free-of-charge")).to_contain_text("records fares")
    assert background(page, ".article-body .claim-reported") == TRANSPARENT
    expect(page.locator(".endnotes")).to_be_visible()


def test_the_seed_article_prints_on_two_a4_pages(page: Page, site_url: str) -> None:
    """The seed article (some 550 words and two notes) prints on two A4 pages."""
    page.goto(site_url + ARTICLE, wait_until="networkidle")
    pdf = page.pdf(format="A4")
    pages = len(re.findall(rb"/Type\s*/Page(?![a-z])", pdf))
    assert pages <= 2, f"{pages} pages"


AXE = Axe()


@pytest.mark.parametrize(
    "viewport", [{"width": 375, "height": 812}, {"width": 1280, "height": 900}], ids=["phone", "desktop"]
)
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_axe_violation_with_every_annotation_and_a_verdict_shown(
    page: Page, reading_url: str, scheme: str, viewport: dict[str, int]
) -> None:
    """With every annotation shown, a verdict open and a card open, axe-core finds nothing, light and dark."""
    page.set_viewport_size(viewport)  # type: ignore[arg-type]
    page.emulate_media(color_scheme=scheme)
    page.goto(reading_url + FERRIES, wait_until="networkidle")
    page.get_by_label("Show all annotations").check()
    page.locator(".article-body .verdict.verdict-disputed").click()
    page.locator(".article-body a.mention").first.focus()
    expect(page.locator(CARD)).to_be_visible()
    results = AXE.run(page, {"exclude": [["#site-search"]]})
    found = [f"{v['id']} at {n['target']}: {v['help']}" for v in results.response["violations"] for n in v["nodes"]]
    assert not found, "\n".join(found)
