"""The whole example site (tests/fixtures/example-site/), diffed against the
committed tree in tests/golden/example-site/.

Any change of output shows up here as a file-by-file diff. After an intended
change, regenerate with `make golden` and review the diff in the commit.
The search index (content-hashed file names) and the assets (copied as they
are) are left out.
"""

from __future__ import annotations

import dataclasses
import difflib
import shutil
from pathlib import Path

import pytest

from marginalia.pipeline import build
from tests.conftest import example_config

GOLDEN = Path(__file__).parent / "golden" / "example-site"


def site_files(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not {"pagefind", "assets"} & set(p.relative_to(folder).parts)
    }


def test_example_site_matches_the_golden_tree(tmp_path: Path, request: pytest.FixtureRequest) -> None:
    """Every page of the example site is exactly the committed one."""
    config = dataclasses.replace(example_config(tmp_path / "site"), search=False)
    build(config)
    actual = site_files(config.site_dir)
    if request.config.getoption("--regen-golden"):
        shutil.rmtree(GOLDEN, ignore_errors=True)
        for name, text in actual.items():
            (GOLDEN / name).parent.mkdir(parents=True, exist_ok=True)
            (GOLDEN / name).write_text(text, encoding="utf-8")
        return
    expected = site_files(GOLDEN)
    assert sorted(actual) == sorted(expected), "pages added or removed: run `make golden` if intended"
    for name, text in expected.items():
        if actual[name] != text:
            diff = "".join(difflib.unified_diff(text.splitlines(True), actual[name].splitlines(True), name, name, n=2))
            pytest.fail(f"{name} differs from the golden copy (run `make golden` if intended):\n{diff[:4000]}")
