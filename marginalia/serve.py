"""The dev server: MkDocs' LiveReloadServer, rebuilding on every change.

MkDocs injects its reload script inline, which the site's
Content-Security-Policy (script-src 'self') forbids; this subclass serves
the same script as a file instead.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Callable, Iterable
from typing import Any

from mkdocs import livereload
from mkdocs.livereload import LiveReloadServer

from .config import Config
from .errors import ContentError
from .pipeline import build

log = logging.getLogger("marginalia.serve")

_SCRIPT_PATH = re.compile(r"/livereload\.js/([0-9]+)/([0-9]+)")


class MarginaliaServer(LiveReloadServer):
    """LiveReloadServer whose reload script is an external file, allowed by the CSP."""

    def _inject_js_into_html(self, content: bytes, epoch: int) -> bytes:
        tag = b'<script src="/livereload.js/%d/%d"></script>' % (epoch, livereload._timestamp())
        body_end = content.rfind(b"</body>")
        if body_end < 0:
            body_end = len(content)
        return content[:body_end] + tag + content[body_end:]

    def _serve_request(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes] | None:
        match = _SCRIPT_PATH.fullmatch(environ.get("PATH_INFO", ""))
        if match:
            script = livereload._SCRIPT_TEMPLATE.substitute(epoch=match[1], request_id=match[2]).encode()
            start_response("200 OK", [("Content-Type", "application/javascript"), ("Content-Length", str(len(script)))])
            return [script]
        return super()._serve_request(environ, start_response)


def serve(config: Config, host: str, port: int, strict: bool = False) -> int:
    """Build, then serve config.site_dir at HOST:PORT, rebuilding on every change."""

    def rebuild() -> None:
        try:
            result = build(config)
        except ContentError as err:
            for problem in err.problems:
                print(problem, file=sys.stderr)
            print(f"Build failed: serving the last good site. Fix the {len(err.problems)} problem(s) above.", file=sys.stderr)
            return
        for warning in result.warnings:
            print(warning, file=sys.stderr)
        print(f"Built {result.pages} pages in {result.seconds:.2f} s", file=sys.stderr)

    rebuild()
    config.site_dir.mkdir(parents=True, exist_ok=True)
    server = MarginaliaServer(builder=rebuild, host=host, port=port, root=str(config.site_dir))
    for path in (config.content_dir, config.templates_dir, config.config_file):
        server.watch(str(path))
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    logging.getLogger("mkdocs").setLevel(logging.INFO)
    print(f"Serving on http://{host}:{port}/ (Ctrl-C to stop)", file=sys.stderr)
    try:
        server.serve()
    except KeyboardInterrupt:
        print("Stopping.", file=sys.stderr)
    finally:
        server.shutdown()
    return 0
