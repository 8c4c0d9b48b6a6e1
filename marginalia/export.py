"""Open standards out, search in: what the site publishes beyond its HTML pages.

Everything here is a pure function of what the build already has (content,
index, config), except `import_annotations`, which appends to one annotation
file. Output is deterministic: sorted, no clock readings.

What is published, by URL pattern (site-relative; absolute under site_url):

- ``articles/<slug>.annotations.jsonld``: every annotation of the article as
  a W3C Web Annotation ``AnnotationCollection`` (JSON-LD, context
  http://www.w3.org/ns/anno.jsonld), linked from the article page by
  ``<link rel="alternate" type='application/ld+json; profile="..."'>``.
  Ids and targets are absolute URLs when site_url is set; without it they
  are relative references, resolved (as JSON-LD resolves them) against the
  export file's own URL: ``<slug>.html#m-hulusi-akar-1``, the article page
  beside it. Each annotation has the id of the highlighted words on the page
  (page URL + "#" + span id) and targets the page with two selectors: a
  TextQuoteSelector (exact, and 32 characters of prefix and suffix taken from
  the article's text) and a TextPositionSelector. The positions count
  characters of the article's *plain text* (``Article.text``: the title, then
  each paragraph, heading or list item, separated by a blank line, soft line
  breaks as one newline), not of the HTML page, whose text also holds badges,
  note numbers and margin notes.
  Mappings: a mention is ``identifying`` (bodies: the entity page, the
  entity's name as a TextualBody, and its Wikidata item); a claim is
  ``assessing`` (bodies: the status as a TextualBody with purpose assessing,
  the claim's entry on the claims page of its article's month, the summary
  (describing), the review (commenting, Markdown), the claimant
  (identifying) and the entities it is about (tagging), and each source's
  page (linking)); an
  event is ``describing`` (bodies: the title (describing), the date in ISO
  8601, a range as ``start/end`` (tagging), the note (commenting) and the
  entities (tagging)); a note is ``commenting`` (its text, Markdown).
- ``timeline.json``: the timeline in TimelineJS's JSON format.
- ``sitemap.xml`` and ``feed.xml`` (Atom): only when site_url is set, since
  both need absolute URLs (an Atom id must be an absolute IRI). The feed's
  <updated> is the newest article's date: no build time is written.
- ``robots.txt``: allows everything; names the sitemap when there is one.
- ``pagefind/``: the search index, made by Pagefind: see search.py.
- The import (``build.py import FILE --article SLUG``) reads W3C annotations
  back: see `import_annotations`.

Every page also carries schema.org JSON-LD (see `structured_data`).
"""

from __future__ import annotations

import html
import json
import os
import posixpath
import re
import shutil
import sys
import tempfile
import unicodedata
from collections.abc import Callable, Collection
from dataclasses import dataclass, field, replace
from functools import cache, lru_cache, partial
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from xml.sax.saxutils import escape as xml_escape

from jinja2 import pass_context
from markdown_it import MarkdownIt

from . import render
from .config import Config
from .index import SNIPPET_ARTICLES, Index, Placed
from .model import (
    CLAIM_STATUSES,
    Annotation,
    Appearance,
    Article,
    Claim,
    Content,
    Entity,
    Event,
    Location,
    Mention,
    Note,
    Selector,
    Source,
)

ANNO_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
"""The W3C Web Annotation JSON-LD context."""
ANNO_MEDIA_TYPE = 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'
"""The media type the W3C model gives annotation documents."""
SCHEMA_CONTEXT = "https://schema.org"
CONTEXT_CHARS = 32
"""How many characters of prefix and suffix a TextQuoteSelector carries (as Hypothesis does)."""

SCHEMA_TYPES = {
    "person": "Person",
    "place": "Place",
    "organization": "Organization",
    "event": "Thing",
    "concept": "Thing",
}
"""schema.org type of each entity kind. Event entities are Things: schema.org's
Event (and Google's Event rich result) wants a start date and a location,
which the glossary does not record."""


def dumps(data: Any) -> str:
    """Return DATA as deterministic JSON text, one line.

    Compact on purpose: with `indent=`, json falls back to its pure-Python
    encoder, which was a fifth of a large site's build time.
    """
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"


# --- URLs ----------------------------------------------------------------------


def annotations_path(slug: str) -> str:
    """Return the site path of the W3C annotation export of article SLUG."""
    return f"articles/{slug}.annotations.jsonld"


def site_base(config: Config) -> str:
    """Return site_url with a trailing slash, or "" when it is not set."""
    url = config.site_url
    return url if not url or url.endswith("/") else url + "/"


def _public(path: str) -> str:
    """Return PATH as it is linked publicly: index.html is its folder."""
    if path == "index.html":
        return ""
    return path[: -len("index.html")] if path.endswith("/index.html") else path


def absolute_url(config: Config, path: str) -> str:
    """Return the absolute URL of site PATH (needs site_url)."""
    return site_base(config) + _public(path)


def link(config: Config, path: str, here: str, fragment: str = "") -> str:
    """Return a link to site PATH from the file at HERE: absolute under site_url, else relative."""
    url = absolute_url(config, path) if site_base(config) else _relative(path, posixpath.dirname(here))
    return f"{url}#{fragment}" if fragment else url


def _relative(path: str, folder: str) -> str:
    """Return site PATH relative to FOLDER, quickly for the site's one level of folders."""
    if not folder:
        return path
    if "/" not in folder:
        return path[len(folder) + 1 :] if path.startswith(folder + "/") else "../" + path
    return posixpath.relpath(path, folder)


# --- W3C Web Annotations --------------------------------------------------------


def annotation_collection(article: Article, content: Content, config: Config) -> dict[str, Any]:
    """Return ARTICLE's annotations as one W3C AnnotationCollection, with one embedded page."""
    here = annotations_path(article.slug)
    own = link(config, here, here)
    items = w3c_annotations(article, content, config)
    collection: dict[str, Any] = {
        "@context": ANNO_CONTEXT,
        "id": own,
        "type": "AnnotationCollection",
        "label": f"Annotations of “{article.title}”",
        "total": len(items),
    }
    if items:
        collection["first"] = {"id": f"{own}#page-1", "type": "AnnotationPage", "startIndex": 0, "items": items}
    return collection


_KIND_ORDER = {Mention: 0, Claim: 1, Event: 2, Note: 3}


def w3c_annotations(article: Article, content: Content, config: Config) -> list[dict[str, Any]]:
    """Return one W3C Annotation per anchored span of ARTICLE, in text order."""
    here = annotations_path(article.slug)
    page = link(config, render.article_path(article.slug), here)
    placed = [(span, a) for a in article.annotations for span in a.spans if span.id]
    placed.sort(key=lambda p: (p[0].start, -p[0].end, _KIND_ORDER[type(p[1])], p[0].id))
    result = []
    bodies_of: dict[int, tuple[str, list[dict[str, Any]]]] = {}  # a mention marked in several places has one
    for span, annotation in placed:
        if id(annotation) not in bodies_of:
            bodies_of[id(annotation)] = _bodies(annotation, article, content, config, here)
        motivation, bodies = bodies_of[id(annotation)]
        result.append(
            {
                "id": f"{page}#{span.id}",
                "type": "Annotation",
                "motivation": motivation,
                "body": bodies,
                "target": {"source": page, "selector": text_selectors(article.text, span.start, span.end)},
            }
        )
    return result


def text_selectors(text: str, start: int, end: int) -> list[dict[str, Any]]:
    """Return the TextQuoteSelector and TextPositionSelector of TEXT[start:end]."""
    quote: dict[str, Any] = {"type": "TextQuoteSelector", "exact": text[start:end]}
    if start:
        quote["prefix"] = text[max(0, start - CONTEXT_CHARS) : start]
    if end < len(text):
        quote["suffix"] = text[end : end + CONTEXT_CHARS]
    return [quote, {"type": "TextPositionSelector", "start": start, "end": end}]


def _textual(value: str, purpose: str = "", fmt: str = "text/plain") -> dict[str, Any]:
    body = {"type": "TextualBody", "value": value, "format": fmt}
    if purpose:
        body["purpose"] = purpose
    return body


def _page_body(url: str) -> dict[str, Any]:
    """An External Web Resource: a page of this site."""
    return {"id": url, "type": "Text", "format": "text/html"}


def _linked(url: str, purpose: str) -> dict[str, Any]:
    """A Specific Resource: URL, with the purpose it serves in the annotation."""
    return {"type": "SpecificResource", "source": url, "purpose": purpose}


def wikidata_uri(qid: str) -> str:
    """Return the Wikidata entity URI of item QID."""
    return f"http://www.wikidata.org/entity/{qid}"


def _bodies(
    annotation: Annotation, article: Article, content: Content, config: Config, here: str
) -> tuple[str, list[dict[str, Any]]]:
    """Return the motivation and bodies of ANNOTATION, in ARTICLE."""

    def entity_url(entity_id: str) -> str:
        return link(config, render.entity_path(entity_id), here)

    if isinstance(annotation, Mention):
        entity = content.entities[annotation.entity]
        bodies = [_page_body(entity_url(entity.id)), _textual(entity.name, "identifying")]
        if entity.wikidata:
            bodies.append({"id": wikidata_uri(entity.wikidata)})
        return "identifying", bodies
    if isinstance(annotation, Claim):
        bodies = [
            _textual(annotation.status, "assessing"),
            _page_body(link(config, render.claims_path(article.date), here, f"claim-{annotation.id}")),
        ]
        if annotation.summary:
            bodies.append(_textual(annotation.summary, "describing"))
        if annotation.review:
            bodies.append(_textual(annotation.review, "commenting", "text/markdown"))
        if annotation.claimant:
            bodies.append(_linked(entity_url(annotation.claimant), "identifying"))
        bodies += [_linked(entity_url(e), "tagging") for e in annotation.about]
        bodies += [_linked(link(config, render.source_path(s), here), "linking") for s in annotation.sources]
        return "assessing", bodies
    if isinstance(annotation, Event):
        bodies = [_textual(annotation.title, "describing"), _textual(str(annotation.date), "tagging")]
        if annotation.note:
            bodies.append(_textual(annotation.note, "commenting", "text/markdown"))
        bodies += [_linked(entity_url(e), "tagging") for e in annotation.entities]
        return "describing", bodies
    assert isinstance(annotation, Note)
    return "commenting", [_textual(annotation.text, "", "text/markdown")]


# --- schema.org ------------------------------------------------------------------


@cache
def _markdown() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False})


@lru_cache(maxsize=65536)
def plain(markdown: str) -> str:
    """Return the text of one paragraph of MARKDOWN, without its markup (titles: asked for on many pages)."""
    tokens = _markdown().parseInline(" ".join(markdown.split()))
    words = [c.content for t in tokens for c in t.children or [] if c.type in ("text", "code_inline")]
    return "".join(words)


def _entity_ref(entity: Entity, config: Config, here: str) -> dict[str, Any]:
    ref: dict[str, Any] = {
        "@type": SCHEMA_TYPES[entity.kind],
        "name": entity.name,
        "url": link(config, render.entity_path(entity.id), here),
    }
    if entity.wikidata:
        ref["sameAs"] = f"https://www.wikidata.org/wiki/{entity.wikidata}"
    return ref


def _website(config: Config, here: str) -> dict[str, Any]:
    site: dict[str, Any] = {"@type": "WebSite", "name": config.site_name, "url": link(config, "index.html", here)}
    if config.site_description:
        site["description"] = config.site_description
    return site


def _breadcrumbs(crumbs: list[tuple[str, str | None]], config: Config, here: str) -> dict[str, Any]:
    """Return a BreadcrumbList of (name, site path or None for the current page)."""
    items = []
    for position, (name, path) in enumerate(crumbs, 1):
        item: dict[str, Any] = {"@type": "ListItem", "position": position, "name": name}
        if path is not None:
            item["item"] = link(config, path, here)
        items.append(item)
    return {"@type": "BreadcrumbList", "itemListElement": items}


def article_data(article: Article, content: Content, index: Index, config: Config) -> list[dict[str, Any]]:
    """Return the schema.org nodes of ARTICLE's page: NewsArticle, BreadcrumbList, ClaimReviews."""
    here = render.article_path(article.slug)
    url = link(config, here, here)
    news: dict[str, Any] = {
        "@type": "NewsArticle",
        "headline": plain(article.title),
        "datePublished": article.date,
        "url": url,
        "mainEntityOfPage": url,
        "isPartOf": _website(config, here),
    }
    if article.dateline:
        news["locationCreated"] = {"@type": "Place", "name": article.dateline}
    if article.byline:
        news["author"] = {"name": article.byline}  # a person or an agency: the byline does not say which
    if article.publisher:
        news["publisher"] = {"@type": "Organization", "name": article.publisher}
    if article.url:
        news["isBasedOn"] = article.url
    if article.licence:
        news["license"] = article.licence
    entities = index.entities_of_article.get(article.slug, [])
    if entities:
        news["mentions"] = [_entity_ref(e, config, here) for e in entities]
    nodes = [news, _breadcrumbs([("Articles", "index.html"), (plain(article.title), None)], config, here)]
    for claim in article.claims:
        if claim.status != "reported" and claim.spans:
            nodes.append(claim_review(claim, article, content, config))
    return nodes


def claim_review(claim: Claim, article: Article, content: Content, config: Config) -> dict[str, Any]:
    """Return the schema.org ClaimReview of CLAIM, whose status is more than 'reported'."""
    here = render.article_path(article.slug)
    reviewed: dict[str, Any] = {
        "@type": "Claim",
        "appearance": {
            "@type": "NewsArticle",
            "headline": plain(article.title),
            "url": article.url or link(config, here, here),
        },
    }
    if claim.claimant in content.entities:
        reviewed["author"] = _entity_ref(content.entities[claim.claimant], config, here)
    rating: dict[str, Any] = {
        "@type": "Rating",
        "alternateName": claim.status,
        "name": render.STATUS_HELP[claim.status],
    }
    if claim.review:
        rating["ratingExplanation"] = plain(claim.review)
    return {
        "@type": "ClaimReview",
        "url": link(config, here, here, f"about-claim-{claim.id}"),
        "claimReviewed": claim.summary or " ".join(claim.selector.quote.split()),
        "reviewRating": rating,
        "itemReviewed": reviewed,
        "author": {"@type": "Organization", "name": config.site_name, "url": link(config, "index.html", here)},
    }


def entity_data(entity: Entity, content: Content, index: Index, config: Config) -> list[dict[str, Any]]:
    """Return the schema.org nodes of ENTITY's page: the entity itself and a BreadcrumbList."""
    here = render.entity_path(entity.id)
    node = _entity_ref(entity, config, here)
    node["mainEntityOfPage"] = node["url"]
    if entity.description:
        node["description"] = plain(entity.description)
    if entity.aliases:
        node["alternateName"] = list(entity.aliases)
    # The newest articles only, those the page shows the mentions of in context: an entity in 2,000
    # articles made 430 KB of JSON-LD, repeating the page's list of the older ones.
    articles = list({ref.article.slug: ref.article for ref in index.mentions.get(entity.id, [])}.values())
    articles = articles[:SNIPPET_ARTICLES]
    if articles:
        node["subjectOf"] = [
            {
                "@type": "NewsArticle",
                "headline": plain(a.title),
                "datePublished": a.date,
                "url": link(config, render.article_path(a.slug), here),
            }
            for a in articles
        ]
    crumbs = [
        ("Glossary", "glossary.html"),
        (render.KIND_PLURALS[entity.kind], None),
        (entity.name, None),
    ]
    trail = _breadcrumbs(crumbs, config, here)
    trail["itemListElement"][1]["item"] = link(config, "glossary.html", here, f"kind-{entity.kind}")
    return [node, trail]


_PAGE_NAMES = {
    "glossary.html": "Glossary",
    "timeline.html": "Timeline",
    "claims.html": "Claims",
    "sources.html": "Sources",
}


def _subpage_name(context: Any) -> str:
    """Return the name of a page of a list: a month of articles or claims, a year of events, a source."""
    if isinstance(context.get("source"), Source):
        return str(context["source"].title)
    if "month" in context:
        return render.human_date(context["month"])
    if "year" in context:
        return str(context["year"])
    return str(context["config"].site_name)


@pass_context
def structured_data(context: Any) -> dict[str, Any]:
    """Return the schema.org JSON-LD of the page being rendered (a Jinja global).

    base.html serializes it with Jinja's |tojson, which escapes <, > and & so
    that no value can close the <script> element.
    """
    config: Config = context["config"]
    path: str = context["page_path"]
    content, index = context.get("content"), context.get("index")
    article, entity = context.get("article"), context.get("entity")
    if isinstance(article, Article) and path == render.article_path(article.slug):
        nodes = article_data(article, content, index, config)
    elif isinstance(entity, Entity) and path == render.entity_path(entity.id):
        nodes = entity_data(entity, content, index, config)
    elif path == "index.html":
        nodes = [_website(config, path)]
    else:
        crumbs: list[tuple[str, str | None]] = [("Articles", "index.html")]
        section = f"{path.split('/')[0]}.html" if "/" in path else ""  # claims/2020-03.html is in claims.html
        if section in _PAGE_NAMES:
            crumbs.append((_PAGE_NAMES[section], section))
        name = _PAGE_NAMES.get(path) or _subpage_name(context)
        nodes = [
            {
                "@type": "CollectionPage",
                "name": name,
                "url": link(config, path, path),
                "isPartOf": _website(config, path),
            },
            _breadcrumbs([*crumbs, (name, None)], config, path),
        ]
        if path.startswith("claims/") and isinstance(index, Index):
            nodes += [
                listed_claim_review(placed, index, content, config, path)
                for placed in context["claims"]
                if placed.item.status != "reported" and placed.item.spans
            ]
    return {"@context": SCHEMA_CONTEXT, "@graph": nodes}


def listed_claim_review(
    placed: Placed[Claim], index: Index, content: Content, config: Config, here: str
) -> dict[str, Any]:
    """Return the schema.org ClaimReview of a claim as the claims page HERE lists it: the claim with every article
    that reports it (`appearance`), the earliest of them its `firstAppearance`."""
    claim = placed.item
    review = claim_review(claim, placed.article, content, config)
    review["url"] = link(config, here, here, f"claim-{claim.id}")
    reports = [(placed.article, claim.spans), *((r.article, r.item.spans) for r in index.reported("claim", claim.id))]
    appearances = [
        {
            "@type": "NewsArticle",
            "headline": plain(article.title),
            "datePublished": article.date,
            "url": link(config, render.article_path(article.slug), here, spans[0].id if spans else ""),
        }
        for article, spans in reports
    ]
    first = min(range(len(reports)), key=lambda i: (reports[i][0].date, reports[i][0].slug))
    # The rest as the article page's: its links are relative to a page one folder down too.
    review["itemReviewed"] = {
        **review["itemReviewed"],
        "appearance": appearances,
        "firstAppearance": appearances[first],
    }
    return review


# --- Timeline, sitemap, feed, robots ----------------------------------------------


def _date_parts(iso: str) -> dict[str, int]:
    return dict(zip(("year", "month", "day"), (int(p) for p in iso.split("-")), strict=False))


def timeline_json(index: Index, config: Config) -> str:
    """Return the timeline in TimelineJS's JSON format (links relative to the site root unless site_url), as
    `dumps` writes it.

    Each event's entry is the text `timeline_entry` made when its article was
    read (in the article's ArticleIndex, kept by the build cache): the file
    holds every event of the site, and making it whole took a second at
    10,000 articles, at every build that changed an event.
    """
    entries = index.timeline_entries
    events = ",".join(
        entries.get(p.item.id) or timeline_entry(p, config, index.reported("event", p.item.id)) for p in index.timeline
    )
    title = {"text": {"headline": html.escape(config.site_name), "text": "<p>Every dated event in the articles.</p>"}}
    return f'{{"events":[{events}],"title":{dumps(title)[:-1]}}}\n'  # the keys in order, as dumps sorts them


def timeline_entry(placed: Placed[Event], config: Config, reports: list[Placed[Appearance]] | None = None) -> str:
    """Return the entry of an event in timeline.json, as JSON text; REPORTS: the passages of other articles that
    report it, each linked after its own."""
    event = placed.item
    text = f"<p>From {_timeline_link(placed, config)}"
    if reports:
        text += "; also reported in " + ", ".join(_timeline_link(report, config) for report in reports)
    text += ".</p>"
    if event.note:
        text = f"<p>{html.escape(plain(event.note))}</p>" + text
    item: dict[str, Any] = {
        "unique_id": event.id,
        "start_date": _date_parts(event.date.start),
        "text": {"headline": html.escape(event.title), "text": text},
    }
    if event.date.end:
        item["end_date"] = _date_parts(event.date.end)
    return dumps(item)[:-1]


def _timeline_link(placed: Placed[Event] | Placed[Appearance], config: Config) -> str:
    """Return the link, in timeline.json, to the passage of PLACED, named by its article's title."""
    anchor = placed.item.spans[0].id if placed.item.spans else ""
    href = link(config, render.article_path(placed.article.slug), "timeline.json", anchor)
    return f'<a href="{html.escape(href)}">{html.escape(plain(placed.article.title))}</a>'


def sitemap_xml(content: Content, html: list[str], config: Config) -> str:
    """Return the sitemap of the HTML pages HTML (site paths; site_url must be set)."""
    dates = {render.article_path(a.slug): a.date for a in content.articles}
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for path in html:
        lastmod = f"<lastmod>{dates[path]}</lastmod>" if path in dates else ""
        lines.append(f"  <url><loc>{xml_escape(absolute_url(config, path))}</loc>{lastmod}</url>")
    lines.append("</urlset>")
    return "\n".join(lines) + "\n"


FEED_ENTRIES = 50
"""How many articles, the newest, the Atom feed holds (a reader polls it for what is new)."""


def atom_feed(content: Content, config: Config) -> str:
    """Return the Atom feed of the newest articles, newest first (site_url must be set).

    Atom requires <updated>; it is the newest article's date, so that two
    builds of the same content are identical.
    """
    articles = sorted(content.articles, key=lambda a: (a.date, a.slug), reverse=True)[:FEED_ENTRIES]
    updated = f"{articles[0].date}T00:00:00Z" if articles else "1970-01-01T00:00:00Z"
    e = xml_escape
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom">',
        f"  <title>{e(config.site_name)}</title>",
    ]
    if config.site_description:
        lines.append(f"  <subtitle>{e(config.site_description)}</subtitle>")
    lines += [
        f'  <link rel="self" type="application/atom+xml" href="{e(absolute_url(config, "feed.xml"))}"/>',
        f'  <link rel="alternate" type="text/html" href="{e(absolute_url(config, "index.html"))}"/>',
        f"  <id>{e(absolute_url(config, 'index.html'))}</id>",
        f"  <updated>{updated}</updated>",
        f"  <author><name>{e(config.site_name)}</name></author>",
    ]
    for article in articles:
        url = absolute_url(config, render.article_path(article.slug))
        lines += [
            "  <entry>",
            f"    <title>{e(plain(article.title))}</title>",
            f'    <link rel="alternate" type="text/html" href="{e(url)}"/>',
            f"    <id>{e(url)}</id>",
            f"    <published>{article.date}T00:00:00Z</published>",
            f"    <updated>{article.date}T00:00:00Z</updated>",
        ]
        if article.byline:
            lines.append(f"    <author><name>{e(article.byline)}</name></author>")
        if article.lede:
            lines.append(f"    <summary>{e(article.lede)}</summary>")
        lines.append("  </entry>")
    lines.append("</feed>")
    return "\n".join(lines) + "\n"


def robots_txt(config: Config) -> str:
    """Return robots.txt: everything allowed, and the sitemap when there is one."""
    text = "User-agent: *\nAllow: /\n"
    if site_base(config):
        text += f"\nSitemap: {absolute_url(config, 'sitemap.xml')}\n"
    return text


# --- The extra pages -----------------------------------------------------------------


def plan(
    content: Content, index: Index, config: Config, pages: Collection[str]
) -> dict[str, Callable[[], render.Page]]:
    """Return every export file by path, each made only when called (as Renderer.plan does).

    PAGES: the paths of the site's pages (Renderer.plan's), of which the sitemap lists the HTML ones.
    """
    made: dict[str, Callable[[], str]] = {}
    for article in content.articles:
        made[annotations_path(article.slug)] = partial(article_export, article, content, config)
    made["timeline.json"] = lambda: timeline_json(index, config)
    made["robots.txt"] = lambda: robots_txt(config)
    if site_base(config):
        made["sitemap.xml"] = lambda: sitemap_xml(content, sorted(p for p in pages if p.endswith(".html")), config)
        made["feed.xml"] = lambda: atom_feed(content, config)
    return {path: partial(lambda p, f: render.Page(p, f()), path, make) for path, make in made.items()}


def article_export(article: Article, content: Content, config: Config) -> str:
    """Return the W3C annotation export of ARTICLE, as JSON text."""
    return dumps(annotation_collection(article, content, config))


def jinja_globals(config: Config) -> dict[str, Any]:
    """Return the globals the templates use for canonical URLs, exports and JSON-LD."""
    return {
        "structured_data": structured_data,
        "absolute_url": partial(absolute_url, config),
        "annotations_path": annotations_path,
    }


# --- Import -------------------------------------------------------------------------------


class ImportFailure(Exception):
    """The import cannot go on at all (a usage or file problem)."""

    def __init__(self, message: str, code: int = 2):
        super().__init__(message)
        self.code = code


@dataclass
class Imported:
    """One W3C annotation turned into a YAML item."""

    label: str
    """How reports name it: its number in the file, and its id if it has one."""
    section: str
    """mentions, claims, events or notes."""
    item: dict[str, Any]
    """The YAML item, keys in the order they are written."""
    span: tuple[int, int] = (0, 0)


@dataclass
class ImportReport:
    """What an import did."""

    imported: list[Imported] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    """One line per annotation not imported: file, which one, why."""
    written: Path | None = None


_SECTIONS = ("mentions", "claims", "events", "notes")
_ID = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
_DATE = re.compile(r"[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?(/[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?)?")


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _types(node: Any) -> set[str]:
    return {t for t in _as_list(node.get("type") if isinstance(node, dict) else None) if isinstance(t, str)}


def read_w3c(data: Any) -> list[dict[str, Any]]:
    """Return the annotations in DATA: an Annotation, a list, a page, or a collection with items or first.items."""
    found: list[Any] = []
    for node in _as_list(data):
        if not isinstance(node, dict):
            found.append(node)
        elif _types(node) & {"AnnotationCollection", "AnnotationPage"} or ("items" in node and "target" not in node):
            items = node.get("items")
            first = node.get("first")
            if items is None and isinstance(first, dict):
                items = first.get("items")
            elif items is None and first is not None:
                raise ImportFailure(
                    f"the collection's first page is a link ({first!r}): save the page with its items", 1
                )
            found += read_w3c(items or [])
        else:
            found.append(node)
    return found


def _bodies_of(annotation: dict[str, Any]) -> list[dict[str, Any]]:
    """Return every body as a dict: a bare IRI becomes {"id": ...}, bodyValue a TextualBody."""
    bodies: list[dict[str, Any]] = []
    for body in _as_list(annotation.get("body")):
        if isinstance(body, str):
            bodies.append({"id": body})
        elif isinstance(body, dict):
            if _types(body) & {"Choice", "Composite", "List", "Independents"}:
                bodies += [b if isinstance(b, dict) else {"id": b} for b in _as_list(body.get("items"))]
            else:
                bodies.append(body)
    for value in _as_list(annotation.get("bodyValue")):
        if isinstance(value, str):
            bodies.append({"type": "TextualBody", "value": value})
    return bodies


def _purposes(body: dict[str, Any]) -> set[str]:
    return {p for p in _as_list(body.get("purpose")) if isinstance(p, str)}


def _text_of(body: dict[str, Any]) -> str:
    """Return the text of a textual body (HTML reduced to its text), or ""."""
    value = body.get("value", body.get("chars"))
    if not isinstance(value, str):
        return ""
    if body.get("format") == "text/html":
        value = html.unescape(re.sub(r"<[^>]*>", " ", value))
    return value.strip()


def _iri(body: dict[str, Any]) -> str:
    value = body.get("source", body.get("id"))
    if isinstance(value, dict):
        value = value.get("id")
    return value if isinstance(value, str) else ""


class _Resolver:
    """Turns the links and words of bodies into ids of this site's content.

    Links count when they are relative (as exported without site_url) or under
    site_url: an entity page of another site with the same layout is not ours.
    """

    def __init__(self, content: Content, site_url: str):
        self.content = content
        self.site_url = site_url
        self.by_wikidata = {e.wikidata: e.id for e in content.entities.values() if e.wikidata}
        names: dict[str, set[str]] = {}
        for entity in content.entities.values():
            for name in [entity.name, *entity.aliases]:
                names.setdefault(name, set()).add(entity.id)
        self.by_name = {n: ids.pop() for n, ids in names.items() if len(ids) == 1}

    def entity(self, body: dict[str, Any], by_name: bool = False) -> str:
        """Return the entity id BODY names (its page, its Wikidata item or, if BY_NAME, its name), or ""."""
        iri = _iri(body)
        if iri:
            parts = urlsplit(iri)
            page = re.search(r"(?:^|/)entities/([^/]+)\.html$", unquote(parts.path))
            if page and page.group(1) in self.content.entities and self._ours(iri):
                return page.group(1)
            qid = re.fullmatch(r"(?:www\.)?wikidata\.org", parts.netloc or "") and re.fullmatch(
                r"/(?:entity|wiki)/(Q[0-9]+)", parts.path
            )
            if qid and qid.group(1) in self.by_wikidata:
                return self.by_wikidata[qid.group(1)]
            return ""
        return self.by_name.get(_text_of(body), "") if by_name else ""

    def _ours(self, iri: str) -> bool:
        parts = urlsplit(iri)
        if not parts.scheme and not parts.netloc:
            return True
        return bool(self.site_url) and iri.startswith(self.site_url)

    def source(self, body: dict[str, Any]) -> str:
        """Return the source id BODY links to (its page, its entry on sources.html or its URL), or ""."""
        iri = _iri(body)
        if not iri:
            return ""
        parts = urlsplit(iri)
        page = re.search(r"(?:^|/)sources/([^/]+)\.html$", unquote(parts.path))
        if page and self._ours(iri):
            return page.group(1) if page.group(1) in self.content.sources else ""
        if parts.path.endswith("sources.html") and parts.fragment.startswith("source-") and self._ours(iri):
            source_id = parts.fragment[len("source-") :]  # as exported before sources had pages of their own
            return source_id if source_id in self.content.sources else ""
        matches = [s.id for s in self.content.sources.values() if s.url and s.url == iri]
        return matches[0] if len(matches) == 1 else ""


def _fragment_id(annotation: dict[str, Any], prefix: str) -> str:
    """Return the id in an exported annotation's fragment, e.g. 'x' from '...#claim-x'."""
    annotation_id = annotation.get("id")
    if not isinstance(annotation_id, str):
        return ""
    fragment = urlsplit(annotation_id).fragment
    if fragment.startswith(prefix) and _ID.fullmatch(fragment[len(prefix) :]):
        return fragment[len(prefix) :]
    return ""


def slugify(text: str, words: int = 6) -> str:
    """Return an id made of the first WORDS words of TEXT."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    parts = re.findall(r"[a-z0-9]+", ascii_text.lower())[:words]
    return "-".join(parts)[:80].strip("-") or "imported"


def _map(annotation: dict[str, Any], resolver: _Resolver) -> tuple[str, dict[str, Any]] | str:
    """Return (section, item fields) for ANNOTATION, or why it cannot be mapped."""
    motivations = [m for m in _as_list(annotation.get("motivation")) if isinstance(m, str)]
    bodies = _bodies_of(annotation)
    texts = [(b, _text_of(b)) for b in bodies if _text_of(b)]
    if not motivations:
        motivations = ["commenting"] if texts else []
    tried = []
    for motivation in motivations:
        tried.append(motivation)
        if motivation == "commenting":
            words = [t for b, t in texts if not _purposes(b) - {"commenting"}]
            if words:
                return "notes", {"text": "\n\n".join(words)}
        elif motivation in ("identifying", "tagging", "classifying"):
            for body in bodies:
                entity = resolver.entity(body, by_name=True)
                if entity:
                    return "mentions", {"entity": entity}
        elif motivation == "assessing":
            statuses = [
                t for b, t in texts if t in CLAIM_STATUSES and (not _purposes(b) or "assessing" in _purposes(b))
            ]
            if statuses:
                item: dict[str, Any] = {"status": statuses[0]}
                for body, text in texts:
                    if "describing" in _purposes(body) and "summary" not in item:
                        item["summary"] = " ".join(text.split())
                    elif "commenting" in _purposes(body) and "review" not in item:
                        item["review"] = text
                for body in bodies:
                    entity = resolver.entity(body)
                    if entity and "identifying" in _purposes(body) and "claimant" not in item:
                        item["claimant"] = entity
                    elif entity and "tagging" in _purposes(body):
                        item.setdefault("about", []).append(entity)
                    elif (source := resolver.source(body)) and source not in item.get("sources", []):
                        item.setdefault("sources", []).append(source)
                return "claims", item
        elif motivation == "describing":
            dates = [t for b, t in texts if _DATE.fullmatch(t) and "describing" not in _purposes(b)]
            titles = [t for b, t in texts if not _DATE.fullmatch(t) and not _purposes(b) - {"describing"}]
            if dates and titles:
                item = {"date": dates[0], "title": " ".join(titles[0].split())}
                for body, text in texts:
                    if "commenting" in _purposes(body):
                        item["note"] = text
                        break
                entities = [e for b in bodies if "tagging" in _purposes(b) and (e := resolver.entity(b))]
                if entities:
                    item["entities"] = list(dict.fromkeys(entities))
                return "events", item
    if not tried:
        return "it has no motivation and no text body"
    wants = {
        "commenting": "a text body",
        "identifying": "a body naming an entity of entities.yml (its page, its Wikidata item or its name)",
        "tagging": "a body naming an entity of entities.yml",
        "classifying": "a body naming an entity of entities.yml",
        "assessing": f"a text body giving the claim's status ({', '.join(CLAIM_STATUSES)})",
        "describing": (
            "a text body with the event's title and one with its date (YYYY, YYYY-MM, YYYY-MM-DD or a range A/B)"
        ),
    }
    needs = [f"{m} needs {wants[m]}" for m in tried if m in wants]
    if needs:
        return "its body cannot be mapped: " + "; ".join(needs)
    return f"motivation {', '.join(tried)} cannot be mapped to a mention, claim, event or note"


def _quote_selector(annotation: dict[str, Any]) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """Return the first TextQuoteSelector of ANNOTATION's targets, and a TextPositionSelector beside it."""
    for target in _as_list(annotation.get("target")):
        if not isinstance(target, dict):
            continue
        selectors = [s for s in _as_list(target.get("selector")) if isinstance(s, dict)]
        quotes = [s for s in selectors if "TextQuoteSelector" in _types(s) and isinstance(s.get("exact"), str)]
        positions = [s for s in selectors if "TextPositionSelector" in _types(s)]
        if quotes:
            return quotes[0], positions[0] if positions else None
    return None, None


def _try_anchor(article: Article, selector: Selector) -> tuple[list[tuple[int, int]], list[Any]]:
    """Anchor SELECTOR in ARTICLE exactly as the checker does; return the spans and the problems."""
    from .anchor import find_selector
    from .load import Problems

    problems = Problems()
    probe = Annotation(selector, Location(article.source_path))
    spans = find_selector(probe, article, problems)
    return [(s.start, s.end) for s in spans], list(problems)


def _anchor(article: Article, tqs: dict[str, Any], tps: dict[str, Any] | None) -> tuple[int, int] | str:
    """Return the span a W3C quote selector picks in ARTICLE, or why there is none."""
    exact = tqs["exact"]
    quote = " ".join(exact.split())
    if not quote:
        return "its TextQuoteSelector quotes no words"
    lead, trail = exact[: len(exact) - len(exact.lstrip())], exact[len(exact.rstrip()) :]
    prefix = str(tqs.get("prefix") or "") + lead
    suffix = trail + str(tqs.get("suffix") or "")
    spans, problems = _try_anchor(article, Selector(quote, prefix=prefix, suffix=suffix))
    if len(spans) == 1 and not problems:
        return spans[0]
    if isinstance(tps, dict) and isinstance(tps.get("start"), int) and isinstance(tps.get("end"), int):
        start, end = tps["start"], tps["end"]
        if " ".join(article.text[start:end].split()) == quote:
            alone, _ = _try_anchor(article, Selector(quote, every=True))
            matching = [(s, e) for s, e in (alone or []) if s <= start + len(lead) and end - len(trail) <= e]
            if matching:
                return matching[0]
    alone, _ = _try_anchor(article, Selector(quote))
    if len(alone) == 1 and problems and problems[0].code == "M306":
        return alone[0]  # the only place the words occur: the context came from another rendering of the page
    if not problems:
        return "it does not anchor"
    first = problems[0]
    return f"{first.message}" + (f" ({first.hint})" if first.hint else "")


def minimal_selector(article: Article, start: int, end: int) -> dict[str, Any]:
    """Return the shortest quote/prefix/suffix/occurrence that the checker anchors at START..END."""
    quote = " ".join(article.text[start:end].split())
    spans, problems = _try_anchor(article, Selector(quote))
    if spans == [(start, end)] and not problems:
        return {"quote": quote}
    text = article.text
    block_start, block_end = article.blocks[_block_of(article, start)]
    for size in range(1, 80):
        lo, hi = max(block_start, start - size), min(block_end, end + size)
        while lo > block_start and not text[lo - 1].isspace():
            lo -= 1  # whole words only, for whoever reads the YAML
        while hi < block_end and not text[hi].isspace():
            hi += 1
        for key, context in (("prefix", text[lo:start]), ("suffix", text[end:hi])):
            if not context.strip():
                continue
            context = re.sub(r"\s+", " ", context)
            selector = Selector(quote, prefix=context) if key == "prefix" else Selector(quote, suffix=context)
            spans, problems = _try_anchor(article, selector)
            if spans == [(start, end)] and not problems:
                return {"quote": quote, key: context}
    spans, _ = _try_anchor(article, Selector(quote, every=True))
    if (start, end) in spans:
        return {"quote": quote, "occurrence": spans.index((start, end)) + 1}
    raise ValueError(f"no selector anchors {quote!r} at {start}")


def _block_of(article: Article, offset: int) -> int:
    for i, (start, end) in enumerate(article.blocks):
        if start <= offset <= end:
            return i
    return 0


_ORDER = {
    "mentions": ("entity", "quote", "prefix", "suffix", "occurrence"),
    "claims": (
        "id",
        "quote",
        "prefix",
        "suffix",
        "occurrence",
        "claimant",
        "about",
        "status",
        "sources",
        "summary",
        "review",
    ),
    "events": ("id", "quote", "prefix", "suffix", "occurrence", "date", "title", "entities", "note"),
    "notes": ("quote", "prefix", "suffix", "occurrence", "text"),
}


def _yaml_item(section: str, item: dict[str, Any]) -> list[str]:
    """Return ITEM as the lines of one YAML list item ("- key: value", then "  key: value")."""
    import yaml

    ordered = {k: item[k] for k in _ORDER[section] if k in item}
    text = yaml.safe_dump([ordered], allow_unicode=True, sort_keys=False, default_flow_style=False, width=1 << 30)
    return text.rstrip("\n").split("\n")


def insert_items(text: str, additions: dict[str, list[list[str]]], comment: str) -> tuple[str, list[tuple[int, int]]]:
    """Insert the lines of each new item at the end of its section of the YAML TEXT.

    Items are indented like the section's existing items. Sections that are
    missing are appended; an empty flow list (`notes: []`) becomes a block
    list; any other flow list is refused. The existing lines are kept as they
    are, comments and order included. Returns the new text and each item's
    (first, last) 1-based line: mentions, claims, events, notes, each list's
    items in the order given.
    """
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.replace("\r\n", "\n").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    before: dict[int, list[tuple[str, int | None]]] = {}
    counter = 0
    owners_order: list[int] = []
    appended: list[tuple[str, int | None]] = []
    for section in _SECTIONS:
        items = additions.get(section)
        if not items:
            continue
        head = next((i for i, line in enumerate(lines) if re.match(rf"{section}\s*:", line)), None)
        indent = "  "
        if head is None:
            chunk: list[tuple[str, int | None]] = [("", None), (f"{section}:", None), (f"{indent}# {comment}", None)]
            target = appended
        else:
            rest = re.sub(r"\s+#.*$", "", lines[head].split(":", 1)[1]).strip()
            if rest == "[]":
                lines[head] = f"{section}:"
            elif rest:
                raise ImportFailure(
                    f"{section}: is written as a flow list ({rest[:40]});"
                    " write it as a block list (- item per line) first",
                    1,
                )
            end = next(
                (
                    i
                    for i in range(head + 1, len(lines))
                    if re.match(r"[^\s#]", lines[i]) and not lines[i].startswith("-")
                ),
                len(lines),
            )
            body = [i for i in range(head + 1, end) if lines[i].strip() and not lines[i].startswith("#")]
            dash = next((re.match(r"(\s*)-", lines[i]) for i in body if re.match(r"\s*-", lines[i])), None)
            indent = dash.group(1) if dash else indent
            chunk = [(f"{indent}# {comment}", None)]
            target = before.setdefault((body[-1] if body else head) + 1, [])
        for item_lines in items:
            owners_order.append(counter)
            chunk += [(indent + line if line.strip() else line, counter) for line in item_lines]
            counter += 1
        target += chunk
    out: list[tuple[str, int | None]] = []
    for i, line in enumerate(lines):
        out += before.get(i, [])
        out.append((line, None))
    out += before.get(len(lines), [])
    out += appended
    ranges: dict[int, tuple[int, int]] = {}
    for number, (_, owner) in enumerate(out, 1):
        if owner is not None:
            first, _last = ranges.get(owner, (number, number))
            ranges[owner] = (first, number)
    new_text = newline.join(line for line, _ in out) + newline
    return new_text, [ranges[o] for o in owners_order]


def import_annotations(config: Config, source: Path, slug: str) -> ImportReport:
    """Append the W3C annotations in SOURCE to the annotation file of article SLUG.

    SOURCE holds an Annotation, a list of them, an AnnotationPage, or an
    AnnotationCollection with items or first.items. Each annotation is
    anchored by its TextQuoteSelector exactly as the checker anchors a quote
    with prefix and suffix. If its prefix or suffix do not match (a tool that
    quoted another rendering of the page), the words are still taken where a
    TextPositionSelector beside it points at them, or where they occur only
    once. It is then mapped by motivation and bodies:

    - commenting (or no motivation, with a text body): a note with the text;
    - identifying, tagging, classifying with a body naming an entity (its
      page on this site, its Wikidata item, or its exact name or alias): a
      mention;
    - assessing with a text body giving a status: a claim, with summary
      (describing), review (commenting), claimant (identifying), about
      (tagging) and sources (linking to the source's page sources/ID.html, to
      sources.html#source-ID as exported before, or to a source's URL);
    - describing with a date (tagging) and a title: an event.

    Items are written with the shortest quote/prefix/suffix/occurrence that
    the checker anchors at the same words; claim and event ids come from the
    annotation's id where it is one of ours, else from their words. Nothing
    is written unless the result passes the checker; annotations that do not
    anchor, cannot be mapped, are already there, or would make the checker
    fail are reported (file, which annotation, why), never dropped silently.
    """
    from .anchor import anchor_article, make_markdown
    from .load import Problems, load_content
    from .pipeline import check

    if not source.is_file():
        raise ImportFailure(f"{source}: no such file")
    try:
        data = json.loads(source.read_text(encoding="utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ImportFailure(f"{source}: not JSON: {err}", 1) from None
    before = [p for p in check(config) if p.severity == "error"]
    if before:
        raise ImportFailure(
            f"the content has {len(before)} error(s) already; fix them first (python build.py check)\n"
            + "\n".join(map(str, before)),
            1,
        )
    problems = Problems()
    content = load_content(config.content_dir, problems)
    article = next((a for a in content.articles if a.slug == slug), None)
    if article is None:
        known = ", ".join(sorted(a.slug for a in content.articles)) or "none"
        raise ImportFailure(f"no article {slug!r} in {config.content_dir} (articles: {known})")
    anchor_article(article, make_markdown(), problems)
    resolver = _Resolver(content, site_base(config))
    taken = {
        (kind, item.id)
        for a in content.articles
        for kind, items in (("claims", a.claims), ("events", a.events))
        for item in items
    }
    present = {
        _sameness(_SECTION_OF[type(a)], span.start, span.end, _fields_of(a)): a.where
        for a in article.annotations
        for span in a.spans
    }
    report = ImportReport()
    for number, annotation in enumerate(read_w3c(data), 1):
        label = f"annotation {number}"
        if isinstance(annotation, dict) and isinstance(annotation.get("id"), str):
            label += f" ({annotation['id']})"
        if not isinstance(annotation, dict):
            report.rejected.append(f"{source}: {label}: not imported: it is not a JSON object")
            continue
        mapped = _map(annotation, resolver)
        if isinstance(mapped, str):
            report.rejected.append(f"{source}: {label}: not imported: {mapped}")
            continue
        section, fields = mapped
        tqs, tps = _quote_selector(annotation)
        if tqs is None:
            report.rejected.append(f"{source}: {label}: not imported: it has no TextQuoteSelector to anchor it")
            continue
        anchored = _anchor(article, tqs, tps)
        if isinstance(anchored, str):
            report.rejected.append(f"{source}: {label}: not imported: {anchored}")
            continue
        same = _sameness(section, *anchored, fields)
        if same in present:
            where = present[same]
            there = f"{where}" if where.line else "this import"
            report.rejected.append(
                f"{source}: {label}: not imported: the same {section[:-1]} of the same words is already at {there}"
            )
            continue
        present[same] = Location(source)
        item = {**minimal_selector(article, *anchored), **fields}
        if section in ("claims", "events"):
            prefix = "claim-" if section == "claims" else "event-"
            base = _fragment_id(annotation, prefix) or slugify(
                fields.get("title") or fields.get("summary") or item["quote"]
            )
            new_id, n = base, 1
            while (section, new_id) in taken:
                n += 1
                new_id = f"{base}-{n}"
            taken.add((section, new_id))
            item["id"] = new_id
        report.imported.append(Imported(label, section, item, anchored))
    _write_checked(config, article, source, report)
    return report


_SECTION_OF = {Mention: "mentions", Claim: "claims", Event: "events", Note: "notes"}


def _fields_of(annotation: Annotation) -> dict[str, Any]:
    if isinstance(annotation, Mention):
        return {"entity": annotation.entity}
    if isinstance(annotation, Event):
        return {"date": str(annotation.date)}
    if isinstance(annotation, Note):
        return {"text": annotation.text}
    return {}


def _sameness(section: str, start: int, end: int, fields: dict[str, Any]) -> tuple[Any, ...]:
    """Return what makes two annotations the same: kind, words, and the entity, date or note text."""
    detail = {"mentions": "entity", "events": "date", "notes": "text"}.get(section)
    value = " ".join(str(fields.get(detail, "")).split()) if detail else ""
    return (section, start, end, value)


def _write_checked(config: Config, article: Article, source: Path, report: ImportReport) -> None:
    """Write the imported items into ARTICLE's annotation file, leaving out any the checker rejects."""
    from .pipeline import check

    path = article.annotations_path or article.source_path.with_suffix(".yml")
    original = (
        path.read_text(encoding="utf-8")
        if path.is_file()
        else ("# yaml-language-server: $schema=../../marginalia/schemas/annotations.schema.json\n")
    )
    bom = "\ufeff" if original.startswith("\ufeff") else ""
    original = original[len(bom) :]
    comment = f"imported from {source.name}"
    with tempfile.TemporaryDirectory(prefix="marginalia-import-") as tmp:
        copy = Path(tmp) / "content"
        shutil.copytree(config.content_dir, copy, symlinks=True)
        copy_path = copy / path.relative_to(config.content_dir)
        trial = replace(config, content_dir=copy, site_dir=Path(tmp) / "site")
        while report.imported:
            additions: dict[str, list[list[str]]] = {}
            order = sorted(range(len(report.imported)), key=lambda i: _SECTIONS.index(report.imported[i].section))
            for i in order:
                entry = report.imported[i]
                additions.setdefault(entry.section, []).append(_yaml_item(entry.section, entry.item))
            text, ranges = insert_items(original, additions, comment)
            copy_path.write_text(bom + text, encoding="utf-8")
            errors = [p for p in check(trial) if p.severity == "error"]
            if not errors:
                break
            owned = {order[k]: r for k, r in enumerate(ranges)}
            culprits: dict[int, list[str]] = {}
            for problem in errors:
                hits = [
                    i for i, (a, b) in owned.items() if problem.where.path == copy_path and a <= problem.where.line <= b
                ]
                if not hits:
                    raise ImportFailure(f"importing would break the content: {problem}", 1)
                culprits.setdefault(hits[0], []).append(
                    f"{problem.message}" + (f" ({problem.hint})" if problem.hint else "")
                )
            for i in sorted(culprits, reverse=True):
                entry = report.imported.pop(i)
                report.rejected.append(f"{source}: {entry.label}: not imported: {'; '.join(culprits[i])}")
        else:
            return
    tmp_path = path.with_name(f".{path.name}.import-{os.getpid()}")
    tmp_path.write_text(bom + text, encoding="utf-8")
    os.replace(tmp_path, path)
    report.written = path


def import_command(config: Config, source: Path, slug: str, quiet: bool = False) -> int:
    """Run `build.py import`; return the exit code (0 all imported, 1 some not, 2 usage)."""
    try:
        report = import_annotations(config, source, slug)
    except ImportFailure as err:
        print(f"error: {err}", file=sys.stderr)
        return err.code
    for line in report.rejected:
        print(line, file=sys.stderr)
    counts = {s: sum(e.section == s for e in report.imported) for s in _SECTIONS}
    if report.written and not quiet:
        summary = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
        print(f"Imported {len(report.imported)} annotation(s) into {report.written}: {summary}")
    if report.rejected:
        print(f"{len(report.rejected)} annotation(s) not imported", file=sys.stderr)
        return 1
    if not report.imported and not quiet:
        print("No annotations found.")
    return 0
