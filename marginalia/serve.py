"""The dev server: MkDocs' LiveReloadServer, rebuilding on every change.

The subclass below changes what a preview server on a contributor's machine
needs changed, and nothing else:

- the reload script is a file, not inline, so the site's Content-Security-Policy
  (script-src 'self') allows it; it keeps the reader's scroll position;
- while the content has errors, the last good site stays up and every page
  shows an overlay with the problems, exactly as `check` prints them;
- an error that stops a rebuild (a broken template or mkdocs.yml) is shown
  in the overlay too, with its file and line, under a heading that says
  which kind of file is broken, and the server goes on answering;
- requests are refused unless their Host is the address served (DNS
  rebinding), the reload endpoint answers only its own origin, a path is
  decoded once, as UTF-8 (400 if it is not, or holds NUL), and the file served
  is the one checked to be inside the site, every link resolved;
- connections get a thread only once they send their request, from a bounded
  number, and idle ones are closed (the HTTP layer: serve_http.py, with the
  checks on Host, origin and path);
- SIGINT, SIGTERM and SIGHUP stop the server and every process it started.

It answers at once: the first build runs in the background (the same full
build as `build`), and until it has put a site in place an article's own
pages are rendered on request, and every other page is a temporary one
that becomes the page asked for when the build is done (_serve_preview).

After a rebuild that changed an article, the search index is made again in
the background (live_search.py); the console says when each refresh ends.
"""

from __future__ import annotations

import contextlib
import html
import logging
import os
import re
import signal
import socket
import stat
import sys
import threading
import weakref
import wsgiref.util
from collections.abc import Callable, Iterable
from types import FrameType
from typing import Any
from urllib.parse import quote

import watchdog.events
import watchdog.observers
from mkdocs.livereload import LiveReloadServer

from .config import Config
from .errors import Problem
from .export import WITHOUT_SITE_URL, exports_annotations
from .failures import content_title, failure_title, place_failure
from .live import LiveSite
from .live_search import Refreshed, die_with_parent
from .preview import Preview, building_page
from .serve_http import (
    WORKERS,
    Connections,
    Handler,
    host_allowed,
    inside_site,
    is_loopback,
    opened_at,
    refuse,
    same_origin,
    site_relative,
)

log = logging.getLogger("marginalia.serve")

DEV_PREFIX = "/.marginalia/"
"""Where the server's own files are served; no page of the site lives there."""

_CHANGES = {"created", "modified", "deleted", "moved", "closed"}
"""File events that can mean new content ('closed' after writing; not 'opened' or 'closed_no_write')."""

_SCRIPT = re.compile(re.escape(DEV_PREFIX) + r"livereload-([0-9]+)-([0-9]+)\.js")
_POLL = re.compile(r"/livereload/([0-9]+)/[0-9]+")

POLLS = WORKERS // 2
"""Reload polls waiting at once, at most; more are told to come back later (503), so pages still get a thread."""
STOP_SECONDS = 10.0
"""Seconds a signal leaves the server to stop cleanly before it ends the process."""
BUILD_WAIT = 30.0
"""Seconds a request waits for a rebuild running to end before it is answered with the last good site."""

LIVERELOAD_JS = """\
(function () {
  var me = document.currentScript.src.match(/livereload-([0-9]+)-([0-9]+)\\.js$/);
  var epoch = +me[1], requestId = me[2], req, timeout, key = "marginalia-scroll:" + location.pathname;
  var saved = sessionStorage.getItem(key);
  if (saved !== null) {
    sessionStorage.removeItem(key);
    window.addEventListener("load", function () { window.scrollTo(0, +saved); });
  }
  function poll() {
    req = new XMLHttpRequest();
    req.onloadend = function () {
      if (parseFloat(this.responseText) > epoch) {
        sessionStorage.setItem(key, String(window.scrollY));
        location.reload();
      } else {
        timeout = setTimeout(poll, this.status === 200 ? 0 : 3000);
      }
    };
    req.open("GET", "/livereload/" + epoch + "/" + requestId);
    req.send();
  }
  function stop() {
    if (req) req.abort();
    if (timeout) clearTimeout(timeout);
    req = timeout = undefined;
  }
  window.addEventListener("load", function () { if (document.visibilityState === "visible") poll(); });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") poll(); else stop();
  });
  window.addEventListener("beforeunload", stop);
  var close = document.getElementById("marginalia-problems-close");
  if (close) close.addEventListener("click", function () { close.parentNode.hidden = true; });
})();
"""

OVERLAY_CSS = """\
#marginalia-problems { position: fixed; inset: auto 0 0 0; max-height: 60vh; overflow: auto; z-index: 2147483647;
  margin: 0; padding: 1rem 1.25rem; background: #2b0b0b; color: #fff; border-top: 4px solid #ff6b6b;
  font: 14px/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; box-shadow: 0 -4px 16px #0008; }
#marginalia-problems h2 { margin: 0 0 .5rem; font-size: 15px; color: #ffb3b3; }
#marginalia-problems pre { margin: 0; white-space: pre-wrap; color: #fff; background: none; }
#marginalia-problems button { float: right; font: inherit; color: inherit; background: #0000; border: 1px solid #fff8;
  border-radius: 4px; padding: 0 .5rem; cursor: pointer; }
"""


_SERVERS: weakref.WeakSet[MarginaliaServer] = weakref.WeakSet()
"""The servers of this process, whose sockets a forked process closes."""
_forking: list[int] = []
"""The id of the process about to fork (set just before each fork)."""


def _before_fork() -> None:
    _forking[:] = [os.getpid()]


def _in_forked_child() -> None:
    """In a process forked by the server's (the pipeline's workers, the search refresh): let go of the server.

    The process closes its copies of the server's sockets, so that the port
    is free once the server ends and no connection waits on it, and it is
    killed when the server ends, however it ends. Ctrl-C, which the terminal
    sends to every process of the server, is left to the server.
    """
    if not _SERVERS or not _forking:
        return
    with contextlib.suppress(ValueError):  # the server's handlers are not the child's: a pool is stopped by SIGTERM
        for signum in _STOP_SIGNALS:
            signal.signal(signum, signal.SIG_IGN if signum == signal.SIGINT else signal.SIG_DFL)
    for server in list(_SERVERS):
        for sock in server.sockets():
            try:
                fd = sock.detach()
                if fd >= 0:
                    os.close(fd)
            except OSError:
                pass
    die_with_parent(_forking[0])


os.register_at_fork(before=_before_fork, after_in_child=_in_forked_child)


class MarginaliaServer(LiveReloadServer):
    """LiveReloadServer with a CSP-friendly reload script, an error overlay and stricter requests."""

    request_queue_size = 128
    """Connections the system accepts before this process takes them (socketserver's 5 dropped bursts)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.RequestHandlerClass = Handler
        self._connections = Connections(self._answer)
        self._polls = 0
        """Reload polls waiting now (see POLLS)."""
        self._answering: set[socket.socket] = set()
        """The connections being answered."""
        _SERVERS.add(self)
        # Native file events (inotify) instead of MkDocs' polling: the rebuild starts at once.
        self.observer = watchdog.observers.Observer()  # type: ignore[assignment]  # MkDocs declares its polling one
        self.build_delay = 0.05
        self.problems: list[str] = []
        """The problems of the last build, as `check` prints them; empty when it succeeded."""
        self.problems_title = ""
        """The overlay's heading: what is broken (see failure_title)."""
        self._problems_lock = threading.Lock()
        self._changed: set[str] = set()
        """The paths seen changing since the last take_changes()."""
        self.on_shutdown: list[Callable[[], None]] = []
        """Called once the server has stopped."""
        self.preview: Preview | None = None
        """Until the first build has put a site in place: renders the article pages asked for (see _serve_preview)."""
        self.assets_dir = ""
        """The templates' assets, which the build copies into the site: served from there until it has."""

    def watch(self, path: str, func: None = None, *, recursive: bool = True) -> None:
        """Rebuild when a file under PATH is created, changed, moved or deleted (not merely read)."""
        path = os.path.abspath(path)
        if path in self._watched_paths:
            self._watched_paths[path] += 1
            return
        self._watched_paths[path] = 1

        def on_change(event: watchdog.events.FileSystemEvent) -> None:
            if event.is_directory or event.event_type not in _CHANGES:
                return
            with self._rebuild_cond:
                self._changed.update(os.fsdecode(p) for p in (event.src_path, getattr(event, "dest_path", "")) if p)
                self._want_rebuild = True
                self._rebuild_cond.notify_all()

        handler = watchdog.events.FileSystemEventHandler()
        handler.on_any_event = on_change  # type: ignore[method-assign]
        if os.path.isfile(path):  # watch the folder, but only this file in it
            folder, name = os.path.split(path)

            def on_file_change(event: watchdog.events.FileSystemEvent) -> None:
                touched = (event.src_path, getattr(event, "dest_path", "") or "")
                if name in (os.path.basename(os.fsdecode(p)) for p in touched):
                    on_change(event)

            handler.on_any_event = on_file_change  # type: ignore[method-assign]
            self._watch_refs[path] = self.observer.schedule(handler, folder, recursive=False)
        else:
            self._watch_refs[path] = self.observer.schedule(handler, path, recursive=recursive)

    def shutdown(self, wait: bool = False) -> None:
        """Stop serving and watching, then call each of on_shutdown."""
        super().shutdown(wait)
        for stop in self.on_shutdown:
            stop()

    # --- Connections: a bounded number of threads --------------------------

    def process_request(self, request: Any, client_address: Any) -> None:
        """Hand the connection REQUEST to the threads answering requests, once it sends something."""
        self._connections.add(request, client_address)

    def _answer(self, request: Any, client_address: Any) -> None:
        self._answering.add(request)
        try:
            self.finish_request(request, client_address)
        except Exception:
            self.handle_error(request, client_address)
        finally:
            self._answering.discard(request)
            self.shutdown_request(request)

    def server_close(self) -> None:
        """Close the listening socket and the connections waiting for their request."""
        super().server_close()
        self._connections.close()
        _SERVERS.discard(self)

    def sockets(self) -> list[socket.socket]:
        """Return every socket of the server: the listening one and every connection."""
        return [self.socket, *self._connections.sockets(), *list(self._answering)]

    def take_changes(self) -> set[str]:
        """Return the paths seen changing since the last call (for the rebuild about to start)."""
        with self._rebuild_cond:
            changed, self._changed = self._changed, set()
        return changed

    def set_problems(self, problems: list[str], title: str = "") -> None:
        """Show PROBLEMS on every page from now on, under TITLE (none: hide the overlay).

        Without a TITLE, the overlay counts them as errors in the content.
        """
        if not title:
            title = content_title(sum(1 for p in problems if ": error[" in p or ": error:" in p))
        with self._problems_lock:
            self.problems = list(problems)
            self.problems_title = title

    # --- What pages get --------------------------------------------------

    def _inject_js_into_html(self, content: bytes, epoch: int, own: tuple[list[str], str] | None = None) -> bytes:
        """Add the reload script to the page CONTENT, and the overlay if there are problems (OWN: these, under
        this heading, instead of the site's)."""
        from mkdocs.livereload import _timestamp

        tags = f'<script src="{DEV_PREFIX}livereload-{epoch}-{_timestamp()}.js"></script>'
        with self._problems_lock:
            problems, title = own or (list(self.problems), self.problems_title)
        if problems:
            text = html.escape("\n".join(problems))
            tags = (
                f'<link rel="stylesheet" href="{DEV_PREFIX}overlay.css">'
                f'<aside id="marginalia-problems" role="alert" aria-labelledby="marginalia-problems-title">'
                f'<button type="button" id="marginalia-problems-close" aria-label="Hide the problems">×</button>'
                f'<h2 id="marginalia-problems-title">{html.escape(title)}</h2>'
                f"<pre>{text}</pre></aside>" + tags
            )
        body_end = content.rfind(b"</body>")
        if body_end < 0:
            body_end = len(content)
        return content[:body_end] + tags.encode() + content[body_end:]

    # --- Which requests are answered ---------------------------------------

    def _serve_request(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes] | None:
        if not host_allowed(environ.get("HTTP_HOST", ""), self.server_address):
            return refuse(start_response, "403 Forbidden", "This server answers only to its own address.")
        # The one decoding of the path: wsgiref gives its bytes as Latin-1 characters.
        try:
            path = environ.get("PATH_INFO", "").encode("latin-1").decode("utf-8")
        except UnicodeError:
            return refuse(start_response, "400 Bad Request", "The path is not valid UTF-8.")
        if "\x00" in path:
            return refuse(start_response, "400 Bad Request", "The path holds a NUL character.")
        if path.startswith("/livereload/"):
            if not same_origin(environ):
                return refuse(start_response, "403 Forbidden", "Live reload answers only pages of this server.")
            if match := _POLL.fullmatch(path):
                return self._poll(int(match[1]), start_response)
            return None
        if path.startswith(DEV_PREFIX):
            return self._serve_own_file(path, start_response)
        return self._serve_file(path, start_response)

    def _poll(self, epoch: int, start_response: Callable[..., Any]) -> Iterable[bytes]:
        """Answer a page's reload poll once the site is newer than EPOCH, or after a minute (as MkDocs does)."""
        with self._epoch_cond:
            if self._visible_epoch <= epoch and self._polls >= POLLS:
                return refuse(start_response, "503 Service Unavailable", "Too many pages are waiting; retry.")
            self._polls += 1
            try:
                self._epoch_cond.wait_for(lambda: self._visible_epoch > epoch, timeout=self.poll_response_timeout)
            finally:
                self._polls -= 1
            body = b"%d" % self._visible_epoch
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
        return [body]

    def _serve_file(self, path: str, start_response: Callable[..., Any]) -> Iterable[bytes] | None:
        """Serve the file of the site at PATH (decoded), if it is one, with every link resolved, inside the site.

        The file opened is the one checked: MkDocs' handler would decode the
        path again, its own way, and open whatever that names.
        """
        if self.preview is not None:
            return self._serve_preview(self.preview, path, start_response)
        root = os.path.realpath(self.root)
        target = inside_site(root, path)
        if target is None:
            return None  # 404
        if os.path.isdir(target):
            index = os.path.join(target, "index.html")
            if not path.endswith("/") and os.path.realpath(index).startswith(root + os.sep) and os.path.isfile(index):
                start_response("302 Found", [("Location", quote(path) + "/")])
                return []
            return None
        # Wait for a rebuild running to end (as MkDocs does), so as not to serve a site half written.
        with self._epoch_cond:
            self._epoch_cond.wait_for(lambda: self._visible_epoch == self._wanted_epoch, timeout=BUILD_WAIT)
            epoch = self._visible_epoch
        try:
            fd = os.open(target, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0))
        except OSError:
            return None
        file = os.fdopen(fd, "rb")
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode) or opened_at(fd) not in (None, target):
                file.close()  # not a file, or the path changed under us
                return None
            if target.endswith(".html"):
                with file:
                    body = self._inject_js_into_html(file.read(), epoch)
                start_response(
                    "200 OK", [("Content-Type", self._guess_type(target)), ("Content-Length", str(len(body)))]
                )
                return [body]
            size = os.fstat(fd).st_size
        except BaseException:
            file.close()
            raise
        start_response("200 OK", [("Content-Type", self._guess_type(target)), ("Content-Length", str(size))])
        return wsgiref.util.FileWrapper(file)

    def _serve_preview(self, preview: Preview, path: str, start_response: Callable[..., Any]) -> Iterable[bytes] | None:
        """Answer PATH (decoded) while no site is in place yet: never with a page that is not what the build writes.

        An article's own pages are rendered on request (or, if the article
        has errors, a page shows them); the assets come from the templates;
        any other page is a temporary one, which links to the articles and
        turns into the page asked for once the build is done (its reload
        script); any other file is 503 until then.
        """
        relative = site_relative(path)
        with self._epoch_cond:
            epoch = self._visible_epoch
        if relative.startswith("assets/"):
            return self._serve_asset(relative.removeprefix("assets/"), start_response)
        folder, _, name = relative.rpartition("/")
        slug = name.removesuffix(".annotations.jsonld").removesuffix(".html")
        if folder == "articles" and slug != name:
            previewed = preview.article(slug)
            if previewed is None:
                return None  # 404: no such article
            if previewed.problems:
                problems = [str(p) for p in previewed.problems]
                title = f"{slug}: {len(problems)} error(s) keep this article from being built"
                page = f"<!doctype html><html lang=en><title>{html.escape(slug)}</title><body></body></html>"
                return self._send_html(start_response, page.encode(), epoch, (problems, title))
            if relative not in previewed.pages:
                return None  # e.g. the annotation export of a site without site_url
            body = previewed.pages[relative].encode("utf-8")
            if relative.endswith(".html"):
                return self._send_html(start_response, body, epoch)
            start_response("200 OK", [("Content-Type", self._guess_type(relative)), ("Content-Length", str(len(body)))])
            return [body]
        if relative.endswith(".html"):
            with self._problems_lock:
                failed = bool(self.problems)
            waiting = building_page(relative, *preview.recent(), failed)
            return self._send_html(start_response, waiting, epoch, status="503 Service Unavailable")
        return refuse(start_response, "503 Service Unavailable", "The site is being built; this file comes with it.")

    def _serve_asset(self, path: str, start_response: Callable[..., Any]) -> Iterable[bytes] | None:
        """Serve the asset at PATH (relative to the assets folder) from the templates, every link resolved."""
        root = os.path.realpath(self.assets_dir)
        target = inside_site(root, path)
        if target is None or not os.path.isfile(target):
            return None
        with open(target, "rb") as file:
            body = file.read()
        start_response("200 OK", [("Content-Type", self._guess_type(target)), ("Content-Length", str(len(body)))])
        return [body]

    def _send_html(
        self,
        start_response: Callable[..., Any],
        page: bytes,
        epoch: int,
        own: tuple[list[str], str] | None = None,
        status: str = "200 OK",
    ) -> Iterable[bytes]:
        """Answer with PAGE, its reload script (EPOCH: the version of the site it shows) and overlay (OWN: see
        _inject_js_into_html)."""
        body = self._inject_js_into_html(page, epoch, own)
        headers = [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body)))]
        if status != "200 OK":
            headers.append(("Retry-After", "5"))
        start_response(status, headers)
        return [body]

    def _serve_own_file(self, path: str, start_response: Callable[..., Any]) -> Iterable[bytes] | None:
        if _SCRIPT.fullmatch(path):
            body, kind = LIVERELOAD_JS.encode(), "application/javascript"
        elif path == DEV_PREFIX + "overlay.css":
            body, kind = OVERLAY_CSS.encode(), "text/css"
        else:
            return None
        start_response(
            "200 OK", [("Content-Type", kind), ("Content-Length", str(len(body))), ("Cache-Control", "no-store")]
        )
        return [body]


def make_server(
    config: Config, host: str, port: int, no_search: bool = False, build_first: bool = True
) -> tuple[MarginaliaServer, LiveSite]:
    """Return a server for the site that rebuilds it on every change (NO_SEARCH: see LiveSite).

    BUILD_FIRST: build the site before returning. Otherwise the first build
    runs once the server serves, and until it has put a site in place the
    server previews each article's page (see _serve_preview).
    """
    server: MarginaliaServer
    searching: list[bool] = []
    """Not empty while the first search index is being made, after the site is complete."""

    def on_search(refreshed: Refreshed) -> None:
        report_search(refreshed, first=bool(searching))
        searching.clear()

    site = LiveSite(config, on_search=on_search, no_search=no_search)
    shown: dict[int, tuple[Problem, str]] = {}
    """The warnings the console showed last: a rebuild shows only those that are new (see _print_problems)."""

    def rebuild() -> None:
        first = server.preview is not None
        search_later = site.search_later and site.config.search
        try:
            result = site.rebuild(server.take_changes())
        except Exception as error:  # whatever it is, the server goes on serving the last good site, and says why
            where, failure = place_failure(error, site.config)
            server.set_problems([failure], failure_title(where, site.config))
            _end_preview(server, site.config)
            print(f"{failure}\nBuild failed: {_serving(server)}.", file=sys.stderr)
            return
        server.set_problems([str(p) for p in result.problems if p.severity == "error"], content_title(result.errors))
        _print_problems(result.problems, shown)
        _end_preview(server, site.config)
        if result.failed:
            print(f"Build failed: {_serving(server)}. Fix the {result.errors} error(s) above.", file=sys.stderr)
        elif first:
            search = "; search index in place" if site.config.search else ""
            if search_later:
                searching.append(True)
                search = "; making the search index"
            print(f"Site complete: {result.pages_written} page(s) in {result.seconds:.1f} s{search}", file=sys.stderr)
        else:
            print(f"Rebuilt {result.pages_written} page(s) in {result.seconds * 1000:.0f} ms", file=sys.stderr)

    config.site_dir.mkdir(parents=True, exist_ok=True)
    server = MarginaliaServer(builder=rebuild, host=host, port=port, root=str(config.site_dir))
    server.on_shutdown.append(site.close)
    server.assets_dir = str(config.templates_dir / "assets")
    if build_first:
        rebuild()
    else:
        server.preview = Preview(config)
        site.search_later = True
        with server._rebuild_cond:  # the server's build loop starts with it
            server._want_rebuild = True
    if not exports_annotations(site.config):  # once, as `build` says it: not after every rebuild
        print(WITHOUT_SITE_URL.format(config_file=site.config.config_file.name), file=sys.stderr)
    for path in (config.content_dir, config.templates_dir, config.config_file):
        server.watch(str(path))
    return server, site


def _print_problems(problems: list[Problem], shown: dict[int, tuple[Problem, str]]) -> None:
    """Print PROBLEMS: every error, and the warnings not shown the time before, then one line for the others.

    SHOWN: the warnings shown (by id, each with its text), which become those
    of PROBLEMS. The first build shows them all. A large site can have
    thousands of warnings: printed again after every edit, they would bury
    what the edit changed. Most are the very objects of the time before (the
    checks keep them), whose text is not made again: at 10,000 warnings that
    took longer than the rebuild.
    """
    before = dict(shown)
    told = {text for _, text in before.values()}
    shown.clear()
    still = 0
    for problem in problems:
        known = before.get(id(problem))
        text = known[1] if known is not None and known[0] is problem else str(problem)
        if problem.severity == "error":
            print(text, file=sys.stderr)
            continue
        shown[id(problem)] = problem, text  # held: no other object can have its id while it is here
        if text in told:
            still += 1
        else:
            print(text, file=sys.stderr)
    if still:
        what = "warning shown before still holds" if still == 1 else "warnings shown before still hold"
        print(f"{still:,} {what} (`python build.py check` lists every one)", file=sys.stderr)


def _end_preview(server: MarginaliaServer, config: Config) -> None:
    """After a build: serve the site from now on, if one is in place (else preview on, with the overlay)."""
    if server.preview is not None and (config.site_dir / "index.html").is_file():
        server.preview = None


def _serving(server: MarginaliaServer) -> str:
    """Return what the server serves after a failed build, for the console."""
    return "serving the last good site" if server.preview is None else "no site yet, only article pages"


def report_search(refreshed: Refreshed, first: bool = False) -> None:
    """Print what a refresh of the search index did, in one line, as rebuilds are reported (FIRST: the one that
    makes the index of a site that had none)."""
    took = f"{refreshed.seconds * 1000:.0f} ms" if refreshed.seconds < 1 else f"{refreshed.seconds:.1f} s"
    if refreshed.error:
        print(f"Search index not refreshed: {refreshed.error}", file=sys.stderr)
    elif first and refreshed.replaced:
        print(f"Search index in place (made in {took})", file=sys.stderr)
    elif refreshed.replaced:
        made = ", ".join(refreshed.made) or "none"
        print(f"Search index refreshed in {took} (bundles made again: {made})", file=sys.stderr)
    else:
        print(f"Search index up to date (checked in {took})", file=sys.stderr)


def serve(config: Config, host: str, port: int, no_search: bool = False) -> int:
    """Serve config.site_dir at HOST:PORT until Ctrl-C, building it first in the background, then rebuilding on
    every change.

    NO_SEARCH: `--no-search`, which holds when mkdocs.yml changes.
    """
    if not is_loopback(host):
        print(
            f"warning: serving on {host}, which other machines can reach; the dev server is for previews only",
            file=sys.stderr,
        )
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    logging.getLogger("mkdocs").setLevel(logging.WARNING)
    stopping = [signal.signal(signum, _stop) for signum in _STOP_SIGNALS]
    server: MarginaliaServer | None = None
    try:
        server, _ = make_server(config, host, port, no_search, build_first=False)
        print(f"Serving on http://{host}:{port}/ (Ctrl-C to stop); building the site", file=sys.stderr)
        server.serve()
    except KeyboardInterrupt:
        print("Stopping.", file=sys.stderr)
    finally:
        if server is not None:
            server.shutdown()
        for signum, handler in zip(_STOP_SIGNALS, stopping, strict=True):
            signal.signal(signum, handler)
    return 0


_STOP_SIGNALS = [signal.SIGINT, signal.SIGTERM] + ([signal.SIGHUP] if hasattr(signal, "SIGHUP") else [])
"""What stops the server: Ctrl-C, `kill`, the terminal closing."""


def _stop(signum: int, frame: FrameType | None) -> None:
    """Stop the server as Ctrl-C does, whatever it was doing: the processes it started end with it.

    A second signal, while it stops, ends the process at once, and so does
    the first one after STOP_SECONDS (its forked processes are killed by the
    system then; see die_with_parent).
    """
    for other in _STOP_SIGNALS:
        signal.signal(other, _exit_now)
    deadline = threading.Timer(STOP_SECONDS, os._exit, args=(128 + signum,))  # however the clean-up goes
    deadline.daemon = True
    deadline.start()
    raise KeyboardInterrupt


def _exit_now(signum: int, frame: FrameType | None) -> None:
    os._exit(128 + signum)
