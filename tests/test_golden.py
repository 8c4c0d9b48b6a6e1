"""Golden tests: Markdown + annotations in, exact HTML out.

The cases live in tests/fixtures/annotations.md, markdown-it-py style: a
title line, then the article body, the annotations YAML and the expected
HTML, each closed by a line holding a single dot. After an intended change of
output, regenerate the expected HTML with `make golden` and review the diff.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from marginalia.anchor import anchor_article
from marginalia.errors import Problems
from marginalia.load import load_content
from marginalia.markup import make_markdown
from marginalia.render import Renderer

FIXTURES = Path(__file__).parent / "fixtures" / "annotations.md"
ROOT = Path(__file__).resolve().parent.parent


def read_cases(path: Path) -> list[tuple[str, str, str, str]]:
    """Return (title, markdown, yaml, html) for each case in PATH."""
    cases, lines, i = [], path.read_text(encoding="utf-8").split("\n"), 0
    while i < len(lines):
        if not lines[i].strip():
            i += 1
            continue
        title, parts, i = lines[i], [], i + 2  # skip the title and its dot
        for _ in range(3):
            start = i
            while lines[i] != ".":
                i += 1
            parts.append("\n".join(lines[start:i]) + "\n")
            i += 1
        cases.append((title, *parts))
    return cases


def render_case(project, markdown: str, annotations: str) -> str:
    project.article("case", markdown, annotations)
    problems = Problems()
    content = load_content(project.content, problems)
    md = make_markdown()
    renderer = Renderer(project.config, md)
    article = content.articles[0]
    anchor_article(article, md, problems)
    # a link shown as text is told (W507), and its case is here to show it so
    assert all(p.code == "W507" for p in problems), [str(p) for p in problems]
    return str(renderer.article_body(article, content, "../")[1])


CASES = read_cases(FIXTURES)


@pytest.mark.parametrize(("title", "markdown", "annotations", "expected"), CASES, ids=[c[0] for c in CASES])
def test_annotated_html(project, request, title: str, markdown: str, annotations: str, expected: str) -> None:
    """The rendered article body is exactly the expected HTML."""
    actual = render_case(project, markdown, annotations)
    if request.config.getoption("--regen-golden"):
        text = FIXTURES.read_text(encoding="utf-8")
        FIXTURES.write_text(
            text.replace(f".\n{annotations}.\n{expected}.\n", f".\n{annotations}.\n{actual}.\n", 1), encoding="utf-8"
        )
        return
    assert actual == expected
