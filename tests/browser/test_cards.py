"""Entity cards: hovering or focusing a mention shows a card about the entity.

The contract: one element #mention-card (class entity-card, role="tooltip":
the WAI-ARIA Authoring Practices' Tooltip pattern), shown and hidden by its
`hidden` attribute, holding the entity's name and a link .entity-card-link to
the entity's page, for the pointer only. It hides about 300 ms after the mouse
leaves, and at once on Escape; it never takes the keyboard focus: a name is
one tab stop, and the name itself links to the entity's page.

A name is a link once in the text (its first mention); every mention of it,
linked or not, shows the card.
"""

from __future__ import annotations

import math
import re

from playwright.sync_api import Locator, Page, expect

from .helpers import describe_focus, tab_until

AKAR = '.article-body .mention[data-entity="hulusi-akar"]'
RUSSIA = '.article-body .mention[data-entity="russia"]'


def card(page: Page) -> Locator:
    """Return the entity card."""
    return page.locator("#mention-card")


def expect_card_shown_for(page: Page, name: str, entity_id: str) -> None:
    """Assert that the card is shown, describes NAME and links to ENTITY_ID's page."""
    box = card(page)
    expect(box).to_be_visible()
    expect(box).to_have_count(1)
    expect(box).to_have_class(re.compile(r"(^|\s)entity-card(\s|$)"))
    expect(box).to_have_attribute("role", "tooltip")
    expect(box).to_contain_text(name)
    link = box.locator(".entity-card-link")
    expect(link).to_have_count(1)
    expect(link).to_have_attribute("href", re.compile(rf"(^|/)entities/{re.escape(entity_id)}\.html$"))


def expect_card_hidden(page: Page) -> None:
    """Assert that the card exists and is hidden by its hidden attribute."""
    box = card(page)
    expect(box).to_have_count(1)
    expect(box).to_be_hidden()
    assert box.evaluate("el => el.hidden"), "the card is not visible but its hidden attribute is not set"


def far_point(page: Page, *locators: Locator) -> tuple[float, float]:
    """Return the corner of the viewport furthest from the boxes of LOCATORS."""
    size = page.viewport_size or {"width": 1280, "height": 720}
    w, h = size["width"], size["height"]
    boxes = [b for b in (loc.bounding_box() for loc in locators) if b]

    def distance(point: tuple[float, float]) -> float:
        x, y = point
        return min(
            math.hypot(max(b["x"] - x, 0, x - b["x"] - b["width"]), max(b["y"] - y, 0, y - b["y"] - b["height"]))
            for b in boxes
        )

    corners = [(2.0, 2.0), (w - 2.0, 2.0), (2.0, h - 2.0), (w - 2.0, h - 2.0)]
    return max(corners, key=distance)


def test_hovering_mention_shows_card_with_name_and_link(article: Page) -> None:
    """Hovering a mention of Hulusi Akar shows a card with his name and a link to his page."""
    page = article
    expect(card(page)).to_be_hidden()
    page.locator(AKAR).nth(1).hover()
    expect_card_shown_for(page, "Hulusi Akar", "hulusi-akar")


def test_one_card_is_reused_for_each_mention(article: Page) -> None:
    """Hovering a second mention shows that entity in the same, single card."""
    page = article
    page.locator(AKAR).nth(1).hover()
    expect_card_shown_for(page, "Hulusi Akar", "hulusi-akar")
    page.locator(RUSSIA).nth(1).hover()
    expect_card_shown_for(page, "Russia", "russia")
    expect(card(page)).not_to_contain_text("Hulusi Akar")
    expect(page.locator(".entity-card")).to_have_count(1)


def test_moving_mouse_away_hides_card(article: Page) -> None:
    """Moving the mouse from a mention to a far part of the page hides the card after its short delay."""
    page = article
    mention = page.locator(AKAR).nth(1)
    mention.hover()
    expect_card_shown_for(page, "Hulusi Akar", "hulusi-akar")
    x, y = far_point(page, mention, card(page))
    page.mouse.move(x, y, steps=5)
    expect_card_hidden(page)


def test_card_link_can_be_clicked_with_the_mouse(article: Page) -> None:
    """The mouse can travel from a mention into its card and follow the card's link to the entity page."""
    page = article
    page.locator(AKAR).nth(1).hover()
    expect_card_shown_for(page, "Hulusi Akar", "hulusi-akar")
    card(page).locator(".entity-card-link").click()
    expect(page).to_have_url(re.compile(r"/entities/hulusi-akar\.html$"))
    expect(page.locator("h1")).to_contain_text("Hulusi Akar")


def test_focusing_mention_with_keyboard_shows_card(article: Page) -> None:
    """Tabbing to a mention of Hulusi Akar shows his card."""
    page = article
    mention = page.locator(AKAR).first
    tab_until(page, mention)
    expect(mention).to_be_focused()
    expect_card_shown_for(page, "Hulusi Akar", "hulusi-akar")


def test_escape_hides_card_and_keeps_focus_on_mention(article: Page) -> None:
    """Escape hides a card opened by focusing a mention, and the focus stays on the mention."""
    page = article
    mention = page.locator(AKAR).first
    mention.focus()  # reaching it by Tab is tested above
    expect_card_shown_for(page, "Hulusi Akar", "hulusi-akar")
    page.keyboard.press("Escape")
    expect_card_hidden(page)
    expect(mention).to_be_focused()


def test_tab_from_focused_mention_goes_past_its_card(article: Page) -> None:
    """From a focused name, the next Tab stop is the next name, not the card's link (which is -1 in the tab order)."""
    page = article
    mention = page.locator(AKAR).first
    mention.focus()  # reaching it by Tab is tested above
    expect_card_shown_for(page, "Hulusi Akar", "hulusi-akar")
    expect(card(page).locator(".entity-card-link")).to_have_attribute("tabindex", "-1")
    following = page.locator(".article-body a.mention")
    index = following.evaluate_all("(els, m) => els.indexOf(document.activeElement)", None)
    page.keyboard.press("Tab")
    assert following.nth(index + 1).evaluate("el => el === document.activeElement"), (
        f"Tab from the mention focused {describe_focus(page)}, not the next name"
    )


def test_focused_name_links_where_its_card_does(article: Page) -> None:
    """The focused name is itself the link its card offers: Enter on it opens the entity's page."""
    page = article
    mention = page.locator(AKAR).first
    mention.focus()
    expect_card_shown_for(page, "Hulusi Akar", "hulusi-akar")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/entities/hulusi-akar\.html$"))
