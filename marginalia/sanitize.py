"""What from content may reach a page: the link schemes allowed, and the sanitizer of the HTML that
Markdown from a YAML field becomes."""

from __future__ import annotations

import re

import nh3

SAFE_SCHEMES = ("http", "https", "mailto")
"""The only URL schemes a link may have; a link without a scheme is relative."""


_SCHEME = re.compile(r"\s*([a-zA-Z][a-zA-Z0-9+.-]*):")


def is_safe_url(url: str) -> bool:
    """Tell whether URL (as markdown-it normalized it) is http(s), mailto or relative.

    `//host/path` has no scheme but is no relative link: it names another host (protocol-relative).
    """
    scheme = _SCHEME.match(url)
    if scheme is None:
        return not url.lstrip().startswith(("//", "/\\", "\\"))
    return scheme.group(1).lower() in SAFE_SCHEMES


CONTRIBUTOR_TAGS = {"a", "em", "strong", "code", "p", "br", "ul", "ol", "li", "blockquote", "pre", "hr"}
"""What Markdown written in a YAML field (descriptions, notes, reviews) may become."""


def sanitize(fragment: str) -> str:
    """Return FRAGMENT with only CONTRIBUTOR_TAGS and safe links left.

    markdown-it already shows raw HTML as text and drops unsafe links; this
    is the second lock, in case a parser option or plugin ever lets HTML through.
    """
    return nh3.clean(
        fragment,
        tags=CONTRIBUTOR_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes=set(SAFE_SCHEMES),
        link_rel="nofollow noopener",
    )
