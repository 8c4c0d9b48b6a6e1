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

An entity's archive pages hold its articles 25 a page from the oldest, each
linking to the pages either side: for each entity whose page is stale,
`stale_pages` gives a key of the article's place among its articles before
and after, which `subpages_stale` turns into the archive pages whose articles
or neighbours differ.

A month of many claims has several pages (claims/YYYY-MM.html, then
claims/YYYY-MM/2.html and on, see render.claims_pages), and so has a month
of many claims of one verdict (claims/VERDICT/YYYY-MM.html and on), and a
month of many events (timeline/YYYY-MM.html, then timeline/YYYY-MM/2.html
and on, see render.timeline_pages), and a year of many events known only by
year (timeline/YYYY.html and on), and a source cited by many claims
(sources/ID.html, then sources/ID/2.html and on, see render.source_pages):
they go stale together, whenever the first page does (`subpages_stale`).
A page that comes or goes so makes the sitemap stale (`pages_stale`). A
kind of many entries has a glossary page per letter (glossary/KIND/L.html),
stale with the entities it lists, as the kind's page. Many sources have a
page per letter of their titles (sources/a-z/L.html), stale with sources.html.

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
import posixpath
import re
from collections import Counter
from collections.abc import Callable, Collection, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .index import ArticleIndex, Index, Item, Placed, shown, year_of
from .model import CLAIM_STATUSES, Appearance, Article, Event, by_date
from .render import archive_chunks, entity_view, glossary_letter
from .urls import (
    archive_path,
    claims_path,
    entity_path,
    glossary_path,
    source_path,
    sources_letter_path,
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
    changed = _entities_changed(old, new)
    pages = {entity_path(entity_id) for entity_id in changed}
    pages |= {_parts_key(entity_id, old, new) for entity_id in changed}
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


def pages_stale(stale: set[str], index: Index, plan: Collection[str], site_dir: Path) -> set[str]:
    """Return the pages to render again, of the pages of PLAN (and those of the site at SITE_DIR), from what
    `stale_pages` gave for the articles that changed: STALE, with its keys made pages of the site's INDEX,
    and with the neighbours and further pages that go stale with them."""
    pages = shared_pages(stale, index)
    pages |= neighbours_stale(plan, site_dir)
    # a kind's pages by letter exist only for a kind of many entries: the glossary decides, not the article
    pages = {p for p in pages if not _KIND_LETTER.fullmatch(p) or p in plan or (site_dir / p).exists()}
    pages = subpages_stale(pages, plan, site_dir, index)
    if "sitemap.xml" in plan and any((page in plan) != (site_dir / page).exists() for page in pages):
        pages.add("sitemap.xml")  # a page came or went (a list's further page): the sitemap lists every page
    if "sitemap.xml" in pages:  # and its parts, past export.SITEMAP_URLS pages, those to be and those there
        pages |= {page for page in plan if page.startswith("sitemaps/")}
        pages |= {f"sitemaps/{part.name}" for part in (site_dir / "sitemaps").glob("*.xml")}
    return pages


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
            pages |= _pages_of_entities(event, index.reported("event", event.item.id))
    for claim in index.claims:
        if ("claim", claim.item.id) in wanted:
            pages |= {"claims.html", claims_path(claim.article.date)}
            pages |= {verdict_path(claim.item.status), verdict_path(claim.item.status, claim.article.date)}
            pages |= {source_path(source_id) for source_id in claim.item.sources}
            pages |= _pages_of_entities(claim, index.reported("claim", claim.item.id))
    return pages


def _pages_of_entities(placed: Placed[Any], reports: list[Placed[Appearance]]) -> set[str]:
    """Return the pages of the entities of PLACED, a claim or event shown differently, with keys for the
    archive pages that show it: the one holding its article, for the entities its article names; every
    one, for those only the passages that REPORT it name (their pages list its article because of them)."""
    reporting = {entity.id for report in reports for entity in report.entities}
    place = _place_text(placed.article)
    pages = {entity_path(entity.id) for entity in placed.entities}
    for entity in placed.entities:
        pages.add(_PARTS + entity.id if entity.id in reporting else f"{_PARTS}{entity.id}\t=\t{place}")
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


_SPLIT = re.compile(r"claims/([a-z]+/)?\d{4}-\d{2}\.html|timeline/\d{4}(-\d{2})?\.html|sources/[^/]+\.html")
"""The path of a month's own page of claims, or of those of a verdict, or of a month's or year's page of the
timeline, or of a source's page, which its further pages go stale with."""

_KIND_LETTER = re.compile(r"glossary/[a-z]+/[a-z]+\.html")
"""The path of the page of a kind's entries under one letter, which only a kind of many entries has."""

_PARTS = "entity-parts:"
"""The start of a key `stale_pages` and `shared_pages` give for the archive pages of an entity, which
`subpages_stale` turns into pages: "entity-parts:ID" for all of them, "entity-parts:ID<tab>OLD<tab>NEW" for
an article that came, went, moved or changed there (OLD, NEW: its place before and after, "DATE SLUG", or
"" where it was not among the entity's articles), "entity-parts:ID<tab>=<tab>PLACE" for one that stayed
where it is and shows something new there."""


def _parts_key(
    entity_id: str, before: tuple[Article, ArticleIndex] | None, after: tuple[Article, ArticleIndex] | None
) -> str:
    """Return the key of the archive pages of ENTITY_ID that an article changing from BEFORE to AFTER makes stale.

    A passage reporting a claim or event of another article makes that article one of the entity's when it
    names the entity: then which articles the entity has is not the article's alone to say, and every
    archive page of the entity is stale.
    """
    versions = [version for version in (before, after) if version is not None]
    if any(entity_id in (e.id for p in part.appearances for e in p.entities) for _, part in versions):
        return _PARTS + entity_id
    old, new = (_place_text(v[0]) if v is not None and _among(v[1], entity_id) else "" for v in (before, after))
    return f"{_PARTS}{entity_id}\t{old}\t{new}"


def _among(part: ArticleIndex, entity_id: str) -> bool:
    """Tell whether the article of PART is among those the pages of ENTITY_ID list, by its own annotations."""
    _, mentions, claims, events, _, _ = part.view_of(entity_id)
    return bool(mentions or claims or events)


def _place_text(article: Article) -> str:
    return f"{article.date} {article.slug}"


def subpages_stale(stale: set[str], paths: Collection[str], site_dir: Path, index: Index) -> set[str]:
    """Return STALE with the keys of entities' archive pages replaced by those pages, and with the further
    pages of each month of claims (or year of the timeline) in it: among PATHS (the pages to be), and among
    those of the site at SITE_DIR (a page no longer among PATHS is to be removed).

    Each archive page holds ENTITY_ARCHIVE_ARTICLES of the entity's articles, counted from the oldest, and
    links to the pages either side of it, naming their dates. So a page is stale when one of its articles
    changed, when which articles it holds changed (an article that comes or goes moves those of every page
    after its place by one), or when the dates of a page beside it or whether it has one did: a new newest
    article changes the last page, or adds one and changes the one before it.
    """
    keys = {page for page in stale if page.startswith(_PARTS)}
    pages = stale - keys
    folders = {page.removesuffix(".html") + "/" for page in pages if _SPLIT.fullmatch(page)}
    if "sources.html" in pages:  # its pages by letter show what it shows
        folders.add(posixpath.dirname(sources_letter_path("a")) + "/")
    for month in folders:
        pages |= {path for path in paths if path.startswith(month)}  # the month's further pages go with it
        with contextlib.suppress(OSError):  # no such folder: the month had one page
            pages |= {month + name for name in os.listdir(site_dir / month) if name.endswith(".html")}
    every: set[str] = set()
    moves: dict[str, dict[str, list[str]]] = {}  # entity id → slug → [its place before, after]
    touched: dict[str, set[str]] = {}  # entity id → places of articles changed where they are
    for key in keys:
        entity_id, *places = key[len(_PARTS) :].split("\t")
        if not places:
            every.add(entity_id)
        elif places[0] == "=":
            touched.setdefault(entity_id, set()).add(places[1])
        else:
            slug = (places[0] or places[1]).partition(" ")[2]
            known = moves.setdefault(entity_id, {}).setdefault(slug, ["", ""])
            known[:] = [places[0] or known[0], places[1] or known[1]]
    for entity_id in every:
        folder = entity_path(entity_id).removesuffix(".html") + "/"
        pages |= {path for path in paths if path.startswith(folder) and "/" not in path[len(folder) :]}
        with contextlib.suppress(OSError):  # no such folder: the entity had no archive pages
            pages |= {folder + name for name in os.listdir(site_dir / folder) if name.endswith(".html")}
    for entity_id in (moves.keys() | touched.keys()) - every:
        changes = moves.get(entity_id, {}).values()
        entity = index.entities.get(entity_id)
        now = [_place_text(a.article) for a in entity_view(entity, index).articles] if entity else []
        then = set(now) - {new for _, new in changes} | {old for old, _ in changes if old}
        changed = {place for move in changes for place in move if place} | touched.get(entity_id, set())
        after, before = archive_chunks(now[::-1]), archive_chunks(sorted(then))
        for number in range(1, max(len(after), len(before)) + 1):
            if _part_shown(before, number) != _part_shown(after, number) or any(
                place in changed for chunks in (before, after) for place in _chunk(chunks, number)
            ):
                pages.add(entity_path(entity_id, number))
    return pages


def _chunk(chunks: list[Sequence[str]], number: int) -> Sequence[str]:
    return chunks[number - 1] if 0 < number <= len(chunks) else []


def _part_shown(chunks: list[Sequence[str]], number: int) -> tuple[Any, ...]:
    """Return what archive page NUMBER of CHUNKS (its articles' places, page 1 first) shows of which articles
    it and its neighbours hold: its articles, and the dates of the pages either side of it."""

    def dates(n: int) -> tuple[str, str] | None:
        chunk = _chunk(chunks, n)
        return (chunk[0].partition(" ")[0], chunk[-1].partition(" ")[0]) if chunk else None

    return (tuple(_chunk(chunks, number)), dates(number - 1), dates(number + 1))


def moved(before: ArticleResult | None, after: ArticleResult | None) -> bool:
    """Tell whether the article came, went, or has a new place in the order of articles (date, slug)."""
    old, new = _readable(before), _readable(after)
    if old is None or new is None:
        return old is not new
    return _place(old) != _place(new)


def _place(version: tuple[Article, ArticleIndex]) -> tuple[str, str]:
    """Return what orders the article among the others (`model.by_date`)."""
    return by_date(version[0])


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
    """Return the glossary's pages by letter and kind (and kind and letter, which a kind of many entries has)
    that list the entities PART mentions, with their ids."""
    pages: dict[str, list[str]] = {}
    for entity in part.entities:
        letter = glossary_letter(entity)
        for page in (glossary_path(letter), glossary_path(entity.kind), glossary_path(entity.kind, letter)):
            pages.setdefault(page, []).append(entity.id)
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
