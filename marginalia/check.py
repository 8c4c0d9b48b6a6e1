"""Stage 3a, check: cross-references between files, and the lints.

Loading and anchoring check each file on its own; this stage checks what
only the whole content can tell: ids that refer to nothing, ids given twice,
and (as warnings) what looks forgotten: a name left unannotated, an entity
never mentioned, a source never cited, a claim with no source.
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from .anchor import line_at
from .errors import Problem
from .load import Problems
from .model import Article, Content, Entity, Location, Source


@dataclass
class Contribution:
    """What one article brings to the checks across articles (`site_problems`).

    It is all that `check` needs to know of an article it does not read
    again: the build cache keeps one beside each article's entry (cache.py).
    """

    slug: str
    date: str
    """The article's date, "" if it could not be read."""
    problems: list[Problem]
    """Found in the article itself: reading, anchoring and linting it, and its ids that refer to nothing."""
    ids: list[tuple[str, str, Location]]
    """("claim" or "event", id, where) of each of its claims, then events, in their order."""
    mentioned: frozenset[str]
    """The entities it mentions (anchored mentions only)."""
    cited: frozenset[str]
    """The sources its claims cite."""
    complete: bool
    """False if it has errors (see pipeline.ArticleResult.complete)."""
    read: bool
    """False if it could not be read at all."""


def site_problems(content: Content, contributions: Iterable[Contribution], problems: Problems) -> None:
    """Add every article's own problems, and what only all of them tell, to PROBLEMS.

    That is: ids of the glossary and the sources that refer to nothing, claim
    and event ids given twice, and (as warnings) entities never mentioned and
    sources never cited. The last two are not told while an article has
    errors: what it cannot be read for may mention or cite them.
    CONTRIBUTIONS are taken one at a time, and only what these checks need is kept of each.
    """
    slugs: set[str] = set()
    mentioned: set[str] = set()
    cited = {source_id for entity in content.entities.values() for source_id in entity.sources}
    complete = True
    placed: list[tuple[str, str, list[tuple[str, str, Location]]]] = []  # (date, slug, ids) of each article read
    for c in contributions:
        slugs.add(c.slug)
        problems.extend(c.problems)
        mentioned |= c.mentioned
        cited |= c.cited
        complete = complete and c.complete
        if c.read:
            placed.append((c.date, c.slug, c.ids))
    check_registry_references(content, slugs, problems)
    placed.sort(key=lambda p: (p[0], p[1]), reverse=True)  # newest first, as the articles are listed
    check_duplicate_ids((item for _, _, ids in placed for item in ids), problems)
    if complete:
        warn_unused(
            [e for e in content.entities.values() if e.id not in mentioned],
            [s for s in content.sources.values() if s.id not in cited],
            problems,
        )


def check_registry_references(content: Content, slugs: Collection[str], problems: Problems) -> None:
    """Add a problem for every source id of an entity and every article slug of a source (of SLUGS) unknown."""
    for entity in content.entities.values():
        for source_id in entity.sources:
            _check_ref(source_id, "sources", entity.where, content, problems)
    for source in content.sources.values():
        if source.article and source.article not in slugs and source.where:
            close = difflib.get_close_matches(source.article, sorted(slugs), n=1)
            hint = f"did you mean {close[0]!r}?" if close else "article: is an article's file name without .md"
            problems.add(source.where, "M204", f"no article with slug {source.article!r}", hint)


def check_duplicate_ids(ids: Iterable[tuple[str, str, Location]], problems: Problems) -> None:
    """Add a problem for every claim or event id given before in IDS (see `article_ids`); ids are site-wide."""
    seen: dict[tuple[str, str], Location] = {}
    for kind, item_id, where in ids:
        if (kind, item_id) in seen:
            problems.add(
                where,
                "M201",
                f"duplicate {kind} id {item_id!r} (first at {seen[(kind, item_id)]})",
                f"{kind} ids are site-wide: pick another",
            )
        seen.setdefault((kind, item_id), where)


def article_ids(article: Article) -> list[tuple[str, str, Location]]:
    """Return ("claim" or "event", id, where) of each claim, then each event, of ARTICLE."""
    return [("claim", c.id, c.where) for c in article.claims] + [("event", e.id, e.where) for e in article.events]


def article_references(article: Article, content: Content) -> list[Problem]:
    """Return a problem for every entity or source id in ARTICLE's annotations that refers to nothing."""
    problems = Problems()
    for mention in article.mentions:
        _check_ref(mention.entity, "entities", mention.where, content, problems)
    for claim in article.claims:
        for ref in filter(None, [claim.claimant, *claim.about]):
            _check_ref(ref, "entities", claim.where, content, problems)
        for source_id in claim.sources:
            _check_ref(source_id, "sources", claim.where, content, problems)
    for event in article.events:
        for ref in event.entities:
            _check_ref(ref, "entities", event.where, content, problems)
    return list(problems)


def _check_ref(ref: str, what: str, where: Location | None, content: Content, problems: Problems) -> None:
    """Add a problem if REF is not an id of WHAT ('entities' or 'sources')."""
    known = content.entities if what == "entities" else content.sources
    if ref in known or where is None or what in content.unreadable:
        return
    close = difflib.get_close_matches(ref, list(known), n=3)
    hint = f"did you mean {' or '.join(repr(c) for c in close)}?" if close else f"add {ref!r} to content/{what}.yml"
    if what == "entities":
        problems.add(where, "M202", f"unknown entity id {ref!r}", hint)
    else:
        problems.add(where, "M203", f"unknown source id {ref!r}", hint)


def warn_unused(unmentioned: Iterable[Entity], uncited: Iterable[Source], problems: Problems) -> None:
    """Warn of the UNMENTIONED entities and the UNCITED sources."""
    for entity in unmentioned:
        if entity.where:
            problems.add(
                entity.where,
                "W502",
                f"entity {entity.id!r} is never mentioned",
                "annotate a mention of it in an article, or remove it",
                "warning",
            )
    for source in uncited:
        if source.where:
            problems.add(
                source.where,
                "W503",
                f"source {source.id!r} is never cited",
                "cite it in a claim's or an entity's sources:, or remove it",
                "warning",
            )


def unsourced_claims(article: Article) -> list[Problem]:
    """Return a warning for each claim of ARTICLE without a source."""
    problems = Problems()
    for claim in article.claims:
        if not claim.sources:
            problems.add(
                claim.where,
                "W504",
                f"claim {claim.id!r} has no source",
                "add sources: [id, ...] with the documents that support its status",
                "warning",
            )
    return list(problems)


class NameFinder:
    """Finds every entity name and alias in a text, as whole words.

    Names are looked up by their first word, so the cost per article does
    not grow with the size of the glossary (one pattern of every name did:
    quadratic over a large archive).
    """

    def __init__(self, content: Content):
        self.entities = {
            " ".join(n.split()): e for e in content.entities.values() for n in [e.name, *e.aliases] if n.strip()
        }
        """Each name and alias, its spaces made single, → its entity."""
        self.by_first_word: dict[str, list[str]] = defaultdict(list)
        for name in sorted(self.entities, key=len, reverse=True):  # longest first: "Idlib region" before "Idlib"
            first = _WORD.match(name)
            if first and first.start() == 0:
                self.by_first_word[first.group()].append(name)

    def find(self, text: str) -> list[tuple[int, int, str]]:
        """Return (start, end, name) of every whole-word match in TEXT, the longest name at each place."""
        flat = _OTHER_WHITESPACE.sub(" ", text)
        found = []
        length = len(flat)
        # One pass over the words, each looked up by the words some name starts with: a word is a
        # run of word characters, so it is not the end of another word.
        for word in _WORD.finditer(flat):
            names = self.by_first_word.get(word.group())
            if names is None:
                continue
            start = word.start()
            for name in names:
                end = start + len(name)
                if flat.startswith(name, start) and not (end < length and _is_word_char(flat[end])):
                    found.append((start, end, name))
                    break
        return found


_WORD = re.compile(r"\w+")
_OTHER_WHITESPACE = re.compile(r"[^\S ]")
"""Whitespace other than a space: what find makes a space, as "\\s" would but with far fewer matches."""


def _is_word_char(char: str) -> bool:
    return char.isalnum() or char == "_"


def unannotated_names(article: Article, names: NameFinder) -> list[Problem]:
    """Return a warning for each entity name or alias in ARTICLE outside every mention."""
    if not names.by_first_word:
        return []
    covered = bytearray(len(article.text) + 1)  # 1 where a mention covers the character
    for mention in article.mentions:
        for span in mention.spans:
            covered[span.start : span.end] = b"\x01" * (span.end - span.start)
    found: list[Problem] = []
    left_out = 0
    for start, end, name in names.find(article.text):
        if any(covered[start:end]):
            continue
        if len(found) == MAX_UNANNOTATED:
            left_out += 1
            continue
        entity = names.entities[name]
        words = article.text[start:end]
        found.append(
            Problem(
                Location(article.source_path, line_at(article, start)),
                "W501",
                f"{words!r} ({entity.kind} {entity.id!r}) is not annotated here",
                f"add to {article.slug}.yml: - {{entity: {entity.id}, quote: {words}}}"
                " (with prefix: if it occurs more than once)",
                "warning",
            )
        )
    if left_out:
        last = found[-1].where
        found.append(
            Problem(
                last,
                "W501",
                f"and {left_out:,} more names not annotated in this article (not listed)",
                "annotate those listed first; every: true marks each place of a name",
                "warning",
            )
        )
    return found


MAX_UNANNOTATED = 100
"""The most names left unannotated one article lists (W501); then one more says how many are not listed."""
