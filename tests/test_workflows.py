"""The GitHub workflows are valid: actionlint finds nothing wrong in them."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from marginalia.cli import main

ROOT = Path(__file__).resolve().parent.parent
ACTIONLINT = shutil.which("actionlint", path=str(Path(sys.executable).parent)) or shutil.which("actionlint")


def actionlint(*files: Path) -> subprocess.CompletedProcess[str]:
    if ACTIONLINT is None:
        pytest.fail("actionlint is not installed: pip install -r requirements-test.txt")
    return subprocess.run([ACTIONLINT, "-no-color", *map(str, files)], capture_output=True, text=True, cwd=ROOT)


def test_workflows_pass_actionlint() -> None:
    """Both workflows (pull-request check, publish) lint clean."""
    files = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
    assert [f.name for f in files] == ["publish.yml", "pull-request.yml"]
    result = actionlint(*files)
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_catches_a_broken_workflow(tmp_path: Path) -> None:
    """The linter really checks: a job without runs-on is refused."""
    bad = tmp_path / "bad.yml"
    bad.write_text("on: push\njobs:\n  a:\n    steps:\n      - run: echo\n", encoding="utf-8")
    result = actionlint(bad)
    assert result.returncode != 0
    assert "runs-on" in result.stdout


MATCHER = ROOT / ".github" / "problem-matchers" / "marginalia.json"


def test_the_pull_request_workflow_registers_the_problem_matcher_and_writes_a_summary() -> None:
    """The checker's problems become annotations on the diff, and are listed in the job summary."""
    workflow = (ROOT / ".github" / "workflows" / "pull-request.yml").read_text(encoding="utf-8")
    assert f"::add-matcher::{MATCHER.relative_to(ROOT).as_posix()}" in workflow
    assert "GITHUB_STEP_SUMMARY" in workflow and "make test-content" in workflow


def checker_output(argv: list[str], capsys) -> list[str]:  # type: ignore[no-untyped-def]
    """Run the checker with ARGV; return the lines it printed on stderr."""
    assert main(argv) == 1
    return capsys.readouterr().err.splitlines()


def matched_problems(lines: list[str]) -> set[tuple[str, str, str]]:
    """Return (file, severity, code) of each line the problem matcher reads, checking that it reads every problem
    the checker counted, each with a place or none (a whole file), and no hint line."""
    (pattern,) = json.loads(MATCHER.read_text(encoding="utf-8"))["problemMatcher"][0]["pattern"]
    regexp = re.compile(pattern["regexp"])
    summary = re.fullmatch(r"(\d+) error\(s\), (\d+) warning\(s\).*", lines[-1])
    assert summary, lines[-1]
    matched = [m for m in map(regexp.match, lines) if m]
    assert len(matched) == int(summary[1]) + int(summary[2]) == len([line for line in lines[:-1] if line[:1] != " "])
    for m in matched:
        assert m[pattern["line"]] is None or int(m[pattern["line"]]) >= 1 and int(m[pattern["column"]]) >= 1
        assert m[pattern["message"]] and not m[pattern["message"]].startswith(" ")
    assert not any(regexp.match(line) for line in lines if line.startswith("  hint:"))
    return {(m[pattern["file"]], m[pattern["severity"]], m[pattern["code"]]) for m in matched}


def test_the_problem_matcher_matches_every_problem_the_checker_prints(project, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Run the checker from the project folder, as the workflow does, on content with errors (one of a whole
    file), then with warnings only: the matcher's regexp reads every problem line, with its file, place,
    severity and code."""
    project.article("a", "Ada met London.\n", 'mentions:\n  - entity: ada\n    quote: Ada\nnotes:\n  - quote: "Ada"\n')
    project.article("b", "Text.\n", "", date="2020-02-30")  # an empty annotation file: a problem of the whole file
    (project.content / "articles" / "c.md").write_bytes(b"\xff\xfe not UTF-8")
    (project.root / "mkdocs.yml").write_text(
        f"site_name: T\ndocs_dir: content\nextra:\n  marginalia:\n    templates_dir: {ROOT / 'templates'}\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(project.root)
    assert {
        ("content/articles/a.yml", "error", "M102"),  # a note without text
        ("content/articles/b.md", "error", "M401"),
        ("content/articles/b.yml", "error", "M003"),
        ("content/articles/c.md", "error", "M013"),
    } <= matched_problems(checker_output(["check", "--no-cache"], capsys))

    for name in ("b.md", "b.yml", "c.md"):
        (project.content / "articles" / name).unlink()
    project.write("articles/a.yml", "mentions:\n  - entity: ada\n    quote: Ada\n")
    assert {
        ("content/articles/a.md", "warning", "W501"),  # London, not marked
        ("content/entities.yml", "warning", "W502"),  # an entity no article mentions
    } <= matched_problems(checker_output(["check", "--strict", "--no-cache"], capsys))
