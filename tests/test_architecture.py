"""The layers of marginalia/ (pyproject.toml's [tool.importlinter]) hold, and they would catch an import
that breaks them."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    """Run import-linter's contracts over the marginalia/ package under ROOT (with ROOT's pyproject.toml)."""
    command = [str(Path(sys.executable).parent / "lint-imports"), "--no-cache", "--no-logo"]
    return subprocess.run(command, cwd=root, capture_output=True, text=True, check=False)


def test_the_import_contracts_are_kept() -> None:
    """No module imports from a layer above its own, nor the per-article stages from the site-wide half."""
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_a_deferred_import_upwards_breaks_the_contracts(tmp_path: Path) -> None:
    """An import inside a function from a higher layer (anchor → render, which imports anchor) is caught."""
    shutil.copytree(ROOT / "marginalia", tmp_path / "marginalia", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    anchor = tmp_path / "marginalia" / "anchor.py"
    anchor.write_text(anchor.read_text() + "\n\ndef _upwards() -> None:\n    from . import render  # noqa: F401\n")
    result = lint_imports(tmp_path)
    assert result.returncode != 0
    assert "marginalia.anchor -> marginalia.render" in result.stdout
