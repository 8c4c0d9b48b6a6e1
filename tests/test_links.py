"""Every internal link of the built site leads somewhere: a file that exists
and, where the link names a fragment, an element with that id. Ids are unique
on every page. Read from the files with html.parser; no browser needed."""

from __future__ import annotations

import posixpath
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

EXTERNAL_SCHEMES = {"http", "https", "mailto", "tel"}


@dataclass
class ParsedPage:
    ids: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    """href of every <a>."""
    resources: list[tuple[str, str]] = field(default_factory=list)
    """(tag, address) of every stylesheet, script and image."""


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = ParsedPage()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if "id" in a:
            self.page.ids.append(a["id"])
        if tag == "a" and "href" in a:
            self.page.links.append(a["href"])
        elif tag == "link" and "href" in a and "stylesheet" in a.get("rel", "").split():
            self.page.resources.append((tag, a["href"]))
        elif tag in ("script", "img") and "src" in a:
            self.page.resources.append((tag, a["src"]))

    handle_startendtag = handle_starttag


def parse_site(site: Path) -> dict[str, ParsedPage]:
    """Return every HTML page of SITE, parsed, by its path under the site."""
    parsed = {}
    for file in sorted(site.rglob("*.html")):
        collector = _Collector()
        collector.feed(file.read_text(encoding="utf-8"))
        collector.close()
        parsed[file.relative_to(site).as_posix()] = collector.page
    assert len(parsed) > 1, f"the site at {site} has no pages"
    return parsed


@pytest.fixture(scope="module")
def pages(seed_site: Path) -> dict[str, ParsedPage]:
    """Return every HTML page of the example site, parsed, by its path under the site."""
    return parse_site(seed_site)


def _resolve(page: str, href: str, site: Path) -> tuple[str | None, str | None, str | None]:
    """Return (target page path, fragment or None, problem or None) for HREF on PAGE; (None, None, None) if external."""
    parts = urlsplit(href)
    if parts.scheme or parts.netloc:
        if parts.scheme in EXTERNAL_SCHEMES or (not parts.scheme and parts.netloc):
            return None, None, None
        return None, None, f"unexpected scheme {parts.scheme}:"
    fragment = unquote(parts.fragment) if "#" in href else None
    if not parts.path:
        return page, fragment, None
    if parts.path.startswith("/"):
        return None, None, "root-relative path, which breaks when the site is not at the server's root"
    target = posixpath.normpath(posixpath.join(posixpath.dirname(page), unquote(parts.path)))
    if target == ".." or target.startswith("../"):
        return None, None, "leads outside the site"
    if (site / target).is_dir():
        target = posixpath.join(target, "index.html")
    if not (site / target).is_file():
        return None, None, f"no file {target}"
    return target, fragment, None


def broken_links(pages: dict[str, ParsedPage], site: Path) -> tuple[list[str], int]:
    """Return why each internal link of PAGES (of SITE) leads nowhere, and how many internal links there are."""
    problems, checked = [], 0
    for page, parsed in pages.items():
        for href in parsed.links:
            target, fragment, problem = _resolve(page, href, site)
            if problem:
                problems.append(f"{page}: {href}: {problem}")
                continue
            if target is None:
                continue
            checked += 1
            if fragment is None or not target.endswith(".html"):
                continue
            if not fragment:
                problems.append(f"{page}: {href}: empty fragment")
            elif fragment not in pages[target].ids:
                problems.append(f"{page}: {href}: no id {fragment!r} on {target}")
    return problems, checked


def test_every_internal_link_and_anchor_resolves(pages: dict[str, ParsedPage], seed_site: Path) -> None:
    """Every internal link leads to an existing page, and every #fragment to an id on that page."""
    problems, checked = broken_links(pages, seed_site)
    assert not problems, f"{len(problems)} broken links:\n" + "\n".join(problems)
    assert checked > len(pages), f"only {checked} internal links found"


def test_every_stylesheet_script_and_image_exists(pages: dict[str, ParsedPage], seed_site: Path) -> None:
    """Every stylesheet, script and image a page loads from the site exists."""
    problems, checked = [], 0
    for page, parsed in pages.items():
        for tag, address in parsed.resources:
            target, _, problem = _resolve(page, address, seed_site)
            if problem:
                problems.append(f"{page}: <{tag}> {address}: {problem}")
            elif target is not None:
                checked += 1
    assert not problems, "\n".join(problems)
    assert checked >= 2 * len(pages), f"only {checked} stylesheets and scripts found"


def test_ids_are_unique_on_every_page(pages: dict[str, ParsedPage]) -> None:
    """No page uses the same id twice, so every link to an id has one place to land."""
    duplicates = [
        f"{page}: {id_!r} ×{n}" for page, parsed in pages.items() for id_, n in Counter(parsed.ids).items() if n > 1
    ]
    assert not duplicates, "\n".join(duplicates)
