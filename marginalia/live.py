"""The site kept in memory by the dev server, rebuilt incrementally.

A rebuild re-reads only the files that changed since the last one (by
modification time and size), reuses every other article as already parsed
and anchored, runs the site-wide checks and the index again (they are
linear and cheap), and re-renders only the pages that can depend on what
changed: the changed articles, the pages of the entities they mention (before
and after the change) and the site-wide lists. A page is written only if its
HTML differs from what is on disk. An edit to entities.yml, sources.yml, a
template or mkdocs.yml re-renders everything (still writing only what
differs).

The first build goes through the same staging folder and swap as
`python build.py`; later ones write changed pages in place, one atomic
rename per file. Pages of the search index and other whole-site outputs are
made by the full build only.
"""

from __future__ import annotations

import gc
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .anchor import anchor_article, make_markdown
from .check import NameFinder, check_references, lint_unused, unannotated_names
from .config import Config, load_config
from .errors import Problem
from .export import index_search
from .index import ArticleIndex, Index, build_index
from .load import ARTICLES_DIR, Problems, load_article, load_registries
from .model import Article, Content
from .pipeline import recover_site, write_pages, write_site
from .render import Page, Renderer

Signature = tuple[tuple[str, int, int], ...]


@dataclass
class RebuildResult:
    """What one rebuild did."""

    problems: list[Problem]
    pages_written: int = 0
    seconds: float = 0.0
    rendered: int = 0
    """Pages rendered (written or found unchanged)."""

    @property
    def errors(self) -> int:
        """Return the number of errors."""
        return sum(p.severity == "error" for p in self.problems)

    @property
    def failed(self) -> bool:
        """Tell whether the site was left as it was because of errors."""
        return self.errors > 0


@dataclass
class _Cached:
    signature: Signature
    article: Article | None
    problems: list[Problem]
    warnings: list[Problem] | None = None
    """W501 warnings, valid while the glossary is unchanged."""
    entities: set[str] = field(default_factory=set)
    """Entities whose pages can show something of this article."""


class LiveSite:
    """The dev server's site: rebuilt from what changed since the last rebuild."""

    def __init__(self, config: Config):
        self.config = config
        self._articles: dict[Path, _Cached] = {}
        self._site_signature: Signature = ()
        self._renderer: Renderer | None = None
        self._registries: tuple[Any, Any, set[str], list[Problem]] | None = None
        """The glossary and the sources as last read, with their problems."""
        self._references: dict[str, list[Problem]] = {}
        """Each unchanged article's unknown ids, by slug."""
        self._parts: dict[str, ArticleIndex] = {}
        """What each unchanged article adds to the index, by slug."""
        self._listings: dict[str, int] = {}
        """Site-wide page → a hash of what it shows, to skip re-rendering it when that is unchanged."""
        self._written: dict[str, str] = {}
        """Path under site/ → the HTML on disk, for pages written by this process."""

    def rebuild(self) -> RebuildResult:
        """Bring site/ up to date with content/; leave it as it was if the content has errors."""
        started = time.perf_counter()
        site_signature = _signature(
            [self.config.config_file, *_files(self.config.templates_dir), *_registry_paths(self.config)]
        )
        full = site_signature != self._site_signature or not self._written
        if full:
            if self._site_signature and site_signature[:1] != self._site_signature[:1]:  # mkdocs.yml changed
                self.config = load_config(self.config.config_file, self.config.site_dir)
            self._articles.clear()  # pre-rendered with the old glossary and templates: read again
            self._parts.clear()
            self._registries = None
            self._references.clear()
            self._listings.clear()
        if full or self._renderer is None:
            self._renderer = Renderer(self.config, make_markdown())
        problems = Problems()
        content, touched, changed = self._load(problems)
        if any(p.severity == "error" for p in problems):
            return RebuildResult(sorted(problems, key=lambda p: p.sort_key), seconds=time.perf_counter() - started)
        for slug in changed:
            self._references.pop(slug, None)
        check_references(content, problems, self._references)
        before = {slug: self._parts.pop(slug, None) for slug in changed}
        index = build_index(content, self._parts)
        touched = {e for e in touched if any(_view(before.get(s), e) != _view(self._parts.get(s), e) for s in changed)}
        names = NameFinder(content)
        for article in content.articles:
            cached = self._articles[article.source_path]
            if cached.warnings is None:
                cached.warnings = unannotated_names(article, names)
            problems.extend(cached.warnings)
        lint_unused(content, index, problems)
        result = RebuildResult(sorted(problems, key=lambda p: p.sort_key))
        if result.failed:
            result.seconds = time.perf_counter() - started
            return result
        plan = self._renderer.plan(content, index)
        if full:
            pages = [make() for make in plan.values()]

            def fill(staging: Path) -> None:
                write_pages(pages, staging)
                if self.config.search:
                    index_search(staging, content, index)

            recover_site(self.config.site_dir)
            write_site(self.config.site_dir, self.config.templates_dir / "assets", fill)
            self._written = {page.path: page.html for page in pages}
            gc.collect()
            gc.freeze()  # what stays in memory between rebuilds need not be scanned by every collection
            self._listings = _listing_inputs(content, index)
            result.rendered = result.pages_written = len(pages)
        else:
            listings = _listing_inputs(content, index)
            unchanged = {page for page, digest in listings.items() if self._listings.get(page) == digest}
            dirty = [p for p in self._dirty(plan, touched, changed) if p not in unchanged]
            result.rendered, result.pages_written = self._update(plan, dirty)
            self._listings = listings
        self._site_signature = site_signature
        result.seconds = time.perf_counter() - started
        return result

    def _load(self, problems: Problems) -> tuple[Content, set[str], set[str]]:
        """Return the content, re-reading only what changed, with the entities and slugs it touched."""
        if self._registries is None:  # they change only with a full rebuild (see rebuild)
            own = Problems()
            self._registries = (*load_registries(self.config.content_dir, own), list(own))
        entities, sources, unreadable, registry_problems = self._registries
        problems.extend(registry_problems)
        md_paths = sorted((self.config.content_dir / ARTICLES_DIR).glob("*.md"))
        touched: set[str] = set()
        changed: set[str] = set()
        renderer = self._renderer
        assert renderer is not None
        registries = Content([], entities, sources, unreadable)
        for path in set(self._articles) - set(md_paths):  # deleted articles
            touched |= self._articles.pop(path).entities
            changed.add(path.stem)
        for path in md_paths:
            signature = _signature([path, path.with_suffix(".yml")])
            cached = self._articles.get(path)
            if cached is None or cached.signature != signature:
                own = Problems()
                article = load_article(path, own)
                if article is not None:
                    anchor_article(article, renderer.md, own)
                    renderer.prerender(article, registries)  # and drop its tokens: less to keep and to scan
                fresh = _Cached(signature, article, list(own), entities=_entities_of(article))
                touched |= fresh.entities | (cached.entities if cached else set())
                changed.add(path.stem)
                self._articles[path] = cached = fresh
            problems.extend(cached.problems)
        articles = [c.article for c in self._articles.values() if c.article is not None]
        articles.sort(key=lambda a: (a.date, a.slug), reverse=True)
        return Content(articles, entities, sources, unreadable), touched, changed

    def _dirty(self, plan: dict[str, object], touched: set[str], changed: set[str]) -> list[str]:
        """Return the pages that can depend on the CHANGED articles and the TOUCHED entities."""
        if not changed:
            return []
        listing = [p for p in plan if "/" not in p]  # home, glossary, timeline, claims, sources, ...
        entities = [f"entities/{e}.html" for e in touched]
        articles = [p for p in plan if p.startswith("articles/") and p.split("/")[1].split(".")[0] in changed]
        gone = [p for p in self._written if p not in plan]
        return sorted({p for p in listing + entities + articles if p in plan} | set(gone))

    def _update(self, plan: dict[str, object], paths: list[str]) -> tuple[int, int]:
        """Render PATHS from PLAN and write those whose HTML changed; return (rendered, written)."""
        written = 0
        for path in paths:
            target = self.config.site_dir / path
            make = plan.get(path)
            if make is None:  # the article or entity is gone
                target.unlink(missing_ok=True)
                self._written.pop(path, None)
                written += 1
                continue
            page: Page = make()  # type: ignore[operator]
            if self._written.get(path) == page.html:
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            temporary = target.with_name(f".{target.name}.tmp")
            temporary.write_text(page.html, encoding="utf-8")
            os.replace(temporary, target)
            self._written[path] = page.html
            written += 1
        return len(paths), written


def _view(part: ArticleIndex | None, entity_id: str) -> tuple[Any, ...]:
    return part.view_of(entity_id) if part is not None else ()


def _listing_inputs(content: Content, index: Index) -> dict[str, int]:
    """Return, for the site-wide pages that are costly to render, a hash of everything they show."""

    def claim(placed: Any) -> tuple[Any, ...]:
        c = placed.item
        ids = [e.id for e in placed.entities]
        return (
            c.id,
            c.status,
            c.summary,
            c.selector.quote,
            c.claimant,
            tuple(c.sources),
            c.review,
            c.spans[0].id,
            *ids,
        )

    def event(placed: Any) -> tuple[Any, ...]:
        e = placed.item
        ids = [x.id for x in placed.entities]
        return (e.id, str(e.date), e.title, e.note, e.spans[0].id, placed.article.slug, placed.article.title, *ids)

    articles = [
        (a.slug, a.title, a.date, a.dateline, a.publisher, len(a.claims), len(a.events)) for a in content.articles
    ]
    counts = [(k, len(v)) for k, v in sorted(index.mentions.items())]
    claims = [(p.article.slug, p.article.title, claim(p)) for p in index.claims]
    timeline = hash(tuple(event(p) for p in index.timeline))
    return {
        "index.html": hash(
            (tuple(articles), tuple(len(v) for v in index.entities_of_article.values()), len(index.timeline))
        ),
        "glossary.html": hash(tuple(counts)),
        "claims.html": hash(tuple(claims)),
        "sources.html": hash(tuple(claims)),
        "timeline.html": timeline,
        "timeline.json": timeline,
    }


def _entities_of(article: Article | None) -> set[str]:
    """Return every entity id ARTICLE refers to: mentions, claimants, claim and event entities."""
    if article is None:
        return set()
    ids = {m.entity for m in article.mentions}
    for claim in article.claims:
        ids |= {claim.claimant, *claim.about} - {""}
    for event in article.events:
        ids |= set(event.entities)
    return ids


def _registry_paths(config: Config) -> list[Path]:
    from .load import ENTITIES_FILE, SOURCES_FILE

    return [config.content_dir / ENTITIES_FILE, config.content_dir / SOURCES_FILE]


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


def _signature(paths: list[Path]) -> Signature:
    """Return what identifies the current version of PATHS: name, mtime and size of each."""
    result = []
    for path in paths:
        try:
            stat = path.stat()
        except FileNotFoundError:
            result.append((str(path), 0, -1))
            continue
        result.append((str(path), stat.st_mtime_ns, stat.st_size))
    return tuple(result)
