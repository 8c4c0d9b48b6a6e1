"""The dev server's search index, made again in the background after incremental rebuilds.

A full build makes the search index with the rest of the site (search.py).
An incremental rebuild (live.py) writes the pages that changed in tens of
milliseconds, but Pagefind takes seconds to index a year of articles again.
So each incremental rebuild that changed an article hands a SearchRefresh a
snapshot of the site and returns; the search index is made again meanwhile,
in a process of its own (see SearchRefresh for why not a thread):

- one refresh at a time, coalesced: a snapshot handed over while a refresh
  runs waits, and replaces any snapshot waiting before it, so that edits
  during a refresh make one more refresh after it, not one each;
- from a snapshot: the glossary, the list of articles and what each adds to
  the index as that rebuild left them, which later rebuilds replace rather
  than change. The pages are read from the site, where a rebuild replaces
  each file whole: a page replaced before Pagefind reads it abandons that
  refresh (`search.PagesChanged`), unreported, as the rebuild that replaced
  it has handed over the snapshot of the next one;
- through the build cache, as a build does: Pagefind makes again only the
  bundles whose pages or claims changed, the others are hard links to the
  bundles kept in the cache (see search.py); when no bundle changed, nothing
  is written;
- put in place whole: the new pagefind/ is made in a folder beside the site,
  then exchanged with the old one in one rename, so that a reader never
  finds half of one and half of the other.

A page that started its search before holds the old pagefind-entry.json,
and fetches the index files it names. Their names are digests of their
content (only pagefind-entry.json and shards.json keep theirs, and Pagefind
fetches the first afresh each time), so the new pagefind/ keeps the files of
the two indexes before it: every rebuild reloads the open pages, and at most
two refreshes end between a page's reload and the next, the one running and
the one waiting. A full build makes pagefind/ anew, without them.

A full build stops a running refresh and drops a waiting one: it makes the
search index itself, and both write the search cache. Stopping the server
stops them too, at once; what a stopped refresh leaves beside the site, if
the server has ended before removing it, the next build removes.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import pickle
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

from . import cache, lock, pipeline, search
from .cache import link_or_copy
from .config import Config
from .errors import MarginaliaError
from .index import ArticleIndex, Index, claims_index
from .model import Content

CLOSE_WAIT = 5.0
"""Seconds the server, stopping, waits for the refresh's thread to end."""


@dataclass(frozen=True)
class Snapshot:
    """The site as one rebuild left it: what its search index is made of."""

    config: Config
    content: Content
    """The glossary, the sources and the articles, newest first."""
    parts: dict[str, ArticleIndex]
    """Article slug → what it adds to the index."""
    index: Index | None = None
    """The index of CONTENT, if the rebuild built one."""


@dataclass
class Refreshed:
    """What one refresh of the search index did."""

    seconds: float = 0.0
    made: list[str] = field(default_factory=list)
    """The keys of the bundles Pagefind made again (see search.py)."""
    replaced: bool = False
    """Whether a new index was put in place; False: the one in place was up to date, or an error stopped it."""
    error: str = ""
    """Why the index in place was left as it was, in one line."""


class SearchRefresh:
    """Makes the search index of the dev server's site again after incremental rebuilds, one snapshot at a time.

    A thread of this process waits for snapshots, and runs each refresh in a
    process of its own, forked, which starts with the snapshot in memory as it
    is. Not in the thread itself: Python runs one thread at a time, and a
    refresh's own work (sending each page to Pagefind, hashing, linking files)
    made the rebuilds during it two to seven times slower on a site of 1,000
    articles. The process is killed when a full build starts or the server
    stops; whatever it leaves half done is in folders of its own (see
    search.py), which the next build removes. Where processes cannot be
    forked (Windows), the refresh runs in the thread, and cannot be stopped.
    """

    def __init__(self, report: Callable[[Refreshed], None] | None = None):
        self._report = report
        """Told of each refresh that ends, from the thread."""
        self._state = threading.Condition()
        """Held to read or change the fields below."""
        self._waiting: Snapshot | None = None
        """The snapshot of the next refresh."""
        self._running = False
        self._stopping = False
        """Whether the running refresh is to stop and put nothing in place."""
        self._child: int | None = None
        """The process id of the running refresh."""
        self._closed = False
        self._thread: threading.Thread | None = None
        self._served: list[frozenset[str]] = []
        """The files of the last indexes put in place, the newest last (empty: not known)."""
        self._digests: dict[str, str] | None = None
        """The digest of each bundle in place, if a refresh put it there (see search.SearchPlan)."""

    def request(self, snapshot: Snapshot) -> None:
        """Make the search index of SNAPSHOT once the refresh running, if any, has ended; return at once."""
        with self._state:
            if self._closed:
                return
            self._waiting = snapshot
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name="search-refresh", daemon=True)
                self._thread.start()
            self._state.notify_all()

    def cancel(self) -> None:
        """Drop the waiting refresh and stop the running one; return once it has stopped.

        For a full build, which makes the search index itself, with the same cache.
        """
        with self._state:
            self._waiting = None
            self._stop()
            self._state.wait_for(lambda: not self._running)
            self._served, self._digests = [], None  # the build makes pagefind/ anew

    def close(self) -> None:
        """Stop refreshing: drop the waiting refresh and stop the running one.

        Waits at most CLOSE_WAIT for the thread to end: once the refresh is
        stopped, it has only to remove what that left beside the site.
        """
        with self._state:
            self._closed = True
            self._waiting = None
            self._stop()
            self._state.notify_all()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(CLOSE_WAIT)

    def _stop(self) -> None:
        """Stop the running refresh, if any (the caller holds _state)."""
        if self._running:
            self._stopping = True
            if self._child is not None:
                _kill(self._child)

    def _loop(self) -> None:
        while True:
            with self._state:
                self._state.wait_for(lambda: self._waiting is not None or self._closed)
                if self._closed or self._waiting is None:
                    return
                snapshot, self._waiting = self._waiting, None
                self._running, self._stopping = True, False
            try:
                started = time.perf_counter()
                refreshed = self._run(snapshot)
                if refreshed is not None and self._report is not None:
                    refreshed.seconds = time.perf_counter() - started
                    self._report(refreshed)
            finally:
                with self._state:
                    self._running = False
                    self._state.notify_all()

    def _run(self, snapshot: Snapshot) -> Refreshed | None:
        """Refresh the index of SNAPSHOT in a process of its own; return what it did (None: nothing to report).

        Errors, whatever they are, come back as one line, without a traceback:
        the server goes on serving the index in place.
        """
        site_dir = snapshot.config.site_dir
        try:
            temporary = Path(tempfile.mkdtemp(dir=site_dir.parent, prefix=f".{site_dir.name}.search-{os.getpid()}-"))
            try:
                sent, status = self._in_child(lambda: self._refresh(snapshot, temporary))
            finally:
                shutil.rmtree(temporary, ignore_errors=True)  # what a stopped refresh left
        except OSError as error:  # no process could be started
            return Refreshed(error=_one_line(error))
        with self._state:
            if self._stopping:
                return None
        if not sent:
            self._served, self._digests = [], None  # pagefind/ may be other than they say
            return Refreshed(error=f"its process ended without a result ({_ended(status)})")
        outcome: _Outcome = pickle.loads(sent)  # noqa: S301 - written by _child, a fork of this process
        if outcome.refreshed is not None:  # else superseded, and nothing put in place
            self._served, self._digests = outcome.served, outcome.digests
        return outcome.refreshed

    def _in_child(self, refresh: Callable[[], _Outcome]) -> tuple[bytes, int]:
        """Run REFRESH in a forked process; return what it sent back, and its wait status."""
        if not hasattr(os, "fork"):
            return pickle.dumps(_outcome(refresh)), 0
        receive, send = os.pipe()
        with os.fdopen(receive, "rb") as pipe:
            parent = os.getpid()
            try:
                pid = os.fork()
            except OSError:
                os.close(send)
                raise
            if pid == 0:
                os.close(receive)  # else, the server gone, the child would block writing to a pipe it keeps open
                die_with_parent(parent)
                _child(send, refresh)
            os.close(send)
            with self._state:
                self._child = pid
                if self._stopping:
                    _kill(pid)
            try:
                sent = pipe.read()
            finally:
                status = os.waitpid(pid, 0)[1]
                with self._state:
                    self._child = None
        return sent, status

    def _refresh(self, snapshot: Snapshot, temporary: Path) -> _Outcome:
        """Make the search index of SNAPSHOT in the folder TEMPORARY and put it in place (in the refresh's process)."""
        site_dir = snapshot.config.site_dir
        index = snapshot.index if snapshot.index is not None else claims_index(snapshot.content, snapshot.parts)
        plan = search.plan_search(site_dir, snapshot.content, index, cache.search_dir(snapshot.config))
        if plan.digests == self._digests:
            return _Outcome(Refreshed(), self._served, self._digests)
        live = site_dir / search.SEARCH_DIR
        hold = functools.partial(lock.site_lock, site_dir, "dev server's search refresh")  # against other writers
        try:
            made = search.write_search(plan, temporary, hold)
            with hold():
                files = frozenset(_files(temporary))
                served = self._served or [frozenset(_files(live))]
                for name in sorted(frozenset().union(*served) - files):  # what pages that loaded an index before fetch
                    if os.path.isfile(live / name):
                        link_or_copy(os.fspath(live / name), os.fspath(temporary / name))
                _replace_folder(temporary, live)
        finally:
            shutil.rmtree(temporary, ignore_errors=True)  # after the exchange, the index that was in place
        return _Outcome(Refreshed(made=made, replaced=True), [served[-1], files], plan.digests)


@dataclass
class _Outcome:
    """What a refresh's process sends back."""

    refreshed: Refreshed | None
    """None: a page was replaced meanwhile, and the rebuild that replaced it handed over the next snapshot."""
    served: list[frozenset[str]] = field(default_factory=list)
    """The files of the indexes in place now and before it (see SearchRefresh._served)."""
    digests: dict[str, str] | None = None
    """The digest of each bundle in place now (None: not known)."""


NICENESS = 10
"""How much lower the refresh's priority is than the server's: on a machine with two cores, a refresh
(its process and Pagefind's) running during the next edit slowed that edit's rebuild three to five times."""


def _child(send: int, refresh: Callable[[], _Outcome]) -> NoReturn:
    """Run REFRESH in the forked process, send what it did through the pipe SEND, and end the process.

    Only the forking thread goes on in this process: a lock another thread
    held then stays held. So nothing is printed or logged (the streams have
    locks), Ctrl-C is left to the server (which kills this process), and the
    process ends at once, without the clean-up of the server's interpreter.
    """
    code = 1
    try:
        os.nice(NICENESS)  # and Pagefind's process, which it starts: the server's next rebuild comes first
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        sys.stdout = sys.stderr = open(os.devnull, "w")  # noqa: SIM115 - os._exit ends it
        logging.disable(logging.CRITICAL)
        outcome = _outcome(refresh)
        with os.fdopen(send, "wb") as pipe:
            pipe.write(pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL))
        code = 0
    finally:
        os._exit(code)


def _outcome(refresh: Callable[[], _Outcome]) -> _Outcome:
    """Return what REFRESH did; the error it raised as one line, if any."""
    try:
        return refresh()
    except search.PagesChanged:
        return _Outcome(None)
    except Exception as error:
        return _Outcome(Refreshed(error=_one_line(error)))  # what is in place is not known: none served


def die_with_parent(parent: int) -> None:
    """Have the system kill the calling process, forked by PARENT, when PARENT ends (Linux; elsewhere nothing).

    Whatever ends the server, even SIGKILL, the process it forked then ends
    too. The signal is sent when the thread that forked ends: the search
    refresh's thread waits for its process, and the pipeline's workers are
    forked by the thread that runs the build, which waits for them.
    """
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # it ended before the call above
        os._exit(1)


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def _ended(status: int) -> str:
    """Return how a process ended, from its wait status."""
    if os.WIFSIGNALED(status):
        return f"killed by signal {os.WTERMSIG(status)}"
    return f"exit status {os.waitstatus_to_exitcode(status)}"


def _files(folder: Path) -> list[str]:
    """Return the path of every file under FOLDER, relative to it, with forward slashes; none if it is missing."""
    top = os.fspath(folder)
    found = []
    for parent, _, names in os.walk(top):
        inside = os.path.relpath(parent, top).replace(os.sep, "/")
        found += [name if inside == "." else f"{inside}/{name}" for name in names]
    return found


def _replace_folder(new: Path, old: Path) -> None:
    """Put the folder NEW in the place of OLD; NEW then holds what OLD held, if anything.

    In one atomic exchange where the system has one (Linux); elsewhere, two
    renames, between which OLD is missing for an instant.
    """
    if not old.exists():
        new.rename(old)
    elif not pipeline.exchange_folders(new, old):
        retired = new.with_name(new.name + "-old")
        old.rename(retired)
        new.rename(old)
        retired.rename(new)


def _one_line(error: Exception) -> str:
    """Return what ERROR says, on one line; with its kind, unless it is one this program or Pagefind raises."""
    message = " ".join(str(error).split())
    if message and isinstance(error, (MarginaliaError, OSError, RuntimeError)):
        return message
    return f"{type(error).__name__}: {message}" if message else type(error).__name__
