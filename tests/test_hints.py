"""The checker's hints, followed literally, fix what they are about: each test makes the
mistake a contributor makes, applies the hint's edit to the YAML as printed, and checks again."""

from __future__ import annotations

import re

import pytest

from marginalia.pipeline import check
from tests.conftest import ROOT

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


MENTIONS = "mentions:\n  - entity: ada\n    quote: Ada\n    occurrence: 1\n  - entity: london\n    quote: London\n"


def reindent(text: str, line: int, spaces: int) -> str:
    lines = text.split("\n")
    lines[line - 1] = " " * spaces + lines[line - 1].lstrip(" ")
    return "\n".join(lines)


@pytest.mark.parametrize(
    ("line", "indent", "siblings"),
    [
        (6, 6, 4),  # a key indented more than the keys of its mapping
        (6, 3, 4),  # a key indented less
        (4, 2, 4),  # a key back at the level of the list's dashes
        (5, 1, 2),  # a list item indented less than the other items
        (5, 3, 2),  # a list item indented more
    ],
)
def test_a_misindented_line_is_named_with_its_siblings_indentation(project, line, indent, siblings) -> None:
    """The error is at the line indented unlike its siblings, says so, and indenting it as the hint
    says makes the file valid."""
    text = reindent(MENTIONS, line, indent)
    project.article("a", BODY, text)
    (problem,) = problems_of(project, "M001")
    assert (problem.where.line, problem.where.col) == (line, indent + 1)
    assert f"line {line} is indented {indent} space" in problem.message
    assert f"its siblings {siblings}" in problem.message
    spaces = int(re.search(r"indent it (\d+) space", problem.hint).group(1))
    project.article("a", BODY, reindent(text, line, spaces))
    assert [p.code for p in check(project.config) if p.severity == "error"] == []


def test_a_misindented_front_matter_key_counts_lines_from_the_file_start(project) -> None:
    """Front matter starts on line 2 of the .md file: the line named is the file's."""
    project.write("articles/a.md", '---\ntitle: "A"\n  date: "2020-01-01"\n---\n\nText.\n')
    (problem,) = problems_of(project, "M001")
    assert (problem.where.line, problem.where.col) == (3, 3)
    assert "line 3 is indented 2 spaces, its siblings 0" in problem.message
    assert problem.hint.startswith("start it at the beginning of the line")


def test_a_colon_in_a_value_is_still_told_to_be_quoted(project) -> None:
    """A line indented as its siblings, with ': ' in its value, gets the quoting hint, not an indentation one."""
    project.article("a", BODY, "notes:\n  - quote: London\n    text: Note: it rained\n")
    (problem,) = problems_of(project, "M001")
    assert "indented" not in problem.message
    assert "must be quoted" in problem.hint


ERDOGAN = "- id: recep-tayyip-erdogan\n  name: Recep Tayyip Erdoğan\n  kind: person\n  aliases: [Erdoğan]\n"
ERDOGAN_BODY = "Ada met Ada in London. Erdoğan spoke.\n"


def test_an_id_with_an_accent_is_told_ids_are_ascii_and_given_folded(project) -> None:
    """The message says ids are ASCII; the hint gives the id folded, which is then accepted."""
    project.write("entities.yml", ERDOGAN)
    annotations = "mentions:\n  - entity: recep-tayyip-erdoğan\n    quote: Erdoğan\n"
    project.article("a", ERDOGAN_BODY, annotations)
    (problem,) = problems_of(project, "M104")
    assert "ids are ASCII" in problem.message
    assert "ASCII" in problem.hint
    suggested = re.search(r"Write '([^']+)'", problem.hint).group(1)
    assert suggested == "recep-tayyip-erdogan"
    project.article("a", ERDOGAN_BODY, annotations.replace("recep-tayyip-erdoğan", suggested))
    assert [p.code for p in check(project.config) if p.severity == "error"] == []


def test_an_article_file_name_is_given_folded(project) -> None:
    """An article named with accents or capitals is told the name to rename it to."""
    project.write("articles/Erdoğan-speaks.md", '---\ntitle: "T"\ndate: "2020-01-01"\n---\n\nText.\n')
    (problem,) = problems_of(project, "M205")
    assert problem.hint.endswith("rename it erdogan-speaks.md")


@pytest.mark.parametrize(
    ("ref", "shown"),
    [
        ("erdogan", "'recep-tayyip-erdogan' (Recep Tayyip Erdoğan, alias Erdoğan)"),  # its alias, folded
        ("tayyip-erdogan", "'recep-tayyip-erdogan' (Recep Tayyip Erdoğan)"),  # words of its id and name
        ("recep-tayyip-erdogn", "'recep-tayyip-erdogan'"),  # a near spelling of the id
    ],
)
def test_an_unknown_entity_id_is_matched_against_names_and_aliases(project, ref, shown) -> None:
    """M202 looks for the entity meant among ids, names and aliases (ASCII-folded, any case) before
    telling to add one; putting the id it names in place of the unknown one makes the file check clean."""
    project.write("entities.yml", ERDOGAN)
    annotations = f"mentions:\n  - entity: {ref}\n    quote: Erdoğan\n"
    project.article("a", ERDOGAN_BODY, annotations)
    (problem,) = problems_of(project, "M202")
    assert problem.hint == f"did you mean {shown}?"
    meant = re.search(r"'([^']+)'", problem.hint).group(1)
    project.article("a", ERDOGAN_BODY, annotations.replace(f"entity: {ref}", f"entity: {meant}"))
    assert [p.code for p in check(project.config) if p.severity == "error"] == []


def test_an_entity_named_by_no_id_name_or_alias_is_to_be_added(project) -> None:
    """Only when nothing in the glossary is close does the hint say to add the entity."""
    project.write("entities.yml", ERDOGAN)
    project.article("a", ERDOGAN_BODY, "mentions:\n  - entity: london\n    quote: London\n")
    (problem,) = problems_of(project, "M202")
    assert problem.hint == "add 'london' to content/entities.yml"


CLAIM = "claims:\n  - {id: met, quote: Ada met, status: reported, sources: [notes]}\n"


@pytest.mark.parametrize(
    ("new", "new_date", "old_date"),
    [
        ("aaa", "2021-01-01", "2020-03-13"),  # the new article is later by date (and first by name)
        ("zzz", "2020-03-13", "2020-03-13"),  # the same date: later by name
    ],
)
def test_a_second_definition_is_reported_in_the_later_article(project, new, new_date, old_date) -> None:
    """M201 is at the definition of the article that came later, where the contributor is working, and
    names the first; the seed's established claim is not the one to rename. Its hint, followed (keep only
    id and quote), makes the new one an appearance, and the site checks clean."""
    project.article("seed", BODY, CLAIM, date=old_date)
    project.article(new, BODY, CLAIM, date=new_date)
    (problem,) = problems_of(project, "M201")
    assert problem.where.path.name == f"{new}.yml"
    assert "seed.yml:2:" in problem.message
    assert "keep only id and quote" in problem.hint
    project.article(new, BODY, "claims:\n  - {id: met, quote: Ada met}\n", date=new_date)
    assert [p.code for p in check(project.config) if p.severity == "error"] == []


AFFIX = re.compile(r"line (\d+): ((?:prefix|suffix): \"(?:[^\"\\]|\\.)*\"|occurrence: \d+)")


@pytest.mark.parametrize(
    ("body", "quote"),
    [
        ("We walked along the river;\nthe river's bank is steep, and the river flows.\n", "river"),
        ('He said "Ada" to Ada, and Ada\nwrote back.\n\nAda\'s engine.\n', "Ada"),
        ("The “Idlib” deal.\nThe Idlib region, Syria’s Idlib, and Idlib’s\n  roads.\n", "Idlib"),
        ("Akar said Akar said Akar said Akar.\n", "Akar"),
    ],
)
def test_an_ambiguous_quote_is_told_affixes_that_paste_as_printed(project, body, quote) -> None:
    """M302's prefix: and suffix: are whole words on one line, double-quoted YAML: each, pasted into the
    annotation as printed, picks its match, and the file checks clean."""
    mention = f"mentions:\n  - entity: ada\n    quote: {quote}\n"
    project.article("a", body, mention)
    (problem,) = problems_of(project, "M302")
    picks = AFFIX.findall(problem.hint)
    assert len(picks) == min(int(re.search(r"occurs (\d+) times", problem.message).group(1)), 5)
    for _, pick in picks:
        assert "\\n" not in pick and "  " not in pick
        project.article("a", body, f"{mention}    {pick}\n")
        found = [p for p in check(project.config) if p.severity == "error"]
        assert found == [], (pick, [str(p) for p in found])
    affixes = [pick for _, pick in picks if not pick.startswith("occurrence")]
    assert affixes, problem.hint
    for pick in affixes:  # whole words: a prefix starts a word, a suffix ends one
        value = pick.split(": ", 1)[1][1:-1].replace('\\"', '"')
        assert re.search(
            rf"(?:^|\s){re.escape(value)}{quote}"
            if pick.startswith("prefix")
            else rf"{quote}{re.escape(value)}(?:\s|$)",
            " ".join(body.split()),
        )


def test_an_unknown_id_is_pointed_at_where_it_is_written(project) -> None:
    """M202 and M203 point at the unknown id in its list, not at the first line of its claim."""
    project.article(
        "a",
        BODY,
        "claims:\n  - id: met\n    quote: Ada met\n    status: reported\n    about: [ada, londn]\n"
        "    sources:\n      - notes\n      - note\n",
    )
    found = {p.code: (p.where.line, p.where.col) for p in check(project.config) if p.severity == "error"}
    assert found == {"M202": (5, 18), "M203": (8, 9)}
    project.write("entities.yml", "- id: ada\n  name: Ada\n  kind: person\n  sources: [notes, nots]\n")
    (problem,) = (p for p in problems_of(project, "M203") if p.where.path.name == "entities.yml")
    assert (problem.where.line, problem.where.col) == (4, 20)


def test_an_article_date_not_known_to_the_day_is_told_what_to_give(project) -> None:
    """The front matter takes a whole day only; the hint says what to give when the day is not known,
    and CONTRIBUTING.md says the same."""
    project.write("articles/a.md", '---\ntitle: "A"\ndate: "2020-03"\n---\n\nText.\n')
    (problem,) = problems_of(project, "M108")
    assert "earliest copy" in problem.hint and "note:" in problem.hint
    contributing = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    assert "**When the publication date is not known**" in contributing
