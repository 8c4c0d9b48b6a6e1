"""The incremental core: every article as last read, and what only all of them tell.

The build, `check` and the dev server share it. Each article file has a
record: what reading it found (`pipeline.ArticleResult`), what it brings to
the checks across articles (`check.Contribution`, through `check.SiteChecks`)
and the content hash of its files when read. The build and `check` put every
article, then ask for the problems and the articles in order; the dev server
asks which article files changed (`changed`: the build cache's stamps and
hashes), puts the new versions (`apply`), asks for the problems again, and
for the site-wide pages the change makes stale (`stale`, through
changes.py). Each operation costs what changed, not the size of the site.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from . import cache
from .changes import moved, stale_pages
from .check import Contribution, SiteChecks, article_ids, article_shared
from .errors import Problem
from .index import ArticleIndex
from .model import Article, Content, by_date

if TYPE_CHECKING:
    from .pipeline import ArticleResult


@dataclass
class Edit:
    """What `Engine.apply` changed: each article file's version before and after (None: no such file)."""

    before: dict[str, ArticleResult | None]
    after: dict[str, ArticleResult | None]
    digests: dict[str, str] = field(default_factory=dict)
    """The content hash of each file before the edit ("" if unknown), to put back with `Engine.undo`."""


class Engine:
    """Every article of a site as last read, and the checks across them, kept up to date one article at a time."""

    def __init__(self, content: Content, registry_problems: Collection[Problem] = ()):
        """CONTENT: the glossary and sources (its articles are not looked at); REGISTRY_PROBLEMS: found in them."""
        self.content = replace(content, articles=[])
        self.registry_problems = list(registry_problems)
        self.folder_problems: list[Problem] = []
        """Found in the names of the article files at the last look at the whole folder."""
        self.checks = SiteChecks(content)
        self.found: dict[str, ArticleResult] = {}
        """Article file name → what reading it found (not for the articles `check` took from the cache)."""
        self.digests: dict[str, str] = {}
        """Article file name → the content hash of its files as read; "" if unknown (read again when looked at)."""
        self.stamps: dict[str, tuple[cache.ArticleStamp, str]] = {}
        """The memo of `cache.hash_articles`: the stamps of the article files when last hashed."""
        self.parts: dict[str, ArticleIndex] = {}
        """Article slug → what it adds to the index, for the articles that could be read."""
        self._order: list[str] | None = []
        """The file names of the articles that could be read, newest first; None: to be sorted again."""

    # --- Putting articles in -----------------------------------------------------------

    def put(self, name: str, found: ArticleResult, digest: str = "") -> None:
        """Put the article file NAME as read (FOUND; DIGEST: its content hash), in place of what was known of it."""
        before = self.found.get(name)
        if before is not None and before.article is not None:
            self.parts.pop(before.article.slug, None)
        if self._order is not None and moved(before, found):
            self._order = None
        _share_strings(found)
        self.found[name] = found
        self.digests[name] = digest
        if found.article is not None and found.part is not None:
            self.parts[found.article.slug] = found.part
        self.checks.put(name, contribution(found))

    def put_contribution(self, name: str, known: Contribution) -> None:
        """Put only what the article file NAME brings to the checks across articles (`check`, from the cache)."""
        self.checks.put(name, known)

    def remove(self, name: str) -> None:
        """Forget the article file NAME."""
        before = self.found.pop(name, None)
        self.digests.pop(name, None)
        if before is not None and before.article is not None:
            self.parts.pop(before.article.slug, None)
            self._order = None
        self.checks.remove(name)

    # --- What all articles tell ----------------------------------------------------------

    def problems(self) -> list[Problem]:
        """Return every problem of the site: the glossary's and sources', the folder's, each article's, and
        those across articles, in that order (not sorted)."""
        return [*self.registry_problems, *self.folder_problems, *self.checks.problems()]

    def articles(self) -> list[Article]:
        """Return the articles that could be read, newest first (by date, then slug)."""
        if self._order is None:
            readable = [(found.article, name) for name, found in self.found.items() if found.article is not None]
            readable.sort(key=lambda pair: by_date(pair[0]), reverse=True)
            self._order = [name for _, name in readable]
        return [self.found[name].article for name in self._order]  # type: ignore[misc]

    def site(self) -> Content:
        """Return the content: the glossary, the sources and the articles, newest first."""
        return replace(self.content, articles=self.articles())

    # --- Changes ---------------------------------------------------------------------

    def changed(self, folder: Path, names: Collection[str]) -> dict[str, str]:
        """Return, of the article files NAMES in FOLDER, those whose files differ from what was put, by
        name, with their content hash now.

        As the build cache tells (`cache.hash_articles`): an article whose
        files have the stamps they had when last hashed is unchanged; the
        others are hashed and compared. An article not known is changed.
        """
        base = os.fspath(folder)
        hashes, stamps = cache.hash_articles([f"{base}/{name}" for name in names], self.stamps)
        for name in names:
            self.stamps.pop(name, None)
        self.stamps.update(stamps)
        return {
            name: digest
            for name, digest in hashes.items()
            if name not in self.found or not digest or digest != self.digests.get(name)
        }

    def apply(self, after: Mapping[str, ArticleResult | None], digests: Mapping[str, str]) -> Edit:
        """Put each article of AFTER (None: remove it), with its content hash of DIGESTS; return the edit."""
        before = {name: self.found.get(name) for name in after}
        edit = Edit(before, dict(after), {name: self.digests.get(name, "") for name in after})
        for name, found in after.items():
            if found is None:
                self.remove(name)
            else:
                self.put(name, found, digests.get(name, ""))
        return edit

    def undo(self, edit: Edit) -> None:
        """Put back what EDIT changed as it was before."""
        self.apply(edit.before, edit.digests)

    def stale(self, edit: Edit) -> set[str]:
        """Return the site-wide pages (and keys, see `changes.stale_pages`) that EDIT makes stale."""
        stale: set[str] = set()
        for name, after in edit.after.items():
            stale |= stale_pages(edit.before[name], after)
        return stale

    def moved(self, edit: Edit) -> bool:
        """Tell whether EDIT added, removed or moved an article in the order of articles."""
        return any(moved(edit.before[name], after) for name, after in edit.after.items())


def contribution(found: ArticleResult) -> Contribution:
    """Return what the article FOUND brings to the checks across articles."""
    article, part = found.article, found.part
    return Contribution(
        slug=found.path.stem,
        date=article.date if article is not None else "",
        problems=[*found.problems, *found.references],
        ids=article_ids(article) if article is not None else [],
        shared=article_shared(article, _event_entities(part)) if article is not None else [],
        mentioned=tuple(dict.fromkeys(entity.id for entity in part.entities)) if part is not None else (),
        cited=tuple(dict.fromkeys(s for claim in article.claims for s in claim.sources)) if article is not None else (),
        complete=found.complete,
        read=article is not None,
    )


def _event_entities(part: ArticleIndex | None) -> dict[str, frozenset[str]]:
    """Return event id → the ids of its entities (listed or mentioned in its quote), of the events of PART."""
    if part is None:
        return {}
    return {placed.item.id: frozenset(e.id for e in placed.entities) for placed in part.events}


def _share_strings(found: ArticleResult) -> None:
    """Make the ids FOUND repeats from other articles (of entities and sources, and claims' statuses) one string
    each for the whole site.

    Each article arrives from a worker process or the build cache as a pickle,
    which makes a string of its own for every id in it: tens of ids an article,
    each of them in other articles too.
    """
    article, part = found.article, found.part
    if article is None:
        return
    intern = sys.intern
    for mention in article.mentions:
        mention.entity = intern(mention.entity)
    for claim in article.claims:
        claim.status, claim.claimant = intern(claim.status), intern(claim.claimant)
        claim.sources = [intern(source_id) for source_id in claim.sources]
        claim.about = [intern(entity_id) for entity_id in claim.about]
    for event in article.events:
        event.entities = [intern(entity_id) for entity_id in event.entities]
    if part is not None:
        for ref in part.mentions:
            ref.entity = intern(ref.entity)
        part.pairs = {intern(a): {intern(b): n for b, n in counts.items()} for a, counts in part.pairs.items()}
