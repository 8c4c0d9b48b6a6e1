"""Stage 3, index: check every cross-reference and build the lookups pages need.

Everything a page lists about something else (an entity's mentions, a
source's claims, the timeline) is computed here once, so that rendering a
page never walks the whole site.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Generic, TypeVar

from .model import Annotation, Appearance, Article, Claim, Content, Entity, Event, Mention, Span, by_date

SNIPPET_BEFORE = 32
SNIPPET_AFTER = 45
"""How much context a keyword-in-context snippet shows before and after its keyword, at most: about what
the columns of an entity page show on a desktop screen, so that it is cut at a word rather than by the
page (the keyword's column is wider, since it holds the keyword too)."""

RELATED_ENTITIES = 8
"""How many co-mentioned entities an entity page lists."""

SNIPPET_ARTICLES = 10
"""How many articles, the newest, an entity page shows mentions of in context (and its JSON-LD names);
the others are on its archive pages."""


@dataclass(slots=True)
class MentionRef:
    """One place an entity is mentioned, with its keyword-in-context snippet.

    The snippet is one string, cut where asked, and its ellipses are added
    when asked: there are hundreds of thousands of snippets on a large site,
    each string costs 49 bytes besides its characters, and one character
    beyond Latin-1 (an ellipsis) makes every character of its string take
    two bytes.
    """

    entity: str
    """The id of the entity mentioned."""
    article: Article
    span: Span
    snippet: str
    """The text before the mention, the mention, and the text after it, end to end, without ellipses."""
    start: int
    """Where the mention starts in SNIPPET."""
    end: int
    """Where it ends."""
    cut: int = 0
    """CUT_BEFORE and CUT_AFTER: where the text around the mention was cut short."""

    @property
    def before(self) -> str:
        """Text just before the mention, with an ellipsis where it was cut."""
        return ("…" if self.cut & CUT_BEFORE else "") + self.snippet[: self.start]

    @property
    def words(self) -> str:
        """The mention itself, as it reads."""
        return self.snippet[self.start : self.end]

    @property
    def after(self) -> str:
        """Text just after the mention, with an ellipsis where it was cut."""
        return self.snippet[self.end :] + ("…" if self.cut & CUT_AFTER else "")


CUT_BEFORE, CUT_AFTER = 1, 2
"""The bits of `MentionRef.cut`."""


Item = TypeVar("Item", Claim, Event, Appearance)


@dataclass(slots=True)
class Placed(Generic[Item]):
    """A claim or event (or an appearance of one) with the article it is in and the entities it concerns."""

    item: Item
    article: Article
    entities: list[Entity] = field(default_factory=list)


@dataclass
class Index:
    """The cross-references of the whole site."""

    mentions: dict[str, list[MentionRef]] = field(default_factory=lambda: defaultdict(list))
    """Entity id → every mention, articles newest first, in text order."""
    claims: list[Placed[Claim]] = field(default_factory=list)
    """Every claim, articles newest first, in text order."""
    timeline: list[Placed[Event]] = field(default_factory=list)
    """Every event, in date order."""
    claims_of_entity: dict[str, list[Placed[Claim]]] = field(default_factory=lambda: defaultdict(list))
    """Entity id → claims it makes or that are about it."""
    events_of_entity: dict[str, list[Placed[Event]]] = field(default_factory=lambda: defaultdict(list))
    """Entity id → its events, in date order."""
    pairs: dict[str, list[dict[str, int]]] = field(default_factory=lambda: defaultdict(list))
    """Entity id → for each article that mentions it, the entities in the same paragraphs, with how often."""
    entities: dict[str, Entity] = field(default_factory=dict)
    """The glossary."""
    claims_of_source: dict[str, list[Placed[Claim]]] = field(default_factory=lambda: defaultdict(list))
    """Source id → claims citing it."""
    entities_of_source: dict[str, list[Entity]] = field(default_factory=lambda: defaultdict(list))
    """Source id → entities whose description cites it."""
    entities_of_article: dict[str, list[Entity]] = field(default_factory=dict)
    """Article slug → its entities, in order of first mention."""
    articles_by_month: dict[str, list[Article]] = field(default_factory=dict)
    """Month of publication (YYYY-MM) → its articles, newest first; newest month first."""
    claims_by_month: dict[str, list[Placed[Claim]]] = field(default_factory=dict)
    """Month of publication (YYYY-MM) → the claims of the articles published in it, as in `claims`; newest first."""
    events_by_year: dict[str, list[Placed[Event]]] = field(default_factory=dict)
    """Year (YYYY) → the events that start in it, the latest date first; the latest year first."""
    events_by_month: dict[str, list[Placed[Event]]] = field(default_factory=dict)
    """Month (YYYY-MM) → the events that start in it (those dated to the month or the day), the latest date
    first; the latest month first."""
    timeline_entries: dict[str, str] = field(default_factory=dict)
    """Event id → its entry in timeline.json, for those whose ArticleIndex has it and no other article reports."""
    appearances: dict[tuple[str, str], list[Placed[Appearance]]] = field(default_factory=dict)
    """("claim" or "event", id) → the passages of other articles that report it, oldest article first."""

    def reported(self, kind: str, item_id: str) -> list[Placed[Appearance]]:
        """Return the appearances of the claim or event ITEM_ID (KIND "claim" or "event"), oldest article first."""
        return self.appearances.get((kind, item_id), [])

    def related(self, entity_id: str) -> list[tuple[Entity, int]]:
        """Return the entities most often mentioned in the same paragraphs as ENTITY_ID, with how often.

        Summed when an entity page asks, not for every entity up front: a build
        with the build cache renders few entity pages, and a full build renders
        them in all its processes at once.
        """
        total: Counter[str] = Counter()
        for counter in self.pairs.get(entity_id, ()):
            total.update(counter)
        counts = [(self.entities[b], n) for b, n in total.items()]
        counts.sort(key=lambda pair: (-pair[1], pair[0].name))
        return counts[:RELATED_ENTITIES]


@dataclass
class ArticleIndex:
    """What one article adds to the index; the dev server keeps it while the article is unchanged."""

    mentions: list[MentionRef]
    """Its mentions, in text order."""
    entities: list[Entity]
    """The article's entities, in order of first mention."""
    claims: list[Placed[Claim]]
    events: list[Placed[Event]]
    pairs: dict[str, dict[str, int]]
    """Entity id → entities mentioned in the same paragraphs, with how often (plain dicts: the build cache
    reads them faster than Counters)."""
    heading: tuple[str, str, str] = ("", "", "")
    """(slug, title, date) of the article, as entity pages show it."""
    timeline: list[str] = field(default_factory=list)
    """Each of its events' entry in timeline.json, as JSON text (export.timeline_entry), if made when it was read."""
    appearances: list[Placed[Appearance]] = field(default_factory=list)
    """Its passages that report a claim or event (defined in another article), with the entities they mention."""

    def view_of(self, entity_id: str) -> tuple[Any, ...]:
        """Return everything the page of ENTITY_ID shows of this article, to tell whether it changed."""
        mentions = tuple((r.span.id, r.snippet, r.start, r.end, r.cut) for r in self.mentions if r.entity == entity_id)
        claims = tuple(shown(p) for p in self.claims if any(e.id == entity_id for e in p.entities))
        events = tuple(shown(p) for p in self.events if any(e.id == entity_id for e in p.entities))
        reports = tuple(shown(p) for p in self.appearances if any(e.id == entity_id for e in p.entities))
        pairs = tuple(sorted(self.pairs.get(entity_id, {}).items()))
        return (self.heading, mentions, claims, events, reports, pairs)


def shown(placed: Placed[Claim] | Placed[Event] | Placed[Appearance]) -> tuple[Any, ...]:
    """Return everything a page can show of a placed claim, event or appearance, to tell whether it changed."""
    item, ids = placed.item, tuple(e.id for e in placed.entities)
    where = item.spans[0].id if item.spans else ""
    if isinstance(item, Appearance):
        return (item.kind, item.id, str(item.date or ""), where, ids)
    if isinstance(item, Claim):
        return (
            item.id,
            item.status,
            item.summary,
            item.selector.quote,
            item.claimant,
            tuple(item.sources),
            item.review,
            where,
            ids,
        )
    return (item.id, str(item.date), item.title, item.note, where, ids)


def index_article(article: Article, content: Content) -> ArticleIndex:
    """Return what ARTICLE adds to the index."""
    known = [m for m in article.mentions if m.entity in content.entities]
    ordered = sorted(((s, m) for m in known for s in m.spans), key=lambda pair: pair[0].start)
    mentioned = [(s.start, s.end, m.entity) for m in article.mentions for s in m.spans]
    pairs: dict[str, Counter[str]] = defaultdict(Counter)
    for block_entities in _entities_by_block(article, known).values():
        for a in block_entities:
            pairs[a].update(block_entities - {a})
    return ArticleIndex(
        mentions=[_snippet(article, span, m.entity) for span, m in ordered],
        entities=_unique([content.entities[m.entity] for _, m in ordered]),
        claims=[
            Placed(c, article, _entities_of(c, [c.claimant, *c.about], mentioned, content)) for c in article.claims
        ],
        events=[Placed(e, article, _entities_of(e, e.entities, mentioned, content)) for e in article.events],
        appearances=[Placed(a, article, _entities_of(a, [], mentioned, content)) for a in article.appearances],
        pairs={entity_id: dict(counter) for entity_id, counter in pairs.items()},
        heading=(article.slug, article.title, article.date),
    )


def build_index(content: Content, parts: dict[str, ArticleIndex] | None = None) -> Index:
    """Return the site's index of CONTENT (whose references are checked).

    PARTS, if given, holds what `index_article` returned for some articles, by slug.
    """
    index = Index(entities=content.entities)
    read: list[ArticleIndex] = []
    for article in content.articles:
        part = parts.get(article.slug) if parts is not None else None
        if part is None:
            part = index_article(article, content)
            if parts is not None:
                parts[article.slug] = part
        read.append(part)
        for ref in part.mentions:
            index.mentions[ref.entity].append(ref)
        index.entities_of_article[article.slug] = part.entities
        index.articles_by_month.setdefault(month_of(article.date), []).append(article)
        for appearance in part.appearances:
            index.appearances.setdefault((appearance.item.kind, appearance.item.id), []).append(appearance)
        for entity_id, counter in part.pairs.items():
            index.pairs[entity_id].append(counter)
    for reports in index.appearances.values():
        reports.sort(key=lambda p: by_date(p.article))
    for part in read:
        for placed in part.claims:
            placed = _with_reports(placed, "claim", index)
            index.claims.append(placed)
            for entity in placed.entities:
                index.claims_of_entity[entity.id].append(placed)
            for source_id in placed.item.sources:
                index.claims_of_source[source_id].append(placed)
        index.timeline.extend(_with_reports(placed, "event", index) for placed in part.events)
        if part.timeline:
            entries = zip((placed.item.id for placed in part.events), part.timeline, strict=True)
            index.timeline_entries.update((i, e) for i, e in entries if ("event", i) not in index.appearances)
    index.timeline.sort(
        key=lambda p: (
            p.item.date.sort_key,
            p.article.date,
            p.article.slug,
            p.item.spans[0].start if p.item.spans else 0,
        )
    )
    for placed in index.claims:
        index.claims_by_month.setdefault(month_of(placed.article.date), []).append(placed)
    for event in index.timeline:
        for entity in event.entities:
            index.events_of_entity[entity.id].append(event)
    for event in reversed(index.timeline):  # the latest first, as every list of the site
        index.events_by_year.setdefault(year_of(event.item.date.start), []).append(event)
        if len(event.item.date.start) > len("YYYY"):
            index.events_by_month.setdefault(month_of(event.item.date.start), []).append(event)
    for entity in content.entities.values():
        for source_id in entity.sources:
            index.entities_of_source[source_id].append(entity)
    return index


def claims_index(content: Content, parts: dict[str, ArticleIndex]) -> Index:
    """Return an index of CONTENT that holds only its claims, in the order `build_index` gives them, but
    without the entities of the passages reporting them: what the search index reads (search.py).

    PARTS holds what `index_article` returned for every article, by slug. It
    looks at no mention: the dev server's search refresh, in a forked process,
    copies only the memory it looks at.
    """
    return Index(entities=content.entities, claims=[p for a in content.articles for p in parts[a.slug].claims])


def _with_reports(placed: Placed[Item], kind: str, index: Index) -> Placed[Item]:
    """Return PLACED, a claim or event, with the entities the passages reporting it mention as well.

    A new Placed: the one in the article's ArticleIndex is kept from one build to the next.
    """
    reports: list[Placed[Appearance]] = index.appearances.get((kind, placed.item.id), [])
    if not reports:
        return placed
    entities = _unique([*placed.entities, *(e for report in reports for e in report.entities)])
    return Placed(placed.item, placed.article, entities)


def month_of(day: str) -> str:
    """Return the month (YYYY-MM) of DAY (YYYY-MM-DD): articles, claims and events are listed by month.

    A date known only by its year (YYYY) is returned as it is.
    """
    return day[:7]


def year_of(date: str) -> str:
    """Return the year (YYYY) of DATE (YYYY, YYYY-MM or YYYY-MM-DD): events are listed by year."""
    return date[:4]


def _unique(entities: list[Entity]) -> list[Entity]:
    return list(dict.fromkeys(entities))


def _entities_of(
    item: Annotation, named: list[str], mentioned: list[tuple[int, int, str]], content: Content
) -> list[Entity]:
    """Return the entities NAMED for ITEM plus those MENTIONED (start, end, entity id) inside its words."""
    inside = [
        entity for start, end, entity in mentioned for span in item.spans if span.start <= start and end <= span.end
    ]
    return _unique([content.entities[i] for i in [*named, *inside] if i in content.entities])


def _entities_by_block(article: Article, mentions: list[Mention]) -> dict[int, set[str]]:
    blocks: dict[int, set[str]] = defaultdict(set)
    for mention in mentions:
        for span in mention.spans:
            blocks[span.block].add(mention.entity)
    return blocks


def _snippet(article: Article, span: Span, entity_id: str) -> MentionRef:
    """Return the keyword-in-context snippet of SPAN, a mention of ENTITY_ID, within its block."""
    block_start, block_end = article.blocks[span.block]
    before = article.text[max(block_start, span.start - SNIPPET_BEFORE) : span.start]
    after = article.text[span.end : min(block_end, span.end + SNIPPET_AFTER)]
    cut = 0
    if span.start - SNIPPET_BEFORE > block_start:  # cut at a word's start: no part of a word, no lone punctuation
        before = before.split(" ", 1)[-1].lstrip(_CUT_PUNCTUATION)
        cut |= CUT_BEFORE
    if span.end + SNIPPET_AFTER < block_end:  # and at a word's end, without the punctuation after it
        after = after.rsplit(" ", 1)[0].rstrip(_CUT_PUNCTUATION)
        cut |= CUT_AFTER
    before, words = _flat(before), _flat(article.text[span.start : span.end])
    start, end = len(before), len(before) + len(words)
    return MentionRef(entity_id, article, span, before + words + _flat(after), start, end, cut)


_CUT_PUNCTUATION = " ,;:.!?–—-"
"""What a snippet cut short does not start or end on, beside its ellipsis."""

_SPACES = re.compile(r"\s{2,}|[^\S ]")
"""What `_flat` replaces: runs of whitespace, and single whitespace characters but a space ("\\s+" would
also replace each single space with itself: one replacement per word)."""


def _flat(text: str) -> str:
    """Return TEXT with each run of whitespace made one space."""
    return _SPACES.sub(" ", text)


def entity_summary(entity: Entity) -> str:
    """Return the first sentence of ENTITY's description, for cards and lists."""
    return _first_sentence(entity.description)


@lru_cache(maxsize=65536)
def _first_sentence(description: str) -> str:
    """Return the first sentence of DESCRIPTION (kept: every article page lists its entities with theirs)."""
    text = " ".join(description.split())
    match = re.match(r"(.+?[.!?])(\s|$)", text)
    return match.group(1) if match else text
