"""Anchoring: quotes found in the rendered text, and marked in the tokens."""

from __future__ import annotations

from marginalia.anchor import anchor_article
from marginalia.errors import Problems
from marginalia.load import load_article
from marginalia.markup import make_markdown
from marginalia.model import Article


def anchored(project, body: str, annotations: str) -> tuple[Article, Problems]:
    path = project.article("a", body, annotations)
    problems = Problems()
    article = load_article(path, problems)
    assert article is not None, [str(p) for p in problems]
    anchor_article(article, make_markdown(), problems)
    return article, problems


def quoted(article: Article, annotation) -> list[str]:
    return [article.text[s.start : s.end] for s in annotation.spans]


def test_quote_spans_emphasis_and_links(project) -> None:
    """Quotes match the rendered text, so markup inside them does not matter."""
    article, problems = anchored(
        project,
        "Then *Ada* [Lovelace](https://example.org/) wrote.\n",
        "mentions:\n  - entity: ada\n    quote: Ada Lovelace\n",
    )
    assert not problems
    assert quoted(article, article.mentions[0]) == ["Ada Lovelace"]


def test_whitespace_in_a_quote_matches_a_line_break(project) -> None:
    """A quote written on one line matches words split over two source lines."""
    article, problems = anchored(
        project, "Ada\nLovelace wrote.\n", "mentions:\n  - entity: ada\n    quote: Ada Lovelace\n"
    )
    assert not problems
    assert article.mentions[0].spans[0].line == 6  # front matter is 4 lines, then a blank


def test_quotes_match_whole_words_only(project) -> None:
    """'Ada' does not match inside 'Adams'."""
    article, problems = anchored(project, "Adams met Ada.\n", "mentions:\n  - entity: ada\n    quote: Ada\n")
    assert not problems
    assert article.mentions[0].spans[0].start == article.text.index("Ada.")


def test_prefix_suffix_and_occurrence_pick_one_match(project) -> None:
    """Each way of disambiguating picks the intended match."""
    article, problems = anchored(
        project,
        "Ada one. Ada two. Ada three.\n",
        "mentions:\n"
        "  - {entity: ada, quote: Ada, prefix: 'one. '}\n"
        "  - {entity: ada, quote: Ada, suffix: ' three'}\n"
        "  - {entity: ada, quote: Ada, occurrence: 1}\n",
    )
    assert not problems
    starts = [m.spans[0].start for m in article.mentions]
    text = article.text
    assert starts == [text.index("Ada two"), text.index("Ada three"), text.index("Ada one")]


def test_every_marks_each_match(project) -> None:
    """every: true anchors a mention at each place the quote occurs."""
    article, _ = anchored(project, "Ada, Ada and Ada.\n", "mentions:\n  - {entity: ada, quote: Ada, every: true}\n")
    assert len(article.mentions[0].spans) == 3
    assert [s.id for s in article.mentions[0].spans] == ["m-ada-1", "m-ada-2", "m-ada-3"]


def test_quote_not_found_shows_the_closest_passage(project) -> None:
    """The usual mistake is one changed character: show the passage it should have been."""
    _, problems = anchored(
        project,
        "Intro.\n\nShe said “the engine works” twice.\n",
        'mentions:\n  - entity: engine\n    quote: "\\"the engine works\\""\n',
    )
    assert [(p.code, p.where.line) for p in problems] == [("M301", 2)]
    assert "line 8" in problems[0].hint and "“the engine works”" in problems[0].hint


def test_ambiguous_quote_lists_lines_and_suggests_a_prefix(project) -> None:
    """Two matches without disambiguation: list both lines and suggest what to add."""
    _, problems = anchored(project, "Ada wrote.\n\nLater, Ada left.\n", "mentions:\n  - entity: ada\n    quote: Ada\n")
    assert [p.code for p in problems] == ["M302"]
    assert "lines 6, 8" in problems[0].message
    assert "suffix: ' w'" in problems[0].hint or "prefix:" in problems[0].hint


def test_quote_across_paragraphs_is_an_error(project) -> None:
    """One annotation cannot span two blocks."""
    _, problems = anchored(project, "Ada wrote.\n\nThen left.\n", "notes:\n  - quote: wrote. Then\n    text: x\n")
    assert [p.code for p in problems] == ["M303"]


def test_title_is_annotatable(project) -> None:
    """The headline is part of the text; its mentions come first."""
    article, problems = anchored(project, "Body.\n", "mentions:\n  - {entity: ada, quote: Title}\n")
    assert not problems
    assert article.mentions[0].spans[0].block == 0
    assert article.title_tokens[0].children[0].type == "mention_open"


def test_crossing_annotations_stay_well_nested(project) -> None:
    """A mention that starts inside a claim and ends after it is split in two segments."""
    article, problems = anchored(
        project,
        "Ada Lovelace wrote notes.\n",
        "claims:\n  - {id: c, quote: Ada Lovelace wrote, status: reported, sources: [notes]}\n"
        "mentions:\n  - {entity: ada, quote: Lovelace wrote notes}\n",
    )
    assert not problems
    inline = article.tokens[1]
    types = [t.type for t in inline.children if t.type != "text"]
    assert types == ["claim_open", "mention_open", "mention_close", "claim_close", "mention_open", "mention_close"]
    firsts = [t.meta["first"] for t in inline.children if t.type == "mention_open"]
    assert firsts == [True, False]  # only the first segment carries the id


def test_mention_inside_a_link_is_not_a_nested_link(project) -> None:
    """<a> cannot nest: a mention within a Markdown link is marked as a plain span."""
    article, problems = anchored(
        project, "See [Ada's notes](https://example.org/).\n", "mentions:\n  - {entity: ada, quote: Ada}\n"
    )
    assert not problems
    opener = next(t for t in article.tokens[1].children if t.type == "mention_open")
    assert opener.meta.get("plain") is True
