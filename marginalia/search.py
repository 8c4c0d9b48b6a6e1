"""Site search: Pagefind's index of the built site, made in bundles of bounded size.

Pagefind (its Python API drives its binary) indexes the article and entity
pages of the staging folder, and one record per claim, with the filters Kind
(entities), Status (claims), Year and Type. Its memory grows with the index it
holds (about 3 GB for 10,000 article pages in one index, 400 MB for 1,000), and
it cannot update an index. So the site's index is made of bundles, each made
by an index of its own, one after the other:

- ``pagefind/``: the entity pages, and Pagefind's scripts: the primary bundle (on a
  site without entities, the first year's articles);
- ``pagefind/<key>/``: the articles published in a year, with their claims
  (key ``2020``); a year of more than SHARD_ARTICLES articles is split into
  runs of months of about equal size (keys ``2020-01``, ``2020-07``...);
- ``pagefind/shards.json``: the keys of those, which assets/search-panel.js merges
  into the primary bundle's search (Pagefind's ``mergeIndex``).

Pagefind is given what it reads of each page (`searchable`: the page without
its scripts and the elements the templates mark ``data-pagefind-ignore="all"``,
which leaves little of an entity page but its name and description). Of that,
it indexes only the page's <main>, which base.html marks ``data-pagefind-body``:
the skip link and the header never reach an excerpt. Each
bundle is kept in the build cache, ``.cache/marginalia/search/<digest>/``,
under a digest of that and of its records: a build in which none of them
changed takes the bundle from there instead of asking Pagefind again
(`plan_search` takes the digests, `write_search` writes the bundles into a
folder: the site's pagefind/ for a build, one beside it for the dev server,
which then puts it in place whole; see live_search.py). The search results of
one index weigh a word by how rare it is in that bundle; assets/search-panel.js
weighs the entity pages' bundle twice so that they still come first for
their own names, and an article's ``names`` metadata (the entities it
mentions, from templates/article.html) a little, so that the article about a
person comes with them.

Pagefind 1.5+ runs its WebAssembly in a Web Worker, to which the pages' <meta>
CSP does not apply, so script-src needs no 'wasm-unsafe-eval'; a host that
sends the same policy as an HTTP header on every file must add it.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import gzip
import hashlib
import itertools
import json
import os
import pickle
import posixpath
import shutil
import sys
import tempfile
from collections.abc import Callable, Coroutine, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import cbor2

from . import urls
from .cache import link_all
from .errors import ConfigError
from .export import plain
from .index import Index, Placed, month_of, year_of
from .model import Article, Claim, Content

SEARCH_DIR = "pagefind"
"""Where the search bundles go, under the site."""
SHARD_LIST = "shards.json"
"""The keys of the bundles besides the primary one, in SEARCH_DIR."""
SHARD_ARTICLES = 500
"""About this many articles at most in one bundle, where a year can be split. Pagefind's
memory grows with its index: about 250 MB for 500 articles and their 2,500 claims, 500 MB
for 1,000. Smaller bundles also make a warm build remake less; but the reader's browser
fetches a part of each bundle for every search."""
LANGUAGE = "en"
"""The site's language, as templates/base.html declares it."""
MERGED_FILES = ("pagefind-entry.json", ".pf_meta", "index/", "fragment/", "filter/")
"""What a merged bundle needs (names ending or starting so): the primary bundle's scripts search it."""


Stamped = tuple[int, int, int, str]
"""A page's inode, size and modification time (ns), and the digest of what Pagefind reads of it."""
MEMO = "memo.pickle"
"""The Memo of the site in place, in the cache folder."""


@dataclass
class Shard:
    """One search bundle: the pages and records of one Pagefind index."""

    key: str
    """"entities", or the year (or first month) of its articles."""
    pages: list[str] = field(default_factory=list)
    """Site paths of the HTML pages it indexes."""
    claims: list[Placed[Claim]] = field(default_factory=list)
    """The claims it has a Pagefind custom record of (see `claim_record`), in the index's order."""
    records: list[dict[str, Any]] = field(default_factory=list)
    """Those records, for Pagefind: made for the bundle's digest, or by `write_search` if it is to be made."""
    stamps: dict[str, Stamped] = field(default_factory=dict)
    """Site path → each page as it was when the bundle's digest was taken (with a cache only)."""
    record_digests: dict[str, str] = field(default_factory=dict)
    """Article key (see `plan_search`) → the digest of its claims' records, as the bundle's digest took it."""


@dataclass
class Memo:
    """What the digests of the bundles in place were taken of, to take the next ones without reading it again."""

    pages: dict[str, Stamped] = field(default_factory=dict)
    """Site path → the page's Stamped."""
    records: dict[str, str] = field(default_factory=dict)
    """Article key → the digest of the records of its claims."""


def shards(content: Content, index: Index, site_dir: Path) -> list[Shard]:
    """Return the search bundles of the site in SITE_DIR, the primary one first; none is empty."""
    entities = Shard("entities", [urls.entity_path(e) for e in sorted(content.entities)])
    by_key: dict[str, Shard] = {}
    keys = shard_keys(content.articles)
    for article in sorted(content.articles, key=lambda a: a.slug):
        by_key.setdefault(keys[article.slug], Shard(keys[article.slug])).pages.append(urls.article_path(article.slug))
    for placed in index.claims:
        by_key[keys[placed.article.slug]].claims.append(placed)
    found = [entities, *(by_key[key] for key in sorted(by_key))]
    for shard in found:
        shard.pages = [page for page in shard.pages if os.path.isfile(os.path.join(site_dir, page))]
    return [shard for shard in found if shard.pages or shard.claims]


def shard_keys(articles: list[Article]) -> dict[str, str]:
    """Return the bundle key of each article, by slug: its year, or the first month of its run of months
    if its year has more than SHARD_ARTICLES articles.

    Such a year is split into as few runs of whole months as keep each to
    about SHARD_ARTICLES, of about the same size (filling each run in turn
    left a small one at the end of most years).
    """
    years: dict[str, dict[str, list[str]]] = {}
    for article in articles:
        years.setdefault(year_of(article.date), {}).setdefault(month_of(article.date), []).append(article.slug)
    keys: dict[str, str] = {}
    for year, months in years.items():
        total = sum(map(len, months.values()))
        runs = -(-total // SHARD_ARTICLES)  # rounded up
        key, run, before = year, 0, 0
        for month in sorted(months):
            if runs > 1 and (before == 0 or before * runs // total > run):  # a run starts with this month
                key, run = month, before * runs // total
            keys.update(dict.fromkeys(months[month], key))
            before += len(months[month])
    return keys


def claim_record(placed: Placed[Claim], content: Content) -> dict[str, Any]:
    """Return the Pagefind record of a claim, so that claims are results of their own.

    Filter names are capitalized (Kind, Status, Year, Type) because Pagefind's
    UI gives each checkbox the id "<filter>-<value>", and the glossary already
    has ids kind-person, kind-place...
    """
    claim, article = placed.item, placed.article
    quote = " ".join(claim.selector.quote.split())
    title = claim.summary or quote
    words = [title, f"“{quote}”", f"Status: {claim.status}."]
    meta = {"title": title, "status": claim.status, "article": plain(article.title)}
    if claim.claimant in content.entities:
        claimant = content.entities[claim.claimant].name
        words.append(f"Claimed by {claimant}.")
        meta["claimant"] = claimant
    return {
        "url": f"/{urls.claims_path(article.date)}#claim-{claim.id}",
        "content": " ".join(words),
        "language": LANGUAGE,
        "meta": meta,
        "filters": {"Type": ["claim"], "Status": [claim.status], "Year": [article.date[:4]]},
    }


def index_search(
    site_dir: Path,
    content: Content,
    index: Index,
    cache_dir: Path | None = None,
    article_keys: dict[str, str] | None = None,
) -> None:
    """Write the search bundles of the site in SITE_DIR into SITE_DIR/pagefind.

    CACHE_DIR: where bundles are kept between builds; a bundle found there
    (by the digest of what it indexes) is linked instead of made again, and
    the bundles this site does not use are removed. None: make every bundle.
    ARTICLE_KEYS: see `plan_search`.
    """
    write_search(plan_search(site_dir, content, index, cache_dir, article_keys), site_dir / SEARCH_DIR)


@dataclass
class SearchPlan:
    """The search bundles of a site, and the digest each is kept under in the build cache."""

    site_dir: Path
    content: Content
    shards: list[Shard]
    """The bundles, the primary one first (see `shards`)."""
    cache_dir: Path | None
    """Where bundles are kept between builds; None: nowhere."""
    digests: dict[str, str] = field(default_factory=dict)
    """Bundle key → the digest of all it depends on (see `_digest`); empty without a cache."""


def plan_search(
    site_dir: Path,
    content: Content,
    index: Index,
    cache_dir: Path | None = None,
    article_keys: dict[str, str] | None = None,
) -> SearchPlan:
    """Return the search bundles of the site in SITE_DIR and, with a CACHE_DIR, the digest of each.

    Only the pages changed since the digests were last taken are read (see `_digest`).
    ARTICLE_KEYS: article slug → a key that changes whenever the records of its claims may (the build's
    site key and the article's content hash); the digest of the records of an article whose key is kept
    is not taken again. Without it, every record is made for its digest.
    """
    plan = SearchPlan(site_dir, content, shards(content, index, site_dir), cache_dir)
    if cache_dir is not None and plan.shards:  # without a cache, nothing would read the digests
        memo, code = _load_memo(cache_dir), _code_digest()
        plan.digests = {
            shard.key: _digest(shard, site_dir, code, memo, content, article_keys or {}) for shard in plan.shards
        }
    return plan


class PagesChanged(Exception):
    """A page was replaced or removed between the digest of its bundle and Pagefind's reading of it."""


def write_search(
    plan: SearchPlan, folder: Path, hold: Callable[[], AbstractContextManager[Any]] = contextlib.nullcontext
) -> list[str]:
    """Write the search bundles of PLAN into FOLDER (the site's pagefind/); return the keys of those Pagefind made.

    With a cache, a bundle found there is linked instead, a bundle made is
    kept there, and the bundles this site does not use are removed. A page of
    a bundle to make that is not the file its digest was taken of (the dev
    server replaces pages meanwhile) raises PagesChanged: the bundle would be
    kept under a digest that does not describe it. Each write to the cache is
    made holding HOLD (the site's lock, see lock.py, for a caller that does
    not hold it throughout), but not Pagefind's reading of the pages.
    """
    todo, site_dir, cache_dir = plan.shards, plan.site_dir, plan.cache_dir
    if not todo:
        return []
    primary = todo[0].key
    kept = {key: cache_dir / digest for key, digest in plan.digests.items()} if cache_dir is not None else {}
    missing = [shard for shard in todo if not (shard.key in kept and kept[shard.key].is_dir())]

    def put(shard: Shard, files: dict[str, bytes]) -> None:
        files = canonical_search_bundle(files)
        if cache_dir is not None:  # written whole into a folder of its own, then named after its digest
            with hold():
                cache_dir.mkdir(parents=True, exist_ok=True)
                temporary = Path(tempfile.mkdtemp(dir=cache_dir, prefix=".new-"))
                _write_bundle(temporary, files, whole=True)
                try:
                    os.replace(temporary, kept[shard.key])
                except OSError:  # another build kept the same bundle meanwhile
                    shutil.rmtree(temporary, ignore_errors=True)
                    if not kept[shard.key].is_dir():
                        raise
        else:
            _write_bundle(_bundle_dir(folder, shard.key, primary), files, whole=shard.key == primary)

    if missing:
        for shard in missing:
            if len(shard.records) != len(shard.claims):  # not all made for the digest
                shard.records = [claim_record(placed, plan.content) for placed in shard.claims]
        _run(lambda: _pagefind_bundles(site_dir, missing, put))
    with hold():  # the bundles kept are linked before another writer can remove them
        for key, kept_dir in kept.items():
            _link_bundle(kept_dir, _bundle_dir(folder, key, primary), whole=key == primary)
        merged = [shard.key for shard in todo[1:]]
        (folder / SHARD_LIST).write_text(json.dumps(merged) + "\n", encoding="utf-8")
        if cache_dir is not None:
            memo = Memo()
            for shard in todo:
                memo.pages.update(shard.stamps)
                memo.records.update(shard.record_digests)
            _save_memo(cache_dir, memo)
            for entry in os.scandir(cache_dir):  # other bundles, and what a killed build left half written
                if entry.is_dir() and entry.name not in plan.digests.values():
                    # Renamed first: a build stopped while removing it leaves no half bundle under its digest.
                    gone = entry.path if entry.name.startswith(".") else os.path.join(cache_dir, f".gone-{entry.name}")
                    with contextlib.suppress(OSError):
                        os.rename(entry.path, gone)
                    shutil.rmtree(gone, ignore_errors=True)
                elif not entry.is_dir() and entry.name != MEMO:  # a memo half written, or one of an earlier version
                    with contextlib.suppress(OSError):
                        os.unlink(entry.path)
    return [shard.key for shard in missing]


def _run(coroutine: Callable[[], Coroutine[Any, Any, None]]) -> None:
    """Run the coroutine COROUTINE makes to its end.

    In a thread of its own if this one runs an event loop already (Playwright's,
    in the tests); else in this one, so that a thread left running when the
    program ends (the dev server's search refresh) does not hold up its end:
    the program waits for the threads of a ThreadPoolExecutor.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        asyncio.run(coroutine())
        return
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(lambda: asyncio.run(coroutine())).result()


def _code_digest() -> bytes:
    """Return a digest of what makes bundles besides their pages and records: this code and Pagefind's version."""
    return hashlib.sha256(Path(__file__).read_bytes() + f"\0{metadata.version('pagefind')}".encode()).digest()


def _digest(
    shard: Shard, site_dir: Path, code: bytes, memo: Memo, content: Content, article_keys: dict[str, str]
) -> str:
    """Return a digest of all a bundle depends on: what Pagefind reads of its pages, its records,
    and CODE (see `_code_digest`).

    What Pagefind reads of a page is hashed once (see `searchable`), and kept in MEMO with the
    file's inode, size and time: a page linked from the previous site is not read again. So are
    the records of an article's claims, under its key in ARTICLE_KEYS: they are not made again
    while it is kept. The shard's stamps and records get what was taken (the next memo; see also
    `_documents`).
    """
    digest = hashlib.sha256(code)
    digest.update(f"\0{shard.key}\0".encode())
    for page in shard.pages:
        path = os.path.join(site_dir, page)
        stat = os.stat(path)
        stamp = (stat.st_ino, stat.st_size, stat.st_mtime_ns)
        known = memo.pages.get(page)
        if known is None or known[:3] != stamp:
            with open(path, encoding="utf-8") as file:
                known = (*stamp, hashlib.sha256(searchable(file.read()).encode()).hexdigest())
        shard.stamps[page] = known
        digest.update(f"{page}\0{known[3]}\0".encode())
    for slug, claims in itertools.groupby(shard.claims, key=lambda placed: placed.article.slug):
        key = article_keys.get(slug)
        records_digest = memo.records.get(key) if key is not None else None
        if records_digest is None:
            made = [claim_record(placed, content) for placed in claims]
            shard.records.extend(made)  # for Pagefind, if they are all made here
            records_digest = hashlib.sha256(json.dumps(made, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
        if key is not None:
            shard.record_digests[key] = records_digest
        digest.update(f"{slug}\0{records_digest}\0".encode())
    return digest.hexdigest()


def _load_memo(cache_dir: Path) -> Memo:
    try:
        with open(cache_dir / MEMO, "rb") as file:
            memo = pickle.load(file)  # noqa: S301 - written by _save_memo
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, IndexError, TypeError, ValueError):
        return Memo()
    return memo if isinstance(memo, Memo) else Memo()


def _save_memo(cache_dir: Path, memo: Memo) -> None:
    with contextlib.suppress(OSError):
        cache_dir.mkdir(parents=True, exist_ok=True)
        temporary = cache_dir / f".{MEMO}.{os.getpid()}"
        temporary.write_bytes(pickle.dumps(memo, protocol=pickle.HIGHEST_PROTOCOL))
        os.replace(temporary, cache_dir / MEMO)


def _documents(shard: Shard, site_dir: Path) -> Iterator[tuple[str, str]]:
    """Yield the site path of each page of SHARD, and what Pagefind reads of it (see `searchable`).

    Raise PagesChanged if a page is not the file the bundle's digest was taken of (shard.stamps):
    pages are replaced, never rewritten, so a page with the same inode, size and time is the same.
    """
    for page in shard.pages:
        try:
            with open(os.path.join(site_dir, page), encoding="utf-8") as file:
                stat = os.fstat(file.fileno())
                if shard.stamps and (stat.st_ino, stat.st_size, stat.st_mtime_ns) != shard.stamps[page][:3]:
                    raise PagesChanged(f"{page} was replaced while its search bundle was made")
                text = file.read()
        except FileNotFoundError:  # since `shards` listed it: the dev server removed it
            raise PagesChanged(f"{page} was removed while its search bundle was made") from None
        yield page, searchable(text)


IGNORED = ' data-pagefind-ignore="all"'
"""How the templates mark what search leaves out, with everything inside it."""
VOID = frozenset(["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"])


def searchable(page: str) -> str:
    """Return PAGE without its scripts and the elements marked IGNORED: Pagefind makes the
    same index of both (tests/test_search.py checks it), and most of an entity page is gone.

    What the digest of a bundle reads, so that a page whose searchable part is unchanged
    (an entity page, after one more mention) leaves its bundle as it was. Elements are
    matched by their tag name, nested ones counted; if an element does not close, the page
    is returned whole.
    """
    kept, at = [], 0
    while (start := page.find("<script", at)) >= 0:
        end = page.find("</script>", start)
        if end < 0:
            return page
        kept.append(page[at:start])
        at = end + len("</script>")
    page, kept, at = "".join(kept) + page[at:], [], 0
    while (mark := page.find(IGNORED, at)) >= 0:
        start = page.rfind("<", at, mark)
        if start < 0 or page.find(">", start, mark) >= 0:  # not inside a tag: text that says it
            kept.append(page[at : mark + len(IGNORED)])
            at = mark + len(IGNORED)
            continue
        tag = page[start + 1 : mark].split(None, 1)[0].lower()
        end = page.find(">", mark) + 1 if tag in VOID else _closed(page, tag, page.find(">", mark) + 1)
        if end <= 0:
            return page
        kept.append(page[at:start])
        at = end
    kept.append(page[at:])
    return "".join(kept)


def _closed(page: str, tag: str, at: int) -> int:
    """Return where the element TAG whose content starts at AT ends, or -1."""
    opening, closing, depth = f"<{tag}", f"</{tag}>", 1
    while depth:
        close = page.find(closing, at)
        if close < 0:
            return -1
        inner = page.find(opening, at, close)
        while inner >= 0 and page[inner + len(opening)] not in " \t\n\r/>":
            inner = page.find(opening, inner + 1, close)
        if inner >= 0:
            depth, at = depth + 1, inner + len(opening)
        else:
            depth, at = depth - 1, close + len(closing)
    return at


def _bundle_dir(folder: Path, key: str, primary: str) -> Path:
    """Return the folder of the bundle KEY in FOLDER, the site's pagefind/: FOLDER itself for the PRIMARY one."""
    return folder if key == primary else folder / key


def _needed(name: str, whole: bool) -> bool:
    """Whether bundle file NAME goes into the site: all of a WHOLE (primary) bundle; of the others,
    only the index (the primary bundle's scripts search them)."""
    return whole or name.startswith(MERGED_FILES) or name.endswith(MERGED_FILES)


def _write_bundle(folder: Path, files: dict[str, bytes], whole: bool) -> None:
    """Write FILES of a bundle into FOLDER (all, if WHOLE; else what a merged bundle needs).

    With os calls, each folder made once: a bundle of 500 articles is some 2,500 files, and
    Path.write_bytes and mkdir for each took most of the Python side of the search index."""
    top, made = os.fspath(folder), set()
    for name, data in files.items():
        relative = posixpath.normpath(name)
        if name.startswith("/") or ".." in relative.split("/"):
            raise ConfigError(f"Pagefind returned a file outside its bundle: {name!r}")
        if _needed(name, whole):
            parent = relative.rpartition("/")[0]
            if parent not in made:
                os.makedirs(os.path.join(top, parent), exist_ok=True)
                made.add(parent)
            fd = os.open(os.path.join(top, relative), os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o666)
            try:
                with memoryview(data) as view:
                    while view:
                        view = view[os.write(fd, view) :]
            finally:
                os.close(fd)


def _link_bundle(source: Path, folder: Path, whole: bool) -> None:
    """Link the files of the bundle kept in SOURCE into FOLDER (all, if WHOLE; else what a merged bundle needs)."""
    top = os.fspath(source)
    links: list[tuple[str, str]] = []
    for parent, _, names in os.walk(top):  # strings: a bundle of 500 articles has some 2,000 files
        inside = os.path.relpath(parent, top).replace(os.sep, "/")
        for name in names:
            relative = name if inside == "." else f"{inside}/{name}"
            if _needed(relative, whole):
                links.append((f"{parent}/{name}", f"{folder}/{relative}"))
    link_all(links)


async def _pagefind_bundles(site_dir: Path, todo: list[Shard], put: Callable[[Shard, dict[str, bytes]], None]) -> None:
    """Make the bundle of each shard of TODO with Pagefind, one index after the other; pass each to PUT.

    The files are fetched, not written by Pagefind: its service answers a
    write request before every file is on disk, so a reader (or the end of
    the service) could find them half written. Pagefind is given what it reads
    of each page (`searchable`), not the page.

    While Pagefind indexes one bundle, a thread reads the pages of the next and
    encodes its requests (`_requests`), and another passes the bundle before to
    PUT (which mostly waits on the disk: a bundle of 500 articles and their
    claims is some 2,500 files): the Python side of a bundle then costs little
    more than Pagefind's.
    """
    try:
        from pagefind.index import IndexConfig
        from pagefind.service import get_executable

        from .pagefind_client import PromptService
    except ImportError:
        raise ConfigError("the search index needs Pagefind: pip install -r requirements.txt") from None
    if get_executable() is None:
        raise ConfigError("the search index needs the Pagefind binary: pip install 'pagefind[bin]'")

    loop = asyncio.get_running_loop()
    service = PromptService()
    await service.launch()
    config = IndexConfig(force_language=LANGUAGE)

    async def prepare(shard: Shard) -> tuple[int, int, int, asyncio.Future[bytes]]:
        """Make SHARD's index; return its id, the ids and count of its requests, and those being encoded."""
        index_id = (await service.create_index(config))._index_id
        assert index_id is not None
        count = len(shard.pages) + len(shard.records)
        first = service.reserve(count)
        return index_id, first, count, loop.run_in_executor(reader, _requests, shard, site_dir, index_id, first)

    written: list[Future[None]] = []
    with ThreadPoolExecutor(1, "search-read") as reader, ThreadPoolExecutor(1, "search-write") as writer:
        try:
            coming = await prepare(todo[0])
            for at, shard in enumerate(todo):
                index_id, first, count, encoding = coming
                requests = await encoding
                if at + 1 < len(todo):  # made before Pagefind is busy with this one
                    coming = await prepare(todo[at + 1])
                answers = await service.post(first, count, requests)
                del requests
                if any(answer.get("type") != "IndexedFile" for answer in answers):
                    raise RuntimeError("Pagefind: an unexpected answer to a page or record")
                response = await service.send({"type": "GetFiles", "index_id": index_id})  # type: ignore[arg-type,typeddict-item]
                files = {file["path"]: base64.b64decode(file["content"]) for file in response["files"]}  # type: ignore[typeddict-item]
                del response
                await service.send({"type": "DeleteIndex", "index_id": index_id})  # type: ignore[arg-type,typeddict-item]
                for done in written:  # a failed write stops the build now, not at the end
                    if done.done():
                        done.result()
                written.append(writer.submit(put, shard, files))
                del files
            for done in written:
                await asyncio.wrap_future(done)
        finally:
            await service.close()


def _requests(shard: Shard, site_dir: Path, index_id: int, first: int) -> bytes:
    """Return Pagefind's requests adding the pages and records of SHARD to the index INDEX_ID, with
    the message ids from FIRST, encoded as its service reads them (base64 JSON, each ended by a comma)."""
    payloads: list[dict[str, Any]] = [
        {"type": "AddFile", "index_id": index_id, "url": f"/{page}", "file_contents": text, "file_path": None}
        for page, text in _documents(shard, site_dir)
    ]
    payloads += ({"type": "AddRecord", "index_id": index_id, **record, "sort": None} for record in shard.records)
    encoded = (json.dumps({"message_id": first + n, "payload": payload}) for n, payload in enumerate(payloads))
    return b"".join(base64.b64encode(request.encode()) + b"," for request in encoded)


# Pagefind writes its filter indexes in the order of a Rust HashMap, which
# changes from run to run (Pagefind issue #638: since 1.3 the fragments are
# stable, "the filter/metadata indexes" are not). To keep two builds of the
# same content byte-identical, the lists inside those files are put in a fixed
# order and the files renamed after their new content, the way Pagefind names
# them. Nothing else is touched; a bundle of an unexpected shape is left as it is.

_PAGEFIND_MAGIC = b"pagefind_dcd"


def _decode(data: bytes) -> list[Any]:
    """Return the CBOR array DATA decoded, if cbor2 encodes it back to the very same bytes.

    Pagefind (minicbor) writes the shortest heads and definite lengths, as cbor2
    does; a file written otherwise is refused (ValueError) rather than changed."""
    value = cbor2.loads(data)
    if not isinstance(value, list) or cbor2.dumps(value) != data:
        raise ValueError("unexpected CBOR")
    return value


def _sorted(items: list[Any]) -> list[Any]:
    """Return ITEMS in the order of their CBOR encodings, byte by byte."""
    return sorted(items, key=cbor2.dumps)


def _pagefind_name(body: bytes, size: int) -> str:
    """Return the hash Pagefind names a file of BODY by: its SHA-1, bytes in unpadded hex."""
    return "".join(f"{b:x}" for b in hashlib.sha1(body, usedforsecurity=False).digest())[:size]


def canonical_search_bundle(files: dict[str, bytes]) -> dict[str, bytes]:
    """Return Pagefind's bundle FILES with its filter lists in a fixed order."""

    def body(name: str) -> bytes:
        data = gzip.decompress(files[name])
        if not data.startswith(_PAGEFIND_MAGIC):
            raise ValueError(f"{name} is not a Pagefind index")
        return data[len(_PAGEFIND_MAGIC) :]

    def put(old: str, new: str, data: bytes) -> None:
        del result[old]
        result[new] = gzip.compress(_PAGEFIND_MAGIC + data, mtime=0)

    result = dict(files)
    try:
        entry = json.loads(files["pagefind-entry.json"])
        for language, info in sorted(entry["languages"].items()):
            meta_name = f"pagefind.{info['hash']}.pf_meta"
            meta = _decode(body(meta_name))
            if len(meta) < 4 or not isinstance(meta[3], list):
                raise ValueError("unexpected metadata index")
            refs = []
            for name, old in meta[3]:
                if not isinstance(old, str) or not old.startswith(f"{language}_"):
                    raise ValueError("unexpected filter reference")
                inner = _decode(body(f"filter/{old}.pf_filter"))
                filter_name, values = inner
                if not isinstance(values, list):
                    raise ValueError("unexpected filter index")
                ordered = cbor2.dumps([filter_name, _sorted(values)])
                new = f"{language}_{_pagefind_name(ordered, len(old) - len(language) - 1)}"
                put(f"filter/{old}.pf_filter", f"filter/{new}.pf_filter", ordered)
                refs.append([name, new])
            ordered_meta = cbor2.dumps([*meta[:3], _sorted(refs), *meta[4:]])
            new_hash = f"{language}_{_pagefind_name(ordered_meta, len(info['hash']) - len(language) - 1)}"
            put(meta_name, f"pagefind.{new_hash}.pf_meta", ordered_meta)
            info["hash"] = new_hash
        result["pagefind-entry.json"] = json.dumps(entry, ensure_ascii=False, separators=(",", ":")).encode()
    except (KeyError, IndexError, ValueError, TypeError, OSError, EOFError, cbor2.CBORError) as err:
        print(f"warning: the search index is left in the order Pagefind wrote it ({err!r})", file=sys.stderr)
        return dict(files)
    return result
