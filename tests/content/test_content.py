"""What any content/ must satisfy to be published: the checker is clean in
strict mode; the built site's links and anchors resolve; every page is valid
HTML; every export is valid; and no page runs anything the content brought.

Each test runs on content/ and on an enlarged copy of it (conftest.py).
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from marginalia.cli import main
from tests.test_links import broken_links, parse_site
from tests.test_validity import errors, html_pages, java, run_vnu  # noqa: F401 - java is a fixture
from tests.w3c import COLLECTION_MUSTS, standalone, w3c

from .conftest import Built

pytestmark = pytest.mark.content


def test_check_strict_finds_no_problem(built: Built, capsys: pytest.CaptureFixture[str]) -> None:
    """`build.py check --strict` passes: no error and no warning."""
    code = main(["check", "--strict", "--no-cache", "-f", str(built.config_file)])
    assert code == 0, capsys.readouterr().err
    assert list(built.content.glob("articles/*.md")), "no article to check"


def test_every_internal_link_and_anchor_resolves(built: Built) -> None:
    """Every internal link leads to an existing page and every #fragment to an id on it; ids are unique."""
    pages = parse_site(built.site)
    problems, checked = broken_links(pages, built.site)
    assert not problems, f"{len(problems)} broken links:\n" + "\n".join(problems)
    assert checked > len(pages)
    duplicates = [f"{p}: {i!r} ×{n}" for p, parsed in pages.items() for i, n in Counter(parsed.ids).items() if n > 1]
    assert not duplicates, "\n".join(duplicates)


PAGE_TYPES = (
    "index.html", "glossary.html", "timeline.html", "claims.html", "sources.html",
    "articles/*.html", "entities/*.html", "sources/*.html", "archive/*.html", "claims/*.html",
    "timeline/[0-9][0-9][0-9][0-9].html", "timeline/[0-9][0-9][0-9][0-9]-[0-9][0-9].html",
)  # fmt: skip
"""Every kind of page the site has, as globs under the site."""


def test_every_page_is_valid_html(built: Built, java: str) -> None:  # noqa: F811 - java is the fixture
    """The W3C Nu checker finds no error on any page, of every page type."""
    pages = html_pages(built.site)
    kinds = {pattern: [p for p in pages if p.relative_to(built.site).match(pattern)] for pattern in PAGE_TYPES}
    assert all(kinds.values()), f"no page of type {[k for k, found in kinds.items() if not found]}"
    found = list(errors((pages, run_vnu(java, pages))))
    assert not found, f"{len(found)} errors in {len(pages)} pages:\n" + "\n".join(map(str, found[:80]))


def test_every_export_is_valid(built: Built) -> None:
    """Each article's W3C annotation export passes the WG's MUST assertions (ids absolute IRIs);
    timeline.json, the JSON-LD of every page, the feed and the sitemap parse."""
    schemas = w3c(check_uris=True)
    articles = sorted(built.site.glob("articles/*.html"))
    exports = sorted(built.site.glob("articles/*.annotations.jsonld"))
    assert len(exports) == len(articles) > 0
    problems = []
    for path in exports:
        collection = json.loads(path.read_text(encoding="utf-8"))
        problems += [f"{path.name}: {e}" for e in schemas.errors(COLLECTION_MUSTS, collection)]
        for annotation in standalone(collection):
            problems += [f"{path.name}: {annotation.get('id')}: {e}" for e in schemas.annotation_errors(annotation)]
    assert not problems, f"{len(problems)} W3C assertions fail:\n" + "\n".join(problems[:80])
    assert json.loads((built.site / "timeline.json").read_text(encoding="utf-8"))["events"] is not None
    for name in ("feed.xml", "sitemap.xml"):
        ET.parse(built.site / name)  # noqa: S314 - the site's own output
    for page in html_pages(built.site):
        for block in _Scan.of(page).json_ld:
            json.loads(block)


OUR_SCRIPTS = {"assets/marginalia.js", "assets/search.js"}
"""The only scripts a page may load: the site's own."""


URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data"}


class _Scan(HTMLParser):
    """What a page could run: its scripts, event handler attributes and script URLs."""

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page
        self.problems: list[str] = []
        self.json_ld: list[str] = []
        self._in_json_ld = False

    @classmethod
    def of(cls, path: Path) -> _Scan:
        scan = cls(path.name)
        scan.feed(path.read_text(encoding="utf-8"))
        scan.close()
        return scan

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        for name, value in a.items():
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=...>: an event handler")
            scheme = urlsplit(value.strip()).scheme.lower() if name in URL_ATTRIBUTES else ""
            if scheme in ("javascript", "vbscript") or (scheme == "data" and tag in ("a", "area", "script", "form")):
                self.problems.append(f"<{tag} {name}={value[:60]!r}>: a script URL")
        if tag in ("iframe", "object", "embed", "base"):
            self.problems.append(f"<{tag}>: not a tag of ours")
        if tag == "script":
            if a.get("type") == "application/ld+json" and "src" not in a:
                self._in_json_ld = True
            elif not any(a.get("src", "").endswith(ours) for ours in OUR_SCRIPTS):
                self.problems.append(f"<script {a}>: not one of our scripts")

    def handle_data(self, data: str) -> None:
        if self._in_json_ld:
            self.json_ld.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_json_ld = False


def test_the_scan_finds_what_could_run(tmp_path: Path) -> None:
    """The check below has teeth: a foreign script, a handler, a script URL or a frame is found."""
    page = tmp_path / "page.html"
    page.write_text(
        '<script src="../assets/search.js"></script><link rel="icon" href="data:,">'
        '<script>alert(1)</script><img src=x onerror="alert(1)"><a href=" JavaScript:alert(1)">x</a>'
        '<a href="data:text/html,<script>alert(1)</script>">y</a><iframe src="https://example.org/"></iframe>',
        encoding="utf-8",
    )
    assert len(_Scan.of(page).problems) == 5


def test_no_page_runs_anything_from_the_content(built: Built) -> None:
    """No page has a script other than the site's own, an event handler, a script URL or an embedded frame."""
    problems = []
    for page in html_pages(built.site):
        problems += [f"{page.relative_to(built.site)}: {p}" for p in _Scan.of(page).problems]
    assert not problems, "\n".join(problems[:80])
