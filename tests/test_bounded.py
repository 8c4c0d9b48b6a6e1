"""Bounded work and nothing lost: the worst a single contribution can hold within the file size limit
is checked with a bounded amount of work, reported in a bounded number of problems, and no text of it
is dropped without a word."""

from __future__ import annotations

from marginalia import anchor, markup
from marginalia.anchor import MAX_EVERY, anchor_article
from marginalia.errors import MAX_PROBLEMS, Problems
from marginalia.load import load_article
from marginalia.markup import make_markdown
from marginalia.model import Article
from marginalia.pipeline import check
from marginalia.render import Renderer
from marginalia.sanitize import is_safe_url


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
    assert [(p.code, p.where.path.name, p.where.line) for p in problems] == [
        ("M015", "a.md", 10)
    ]  # front matter, a blank line, then the body
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


def test_a_link_shown_as_text_is_a_warning_at_its_line(project) -> None:
    """A link not made (W507) is told, with its line, once however often it is written."""
    _, problems = anchored(
        project,
        "Intro [ok](https://example.org/).\n\nSee [x](//evil.example/p), [y](//evil.example/p), [z](javascript:alert(1)).\n",
        "mentions: []\n",
    )
    assert [(p.code, p.severity, p.where.line) for p in problems] == [("W507", "warning", 8)] * 2
    assert "'//evil.example/p' is shown as text" in problems[0].message


# --- Bounded work, bounded reports -----------------------------------------------------------------


def test_every_marks_up_to_the_cap(project) -> None:
    """every: true marks up to MAX_EVERY places; one more is an error of its own (M308), with the count."""
    article, problems = anchored(
        project, "Ada " * MAX_EVERY + "\n", "mentions:\n  - {entity: ada, quote: Ada, every: true}\n"
    )
    assert not problems and len(article.mentions[0].spans) == MAX_EVERY
    _, problems = anchored(
        project, "Ada " * (MAX_EVERY + 1) + "\n", "mentions:\n  - {entity: ada, quote: Ada, every: true}\n"
    )
    assert [(p.code, p.where.line) for p in problems] == [("M308", 2)]
    assert f"{MAX_EVERY + 1:,} times" in problems[0].message


def test_a_quote_found_thousands_of_times_lists_a_few(project) -> None:
    """An ambiguous quote lists its first few lines and how many more, and suggests occurrence:."""
    _, problems = anchored(project, "Ada wrote.\n\n" * 3000, "mentions:\n  - {entity: ada, quote: Ada}\n")
    assert [p.code for p in problems] == ["M302"]
    assert "occurs 3,000 times (lines 6, 8, 10, 12, 14 and 2,995 more)" in problems[0].message
    assert "occurrence: N (1 to 3,000)" in problems[0].hint
    assert len(str(problems[0])) < 300


def test_identical_mentions_are_one_overlap_problem(project) -> None:
    """N mentions of the same words are one problem (M307), not N(N-1)/2, and name a few of the others."""
    _, problems = anchored(project, "Ada wrote.\n", "mentions:\n" + "  - {entity: ada, quote: Ada}\n" * 1000)
    assert [(p.code, p.where.line) for p in problems] == [("M307", 1001)]
    assert "overlaps 999 other mentions: 'Ada' (line 2), 'Ada' (line 3)" in problems[0].message
    assert problems[0].message.endswith("and 994 more")


def test_two_overlapping_mentions_are_told_as_before(project) -> None:
    """Two mentions that overlap: one problem at the later, naming the earlier."""
    _, problems = anchored(
        project,
        "Ada in London.\n",
        "mentions:\n  - {entity: london, quote: in London}\n  - {entity: ada, quote: Ada in}\n",
    )
    assert [(p.code, p.where.line, p.message) for p in problems] == [
        ("M307", 3, "this mention overlaps the mention 'in London' (line 2)")
    ]


def test_crossing_claims_are_told_once_each(project) -> None:
    """Claims that cross: each is told once, however many others it crosses; nested claims are fine."""
    words = [f"w{i}" for i in range(60)]
    claims = "".join(
        f"  - {{id: c{i}, quote: {' '.join(words[i : i + 10])}, status: reported, sources: [notes]}}\n"
        for i in range(50)
    )
    _, problems = anchored(project, " ".join(words) + "\n", "claims:\n" + claims)
    # c0 stands; c1 to c9 cross it; c10 starts where c0 ends, and so on: each told once, at its own line
    assert [(p.code, p.where.line) for p in problems] == [("M307", i + 2) for i in range(50) if i % 10]
    _, problems = anchored(
        project,
        " ".join(words) + "\n",
        "claims:\n  - {id: a, quote: w1 w2 w3, status: reported}\n  - {id: b, quote: w2, status: reported}\n",
    )
    assert not problems


def test_a_file_reports_at_most_a_hundred_anchoring_problems(project) -> None:
    """Past MAX_PROBLEMS, one more problem (M309) says how many are not listed."""
    _, problems = anchored(project, "Ada wrote.\n", "mentions:\n" + "  - {entity: london, quote: Londn}\n" * 250)
    assert [p.code for p in problems] == ["M301"] * MAX_PROBLEMS + ["M309"]
    assert "150 more problems" in problems[-1].message


def test_closest_passage_of_long_quotes_is_bounded_work(project, monkeypatch) -> None:
    """The closest passage to each of many long quotes not in a long article: found for each, from the words
    the quote shares with the article, each place of a word looked at taken from one budget per article."""
    words = [f"w{i % 5000}x{i // 5000}" for i in range(20_000)]
    body = "\n\n".join(" ".join(words[i : i + 100]) for i in range(0, len(words), 100)) + "\n"
    notes = []
    for n in range(30):
        quote = words[n * 500 : n * 500 + 80]
        quote[3] = "changed"
        notes.append(f"  - {{quote: {' '.join(quote)}, text: T}}\n")
    monkeypatch.setattr(anchor, "HINT_BUDGET", 600)
    _, problems = anchored(project, body, "notes:\n" + "".join(notes))
    assert [p.code for p in problems] == ["M301"] * 30
    found = [p for p in problems if "closest passage to its first 60 words" in p.hint]
    assert 0 < len(found) < 30  # the budget ran out: the last quotes' passages were not sought
    assert "'changed' where the article has 'w3x0'" in problems[0].hint
    assert "closest passage" not in problems[-1].hint


def test_a_misspelt_word_still_finds_its_passage(project) -> None:
    """A quote whose only word is misspelt is placed through the article's words closest to it."""
    _, problems = anchored(project, "Intro.\n\nThen London slept.\n", "mentions:\n  - {entity: london, quote: Londn}\n")
    assert "closest passage, line 8 of a.md: 'London'" in problems[0].hint


def test_marking_a_block_is_linear_in_its_spans(project, monkeypatch) -> None:
    """Marking N mentions in one paragraph looks at each child a bounded number of times (it was N^2/2)."""
    n = 2000
    names = [f"w{i}" for i in range(n)]
    path = project.article("a", " ".join(names) + " [link](https://example.org/)\n",
                           "mentions:\n" + "".join(f"  - {{entity: ada, quote: {w}}}\n" for w in names))  # fmt: skip
    problems = Problems()
    article = load_article(path, problems)
    looked = 0
    is_link = markup._is_link

    def counted(token):
        nonlocal looked
        looked += 1
        return is_link(token)

    monkeypatch.setattr(markup, "_is_link", counted)
    anchor_article(article, make_markdown(), problems)
    assert not problems
    assert all(m.spans for m in article.mentions)
    assert looked < 20 * n


def test_names_left_unannotated_are_listed_up_to_a_hundred(project) -> None:
    """W501 lists at most MAX_UNANNOTATED names of one article, then says how many more."""
    from marginalia.check import MAX_UNANNOTATED

    project.article("a", "London. " * 1000 + "\n", "mentions:\n  - {entity: ada, quote: London, occurrence: 1}\n")
    warnings = [p for p in check(project.config) if p.code == "W501"]
    assert len(warnings) == MAX_UNANNOTATED + 1
    assert warnings[-1].message == "and 899 more names not annotated in this article (not listed)"


def test_quotes_looked_for_by_their_first_word_are_found_as_in_all_the_text(project) -> None:
    """Past INDEX_AFTER quotes, an article's quotes are looked for where their first word is: the same matches."""
    body = 'Ada\'s engine, Adam and Ada_Lovelace met Ada.\n\nÉcole 2e Ada—Lovelace; "Ada" ada Ada Ada\n'
    article, _ = anchored(project, body, "mentions: []\n")
    search = anchor.Search(article)
    quotes = ["Ada", "Ada's", "Ada's engine", "Adam", "Ada_Lovelace", "École", "2e Ada", "Ada—Lovelace", '"Ada"',
              "ada", "Ada Ada", "Ada.", "Lovelace", "Title", "Title of", "engine, Adam", "x", "met Ada"]  # fmt: skip
    for n in range(anchor.INDEX_AFTER + 1):
        search.find(f"filler {n}")
    for quote in quotes:
        assert search.find(quote) == anchor.find_quote(quote, article.text), quote
