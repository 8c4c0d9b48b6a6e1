"""Screenshots of every page type of the example site, to look at the design at a glance.

    python -m tests.screenshots [--out screenshots]     (or: make screenshots)

Builds tests/fixtures/example-site/ into a temporary folder, serves it on a
free local port, and saves a full-page PNG of each page type (home, article,
entity, glossary, claims, sources, timeline, their per-month and per-year
pages, the archive of a month, and the search with its results open) at
desktop (1280×900) and phone (375×812) widths, in the light and the dark
colour scheme, with an index.html to browse them. The Chromium is Debian's
(or $CHROMIUM), as for the browser tests.
"""

from __future__ import annotations

import argparse
import html
import os
import shutil
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

from marginalia.pipeline import build
from tests.conftest import ROOT, example_config, serve

VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 375, "height": 812}}
SCHEMES = ("light", "dark")
SEARCH_QUERY = "Akar"
"""What the search screenshot has typed in the search box."""

# Page type → a glob in the built site; the first match (sorted) is taken, a type without one is left out.
PAGE_TYPES = {
    "home": "index.html",
    "article": "articles/idlib-joint-coordination-centers.html",
    "entity": "entities/hulusi-akar.html",
    "glossary": "glossary.html",
    "claims": "claims.html",
    "claims-month": "claims/*.html",
    "sources": "sources.html",
    "source": "sources/*.html",
    "timeline": "timeline.html",
    "timeline-year": "timeline/[0-9][0-9][0-9][0-9].html",
    "timeline-month": "timeline/[0-9][0-9][0-9][0-9]-[0-9][0-9].html",
    "archive-month": "archive/*.html",
}


def main(argv: Sequence[str] | None = None) -> int:
    """Build, serve and photograph the example site; return the exit status."""
    parser = argparse.ArgumentParser(prog="python -m tests.screenshots", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--out", type=Path, default=ROOT / "screenshots", help="where the PNGs go (default: %(default)s)"
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="marginalia-screenshots-") as temporary:
        site = Path(temporary) / "site"
        build(example_config(site))
        pages = find_pages(site)
        server, url = serve(site)
        try:
            shots = photograph(url, pages, args.out)
        finally:
            server.shutdown()
            server.server_close()
    write_index(args.out, shots)
    print(f"{len(shots)} screenshots in {args.out}; open {args.out / 'index.html'}")
    return 0


def find_pages(site: Path) -> dict[str, str]:
    """Return the site path of one page of each type found in SITE, by type."""
    found = {}
    for kind, pattern in PAGE_TYPES.items():
        matches = sorted(site.glob(pattern))
        if matches:
            found[kind] = matches[0].relative_to(site).as_posix()
        else:
            print(f"no {kind} page ({pattern}) in the example site: left out", file=sys.stderr)
    return found


def photograph(url: str, pages: dict[str, str], out: Path) -> list[tuple[str, str, str, str]]:
    """Save a screenshot of each page (and of the search) at each viewport and scheme into OUT;
    return (type, viewport, scheme, file name) of each."""
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.png"):
        old.unlink()
    shots = []
    executable = os.environ.get("CHROMIUM") or shutil.which("chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable)
        try:
            for viewport, size in VIEWPORTS.items():
                for scheme in SCHEMES:
                    context = browser.new_context(viewport=size, color_scheme=scheme)  # type: ignore[arg-type]
                    page = context.new_page()
                    for kind, path in [*pages.items(), ("search", "index.html")]:
                        page.goto(url + path, wait_until="networkidle")
                        if kind == "search":
                            show_search(page)
                        name = f"{kind}-{viewport}-{scheme}.png"
                        page.screenshot(path=out / name, full_page=kind != "search")
                        shots.append((kind, viewport, scheme, name))
                    context.close()
        finally:
            browser.close()
    return shots


def show_search(page: Page) -> None:
    """Type SEARCH_QUERY in the search box and wait for its results."""
    page.get_by_role("combobox", name="Search this site").fill(SEARCH_QUERY)
    page.get_by_role("option").first.wait_for()


def write_index(out: Path, shots: list[tuple[str, str, str, str]]) -> None:
    """Write OUT/index.html: a table of the screenshots, a row per page type, a column per viewport and scheme."""
    columns = [(viewport, scheme) for viewport in VIEWPORTS for scheme in SCHEMES]
    by_key = {(kind, viewport, scheme): name for kind, viewport, scheme, name in shots}
    rows = []
    for kind in dict.fromkeys(kind for kind, *_ in shots):
        cells = "".join(
            f'<td><a href="{html.escape(name)}"><img src="{html.escape(name)}" alt="{html.escape(kind)}, {viewport}, {scheme}" loading="lazy"></a></td>'
            if (name := by_key.get((kind, viewport, scheme)))
            else "<td></td>"
            for viewport, scheme in columns
        )
        rows.append(f"<tr><th>{html.escape(kind)}</th>{cells}</tr>")
    heads = "".join(f"<th>{viewport}, {scheme}</th>" for viewport, scheme in columns)
    (out / "index.html").write_text(
        f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Screenshots of the example site</title>
<style>body{{font:14px system-ui,sans-serif;margin:1rem}}table{{border-collapse:collapse}}
th,td{{border:1px solid #ccc;padding:.4rem;vertical-align:top}}
img{{display:block;width:220px;max-height:420px;object-fit:cover;object-position:top}}</style></head>
<body><h1>Screenshots of the example site</h1><p>Click one for the full page.</p>
<table><thead><tr><th></th>{heads}</tr></thead><tbody>
{chr(10).join(rows)}
</tbody></table></body></html>
""",
        encoding="utf-8",
    )


if __name__ == "__main__":
    raise SystemExit(main())
