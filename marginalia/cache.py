"""The build cache: what the last build found in each article, kept on disk.

Most of a full build goes into reading, anchoring and rendering articles, and
between two builds of a large site most articles have not changed. After a
successful build, what reading each article found (`pipeline.ArticleResult`)
is saved with the SHA-256 of its .md and .yml files: each process that reads
an article writes its entry into a pending folder, moved into the cache once
the new site is in place (and removed if the build fails). The next build
reuses an entry when

- the site key is the same: the code of this package, the templates,
  mkdocs.yml, entities.yml and sources.yml, byte for byte, the versions of
  Python and of the libraries that render pages, and the content and site
  folders; any change there makes every entry stale;
- the article's two files hash the same;
- and the previous site still holds the article's own pages: they are linked
  (or copied) into the new site instead of being rendered again.

The cache also keeps a manifest: the content hash of every article of the
site in place. With it, the build knows the version of each changed, added or
removed article that the previous site shows, and renders only the entity
pages and lists that show something different of it (`changes.stale_pages`);
the others are linked from the previous site too. Without a manifest, the
site-wide pages are all rendered again.

Every writer of the site, one at a time (each holds the site's lock, see
lock.py), keeps the cache true to the site in place: a build
with the cache removes the manifest before the site is swapped and writes it
after; a build without it removes the whole cache; the dev server, which
rewrites pages in place, removes the manifest and the entries of the articles
it re-renders.

Whether an article's files changed is told here once, for the build and the
dev server alike (`hash_articles`): by their stamps (inode, size, modification
and change times), then, where a stamp changed, by their SHA-256.

The cache is one file per article in `.cache/marginalia/<site key>/`
beside the site folder, which only this program writes, and only for the articles
it read. It holds two pickles: what the article brings to the checks across
articles (`check.Contribution`), which is all `check` reads, then what reading
it found, which a build reads. The glossary's entities are in it by id, and
read back as the glossary's own; `.cache/marginalia/search/` keeps the search bundles (see search.py).
`python build.py --no-cache` ignores it and removes it, and deleting the folder
is always safe.
"""

from __future__ import annotations

import contextlib
import copyreg
import functools
import hashlib
import io
import os
import pickle
import shutil
import stat
import struct
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from .config import Config
from .load import ENTITIES_FILE, SOURCES_FILE
from .model import Entity

if TYPE_CHECKING:
    from .check import Contribution
    from .pipeline import ArticleResult

FORMAT = 5
"""Changed whenever what is pickled changes shape."""
PACKAGE_DIR = Path(__file__).resolve().parent
MANIFEST = "manifest.pickle"
SEARCH = "search"
LIBRARIES = ("jinja2", "markupsafe", "markdown-it-py", "nh3", "pyyaml", "fastjsonschema", "jsonschema")


def cache_dir(config: Config) -> Path:
    """Return the folder that holds the build caches of CONFIG's site, one subfolder per site key."""
    return config.site_dir.parent / ".cache" / "marginalia"


def search_dir(config: Config) -> Path:
    """Return the folder that keeps the search bundles between builds (see search.py), beside the site keys'."""
    return cache_dir(config) / SEARCH


def site_key(config: Config) -> str:
    """Return a digest of everything besides the article files that an article's pages depend on."""
    digest = hashlib.sha256(f"{FORMAT}\0{config.content_dir.resolve()}\0{config.site_dir.resolve()}\0".encode())
    digest.update(sys.version.encode())
    for package in LIBRARIES:  # their versions can change what a page looks like
        try:
            digest.update(f"\0{package} {metadata.version(package)}".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"\0{package} none".encode())
    files = [
        *sorted(PACKAGE_DIR.rglob("*.py")),
        *sorted(PACKAGE_DIR.rglob("*.json")),
        *sorted(p for p in config.templates_dir.rglob("*") if p.is_file()),
        config.config_file,
        config.content_dir / ENTITIES_FILE,
        config.content_dir / SOURCES_FILE,
    ]
    for path in files:
        digest.update(os.fsencode(path) + b"\0")
        try:
            digest.update(hashlib.sha256(path.read_bytes()).digest())
        except OSError:
            digest.update(b"missing")
    return digest.hexdigest()


FileStamp = tuple[int, int, int, int]
"""A file's inode, size, and modification and change times (ns)."""
ArticleStamp = tuple[FileStamp | None, FileStamp | None]
"""The stamps of an article's .md and .yml files (None: no such file)."""
STAMPS = "stamps.pickle"
"""Article file name → (its ArticleStamp, its content hash) when last hashed: the memo of content_hashes()."""
RACY_NS = 2_000_000_000
"""A file changed less than this long (ns) before it is hashed is not memoized: an edit in the same tick of
the file system's clock, keeping the size, would keep the stamp too."""


def content_hashes(config: Config, paths: list[Path]) -> tuple[dict[str, str], dict[str, tuple[ArticleStamp, str]]]:
    """Return the content hash of each article of PATHS by file name, and the memo for save().

    An article whose two files have the stamps they had when last hashed is
    not read again: at 10,000 articles, reading and hashing 20,000 files took
    0.5 s of every build with the cache. The change time in the stamp is set
    by the system on any write (a tool can set a file's modification time
    back, not its change time).
    """
    return hash_articles([os.fspath(path) for path in paths], _load_stamps(config))


def hash_articles(
    paths: list[str], memo: dict[str, tuple[ArticleStamp, str]]
) -> tuple[dict[str, str], dict[str, tuple[ArticleStamp, str]]]:
    """Return the content hash of each article of PATHS (its .md files) by file name, and their entries for
    the MEMO.

    An article whose files have the stamps MEMO gives for it is not read
    again; the others are hashed (`content_hash`). The entries returned are
    those of the articles whose stamps can be trusted next time. PATHS are
    strings: the dev server looks at every article this way, and at 1,000
    articles making Path objects took as long as the look.
    """
    now = time.time_ns()
    hashes: dict[str, str] = {}
    stamps: dict[str, tuple[ArticleStamp, str]] = {}
    for md in paths:
        name = os.path.basename(md)
        md_stat, yml_stat = _lstat(md), _lstat(f"{md[:-3]}.yml")
        # Anything but regular files (a symbolic link's stamp is not its target's) is hashed every time.
        settled = (md_stat is not None and stat.S_ISREG(md_stat.st_mode)) and (
            yml_stat is None or stat.S_ISREG(yml_stat.st_mode)
        )
        stamp = (_stamp(md_stat), _stamp(yml_stat))
        known = memo.get(name)
        digest = known[1] if settled and known is not None and known[0] == stamp else content_hash(Path(md))
        hashes[name] = digest
        if settled and digest and now - max(_times(stamp)) > RACY_NS:
            stamps[name] = (stamp, digest)
    return hashes, stamps


Signature = tuple[tuple[str, int, int], ...]
"""(path, modification time in ns, size) of each file of `site_signature`."""


def site_signature(config: Config) -> Signature:
    """Return what identifies the version of what every page depends on: mkdocs.yml, the templates, the
    glossary and the sources (the dev server builds everything again when it changes)."""
    templates = sorted(p for p in config.templates_dir.rglob("*") if p.is_file())
    paths = [config.config_file, *templates, config.content_dir / ENTITIES_FILE, config.content_dir / SOURCES_FILE]
    result = []
    for path in paths:
        try:
            found = os.stat(path)
        except FileNotFoundError:
            result.append((str(path), 0, -1))
            continue
        result.append((str(path), found.st_mtime_ns, found.st_size))
    return tuple(result)


def _lstat(path: str) -> os.stat_result | None:
    try:
        return os.lstat(path)
    except OSError:
        return None


def _times(stamp: ArticleStamp) -> tuple[int, ...]:
    """Return the modification and change times of the files of STAMP."""
    md, yml = stamp
    times = md[2:] if md is not None else ()
    return times if yml is None else (*times, *yml[2:])


def _stamp(found: os.stat_result | None) -> FileStamp | None:
    return None if found is None else (found.st_ino, found.st_size, found.st_mtime_ns, found.st_ctime_ns)


def _load_stamps(config: Config) -> dict[str, tuple[ArticleStamp, str]]:
    try:
        with open(cache_dir(config) / STAMPS, "rb") as file:
            memo = pickle.load(file)  # noqa: S301 - written by save()
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, IndexError, TypeError, ValueError):
        return {}
    return memo if isinstance(memo, dict) else {}


def content_hash(md_path: Path) -> str:
    """Return the SHA-256 of an article: its .md file, then its .yml file if any.

    "" if either is not a regular file (a named pipe would block the reader): the
    article is then read as if it had changed, and refused there.
    """
    md = os.fspath(md_path)  # strings: at 10,000 articles, Path objects cost a second
    data = _read_regular(md)
    if data is None:
        return ""
    digest = hashlib.sha256(data)
    yml = f"{md[:-3]}.yml"
    if os.path.lexists(yml):
        data = _read_regular(yml)
        if data is None:
            return ""
        digest.update(b"\0" + data)
    return digest.hexdigest()


def _read_regular(path: str) -> bytes | None:
    """Return the bytes of the regular file at PATH; None if it is anything else or cannot be read."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        with open(fd, "rb", closefd=False) as file:
            return file.read()
    except OSError:
        return None
    finally:
        os.close(fd)


def load(config: Config, key: str, name: str, content: str, entities: dict[str, Entity]) -> ArticleResult | None:
    """Return what was saved under KEY for the article file NAME, if its content hash then was CONTENT.

    The entities it names are those of ENTITIES, the glossary (by id).
    """
    result: ArticleResult | None = _read_entry(config, key, name, content, entities)
    return result


def load_contribution(config: Config, key: str, name: str, content: str) -> Contribution | None:
    """Return what the article file NAME brings to the checks across articles, as saved under KEY, if its
    content hash then was CONTENT: all that `check` needs of an article it does not read again."""
    contribution: Contribution | None = _read_entry(config, key, name, content, None)
    return contribution


def _read_entry(config: Config, key: str, name: str, content: str, entities: dict[str, Entity] | None) -> Any:
    """Return the whole entry of NAME (with the glossary's ENTITIES), or with None its first pickle only (see
    stage()); None if there is none for the content hash CONTENT, or it cannot be read."""
    if not content:  # its files could not be hashed
        return None
    try:
        with open(f"{_key_dir(config, key)}/{name}.pickle", "rb") as file:  # a string: this runs per article
            (length,) = _LENGTH.unpack(file.read(_LENGTH.size))
            if entities is None:
                saved = pickle.loads(file.read(length))  # noqa: S301 - written by stage()
            else:
                file.seek(length, os.SEEK_CUR)
                saved = _Unpickler(file, entities).load()
    except _UNREADABLE:
        return None
    if not isinstance(saved, tuple) or len(saved) != 2 or saved[0] != content:
        return None
    return saved[1]


_UNREADABLE = (
    OSError,
    pickle.UnpicklingError,
    EOFError,
    AttributeError,
    ImportError,
    IndexError,
    KeyError,
    TypeError,
    ValueError,
    struct.error,
)
"""What reading a truncated, corrupt or outdated entry can raise: the article is then read again."""


@functools.lru_cache(maxsize=8)
def _key_dir(config: Config, key: str) -> Path:
    """Return the folder of the cache under KEY: its entries and its manifest."""
    return cache_dir(config) / key[:32]


def pending_dir(config: Config, key: str) -> Path:
    """Return the folder where this build writes its new entries under KEY until the site is in place."""
    return _key_dir(config, key) / f".pending-{os.getpid()}"


def stage(pending: Path, name: str, content: str, result: ArticleResult, contribution: Contribution) -> None:
    """Write the entry of the article file NAME (content hash CONTENT, what reading it found) into PENDING.

    The entry is two pickles, after the length of the first: the article's
    CONTRIBUTION to the checks across articles, all that `check` reads, then
    the whole RESULT, which a build reads. Called where the article is read,
    in any of the build's processes; save() moves it into the cache.
    """
    if not content:  # its files could not be hashed
        return
    summary = pickle.dumps((content, contribution), protocol=pickle.HIGHEST_PROTOCOL)
    entry = io.BytesIO()
    entry.write(_LENGTH.pack(len(summary)) + summary)
    pickler = pickle.Pickler(entry, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = _BY_ID
    pickler.dump((content, result))
    with contextlib.suppress(OSError):
        (pending / f"{name}.pickle").write_bytes(entry.getvalue())


_LENGTH = struct.Struct("<I")
"""The length of an entry's first pickle, at its start."""


def _glossary_entity(entity_id: str) -> Entity:
    """Stand for the glossary's entity ENTITY_ID in an entry: _Unpickler replaces this function by the lookup."""
    raise pickle.UnpicklingError("an entry of the build cache is read with its glossary (cache.load)")


_BY_ID = {**copyreg.dispatch_table, Entity: lambda entity: (_glossary_entity, (entity.id,))}
"""How entries are pickled: an entity as its id. Each article's entry names about ten, which, pickled whole,
were 18 % of its objects and about 40 % of the time to read it; the glossary is the same for every entry of a
site key."""


class _Unpickler(pickle.Unpickler):
    """Reads an entry, its entities from the glossary."""

    def __init__(self, file: BinaryIO, entities: dict[str, Entity]):
        super().__init__(file)
        self._entities = entities

    def find_class(self, module: str, name: str) -> Any:
        if module == __name__ and name == _glossary_entity.__name__:
            return self._entities.__getitem__  # an id not in the glossary: KeyError, the entry is not used
        found = _CLASSES.get((module, name))
        if found is None:
            found = _CLASSES[module, name] = super().find_class(module, name)
        return found


_CLASSES: dict[tuple[str, str], Any] = {}
"""(module, name) → the class or function Unpickler.find_class found: each entry looks up about 16, and with
find_class overridden each lookup is a Python call (0.4 s of a warm build at 10,000 articles, before this)."""


def save(config: Config, key: str, manifest: dict[str, str], stamps: dict[str, tuple[ArticleStamp, str]]) -> None:
    """Move the entries this build staged into the cache of KEY, and write the MANIFEST of the site.

    MANIFEST maps every article file name of the site now in place to its
    content hash; STAMPS is the memo of content_hashes(). The caches of
    other keys, the entries of articles no longer in the site, and entries
    other builds left pending, are dropped. Each entry is moved in
    atomically, the manifest last. A cache that cannot be written only makes
    the next build slower.
    """
    folder = _key_dir(config, key)
    pending = pending_dir(config, key)
    try:
        for other in folder.parent.iterdir():
            if other not in (folder, search_dir(config)) and other.is_dir():
                shutil.rmtree(other, ignore_errors=True)
        for entry in os.scandir(pending):
            os.replace(entry.path, f"{folder}/{entry.name}")
        for entry in os.scandir(folder):  # articles no longer in the site
            if entry.name.endswith(".md.pickle") and entry.name[: -len(".pickle")] not in manifest:
                os.unlink(entry.path)
        temporary = folder / f".{MANIFEST}.{os.getpid()}"
        temporary.write_bytes(pickle.dumps(manifest, protocol=pickle.HIGHEST_PROTOCOL))
        os.replace(temporary, folder / MANIFEST)
        temporary = folder.parent / f".{STAMPS}.{os.getpid()}"
        temporary.write_bytes(pickle.dumps(stamps, protocol=pickle.HIGHEST_PROTOCOL))
        os.replace(temporary, folder.parent / STAMPS)
    except OSError:
        pass
    for left in folder.glob(".pending-*"):  # this build's, now empty, and any a killed build left
        shutil.rmtree(left, ignore_errors=True)


def discard_pending(config: Config) -> None:
    """Remove the entries this build staged: it failed, and the site in place is still the previous one."""
    for folder in cache_dir(config).glob(f"*/.pending-{os.getpid()}"):
        shutil.rmtree(folder, ignore_errors=True)
        for made in (folder.parent, cache_dir(config), cache_dir(config).parent):  # if this build made them
            with contextlib.suppress(OSError):
                made.rmdir()  # only if empty


def load_manifest(config: Config, key: str) -> dict[str, str] | None:
    """Return the content hash of each article of the site in place, as saved under KEY, or None if unknown."""
    try:
        with (_key_dir(config, key) / MANIFEST).open("rb") as file:
            manifest = pickle.load(file)  # noqa: S301 - written by save() above
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, IndexError, TypeError, ValueError):
        return None
    return manifest if isinstance(manifest, dict) else None


def clear(config: Config) -> None:
    """Remove the whole build cache of CONFIG's site."""
    shutil.rmtree(cache_dir(config), ignore_errors=True)


def forget(config: Config, names: list[str] | None = None) -> None:
    """Remove the manifest, and the entries of the article files NAMES, under every key."""
    try:
        folders = [p for p in cache_dir(config).iterdir() if p.is_dir()]
    except OSError:
        return
    for folder in folders:
        for name in [MANIFEST, *(f"{n}.pickle" for n in names or [])]:
            with contextlib.suppress(OSError):
                (folder / name).unlink()


def reuse_pages(pages: list[str], site_dir: Path, staging: Path) -> bool:
    """Put PAGES of the previous site into STAGING, by hard link where possible; return False if one is missing.

    A linked file is never written again in this build: only pages not reused are rendered.
    """
    done: list[str] = []
    site, new = os.fspath(site_dir), os.fspath(staging)  # strings: at 10,000 articles, Path objects cost seconds
    for page in pages:
        source, target = f"{site}/{page}", f"{new}/{page}"
        try:
            link_or_copy(source, target)
        except OSError:
            for path in done:
                with contextlib.suppress(OSError):
                    os.unlink(path)
            return False
        done.append(target)
    return True


LINK_THREADS = 4
"""Threads that make many links at once: a link waits on the file system, not on Python. A build linking the
63,000 files of a 10,000-article site's search bundles took 0.73 to 0.81 s in four threads, 0.83 to 1.13 s in
one (and, in isolation, 0.4 to 0.5 s against 0.7 to 1.0). Writing files in threads saved nothing in a build."""


def link_all(pairs: list[tuple[str, str]]) -> None:
    """Link or copy each (source, target) of PAIRS as link_or_copy does, in LINK_THREADS threads; raise the
    first error."""
    if len(pairs) < 2 * LINK_THREADS:
        for source, target in pairs:
            link_or_copy(source, target)
        return

    def link(share: list[tuple[str, str]]) -> None:
        for source, target in share:
            link_or_copy(source, target)

    with ThreadPoolExecutor(LINK_THREADS) as pool:
        for _ in pool.map(link, [pairs[i::LINK_THREADS] for i in range(LINK_THREADS)]):
            pass


def link_or_copy(source: str, target: str) -> None:
    """Hard-link SOURCE as TARGET, making TARGET's folder if needed; copy it where links are not possible."""
    try:
        os.link(source, target)
    except FileNotFoundError:
        if not os.path.isfile(source):
            raise
        os.makedirs(os.path.dirname(target), exist_ok=True)
        link_or_copy(source, target)
    except OSError:  # another file system, or one without hard links
        if not os.path.isfile(source):
            raise
        shutil.copyfile(source, target)
