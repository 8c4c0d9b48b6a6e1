"""Reading paths through the site: home page, article, glossary entry and
back, with the keyboard and without JavaScript."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from .helpers import ARTICLE, ARTICLE_TITLE, describe_focus, tab_until


def test_home_lists_seed_article_with_date_and_dateline(page: Page, site_url: str) -> None:
    """The home page lists the seed article under its title, with its date and dateline."""
    page.goto(site_url + "index.html")
    item = page.locator("ol.article-list > li").filter(has_text=ARTICLE_TITLE)
    expect(item).to_have_count(1)
    expect(item.get_by_role("link", name=ARTICLE_TITLE)).to_be_visible()
    expect(item.locator("time")).to_have_text("March 13, 2020")
    expect(item.locator("time")).to_have_attribute("datetime", "2020-03-13")
    expect(item.locator(".dateline")).to_have_text("ANKARA")


def test_home_article_link_opens_the_article(page: Page, site_url: str) -> None:
    """Clicking the article's title on the home page opens the article."""
    page.goto(site_url + "index.html")
    page.locator("ol.article-list").get_by_role("link", name=ARTICLE_TITLE).click()
    expect(page).to_have_url(re.compile(re.escape(ARTICLE) + "$"))
    expect(page.locator("h1")).to_have_text(ARTICLE_TITLE)


@pytest.mark.parametrize("name", ["Glossary", "Timeline", "Claims", "Sources"])
def test_home_links_to_each_index_page(page: Page, site_url: str, name: str) -> None:
    """The home page's ways in lead to the glossary, timeline, claims and sources pages."""
    page.goto(site_url + "index.html")
    page.locator("nav.ways-in").get_by_role("link", name=re.compile(rf"^{name}\b")).click()
    expect(page).to_have_url(re.compile(rf"/{name.lower()}\.html$"))
    expect(page.locator("h1")).to_have_text(name)


def test_mention_leads_to_entity_page_and_back_reference_returns(article: Page) -> None:
    """A mention of Hulusi Akar opens his page, whose back-reference lands on that mention, targeted and in view."""
    page = article
    page.locator('a.mention[data-entity="hulusi-akar"]').first.click()
    expect(page).to_have_url(re.compile(r"/entities/hulusi-akar\.html$"))
    expect(page.locator("h1")).to_contain_text("Hulusi Akar")

    back_refs = page.locator("ol.kwic a")
    expect(back_refs).to_have_count(5)
    back_ref = back_refs.last  # the furthest down the article, so landing on it needs a scroll
    words = back_ref.locator("mark").inner_text()
    back_ref.click()

    expect(page).to_have_url(re.compile(re.escape(ARTICLE) + r"#m-hulusi-akar-\d+$"))
    fragment = page.url.rsplit("#", 1)[1]
    target = page.locator(f"#{fragment}")
    expect(target).to_have_count(1)
    expect(target).to_have_text(words)
    expect(target).to_be_in_viewport()
    assert target.evaluate("el => el.matches(':target')"), f"#{fragment} does not match :target"


def test_mentions_are_links_without_javascript(browser: Browser, site_url: str) -> None:
    """With JavaScript off, a mention is still a link that opens the entity page."""
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(site_url + ARTICLE)
        mention = page.locator('a.mention[data-entity="hulusi-akar"]').first
        expect(mention).to_have_attribute("href", "../entities/hulusi-akar.html")
        mention.click()
        expect(page).to_have_url(re.compile(r"/entities/hulusi-akar\.html$"))
        expect(page.locator("h1")).to_contain_text("Hulusi Akar")
    finally:
        context.close()


def test_skip_link_is_first_tab_stop_and_moves_focus_to_main(article: Page) -> None:
    """From the top of the article the first Tab reaches the skip link, on screen, and Enter moves focus to main."""
    page = article
    skip = page.locator("a.skip-link")
    assert tab_until(page, skip, max_presses=1) == 1
    expect(skip).to_have_text("Skip to content")
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#main$"))
    expect(page.locator("main#main")).to_be_focused(timeout=1000)  # no waiting: focus moves at once or not at all


def test_tab_after_skip_link_lands_inside_main(article: Page) -> None:
    """After using the skip link, the next Tab stop is inside main, not in the site header."""
    page = article
    page.keyboard.press("Tab")
    expect(page.locator("a.skip-link")).to_be_focused()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    inside = page.evaluate("() => !!(document.activeElement && document.activeElement.closest('main'))")
    assert inside, f"after the skip link, Tab focused {describe_focus(page)}, outside main"


def test_an_entity_page_has_back_references_from_every_article_that_mentions_it(page: Page, site_url: str) -> None:
    """The M4 highway, mentioned in all three articles of the example site, has back-references into each;
    one into an invented article lands on the mention there."""
    page.goto(site_url + "entities/m4-highway.html")
    hrefs = page.locator("ol.kwic a").evaluate_all("as => as.map(a => a.getAttribute('href'))")
    articles = {re.sub(r"\.html#.*", "", href.removeprefix("../articles/")) for href in hrefs}
    assert articles == {"idlib-joint-coordination-centers", "fixture-road-survey", "fixture-ceasefire-anniversary"}
    back_ref = page.locator('ol.kwic a[href^="../articles/fixture-ceasefire-anniversary.html#m-"]')
    expect(back_ref).to_have_count(1)
    back_ref.click()
    expect(page).to_have_url(re.compile(r"/articles/fixture-ceasefire-anniversary\.html#m-m4-highway-\d+$"))
    target = page.locator("#" + page.url.rsplit("#", 1)[1])
    expect(target).to_have_text("M4 highway")
    expect(target).to_be_in_viewport()
