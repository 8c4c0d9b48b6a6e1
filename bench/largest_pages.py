#!/usr/bin/env python3
"""The largest HTML page of each kind of a built site, and how many pages each kind has.

    python bench/largest_pages.py SITE_DIR

A kind is a pattern of addresses (timeline/YYYY.html, claims/YYYY-MM/N.html...);
the table of bench/README.md's "The largest site-wide pages" comes from it.
"""

from __future__ import annotations

import os
import re
import sys

KINDS = [
    ("timeline/YYYY.html", r"timeline/\d{4}\.html"),
    ("timeline/YYYY/N.html", r"timeline/\d{4}/\d+\.html"),
    ("timeline/YYYY-MM.html", r"timeline/\d{4}-\d{2}\.html"),
    ("timeline/YYYY-MM/N.html", r"timeline/\d{4}-\d{2}/\d+\.html"),
    ("claims/YYYY-MM.html", r"claims/\d{4}-\d{2}\.html"),
    ("claims/YYYY-MM/N.html", r"claims/\d{4}-\d{2}/\d+\.html"),
    ("claims/VERDICT/YYYY-MM.html", r"claims/[a-z]+/\d{4}-\d{2}\.html"),
    ("claims/VERDICT/YYYY-MM/N.html", r"claims/[a-z]+/\d{4}-\d{2}/\d+\.html"),
    ("claims/VERDICT.html", r"claims/[a-z]+\.html"),
    ("glossary/LETTER.html", r"glossary/([a-z]|other)\.html"),
    ("glossary/KIND.html", r"glossary/[a-z]{2,}\.html"),
    ("glossary/KIND/LETTER.html", r"glossary/[a-z]+/([a-z]|other)\.html"),
    ("archive/YYYY-MM.html", r"archive/\d{4}-\d{2}\.html"),
    ("entities/ID.html", r"entities/[^/]+\.html"),
    ("entities/ID/N.html", r"entities/[^/]+/\d+\.html"),
    ("sources/a-z/LETTER.html", r"sources/a-z/([a-z]|other)\.html"),
    ("sources/ID.html", r"sources/[^/]+\.html"),
    ("sources/ID/N.html", r"sources/[^/]+/\d+\.html"),
    ("articles/SLUG.html", r"articles/[^/]+\.html"),
    ("the pages at the top", r"[^/]+\.html"),
]


def main(site: str) -> None:
    largest: dict[str, tuple[int, int, str]] = {}  # kind → (pages, size of the largest, its path)
    for folder, _, names in os.walk(site):
        for name in names:
            path = os.path.relpath(os.path.join(folder, name), site).replace(os.sep, "/")
            if not name.endswith(".html") or path.startswith("pagefind/"):
                continue
            kind = next((kind for kind, pattern in KINDS if re.fullmatch(pattern, path)), "other")
            count, size, where = largest.get(kind, (0, -1, ""))
            here = os.path.getsize(os.path.join(folder, name))
            largest[kind] = (count + 1, *max((size, where), (here, path)))
    for kind in [kind for kind, _ in KINDS] + ["other"]:
        if kind in largest:
            count, size, where = largest[kind]
            print(f"{kind:32} {count:6} pages, the largest {size:>9,} B  {where}")
    print(f"{'HTML pages':32} {sum(count for count, _, _ in largest.values()):6}")


if __name__ == "__main__":
    main(sys.argv[1])
