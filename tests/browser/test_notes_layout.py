"""Notes: sidenotes in the margin on wide screens, endnotes on phones."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from .helpers import ARTICLE

PHONE = {"width": 375, "height": 800}
WIDE = {"width": 1400, "height": 900}


def test_phone_shows_endnotes_not_sidenotes(page: Page, site_url: str) -> None:
    """At phone width the notes section is shown and the sidenotes are not."""
    page.set_viewport_size(PHONE)
    page.goto(site_url + ARTICLE)
    expect(page.locator(".endnotes")).to_be_visible()
    sidenotes = page.locator(".sidenote")
    expect(sidenotes).to_have_count(2)
    for i in range(sidenotes.count()):
        expect(sidenotes.nth(i)).to_be_hidden()


def test_wide_screen_shows_sidenotes(page: Page, site_url: str) -> None:
    """At 1400×900 every sidenote is shown."""
    page.set_viewport_size(WIDE)
    page.goto(site_url + ARTICLE)
    sidenotes = page.locator(".sidenote")
    expect(sidenotes).to_have_count(2)
    for i in range(sidenotes.count()):
        expect(sidenotes.nth(i)).to_be_visible()


def test_phone_note_number_jumps_to_its_endnote(page: Page, site_url: str) -> None:
    """At phone width, tapping a note number scrolls to that note's text in the notes section."""
    page.set_viewport_size(PHONE)
    page.goto(site_url + ARTICLE)
    ref = page.locator("sup.note-ref a").first
    expect(ref).to_be_visible()
    sidenote_text = page.locator(".sidenote").first.text_content() or ""
    ref.click()
    expect(page).to_have_url(re.compile(r"#note-1$"))
    endnote = page.locator(".endnotes #note-1")
    expect(endnote).to_be_in_viewport()
    expect(endnote).to_contain_text(sidenote_text.strip().removeprefix("1").strip())
