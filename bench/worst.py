"""Time `check` on the worst single contributions within the file size limit.

    python bench/worst.py [--timeout S] [--only NAME ...] [--keep DIR]

Each case is a project of one article (and its annotations), each file under
the 1,000,000-byte limit, made to cost the checker the most work of one
kind. It prints, per case, the seconds `check` took (or that it did not
finish within the timeout), its exit code, and how many lines it printed.
Standard library only; seeded, so two runs write the same files.
"""

from __future__ import annotations

import argparse
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIMIT = 1_000_000

ENTITIES = "- {id: ada, name: Ada Lovelace, kind: person}\n- {id: a, name: Letter, kind: concept}\n"
SOURCES = "- {id: notes, title: Notes}\n"
FRONT = '---\ntitle: "Worst case"\ndate: "2020-03-13"\n---\n\n'


def _words(rng: random.Random, n: int) -> list[str]:
    """Return N words drawn from a vocabulary of 5,000 made-up words."""
    vocabulary = [
        "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(3, 9))) for _ in range(5000)
    ]
    return [rng.choice(vocabulary) for _ in range(n)]


def _paragraphs(words: list[str], size: int = 120) -> str:
    return "\n\n".join(" ".join(words[i : i + size]) for i in range(0, len(words), size)) + "\n"


def every_one_letter() -> tuple[str, str]:
    """400,000 one-letter words, `every: true` on one of them."""
    body = " ".join(["a"] * 400_000) + "\n"
    return body, "mentions:\n  - {entity: a, quote: a, every: true}\n"


def quotes_not_found() -> tuple[str, str]:
    """A long article, and 200 long quotes that are not in it (each a passage with words changed)."""
    rng = random.Random(1)
    words = _words(rng, 140_000)
    lines = ["notes:"]
    for _ in range(200):
        start = rng.randrange(len(words) - 500)
        quote = words[start : start + 500]
        for _ in range(20):
            quote[rng.randrange(len(quote))] = "zzz"
        lines.append(f"  - {{quote: {' '.join(quote)}, text: T}}")
    return _paragraphs(words), "\n".join(lines) + "\n"


def quote_everywhere() -> tuple[str, str]:
    """A quote occurring 90,000 times in one paragraph, a line each, without a prefix, suffix or occurrence."""
    body = "\n".join(["Ada wrote"] * 90_000) + "\n"
    return body, "mentions:\n  - {entity: ada, quote: Ada}\n  - {entity: ada, quote: Ada wrote, prefix: x}\n"


def distinct_mentions() -> tuple[str, str]:
    """20,000 distinct mentions in one paragraph."""
    names = [f"w{i}" for i in range(20_000)]
    body = " ".join(names) + "\n"
    return body, "mentions:\n" + "".join(f"  - {{entity: ada, quote: {n}}}\n" for n in names)


def identical_mentions() -> tuple[str, str]:
    """30,000 identical mentions of one word: every one overlaps every other."""
    return "Ada wrote.\n", "mentions:\n" + "  - {entity: ada, quote: Ada}\n" * 30_000


def crossing_claims() -> tuple[str, str]:
    """2,500 claims of which each crosses the next (and many others)."""
    words = [f"w{i}" for i in range(5_000)]
    lines = ["claims:"]
    for i in range(2_500):
        quote = " ".join(words[i : i + 50])
        lines.append(f"  - {{id: c{i}, quote: {quote}, status: reported, sources: [notes]}}")
    return " ".join(words) + "\n", "\n".join(lines) + "\n"


def one_long_word() -> tuple[str, str]:
    """One word of 900,000 letters, and 199 quotes of its letters (found inside it, never as a whole word)."""
    return "a" * 900_000 + "\n", "mentions:\n" + "".join(
        f"  - {{entity: ada, quote: {'a' * k}}}\n" for k in range(1, 200)
    )


def punctuation() -> tuple[str, str]:
    """450,000 commas, and 199 different quotes of commas: each found hundreds of thousands of times."""
    return ", " * 450_000 + "\n", "notes:\n" + "".join(f"  - {{quote: '{', ' * k}', text: T}}\n" for k in range(1, 200))


CASES: dict[str, Callable[[], tuple[str, str]]] = {
    "every-one-letter": every_one_letter,
    "quotes-not-found": quotes_not_found,
    "quote-everywhere": quote_everywhere,
    "distinct-mentions": distinct_mentions,
    "identical-mentions": identical_mentions,
    "crossing-claims": crossing_claims,
    "one-long-word": one_long_word,
    "punctuation": punctuation,
}


def write_case(name: str, out: Path) -> None:
    """Write the project of case NAME into OUT."""
    body, annotations = CASES[name]()
    article, notes = FRONT + body, annotations
    for text in (article, notes):
        assert len(text.encode()) <= LIMIT, f"{name}: {len(text.encode()):,} bytes"
    (out / "content" / "articles").mkdir(parents=True)
    (out / "mkdocs.yml").write_text(
        f"site_name: Worst case\ndocs_dir: content\nsite_dir: site\n"
        f"extra:\n  marginalia:\n    templates_dir: {ROOT / 'templates'}\n",
        encoding="utf-8",
    )
    (out / "content" / "entities.yml").write_text(ENTITIES, encoding="utf-8")
    (out / "content" / "sources.yml").write_text(SOURCES, encoding="utf-8")
    (out / "content" / "articles" / "worst.md").write_text(article, encoding="utf-8")
    (out / "content" / "articles" / "worst.yml").write_text(notes, encoding="utf-8")


def time_check(project: Path, timeout: float) -> tuple[float | None, float, int | None, int]:
    """Return the seconds `check` took on PROJECT (None after TIMEOUT), the CPU seconds it used (the measure
    least changed by other work on the machine), its exit code and its lines of output."""
    command = [sys.executable, str(ROOT / "build.py"), "check", "--no-cache", "-f", str(project / "mkdocs.yml")]
    start, used = time.perf_counter(), _children_cpu()
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, cwd=project, check=False)
    except subprocess.TimeoutExpired:
        return None, 0.0, None, 0
    lines = len((done.stdout + done.stderr).splitlines())
    return time.perf_counter() - start, _children_cpu() - used, done.returncode, lines


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=float, default=120, help="seconds before a check is given up (default 120)")
    parser.add_argument("--only", nargs="+", choices=sorted(CASES), help="run these cases only")
    parser.add_argument("--keep", type=Path, help="write the projects here and keep them")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        base = args.keep or Path(scratch)
        print("| case | check (s) | CPU (s) | exit | lines printed |\n| --- | ---: | ---: | ---: | ---: |")
        for name in args.only or CASES:
            project = base / name
            write_case(name, project)
            seconds, cpu, code, lines = time_check(project, args.timeout)
            took = f"{seconds:.2f} | {cpu:.2f}" if seconds is not None else f"> {args.timeout:.0f} (stopped) | -"
            print(f"| {name} | {took} | {code if code is not None else '-'} | {lines:,} |", flush=True)


if __name__ == "__main__":
    main()
