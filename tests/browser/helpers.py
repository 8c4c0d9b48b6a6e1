"""Constants and small steps shared by the browser tests."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Locator, Page

ROOT = Path(__file__).resolve().parents[2]
SEED_SLUG = "idlib-joint-coordination-centers"
ARTICLE = f"articles/{SEED_SLUG}.html"
ARTICLE_TITLE = "Joint coordination centers will be established with Russia for Idlib: Minister"
SEED_SOURCE = "idlib-centers-report"


def is_focused(locator: Locator) -> bool:
    """Tell whether LOCATOR's element has the keyboard focus."""
    return bool(locator.evaluate("el => el === document.activeElement"))


def describe_focus(page: Page) -> str:
    """Return the start of the focused element's markup, for failure messages."""
    script = "() => document.activeElement ? document.activeElement.outerHTML.slice(0, 160) : 'nothing'"
    return str(page.evaluate(script))


def tab_until(page: Page, target: Locator, max_presses: int = 60) -> int:
    """Press Tab until TARGET has the focus; return how many presses it took."""
    for presses in range(1, max_presses + 1):
        page.keyboard.press("Tab")
        if is_focused(target):
            return presses
    raise AssertionError(f"{max_presses} presses of Tab never focused the element; focus is on {describe_focus(page)}")
