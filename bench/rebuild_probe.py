#!/usr/bin/env python3
"""Time the dev server's path from editing one annotation file to the rebuilt site.

    python bench/rebuild_probe.py CORPUS_DIR SITE_DIR [--repeat 3] [--product DIR] [--edit note|text]

Run by bench/run.py in a fresh process. Like `python build.py serve`, it
builds once in a long-lived process, then for each repeat edits one
annotation file (the text of a note) and calls what the server calls on a
change, timing from just after the edit to the rebuilt site on disk, and
checking that the edit is in the page. --edit text edits the article's text
instead, a few words into its first paragraph: the context every entity page
shows of the mentions in that paragraph changes too. The file watcher's own latency is not
included. It restores the file at the end and prints one JSON object.

The dev server's incremental path is marginalia.live.LiveSite.rebuild()
(what serve.make_server calls on a change), given the edited file's path as
the server's file watcher reports it where rebuild() takes one; where a
checkout has no
marginalia/live.py, the server rebuilt everything with pipeline.build, and
the probe times that, labelled "full rebuild (no incremental path yet)".
--product DIR imports marginalia from DIR (a snapshot) instead of this checkout.
"""

from __future__ import annotations

import argparse
import inspect
import json
import signal
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("corpus", type=Path)
    parser.add_argument("site", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--product", type=Path, default=REPO, help="folder holding the marginalia package to measure")
    parser.add_argument("--config", default="mkdocs.yml", help="the corpus's config file name")
    parser.add_argument("--edit", choices=("note", "text"), default="note", help="what to edit: a note, or the text")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("rebuild_probe.py: terminated"))  # so that the edit is undone
    sys.path.insert(0, str(args.product.resolve()))
    from marginalia import pipeline
    from marginalia.config import load_config

    config = load_config(args.corpus / args.config, site_dir=args.site)
    try:
        from marginalia import live
    except ImportError:
        live = None  # type: ignore[assignment]
    if live is not None:
        site = live.LiveSite(config)
        label = "incremental (marginalia.live.LiveSite.rebuild, as the dev server calls it)"
        told = "changed" in inspect.signature(site.rebuild).parameters  # the paths the watcher saw change

        def rebuild() -> dict:
            result = site.rebuild({str(target)}) if told else site.rebuild()
            assert not result.failed, [str(p) for p in result.problems]
            return {"rendered": result.rendered, "written": result.pages_written}
    else:
        label = "full rebuild (no incremental path yet)"

        def rebuild() -> dict:
            return {"pages": pipeline.build(config).pages}

    target = sorted((config.content_dir / "articles").glob("*.yml"))[0]
    page = config.site_dir / "articles" / f"{target.stem}.html"
    if args.edit == "text":
        target = target.with_suffix(".md")
    original = target.read_bytes()
    started = time.perf_counter()
    rebuild()
    initial = time.perf_counter() - started
    times, details = [], []
    try:
        for r in range(args.repeat):
            marker = f"Benchmark edit {r + 1}{'.' * (r + 1)}"  # a new size each time, as a real edit would be
            text = original.decode("utf-8")
            if args.edit == "text":  # the first paragraph after the front matter
                edited = text.replace("---\n\n", f"---\n\n{marker} ", 1)
            else:
                edited = text.replace('    text: "', f'    text: "{marker} ', 1)
            assert edited != text, f"{target} has no {args.edit} to edit"
            target.write_text(edited, encoding="utf-8")
            started = time.perf_counter()
            details.append(rebuild())
            times.append(time.perf_counter() - started)
            assert marker in page.read_text(encoding="utf-8"), f"the edit is not in {page}"
    finally:
        target.write_bytes(original)
    print(
        json.dumps(
            {
                "edited_file": str(target.relative_to(args.corpus)),
                "initial_build_s": initial,
                "rebuild_s": times,
                "median_s": statistics.median(times),
                "path": label,
                "details": details,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
