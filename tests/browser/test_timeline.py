"""The timeline page: the latest dated events first, a chart and an index of every year."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Page, expect


def _date_key(iso: str) -> tuple[int, ...]:
    """Return an ISO date of any precision (2018, 2020-03, 2020-03-05) as comparable numbers."""
    return tuple(int(part) for part in iso.split("T")[0].split("-"))


def test_timeline_events_are_latest_first(
    page: Page, site_url: str, site_events: list[tuple[str, dict[str, Any]]]
) -> None:
    """Every event of every article is on the timeline, each starting no later than the one above it."""
    page.goto(site_url + "timeline.html")
    items = page.locator("ol.timeline > li")
    expect(items).to_have_count(len(site_events))
    ids = items.evaluate_all("lis => lis.map(li => li.id)")
    assert sorted(ids) == sorted(f"t-{event['id']}" for _, event in site_events)
    assert len({slug for slug, _ in site_events}) == 3  # events from each of the example site's three articles
    starts = items.evaluate_all(
        "lis => lis.map(li => { const t = li.querySelector('time[datetime]');"
        " return t ? t.getAttribute('datetime') : null; })"
    )
    assert None not in starts, f"an event has no <time datetime>: {starts}"
    keys = [_date_key(s) for s in starts]
    for i in range(1, len(keys)):
        assert keys[i - 1] >= keys[i], f"event {i + 1} ({starts[i]}) follows one dated {starts[i - 1]}: {starts}"


def test_timeline_starts_with_the_2021_panel_and_interleaves_the_articles(page: Page, site_url: str) -> None:
    """The timeline opens with the panel of March 5, 2021 (of an invented article), puts the road opened on
    March 20, 2020 (of the other invented one) just before the joint patrols due on March 15, 2020 (of the seed
    article), and closes with the 2018 agreement (of the seed article)."""
    page.goto(site_url + "timeline.html")
    items = page.locator("ol.timeline > li")
    expect(items.first.locator(".event-date")).to_have_text("March 5, 2021")
    expect(items.first).to_contain_text("a panel of the Example Road Institute meets in Ankara")
    patrols = page.locator("#t-joint-patrols-begin")
    expect(patrols.locator(".event-date")).to_have_text("March 15, 2020")
    expect(patrols).to_contain_text("joint patrols along the M4 highway")
    expect(page.locator("#t-fixture-road-open-march-20 + li")).to_have_id("t-joint-patrols-begin")
    expect(items.last.locator(".event-date")).to_have_text("2018")
    expect(items.last).to_contain_text("reach the agreement under which Turkey sets up observation posts")


def test_each_year_and_month_has_a_page_of_its_events(page: Page, site_url: str) -> None:
    """The timeline links to a page per year, the latest first, which links to a page per month, each to the
    one after (rel=prev, on the left) and before it (rel=next, on the right); March 2020's lists its seven
    events, from two articles, the latest first, and 2018's the event known only by its year."""
    page.goto(site_url + "timeline.html")
    expect(page.locator(".year-index li")).to_have_text(["2021 2 events", "2020 8 events", "2018 1 event"])
    page.locator(".year-index a", has_text="2020").click()
    expect(page).to_have_url(site_url + "timeline/2020.html")
    expect(page.locator(".year-index li")).to_have_text(["March 7 events", "February 1 event"])
    expect(page.locator(".pager a")).to_have_text(["← 2021", "2018 →"])  # the years after and before with events
    page.locator(".year-index a", has_text="March").click()
    expect(page).to_have_url(site_url + "timeline/2020-03.html")
    items = page.locator("ol.timeline > li")
    expect(items).to_have_count(7)
    expect(page.locator(".pager a[rel=prev]")).to_have_attribute("href", "2021-03.html")
    expect(page.locator(".pager a[rel=next]")).to_have_attribute("href", "2020-02.html")
    expect(items.first.locator(".event-date")).to_have_text("March 20, 2020")
    expect(items.nth(5).locator(".event-date")).to_have_text("March 5, 2020")
    expect(items.last.locator(".event-date")).to_have_text("March 2020–March 2021")  # a month, after the days
    expect(items.first.locator(".event-title a")).to_have_attribute(
        "href", re.compile(r"^\.\./articles/fixture-road-survey\.html#event-")
    )
    expect(items.nth(1).locator(".event-title a")).to_have_attribute(
        "href", re.compile(r"^\.\./articles/idlib-joint-coordination-centers\.html#event-")
    )
    page.goto(site_url + "timeline/2018.html")
    expect(page.locator("main h2")).to_have_text(["Known only by year (1)"])
    expect(page.locator("ol.timeline .event-date")).to_have_count(0)  # the heading gives its year
    expect(page.locator("ol.timeline > li")).to_have_count(1)


def test_an_event_on_a_further_page_of_its_year_opens_there(page: Page, project, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """With one event a page, a year of four events known only by year has four pages: the link an article
    gives to the event of an older article, at the year's address, opens the page that holds it, on it; its
    pager leads back to the newer page."""
    import dataclasses

    from marginalia import render
    from marginalia.pipeline import build
    from tests.conftest import serve
    from tests.fixtures.scale import write_events_article

    monkeypatch.setattr(render, "TIMELINE_PAGE_EVENTS", 1)
    for n in range(4):
        write_events_article(project, n)
    config = dataclasses.replace(project.config, search=False)
    build(config)
    server, url = serve(config.site_dir)
    try:
        page.goto(url + "articles/e001.html")
        link = page.locator('a[href="../timeline/1800.html#t-y1"]')
        expect(link).to_have_count(1)
        page.goto(url + "timeline/1800.html#t-y1")
        expect(page).to_have_url(url + "timeline/1800/3.html#t-y1")
        expect(page.locator("ol.timeline > li#t-y1")).to_be_visible()
        expect(page.locator("ol.timeline > li")).to_have_count(1)
        page.locator('a[rel="prev"]').click()
        expect(page).to_have_url(url + "timeline/1800/2.html")
        expect(page.locator("ol.timeline > li#t-y2")).to_be_visible()
    finally:
        server.shutdown()
        server.server_close()
