"""Bounded work and nothing lost: the worst a single contribution can hold within the file size limit
is checked with a bounded amount of work, reported in a bounded number of problems, and no text of it
is dropped without a word."""

from __future__ import annotations

from marginalia.anchor import anchor_article, is_safe_url, make_markdown
from marginalia.load import Problems, load_article
from marginalia.model import Article
from marginalia.pipeline import check
from marginalia.render import Renderer


def anchored(project, body: str, annotations: str) -> tuple[Article, Problems]:
    path = project.article("a", body, annotations)
    problems = Problems()
    article = load_article(path, problems)
    assert article is not None, [str(p) for p in problems]
    anchor_article(article, make_markdown(), problems)
    return article, problems


# --- Nothing of the article dropped ----------------------------------------------------------------


def test_text_nested_past_the_parser_limit_is_an_error_at_its_line(project) -> None:
    """markdown-it skips what is nested past its limit: that is an error at the line, never silent."""
    body = "Ada wrote.\n\n" + "> " * 30 + "deep text\n\n" + "> " * 101 + "deeper text\n"
    _, problems = anchored(project, body, "notes:\n  - {quote: deep text, text: T}\n")
    assert [(p.code, p.where.path.name, p.where.line) for p in problems] == [("M015", "a.md", 10)]  # front matter, a blank line, then the body
    assert "101" not in problems[0].message and "100 levels" in problems[0].message


def test_text_nested_30_deep_is_built(project) -> None:
    """30 nested block quotes (CommonMark's preset stops at 20) are shown, and can be annotated."""
    project.article("a", "Ada wrote.\n\n" + "> " * 30 + "deep text\n", "notes:\n  - {quote: deep text, text: T}\n")
    assert [p.code for p in check(project.config) if p.severity == "error"] == []
    html = make_markdown().render("> " * 30 + "deep text\n")
    assert "deep text" in html


def test_markdown_of_a_field_nested_too_deeply_is_shown_as_written(project) -> None:
    """A description or note nested past the limit is shown as its text, not cut."""
    renderer = Renderer(project.config, make_markdown())
    shown = str(renderer.markdown("Intro.\n\n" + "> " * 101 + "deep <b>text</b>\n"))
    assert "deep &lt;b&gt;text&lt;/b&gt;" in shown and "Intro." in shown
    assert str(renderer.markdown("> quoted\n")) == "<blockquote>\n<p>quoted</p>\n</blockquote>\n"


# --- Links ---------------------------------------------------------------------------------------


def test_protocol_relative_links_are_refused() -> None:
    """`//host/path` names another host: it is not a relative link, and not linked."""
    for url in ("//evil.example/p", " //evil.example", "/\\evil.example", "\\\\evil.example"):
        assert not is_safe_url(url), url
    for url in ("/entities/ada.html", "ada.html", "#top", "?q=1", "https://example.org/", "mailto:a@example.org"):
        assert is_safe_url(url), url
    html = make_markdown().render("[x](//evil.example/p) and [y](/local)\n")
    assert 'href="//' not in html and 'href="/local"' in html
