"""The build, top to bottom: load, anchor, check, index, render, write.

Nothing is written until every stage has succeeded, and the new site
replaces the old one in one atomic exchange of folders, so a failed or
interrupted build leaves the previous site/ as it was.

Articles are independent until the index, and pages are independent once it
exists, so both halves run in a pool of worker processes on a large site:
workers read, anchor and pre-render articles, then (forked again once the
index is built) render and write pages straight into the staging folder.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import multiprocessing
import os
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .anchor import anchor_article, make_markdown
from .check import check_references, lint
from .config import Config
from .errors import ContentError, Problem
from .export import index_search
from .index import Index, build_index
from .load import Problems, article_paths, load_article, load_registries
from .model import Article, Content
from .render import Page, Renderer

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


def check(config: Config, jobs: int = 0) -> list[Problem]:
    """Load, anchor and index the content; return every problem found, sorted."""
    problems, _ = _prepare(config, jobs, render=False)
    return sorted(problems, key=lambda p: p.sort_key)


def build(config: Config, jobs: int = 0, strict: bool = False) -> BuildResult:
    """Build the site into config.site_dir; raise ContentError if the content has errors.

    JOBS is the number of worker processes; 0 means one per available core.
    STRICT: warnings stop the build too, before anything is written.
    """
    started = time.perf_counter()
    recover_site(config.site_dir)
    problems, (content, index, renderer) = _prepare(config, jobs)
    if any(p.severity == "error" or strict for p in problems):
        raise ContentError(sorted(problems, key=lambda p: p.sort_key))
    plan = renderer.plan(content, index)

    def fill(staging: Path) -> None:
        _render_pages(plan, staging, _workers(jobs, len(content.articles)))
        if config.search:
            index_search(staging, content, index)

    write_site(config.site_dir, config.templates_dir / "assets", fill)
    html_pages = sum(path.endswith(".html") for path in plan)
    return BuildResult(html_pages, time.perf_counter() - started, [p for p in problems if p.severity != "error"])


def _prepare(config: Config, jobs: int = 0, render: bool = True) -> tuple[Problems, tuple[Content, Index, Renderer]]:
    """Run the stages before rendering; return the problems, and what rendering needs.

    RENDER: also render each article's body where it is anchored (`check` needs no HTML).
    """
    problems = Problems()
    entities, sources, unreadable = load_registries(config.content_dir, problems)
    content = Content([], entities, sources, unreadable)
    renderer = Renderer(config, make_markdown())
    paths = article_paths(config.content_dir, problems)
    for article, found in _read_articles(paths, renderer if render else None, content, _workers(jobs, len(paths))):
        problems.extend(found)
        if article is not None:
            content.articles.append(article)
    content.articles.sort(key=lambda a: (a.date, a.slug), reverse=True)
    check_references(content, problems)
    index = build_index(content)
    lint(content, index, problems)
    return problems, (content, index, renderer)


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
    function: Callable[[list[Any]], list[Any]], items: list[Any], workers: int, **shared: Any
) -> Iterator[Any]:
    """Yield FUNCTION's results over ITEMS, in chunks, in WORKERS forked processes (or here, for 1)."""
    _SHARED.clear()
    _SHARED.update(shared)
    try:
        if workers <= 1:
            yield from function(items)
            return
        size = max(1, min(64, len(items) // (workers * 8)))
        chunks = [items[i : i + size] for i in range(0, len(items), size)]
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            for results in pool.imap(function, chunks):
                yield from results
    finally:
        _SHARED.clear()


def _read_articles(paths: list[Path], renderer: Renderer | None, content: Content, workers: int) -> Iterator[Any]:
    """Yield (article or None, problems) for each of PATHS, read, anchored and (with RENDERER) pre-rendered."""
    return _in_workers(_read_chunk, paths, workers, renderer=renderer, content=content)


def _read_chunk(paths: list[Path]) -> list[tuple[Article | None, list[Problem]]]:
    renderer: Renderer | None = _SHARED["renderer"]
    md = renderer.md if renderer is not None else make_markdown()
    results = []
    for path in paths:
        problems = Problems()
        article = load_article(path, problems)
        if article is not None:
            anchor_article(article, md, problems)
            if renderer is not None:
                renderer.prerender(article, _SHARED["content"])
        results.append((article, list(problems)))
    return results


def _render_pages(plan: dict[str, Callable[[], Page]], folder: Path, workers: int) -> None:
    """Render every page of PLAN into FOLDER."""
    for _ in _in_workers(_render_chunk, sorted(plan), workers, plan=plan, folder=folder):
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


def write_site(site_dir: Path, assets_dir: Path, fill: Callable[[Path], None]) -> None:
    """Make a fresh folder, FILL it, add the assets, then swap it in for SITE_DIR."""
    parent = site_dir.parent
    parent.mkdir(parents=True, exist_ok=True)
    for leftover in parent.glob(f".{site_dir.name}.*-*"):
        shutil.rmtree(leftover, ignore_errors=True)
    staging = parent / f".{site_dir.name}.new-{os.getpid()}"
    retired = parent / f".{site_dir.name}.old-{os.getpid()}"
    try:
        shutil.copytree(assets_dir, staging / "assets")
        fill(staging)
        if not site_dir.exists():
            staging.rename(site_dir)
        elif not _exchange(staging, site_dir):
            site_dir.rename(retired)  # no atomic exchange here: a kill between these two renames
            staging.rename(site_dir)  # leaves .old-*, which the next build puts back first
    finally:
        shutil.rmtree(staging, ignore_errors=True)  # after an exchange, this is the old site
        if retired.exists() and not site_dir.exists():  # stopped between the two renames: put it back
            retired.rename(site_dir)
        shutil.rmtree(retired, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
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
