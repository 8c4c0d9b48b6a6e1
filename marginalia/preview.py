"""Article pages on request, while the dev server's first build runs.

On a fresh clone the first build of a large site takes minutes; a
contributor wants to see their article now. An article's own pages depend on
nothing but the article, the glossary, the sources, mkdocs.yml and the
templates, so they can be rendered alone, exactly as the build will write
them (`Preview`). Every other page needs every article: until the build has
put the site in place, it is stood for by a page that says so
(`building_page`) and reloads into the real one.
"""

from __future__ import annotations

import contextlib
import heapq
import html
import threading
from dataclasses import dataclass
from urllib.parse import quote

from . import cache
from .check import NameFinder
from .config import Config
from .errors import Problem, Problems
from .load import ARTICLES_DIR, article_names, load_registries
from .markup import make_markdown
from .model import Content
from .pipeline import article_pages, read_article
from .render import Renderer

RECENT_ARTICLES = 50
"""How many articles the temporary page links to: the files changed last."""


@dataclass
class Previewed:
    """One article's own pages rendered on request, or the errors that keep them from being what the build
    writes."""

    pages: dict[str, str]
    """Page path → its text (the article's page, and with site_url its annotation export); empty if PROBLEMS."""
    problems: list[Problem]
    """The errors found in the article, the glossary or the sources; empty if the pages are right."""


class Preview:
    """An article's own pages, rendered on request while the dev server's first build runs.

    An article's page and its annotation export depend on nothing but the
    article, the glossary, the sources, mkdocs.yml and the templates
    (`pipeline.article_pages`, which the build renders them with, where it
    reads the article, before any other article is known): rendered here
    from the files as they are now, they are what the build writes there.
    What reading them needs (the glossary, the sources, the templates) is
    made once, and again when one of them changes (`cache.site_signature`).
    Rendering is one request at a time: the Markdown parser is not shared
    between threads.
    """

    def __init__(self, config: Config):
        self.config = config
        self._lock = threading.Lock()
        self._made: tuple[cache.Signature, Renderer, Content, NameFinder, list[Problem]] | None = None

    def recent(self) -> tuple[list[str], int]:
        """Return the slugs of the RECENT_ARTICLES article files changed last (newest first), and how many
        there are."""
        folder = self.config.content_dir / ARTICLES_DIR
        stamps = []
        for name in article_names(self.config.content_dir, Problems()):
            with contextlib.suppress(OSError):
                stamps.append(((folder / name).stat().st_mtime_ns, name.removesuffix(".md")))
        return [slug for _, slug in heapq.nlargest(RECENT_ARTICLES, stamps)], len(stamps)

    def _exists(self, slug: str) -> bool:
        path = self.config.content_dir / ARTICLES_DIR / f"{slug}.md"
        return path.is_file() and not path.is_symlink()

    def article(self, slug: str) -> Previewed | None:
        """Return the pages of the article SLUG as the build writes them; None if there is no such article."""
        if not slug or "/" in slug or "\\" in slug or slug.startswith(".") or not self._exists(slug):
            return None
        path = self.config.content_dir / ARTICLES_DIR / f"{slug}.md"
        with self._lock:
            renderer, content, names, registry_errors = self._reader()
            if registry_errors:
                return Previewed({}, registry_errors)
            found = read_article(path, renderer, content, names)
            errors = [p for p in [*found.problems, *found.references] if p.severity == "error"]
            if errors or found.article is None or found.part is None:
                return Previewed({}, sorted(errors, key=lambda p: p.sort_key))
            pages = article_pages(found.article, found.part, renderer, content)
        return Previewed({page.path: page.html for page in pages}, [])

    def _reader(self) -> tuple[Renderer, Content, NameFinder, list[Problem]]:
        """Return what reading an article needs, as the build makes it, and the errors in the glossary and
        sources."""
        signature = cache.site_signature(self.config)
        if self._made is None or self._made[0] != signature:
            problems = Problems()
            entities, sources, unreadable = load_registries(self.config.content_dir, problems)
            content = Content([], entities, sources, unreadable)
            errors = sorted((p for p in problems if p.severity == "error"), key=lambda p: p.sort_key)
            self._made = (signature, Renderer(self.config, make_markdown()), content, NameFinder(content), errors)
        return self._made[1:]


def building_page(path: str, recent: list[str], total: int, failed: bool = False) -> bytes:
    """Return the page that stands for the page at PATH until a build has put the site in place.

    It says so, links to the RECENT articles (the files changed last, of
    TOTAL: the ones a contributor is likely working on), whose pages can be
    read already, and its reload script turns it into the page asked for.
    FAILED: the build ended with errors (the overlay shows them), and none is
    running.
    """
    root = "../" * path.count("/")
    links = "".join(f'<li><a href="{root}articles/{quote(s)}.html">{html.escape(s)}</a></li>' for s in recent)
    title = "The site cannot be built yet" if failed else "Building the site"
    state = "has errors: it is built once they are fixed" if failed else "is being built"
    listed = "The articles changed last" if len(recent) < total else "Its articles"
    return (
        "<!doctype html>\n<html lang=en><head><meta charset=utf-8>"
        f'<title>{title}</title><link rel="stylesheet" href="{root}assets/style.css"></head>'
        f"<body><main><h1>{title}</h1><p>The site of {total:,} article(s) {state}."
        f" This page (<code>{html.escape(path)}</code>) needs every article: it comes here once the site is built."
        f" Each article's own page can be read already, at <code>articles/&lt;name&gt;.html</code>. {listed}:</p>"
        f"<ul>{links}</ul></main></body></html>"
    ).encode()
