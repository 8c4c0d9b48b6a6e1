"""One writer at a time per site folder: an advisory lock beside it.

Everything that writes the site folder or its build cache takes this lock
first and holds it until its writes are done: a build from its first read of
the cache to the swap of the new site and the save of the cache, the dev
server around each rebuild's writes and each swap of its search index. Two
builds into the same site/ would otherwise remove each other's staging
folders and cache entries, and swap in half a site.

The lock is `flock` on the file `.<site>.lock` beside the site folder (not
inside it: the site folder is swapped whole; not in .cache/ either, which
`--no-cache` removes). The system releases it when its holder ends, however
it ends, so a lock file left by a killed build blocks nothing. The holder
writes its process id and what it is into the file, for the message of a
writer that waits, and removes the file as it lets go: a folder where
nothing is being written holds no lock file (a writer that finds the file
it locked removed, locks the one now there).

Within one process the lock is re-entrant (the build's search index takes it
inside the build's). A forked process does not inherit it: it takes its own.
`check` takes no lock: it only reads the cache, whose entries, manifest and
memos are each put in place by one atomic rename, and an entry is used only
for the content hash it was saved with.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from .errors import MarginaliaError

POLL = 0.2
"""Seconds between two tries to take the lock where it cannot be waited for (Windows)."""


class Busy(MarginaliaError):
    """Another process holds the lock of the site folder, and this one was told not to wait."""


def lock_path(site_dir: Path) -> Path:
    """Return the lock file of the site folder SITE_DIR: `.<name>.lock` beside it."""
    return site_dir.parent / f".{site_dir.name}.lock"


_held: dict[str, int] = {}
"""Lock file path → its open descriptor, for the locks this process holds."""


def _forget_inherited() -> None:
    """In a forked process, drop the locks the parent held: they are the parent's (closing our copy of the
    descriptor does not release them; unlocking it would)."""
    for fd in _held.values():
        with contextlib.suppress(OSError):
            os.close(fd)
    _held.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_inherited)


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@contextlib.contextmanager
def site_lock(
    site_dir: Path, what: str = "build", wait: bool = True, say: Callable[[str], None] = _say
) -> Iterator[None]:
    """Hold the lock of SITE_DIR for the duration of the block; WHAT names the holder for others' messages.

    If another process holds it: with WAIT, SAY that this one waits, naming the
    holder, and wait; without, raise Busy.
    """
    path = os.fspath(lock_path(site_dir).absolute())
    if path in _held:  # taken by this process, further up: it lets go there
        yield
        return
    site_dir.absolute().parent.mkdir(parents=True, exist_ok=True)
    said = False
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            if not _try_lock(fd):
                holder = _holder(fd)
                if not wait:
                    raise Busy(f"{holder} is writing {site_dir}; not waiting for it (--no-wait)")
                if not said:
                    say(f"Waiting for {holder} to finish (it holds {path})")
                    said = True
                _lock(fd)
        except BaseException:
            os.close(fd)
            raise
        if _is_at(fd, path):
            break
        _unlock(fd)  # its holder removed it as it let go: lock the file now there
        os.close(fd)
    try:
        os.ftruncate(fd, 0)  # what a killed holder wrote
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, f"{os.getpid()} {what}\n".encode())
        _held[path] = fd
        try:
            yield
        finally:
            del _held[path]
            with contextlib.suppress(OSError):
                os.unlink(path)  # before letting go: a file left by a killed holder would be harmless, but untidy
            _unlock(fd)
    finally:
        os.close(fd)


def _is_at(fd: int, path: str) -> bool:
    """Return whether the open file FD is still the file at PATH (not removed, nor replaced by another)."""
    try:
        return os.path.samestat(os.fstat(fd), os.stat(path))
    except OSError:
        return False


def _holder(fd: int) -> str:
    """Return who holds the lock, as its holder wrote it: "the build in process 1234"."""
    with contextlib.suppress(OSError, ValueError):
        os.lseek(fd, 0, os.SEEK_SET)
        pid, _, what = os.read(fd, 200).decode().strip().partition(" ")
        return f"the {what or 'build'} in process {int(pid)}"
    return "another build"  # it has the lock, but has not written its id yet


if sys.platform == "win32":  # a lock on the file's first byte, polled
    import msvcrt

    def _try_lock(fd: int) -> bool:
        os.lseek(fd, 0, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _lock(fd: int) -> None:
        while not _try_lock(fd):
            time.sleep(POLL)

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _lock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_EX)

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
