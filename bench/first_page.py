"""How long `build.py serve` takes, on a fresh clone, to show the first article page, and to complete the site.

    python bench/first_page.py CORPUS [--code CHECKOUT] [--slug SLUG] [--timeout S]

CORPUS is a project written by bench/corpus.py (content/ and mkdocs.yml). It
is copied into a temporary folder with no site/ and no .cache/, its
mkdocs.yml pointed at CHECKOUT's templates (default: this checkout), and
CHECKOUT's `build.py serve` started on it. Printed, in seconds from the
start of the process: the first 200 response with the whole HTML of the
article page SLUG (default: the first article by name), the console line
that says the site is complete (`Site complete`, or `Rebuilt` from a server
that builds before it serves), and the one that says its search index is in
place (the same line from a server that makes it in its first build). Once the site is complete, the page first
served is compared with the file the build wrote (the reload script taken
out).
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = re.compile(rb'<script src="/\.marginalia/livereload-[0-9]+-[0-9]+\.js"></script>')
COMPLETE = re.compile(r"^(Site complete|Rebuilt)")
SEARCHABLE = re.compile(r"^Search index in place|^(Site complete|Rebuilt).*(search index in place|ms$)")
"""The line that says the search index is in place (a server that builds before it serves makes it in its build)."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def fetch(port: int, path: str) -> tuple[int, bytes] | None:
    """GET PATH; None if nothing listens yet."""
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        conn.request("GET", path)
        response = conn.getresponse()
        body = response.read()
        conn.close()
    except OSError:
        return None
    return response.status, body


def project(corpus: Path, code: Path, into: Path) -> Path:
    """Copy CORPUS's content and mkdocs.yml INTO, with CODE's templates; return its mkdocs.yml."""
    shutil.copytree(corpus / "content", into / "content")
    text = (corpus / "mkdocs.yml").read_text(encoding="utf-8")
    text = re.sub(r"(?m)^(\s*templates_dir:).*$", rf'\1 "{code / "templates"}"', text)
    (into / "mkdocs.yml").write_text(text, encoding="utf-8")
    return into / "mkdocs.yml"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--code", type=Path, default=ROOT, help="the checkout whose build.py serves (default: this)")
    parser.add_argument("--slug", help="the article page to ask for (default: the first by name)")
    parser.add_argument("--timeout", type=float, default=900)
    args = parser.parse_args()
    code = args.code.resolve()
    slug = args.slug or sorted((args.corpus / "content" / "articles").glob("*.md"))[0].stem
    with tempfile.TemporaryDirectory(prefix="first-page-") as folder:
        config = project(args.corpus.resolve(), code, Path(folder))
        port = free_port()
        command = [sys.executable, str(code / "build.py"), "serve", "-f", str(config), "-a", f"127.0.0.1:{port}"]
        env = {**os.environ, "PYTHONPATH": str(code)}
        started = time.monotonic()
        server = subprocess.Popen(command, cwd=folder, env=env, stderr=subprocess.PIPE, text=True)
        complete, searchable = threading.Event(), threading.Event()
        said: list[str] = []
        complete_at: list[float] = []
        searchable_at: list[float] = []

        def read_console() -> None:
            assert server.stderr is not None
            for line in server.stderr:
                said.append(line.rstrip())
                if not complete.is_set() and COMPLETE.match(line):
                    complete_at.append(time.monotonic() - started)
                    complete.set()
                if not searchable.is_set() and SEARCHABLE.match(line.rstrip()):
                    searchable_at.append(time.monotonic() - started)
                    searchable.set()

        threading.Thread(target=read_console, daemon=True).start()
        try:
            first, page = None, b""
            while first is None:
                if time.monotonic() - started > args.timeout or server.poll() is not None:
                    print("\n".join(said), file=sys.stderr)
                    return 1
                answer = fetch(port, f"/articles/{slug}.html")
                if answer is not None and answer[0] == 200 and b"</html>" in answer[1]:
                    first, page = time.monotonic() - started, answer[1]
                elif answer is None:
                    time.sleep(0.02)
            print(f"first article page ({slug}): {first:.1f} s", flush=True)
            if not complete.wait(max(0.0, args.timeout - (time.monotonic() - started))):
                print("the site was not complete in time", file=sys.stderr)
                return 1
            print(f"site complete: {complete_at[0]:.1f} s  ({next(s for s in said if COMPLETE.match(s))})")
            built = (Path(folder) / "site" / "articles" / f"{slug}.html").read_bytes()
            print("first page as built:", "identical" if SCRIPT.sub(b"", page) == built else "DIFFERENT")
            if searchable.wait(max(0.0, args.timeout - (time.monotonic() - started))):
                print(f"search index in place: {searchable_at[0]:.1f} s")
        finally:
            server.send_signal(signal.SIGINT)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())
