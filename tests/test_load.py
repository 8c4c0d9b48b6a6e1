"""Loading: strict YAML, schema checks, and where each problem points."""

from __future__ import annotations

from pathlib import Path

import pytest

from marginalia.errors import Problems
from marginalia.load import load_content
from marginalia.reader import read_yaml


def codes(problems: Problems) -> list[tuple[int, str]]:
    return [(p.where.line, p.code) for p in problems]


def parse(text: str) -> tuple[object, Problems]:
    problems = Problems()
    parsed = read_yaml(text, Path("x.yml"), problems)
    return (parsed[0] if parsed else None), problems


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("a: NO", {"a": "NO"}),  # not False (YAML 1.1)
        ("a: 1:20", {"a": "1:20"}),  # not 80 (sexagesimal)
        ("a: 2020-03-05", {"a": "2020-03-05"}),  # not a datetime.date
        ("a: 3", {"a": 3}),
        ("a: true", {"a": True}),
        ("a: '3'", {"a": "3"}),
        ("a:", {"a": None}),
    ],
)
def test_values_are_what_the_author_wrote(text: str, value: object) -> None:
    """Plain scalars stay strings unless plainly an integer, true/false or null."""
    data, problems = parse(text)
    assert not problems
    assert data == value


def test_duplicate_key_is_reported_at_the_second() -> None:
    """PyYAML keeps the last of two equal keys silently; the loader reports it."""
    _, problems = parse("a: 1\nb: 2\na: 3\n")
    assert codes(problems) == [(3, "M005")]
    assert "first given on line 1" in problems[0].message


def test_anchors_and_aliases_are_refused() -> None:
    """Aliases are how alias bombs work: refuse them outright."""
    _, problems = parse("a: &x [1, 2]\nb: *x\n")
    assert codes(problems) == [(1, "M006")]
    assert "anchors and aliases" in problems[0].message


def test_syntax_error_points_at_the_line() -> None:
    """PyYAML's own mark gives the line of a syntax error."""
    _, problems = parse("a: 1\nb: [unclosed\nc: 3\n")
    assert problems[0].code == "M001"
    assert problems[0].where.line >= 2


def test_tab_is_reported_with_its_line() -> None:
    """A tab in indentation is a classic YAML mistake; say where it is."""
    _, problems = parse("a:\n\t- 1\n")
    assert codes(problems) == [(2, "M002")]


def test_empty_file_and_second_document() -> None:
    """An empty file and a second document are each reported."""
    assert codes(parse("")[1]) == [(1, "M003")]
    assert codes(parse("a: 1\n---\nb: 2\n")[1]) == [(2, "M007")]


def test_schema_problems_name_the_key_and_suggest(project) -> None:
    """A misspelt key gets the nearest valid key; a wrong enum lists the choices."""
    project.article("a", "Ada Lovelace.\n", "mentions:\n  - entity: ada\n    qoute: Ada Lovelace\n")
    project.write("entities.yml", "- id: x\n  name: X\n  kind: planet\n")
    problems = Problems()
    load_content(project.content, problems)
    by_code = {p.code: p for p in problems}
    assert by_code["M101"].where.line == 3  # the mention item starts on line 3
    assert "did you mean 'quote'?" in by_code["M101"].hint
    assert by_code["M103"].where.line == 3 and "person" in by_code["M103"].hint


def test_front_matter_lines_count_from_the_file_start(project) -> None:
    """A front matter error points at the line in the .md file, not in the YAML block."""
    path = project.write("articles/b.md", '---\ntitle: "T"\ndate: 2020-3-1\n---\n\nText.\n')
    problems = Problems()
    load_content(project.content, problems)
    assert [(p.where.path, p.where.line, p.code) for p in problems] == [(path, 3, "M108")]


def test_articles_are_newest_first(project) -> None:
    """The home page order comes from here: newest date first."""
    project.article("old", "Old.\n", date="2019-01-01")
    project.article("new", "New.\n", date="2021-01-01")
    content = load_content(project.content, Problems())
    assert [a.slug for a in content.articles] == ["new", "old"]


def test_bad_event_date_is_reported(project) -> None:
    """An impossible date or a backwards range is an error at the date's line."""
    project.article(
        "a",
        "It happened.\n",
        'events:\n  - id: e\n    quote: It happened\n    date: "2020-02-30"\n    title: T\n'
        '  - id: f\n    quote: It happened\n    date: "2020-03/2020-01"\n    title: T\n',
    )
    problems = Problems()
    load_content(project.content, problems)
    assert codes(problems) == [(4, "M401"), (8, "M402")]


def test_values_nested_past_the_limit_are_refused_where_they_pass_it() -> None:
    """Deep nesting is M008 at the line where it passes MAX_DEPTH, whatever the depth of the caller's stack."""
    from marginalia.reader import MAX_DEPTH

    lines = [f"{'  ' * n}k{n}:" for n in range(MAX_DEPTH + 5)] + [f"{'  ' * (MAX_DEPTH + 5)}deep"]
    data, problems = parse("\n".join(lines) + "\n")
    assert data is None
    assert [(p.code, p.where.line) for p in problems] == [("M008", MAX_DEPTH + 2)]
    assert parse("a:\n  b:\n    c: [[1, 2], [3]]\n")[0] == {"a": {"b": {"c": [[1, 2], [3]]}}}


@pytest.mark.parametrize("separator", ["\u2028", "\u2029"])
def test_lines_are_counted_as_an_editor_counts_them(separator: str) -> None:
    """YAML counts U+2028 and U+2029 as line breaks; an editor does not: the place given is the editor's."""
    text = f'a: "one{separator}two"\nb: 1\nb: 2\nc: [unclosed\n'
    _, problems = parse(f'a: "one{separator}two"\nb: 1\nb: 2\n')
    assert [(p.code, p.where.line, p.where.col) for p in problems] == [("M005", 3, 1)]
    _, problems = parse(text)
    assert [(p.code, p.where.line) for p in problems] == [("M001", 5)]  # at the end: the list is not closed


def test_lines_after_a_separator_in_front_matter_count_from_the_file_start(project) -> None:
    """The same in an article's front matter, which starts on line 2."""
    path = project.write("articles/a.md", '---\ntitle: "A\u2028B"\ndate: 2020-02-30\n---\n\nText.\n')
    problems = Problems()
    load_content(project.content, problems)
    assert [(p.where.path, p.where.line, p.where.col, p.code) for p in problems] == [(path, 3, 7, "M401")]


def test_whole_file_problems_point_at_its_start() -> None:
    """A problem with a whole file prints as file:1:1, as a compiler's would, so an editor opens it."""
    _, problems = parse("# nothing yet\n")
    assert [str(p).splitlines()[0] for p in problems] == ["x.yml:1:1: error[M003]: the file is empty"]


@pytest.mark.parametrize("digits", [4_301, 101])
def test_an_overlong_integer_is_a_problem_at_its_line(digits: int) -> None:
    """A number longer than Python reads (4,300 digits) is reported where it is, not a traceback."""
    _, problems = parse("a: 1\nb: " + "7" * digits + "\n")
    assert [(p.code, p.where.line, p.where.col) for p in problems] == [("M105", 2, 4)]
    assert f"{digits:,} digits" in problems[0].message


def test_an_overlong_integer_in_an_article_stops_check_with_one_problem(project) -> None:
    """In check, the overlong number is one problem at its line, not a traceback nor a second schema problem."""
    from marginalia.pipeline import check

    project.article(
        "a", "Ada wrote.\n", "mentions:\n  - entity: ada\n    quote: Ada\n    occurrence: " + "1" * 4_301 + "\n"
    )
    found = [(p.where.path.name, p.where.line, p.code) for p in check(project.config) if p.severity == "error"]
    assert found == [("a.yml", 4, "M105")]


def test_a_file_one_byte_over_the_limit_is_refused(project) -> None:
    """The limit is inclusive: a file of MAX_FILE_BYTES passes the size check, one byte more does not."""
    from marginalia.reader import MAX_FILE_BYTES

    head = "notes:\n  - {quote: Ada, text: '"
    for size, refused in ((MAX_FILE_BYTES, False), (MAX_FILE_BYTES + 1, True)):
        project.article("a", "Ada wrote.\n", head + "x" * (size - len(head) - 3) + "'}\n")
        assert (project.content / "articles/a.yml").stat().st_size == size
        problems = Problems()
        load_content(project.content, problems)
        assert ("M012" in {p.code for p in problems}) == refused


def test_an_empty_file_is_reported_once(project) -> None:
    """Each empty file is one M003 (M011 for an article without front matter), however it is empty."""
    project.write("articles/a.md", "---\n---\n\nText.\n")
    project.write("articles/a.yml", "# nothing yet\n")
    project.write("articles/b.md", "")
    project.write("articles/b.yml", "")
    problems = Problems()
    load_content(project.content, problems)
    assert sorted((p.where.path.name, p.code) for p in problems) == [
        ("a.md", "M003"),
        ("a.yml", "M003"),
        ("b.md", "M011"),
        ("b.yml", "M003"),
    ]
