"""Open standards out, search in: what the site publishes beyond its HTML pages.

Everything here is a pure function of what the build already has (content,
index, config). Output is deterministic: sorted, no clock readings.

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
  back: see w3c_import.py.

Every page also carries schema.org JSON-LD (see `structured_data`).
"""

from __future__ import annotations

import html
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Collection
from functools import cache, lru_cache, partial
from typing import Any

from jinja2 import pass_context
from markdown_it import MarkdownIt

from .config import Config
from .index import SNIPPET_ARTICLES, Index, Placed
from .markup import make_markdown
from .model import (
    Annotation,
    Appearance,
    Article,
    Claim,
    Content,
    Entity,
    Event,
    Mention,
    Note,
    Source,
    by_date,
)
from .urls import (
    absolute_url,
    annotations_path,
    article_path,
    claims_path,
    entity_path,
    glossary_path,
    link,
    site_base,
    sitemap_part_path,
    source_path,
)
from .wording import KIND_PLURALS, STATUS_HELP, human_date

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
    page = link(config, article_path(article.slug), here)
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
        return link(config, entity_path(entity_id), here)

    if isinstance(annotation, Mention):
        entity = content.entities[annotation.entity]
        bodies = [_page_body(entity_url(entity.id)), _textual(entity.name, "identifying")]
        if entity.wikidata:
            bodies.append({"id": wikidata_uri(entity.wikidata)})
        return "identifying", bodies
    if isinstance(annotation, Claim):
        bodies = [
            _textual(annotation.status, "assessing"),
            _page_body(link(config, claims_path(article.date), here, f"claim-{annotation.id}")),
        ]
        if annotation.summary:
            bodies.append(_textual(annotation.summary, "describing"))
        if annotation.review:
            bodies.append(_textual(annotation.review, "commenting", "text/markdown"))
        if annotation.claimant:
            bodies.append(_linked(entity_url(annotation.claimant), "identifying"))
        bodies += [_linked(entity_url(e), "tagging") for e in annotation.about]
        bodies += [_linked(link(config, source_path(s), here), "linking") for s in annotation.sources]
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
    """Return the one Markdown parser (see markup.make_markdown), an instance of this module's own:
    the pages' parser notes the links it refuses for their article's problems (W507), this one's go unread."""
    return make_markdown()


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
        "url": link(config, entity_path(entity.id), here),
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
    here = article_path(article.slug)
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
    here = article_path(article.slug)
    reviewed: dict[str, Any] = {
        "@type": "Claim",
        "appearance": {
            "@type": "NewsArticle",
            "headline": plain(article.title),
            "datePublished": article.date,
            "url": article.url or link(config, here, here),
        },
    }
    if claim.claimant in content.entities:
        reviewed["author"] = _entity_ref(content.entities[claim.claimant], config, here)
    rating: dict[str, Any] = {
        "@type": "Rating",
        "alternateName": claim.status,
        "name": STATUS_HELP[claim.status],
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
    here = entity_path(entity.id)
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
                "url": link(config, article_path(a.slug), here),
            }
            for a in articles
        ]
    crumbs = [
        ("Glossary", "glossary.html"),
        (KIND_PLURALS[entity.kind], None),
        (entity.name, None),
    ]
    trail = _breadcrumbs(crumbs, config, here)
    trail["itemListElement"][1]["item"] = link(config, glossary_path(entity.kind), here)
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
    if isinstance(context.get("entity"), Entity) and "part" in context:  # an archive page of an entity
        return f"{context['entity'].name}, {context['part'].label}"
    if "letter" in context:  # a page of the glossary, or of one kind of it
        letter = "Other" if context["letter"] == "other" else str(context["letter"])
        return f"{KIND_PLURALS[context['kind']]}: {letter}" if "kind" in context else letter
    if "kind" in context:
        return KIND_PLURALS[context["kind"]]
    if "status" in context:  # the claims of a verdict, or of a verdict in a month
        name = f"{str(context['status']).capitalize()} claims"
        return f"{name}, {human_date(context['month'])}" if "month" in context else name
    if "month" in context:
        return human_date(context["month"])
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
    if isinstance(article, Article) and path == article_path(article.slug):
        nodes = article_data(article, content, index, config)
    elif isinstance(entity, Entity) and path == entity_path(entity.id):
        nodes = entity_data(entity, content, index, config)
    elif path == "index.html":
        nodes = [_website(config, path)]
    else:
        crumbs: list[tuple[str, str | None]] = [("Articles", "index.html")]
        section = f"{path.split('/')[0]}.html" if "/" in path else ""  # claims/2020-03.html is in claims.html
        if section in _PAGE_NAMES:
            crumbs.append((_PAGE_NAMES[section], section))
        if "kind" in context and "letter" in context:  # a letter of a kind: glossary/person/l.html is in person.html
            crumbs.append((KIND_PLURALS[context["kind"]], glossary_path(context["kind"])))
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
        if path.startswith("claims/") and "status" not in context and isinstance(index, Index):
            # each claim's ClaimReview is on the page of its month, not repeated on those of its verdict
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
            "url": link(config, article_path(article.slug), here, spans[0].id if spans else ""),
        }
        for article, spans in reports
    ]
    first = min(range(len(reports)), key=lambda i: by_date(reports[i][0]))
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
    href = link(config, article_path(placed.article.slug), "timeline.json", anchor)
    return f'<a href="{html.escape(href)}">{html.escape(plain(placed.article.title))}</a>'


_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
"""What XML 1.0 cannot hold, not even as a reference: most control characters, U+FFFE and U+FFFF,
lone surrogates. The loader refuses them in content (M009); the XML files drop any that get through."""


def _add(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
    """Add to PARENT an element TAG of TEXT and ATTRIBUTES, without what XML cannot hold; return it."""
    element = ET.SubElement(parent, tag, {name: _NOT_XML.sub("", value) for name, value in attributes.items()})
    if text is not None:
        element.text = _NOT_XML.sub("", text)
    return element


def _xml(root: ET.Element, declaration: str) -> str:
    """Return the XML document of ROOT after DECLARATION: an element a line, indented by two spaces,
    but for the short ones whose children fit on its line (a sitemap's <url> and <sitemap>, an Atom <author>)."""
    ET.indent(root, "  ")
    for element in root.iter():
        if element.tag in ("url", "author", "sitemap"):
            element.text = None
            for child in element:
                child.tail = None
    return f"{declaration}\n{ET.tostring(root, encoding='unicode')}\n"


SITEMAP_URLS = 50_000
"""The most URLs one sitemap file may list (the sitemaps.org protocol; search engines ignore the rest).
Past it, sitemap.xml is a sitemap index of sitemaps/<n>.xml, each of at most as many."""


def sitemaps(content: Content, html: list[str], config: Config) -> dict[str, Callable[[], str]]:
    """Return the sitemap of the HTML pages HTML by path, made when called: sitemap.xml alone, or past
    SITEMAP_URLS pages sitemap.xml as the index of its parts (sitemap_part_path)."""
    if len(html) <= SITEMAP_URLS:
        return {"sitemap.xml": lambda: sitemap_xml(content, html, config)}
    parts = {
        sitemap_part_path(number): partial(sitemap_xml, content, html[start : start + SITEMAP_URLS], config)
        for number, start in enumerate(range(0, len(html), SITEMAP_URLS), 1)
    }
    return {"sitemap.xml": partial(sitemap_index, list(parts), config), **parts}


def sitemap_index(parts: list[str], config: Config) -> str:
    """Return the sitemap index that lists the sitemap files PARTS (site paths)."""
    index = ET.Element("sitemapindex", xmlns="http://www.sitemaps.org/schemas/sitemap/0.9")
    for path in parts:
        _add(_add(index, "sitemap"), "loc", absolute_url(config, path))
    return _xml(index, '<?xml version="1.0" encoding="UTF-8"?>')


def sitemap_xml(content: Content, html: list[str], config: Config) -> str:
    """Return the sitemap of the HTML pages HTML (site paths; site_url must be set)."""
    dates = {article_path(a.slug): a.date for a in content.articles}
    urlset = ET.Element("urlset", xmlns="http://www.sitemaps.org/schemas/sitemap/0.9")
    for path in html:
        url = _add(urlset, "url")
        _add(url, "loc", absolute_url(config, path))
        if path in dates:
            _add(url, "lastmod", dates[path])
    return _xml(urlset, '<?xml version="1.0" encoding="UTF-8"?>')


FEED_ENTRIES = 50
"""How many articles, the newest, the Atom feed holds (a reader polls it for what is new)."""


def atom_feed(content: Content, config: Config) -> str:
    """Return the Atom feed of the newest articles, newest first (site_url must be set).

    Atom requires <updated>; it is the newest article's date, so that two
    builds of the same content are identical.
    """
    articles = sorted(content.articles, key=by_date, reverse=True)[:FEED_ENTRIES]
    feed = ET.Element("feed", xmlns="http://www.w3.org/2005/Atom")
    _add(feed, "title", config.site_name)
    if config.site_description:
        _add(feed, "subtitle", config.site_description)
    _add(feed, "link", rel="self", type="application/atom+xml", href=absolute_url(config, "feed.xml"))
    _add(feed, "link", rel="alternate", type="text/html", href=absolute_url(config, "index.html"))
    _add(feed, "id", absolute_url(config, "index.html"))
    _add(feed, "updated", f"{articles[0].date}T00:00:00Z" if articles else "1970-01-01T00:00:00Z")
    _add(_add(feed, "author"), "name", config.site_name)
    for article in articles:
        url = absolute_url(config, article_path(article.slug))
        entry = _add(feed, "entry")
        _add(entry, "title", plain(article.title))
        _add(entry, "link", rel="alternate", type="text/html", href=url)
        _add(entry, "id", url)
        _add(entry, "published", f"{article.date}T00:00:00Z")
        _add(entry, "updated", f"{article.date}T00:00:00Z")
        if article.byline:
            _add(_add(entry, "author"), "name", article.byline)
        if article.lede:
            _add(entry, "summary", article.lede)
    return _xml(feed, '<?xml version="1.0" encoding="utf-8"?>')


def robots_txt(config: Config) -> str:
    """Return robots.txt: everything allowed, and the sitemap when there is one."""
    text = "User-agent: *\nAllow: /\n"
    if site_base(config):
        text += f"\nSitemap: {absolute_url(config, 'sitemap.xml')}\n"
    return text


# --- The extra pages -----------------------------------------------------------------


def plan(content: Content, index: Index, config: Config, pages: Collection[str]) -> dict[str, Callable[[], str]]:
    """Return the text of every export file by path, each made only when called (as Renderer.plan does).

    PAGES: the paths of the site's pages (Renderer.plan's), of which the sitemap lists the HTML ones.
    """
    made: dict[str, Callable[[], str]] = {}
    if exports_annotations(config):
        for article in content.articles:
            made[annotations_path(article.slug)] = partial(article_export, article, content, config)
    made["timeline.json"] = lambda: timeline_json(index, config)
    made["robots.txt"] = lambda: robots_txt(config)
    if site_base(config):
        made |= sitemaps(content, sorted(p for p in pages if p.endswith(".html")), config)
        made["feed.xml"] = lambda: atom_feed(content, config)
    return made


def exports_annotations(config: Config) -> bool:
    """Tell whether the site publishes its W3C annotation exports: only with site_url.

    The W3C model wants every annotation, target and page identified by an
    IRI; without the site's address they would be relative references, which
    a Web Annotation client rejects. The build says so once (WITHOUT_SITE_URL).
    """
    return bool(site_base(config))


WITHOUT_SITE_URL = (
    "note: site_url is not set in {config_file}, so the site has no W3C annotation exports"
    " (articles/*.annotations.jsonld), sitemap.xml or feed.xml: they need the site's absolute address."
    " Set site_url: https://... in {config_file}, or SITE_URL in the environment, to publish them."
)
"""What a build without site_url tells its user, once."""


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
