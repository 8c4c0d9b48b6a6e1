"""The tests never depend on what is in content/: it belongs to the contributors,
and adding an article must not fail a test. Only the checks of tests/content/,
which hold for any content, read it; every other test builds the example site
of tests/fixtures/example-site/ (conftest.FIXTURE_CONTENT) or its own."""

from __future__ import annotations

import re
from pathlib import Path

TESTS = Path(__file__).resolve().parent

CONTENT_PATH = re.compile(
    r"""(?:\bROOT|\bREPO|parents\[\d\]|\.parent\.parent)\s*/\s*["']content["']"""  # ROOT / "content"
    r"""|(?:open|Path)\(\s*["'](?:\.\./)*content\b"""  # open("content/entities.yml"), Path("content")
)
"""How a test would name the project's own content/ folder."""


def content_reads(path: Path) -> list[str]:
    """Return the lines of PATH that name the project's content/, as `file:line: text`."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [
        f"{path.relative_to(TESTS.parent)}:{n}: {line.strip()}"
        for n, line in enumerate(lines, 1)
        if CONTENT_PATH.search(line)
    ]


def test_no_test_outside_tests_content_reads_content() -> None:
    """No test source but those of tests/content/ names the project's content/ folder."""
    sources = [p for p in sorted(TESTS.rglob("*.py")) if "content" not in p.relative_to(TESTS).parts[:1]]
    assert len(sources) > 20
    found = [line for path in sources if path != Path(__file__).resolve() for line in content_reads(path)]
    assert not found, "tests that read content/ (use tests.conftest.FIXTURE_CONTENT):\n" + "\n".join(found)


def test_the_guard_sees_a_test_reading_content(tmp_path: Path) -> None:
    """The pattern catches the ways a test has named content/, and not a project's own content folder."""
    caught = ['ROOT / "content"', "ROOT / 'content' / 'articles'", 'Path(__file__).parents[2] / "content"']
    caught += ['open("content/entities.yml")', 'Path("../content/articles/x.md")', 'HERE.parent.parent / "content"']
    for line in caught:
        assert CONTENT_PATH.search(line), line
    not_caught = ['project.content / "articles"', 'tmp_path / "content"', 'copy.parent / "content"']
    not_caught += ['"""content/articles as a link is refused."""', '("content/articles/a.yml", "error", "M102")']
    for line in not_caught:
        assert not CONTENT_PATH.search(line), line
