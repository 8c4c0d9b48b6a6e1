"""One small fixture per checker rule: the problem is reported at the right
file and line with its code. A meta-test keeps RULES, the code, these cases
and CONTRIBUTING.md in step."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from marginalia.errors import RULES
from marginalia.pipeline import check
from tests.conftest import SOURCES

ROOT = Path(__file__).resolve().parent.parent

BODY = "Ada met Ada in London.\n\nThe engine ran `code here` well.\n"
# Lines of BODY in the .md file: front matter is lines 1-4, a blank line 5.
ART = "articles/a.md"
ANN = "articles/a.yml"

# code: (files to write {path under content/: text}, expected (path, line))
CASES: dict[str, tuple[dict[str, str], tuple[str, int]]] = {
    "M001": ({ANN: "mentions:\n  - entity: ada\n    quote: [unclosed\n"}, (ANN, 4)),
    "M002": ({ANN: "mentions:\n\t- entity: ada\n"}, (ANN, 2)),
    "M003": ({ANN: "# nothing yet\n"}, (ANN, 1)),
    "M004": ({ANN: "mentions:\n  - <<: {entity: ada}\n    quote: London\n"}, (ANN, 2)),
    "M005": ({ANN: "mentions:\n  - entity: ada\n    quote: London\n    entity: london\n"}, (ANN, 4)),
    "M006": ({ANN: "mentions:\n  - &m {entity: london, quote: London}\n  - *m\n"}, (ANN, 2)),
    "M007": ({ANN: "mentions: []\n---\nclaims: []\n"}, (ANN, 2)),
    "M008": ({ANN: "mentions: " + "[" * 2000 + "]" * 2000 + "\n"}, (ANN, 1)),
    "M009": ({ANN: 'notes:\n  - {quote: London, text: "Bad\\x01 byte"}\n'}, (ANN, 2)),
    "M010": ({"sources.yml": None}, ("sources.yml", 1)),
    "M011": ({"articles/b.md": "No front matter.\n"}, ("articles/b.md", 1)),
    "M012": ({"articles/b.md": '---\ntitle: "B"\ndate: "2020-01-01"\n---\n' + "word " * 250_000}, ("articles/b.md", 1)),
    "M013": ({"articles/b.md": b'---\ntitle: "B"\ndate: "2020-01-01"\n---\n\n\xff\n'}, ("articles/b.md", 6)),
    "M014": ({"articles/b.md": "->a.md"}, ("articles/b.md", 1)),
    "M015": ({ART: '---\ntitle: "A"\ndate: "2020-01-01"\n---\n\n' + "> " * 101 + "deep\n"}, (ART, 6)),
    "M101": ({ANN: "mentions:\n  - entity: london\n    qoute: London\n"}, (ANN, 3)),
    "M102": ({ANN: "mentions:\n  - entity: london\n"}, (ANN, 2)),
    "M103": ({ANN: "claims:\n  - {id: c, quote: London, status: rumoured, sources: [notes]}\n"}, (ANN, 2)),
    "M104": ({ANN: "mentions:\n  - {entity: Ada_Lovelace, quote: London}\n"}, (ANN, 2)),
    "M105": ({ANN: "mentions:\n  - {entity: london, quote: London, occurrence: first}\n"}, (ANN, 2)),
    "M106": ({ANN: "mentions:\n  - {entity: london, quote: London, occurrence: 0}\n"}, (ANN, 2)),
    "M107": ({"sources.yml": "- id: notes\n  title: T\n  url: javascript:alert(1)\n"}, ("sources.yml", 3)),
    "M108": ({ANN: "events:\n  - {id: e, quote: London, date: 5 March 2020, title: T}\n"}, (ANN, 2)),
    "M201": (
        {
            ANN: "events:\n  - {id: e, quote: London, date: '2020', title: T}\n"
            "  - {id: e, quote: engine, date: '2020', title: T}\n"
        },
        (ANN, 3),
    ),
    "M202": ({ANN: "mentions:\n  - {entity: londn, quote: London}\n"}, (ANN, 2)),
    "M203": ({ANN: "claims:\n  - {id: c, quote: London, status: reported, sources: [note]}\n"}, (ANN, 2)),
    "M204": ({"sources.yml": "- id: notes\n  title: T\n  article: no-such-article\n"}, ("sources.yml", 1)),
    "M205": ({"articles/B.md": '---\ntitle: "B"\ndate: "2020-01-01"\n---\n\nText.\n'}, ("articles/B.md", 1)),
    "M206": ({ANN: "events:\n  - {id: e, quote: London}\n"}, (ANN, 2)),
    "M301": ({ANN: "mentions:\n  - {entity: london, quote: Londn}\n"}, (ANN, 2)),
    "M302": ({ANN: "mentions:\n  - {entity: ada, quote: Ada}\n"}, (ANN, 2)),
    "M303": ({ANN: "notes:\n  - {quote: London. The engine, text: T}\n"}, (ANN, 2)),
    "M304": ({ANN: "notes:\n  - {quote: ran code, text: T}\n"}, (ANN, 2)),
    "M305": ({ANN: "mentions:\n  - {entity: ada, quote: Ada, occurrence: 3}\n"}, (ANN, 2)),
    "M306": ({ANN: "mentions:\n  - {entity: ada, quote: Ada, prefix: 'Grace '}\n"}, (ANN, 2)),
    "M307": (
        {ANN: "mentions:\n  - {entity: london, quote: in London}\n  - {entity: ada, quote: Ada in, occurrence: 1}\n"},
        (ANN, 3),
    ),
    "M308": (
        {
            ART: '---\ntitle: "A"\ndate: "2020-01-01"\n---\n\n' + "Ada " * 1001 + "\n",
            ANN: "mentions:\n  - {entity: ada, quote: Ada, every: true}\n",
        },
        (ANN, 2),
    ),
    "M309": ({ANN: "mentions:\n" + "  - {entity: london, quote: Londn}\n" * 101}, (ANN, 102)),
    "M310": (
        {
            ART: '---\ntitle: "A"\ndate: "2020-01-01"\n---\n\n' + "Ada, " * 180_000 + "\n",
            ANN: "notes:\n" + "".join(f"  - {{quote: '{'Ada, ' * n}x', text: T}}\n" for n in range(1, 8)),
        },
        (ANN, 7),
    ),
    "M401": ({ANN: "events:\n  - {id: e, quote: London, date: '2020-02-30', title: T}\n"}, (ANN, 2)),
    "M402": ({ANN: "events:\n  - {id: e, quote: London, date: '2020/2019', title: T}\n"}, (ANN, 2)),
    "W501": ({ANN: "mentions:\n  - {entity: ada, quote: Ada, occurrence: 1}\n"}, (ART, 6)),
    "W502": ({ANN: "mentions:\n  - {entity: london, quote: London}\n"}, ("entities.yml", 10)),
    "W503": ({"entities.yml": "- {id: london, name: London, kind: place}\n"}, ("sources.yml", 1)),
    "W504": ({ANN: "claims:\n  - {id: c, quote: London, status: reported}\n"}, (ANN, 2)),
    "W505": (
        {
            ANN: "events:\n  - {id: e, quote: London, date: '2020-03', title: T}\n",
            "articles/b.md": '---\ntitle: "B"\ndate: "2020-04-01"\n---\n\nIn London on March 5.\n',
            "articles/b.yml": "events:\n  - {id: e, quote: on March 5, date: '2020-03-05'}\n",
        },
        ("articles/b.yml", 2),
    ),
    "W506": (
        {
            ANN: "events:\n  - {id: e, quote: in London, date: '2020-03-05', title: T, entities: [london]}\n",
            "articles/b.md": '---\ntitle: "B"\ndate: "2020-04-01"\n---\n\nIn London on March 5.\n',
            "articles/b.yml": "events:\n  - {id: f, quote: on March 5, date: '2020-03-05', title: T, entities: [london]}\n",
        },
        ("articles/b.yml", 2),
    ),
    "W507": ({ART: '---\ntitle: "A"\ndate: "2020-01-01"\n---\n\nText.\n\nSee [x](//evil.example/p).\n'}, (ART, 8)),
}


def write_case(project, files: dict[str, str | bytes | None]) -> None:
    project.article("a", BODY)
    for name, text in files.items():
        path = project.content / name
        if text is None:
            path.unlink()
        elif isinstance(text, bytes):
            path.write_bytes(text)
        elif text.startswith("->"):
            os.symlink(text[2:], path)
        else:
            path.write_text(text, encoding="utf-8")


@pytest.mark.parametrize("code", sorted(CASES))
def test_rule(project, code: str) -> None:
    """The rule's fixture is reported with the rule's code, at the file and line expected."""
    files, (name, line) = CASES[code]
    write_case(project, files)
    problems = check(project.config)
    found = [(p.where.path, p.where.line) for p in problems if p.code == code]
    assert found, f"{code} not reported; got: {[str(p) for p in problems]}"
    assert (project.content / name, line) in found
    for problem in problems:
        assert problem.code in RULES
        assert (problem.severity == "warning") == problem.code.startswith("W")


def test_every_rule_is_tested_used_and_documented() -> None:
    """RULES, the codes the checker emits, these cases and CONTRIBUTING.md name the same codes."""
    source = "".join(p.read_text(encoding="utf-8") for p in (ROOT / "marginalia").glob("*.py") if p.name != "errors.py")
    emitted = set(re.findall(r'"([MW][0-9]{3})"', source))
    documented = set(re.findall(r"\b([MW][0-9]{3})\b", (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")))
    assert emitted == set(RULES)
    assert set(CASES) == set(RULES)
    assert documented >= set(RULES)


def test_all_problems_in_one_run(project) -> None:
    """Problems in several files are all reported at once, not just the first."""
    write_case(project, {ANN: "mentions:\n  - {entity: londn, quote: London}\n  - {entity: ada, quote: Grace}\n"})
    (project.content / "sources.yml").write_text("- id: notes\n  title: T\n  url: ftp://x\n", encoding="utf-8")
    codes = sorted(p.code for p in check(project.config) if p.severity == "error")
    assert codes == ["M107", "M202", "M301"]


def test_an_invalid_annotation_leaves_the_others_checked(project) -> None:
    """One annotation the schema refuses is reported alone: the file's other annotations are still
    anchored and checked in the same run."""
    write_case(
        project,
        {
            ANN: "mentions:\n"
            "  - {entity: ada, quote: Ada, every: true}\n"
            "  - {entity: london, quote: London, colour: red}\n"
            "  - {entity: engine, quote: engin}\n"
            "claims:\n"
            "  - {id: c, quote: engine ran, status: reported, sources: [notse]}\n"
        },
    )
    problems = check(project.config)
    assert sorted((p.code, p.where.line) for p in problems) == [("M101", 3), ("M203", 6), ("M301", 4)]


def test_what_cannot_be_read_is_not_reported_as_missing_too(project) -> None:
    """An article with errors (its front matter or annotations cannot be read, a quote is not found) is
    reported, and nothing else for it: its names not as unannotated, its entities not as never mentioned,
    its slug not as unknown."""
    project.write("sources.yml", SOURCES + "- id: wire\n  title: A wire story\n  article: a\n")
    write_case(project, {ANN: "mentions:\n  - {entity: ada, quote: Ada, every: true}\n  - {entity: london\n"})
    assert [(p.code, p.where.line) for p in check(project.config)] == [("M001", 4)]
    project.write("articles/a.yml", "mentions:\n  - {entity: ada, quote: Ada, every: true}\n")
    (project.content / ART).write_text(f'---\ntitel: "A"\ndate: "2020-01-01"\n---\n\n{BODY}', encoding="utf-8")
    assert sorted((p.code, p.where.line) for p in check(project.config)) == [("M101", 2)]
    project.write("articles/a.yml", "mentions:\n  - {entity: ada, quote: Ada, every: true, colour: red}\n")
    problems = check(project.config)  # the annotations are read all the same, for their own problems
    assert sorted((p.code, p.where.path.name, p.where.line) for p in problems) == [
        ("M101", "a.md", 2),
        ("M101", "a.yml", 2),
    ]
    project.write("articles/a.yml", "mentions:\n  - {entity: ada, quote: Ada, every: true}\n")
    project.article(
        "a", BODY, "mentions:\n  - {entity: ada, quote: Ada, every: true}\n  - {entity: london, quote: Londn}\n"
    )
    assert [p.code for p in check(project.config)] == ["M301"]  # not London unannotated, nor london unmentioned
    project.article("a", BODY, "mentions:\n  - {entity: ada, quote: Ada, every: true}\n")
    problems = check(project.config)  # without errors: what it lacks is reported again
    assert sorted(p.code for p in problems) == ["W501", "W502", "W502", "W503"]


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        (
            {ANN: "mentions:\n  - {entity: ada, quote: Ada, every: true}\n  - {entity: london, qoute: London}\n"},
            [("M101", "unknown key 'qoute' in mention 2", "did you mean 'quote'?")],
        ),
        (
            {ANN: "claims:\n  - {id: c, quote: London, status: rumour, sources: [notes]}\n"},
            [
                (
                    "M103",
                    "status of claim 1: 'rumour' is not allowed",
                    "use one of: reported, confirmed, disputed, false",
                )
            ],
        ),
        (
            {ART: f'---\ntitel: "A"\ndate: "2020-01-01"\n---\n\n{BODY}'},
            [("M101", "unknown key 'titel' in the front matter", "did you mean 'title'?")],
        ),
        (
            {"entities.yml": "- {id: ada, nmae: Ada, kind: person}\n"},
            [("M101", "unknown key 'nmae' in entity 1", "did you mean 'name'?")],
        ),
        (
            {ANN: "events:\n  - {id: e, quote: London, date: 2020, title: T}\n"},
            [("M105", "date of event 1: 2020 should be text", "put the value in quotes")],
        ),
        (
            {"entities.yml": "- {id: ada, kind: person}\n"},
            [("M102", "entity 1: 'name' is a required property", "")],
        ),
    ],
)
def test_schema_messages_name_the_annotation_and_each_mistake_once(project, files, expected) -> None:
    """Where: "mention 2", "claim 1", "the front matter", counted as a reader counts. A misspelt key is
    one mistake: it is reported as unknown, with the key it was meant to be, not as that key missing too.
    A value of the wrong type is reported as that, not also as out of its form."""
    write_case(project, files)
    errors = [(p.code, p.message, p.hint) for p in check(project.config) if p.severity == "error"]
    assert errors == expected


def test_a_value_with_a_control_character_is_reported_once(project) -> None:
    """The value is refused for its control character (M009); it is not also reported as empty (M106)."""
    write_case(project, {ANN: 'notes:\n  - {quote: London, text: "Bad\\x01 byte"}\n'})
    assert [(p.code, p.where.line) for p in check(project.config)] == [("M009", 2)]
