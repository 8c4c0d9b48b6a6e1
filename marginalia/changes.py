"""Which site-wide pages a changed article makes stale.

An article's own pages (its page and its annotation export) depend on
nothing but the article and the glossary. The site-wide pages show a share of
many articles:

- an entity's page shows what `ArticleIndex.view_of` returns of each article
  that refers to the entity;
- each list (home, glossary, timeline, claims, sources, and the exports that
  repeat them) shows what `_digests` hashes of each article, in the order of
  the articles: one that comes, goes or moves (a new date or slug) changes
  every list.

`stale_pages(before, after)` compares two versions of one article and returns
the site-wide pages that differ between them. The dev server uses it after an
edit, and a build with the build cache uses it to render only those pages and
take the others from the previous site. Both compare versions read in the same
process (the digests are Python hashes, which differ between processes).
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

from .index import ArticleIndex, shown
from .model import Article
from .render import entity_path

if TYPE_CHECKING:
    from .pipeline import ArticleResult

LISTS = ("index.html", "glossary.html", "timeline.html", "claims.html", "sources.html", "timeline.json", "feed.xml")
"""The site-wide pages that show something of every article."""


def stale_pages(before: ArticleResult | None, after: ArticleResult | None) -> set[str]:
    """Return the site-wide pages that show something different of an article from BEFORE to AFTER.

    Either is None, or has no article, where the article did not exist or could not be read.
    """
    old = _readable(before)
    new = _readable(after)
    if old is None and new is None:
        return set()
    pages = {entity_path(entity_id) for entity_id in _entities_changed(old, new)}
    if old is None or new is None or _place(old) != _place(new):  # it came, went or moved: every list changes
        pages |= set(LISTS)
    else:
        old_digests, new_digests = _digests(*old), _digests(*new)
        pages |= {page for page in LISTS if old_digests[page] != new_digests[page]}
    if "feed.xml" in pages:
        pages.add("sitemap.xml")  # it lists the same articles, and shows less of them
    return pages


def moved(before: ArticleResult | None, after: ArticleResult | None) -> bool:
    """Tell whether the article came, went, or has a new place in the order of articles (date, slug)."""
    old, new = _readable(before), _readable(after)
    if old is None or new is None:
        return old is not new
    return _place(old) != _place(new)


def _place(version: tuple[Article, ArticleIndex]) -> tuple[str, str]:
    """Return what orders the article among the others: its date, then its slug."""
    return version[0].date, version[0].slug


def _readable(found: ArticleResult | None) -> tuple[Article, ArticleIndex] | None:
    if found is None or found.article is None or found.part is None:
        return None
    return found.article, found.part


def _digests(article: Article, part: ArticleIndex) -> dict[str, int]:
    """Return, for each list page, a hash of everything it shows of ARTICLE."""
    heading = (article.slug, article.title, article.date)
    claims = hash((heading, tuple(shown(p) for p in part.claims)))
    events = hash((heading, tuple(shown(p) for p in part.events)))
    return {
        "index.html": hash(
            (*heading, article.dateline, article.publisher, len(article.claims), len(part.events), len(part.entities))
        ),
        "glossary.html": hash(tuple(sorted(Counter(entity_id for entity_id, _ in part.mentions).items()))),
        "claims.html": claims,
        "sources.html": claims,
        "timeline.html": events,
        "timeline.json": events,
        "feed.xml": hash((heading, article.lede)),  # and the sitemap, which shows less
    }


def _entities_changed(
    before: tuple[Article, ArticleIndex] | None, after: tuple[Article, ArticleIndex] | None
) -> set[str]:
    """Return the entities whose pages show something different of the article from BEFORE to AFTER."""
    touched = (entities_of(before[0]) if before else set()) | (entities_of(after[0]) if after else set())
    return {e for e in touched if _view(before, e) != _view(after, e)}


def _view(version: tuple[Article, ArticleIndex] | None, entity_id: str) -> tuple[Any, ...]:
    return version[1].view_of(entity_id) if version is not None else ()


def entities_of(article: Article) -> set[str]:
    """Return every entity id ARTICLE refers to: mentions, claimants, claim and event entities."""
    ids = {m.entity for m in article.mentions}
    for claim in article.claims:
        ids |= {claim.claimant, *claim.about} - {""}
    for event in article.events:
        ids |= set(event.entities)
    return ids
