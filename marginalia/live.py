"""The site kept in memory by the dev server, rebuilt incrementally.

The first rebuild is a full build (`pipeline.full_build`, with its worker
processes), which leaves behind the incremental core (engine.py): every
article as read, and the checks across them. A later rebuild asks the core
which of the article files the watcher saw change differ from what it read
(the build cache's stamps and hashes), reads those again, puts them in, and
renders what can show something that changed:

- the changed articles' own pages (their page and annotation export), which
  need nothing but the article and the glossary;
- the entity pages and site-wide lists that show something different of
  them (`Engine.stale`, then `changes.pages_stale`).

The site-wide index is built again only when an entity page or a list has to
be rendered. An edit to entities.yml, sources.yml, a template or mkdocs.yml
(`cache.site_signature`) rebuilds everything. Later rebuilds write changed
pages in place, one atomic rename per file, and remove from the build cache
what no longer describes the site. A full build makes the search index; after
a later rebuild that changed an article, the search bundles of the pages that
changed are made again in the background, from a snapshot of the site
(live_search.py): the rebuild does not wait for Pagefind.
"""

from __future__ import annotations

import gc
import logging
import os
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass, replace
from pathlib import Path

from mkdocs.exceptions import Abort

from . import cache
from .changes import pages_stale
from .check import NameFinder
from .config import Config, load_config
from .engine import Edit, Engine
from .errors import ConfigError, ContentError, Problem, Problems
from .index import ArticleIndex, Index, build_index
from .live_search import Refreshed, SearchRefresh, Snapshot
from .load import ARTICLES_DIR, ENTITIES_FILE, SOURCES_FILE, article_names
from .lock import site_lock
from .model import Content
from .pipeline import ArticleResult, article_pages, full_build, prepare_to_read, read_article
from .render import Page, Renderer
from .urls import annotations_path, article_path


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
        self._engine: Engine | None = None
        """Every article as last read and the checks across them, since the last full build; None: none yet."""
        self._renderer: Renderer | None = None
        self._names: NameFinder | None = None
        """The glossary's names, for the unannotated-name lint (the full build's)."""
        self._site_signature: cache.Signature = ()
        self._written: dict[str, int] = {}
        """Page path → hash of the HTML this process last wrote there, to skip writing it unchanged."""
        self._look_at_all = True
        """Whether the next rebuild must look at every article file, whatever it is told changed."""
        self.search_later = False
        """Whether the next full build is to leave the search index out, and hand it to the refresh (which makes
        the same index) once the site is in place: the dev server's first build, on a site no one can search
        yet, is complete in a third of the time."""

    def rebuild(self, changed: Collection[str] | None = None) -> RebuildResult:
        """Bring site/ up to date with content/; leave it as it was if the content has errors.

        CHANGED, if given, are the paths the file watcher saw change since the
        last rebuild: of the article files, only those are looked at (on a
        large site, looking at every file takes tens of ms).
        Paths it cannot place make the rebuild look at every file.
        """
        self._look_at_all, look_at_all = True, self._look_at_all  # until this rebuild ends: it may raise
        started = time.perf_counter()
        site_signature = cache.site_signature(self.config)
        if site_signature != self._site_signature or self._engine is None:
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

    def _full(self) -> RebuildResult:
        """Build everything with the pipeline; keep its engine, which knows every article."""
        self._search.cancel()  # this build makes the search index, with the cache a refresh writes
        later = self.search_later and self.config.search
        try:
            config = replace(self.config, search=False) if later else self.config
            result, built = full_build(config, self.jobs, use_cache=True)
        except ContentError as error:
            self._engine = None
            return RebuildResult(error.problems)
        self._engine, self._renderer, self._names = built.engine, built.renderer, built.names
        prepare_to_read(built.renderer)  # if every article came from the build cache, nothing read one yet
        self._written.clear()
        snapshot = Snapshot(self.config, built.content, dict(built.engine.parts), built.index) if later else None
        del built  # its index, but for the snapshot
        gc.collect()
        gc.freeze()  # what stays in memory between rebuilds need not be scanned by every collection
        if snapshot is not None:  # only now: a collection would write to every object the refresh's fork shares
            self.search_later = False
            self._search.request(snapshot)
        return RebuildResult(sorted(result.warnings, key=lambda p: p.sort_key), result.pages, rendered=result.pages)

    def _suspects(self, paths: Collection[str] | None) -> list[str] | None:
        """Return the names of the known articles the changed PATHS can concern; None: look at every article file.

        Paths outside the articles folder are the glossary, the sources, the
        templates or mkdocs.yml, which the rebuild looks at anyway, or no part
        of the site; files other than .md and .yml in the articles folder
        (an editor's backup or swap file) are no part of the site either. An
        article that came or went changes the list of names: then every file
        is looked at.
        """
        assert self._engine is not None
        if not paths:
            return None
        base = os.fspath(self.config.content_dir / ARTICLES_DIR)
        content_dir = self.config.content_dir
        own = {os.fspath(p) for p in [self.config.config_file, content_dir / ENTITIES_FILE, content_dir / SOURCES_FILE]}
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
            known = name in self._engine.found
            if known != os.path.exists(f"{base}/{name}"):
                return None
            if known:
                names.add(name)
        return sorted(names)

    def _incremental(self, suspects: list[str] | None) -> RebuildResult:
        """Re-read the articles that changed and re-render what depends on them.

        SUSPECTS are the only article files that can have changed; None: any of them.
        """
        engine, renderer, names = self._engine, self._renderer, self._names
        assert engine is not None and renderer is not None and names is not None
        folder = self.config.content_dir / ARTICLES_DIR
        after: dict[str, ArticleResult | None] = {}  # file name → the new version, or None if deleted
        if suspects is None:
            folder_problems = Problems()
            suspects = article_names(self.config.content_dir, folder_problems)
            engine.folder_problems = list(folder_problems)
            after = dict.fromkeys(set(engine.found) - set(suspects))
        digests = engine.changed(folder, suspects)
        for name in digests:
            after[name] = read_article(folder / name, renderer, engine.content, names)
        if not after:
            return RebuildResult(self._problems())
        edit = engine.apply(after, digests)
        result = RebuildResult(self._problems())
        if result.failed:
            engine.undo(edit)  # the site stays as it was: so does what is known of it
            return result
        site, parts = engine.site(), dict(engine.parts)  # a copy: the search refresh reads it while rebuilds go on
        pages, gone, index = self._stale_pages(edit, site, parts)
        result.rendered = len(pages)
        with site_lock(self.config.site_dir, "dev server"):  # not while a build writes the site (see lock.py)
            cache.forget(self.config, list(after))  # the cache no longer describes these articles' pages
            result.pages_written = self._write(pages) + self._delete(gone)
        if self.config.search:
            self._search.request(Snapshot(self.config, site, parts, index))
        return result

    def _problems(self) -> list[Problem]:
        """Return every problem of the site, sorted."""
        assert self._engine is not None
        return sorted(self._engine.problems(), key=lambda p: p.sort_key)

    def _stale_pages(
        self, edit: Edit, site: Content, parts: dict[str, ArticleIndex]
    ) -> tuple[list[Page], list[str], Index | None]:
        """Return the pages EDIT makes stale, rendered, the paths of pages to remove, and the index if it was built.

        The index of SITE (with what each article of PARTS adds to it) is
        built only if a site-wide page is stale.
        """
        assert self._engine is not None and self._renderer is not None
        pages: list[Page] = []
        gone: list[str] = []
        for name, after in edit.after.items():
            before = edit.before[name]
            if after is not None and after.article is not None and after.part is not None:
                pages += article_pages(after.article, after.part, self._renderer, self._engine.content)
            elif before is not None and before.article is not None:
                slug = before.article.slug
                gone += [article_path(slug), annotations_path(slug)]
        stale = self._engine.stale(edit)
        if not stale:
            return pages, gone, None
        index = build_index(site, parts)
        plan = self._renderer.plan(site, index)
        stale = pages_stale(stale, index, plan, self.config.site_dir)
        pages += [plan[path]() for path in sorted(stale) if path in plan]
        gone += [path for path in sorted(stale) if path not in plan]  # e.g. a month no article is in any more
        return pages, gone, index

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
