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
forked worker processes (workers.py): the first reads, anchors, checks,
indexes and renders each article, and sends back only what the index needs;
the second (forked once the index is built) renders the rest. What all
articles tell together (the checks across them, their order) is the
incremental core's (engine.py), which `check` and the dev server use too.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import functools
import gc
import os
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import cache, workers
from .anchor import anchor_article
from .changes import pages_stale
from .check import (
    Contribution,
    NameFinder,
    article_references,
    unannotated_names,
    unsourced_claims,
)
from .config import Config
from .engine import Edit, Engine, contribution
from .errors import ContentError, Problem, Problems
from .export import article_export, exports_annotations, timeline_entry
from .index import ArticleIndex, Index, build_index, index_article
from .load import article_paths, load_article, load_registries
from .lock import site_lock
from .markup import make_markdown
from .model import Article, Content, Entity
from .render import Page, Renderer
from .schema import compile_schemas
from .search import index_search
from .urls import annotations_path

__all__ = ["ArticleResult", "BuildResult", "build", "check", "full_build", "read_article"]


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
    all that frozen (see workers.in_workers).
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


@_collections_paused
def full_build(
    config: Config, jobs: int = 0, strict: bool = False, use_cache: bool = False, wait: bool = True
) -> tuple[BuildResult, Prepared]:
    """Build the site as `build` does; return its result, and what the build knew at its end (for the dev server)."""
    started = time.perf_counter()
    with site_lock(config.site_dir, wait=wait):  # from the first read of the cache to its save after the swap
        recover_site(config.site_dir)
        try:
            with staging_site(config.site_dir, config.templates_dir / "assets") as staging:
                prepared = _prepare(config, jobs, staging, use_cache)  # load, anchor, check; each article's pages
                _stop_on_errors(prepared.problems, strict)  # the staging folder is dropped
                plan = prepared.renderer.plan(prepared.content, prepared.index)
                _retire_cache(config, prepared)
                _render_site_pages(config, prepared, plan, staging, jobs)
                _index_search(config, prepared, staging)
        except BaseException:
            if use_cache:
                cache.discard_pending(config)
            raise
        if prepared.cache_key is not None:  # only now: the cache describes the site that is in place
            cache.save(config, prepared.cache_key, manifest=prepared.hashes, stamps=prepared.stamps)
    pages = sum(path.endswith(".html") for path in plan)
    warnings = [p for p in prepared.problems if p.severity != "error"]
    return BuildResult(pages, time.perf_counter() - started, warnings), prepared


def _stop_on_errors(problems: list[Problem], strict: bool) -> None:
    """Raise ContentError with every problem if one is an error (or, if STRICT, a warning)."""
    if any(p.severity == "error" or strict for p in problems):
        raise ContentError(sorted(problems, key=lambda p: p.sort_key))


def _retire_cache(config: Config, prepared: Prepared) -> None:
    """Remove from the build cache what describes the site this build replaces (save() writes the new one)."""
    if prepared.cache_key is None:
        cache.clear(config)  # nothing in it would describe the site this build puts in place
    else:
        cache.forget(config)


def _render_site_pages(
    config: Config, prepared: Prepared, plan: dict[str, Callable[[], Page]], staging: Path, jobs: int
) -> None:
    """Render into STAGING the pages of PLAN not written yet: those that changed, or all if that is not known.

    With the cache, a site-wide page that no changed article makes stale is
    linked from the previous site instead.
    """
    written = {path for a in prepared.articles for path in a.written}
    rest = {path: make for path, make in plan.items() if path not in written}
    if prepared.stale is not None:
        stale = pages_stale(prepared.stale, prepared.index, plan, config.site_dir)
        rest = _keep_unchanged(rest, stale, config.site_dir, staging)
    _render_pages(rest, staging, workers.count(jobs, len(rest)), prepared.index)


def _index_search(config: Config, prepared: Prepared, staging: Path) -> None:
    """Make the search index in STAGING, with the search bundles of the build cache where it is used."""
    if not config.search:
        return
    if prepared.cache_key is None:
        index_search(staging, prepared.content, prepared.index)
        return
    # an article's claims have the same records while its files and the site key are the same
    hashes = prepared.hashes.items()
    keys = {name.removesuffix(".md"): f"{prepared.cache_key}:{digest}" for name, digest in hashes if digest}
    index_search(staging, prepared.content, prepared.index, cache.search_dir(config), keys)


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


@dataclass
class Prepared:
    """What the stages before the site-wide pages found: everything rendering them needs."""

    problems: list[Problem]
    content: Content
    index: Index
    renderer: Renderer
    articles: list[ArticleResult]
    engine: Engine
    """Every article as read, and the checks across them (the dev server goes on with it)."""
    names: NameFinder
    """The glossary's names, for the unannotated-name lint."""
    cache_key: str | None = None
    """The site key the build cache is to be saved under, if it is used."""
    hashes: dict[str, str] = field(default_factory=dict)
    """.md file name → content hash, for the build cache."""
    stamps: dict[str, tuple[cache.ArticleStamp, str]] = field(default_factory=dict)
    """The memo of cache.content_hashes, to save with the cache."""
    stale: set[str] | None = None
    """The site-wide pages (and keys, see changes.py) of the previous site that changed articles make stale;
    None: all of them."""


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
    engine, paths = _load_registries(config)
    if any(p.severity == "error" for p in [*engine.registry_problems, *engine.folder_problems]):  # the build will stop
        staging = None
    renderer = Renderer(config, make_markdown())
    names = NameFinder(engine.content)
    saved = _from_cache(config, paths, staging, engine.content.entities, check_only) if use_cache else _Saved(paths)
    for name, known in saved.known:
        engine.put_contribution(name, known)
    read = workers.in_workers(
        _read_chunk,
        saved.to_read,
        workers.count(jobs, len(saved.to_read)),
        renderer=renderer,
        content=engine.content,
        names=names,
        folder=staging,
        pending=saved.pending,
        hashes=saved.hashes,
    )
    results = [*saved.reused, *read]
    for found in results:
        engine.put(found.path.name, found, saved.hashes.get(found.path.name, ""))
    engine.stamps = dict(saved.stamps)  # the dev server tells changed files with them, as the next build will
    content, problems = engine.site(), engine.problems()
    prepared = Prepared(problems, content, Index(), renderer, results, engine, names, saved.key, saved.hashes)
    prepared.stamps = saved.stamps
    if check_only:
        return prepared
    prepared.index = build_index(content, dict(engine.parts))
    if saved.key is not None and saved.previous is not None:
        reused = {found.path.name for found in saved.reused}
        changed = [found for found in results if found.path.name not in reused]
        prepared.stale = _stale(config, saved, changed, engine)
    return prepared


def _load_registries(config: Config) -> tuple[Engine, list[Path]]:
    """Return an engine holding the glossary and the sources (and their problems), and the article files."""
    problems = Problems()
    entities, sources, unreadable = load_registries(config.content_dir, problems)
    engine = Engine(Content([], entities, sources, unreadable), problems)
    folder_problems = Problems()
    paths = article_paths(config.content_dir, folder_problems)
    engine.folder_problems = list(folder_problems)
    return engine, paths


@dataclass
class _Saved:
    """What the build cache gives a build or `check` (see `_from_cache`)."""

    to_read: list[Path]
    """The article files to read: those the cache has nothing for."""
    hashes: dict[str, str] = field(default_factory=dict)
    stamps: dict[str, tuple[cache.ArticleStamp, str]] = field(default_factory=dict)
    reused: list[ArticleResult] = field(default_factory=list)
    """What reading each of the other articles found, with their pages put into the staging folder."""
    known: list[tuple[str, Contribution]] = field(default_factory=list)
    """`check`: what each of the other articles brings to the checks across articles, by file name."""
    key: str | None = None
    """A build: the site key the cache is to be saved under."""
    previous: dict[str, str] | None = None
    """A build: the manifest of the site in place."""
    pending: Path | None = None
    """A build: where the readers write their entries."""


def _from_cache(
    config: Config, paths: list[Path], staging: Path | None, entities: dict[str, Entity], check_only: bool
) -> _Saved:
    """Return what the build cache gives for the article files PATHS, and where the build saves its own."""
    hashes, stamps = cache.content_hashes(config, paths)
    key = cache.site_key(config)
    if check_only:
        to_read, known = _known(config, key, paths, hashes)
        return _Saved(to_read, hashes, stamps, known=known)
    to_read, reused = _reuse(config, key, paths, hashes, staging, entities)
    saved = _Saved(to_read, hashes, stamps, reused)
    if staging is not None:  # a build, which saves the cache of the site it puts in place (`check` only reads)
        saved.key, saved.previous = key, cache.load_manifest(config, key)
        saved.pending = cache.pending_dir(config, key)
        saved.pending.mkdir(parents=True, exist_ok=True)
    return saved


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
    the previous site; without, only what was found in it is wanted.
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
) -> tuple[list[Path], list[tuple[str, Contribution]]]:
    """Return the PATHS still to read, and what the build cache of KEY says the others bring to the checks."""
    to_read, known = [], []
    for path in paths:
        found = cache.load_contribution(config, key, path.name, hashes[path.name])
        if found is None:
            to_read.append(path)
        else:
            known.append((path.name, found))
    return to_read, known


def _stale(config: Config, saved: _Saved, read: list[ArticleResult], engine: Engine) -> set[str] | None:
    """Return the site-wide pages (and keys) of the previous site that the articles READ or removed since make
    stale.

    The manifest of that site (file name → content hash) gives the version
    of each article it shows, which comes from the cache; None if one cannot
    be found: then nothing is known to be unchanged.
    """
    assert saved.key is not None and saved.previous is not None
    changes: dict[str, ArticleResult | None] = {found.path.name: found for found in read}
    changes.update((name, None) for name in saved.previous if name not in saved.hashes)
    before: dict[str, ArticleResult | None] = {}
    for name in changes:
        if name in saved.previous:
            before[name] = cache.load(config, saved.key, name, saved.previous[name], engine.content.entities)
            if before[name] is None:
                return None
        else:
            before[name] = None
    return engine.stale(Edit(before, changes))


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


def _read_chunk(paths: list[Path]) -> list[ArticleResult]:
    """Read each article of PATHS; write its own pages if there is a staging folder and it has no error."""
    shared = workers.SHARED
    renderer: Renderer = shared["renderer"]
    content: Content = shared["content"]
    folder: Path | None = shared["folder"]
    results = []
    for path in paths:
        found = read_article(path, renderer, content, shared["names"])
        article = found.article
        if article is not None and found.part is not None:
            if folder is not None and not any(p.severity == "error" for p in [*found.problems, *found.references]):
                pages = article_pages(article, found.part, renderer, content)
                write_pages(pages, folder)
                found.written = [page.path for page in pages]
                article.drop_text()  # large to send between processes and to keep
            article.tokens, article.title_tokens = [], []
            if found.written and shared["pending"] is not None:  # here: both processes pickle, at once
                cache.stage(shared["pending"], path.name, shared["hashes"][path.name], found, contribution(found))
        results.append(found)
    return results


def _render_pages(plan: dict[str, Callable[[], Page]], folder: Path, processes: int, index: Index) -> None:
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
    for _ in workers.in_workers(_render_chunk, order, processes, chunk=4, plan=plan, folder=folder):
        pass


def _render_chunk(paths: list[str]) -> list[str]:
    plan, folder = workers.SHARED["plan"], workers.SHARED["folder"]
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


@contextlib.contextmanager
def staging_site(site_dir: Path, assets_dir: Path) -> Iterator[Path]:
    """Make a fresh folder with the assets, for the caller to fill; then swap it in for SITE_DIR.

    The caller holds the site's lock. If filling it raises, the folder is
    dropped and SITE_DIR is left as it was.
    """
    parent = site_dir.parent
    parent.mkdir(parents=True, exist_ok=True)
    for leftover in parent.glob(f".{site_dir.name}.*-*"):
        if _left_over(leftover.name.removeprefix(f".{site_dir.name}.")):
            shutil.rmtree(leftover, ignore_errors=True)
    staging = parent / f".{site_dir.name}.new-{os.getpid()}"
    retired = parent / f".{site_dir.name}.old-{os.getpid()}"
    try:
        shutil.copytree(assets_dir, staging / "assets")
        yield staging
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
