"""Where every page goes: its site path (under site/, forward slashes) and its URL.

The one place that formats a page's address, as MkDocs' structure/files.py is:
the templates, the exports, the search index and the change tracking all ask
here. A site path (``entities/turkey.html``) is where a file is written; a
link is how one page reaches another (relative, or absolute under site_url).
"""

from __future__ import annotations

import posixpath

from .config import Config
from .index import month_of


def article_path(slug: str) -> str:
    """Return the site path of the article SLUG."""
    return f"articles/{slug}.html"


def entity_path(entity_id: str, part: int = 0) -> str:
    """Return the site path of the entity page of ENTITY_ID, or of its archive page PART (1 = the oldest)."""
    return f"entities/{entity_id}/{part}.html" if part else f"entities/{entity_id}.html"


def source_path(source_id: str, number: int = 1) -> str:
    """Return the site path of the page of the source SOURCE_ID, or of its page NUMBER of the claims that cite
    it (1 = its own page, with the newest)."""
    return f"sources/{source_id}/{number}.html" if number > 1 else f"sources/{source_id}.html"


def sources_letter_path(letter: str) -> str:
    """Return the site path of the list of the sources whose title starts with LETTER (A to Z, or "other"):
    in a folder no source's id can name (an id's further pages are numbered)."""
    return f"sources/a-z/{letter.lower()}.html"


def archive_path(day: str) -> str:
    """Return the site path of the list of the articles published in the month of DAY (YYYY-MM-DD or YYYY-MM)."""
    return f"archive/{month_of(day)}.html"


def claims_path(day: str) -> str:
    """Return the site path of the claims of the articles published in the month of DAY (YYYY-MM-DD or YYYY-MM)."""
    return f"claims/{month_of(day)}.html"


def claims_page_path(month: str, number: int) -> str:
    """Return the site path of page NUMBER (1 = the month's own page, with the newest claims) of the claims of MONTH."""
    return claims_path(month) if number == 1 else f"claims/{month_of(month)}/{number}.html"


def verdict_page_path(status: str, month: str, number: int) -> str:
    """Return the site path of page NUMBER (1 = the month's own page, with the newest claims) of the claims of
    STATUS in the articles of MONTH."""
    return verdict_path(status, month) if number == 1 else f"claims/{status}/{month_of(month)}/{number}.html"


def verdict_path(status: str, day: str = "") -> str:
    """Return the site path of the claims of STATUS across the site, or of those in the articles of the month
    of DAY (YYYY-MM-DD or YYYY-MM)."""
    return f"claims/{status}/{month_of(day)}.html" if day else f"claims/{status}.html"


def timeline_path(date: str) -> str:
    """Return the site path of the events that start in the month of DATE (YYYY-MM-DD or YYYY-MM),
    or of the year's page (YYYY), which lists its events known only by year and links to its months."""
    return f"timeline/{month_of(date)}.html"


def timeline_page_path(date: str, number: int) -> str:
    """Return the site path of page NUMBER (1 = the page of timeline_path, with the latest events) of the events
    that start in the month of DATE (YYYY-MM), or of the events of the year DATE (YYYY) known only by year."""
    return timeline_path(date) if number == 1 else f"timeline/{month_of(date)}/{number}.html"


def glossary_path(key: str, letter: str = "") -> str:
    """Return the site path of the glossary's page of KEY: a letter (its entries A–Z), "other" (those that start
    with no letter) or a kind; or, with LETTER, of the entries of the kind KEY under that letter."""
    return f"glossary/{key.lower()}/{letter.lower()}.html" if letter else f"glossary/{key.lower()}.html"


def sitemap_part_path(number: int) -> str:
    """Return the path of the NUMBERth file of a sitemap split past export.SITEMAP_URLS (from 1)."""
    return f"sitemaps/{number}.xml"


def annotations_path(slug: str) -> str:
    """Return the site path of the W3C annotation export of article SLUG."""
    return f"articles/{slug}.annotations.jsonld"


def site_base(config: Config) -> str:
    """Return site_url with a trailing slash, or "" when it is not set."""
    url = config.site_url
    return url if not url or url.endswith("/") else url + "/"


def _public(path: str) -> str:
    """Return PATH as it is linked publicly: index.html is its folder."""
    if path == "index.html":
        return ""
    return path[: -len("index.html")] if path.endswith("/index.html") else path


def absolute_url(config: Config, path: str) -> str:
    """Return the absolute URL of site PATH (needs site_url)."""
    return site_base(config) + _public(path)


def link(config: Config, path: str, here: str, fragment: str = "") -> str:
    """Return a link to site PATH from the file at HERE: absolute under site_url, else relative."""
    url = absolute_url(config, path) if site_base(config) else _relative(path, posixpath.dirname(here))
    return f"{url}#{fragment}" if fragment else url


def _relative(path: str, folder: str) -> str:
    """Return site PATH relative to FOLDER, quickly for the site's one level of folders."""
    if not folder:
        return path
    if "/" not in folder:
        return path[len(folder) + 1 :] if path.startswith(folder + "/") else "../" + path
    return posixpath.relpath(path, folder)
