"""An entity page on a large site: every mention is listed and linked; the context of each is shown for
the newest articles only, so that an entity in thousands of articles still makes a page a phone can open."""

from __future__ import annotations

import dataclasses
import json
import re

from marginalia.index import SNIPPET_ARTICLES
from marginalia.pipeline import build
from marginalia.render import ENTITY_ARCHIVE_ARTICLES

MENTIONS = "mentions:\n  - {entity: ada, quote: Ada, every: true}\n"


def test_older_articles_are_on_archive_pages_numbered_from_the_oldest(project) -> None:
    count = ENTITY_ARCHIVE_ARTICLES + 3
    for n in range(count):
        body = f"Ada wrote on day {n}. Later Ada rested.\n"
        project.article(f"a{n:02}", body, MENTIONS, date=f"2020-{n // 28 + 1:02}-{n % 28 + 1:02}")
    config = dataclasses.replace(project.config, search=False)
    build(config)
    html = (config.site_dir / "entities/ada.html").read_text()
    mentions = re.findall(r'href="\.\./articles/(a\d\d)\.html#(m-ada-\d)"', html)
    newest = [f"a{n:02}" for n in reversed(range(count))][:SNIPPET_ARTICLES]
    assert list(dict.fromkeys(a for a, _ in mentions)) == newest  # in context: the newest articles only
    assert f"{count} articles, from" in html
    assert re.findall(r'href="\.\./entities/ada/(\d)\.html"', html) == ["2", "1"]  # the newest first
    first = (config.site_dir / "entities/ada/1.html").read_text()
    second = (config.site_dir / "entities/ada/2.html").read_text()
    in_first = re.findall(r'href="\.\./\.\./articles/(a\d\d)\.html#(m-ada-\d)"', first)
    in_second = re.findall(r'href="\.\./\.\./articles/(a\d\d)\.html#(m-ada-\d)"', second)
    assert len(in_first) == 2 * ENTITY_ARCHIVE_ARTICLES and len(in_second) == 2 * 3  # every mention, once
    assert {a for a, _ in in_first} == {f"a{n:02}" for n in range(ENTITY_ARCHIVE_ARTICLES)}  # the oldest
    assert in_second[0][0] == f"a{count - 1:02}"  # newest first within a page
    assert "January 1, 2020 – January 25, 2020" in first
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1))
    subject_of = next(node["subjectOf"] for node in data["@graph"] if "mainEntityOfPage" in node)
    assert [article["url"] for article in subject_of] == [f"../articles/{slug}.html" for slug in newest]


def test_an_entity_page_groups_claims_by_verdict_and_lists_events_latest_first(project) -> None:
    annotations = (
        MENTIONS + "claims:\n"
        "  - {id: c1, quote: Ada wrote, status: reported, about: [ada], sources: [notes]}\n"
        "  - {id: c2, quote: Ada rested, status: 'false', about: [ada], sources: [notes], review: Not so.}\n"
        "events:\n"
        "  - {id: e1, quote: Ada wrote, date: '1843', title: The writing, entities: [ada]}\n"
        "  - {id: e2, quote: Ada rested, date: '1850', title: The rest, entities: [ada]}\n"
    )
    project.article("a", "Ada wrote. Later Ada rested.\n", annotations)
    config = dataclasses.replace(project.config, search=False)
    build(config)
    html = (config.site_dir / "entities/ada.html").read_text()
    claims = html[html.index('id="claims-heading"') :]
    assert claims.index('id="claims-false"') < claims.index('id="claims-reported"')
    assert '<a href="#claims-false">1 false</a>, <a href="#claims-reported">1 reported</a>' in html
    events = html[html.index('id="events-heading"') :]
    assert events.index("The rest") < events.index("The writing")  # latest first
    assert html.index('id="summary-heading"') < html.index('id="mentions-heading"')
    assert "entities/ada/" not in html  # everything is on its page: no archive page
    assert not (config.site_dir / "entities/ada").exists()


def test_a_few_articles_show_every_mention_in_context(project) -> None:
    for n in range(3):
        project.article(f"a{n}", f"Ada wrote on day {n}.\n", MENTIONS)
    config = dataclasses.replace(project.config, search=False)
    build(config)
    html = (config.site_dir / "entities/ada.html").read_text()
    assert html.count('class="kwic"') == 3 and "mention-index" not in html


def test_an_entity_page_lists_with_each_event_the_other_entities_only(project) -> None:
    annotations = (
        "mentions:\n  - {entity: ada, quote: Ada, every: true}\n  - {entity: london, quote: London}\n"
        "events:\n"
        "  - {id: trip, quote: Ada went to London, date: '1843', title: The trip}\n"
        "  - {id: rest, quote: Ada rested, date: '1844', title: The rest}\n"
    )
    project.article("a", "Ada went to London. Ada rested.\n", annotations)
    config = dataclasses.replace(project.config, search=False)
    build(config)

    def events(entity_id: str) -> dict[str, str]:
        html = (config.site_dir / f"entities/{entity_id}.html").read_text()
        section = html[html.index('id="events-heading"') :]
        return {title: item for item, title in re.findall(r"(<li>.*?>(The \w+)</a>.*?</li>)", section, re.S)}

    ada, london = events("ada"), events("london")
    assert 'href="../entities/london.html"' in ada["The trip"]
    assert 'href="../entities/ada.html"' not in ada["The trip"]
    assert "event-entities" not in ada["The rest"]  # Ada alone: nothing to list
    assert 'href="../entities/ada.html"' in london["The trip"]
    assert 'href="../entities/london.html"' not in london["The trip"]
    assert "The rest" not in london
