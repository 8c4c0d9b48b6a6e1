"""The GitHub workflows are valid: actionlint finds nothing wrong in them."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

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
