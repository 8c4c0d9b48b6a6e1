"""The checker's hints, followed literally, fix what they are about: each test makes the
mistake a contributor makes, applies the hint's edit to the YAML as printed, and checks again."""

from __future__ import annotations

import re

from marginalia.pipeline import check

BODY = "Ada met Ada in London.\n\nThe engine ran well.\n"


def problems_of(project, code: str) -> list:
    return [p for p in check(project.config) if p.code == code]


def test_an_unknown_key_is_pointed_at_the_key(project) -> None:
    """M101 points at the misspelt key (where the fix goes), not at its value."""
    project.article("a", BODY, "mentions:\n  - entity: london\n    qoute: London\n")
    (problem,) = problems_of(project, "M101")
    assert (problem.where.line, problem.where.col) == (3, 5)
    project.article("a", BODY, "mentions:\n  - {entity: london,   qoute: London}\n")
    (problem,) = problems_of(project, "M101")
    assert (problem.where.line, problem.where.col) == (2, 24)


def test_a_tab_is_pointed_at_where_it_is(project) -> None:
    """M002 gives the tab's own column; a tab that does not indent is not called indentation."""
    project.article("a", BODY, "mentions:\n  - entity: london\n    quote:\tLondon\n")
    (problem,) = problems_of(project, "M002")
    assert (problem.where.line, problem.where.col) == (3, 11)
    assert "indent" not in problem.hint
    project.article("a", BODY, "mentions:\n\t- entity: london\n")
    (problem,) = problems_of(project, "M002")
    assert (problem.where.line, problem.where.col) == (2, 1)
    assert "indents with spaces" in problem.hint
