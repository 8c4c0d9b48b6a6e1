"""Stage 3a, check: cross-references between files, and the lints.

Loading and anchoring check each file on its own; this stage checks what
only the whole content can tell: ids that refer to nothing, ids given twice,
and (as warnings) what looks forgotten: a name left unannotated, an entity
never mentioned, a source never cited, a claim with no source.
"""

from __future__ import annotations

import difflib
import re

from .anchor import line_at
from .errors import Problem
from .index import Index
from .load import Problems
from .model import Article, Claim, Content, Location


def check_references(content: Content, problems: Problems) -> None:
    """Add a problem for every id that refers to nothing, and every id given twice."""
    entity_ids, source_ids = list(content.entities), list(content.sources)
    slugs = {a.slug for a in content.articles}

    def check(ref: str, known: list[str], what: str, where: Location | None) -> None:
        if ref in known or where is None or what in content.unreadable:
            return
        close = difflib.get_close_matches(ref, known, n=3)
        hint = f"did you mean {' or '.join(repr(c) for c in close)}?" if close else f"add {ref!r} to content/{what}.yml"
        if what == "entities":
            problems.add(where, "M202", f"unknown entity id {ref!r}", hint)
        else:
            problems.add(where, "M203", f"unknown source id {ref!r}", hint)

    for entity in content.entities.values():
        for source_id in entity.sources:
            check(source_id, source_ids, "sources", entity.where)
    for source in content.sources.values():
        if source.article and source.article not in slugs and source.where:
            close = difflib.get_close_matches(source.article, list(slugs), n=1)
            hint = f"did you mean {close[0]!r}?" if close else "article: is an article's file name without .md"
            problems.add(source.where, "M204", f"no article with slug {source.article!r}", hint)
    seen: dict[tuple[str, str], Location] = {}
    for article in content.articles:
        for mention in article.mentions:
            check(mention.entity, entity_ids, "entities", mention.where)
        for item in [*article.claims, *article.events]:
            kind = "claim" if isinstance(item, Claim) else "event"
            if (kind, item.id) in seen:
                problems.add(
                    item.where,
                    "M201",
                    f"duplicate {kind} id {item.id!r} (first at {seen[(kind, item.id)]})",
                    f"{kind} ids are site-wide: pick another",
                )
            seen.setdefault((kind, item.id), item.where)
        for claim in article.claims:
            for ref in filter(None, [claim.claimant, *claim.about]):
                check(ref, entity_ids, "entities", claim.where)
            for source_id in claim.sources:
                check(source_id, source_ids, "sources", claim.where)
        for event in article.events:
            for ref in event.entities:
                check(ref, entity_ids, "entities", event.where)


def lint(content: Content, index: Index, problems: Problems) -> None:
    """Add a warning for everything that looks forgotten."""
    names = NameFinder(content)
    for article in content.articles:
        problems.extend(unannotated_names(article, names))
    lint_unused(content, index, problems)


def lint_unused(content: Content, index: Index, problems: Problems) -> None:
    """Warn of entities never mentioned, sources never cited and claims without a source."""
    for entity in content.entities.values():
        if not index.mentions.get(entity.id) and entity.where:
            problems.add(
                entity.where,
                "W502",
                f"entity {entity.id!r} is never mentioned",
                "annotate a mention of it in an article, or remove it",
                "warning",
            )
    for source in content.sources.values():
        if not index.claims_of_source.get(source.id) and not index.entities_of_source.get(source.id) and source.where:
            problems.add(
                source.where,
                "W503",
                f"source {source.id!r} is never cited",
                "cite it in a claim's or an entity's sources:, or remove it",
                "warning",
            )
    for placed in index.claims:
        if not placed.item.sources:
            problems.add(
                placed.item.where,
                "W504",
                f"claim {placed.item.id!r} has no source",
                "add sources: [id, ...] with the documents that support its status",
                "warning",
            )


class NameFinder:
    """Finds every entity name and alias in a text, as whole words."""

    def __init__(self, content: Content):
        self.entities = {n: e for e in content.entities.values() for n in [e.name, *e.aliases] if n.strip()}
        alternatives = sorted((re.escape(n) for n in self.entities), key=len, reverse=True)
        self.pattern = re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)") if alternatives else None


def unannotated_names(article: Article, names: NameFinder) -> list[Problem]:
    """Return a warning for each entity name or alias in ARTICLE outside every mention."""
    if names.pattern is None:
        return []
    covered = bytearray(len(article.text) + 1)  # 1 where a mention covers the character
    for mention in article.mentions:
        for span in mention.spans:
            covered[span.start : span.end] = b"\x01" * (span.end - span.start)
    found = []
    for match in names.pattern.finditer(article.text):
        if any(covered[match.start() : match.end()]):
            continue
        entity = names.entities[match.group()]
        found.append(
            Problem(
                Location(article.source_path, line_at(article, match.start())),
                "W501",
                f"{match.group()!r} ({entity.kind} {entity.id!r}) is not annotated here",
                f"add to {article.slug}.yml: - {{entity: {entity.id}, quote: {match.group()}}}"
                " (with prefix: if it occurs more than once)",
                "warning",
            )
        )
    return found
