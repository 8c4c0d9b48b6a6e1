"""An entity page on a large site: every mention is listed and linked; the context of each is shown for
the newest articles only, so that an entity in thousands of articles still makes a page a phone can open."""

from __future__ import annotations

import dataclasses
import json
import re

from marginalia.index import SNIPPET_ARTICLES
from marginalia.pipeline import build

MENTIONS = "mentions:\n  - {entity: ada, quote: Ada, every: true}\n"


def test_older_articles_list_their_mentions_without_context(project) -> None:
    count = SNIPPET_ARTICLES + 3
    for n in range(count):
        body = f"Ada wrote on day {n}. Later Ada rested.\n"
        project.article(f"a{n:02}", body, MENTIONS, date=f"2020-01-{n + 1:02}")
    config = dataclasses.replace(project.config, search=False)
    build(config)
    html = (config.site_dir / "entities/ada.html").read_text()
    mentions = re.findall(r'href="\.\./articles/(a\d\d)\.html#(m-ada-\d)"', html)
    assert len(mentions) == 2 * count  # every mention, linked once
    assert len(set(mentions)) == 2 * count
    assert html.count('class="kwic"') == SNIPPET_ARTICLES  # in context: the newest articles
    assert "In 3 older articles" in html
    older = html[html.index('class="mention-index"') :]
    assert re.findall(r"articles/(a\d\d)\.html\"", older) == ["a02", "a01", "a00"]  # newest first, the oldest
    assert "day 0" not in html  # no context for them
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1))
    subject_of = next(node["subjectOf"] for node in data["@graph"] if "mainEntityOfPage" in node)
    newest = [f"../articles/a{n:02}.html" for n in reversed(range(count))][:SNIPPET_ARTICLES]
    assert [article["url"] for article in subject_of] == newest  # its structured data names those shown in context


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
