#!/usr/bin/env python3
"""What the main process of a build holds for all articles, measured with tracemalloc.

    python bench/held.py PROJECT/mkdocs.yml

PROJECT must have been built once with the build cache (`python build.py -f
PROJECT/mkdocs.yml --no-search`). This loads, in one process, what a warm build
keeps for the whole site: the glossary and the sources, every article's
`ArticleResult` from the build cache, the checks across articles
(`engine.Engine.put`) and the index (`index.build_index`), and prints the
memory each step added, in all and per article, with the cache's size on disk.
It renders nothing and writes nothing.
"""

from __future__ import annotations

import itertools
import os
import sys
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from marginalia import cache  # noqa: E402
from marginalia.config import load_config  # noqa: E402
from marginalia.index import build_index  # noqa: E402
from marginalia.pipeline import _load_registries  # noqa: E402


def main(config_file: str) -> None:
    config = load_config(config_file)
    tracemalloc.start()
    steps: list[tuple[str, int]] = []

    def step(name: str) -> None:
        steps.append((name, tracemalloc.get_traced_memory()[0]))

    step("start")
    engine, paths = _load_registries(config)
    step("glossary and sources")
    hashes, _ = cache.content_hashes(config, paths)
    key = cache.site_key(config)
    step("content hashes")
    results = [cache.load(config, key, p.name, hashes[p.name], engine.content.entities) for p in paths]
    found = [r for r in results if r is not None]
    step("every ArticleResult (from the cache)")
    for result in found:
        engine.put(result.path.name, result, hashes[result.path.name])
    engine.problems()
    step("the checks across articles (Engine.put, which also makes the ids articles share one string)")
    index = build_index(engine.site(), dict(engine.parts))
    step("the index (build_index)")
    peak = tracemalloc.get_traced_memory()[1]
    del index
    n = len(found)
    if n != len(paths):
        sys.exit(f"{len(paths) - n} of {len(paths)} articles are not in the build cache: build the project first")
    folder = cache.cache_dir(config)
    on_disk = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(folder) for f in fs)
    print(f"{n} articles; build cache on disk {on_disk / 1e6:.1f} MB, {on_disk / n / 1e3:.1f} kB per article")
    print("| step | MB added | kB per article |")
    print("| --- | ---: | ---: |")
    for (_, before), (name, after) in itertools.pairwise(steps):
        print(f"| {name} | {(after - before) / 1e6:.1f} | {(after - before) / n / 1e3:.1f} |")
    print(f"| all (traced peak) | {peak / 1e6:.1f} | {peak / n / 1e3:.1f} |")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
