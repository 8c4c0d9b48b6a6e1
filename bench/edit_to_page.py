"""Time the dev server from saving an edit to serving the page that shows it, file watcher included.

    python bench/edit_to_page.py CORPUS [--code CHECKOUT] [--repeat 10] [--edit note|text] [--pause S]

CORPUS is a project written by bench/corpus.py. It is copied into a
temporary folder, CHECKOUT's `build.py serve` is started on it, and once the
site is complete and its search index in place, each repeat edits the first
article's annotation file (the text of its first note) or, with `--edit
text`, its .md file (a few words into its first paragraph), as an editor
saves it, and asks the server for the article page every 5 ms until the page
has the edit. The time is taken from just before the file is written to the
first response that shows it: the watcher's notice, the server's wait for
more changes (its build delay), the rebuild and the HTTP answer, all
included. Between repeats it waits `--pause` seconds (default 1), so that
the search refresh that each edit starts is running or done, as it is when
an editor saves again. The file is restored at the end.

Printed: each time in ms, their median and largest, and what the console
said of each rebuild (its own time for the rebuild, and the search refresh).
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from first_page import COMPLETE, ROOT, SEARCHABLE, fetch, free_port, project

POLL = 0.005
TOLD = re.compile(r"^(Rebuilt|Search index|Failed|Error)")
"""The console lines printed with each time (not the content's warnings, which every rebuild repeats)."""


def edit(text: str, marker: str, what: str) -> str:
    """Return TEXT with MARKER put into its first note (WHAT="note") or its first paragraph ("text")."""
    if what == "text":
        edited = text.replace("---\n\n", f"---\n\n{marker} ", 1)
    else:
        edited = re.sub(r'(?m)^(\s*text: ")', rf"\g<1>{marker} ", text, count=1)
    if edited == text:
        raise SystemExit(f"edit_to_page.py: nothing to edit ({what}) in the first article")
    return edited


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--code", type=Path, default=ROOT, help="the checkout whose build.py serves (default: this)")
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--edit", choices=("note", "text"), default="note")
    parser.add_argument("--pause", type=float, default=1.0, help="seconds between two edits")
    parser.add_argument("--timeout", type=float, default=1800, help="for the first build, in seconds")
    args = parser.parse_args()
    code = args.code.resolve()
    with tempfile.TemporaryDirectory(prefix="edit-to-page-") as folder:
        config = project(args.corpus.resolve(), code, Path(folder))
        annotations = sorted((Path(folder) / "content" / "articles").glob("*.yml"))[0]
        target = annotations.with_suffix(".md") if args.edit == "text" else annotations
        slug = annotations.stem
        port = free_port()
        command = [sys.executable, str(code / "build.py"), "serve", "-f", str(config), "-a", f"127.0.0.1:{port}"]
        server = subprocess.Popen(
            command, cwd=folder, env={**os.environ, "PYTHONPATH": str(code)}, stderr=subprocess.PIPE, text=True
        )
        ready = threading.Event()
        said: list[str] = []

        def read_console() -> None:
            assert server.stderr is not None
            complete = False
            for line in server.stderr:
                said.append(line.rstrip())
                complete = complete or bool(COMPLETE.match(line))
                if complete and SEARCHABLE.match(line.rstrip()):
                    ready.set()

        threading.Thread(target=read_console, daemon=True).start()
        original = target.read_text(encoding="utf-8")
        times: list[float] = []
        try:
            if not ready.wait(args.timeout):
                print("\n".join(said), file=sys.stderr)
                return 1
            time.sleep(args.pause)
            for r in range(args.repeat):
                marker = f"Edit-{r + 1}-{'x' * (r % 3)}"  # a new size each time, as a real edit would be
                heard = len(said)
                started = time.monotonic()
                target.write_text(edit(original, marker, args.edit), encoding="utf-8")
                while True:
                    answer = fetch(port, f"/articles/{slug}.html")
                    if answer is not None and answer[0] == 200 and marker.encode() in answer[1]:
                        break
                    if time.monotonic() - started > 60:
                        print("\n".join(said), file=sys.stderr)
                        raise SystemExit(f"edit_to_page.py: edit {r + 1} not served within 60 s")
                    time.sleep(POLL)
                times.append((time.monotonic() - started) * 1000)
                time.sleep(args.pause)
                told = [line for line in said[heard:] if TOLD.match(line)]
                print(f"edit {r + 1}: {times[-1]:.0f} ms  ({'; '.join(told)})", flush=True)
        finally:
            target.write_text(original, encoding="utf-8")
            server.send_signal(signal.SIGINT)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
    print(
        f"edit → page served ({args.edit}, {len(times)} edits): median {statistics.median(times):.0f} ms, "
        f"largest {max(times):.0f} ms, each: {', '.join(f'{t:.0f}' for t in times)}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
