"""Stage 3, index: check every cross-reference and build the lookups pages need.

Everything a page lists about something else (an entity's mentions, a
source's claims, the timeline) is computed here once, so that rendering a
page never walks the whole site.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from .model import Annotation, Article, Claim, Content, Entity, Event, Mention, Span

SNIPPET_CHARS = 70
"""How much context a keyword-in-context snippet shows on each side."""

RELATED_ENTITIES = 8
"""How many co-mentioned entities an entity page lists."""


@dataclass
class MentionRef:
    """One place an entity is mentioned, with its keyword-in-context snippet."""

    article: Article
    span: Span
    before: str
    """Text just before the mention, with an ellipsis where it was cut."""
    words: str
    """The mention itself, as it reads."""
    after: str
    """Text just after the mention."""


@dataclass
class Placed:
    """A claim or event with the article it is in and the entities it concerns."""

    item: Claim | Event
    article: Article
    entities: list[Entity] = field(default_factory=list)


@dataclass
class Index:
    """The cross-references of the whole site."""

    mentions: dict[str, list[MentionRef]] = field(default_factory=lambda: defaultdict(list))
    """Entity id → every mention, articles newest first, in text order."""
    claims: list[Placed] = field(default_factory=list)
    """Every claim, articles newest first, in text order."""
    timeline: list[Placed] = field(default_factory=list)
    """Every event, in date order."""
    claims_of_entity: dict[str, list[Placed]] = field(default_factory=lambda: defaultdict(list))
    """Entity id → claims it makes or that are about it."""
    events_of_entity: dict[str, list[Placed]] = field(default_factory=lambda: defaultdict(list))
    """Entity id → its events, in date order."""
    related: dict[str, list[tuple[Entity, int]]] = field(default_factory=dict)
    """Entity id → entities mentioned in the same paragraphs, with how often."""
    claims_of_source: dict[str, list[Placed]] = field(default_factory=lambda: defaultdict(list))
    """Source id → claims citing it."""
    entities_of_source: dict[str, list[Entity]] = field(default_factory=lambda: defaultdict(list))
    """Source id → entities whose description cites it."""
    entities_of_article: dict[str, list[Entity]] = field(default_factory=dict)
    """Article slug → its entities, in order of first mention."""


def build_index(content: Content) -> Index:
    """Return the site's index of CONTENT (whose references are checked)."""
    index = Index()
    pairs: dict[str, Counter[str]] = defaultdict(Counter)
    for article in content.articles:
        known = [m for m in article.mentions if m.entity in content.entities]
        for span, mention in sorted(((s, m) for m in known for s in m.spans), key=lambda pair: pair[0].start):
            index.mentions[mention.entity].append(_snippet(article, span))
        firsts = sorted((s.start, m.entity) for m in known for s in m.spans)
        index.entities_of_article[article.slug] = _unique([content.entities[e] for _, e in firsts])
        for claim in article.claims:
            entities = _entities_of(claim, [claim.claimant, *claim.about], article, content)
            placed = Placed(claim, article, entities)
            index.claims.append(placed)
            for entity in entities:
                index.claims_of_entity[entity.id].append(placed)
            for source_id in claim.sources:
                index.claims_of_source[source_id].append(placed)
        for event in article.events:
            index.timeline.append(Placed(event, article, _entities_of(event, event.entities, article, content)))
        for block_entities in _entities_by_block(article, known).values():
            for a in block_entities:
                pairs[a].update(block_entities - {a})
    index.timeline.sort(
        key=lambda p: (
            p.item.date.sort_key,
            p.article.date,
            p.article.slug,
            p.item.spans[0].start if p.item.spans else 0,
        )
    )
    for placed in index.timeline:
        for entity in placed.entities:
            index.events_of_entity[entity.id].append(placed)
    for entity in content.entities.values():
        for source_id in entity.sources:
            index.entities_of_source[source_id].append(entity)
        counts = [(content.entities[b], n) for b, n in pairs[entity.id].items()]
        counts.sort(key=lambda pair: (-pair[1], pair[0].name))
        index.related[entity.id] = counts[:RELATED_ENTITIES]
    return index


def _unique(entities: list[Entity]) -> list[Entity]:
    return list(dict.fromkeys(entities))


def _entities_of(item: Annotation, named: list[str], article: Article, content: Content) -> list[Entity]:
    """Return the entities NAMED for ITEM plus those mentioned inside its words."""
    inside = [
        m.entity
        for m in article.mentions
        for s in m.spans
        if any(span.start <= s.start and s.end <= span.end for span in item.spans)
    ]
    return _unique([content.entities[i] for i in [*named, *inside] if i in content.entities])


def _entities_by_block(article: Article, mentions: list[Mention]) -> dict[int, set[str]]:
    blocks: dict[int, set[str]] = defaultdict(set)
    for mention in mentions:
        for span in mention.spans:
            blocks[span.block].add(mention.entity)
    return blocks


def _snippet(article: Article, span: Span) -> MentionRef:
    """Return the keyword-in-context snippet of SPAN, within its block."""
    block_start, block_end = article.blocks[span.block]
    before = article.text[max(block_start, span.start - SNIPPET_CHARS) : span.start]
    after = article.text[span.end : min(block_end, span.end + SNIPPET_CHARS)]
    if span.start - SNIPPET_CHARS > block_start:
        before = "…" + before.split(" ", 1)[-1]
    if span.end + SNIPPET_CHARS < block_end:
        after = after.rsplit(" ", 1)[0] + "…"
    return MentionRef(article, span, _flat(before), _flat(article.text[span.start : span.end]), _flat(after))


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def entity_summary(entity: Entity) -> str:
    """Return the first sentence of ENTITY's description, for cards and lists."""
    text = " ".join(entity.description.split())
    match = re.match(r"(.+?[.!?])(\s|$)", text)
    return match.group(1) if match else text
