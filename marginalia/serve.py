"""The dev server: MkDocs' LiveReloadServer, rebuilding on every change.

The subclass below changes what a preview server on a contributor's machine
needs changed, and nothing else:

- the reload script is a file, not inline, so the site's Content-Security-Policy
  (script-src 'self') allows it; it keeps the reader's scroll position;
- while the content has errors, the last good site stays up and every page
  shows an overlay with the problems, exactly as `check` prints them;
- requests are refused unless their Host is the address served (DNS
  rebinding), the reload endpoint answers only its own origin, and no path
  (NUL bytes, symlinks pointing outside) reaches a file outside the site.

After a rebuild that changed an article, the search index is made again in
the background (live_search.py); the console says when each refresh ends.
"""

from __future__ import annotations

import html
import ipaddress
import logging
import os
import posixpath
import re
import sys
import threading
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlsplit

import watchdog.events
import watchdog.observers
from mkdocs.livereload import LiveReloadServer

from .config import Config
from .live import LiveSite
from .live_search import Refreshed

log = logging.getLogger("marginalia.serve")

DEV_PREFIX = "/.marginalia/"
"""Where the server's own files are served; no page of the site lives there."""

_CHANGES = {"created", "modified", "deleted", "moved", "closed"}
"""File events that can mean new content ('closed' after writing; not 'opened' or 'closed_no_write')."""

_SCRIPT = re.compile(re.escape(DEV_PREFIX) + r"livereload-([0-9]+)-([0-9]+)\.js")

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


class MarginaliaServer(LiveReloadServer):
    """LiveReloadServer with a CSP-friendly reload script, an error overlay and stricter requests."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Native file events (inotify) instead of MkDocs' polling: the rebuild starts at once.
        self.observer = watchdog.observers.Observer()  # type: ignore[assignment]  # MkDocs declares its polling one
        self.build_delay = 0.05
        self.problems: list[str] = []
        """The problems of the last build, as `check` prints them; empty when it succeeded."""
        self._problems_lock = threading.Lock()
        self._changed: set[str] = set()
        """The paths seen changing since the last take_changes()."""
        self.on_shutdown: list[Callable[[], None]] = []
        """Called once the server has stopped."""

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

    def take_changes(self) -> set[str]:
        """Return the paths seen changing since the last call (for the rebuild about to start)."""
        with self._rebuild_cond:
            changed, self._changed = self._changed, set()
        return changed

    def set_problems(self, problems: list[str]) -> None:
        """Show PROBLEMS on every page from now on (none: hide the overlay)."""
        with self._problems_lock:
            self.problems = list(problems)

    # --- What pages get --------------------------------------------------

    def _inject_js_into_html(self, content: bytes, epoch: int) -> bytes:
        from mkdocs.livereload import _timestamp

        tags = f'<script src="{DEV_PREFIX}livereload-{epoch}-{_timestamp()}.js"></script>'
        with self._problems_lock:
            problems = list(self.problems)
        if problems:
            text = html.escape("\n".join(problems))
            count = sum(1 for p in problems if ": error[" in p)
            tags = (
                f'<link rel="stylesheet" href="{DEV_PREFIX}overlay.css">'
                f'<aside id="marginalia-problems" role="alert" aria-labelledby="marginalia-problems-title">'
                f'<button type="button" id="marginalia-problems-close" aria-label="Hide the problems">×</button>'
                f'<h2 id="marginalia-problems-title">The content has {count} error(s): this is the last good build</h2>'
                f"<pre>{text}</pre></aside>" + tags
            )
        body_end = content.rfind(b"</body>")
        if body_end < 0:
            body_end = len(content)
        return content[:body_end] + tags.encode() + content[body_end:]

    # --- Which requests are answered ---------------------------------------

    def _serve_request(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes] | None:
        if not self._host_allowed(environ.get("HTTP_HOST", "")):
            return _refuse(start_response, "403 Forbidden", "This server answers only to its own address.")
        path = environ.get("PATH_INFO", "")
        if "\x00" in path:
            return None  # 404
        if path.startswith("/livereload/") and not self._same_origin(environ):
            return _refuse(start_response, "403 Forbidden", "Live reload answers only pages of this server.")
        if path.startswith(DEV_PREFIX):
            return self._serve_own_file(path, start_response)
        if not self._inside_root(path):
            return None  # 404
        return super()._serve_request(environ, start_response)

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

    def _inside_root(self, path: str) -> bool:
        """Tell whether PATH, with every link resolved, is a file inside the served folder."""
        relative = posixpath.normpath("/" + path.lstrip("/")).lstrip("/")
        root = os.path.realpath(self.root)
        target = os.path.realpath(os.path.join(root, relative))
        return target == root or target.startswith(root + os.sep)

    def _allowed_hosts(self) -> set[str]:
        host, port = self.server_address[:2]
        names = {str(host)}
        if _is_loopback(str(host)):
            names |= {"localhost", "127.0.0.1", "::1"}
        return {f"{name}:{port}" if ":" not in name else f"[{name}]:{port}" for name in names}

    def _host_allowed(self, host_header: str) -> bool:
        host_header = host_header.lower()
        if host_header in self._allowed_hosts():
            return True
        bound = str(self.server_address[0])
        if bound in ("0.0.0.0", "::"):  # noqa: S104 - all interfaces: IP addresses and localhost only, no DNS name
            name = urlsplit("//" + host_header).hostname or ""
            return name == "localhost" or _is_ip(name)
        return False

    def _same_origin(self, environ: dict[str, Any]) -> bool:
        origin = environ.get("HTTP_ORIGIN")
        if environ.get("HTTP_SEC_FETCH_SITE", "same-origin") not in ("same-origin", "none"):
            return False
        return origin is None or urlsplit(origin).netloc.lower() == environ.get("HTTP_HOST", "").lower()


def _refuse(start_response: Callable[..., Any], status: str, text: str) -> list[bytes]:
    body = text.encode()
    start_response(status, [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))])
    return [body]


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def make_server(config: Config, host: str, port: int, no_search: bool = False) -> tuple[MarginaliaServer, LiveSite]:
    """Build the site, and return a server for it that rebuilds on every change (NO_SEARCH: see LiveSite)."""
    site = LiveSite(config, on_search=report_search, no_search=no_search)
    server: MarginaliaServer

    def rebuild() -> None:
        result = site.rebuild(server.take_changes())
        server.set_problems([str(p) for p in result.problems if p.severity == "error"])
        for problem in result.problems:
            print(problem, file=sys.stderr)
        if result.failed:
            print(f"Build failed: serving the last good site. Fix the {result.errors} error(s) above.", file=sys.stderr)
        else:
            print(f"Rebuilt {result.pages_written} page(s) in {result.seconds * 1000:.0f} ms", file=sys.stderr)

    config.site_dir.mkdir(parents=True, exist_ok=True)
    server = MarginaliaServer(builder=rebuild, host=host, port=port, root=str(config.site_dir))
    server.on_shutdown.append(site.close)
    rebuild()
    for path in (config.content_dir, config.templates_dir, config.config_file):
        server.watch(str(path))
    return server, site


def report_search(refreshed: Refreshed) -> None:
    """Print what a refresh of the search index did, in one line, as rebuilds are reported."""
    took = f"{refreshed.seconds * 1000:.0f} ms" if refreshed.seconds < 1 else f"{refreshed.seconds:.1f} s"
    if refreshed.error:
        print(f"Search index not refreshed: {refreshed.error}", file=sys.stderr)
    elif refreshed.replaced:
        made = ", ".join(refreshed.made) or "none"
        print(f"Search index refreshed in {took} (bundles made again: {made})", file=sys.stderr)
    else:
        print(f"Search index up to date (checked in {took})", file=sys.stderr)


def serve(config: Config, host: str, port: int, no_search: bool = False) -> int:
    """Build, then serve config.site_dir at HOST:PORT until Ctrl-C, rebuilding on every change.

    NO_SEARCH: `--no-search`, which holds when mkdocs.yml changes.
    """
    if not _is_loopback(host):
        print(
            f"warning: serving on {host}, which other machines can reach; the dev server is for previews only",
            file=sys.stderr,
        )
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    logging.getLogger("mkdocs").setLevel(logging.WARNING)
    server, _ = make_server(config, host, port, no_search)
    print(f"Serving on http://{host}:{port}/ (Ctrl-C to stop)", file=sys.stderr)
    try:
        server.serve()
    except KeyboardInterrupt:
        print("Stopping.", file=sys.stderr)
    finally:
        server.shutdown()
    return 0
