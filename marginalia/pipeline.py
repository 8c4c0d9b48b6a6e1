"""The build, top to bottom: load, anchor, check, index, render, write.

Everything is written into a staging folder, which replaces the previous
site/ in one atomic exchange of folders only if every stage succeeded: a
failed or interrupted build leaves the previous site/ as it was. A build
holds the site's lock (lock.py) throughout: a second build into the same
site/ waits for it, instead of removing its staging folder as left over.

An article's own pages (its page and its annotation export) depend on
nothing but the article and the glossary, so they are rendered where the
article is read. The site-wide pages (entity pages, lists, exports) need
the index of every article. On a large site both halves run in a pool of
forked worker processes: the first reads, anchors, checks, indexes and
renders each article, and sends back only what the index needs; the second
(forked once the index is built) renders the rest.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import gc
import itertools
import multiprocessing
import os
import pickle
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from multiprocessing.reduction import ForkingPickler
from pathlib import Path
from typing import Any

from . import cache
from .anchor import anchor_article
from .changes import neighbours_stale, shared_pages, stale_pages, subpages_stale
from .check import (
    Contribution,
    NameFinder,
    article_ids,
    article_references,
    article_shared,
    site_problems,
    unannotated_names,
    unsourced_claims,
)
from .config import Config
from .errors import ContentError, Problem
from .export import article_export, exports_annotations, timeline_entry
from .index import ArticleIndex, Index, build_index, index_article
from .load import Problems, article_paths, load_article, load_registries
from .lock import site_lock
from .markup import make_markdown
from .model import Article, Content, Entity
from .render import Page, Renderer
from .schema import compile_schemas
from .search import index_search
from .urls import annotations_path

PARALLEL_FROM = 64
"""Fewer articles than this are built in one process: starting workers would cost more."""


@dataclass
class BuildResult:
    """What a build did."""

    pages: int
    """Number of HTML pages written."""
    seconds: float
    """Wall time of the whole build."""
    warnings: list[Problem] = field(default_factory=list)


def check(config: Config, jobs: int = 0, use_cache: bool = False) -> list[Problem]:
    """Load, anchor and index the content; return every problem found, sorted.

    USE_CACHE: take what the last build found in the articles that did not change since (see cache.py).
    """
    return sorted(_prepare(config, jobs, use_cache=use_cache, check_only=True).problems, key=lambda p: p.sort_key)


def build(
    config: Config, jobs: int = 0, strict: bool = False, use_cache: bool = False, wait: bool = True
) -> BuildResult:
    """Build the site into config.site_dir; raise ContentError if the content has errors.

    JOBS is the number of worker processes; 0 means one per available core.
    STRICT: warnings stop the build too, before anything is written.
    USE_CACHE: reuse what the last build found in the articles that did not change (see cache.py).
    WAIT: if another process is writing the site (see lock.py), wait for it; else raise lock.Busy.
    """
    return full_build(config, jobs, strict, use_cache, wait)[0]


def _collections_paused(function: Callable[..., Any]) -> Callable[..., Any]:
    """Run FUNCTION with the cyclic garbage collector paused.

    What a build allocates before rendering (articles, index, the plan of
    pages) lives until its end: each collection would only scan it again, and
    at 10,000 articles a full collection takes a second. Rendering runs with
    all that frozen (see _in_workers).
    """

    @functools.wraps(function)
    def paused(*args: Any, **kwargs: Any) -> Any:
        enabled = gc.isenabled()
        gc.disable()
        try:
            return function(*args, **kwargs)
        finally:
            if enabled:
                gc.enable()

    return paused


@dataclass
class ArticleResult:
    """One article as read, with what the build found out about it on the way."""

    path: Path
    """The .md file."""
    article: Article | None
    """None if it could not be read."""
    part: ArticleIndex | None
    """What it adds to the index."""
    problems: list[Problem]
    """Found loading, anchoring and linting it (W501)."""
    references: list[Problem]
    """Its unknown entity and source ids (check.article_references)."""
    written: list[str] = field(default_factory=list)
    """Its own pages, once written into the staging folder."""
    complete: bool = True
    """False if it has errors (its files or some of its annotations could not be read, anchored or
    resolved): then what it lacks is not linted (W501 here, W502 and W503 anywhere), which would only
    echo its errors."""


@_collections_paused
def full_build(
    config: Config, jobs: int = 0, strict: bool = False, use_cache: bool = False, wait: bool = True
) -> tuple[BuildResult, Prepared]:
    """Build the site as `build` does; return its result, and what the build knew at its end (for the dev server)."""
    started = time.perf_counter()
    with site_lock(config.site_dir, wait=wait):  # from the first read of the cache to its save after the swap
        prepared, pages = _locked_build(config, jobs, strict, use_cache)
    warnings = [p for p in prepared.problems if p.severity != "error"]
    return BuildResult(pages, time.perf_counter() - started, warnings), prepared


def _locked_build(config: Config, jobs: int, strict: bool, use_cache: bool) -> tuple[Prepared, int]:
    """Build the site, holding its lock; return what the build knew at its end, and the number of HTML pages."""
    recover_site(config.site_dir)
    done: list[tuple[Prepared, int]] = []  # what fill() prepared, and the number of HTML pages

    def fill(staging: Path) -> None:
        prepared = _prepare(config, jobs, staging, use_cache)
        problems, content, index = prepared.problems, prepared.content, prepared.index
        if any(p.severity == "error" or strict for p in problems):
            raise ContentError(sorted(problems, key=lambda p: p.sort_key))  # the staging folder is dropped
        plan = prepared.renderer.plan(content, index)
        written = {path for a in prepared.articles for path in a.written}
        rest = {path: make for path, make in plan.items() if path not in written}
        if prepared.cache_key is None:
            cache.clear(config)  # nothing in it would describe the site this build puts in place
        else:
            cache.forget(config)  # its manifest describes the site this build replaces; save() writes the new one
        if prepared.stale is not None:
            stale = prepared.stale | neighbours_stale(plan, config.site_dir)
            stale = subpages_stale(stale, plan, config.site_dir, index)
            rest = _keep_unchanged(rest, stale, config.site_dir, staging)
        _render_pages(rest, staging, _workers(jobs, len(rest)), index)
        if config.search and prepared.cache_key is None:
            index_search(staging, content, index)
        elif config.search:  # an article's claims have the same records while its files and the site key are
            hashes = prepared.hashes.items()
            keys = {name.removesuffix(".md"): f"{prepared.cache_key}:{digest}" for name, digest in hashes if digest}
            index_search(staging, content, index, cache.search_dir(config), keys)
        done.append((prepared, sum(path.endswith(".html") for path in plan)))

    try:
        write_site(config.site_dir, config.templates_dir / "assets", fill)
    except BaseException:
        if use_cache:
            cache.discard_pending(config)
        raise
    prepared, pages = done[0]
    if prepared.cache_key is not None:  # only now: the cache describes the site that is in place
        cache.save(config, prepared.cache_key, manifest=prepared.hashes, stamps=prepared.stamps)
    return prepared, pages


@dataclass
class Prepared:
    """What the stages before the site-wide pages found: everything rendering them needs."""

    problems: Problems
    content: Content
    index: Index
    renderer: Renderer
    articles: list[ArticleResult]
    registry_problems: list[Problem]
    """Found in the glossary and the sources."""
    names: NameFinder
    """The glossary's names, for the unannotated-name lint."""
    cache_key: str | None = None
    """The site key the build cache is to be saved under, if it is used."""
    hashes: dict[str, str] = field(default_factory=dict)
    """.md file name → content hash, for the build cache."""
    stamps: dict[str, tuple[cache.ArticleStamp, str]] = field(default_factory=dict)
    """The memo of cache.content_hashes, to save with the cache."""
    reused: set[str] = field(default_factory=set)
    """.md file names of the articles taken from the build cache."""
    stale: set[str] | None = None
    """The site-wide pages of the previous site that changed articles make stale; None: all of them."""


@_collections_paused
def _prepare(
    config: Config, jobs: int = 0, staging: Path | None = None, use_cache: bool = False, check_only: bool = False
) -> Prepared:
    """Run the stages before the site-wide pages; return the problems, and what rendering them needs.

    With a STAGING folder, each article's own pages (its page and its
    annotation export) are written there as soon as it is read: they depend on
    nothing but the article and the glossary. USE_CACHE: an article whose
    files did not change since the last build is not read again; its pages
    are taken from the previous site. CHECK_ONLY: only the problems are
    wanted (`check`); an article not read again gives only what the checks
    across articles need of it, and the index is not built (it is left empty).
    """
    problems = Problems()
    entities, sources, unreadable = load_registries(config.content_dir, problems)
    registry_problems = list(problems)
    content = Content([], entities, sources, unreadable)
    renderer = Renderer(config, make_markdown())
    paths = article_paths(config.content_dir, problems)
    results: list[ArticleResult] = []
    if any(p.severity == "error" for p in problems):  # in the glossary or the sources: the build will stop
        staging = None
    key: str | None = None
    hashes: dict[str, str] = {}
    stamps: dict[str, tuple[cache.ArticleStamp, str]] = {}
    previous: dict[str, str] | None = None
    reused: list[ArticleResult] = []
    pending: Path | None = None
    known: list[Contribution] = []  # of the articles `check` does not read again
    if use_cache and check_only:
        hashes, stamps = cache.content_hashes(config, paths)
        paths, known = _known(config, cache.site_key(config), paths, hashes)
    elif use_cache:
        this_key = cache.site_key(config)
        hashes, stamps = cache.content_hashes(config, paths)
        paths, reused = _reuse(config, this_key, paths, hashes, staging, entities)
        if staging is not None:  # a build, which saves the cache of the site it puts in place (`check` only reads)
            key = this_key
            previous = cache.load_manifest(config, key)
            pending = cache.pending_dir(config, key)
            pending.mkdir(parents=True, exist_ok=True)
    names = NameFinder(content)
    shared: dict[str, Any] = {
        "renderer": renderer,
        "content": content,
        "names": names,
        "folder": staging,
        "pending": pending,
        "hashes": hashes,
    }
    for found in [*reused, *_in_workers(_read_chunk, paths, _workers(jobs, len(paths)), **shared)]:
        if found.article is not None:
            content.articles.append(found.article)
        results.append(found)
    content.articles.sort(key=lambda a: (a.date, a.slug), reverse=True)
    site_problems(content, itertools.chain(known, map(contribution, results)), problems)
    if check_only:
        return Prepared(problems, content, Index(), renderer, results, registry_problems, names)
    parts = {r.article.slug: r.part for r in results if r.article is not None and r.part is not None}
    index = build_index(content, parts)
    reused_names = {r.path.name for r in reused}
    stale = None
    if key is not None and previous is not None:
        read = [r for r in results if r.path.name not in reused_names]
        stale = _stale(config, key, previous, read, hashes, entities)
        if stale is not None:
            stale = shared_pages(stale, index)
    return Prepared(
        problems,
        content,
        index,
        renderer,
        results,
        registry_problems,
        names,
        cache_key=key,
        hashes=hashes,
        stamps=stamps,
        reused=reused_names,
        stale=stale,
    )


def _reuse(
    config: Config,
    key: str,
    paths: list[Path],
    hashes: dict[str, str],
    staging: Path | None,
    entities: dict[str, Entity],
) -> tuple[list[Path], list[ArticleResult]]:
    """Return the PATHS still to read, and what the build cache gives for the others (naming ENTITIES).

    With a STAGING folder, an article is taken from the cache only if its pages can be put there from
    the previous site; without, only what was found in it is wanted (`check`).
    """
    to_read, reused = [], []
    for path in paths:
        found = cache.load(config, key, path.name, hashes[path.name], entities)
        if found is not None and (
            staging is None or (found.written and cache.reuse_pages(found.written, config.site_dir, staging))
        ):
            reused.append(found)
        else:
            to_read.append(path)
    return to_read, reused


def _known(
    config: Config, key: str, paths: list[Path], hashes: dict[str, str]
) -> tuple[list[Path], list[Contribution]]:
    """Return the PATHS still to read, and what the build cache of KEY says the others bring to the checks."""
    to_read, known = [], []
    for path in paths:
        found = cache.load_contribution(config, key, path.name, hashes[path.name])
        if found is None:
            to_read.append(path)
        else:
            known.append(found)
    return to_read, known


def _stale(
    config: Config,
    key: str,
    previous: dict[str, str],
    read: list[ArticleResult],
    hashes: dict[str, str],
    entities: dict[str, Entity],
) -> set[str] | None:
    """Return the site-wide pages of the previous site that the articles READ or removed since make stale.

    PREVIOUS is the manifest of that site (file name → content hash), HASHES
    that of this build. The version each article had there comes from the
    cache; None if one cannot be found: then nothing is known to be unchanged.
    """
    changes = [(r.path.name, r) for r in read] + [(name, None) for name in previous if name not in hashes]
    stale: set[str] = set()
    for name, after in changes:
        before = None
        if name in previous:
            before = cache.load(config, key, name, previous[name], entities)
            if before is None:
                return None
        stale |= stale_pages(before, after)
    return stale


def _keep_unchanged(
    plan: dict[str, Callable[[], Page]], stale: set[str], site_dir: Path, staging: Path
) -> dict[str, Callable[[], Page]]:
    """Link the pages of PLAN that are not STALE from the previous site into STAGING; return those left to render."""
    return {
        path: make for path, make in plan.items() if path in stale or not cache.reuse_pages([path], site_dir, staging)
    }


def read_article(path: Path, renderer: Renderer, content: Content, names: NameFinder) -> ArticleResult:
    """Read, anchor, check and index the article at PATH, against the glossary and sources in CONTENT."""
    problems = Problems()
    article = load_article(path, problems)
    if article is None:
        return ArticleResult(path, None, None, list(problems), [], complete=False)
    anchor_article(article, renderer.md, problems)
    references = article_references(article, content)
    complete = not any(p.severity == "error" for p in [*problems, *references])
    if complete:
        problems.extend(unannotated_names(article, names))
    problems.extend(unsourced_claims(article))
    part = index_article(article, content)
    part.timeline = [timeline_entry(placed, renderer.config) for placed in part.events]
    return ArticleResult(path, article, part, list(problems), references, complete=complete)


def contribution(found: ArticleResult) -> Contribution:
    """Return what the article FOUND brings to the checks across articles."""
    article, part = found.article, found.part
    return Contribution(
        slug=found.path.stem,
        date=article.date if article is not None else "",
        problems=[*found.problems, *found.references],
        ids=article_ids(article) if article is not None else [],
        shared=article_shared(article, _event_entities(part)) if article is not None else [],
        mentioned=frozenset([entity.id for entity in part.entities]) if part is not None else frozenset(),
        cited=frozenset(s for claim in article.claims for s in claim.sources) if article is not None else frozenset(),
        complete=found.complete,
        read=article is not None,
    )


def _event_entities(part: ArticleIndex | None) -> dict[str, frozenset[str]]:
    """Return event id → the ids of its entities (listed or mentioned in its quote), of the events of PART."""
    if part is None:
        return {}
    return {placed.item.id: frozenset(e.id for e in placed.entities) for placed in part.events}


def prepare_to_read(renderer: Renderer) -> None:
    """Make now what reading an article and rendering pages make the first time: the schemas' checks and the
    compiled templates. For the dev server: after a build that took every article from the build cache and
    rendered no page, its first edit would make them."""
    compile_schemas()
    for name in renderer.env.list_templates(filter_func=lambda name: name.endswith(".html")):
        renderer.env.get_template(name)


def article_pages(article: Article, part: ArticleIndex, renderer: Renderer, content: Content) -> list[Page]:
    """Return ARTICLE's own pages: its page and, with site_url, its annotation export (they need no other article)."""
    own_index = Index(entities_of_article={article.slug: part.entities})
    pages = [renderer.article_page(article, {"content": content, "index": own_index})]
    if exports_annotations(renderer.config):
        pages.append(Page(annotations_path(article.slug), article_export(article, content, renderer.config)))
    return pages


# --- Worker processes --------------------------------------------------------
# Workers are forked, so they share the parent's state as it was at the fork:
# _SHARED holds what they need, set just before the pool starts.

_SHARED: dict[str, Any] = {}


def _workers(jobs: int, articles: int) -> int:
    """Return how many processes to use for a site of ARTICLES articles."""
    if articles < PARALLEL_FROM or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    if jobs:
        return jobs
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def _in_workers(
    function: Callable[[list[Any]], list[Any]], items: list[Any], workers: int, chunk: int = 64, **shared: Any
) -> Iterator[Any]:
    """Yield FUNCTION's results over ITEMS, in order, computed in chunks of at most CHUNK by WORKERS processes.

    This process is one of them: one process fewer is one copy fewer of what
    this one holds (a forked process soon copies every memory page whose
    objects it touches, if only to count references). The forked processes
    take the chunks from the first on, this one from the last back, each
    claiming a chunk before working on it, until they meet: however long each
    chunk takes, none is left waiting for the other.
    """
    _SHARED.clear()
    _SHARED.update(shared)
    gc.freeze()  # what exists now is not garbage: collections need not scan it (nor, in a worker, copy its pages)
    try:
        size = max(1, min(chunk, len(items) // (workers * 8)))
        chunks = [items[i : i + size] for i in range(0, len(items), size)]
        if workers <= 1:
            for part in chunks:
                yield from _run_chunk(function, part)
            return
        done: list[list[Any]] = [[] for _ in chunks]
        context = multiprocessing.get_context("fork")
        _SHARED["claimed"] = context.Array("b", len(chunks))  # chunk i taken: by this process or a forked one
        with context.Pool(workers - 1) as pool:
            elsewhere = pool.imap(functools.partial(_run_claimed, function), enumerate(chunks))
            for i in reversed(range(len(chunks))):
                if _claim(i):
                    done[i] = _run_chunk(function, chunks[i])
            for i, results in enumerate(elsewhere):
                if results is not None:
                    done[i] = results
        for results in done:
            yield from results
    finally:
        gc.unfreeze()
        _SHARED.clear()


def _claim(i: int) -> bool:
    """Claim chunk I for the calling process; False if another process has it."""
    claimed = _SHARED["claimed"]
    with claimed.get_lock():
        if claimed[i]:
            return False
        claimed[i] = 1
        return True


def _run_claimed(function: Callable[[list[Any]], list[Any]], task: tuple[int, list[Any]]) -> list[Any] | None:
    """Return FUNCTION's results over the chunk of TASK (its index, its items); None if it was claimed already."""
    i, chunk = task
    return _run_chunk(function, chunk) if _claim(i) else None


def _run_chunk(function: Callable[[list[Any]], list[Any]], chunk: list[Any]) -> list[Any]:
    """Return FUNCTION's results over CHUNK, then collect the garbage it left.

    Only the young objects are looked at (what survives is never scanned
    again): automatic collections are paused for the whole build, in this
    process and in the forked ones alike, and this is the only collection.
    """
    results = function(chunk)
    gc.collect(1)
    return results


def _read_chunk(paths: list[Path]) -> list[ArticleResult]:
    """Read each article of PATHS; write its own pages if there is a staging folder and it has no error."""
    renderer: Renderer = _SHARED["renderer"]
    content: Content = _SHARED["content"]
    folder: Path | None = _SHARED["folder"]
    results = []
    for path in paths:
        found = read_article(path, renderer, content, _SHARED["names"])
        article = found.article
        if article is not None and found.part is not None:
            if folder is not None and not any(p.severity == "error" for p in [*found.problems, *found.references]):
                pages = article_pages(article, found.part, renderer, content)
                write_pages(pages, folder)
                found.written = [page.path for page in pages]
                article.drop_text()  # large to send between processes and to keep
            article.tokens, article.title_tokens = [], []
            if found.written and _SHARED["pending"] is not None:  # here: both processes pickle, at once
                cache.stage(_SHARED["pending"], path.name, _SHARED["hashes"][path.name], found, contribution(found))
        results.append(found)
    return results


def _send_entity(entity: Entity) -> str | tuple[Any, ...]:
    """Pickle a glossary entity, between the build's processes, as its id.

    Every article's results name its entities; sent whole, each would arrive
    as a copy (about 1 KB per article, to unpickle and then throw away). Both
    ends hold the same glossary, forked. An entity that is not the glossary's
    own is sent whole.
    """
    content = _SHARED.get("content")
    if content is not None and content.entities.get(entity.id) is entity:
        return _glossary_entity, (entity.id,)
    return entity.__reduce_ex__(pickle.HIGHEST_PROTOCOL)


def _glossary_entity(entity_id: str) -> Entity:
    return _SHARED["content"].entities[entity_id]  # type: ignore[no-any-return]


ForkingPickler.register(Entity, _send_entity)


def _render_pages(plan: dict[str, Callable[[], Page]], folder: Path, workers: int, index: Index) -> None:
    """Render every page of PLAN into FOLDER, the largest first, a few at a time.

    Pages differ in size by a factor of thousands (the claims list, an entity
    mentioned in every other article): taken in this order, no worker is left
    alone with a large page at the end.
    """

    lists: dict[str, dict[str, list[Any]]] = {
        "entities": index.mentions,
        "claims": index.claims_by_month,
        "timeline": {**index.events_by_year, **index.events_by_month},
        "sources": index.claims_of_source,
    }

    def size(path: str) -> int:
        folder, _, name = path.rpartition("/")
        if folder:
            return len(lists.get(folder, {}).get(name.rsplit(".", 1)[0], ()))
        return len(index.claims) + len(index.timeline)  # a page of the whole site

    order = sorted(plan, key=lambda path: (-size(path), path))
    for _ in _in_workers(_render_chunk, order, workers, chunk=4, plan=plan, folder=folder):
        pass


def _render_chunk(paths: list[str]) -> list[str]:
    plan, folder = _SHARED["plan"], _SHARED["folder"]
    write_pages((plan[path]() for path in paths), folder)
    return paths


def write_pages(pages: Iterator[Page] | list[Page], folder: Path) -> None:
    """Write PAGES under FOLDER."""
    for page in pages:
        target = folder / page.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(page.html, encoding="utf-8")


# --- Swapping the site in ------------------------------------------------------


def recover_site(site_dir: Path) -> None:
    """Put back the previous site if a build was killed between the two renames of the fallback swap."""
    retired = sorted(site_dir.parent.glob(f".{site_dir.name}.old-*"))
    if retired and not site_dir.exists():
        retired[-1].rename(site_dir)


def _left_over(name: str) -> bool:
    """Return whether the folder beside the site named NAME (after `.<site>.`) was left by a process that ended.

    Builds make theirs (new-PID, old-PID) holding the site's lock, which the
    caller holds: those are left over. The dev server makes its search index
    in search-PID-* without it, while the site is served: only the folder of
    a process that has ended is left over.
    """
    kind, _, rest = name.partition("-")
    pid = rest.partition("-")[0]
    if kind != "search" or not pid.isdigit():
        return True
    if os.name == "nt":  # os.kill would not ask there, but stop the process: keep the folder
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except OSError:  # it exists, but is another user's
        return False
    return False


def write_site(site_dir: Path, assets_dir: Path, fill: Callable[[Path], None]) -> None:
    """Make a fresh folder, FILL it, add the assets, then swap it in for SITE_DIR (the caller holds its lock)."""
    parent = site_dir.parent
    parent.mkdir(parents=True, exist_ok=True)
    for leftover in parent.glob(f".{site_dir.name}.*-*"):
        if _left_over(leftover.name.removeprefix(f".{site_dir.name}.")):
            shutil.rmtree(leftover, ignore_errors=True)
    staging = parent / f".{site_dir.name}.new-{os.getpid()}"
    retired = parent / f".{site_dir.name}.old-{os.getpid()}"
    try:
        shutil.copytree(assets_dir, staging / "assets")
        fill(staging)
        if not site_dir.exists():
            staging.rename(site_dir)
        elif not exchange_folders(staging, site_dir):
            site_dir.rename(retired)  # no atomic exchange here: a kill between these two renames
            staging.rename(site_dir)  # leaves .old-*, which the next build puts back first
    finally:
        shutil.rmtree(staging, ignore_errors=True)  # after an exchange, this is the old site
        if retired.exists() and not site_dir.exists():  # stopped between the two renames: put it back
            retired.rename(site_dir)
        shutil.rmtree(retired, ignore_errors=True)


def exchange_folders(a: Path, b: Path) -> bool:
    """Swap the folders A and B in one atomic step (Linux renameat2); return False where unsupported."""
    libc_name = ctypes.util.find_library("c") if sys.platform.startswith("linux") else None
    if not libc_name:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    at_fdcwd, rename_exchange = -100, 2
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    return result == 0
