"""The build, top to bottom: load, anchor, check, index, render, write.

Nothing is written until every stage has succeeded, and the new site
replaces the old one in a single rename, so a failed or interrupted build
leaves the previous site/ as it was.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .anchor import anchor_article, make_markdown
from .check import check_references, lint
from .export import index_search
from .config import Config
from .errors import ContentError, Problem
from .index import build_index
from .load import Problems, load_content
from .render import Page, Renderer


@dataclass
class BuildResult:
    """What a build did."""

    pages: int
    """Number of HTML pages written."""
    seconds: float
    """Wall time of the whole build."""
    warnings: list[Problem] = field(default_factory=list)


def check(config: Config) -> list[Problem]:
    """Load, anchor and index the content; return every problem found, sorted."""
    problems, _ = _prepare(config)
    return sorted(problems, key=lambda p: p.sort_key)


def build(config: Config) -> BuildResult:
    """Build the site into config.site_dir; raise ContentError if the content has errors."""
    started = time.perf_counter()
    _recover(config.site_dir)
    problems, prepared = _prepare(config)
    errors = [p for p in problems if p.severity == "error"]
    if errors or prepared is None:
        raise ContentError(sorted(problems, key=lambda p: p.sort_key))
    content, index, renderer = prepared
    pages = list(renderer.pages(content, index))
    _write_site(pages, config.templates_dir / "assets", config.site_dir, lambda staging: index_search(staging, content, index))
    html_pages = sum(p.path.endswith(".html") for p in pages)
    return BuildResult(html_pages, time.perf_counter() - started, [p for p in problems if p.severity != "error"])


def _prepare(config: Config):  # type: ignore[no-untyped-def]
    """Run the stages before rendering; return (problems, (content, index, renderer) or None)."""
    problems = Problems()
    md = make_markdown()
    content = load_content(config.content_dir, problems)
    for article in content.articles:
        anchor_article(article, md, problems)
    check_references(content, problems)
    index = build_index(content)
    lint(content, index, problems)
    renderer = Renderer(config, md)
    return problems, (content, index, renderer)


def _recover(site_dir: Path) -> None:
    """Put back the previous site if a build was killed between its two renames."""
    retired = sorted(site_dir.parent.glob(f".{site_dir.name}.old-*"))
    if retired and not site_dir.exists():
        retired[-1].rename(site_dir)


def _write_site(pages: list[Page], assets_dir: Path, site_dir: Path, before_swap: Callable[[Path], None] | None = None) -> None:
    """Write PAGES and the assets into a fresh folder, then swap it in for SITE_DIR.

    BEFORE_SWAP, if given, is called with the folder once every page is in it
    (the build indexes it for search there).
    """
    parent = site_dir.parent
    parent.mkdir(parents=True, exist_ok=True)
    for leftover in parent.glob(f".{site_dir.name}.*-*"):
        shutil.rmtree(leftover, ignore_errors=True)
    staging = parent / f".{site_dir.name}.new-{os.getpid()}"
    retired = parent / f".{site_dir.name}.old-{os.getpid()}"
    try:
        shutil.copytree(assets_dir, staging / "assets")
        for page in pages:
            target = staging / page.path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(page.html, encoding="utf-8")
        if before_swap is not None:
            before_swap(staging)
        if site_dir.exists():
            site_dir.rename(retired)
        staging.rename(site_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        shutil.rmtree(retired, ignore_errors=True)
