"""The dev server's HTTP layer: connections get a thread only once they send their request, from a
bounded number, idle ones are closed; and the checks every request passes (its Host, its origin, and
the file it names, which must be inside the site once every link is resolved)."""

from __future__ import annotations

import collections
import contextlib
import ipaddress
import os
import posixpath
import queue
import selectors
import socket
import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from mkdocs.livereload import _Handler as MkDocsHandler

WORKERS = 16
"""Threads answering requests, at most: a connection gets one once it has sent something."""


IDLE_SECONDS = 15.0
"""How long a connection may stay open without sending anything (or between two reads of its request)."""


IDLE_CONNECTIONS = 256
"""Connections kept waiting for their request, at most; past that, the longest waiting is closed."""


class Handler(MkDocsHandler):
    """MkDocs' request handler, with a timeout on every read and write of the connection."""

    timeout = IDLE_SECONDS


class Connections:
    """Connections accepted, held without a thread until they send something, then answered by a few threads.

    MkDocs' server gives each connection a thread of its own at once, which
    waits for the request without a timeout: a few thousand idle connections
    were as many threads, and the requests after them waited. Here one
    thread watches the connections that have not sent anything yet (closing
    those idle for IDLE_SECONDS, and the longest waiting past
    IDLE_CONNECTIONS), and at most WORKERS threads answer requests.
    """

    def __init__(self, answer: Callable[[socket.socket, Any], None]):
        self._answer = answer
        self._selector = selectors.DefaultSelector()
        self._wake_up, self._waker = socket.socketpair()
        self._wake_up.setblocking(False)
        self._waker.setblocking(False)
        self._selector.register(self._wake_up, selectors.EVENT_READ)
        self._new: collections.deque[tuple[socket.socket, Any]] = collections.deque()
        self._idle: dict[socket.socket, tuple[float, Any]] = {}
        """Connection → (when it is closed if still silent, client address), in the order they came."""
        self._ready: queue.SimpleQueue[tuple[socket.socket, Any] | None] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._workers = 0
        self._free = 0
        """Workers waiting for a connection."""
        self._queued = 0
        """Connections handed over that no worker has taken yet."""
        self._closed = False
        self._watcher = threading.Thread(target=self._watch, name="http-connections", daemon=True)
        self._watcher.start()

    def add(self, connection: socket.socket, address: Any) -> None:
        """Answer CONNECTION once it sends its request (from the thread that accepted it)."""
        self._new.append((connection, address))
        self._wake()

    def close(self) -> None:
        """Close the connections waiting and stop the threads (a request being answered is let finish)."""
        with self._lock:
            self._closed = True
            workers = self._workers
        for _ in range(workers):
            self._ready.put(None)
        self._wake()

    def sockets(self) -> list[socket.socket]:
        """Return the sockets this holds, for a forked process to close its copies."""
        return [self._wake_up, self._waker, *self._idle, *(c for c, _ in list(self._new))]

    def _wake(self) -> None:
        with contextlib.suppress(OSError):  # its buffer is full (it will wake up anyway) or it is closed
            self._waker.send(b"\0")

    def _watch(self) -> None:
        while not self._closed:
            now = time.monotonic()
            timeout = next(iter(self._idle.values()))[0] - now if self._idle else None
            for key, _ in self._selector.select(None if timeout is None else max(0.0, timeout)):
                connection = key.fileobj
                if connection is self._wake_up:
                    try:
                        while self._wake_up.recv(4096):
                            pass
                    except OSError:
                        pass
                    continue
                assert isinstance(connection, socket.socket)
                self._selector.unregister(connection)
                _, address = self._idle.pop(connection)
                self._dispatch(connection, address)
            while self._new:
                connection, address = self._new.popleft()
                try:
                    self._selector.register(connection, selectors.EVENT_READ)
                except (ValueError, OSError):  # closed meanwhile
                    _close(connection)
                    continue
                self._idle[connection] = (time.monotonic() + IDLE_SECONDS, address)
            now = time.monotonic()
            while self._idle:
                connection, (deadline, _) = next(iter(self._idle.items()))
                if deadline > now and len(self._idle) <= IDLE_CONNECTIONS:
                    break
                del self._idle[connection]
                self._selector.unregister(connection)
                _close(connection)
        for connection in [*self._idle, *(c for c, _ in self._new)]:
            _close(connection)
        self._idle.clear()
        self._selector.close()
        self._wake_up.close()
        self._waker.close()

    def _dispatch(self, connection: socket.socket, address: Any) -> None:
        with self._lock:
            self._queued += 1
            if self._queued > self._free and self._workers < WORKERS:
                self._workers += 1
                self._free += 1
                threading.Thread(target=self._work, name=f"http-{self._workers}", daemon=True).start()
        self._ready.put((connection, address))

    def _work(self) -> None:
        while True:
            job = self._ready.get()
            with self._lock:
                self._free -= 1
                self._queued -= job is not None
            if job is None:
                return
            try:
                self._answer(*job)
            finally:
                with self._lock:
                    self._free += 1


def _close(connection: socket.socket) -> None:
    with contextlib.suppress(OSError):
        connection.close()


def opened_at(fd: int) -> str | None:
    """Return the path the open file FD was opened at, where the system tells (Linux); else None."""
    try:
        return os.readlink(f"/proc/self/fd/{fd}")
    except OSError:
        return None


def refuse(start_response: Callable[..., Any], status: str, text: str) -> list[bytes]:
    """Answer STATUS with TEXT, as plain text."""
    body = text.encode()
    start_response(status, [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))])
    return [body]


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def site_relative(path: str) -> str:
    """Return the path in the site that PATH (decoded; a folder's index.html if it ends in /) names, relative
    to its root, with no `..` (the files are not looked at: links are not resolved)."""
    relative = posixpath.normpath("/" + path).lstrip("/")
    if path.endswith("/"):
        relative = posixpath.join(relative, "index.html") if relative else "index.html"
    return relative


def inside_site(root: str, path: str) -> str | None:
    """Return the real path of what PATH (decoded; a folder's index.html if it ends in /) names in the site
    at ROOT (a real path), every link resolved; None if that is outside the site."""
    target = os.path.realpath(os.path.join(root, site_relative(path)))
    return target if target.startswith(root + os.sep) else None


def _allowed_hosts(server_address: Any) -> set[str]:
    host, port = server_address[:2]
    names = {str(host)}
    if is_loopback(str(host)):
        names |= {"localhost", "127.0.0.1", "::1"}
    return {f"{name}:{port}" if ":" not in name else f"[{name}]:{port}" for name in names}


def host_allowed(host_header: str, server_address: Any) -> bool:
    """Tell whether a request with HOST_HEADER is for the server bound at SERVER_ADDRESS (no DNS rebinding)."""
    host_header = host_header.lower()
    if host_header in _allowed_hosts(server_address):
        return True
    bound = str(server_address[0])
    if bound in ("0.0.0.0", "::"):  # noqa: S104 - all interfaces: IP addresses and localhost only, no DNS name
        name = urlsplit("//" + host_header).hostname or ""
        return name == "localhost" or _is_ip(name)
    return False


def same_origin(environ: dict[str, Any]) -> bool:
    """Tell whether the request of ENVIRON comes from a page of this server (or from no page)."""
    origin = environ.get("HTTP_ORIGIN")
    if environ.get("HTTP_SEC_FETCH_SITE", "same-origin") not in ("same-origin", "none"):
        return False
    return origin is None or urlsplit(origin).netloc.lower() == environ.get("HTTP_HOST", "").lower()
