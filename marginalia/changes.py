"""Which site-wide pages a changed article makes stale.

An article's own pages (its page and its annotation export) depend on
nothing but the article and the glossary. The site-wide pages show a share of
many articles:

- an entity's page shows what `ArticleIndex.view_of` returns of each article
  that refers to the entity;
- each list page (the home page, the glossary, the timeline, claims and
  sources pages, their pages by month, year or source, and the exports that
  repeat them) shows what `_digests` hashes of each article, in the order of
  the articles: one that comes, goes or moves (a new date or slug) changes
  every list page it is on.

The pages of a list by month link to the months before and after them:
`neighbours_stale` finds those whose neighbours came or went.

A claim or event is shown once, with every article that reports it: the
pages that show it depend on the article that defines it, which another
article's appearance of it does not know. For each claim, event and
appearance, `stale_pages` gives a key "claim:ID" or "event:ID" instead, which
`shared_pages` turns into those pages once the site's index is built.

`stale_pages(before, after)` compares two versions of one article and returns
the site-wide pages that differ between them. The dev server uses it after an
edit, and a build with the build cache uses it to render only those pages and
take the others from the previous site. Both compare versions read in the same
process (the digests are Python hashes, which differ between processes).
"""

from __future__ import annotations

import bisect
import contextlib
import os
import re
from collections import Counter
from collections.abc import Callable, Collection
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .index import ArticleIndex, Index, Item, Placed, shown, year_of
from .model import CLAIM_STATUSES, Article, Event
from .render import (
    archive_path,
    claims_path,
    entity_path,
    glossary_letter,
    glossary_path,
    source_path,
    timeline_path,
    verdict_path,
)

if TYPE_CHECKING:
    from .pipeline import ArticleResult


def stale_pages(before: ArticleResult | None, after: ArticleResult | None) -> set[str]:
    """Return the site-wide pages that show something different of an article from BEFORE to AFTER.

    Either is None, or has no article, where the article did not exist or could not be read.
    """
    old = _readable(before)
    new = _readable(after)
    if old is None and new is None:
        return set()
    pages = {entity_path(entity_id) for entity_id in _entities_changed(old, new)}
    old_digests = _digests(*old) if old is not None else {}
    new_digests = _digests(*new) if new is not None else {}
    if old is None or new is None or _place(old) != _place(new):  # it came, went or moved: on every list it is on
        pages |= old_digests.keys() | new_digests.keys()
    else:
        pages |= {
            page for page in old_digests.keys() | new_digests.keys() if old_digests.get(page) != new_digests.get(page)
        }
    if "feed.xml" in pages or _listed(old_digests) != _listed(new_digests):
        pages.add("sitemap.xml")  # it lists the articles and every list page
    return pages


SHARED_KINDS = ("claim", "event")
"""The kinds of "KIND:ID" key `stale_pages` gives for a claim or event that several articles can show."""


def shared_pages(stale: set[str], index: Index) -> set[str]:
    """Return STALE with each "claim:ID" or "event:ID" key replaced by the pages of INDEX that show that claim
    or event: those of its definition, which show every appearance of it too."""
    keys = {page for page in stale if _is_key(page)}
    if not keys:
        return stale
    pages = stale - keys
    wanted = {tuple(key.split(":", 1)) for key in keys}
    for event in index.timeline:
        if ("event", event.item.id) in wanted:
            pages |= {"timeline.html", "timeline.json", *_timeline_pages(event)}
            pages |= {entity_path(entity.id) for entity in event.entities}
    for claim in index.claims:
        if ("claim", claim.item.id) in wanted:
            pages |= {"claims.html", claims_path(claim.article.date)}
            pages |= {verdict_path(claim.item.status), verdict_path(claim.item.status, claim.article.date)}
            pages |= {source_path(source_id) for source_id in claim.item.sources}
            pages |= {entity_path(entity.id) for entity in claim.entities}
    return pages


def _is_key(page: str) -> bool:
    return page.partition(":")[0] in SHARED_KINDS


def _listed(digests: dict[str, int]) -> set[str]:
    """Return the pages among the keys of DIGESTS (not the keys of claims and events)."""
    return {page for page in digests if not _is_key(page)}


SERIES = ("archive", "claims", "timeline", *(f"claims/{status}" for status in CLAIM_STATUSES))
"""The folders of list pages by month (YYYY-MM.html; the timeline's also by year, YYYY.html), each page
linking to the one before and after it; the claims of each verdict have such a series of their own."""

_DATED = re.compile(r"\d{4}(-\d{2})?\.html")
"""The name of a page of a series: a year or a month (not the page of a verdict, beside them)."""


def neighbours_stale(paths: Collection[str], site_dir: Path) -> set[str]:
    """Return the pages among PATHS whose neighbours in their series differ from those of the site at SITE_DIR.

    A month's page links to the months before and after it that have pages:
    when a month gets its first page or loses its last, the pages either side
    of it change, though nothing they list does.
    """
    stale: set[str] = set()
    for folder in SERIES:
        try:
            before = {f"{folder}/{name}" for name in os.listdir(site_dir / folder) if _DATED.fullmatch(name)}
        except OSError:
            before = set()
        after = {path for path in paths if path.startswith(f"{folder}/") and _DATED.fullmatch(path[len(folder) + 1 :])}
        for length in {len(path) for path in before | after}:  # months and years are two series
            new = sorted(path for path in after if len(path) == length)
            for path in {path for path in before ^ after if len(path) == length}:
                i = bisect.bisect_left(new, path)
                beside = [i - 1, i + 1] if i < len(new) and new[i] == path else [i - 1, i]
                stale |= {new[j] for j in beside if 0 <= j < len(new)}
    return stale


def subpages_stale(stale: Collection[str], paths: Collection[str], site_dir: Path) -> set[str]:
    """Return the archive pages of the entities whose page is in STALE: those among PATHS (the pages to be) and
    those the site at SITE_DIR has (a page that is no longer among PATHS is to be removed).

    An entity's archive pages show what its page does of each article, a share of them each, and link to
    each other: when its page is stale, so are they all.
    """
    pages: set[str] = set()
    folders = {page.removesuffix(".html") + "/" for page in stale if page.startswith("entities/")}
    if not folders:
        return pages
    pages |= {path for path in paths if path[: path.rfind("/") + 1] in folders}
    for folder in folders:
        with contextlib.suppress(OSError):  # no such folder: the entity had no archive pages
            pages |= {folder + name for name in os.listdir(site_dir / folder) if name.endswith(".html")}
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
    """Return, for each list page ARTICLE is on, a hash of everything that page shows of it."""
    heading = (article.slug, article.title, article.date)
    glossary = hash(tuple(sorted(entity.id for entity in part.entities)))  # the glossary counts its articles
    listed = hash(
        (*heading, article.dateline, article.publisher, len(article.claims), len(part.events), len(part.entities))
    )
    claims = hash((heading, tuple(shown(p) for p in part.claims)))
    events = hash((heading, tuple(shown(p) for p in part.events)))
    digests = {
        "index.html": listed,
        archive_path(article.date): listed,
        "glossary.html": glossary,
        "claims.html": claims,  # it shows every claim on a small site
        "sources.html": hash(tuple(sorted(Counter(s for p in part.claims for s in p.item.sources).items()))),
        "timeline.html": events,  # the same
        "timeline.json": events,
        "feed.xml": hash((heading, article.lede)),  # and the sitemap, which shows less
    }
    for page, entities in _group_entities(part).items():
        digests[page] = hash(tuple(sorted(entities)))
    if part.claims:
        digests[claims_path(article.date)] = claims
    for status, of_status in _group(part.claims, lambda p: [p.item.status]).items():
        digest = hash((heading, tuple(shown(p) for p in of_status)))
        digests[verdict_path(status)] = digests[verdict_path(status, article.date)] = digest
    for page, on_page in _group(part.events, _timeline_pages).items():
        digests[page] = hash((heading, tuple(shown(p) for p in on_page)))
    for source_id, citing in _group(part.claims, lambda p: p.item.sources).items():
        digests[source_path(source_id)] = hash((heading, tuple(shown(p) for p in citing)))
    shared: dict[str, list[tuple[Any, ...]]] = {}  # "claim:ID" or "event:ID" → what it shows of each
    for claim in part.claims:
        shared.setdefault(f"claim:{claim.item.id}", []).append(shown(claim))
    for event in part.events:
        shared.setdefault(f"event:{event.item.id}", []).append(shown(event))
    for appearance in part.appearances:
        shared.setdefault(f"{appearance.item.kind}:{appearance.item.id}", []).append(shown(appearance))
    for key, views in shared.items():
        digests[key] = hash((heading, tuple(views)))
    return digests


def _group_entities(part: ArticleIndex) -> dict[str, list[str]]:
    """Return the glossary's pages by letter and kind that list the entities PART mentions, with their ids."""
    pages: dict[str, list[str]] = {}
    for entity in part.entities:
        for key in (glossary_letter(entity), entity.kind):
            pages.setdefault(glossary_path(key), []).append(entity.id)
    return pages


def _timeline_pages(event: Placed[Event]) -> list[str]:
    """Return the timeline pages EVENT is on: its month's (if it has one) and its year's, which counts it."""
    start = event.item.date.start
    return list(dict.fromkeys([timeline_path(start), timeline_path(year_of(start))]))


def _group(items: list[Placed[Item]], keys: Callable[[Placed[Item]], list[str]]) -> dict[str, list[Placed[Item]]]:
    """Return ITEMS by each of the KEYS(item) they are listed under."""
    groups: dict[str, list[Placed[Item]]] = {}
    for item in items:
        for key in keys(item):
            groups.setdefault(key, []).append(item)
    return groups


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
    return ids  # the entities an appearance's words mention are among its mentions
