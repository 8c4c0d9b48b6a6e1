"""The site kept in memory by the dev server, rebuilt incrementally.

The first rebuild is a full build (`pipeline.full_build`, with its worker
processes), which leaves behind what it knew of every article. A later
rebuild re-reads only the articles whose files changed (by modification time
and size) and works out, from what each article contributes, which pages can
show something that changed:

- the changed articles' own pages (their page and annotation export), which
  need nothing but the article and the glossary;
- the entity pages and site-wide lists that show something different of
  them (`changes.stale_pages`, comparing each article's old and new version).

The site-wide index is built again only when an entity page or a list has to
be rendered; the checks that span articles use counts kept up to date per
article. An edit to entities.yml, sources.yml, a template or mkdocs.yml
rebuilds everything. Later rebuilds write changed pages in place, one atomic
rename per file, and remove from the build cache what no longer describes the
site. A full build makes the search index; after a later rebuild that changed
an article, the search bundles of the pages that changed are made again in the
background, from a snapshot of the site (live_search.py): the rebuild does not
wait for Pagefind.
"""

from __future__ import annotations

import gc
import logging
import os
import time
from collections import Counter
from collections.abc import Callable, Collection
from dataclasses import dataclass, field, replace
from pathlib import Path

from mkdocs.exceptions import Abort

from . import cache, export
from .changes import moved, neighbours_stale, shared_pages, stale_pages, subpages_stale
from .check import (
    Contribution,
    NameFinder,
    Shared,
    article_ids,
    check_duplicate_ids,
    check_registry_references,
    check_shared,
    shared_keys,
    spans_articles,
    warn_unused,
)
from .config import Config, load_config
from .errors import ConfigError, ContentError, Problem
from .index import ArticleIndex, Index, build_index
from .live_search import Refreshed, SearchRefresh, Snapshot
from .load import ARTICLES_DIR, ENTITIES_FILE, SOURCES_FILE, Problems, article_names
from .lock import site_lock
from .model import Article, Content
from .pipeline import ArticleResult, article_pages, contribution, full_build, prepare_to_read, read_article
from .render import Page, Renderer

Signature = tuple[tuple[str, int, int], ...]
ArticleSignature = tuple[tuple[int, int], tuple[int, int]]
"""(modification time in ns, size) of an article's .md file and of its .yml file ((0, -1) if missing)."""


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
    """One article as last read, and what it contributes to the site."""

    signature: ArticleSignature
    found: ArticleResult
    contribution: Contribution = field(init=False)
    """What it brings to the checks across articles: its ids, the entities it mentions, the sources it cites."""

    def __post_init__(self) -> None:
        self.contribution = contribution(self.found)

    @property
    def ids(self) -> list[tuple[str, str]]:
        """(kind, id) of its claims and events: ids are site-wide."""
        return [(kind, item_id) for kind, item_id, _ in self.contribution.ids]


class LiveSite:
    """The dev server's site: rebuilt from what changed since the last rebuild."""

    def __init__(
        self,
        config: Config,
        jobs: int = 0,
        on_search: Callable[[Refreshed], None] | None = None,
        no_search: bool = False,
    ):
        """ON_SEARCH is told of each refresh of the search index, from the refresh's thread.

        NO_SEARCH (`serve --no-search`): no search index, whatever mkdocs.yml
        says when it is read again.
        """
        self.config = config
        self.jobs = jobs
        self._no_search = no_search
        self._search = SearchRefresh(on_search)
        """Makes the search index again after incremental rebuilds (when config.search)."""
        self._articles: dict[str, _Cached] = {}
        """Article file name → what is known of it."""
        self._parts: dict[str, ArticleIndex] = {}
        """Article slug → what it adds to the index, for the articles read without error."""
        self._site_signature: Signature = ()
        self._renderer: Renderer | None = None
        self._content: Content | None = None
        """The glossary and sources as last read (articles: none)."""
        self._names: NameFinder | None = None
        """The glossary's names, for the unannotated-name lint (the full build's)."""
        self._order: list[Article] = []
        """The articles, newest first."""
        self._ids: Counter[tuple[str, str]] = Counter()
        self._duplicated = 0
        """How many of the ids in _ids are given more than once."""
        self._shared: dict[tuple[str, ...], list[Shared]] = {}
        """Each group of `check.shared_keys` → the claims and events of every article in it."""
        self._spanning: set[tuple[str, ...]] = set()
        """The groups of _shared that `check_shared` must look at (`check.spans_articles`)."""
        self._slugs: set[str] = set()
        """The slugs of every article file, whether it could be read or not."""
        self._incomplete: set[str] = set()
        """The file names of the articles with errors (`ArticleResult.complete`)."""
        self._references: dict[str, list[Problem]] = {}
        """Article slug → its unknown entity and source ids, for the articles that have some."""
        self._troubled: dict[str, list[Problem]] = {}
        """Article file name → the problems found reading it, for the articles that have some."""
        self._mentioned: Counter[str] = Counter()
        self._cited: Counter[str] = Counter()
        self._unmentioned: set[str] = set()
        """The glossary's entities no article mentions (by id)."""
        self._uncited: set[str] = set()
        """The sources no claim and no entity cites (by id)."""
        self._registry_problems: list[Problem] = []
        """Found in the glossary and the sources at the last full build."""
        self._entity_sources: set[str] = set()
        """Sources cited by some entity's description (the glossary changes only with a full build)."""
        self._written: dict[str, int] = {}
        """Page path → hash of the HTML this process last wrote there, to skip writing it unchanged."""
        self._folder_problems: list[Problem] = []
        """Found in the names of the article files at the last look at the whole folder."""
        self._look_at_all = True
        """Whether the next rebuild must look at every article file, whatever it is told changed."""

    def rebuild(self, changed: Collection[str] | None = None) -> RebuildResult:
        """Bring site/ up to date with content/; leave it as it was if the content has errors.

        CHANGED, if given, are the paths the file watcher saw change since the
        last rebuild: of the article files, only those are looked at (on a
        large site, looking at every file's size and time takes tens of ms).
        Paths it cannot place make the rebuild look at every file.
        """
        self._look_at_all, look_at_all = True, self._look_at_all  # until this rebuild ends: it may raise
        started = time.perf_counter()
        site_signature = _signature(
            [self.config.config_file, *_files(self.config.templates_dir), *_registry_paths(self.config)]
        )
        if site_signature != self._site_signature or self._content is None:
            if self._site_signature and site_signature[:1] != self._site_signature[:1]:  # mkdocs.yml changed
                self.config = _read_config(self.config.config_file, self.config.site_dir)
                if self._no_search:
                    self.config = replace(self.config, search=False)
            result = self._full()
            if not result.failed:
                self._site_signature = site_signature
        else:
            result = self._incremental(None if look_at_all else self._suspects(changed))
        self._look_at_all = result.failed  # a failed rebuild forgets what it read: look at everything next time
        result.seconds = time.perf_counter() - started
        return result

    def close(self) -> None:
        """Stop refreshing the search index: a refresh running is stopped, and puts nothing in place."""
        self._search.close()

    # --- A full build ------------------------------------------------------------------

    def _full(self) -> RebuildResult:
        """Build everything with the pipeline; keep what it knew of each article."""
        folder = os.fspath(self.config.content_dir / ARTICLES_DIR)
        folder_problems = Problems()
        names = article_names(self.config.content_dir, folder_problems)
        self._folder_problems = list(folder_problems)
        signatures = {name: _pair_signature(folder, name) for name in names}  # before reading
        self._search.cancel()  # this build makes the search index, with the cache a refresh writes
        try:
            result, built = full_build(self.config, self.jobs, use_cache=True)
        except ContentError as error:
            self._content = None
            return RebuildResult(error.problems)
        self._renderer = built.renderer
        self._names = built.names
        prepare_to_read(built.renderer)  # if every article came from the build cache, nothing read one yet
        self._registry_problems = built.registry_problems
        self._entity_sources = {s for entity in built.content.entities.values() for s in entity.sources}
        self._content = replace(built.content, articles=[])
        self._articles.clear()
        self._parts.clear()
        self._ids.clear()
        self._duplicated = 0
        self._shared.clear()
        self._spanning.clear()
        self._slugs.clear()
        self._incomplete.clear()
        self._references.clear()
        self._troubled.clear()
        self._mentioned.clear()
        self._cited.clear()
        self._written.clear()
        for found in built.articles:
            self._remember(found.path.name, _Cached(signatures.get(found.path.name, ((0, -1), (0, -1))), found))
        self._order = built.content.articles
        self._recount(self._content.entities, self._content.sources)
        gc.collect()
        gc.freeze()  # what stays in memory between rebuilds need not be scanned by every collection
        return RebuildResult(sorted(result.warnings, key=lambda p: p.sort_key), result.pages, rendered=result.pages)

    # --- An incremental rebuild ----------------------------------------------------------

    def _suspects(self, paths: Collection[str] | None) -> list[str] | None:
        """Return the names of the known articles the changed PATHS can concern; None: look at every article file.

        Paths outside the articles folder are the glossary, the sources, the
        templates or mkdocs.yml, which the rebuild looks at anyway, or no part
        of the site; files other than .md and .yml in the articles folder
        (an editor's backup or swap file) are no part of the site either. An
        article that came or went changes the list of names: then every file
        is looked at.
        """
        if not paths:
            return None
        base = os.fspath(self.config.content_dir / ARTICLES_DIR)
        own = {os.fspath(p) for p in [self.config.config_file, *_registry_paths(self.config)]}
        names = set()
        for path in paths:
            folder, name = os.path.split(path)
            is_article_file = name.endswith((".md", ".yml"))
            if folder != base:
                if is_article_file and path not in own:
                    return None  # an article file where none is expected (the folder by another name?)
                continue
            if not is_article_file:
                continue
            name = name.rpartition(".")[0] + ".md"
            known = name in self._articles
            if known != os.path.exists(f"{base}/{name}"):
                return None
            if known:
                names.add(name)
        return sorted(names)

    def _incremental(self, suspects: list[str] | None) -> RebuildResult:
        """Re-read the articles that changed and re-render what depends on them.

        SUSPECTS are the only article files that can have changed; None: any of them.
        """
        content, renderer, names = self._content, self._renderer, self._names
        assert content is not None and renderer is not None and names is not None
        folder = self.config.content_dir / ARTICLES_DIR
        base = os.fspath(folder)
        changed: dict[str, _Cached | None] = {}  # file name → the new state, or None if deleted
        if suspects is None:
            folder_problems = Problems()
            suspects = article_names(self.config.content_dir, folder_problems)
            self._folder_problems = list(folder_problems)
            for name in set(self._articles) - set(suspects):
                changed[name] = None
        for name in suspects:
            signature = _pair_signature(base, name)
            cached = self._articles.get(name)
            if cached is None or cached.signature != signature:
                changed[name] = _Cached(signature, read_article(folder / name, renderer, content, names))
        if not changed:
            return RebuildResult(self._problems(replace(content, articles=self._order)))

        old = {name: self._articles.get(name) for name in changed}
        for name, new in changed.items():
            self._forget(name)
            if new is not None:
                self._remember(name, new)
        touched = [c for c in [*old.values(), *changed.values()] if c is not None]
        entity_ids = {i for c in touched for i in c.contribution.mentioned}
        source_ids = {i for c in touched for i in c.contribution.cited}
        self._recount(entity_ids, source_ids)
        found = {name: (_found(old[name]), _found(new)) for name, new in changed.items()}
        articles = self._reorder(changed, old, moved=any(moved(*pair) for pair in found.values()))
        site = replace(content, articles=articles)
        problems = self._problems(site)
        result = RebuildResult(problems)
        if result.failed:
            for name, before in old.items():  # the site stays as it was: so does what we know of it
                self._forget(name)
                if before is not None:
                    self._remember(name, before)
            self._recount(entity_ids, source_ids)
            return result

        dirty: set[str] = set()
        own: list[Page] = []
        gone: list[str] = []
        for name, new in changed.items():
            before = old[name]
            if new is None or new.found.article is None:
                if before is not None and before.found.article is not None:
                    slug = before.found.article.slug
                    gone += [f"articles/{slug}.html", export.annotations_path(slug)]
            else:
                article, part = new.found.article, new.found.part
                assert article is not None and part is not None
                own += article_pages(article, part, renderer, content)
            dirty |= stale_pages(*found[name])

        pages = list(own)
        parts = dict(self._parts)  # a copy: the search refresh reads it while later rebuilds change _parts
        index: Index | None = None
        if dirty:
            index = build_index(site, parts)
            dirty = shared_pages(dirty, index)
            plan = renderer.plan(site, index)
            dirty |= neighbours_stale(plan, self.config.site_dir)
            dirty = subpages_stale(dirty, plan, self.config.site_dir, index)
            pages += [plan[path]() for path in sorted(dirty) if path in plan]
            gone += [path for path in sorted(dirty) if path not in plan]  # e.g. a month no article is in any more
        result.rendered = len(pages)
        with site_lock(self.config.site_dir, "dev server"):  # not while a build writes the site (see lock.py)
            cache.forget(self.config, list(changed))  # the cache no longer describes these articles' pages
            result.pages_written = self._write(pages) + self._delete(gone)
        self._order = articles
        if self.config.search:
            self._search.request(Snapshot(self.config, site, parts, index))
        return result

    def _problems(self, site: Content) -> list[Problem]:
        """Return every problem of the site, from what is known of each article.

        What a full build's check finds, without looking at every article
        again: on a large site, touching each of them takes tens of ms.
        """
        problems = Problems()
        problems.extend(self._registry_problems)
        problems.extend(self._folder_problems)
        for found in [*self._troubled.values(), *self._references.values()]:
            problems.extend(found)
        check_registry_references(site, self._slugs, problems)
        if self._duplicated:
            oldest_first = reversed(site.articles)
            check_duplicate_ids((item for article in oldest_first for item in article_ids(article)), problems)
        spanning = {item: None for key in self._spanning for item in self._shared[key]}  # each once, in order
        check_shared(spanning, problems, complete=not self._incomplete)
        if not self._incomplete:  # else they may be what an article with errors mentions or cites
            unmentioned = [site.entities[i] for i in self._unmentioned]
            warn_unused(unmentioned, [site.sources[i] for i in self._uncited], problems)
        return sorted(problems, key=lambda p: p.sort_key)

    def _recount(self, entity_ids: Collection[str], source_ids: Collection[str]) -> None:
        """Bring up to date whether each of ENTITY_IDS is mentioned and each of SOURCE_IDS cited."""
        content = self._content
        assert content is not None
        for entity_id in entity_ids:
            if entity_id in content.entities and self._mentioned[entity_id] <= 0:
                self._unmentioned.add(entity_id)
            else:
                self._unmentioned.discard(entity_id)
        for source_id in source_ids:
            if source_id in content.sources and self._cited[source_id] <= 0 and source_id not in self._entity_sources:
                self._uncited.add(source_id)
            else:
                self._uncited.discard(source_id)

    # --- What each article contributes ---------------------------------------------------

    def _remember(self, name: str, cached: _Cached) -> None:
        article, part = cached.found.article, cached.found.part
        self._articles[name] = cached
        if article is not None and part is not None:
            self._parts[article.slug] = part
        self._slugs.add(name.removesuffix(".md"))  # an article that cannot be read is still there to refer to
        if not cached.found.complete:
            self._incomplete.add(name)
        if article is not None and cached.found.references:
            self._references[article.slug] = cached.found.references
        if cached.found.problems:
            self._troubled[name] = cached.found.problems
        for key in cached.ids:
            self._ids[key] += 1
            self._duplicated += self._ids[key] == 2
        for item in cached.contribution.shared:
            for group in shared_keys(item):
                self._shared.setdefault(group, []).append(item)
                self._regroup(group)
        self._mentioned.update(cached.contribution.mentioned)  # articles that mention each entity
        self._cited.update(cached.contribution.cited)

    def _forget(self, name: str) -> None:
        cached = self._articles.pop(name, None)
        if cached is not None:
            self._slugs.discard(name.removesuffix(".md"))
            self._incomplete.discard(name)
            if cached.found.article is not None:
                self._references.pop(cached.found.article.slug, None)
                self._parts.pop(cached.found.article.slug, None)
            self._troubled.pop(name, None)
            for key in cached.ids:
                self._ids[key] -= 1
                self._duplicated -= self._ids[key] == 1
            for item in cached.contribution.shared:
                for group in shared_keys(item):
                    self._shared[group].remove(item)
                    self._regroup(group)
            self._mentioned.subtract(cached.contribution.mentioned)
            self._cited.subtract(cached.contribution.cited)

    def _regroup(self, group: tuple[str, ...]) -> None:
        """Note whether GROUP of _shared is one `check_shared` must look at, or forget it if empty."""
        items = self._shared[group]
        if not items:
            del self._shared[group]
        if items and spans_articles(items):
            self._spanning.add(group)
        else:
            self._spanning.discard(group)

    def _with_articles(self) -> list[tuple[_Cached, Article]]:
        return [(c, c.found.article) for c in self._articles.values() if c.found.article is not None]

    def _reorder(
        self, changed: dict[str, _Cached | None], old: dict[str, _Cached | None], moved: bool
    ) -> list[Article]:
        """Return the articles newest first, as the pipeline orders them, after the CHANGED ones.

        Unless an article came, went or MOVED (a new date or slug), each new version takes the old one's place.
        """
        if moved:
            return sorted((a for _, a in self._with_articles()), key=lambda a: (a.date, a.slug), reverse=True)
        new: dict[int, Article] = {}
        for name, after in changed.items():
            before = old[name]
            if before is not None and before.found.article is not None and after and after.found.article:
                new[id(before.found.article)] = after.found.article
        return [new.get(id(a), a) for a in self._order]

    # --- Writing ---------------------------------------------------------------------

    def _write(self, pages: list[Page]) -> int:
        """Write each page whose HTML changed, in place, atomically; return how many were written."""
        written = 0
        for page in pages:
            digest = hash(page.html)
            if self._written.get(page.path) == digest:
                continue
            target = self.config.site_dir / page.path
            target.parent.mkdir(parents=True, exist_ok=True)
            temporary = target.with_name(f".{target.name}.tmp")
            temporary.write_text(page.html, encoding="utf-8")
            os.replace(temporary, target)
            self._written[page.path] = digest
            written += 1
        return written

    def _delete(self, paths: list[str]) -> int:
        for path in paths:
            (self.config.site_dir / path).unlink(missing_ok=True)
            self._written.pop(path, None)
        return len(paths)


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def _read_config(config_file: Path, site_dir: Path) -> Config:
    """Read mkdocs.yml again; ConfigError naming what is wrong, whatever MkDocs raises.

    For an option of the wrong type, MkDocs logs what is wrong and raises
    Abort, which says only that it stopped.
    """
    collect = _Collect()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(collect)
    try:
        return load_config(config_file, site_dir)
    except Abort:
        raise ConfigError(f"{config_file}: {'; '.join(collect.messages) or 'invalid configuration'}") from None
    finally:
        logger.removeHandler(collect)


def _found(cached: _Cached | None) -> ArticleResult | None:
    return cached.found if cached is not None else None


def _registry_paths(config: Config) -> list[Path]:
    return [config.content_dir / ENTITIES_FILE, config.content_dir / SOURCES_FILE]


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


def _pair_signature(folder: str, md_name: str) -> ArticleSignature:
    """Return the signature of the article MD_NAME in FOLDER: its .md file and its annotation file."""
    md = f"{folder}/{md_name}"
    return _stat(md), _stat(md[: -len(".md")] + ".yml")


def _stat(path: str) -> tuple[int, int]:
    try:
        stat = os.stat(path)
    except FileNotFoundError:
        return (0, -1)
    return (stat.st_mtime_ns, stat.st_size)


def _signature(paths: list[Path]) -> Signature:
    """Return what identifies the current version of PATHS: name, mtime and size of each."""
    result = []
    for path in paths:
        try:
            stat = os.stat(path)
        except FileNotFoundError:
            result.append((str(path), 0, -1))
            continue
        result.append((str(path), stat.st_mtime_ns, stat.st_size))
    return tuple(result)
