#!/usr/bin/env python3
"""The floor: the least a Python generator with our parser and templates does per article.

    python bench/floor.py BARE_DIR OUT_DIR [--jobs J]

For each `.md` file under BARE_DIR/docs (the bare corpus of bench/corpus.py):
read it, parse its YAML front matter (PyYAML's C loader), render its body with
markdown-it-py (CommonMark, as Marginalia configures it), put it in a page with
Jinja2 (autoescaped, a template like the bench's Hugo layout) and write it to
OUT_DIR. One process per core, as Marginalia's build uses them; nothing else:
no annotations, no cross-references, no lists, no exports.

It is the bench's measure of what the project's fixed packages cost by
themselves: a build made with them does at least this for each article,
besides whatever else it does.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
from pathlib import Path

import jinja2
import yaml
from markdown_it import MarkdownIt
from markupsafe import Markup

PAGE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>{{ title }}</title></head>
<body>
<main>
<h1>{{ title }}</h1>
<p>{{ date }}</p>
{{ body }}
</main>
</body>
</html>
"""

_md = MarkdownIt("commonmark", {"html": False})
_template = jinja2.Environment(autoescape=True).from_string(PAGE)
_out = Path()


def render(path: Path) -> None:
    """Make the page of the article at PATH."""
    text = path.read_text(encoding="utf-8")
    _, front, body = text.split("---\n", 2)
    meta = yaml.load(front, Loader=yaml.CSafeLoader)
    page = _template.render(title=meta["title"], date=meta["date"], body=Markup(_md.render(body)))  # noqa: S704 (raw HTML is off: markdown-it escapes it)
    (_out / f"{path.stem}.html").write_text(page, encoding="utf-8")


def main() -> int:
    global _out
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("bare", type=Path, help="the bare corpus (bench/corpus.py --bare)")
    parser.add_argument("out", type=Path, help="where to write the pages (emptied first)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="processes (default: one per core)")
    args = parser.parse_args()
    paths = sorted((args.bare / "docs").rglob("*.md"))
    _out = args.out
    _out.mkdir(parents=True, exist_ok=True)
    for old in _out.glob("*.html"):
        old.unlink()
    if args.jobs <= 1:
        for path in paths:
            render(path)
    else:
        with multiprocessing.get_context("fork").Pool(args.jobs) as pool:
            for _ in pool.imap_unordered(render, paths, chunksize=50):
                pass
    print(f"{len(paths)} pages", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
