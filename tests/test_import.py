"""The import: W3C Web Annotations in, appended to an article's annotation file."""

from __future__ import annotations

import difflib
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from marginalia import export, w3c_read, yaml_edit
from marginalia.anchor import anchor_article
from marginalia.cli import main
from marginalia.config import Config
from marginalia.errors import Problems
from marginalia.load import load_content
from marginalia.markup import make_markdown
from marginalia.model import Content

ROOT = Path(__file__).resolve().parent.parent
SEED = "idlib-joint-coordination-centers"
SITE_URL = "https://news.example.org/marginalia/"


FIXTURE = Path(__file__).parent / "fixtures" / "import-content"
"""A content/ folder of its own (a copy of the seed article, its annotations, the glossary and the sources),
so that what contributors add to content/ never changes what these tests find."""


def fixture_config(site_url: str = "") -> Config:
    """Return a configuration reading the fixture content, published at SITE_URL (or without one)."""
    return Config(
        "Test", FIXTURE, ROOT / "templates", FIXTURE.parent / "site", FIXTURE / "mkdocs.yml", site_url=site_url
    )


@pytest.fixture(scope="module")
def seed() -> Content:
    """Return the fixture content, anchored."""
    return load_anchored(FIXTURE)


def exported(content: Content, site_url: str = "") -> str:
    """Return the fixture article's annotations as the site exports them (JSON-LD text)."""
    article = next(a for a in content.articles if a.slug == SEED)
    return export.dumps(export.annotation_collection(article, content, fixture_config(site_url)))


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    """Return the mkdocs.yml of a copy of the fixture content in TMP_PATH."""
    shutil.copytree(FIXTURE, tmp_path / "content")
    return write_config(tmp_path)


def write_config(root: Path, site_url: str = "") -> Path:
    config = root / "mkdocs.yml"
    config.write_text(
        f"site_name: Test\ndocs_dir: content\nsite_dir: site\nextra:\n  marginalia:\n    templates_dir: {ROOT / 'templates'}\n"
        + (f"site_url: {site_url}\n" if site_url else ""),
        encoding="utf-8",
    )
    return config


def anchors(content: Content, slug: str) -> set[tuple[Any, ...]]:
    """Return what every annotation of article SLUG says, and where."""
    article = next(a for a in content.articles if a.slug == slug)
    found: set[tuple[Any, ...]] = set()
    for m in article.mentions:
        found |= {("mention", m.entity, s.start, s.end, s.id) for s in m.spans}
    for c in article.claims:
        found |= {
            ("claim", c.id, c.status, tuple(c.sources), c.claimant, tuple(c.about), c.summary, c.review, s.start, s.end)
            for s in c.spans
        }
    for e in article.events:
        found |= {("event", e.id, str(e.date), e.title, tuple(e.entities), e.note, s.start, s.end) for s in e.spans}
    for n in article.notes:
        found |= {("note", " ".join(n.text.split()), s.start, s.end, s.id) for s in n.spans}
    return found


def load_anchored(content_dir: Path) -> Content:
    problems = Problems()
    content = load_content(content_dir, problems)
    for article in content.articles:
        anchor_article(article, make_markdown(), problems)
    assert not [p for p in problems if p.severity == "error"], [str(p) for p in problems]
    return content


@pytest.fixture
def bare_copy(copy: Path) -> Path:
    """Return the mkdocs.yml of a copy of the fixture content whose article has no annotation file."""
    (copy.parent / "content" / "articles" / f"{SEED}.yml").unlink()
    return copy


@pytest.mark.parametrize("site_url", ["", SITE_URL], ids=["relative", "absolute"])
def test_export_then_import_gives_the_same_anchors_back(seed: Content, bare_copy: Path, site_url: str, capsys) -> None:  # type: ignore[no-untyped-def]
    """Exported, then imported into a copy without annotations: every anchor and field comes back, and check passes."""
    source = bare_copy.parent / "seed.jsonld"
    source.write_text(exported(seed, site_url), encoding="utf-8")
    write_config(bare_copy.parent, site_url)  # links under site_url are this site's; others are not
    assert main(["import", str(source), "--article", SEED, "-f", str(bare_copy)]) == 0
    assert "Imported 72 annotation(s)" in capsys.readouterr().out
    assert anchors(load_anchored(bare_copy.parent / "content"), SEED) == anchors(seed, SEED)
    assert main(["check", "--strict", "-f", str(bare_copy)]) == 0


def test_import_appends_as_text_and_keeps_comments(seed: Content, copy: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """The existing lines stay as they were, comments and order included: the import only inserts lines,
    each new item at the end of its list; annotations already there are reported, not doubled."""
    tmp_path, config = copy.parent, copy
    path = tmp_path / "content" / "articles" / f"{SEED}.yml"
    original = path.read_text(encoding="utf-8")
    removed = [
        "  - entity: moscow\n    quote: Moscow\n",
        '  - quote: a Turkish security official\n    prefix: "forces, "\n    text: The article does not name the official.\n',
    ]
    trimmed = original
    for chunk in removed:
        assert chunk in trimmed
        trimmed = trimmed.replace(chunk, "")
    path.write_text(trimmed, encoding="utf-8")
    source = tmp_path / "seed.jsonld"
    source.write_text(exported(seed), encoding="utf-8")
    assert main(["import", str(source), "--article", SEED, "-f", str(config)]) == 1
    out, err = capsys.readouterr()
    assert "Imported 2 annotation(s)" in out and "70 annotation(s) not imported" in err
    assert "not imported: the same mention of the same words is already at" in err
    after = path.read_text(encoding="utf-8")
    before_lines, after_lines = trimmed.split("\n"), after.split("\n")
    operations = difflib.SequenceMatcher(None, before_lines, after_lines, autojunk=False).get_opcodes()
    assert {op for op, *_ in operations} == {"equal", "insert"}
    inserted = [line for op, _, _, b1, b2 in operations if op == "insert" for line in after_lines[b1:b2]]
    assert inserted == [
        "  # imported from seed.jsonld",
        "  - entity: moscow",
        "    quote: Moscow",
        "  # imported from seed.jsonld",
        "  - quote: a Turkish security official",
        "    prefix: 'forces, '",
        "    text: The article does not name the official.",
    ]
    assert after.index("entity: moscow") < after.index("\nclaims:") and after.index(
        "official\n    prefix"
    ) > after.index("\nnotes:")
    assert anchors(load_anchored(tmp_path / "content"), SEED) == anchors(seed, SEED)


HYPOTHESIS_STYLE = {
    "@context": "http://www.w3.org/ns/anno.jsonld",
    "type": "AnnotationPage",
    "items": [
        {
            "id": "https://hypothes.is/a/one",
            "type": "Annotation",
            "motivation": "commenting",
            "body": [
                {"type": "TextualBody", "value": "Which part of the highway?", "format": "text/markdown"},
                {"type": "TextualBody", "purpose": "tagging", "value": "question"},
            ],
            "target": [
                {
                    "source": "https://elsewhere.example/copy-of-the-article",
                    "selector": [
                        {"type": "RangeSelector", "startSelector": {"type": "XPathSelector", "value": "/p[7]"}},
                        {"type": "TextPositionSelector", "start": 4000, "end": 4017},
                        # context as another page renders it: it does not match this site's text
                        {
                            "type": "TextQuoteSelector",
                            "exact": "security corridor",
                            "prefix": "reported and establish a ",
                            "suffix": " on either side",
                        },
                    ],
                }
            ],
        },
        {
            "id": "https://hypothes.is/a/two",
            "type": "Annotation",
            "motivation": "commenting",
            "bodyValue": "A quote typed from memory.",
            "target": {
                "source": "https://elsewhere.example/",
                "selector": {"type": "TextQuoteSelector", "exact": "security corridor on each side"},
            },
        },
        {
            "id": "urn:example:three",
            "type": "Annotation",
            "motivation": "identifying",
            "body": "http://www.wikidata.org/entity/Q1",
            "target": {
                "source": "https://elsewhere.example/",
                "selector": {"type": "TextQuoteSelector", "exact": "Moscow"},
            },
        },
        {
            "id": "urn:example:four",
            "type": "Annotation",
            "motivation": "highlighting",
            "target": {
                "source": "https://elsewhere.example/",
                "selector": {"type": "TextQuoteSelector", "exact": "Moscow"},
            },
        },
    ],
}


def test_foreign_annotations_are_imported_or_reported(copy: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """A Hypothesis-style note is imported; a quote not in the article, an unknown entity and a bare highlight are reported."""
    tmp_path, config = copy.parent, copy
    source = tmp_path / "hypothesis.jsonld"
    source.write_text(json.dumps(HYPOTHESIS_STYLE), encoding="utf-8")
    assert main(["import", str(source), "--article", SEED, "-f", str(config)]) == 1
    out, err = capsys.readouterr()
    assert "Imported 1 annotation(s)" in out and "1 notes" in out
    assert (
        f"{source}: annotation 2 (https://hypothes.is/a/two): not imported: the quote 'security corridor on each side' is not in the article"
        in err
    )
    assert "'each' where the article has 'either'" in err
    assert f"{source}: annotation 3 (urn:example:three): not imported: its body cannot be mapped" in err
    assert f"{source}: annotation 4 (urn:example:four): not imported: motivation highlighting cannot be mapped" in err
    assert "3 annotation(s) not imported" in err
    data = yaml.safe_load((tmp_path / "content" / "articles" / f"{SEED}.yml").read_text(encoding="utf-8"))
    assert data["notes"][-1] == {"quote": "security corridor", "text": "Which part of the highway?"}
    assert main(["check", "-f", str(config)]) == 0


def test_an_import_that_anchors_nothing_writes_nothing(copy: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    tmp_path, config = copy.parent, copy
    path = tmp_path / "content" / "articles" / f"{SEED}.yml"
    before = path.read_bytes()
    source = tmp_path / "one.jsonld"
    source.write_text(json.dumps(HYPOTHESIS_STYLE["items"][1]), encoding="utf-8")
    assert main(["import", str(source), "--article", SEED, "-f", str(config)]) == 1
    assert path.read_bytes() == before
    assert [p.name for p in path.parent.iterdir() if p.name.startswith(".")] == []


def test_an_import_the_checker_would_refuse_is_reported(project, capsys) -> None:  # type: ignore[no-untyped-def]
    """A mention overlapping one already there (M307) is left out and reported, the rest imported."""
    project.article(
        "a", "Ada Lovelace saw the engine in London.\n", "mentions:\n  - entity: ada\n    quote: Ada Lovelace\n"
    )
    config = write_config(project.root)
    source = project.root / "in.jsonld"
    target = {"source": "a.html", "selector": {"type": "TextQuoteSelector", "exact": "Lovelace saw"}}
    source.write_text(
        json.dumps(
            [
                {
                    "type": "Annotation",
                    "id": "urn:a",
                    "motivation": "identifying",
                    "body": {"type": "TextualBody", "value": "Ada Lovelace"},
                    "target": target,
                },
                {
                    "type": "Annotation",
                    "id": "urn:b",
                    "motivation": "identifying",
                    "body": "entities/london.html",
                    "target": {**target, "selector": {"type": "TextQuoteSelector", "exact": "London"}},
                },
            ]
        ),
        encoding="utf-8",
    )
    assert main(["import", str(source), "--article", "a", "-f", str(config)]) == 1
    err = capsys.readouterr().err
    assert "annotation 1 (urn:a): not imported: this mention overlaps the mention 'Ada Lovelace'" in err
    text = (project.content / "articles" / "a.yml").read_text(encoding="utf-8")
    assert text.startswith("mentions:\n  - entity: ada\n    quote: Ada Lovelace\n")
    assert "  - entity: london\n    quote: London\n" in text
    assert main(["check", "-f", str(config)]) == 0


def test_import_usage_errors_exit_2(project, capsys) -> None:  # type: ignore[no-untyped-def]
    project.article("a", "Ada wrote.\n")
    config = str(write_config(project.root))
    assert main(["import", str(project.root / "missing.jsonld"), "--article", "a", "-f", config]) == 2
    (project.root / "x.jsonld").write_text("[]", encoding="utf-8")
    assert main(["import", str(project.root / "x.jsonld"), "--article", "nope", "-f", config]) == 2
    assert main(["import", str(project.root / "x.jsonld"), "-f", config]) == 2  # --article is required
    assert "no article 'nope'" in capsys.readouterr().err


def test_read_w3c_accepts_every_container() -> None:
    one = {"type": "Annotation", "id": "urn:1", "target": "x"}
    assert w3c_read.read_w3c(one) == [one]
    assert w3c_read.read_w3c([one, one]) == [one, one]
    assert w3c_read.read_w3c({"type": "AnnotationCollection", "first": {"type": "AnnotationPage", "items": [one]}}) == [
        one
    ]
    assert w3c_read.read_w3c({"type": ["AnnotationCollection"], "items": [one]}) == [one]
    assert w3c_read.read_w3c({"type": "AnnotationPage", "items": [one]}) == [one]


def test_insert_items_follows_the_file_s_own_layout() -> None:
    """Items go at the end of their list, indented like its items; `[]` opens up; missing lists are added; CRLF stays;
    a flow list gets them in flow style."""
    text = "# header\r\nmentions:\r\n- entity: ada   # column-0 dashes\r\n  quote: Ada\r\n\r\n# about the notes\r\nnotes: []\r\n"
    new, ranges = yaml_edit.insert_items(
        text,
        {
            "mentions": [{"entity": "london", "quote": "London"}],
            "notes": [{"quote": "Ada", "text": "Hi."}],
            "claims": [{"id": "c", "quote": "Ada", "status": "reported"}],
        },
        "imported from x",
    )
    assert new.split("\r\n") == [
        "# header",
        "mentions:",
        "- entity: ada   # column-0 dashes",
        "  quote: Ada",
        "# imported from x",
        "- entity: london",
        "  quote: London",
        "",
        "# about the notes",
        "notes:",
        "  # imported from x",
        "  - quote: Ada",
        "    text: Hi.",
        "",
        "claims:",
        "  # imported from x",
        "  - id: c",
        "    quote: Ada",
        "    status: reported",
        "",
    ]
    assert ranges == [(6, 7), (17, 19), (12, 13)]  # mentions, claims, notes: the sections' order, not the file's
    flow, ranges = yaml_edit.insert_items(
        "mentions: [{entity: ada, quote: Ada}]  # one\n", {"mentions": [{"entity": "london", "quote": "London"}]}, "x"
    )
    assert flow == "mentions: [{entity: ada, quote: Ada},\n  # x\n  {entity: london, quote: London}]  # one\n"
    assert ranges == [(3, 3)]


def test_links_to_another_site_are_not_taken_for_ours(seed: Content, bare_copy: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """An export made under another site_url names entity pages that are not this site's: reported, not guessed."""
    article = next(a for a in seed.articles if a.slug == SEED)
    exported = bare_copy.parent / "other.jsonld"
    collection = export.annotation_collection(article, seed, fixture_config("https://other.example/"))
    mention = next(i for i in collection["first"]["items"] if i["id"].endswith("#m-ankara-1"))
    mention["body"] = mention["body"][:1]  # only the entity page link: no name to go by
    exported.write_text(json.dumps(mention), encoding="utf-8")
    assert main(["import", str(exported), "--article", SEED, "-f", str(bare_copy)]) == 1
    assert "identifying needs a body naming an entity of entities.yml" in capsys.readouterr().err


# --- The import never damages the file it edits -------------------------------------------------------


def commenting(exact: str, text: str, annotation_id: str = "urn:example:note") -> dict[str, Any]:
    """Return a W3C annotation commenting on the words EXACT with TEXT."""
    return {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "id": annotation_id,
        "type": "Annotation",
        "motivation": "commenting",
        "body": {"type": "TextualBody", "value": text},
        "target": {"source": "a.html", "selector": {"type": "TextQuoteSelector", "exact": exact}},
    }


def identifying(exact: str, entity: str) -> dict[str, Any]:
    """Return a W3C annotation naming the entity page ENTITY for the words EXACT."""
    return {
        "type": "Annotation",
        "motivation": "identifying",
        "body": f"entities/{entity}.html",
        "target": {"source": "a.html", "selector": {"type": "TextQuoteSelector", "exact": exact}},
    }


def import_into(project, annotations: str, items: list[dict[str, Any]], newline: str = "\n") -> tuple[int, bytes]:  # type: ignore[no-untyped-def]
    """Write ANNOTATIONS as article a's file (lines ending with NEWLINE), import ITEMS; return the code and the file."""
    project.article("a", "Ada Lovelace saw the engine in London. Ada wrote notes.\n")
    path = project.content / "articles" / "a.yml"
    path.write_bytes(annotations.replace("\n", newline).encode("utf-8"))
    config = write_config(project.root)
    assert main(["check", "-f", str(config)]) == 0
    source = project.root / "in.jsonld"
    source.write_text(json.dumps(items), encoding="utf-8")
    code = main(["import", str(source), "--article", "a", "-f", str(config)])
    return code, path.read_bytes()


def kept_lines(before: bytes, after: bytes) -> list[bytes]:
    """Assert every line of BEFORE is in AFTER, byte for byte and in order; return the lines AFTER adds."""
    old, new = before.splitlines(keepends=True), after.splitlines(keepends=True)
    operations = difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes()
    assert {op for op, *_ in operations} <= {"equal", "insert"}, operations
    return [line for op, _, _, b1, b2 in operations if op == "insert" for line in new[b1:b2]]


def parsed(data: bytes) -> Any:
    return yaml.safe_load(data.decode("utf-8"))


MULTI_LINE_NOTE = """\
mentions:
  - entity: ada
    quote: Ada Lovelace
notes:
  - quote: the engine
    text: "The article does not name
the engine."
"""


def test_a_note_written_as_a_multi_line_quoted_string_survives(project, capsys) -> None:  # type: ignore[no-untyped-def]
    """The new note goes after the quoted string, not inside it: the old note is unchanged and the new one added."""
    code, after = import_into(project, MULTI_LINE_NOTE, [commenting("London", "An imported note.")])
    assert code == 0, capsys.readouterr().err
    data = parsed(after)
    assert data["notes"] == [
        {"quote": "the engine", "text": "The article does not name the engine."},
        {"quote": "London", "text": "An imported note."},
    ]
    kept_lines(MULTI_LINE_NOTE.encode(), after)


COMMENTED = """\
# yaml-language-server: $schema=../../marginalia/schemas/annotations.schema.json
# The annotations of a.md.

mentions:   # who and what
  - entity: ada            # the first mention
    quote: 'Ada Lovelace'
  - entity: engine
    quote: "engine"
  # more mentions to come

# the notes, later
notes: []  # none yet
"""


@pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=["LF", "CRLF"])
def test_comments_quoting_and_line_ends_survive(project, newline: str, capsys) -> None:  # type: ignore[no-untyped-def]
    """Every line that was there is there, byte for byte (CRLF too); the new lines use the file's line ends."""
    items = [identifying("London", "london"), commenting("notes", "What notes?")]
    code, after = import_into(project, COMMENTED, items, newline)
    assert code == 0, capsys.readouterr().err
    before = COMMENTED.replace("\n", newline).encode()
    old_lines = before.splitlines(keepends=True)
    notes_line = next(line for line in old_lines if line.startswith(b"notes:"))
    added = kept_lines(before.replace(notes_line, b""), after)  # the line of `notes: []` apart, nothing changes
    assert all(line.endswith(newline.encode()) for line in after.splitlines(keepends=True))
    assert b"notes:  # none yet" + newline.encode() in after  # `[]` is gone, the comment stays
    assert added and all(line.endswith(newline.encode()) for line in added)
    data = parsed(after)
    assert data["mentions"][-1] == {"entity": "london", "quote": "London"}
    assert data["notes"] == [{"quote": "notes", "text": "What notes?"}]
    # at the end of the list, after the comments indented with it, before those of the next section
    assert after.index(b"  # more mentions to come") < after.index(b"quote: London") < after.index(b"# the notes")


FLOW = """\
mentions: [ {entity: ada, quote: Ada Lovelace}, {entity: engine, quote: engine} ]  # in one line
"""


def test_a_flow_list_gets_its_new_items_and_an_absent_section_is_added(project, capsys) -> None:  # type: ignore[no-untyped-def]
    code, after = import_into(project, FLOW, [identifying("London", "london"), commenting("notes", "What notes?")])
    assert code == 0, capsys.readouterr().err
    data = parsed(after)
    assert data == {
        "mentions": [
            {"entity": "ada", "quote": "Ada Lovelace"},
            {"entity": "engine", "quote": "engine"},
            {"entity": "london", "quote": "London"},
        ],
        "notes": [{"quote": "notes", "text": "What notes?"}],
    }
    assert b"# in one line" in after


def test_a_file_ending_without_a_line_break_gets_a_new_section(project, capsys) -> None:  # type: ignore[no-untyped-def]
    code, after = import_into(
        project, "mentions:\n  - entity: ada\n    quote: Ada Lovelace", [commenting("London", "A note.")]
    )
    assert code == 0, capsys.readouterr().err
    assert after.startswith(b"mentions:\n  - entity: ada\n    quote: Ada Lovelace\n")
    assert parsed(after)["notes"] == [{"quote": "London", "text": "A note."}]


def test_a_file_the_import_cannot_add_to_safely_is_left_alone(project, capsys) -> None:  # type: ignore[no-untyped-def]
    """A file written as one flow mapping cannot take a new section at its end: refused, nothing written."""
    annotations = "{mentions: [{entity: ada, quote: Ada Lovelace}]}\n"
    code, after = import_into(project, annotations, [commenting("London", "A note.")])
    err = capsys.readouterr().err
    assert code == 1 and after == annotations.encode()
    assert "a.yml" in err and "nothing was written" in err and "Traceback" not in err


def test_ids_and_motivations_are_printed_escaped(project, capsys) -> None:  # type: ignore[no-untyped-def]
    """An escape sequence in an id or a motivation reaches the terminal as text, not as a command to it."""
    hostile = "\x1b]0;owned\x07\x1b[2J\u202e"
    items = [
        {**commenting("London", "A note."), "id": f"urn:{hostile}", "motivation": f"bookmarking{hostile}"},
    ]
    code, _ = import_into(project, "mentions:\n  - entity: ada\n    quote: Ada Lovelace\n", items)
    out, err = capsys.readouterr()
    assert code == 1
    assert "\x1b" not in out + err and "\x07" not in err and "\u202e" not in err
    assert "urn:\\x1b]0;owned\\x07\\x1b[2J\\u202e" in err
    assert "motivation bookmarking\\x1b]0;owned" in err


def test_a_note_the_site_cannot_write_is_reported_and_the_others_imported(project, capsys) -> None:  # type: ignore[no-untyped-def]
    """A control character (the checker refuses it, M009) or a lone surrogate (UTF-8 cannot write it): the import
    says so of that annotation and imports the rest."""
    items = [commenting("London", "A bell\x07 rings."), commenting("engine", "A note."), commenting("saw", "\ud800")]
    code, after = import_into(project, "mentions:\n  - entity: ada\n    quote: Ada Lovelace\n", items)
    out, err = capsys.readouterr()
    assert code == 1 and "Imported 1 annotation(s)" in out
    assert "annotation 1 (urn:example:note): not imported: its text has an invisible control character (U+0007)" in err
    assert "annotation 3 (urn:example:note): not imported: its text has a lone surrogate (U+D800)" in err
    assert "\x07" not in err
    assert parsed(after)["notes"] == [{"quote": "engine", "text": "A note."}]


# --- Hostile input: one clear error, nothing written -----------------------------------------------


def nested_objects(depth: int) -> str:
    return '{"a": ' * depth + "1" + "}" * depth


@pytest.mark.parametrize(
    "text",
    [
        "[" * 100_000,
        nested_objects(5_000),
        json.dumps([{**commenting("London", "A note."), "total": 0}]).replace('"total": 0', '"total": ' + "7" * 5_000),
    ],
    ids=["brackets", "deep-object", "long-number"],
)
def test_hostile_json_is_one_clear_error(project, text: str, capsys) -> None:  # type: ignore[no-untyped-def]
    project.article("a", "Ada Lovelace saw the engine in London.\n", "mentions:\n  - entity: ada\n    quote: Ada\n")
    config = write_config(project.root)
    before = (project.content / "articles" / "a.yml").read_bytes()
    source = project.root / "hostile.jsonld"
    source.write_text(text, encoding="utf-8")
    assert main(["import", str(source), "--article", "a", "-f", str(config)]) == 1
    err = capsys.readouterr().err
    assert err.count("error:") == 1 and f"{source}:1:" in err, err
    assert "Traceback" not in err and len(err) < 500
    assert (project.content / "articles" / "a.yml").read_bytes() == before


def test_a_huge_file_is_refused_after_reading_no_more_than_the_limit(project, capsys) -> None:  # type: ignore[no-untyped-def]
    """A 1 GB file (sparse: it takes no disk) is refused for its size; only the limit and a byte more are read."""
    import tracemalloc

    project.article("a", "Ada Lovelace saw the engine in London.\n")
    config = write_config(project.root)
    source = project.root / "huge.jsonld"
    with source.open("wb") as file:
        file.truncate(1 << 30)
    tracemalloc.start()
    try:
        code = main(["import", str(source), "--article", "a", "-f", str(config)])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    err = capsys.readouterr().err
    assert code == 1 and f"{source}: the file is larger than {w3c_read.MAX_IMPORT_BYTES:,} bytes" in err
    assert peak < 3 * w3c_read.MAX_IMPORT_BYTES
    assert not (project.content / "articles" / "a.yml").exists()


# --- Any layout the checker reads takes new items ------------------------------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

VALUES = [
    "Ada",
    "'Ada Lovelace'",
    '"engine"',
    '"the\nengine"',
    '"the\n      engine"',
    "the engine  # c",
    "|\n  Ada\n\n  wrote.\n",
    ">-\n  Ada\n  wrote.",
]
"""Values as a file may write them: plain, quoted, over several lines, block scalars (indented two more than the key)."""


def _value(raw: str, indent: str) -> str:
    first, *rest = raw.split("\n")
    return "\n".join([first] + [indent + line if line.strip() else "" for line in rest])


@st.composite
def block_list(draw, section: str) -> str:  # type: ignore[no-untyped-def]
    dash = draw(st.sampled_from(["", "  ", "    "]))
    lines = [f"{section}:" + draw(st.sampled_from(["", "  # the list"]))]
    for _ in range(draw(st.integers(1, 3))):
        key_indent = dash + "  "
        for key in ("- quote", "  text"):
            value = draw(st.sampled_from(VALUES))
            at_column_0 = value.startswith(("'", '"')) and draw(st.booleans())  # a quoted string may go on there
            lines.append(f"{dash}{key}: {_value(value, '' if at_column_0 else key_indent + '  ')}")
        if draw(st.booleans()):
            lines.append(f"{dash}  # a comment in the list")
    return "\n".join(lines)


@st.composite
def flow_list(draw, section: str) -> str:  # type: ignore[no-untyped-def]
    quotes = draw(st.lists(st.sampled_from(["Ada", "x y", "'a, b'"]), max_size=3))
    items = [f"{{quote: {quote}, text: t}}" for quote in quotes]
    if draw(st.booleans()):
        body = "[\n" + "".join(f"  {item},\n" for item in items) + "]"
    else:
        body = "[" + ", ".join(items) + draw(st.sampled_from(["", ",", " "])) * bool(items) + "]"
    return f"{section}: {body}" + draw(st.sampled_from(["", "  # flow"]))


@st.composite
def annotation_file(draw) -> str:  # type: ignore[no-untyped-def]
    sections = draw(st.lists(st.sampled_from(yaml_edit.SECTIONS), unique=True, min_size=1))
    parts = [draw(st.one_of(block_list(s), flow_list(s))) for s in sections]
    text = draw(st.sampled_from(["", "# head\n", "# head\n\n"])) + draw(
        st.sampled_from(["\n", "\n\n", "\n# next\n"])
    ).join(parts)
    text += draw(st.sampled_from(["", "\n", "\n\n", "\n# the end\n", "\n  # indented end\n"]))
    return text.replace("\n", draw(st.sampled_from(["\n", "\r\n"])))


WORDS = st.sampled_from(["Ada", "a: b", "#1", "it's", "two\n\nparagraphs", '"q"', "- x", "[y]"])


def new_items(section: str) -> st.SearchStrategy[list[dict[str, Any]]]:
    """Return lists of one or two items of SECTION, with words that YAML must quote."""
    fields = {
        "mentions": st.fixed_dictionaries({"entity": st.just("ada"), "quote": WORDS}),
        "claims": st.fixed_dictionaries({"id": st.just("c"), "quote": WORDS, "status": st.just("reported")}),
        "events": st.fixed_dictionaries({"id": st.just("e"), "quote": WORDS, "date": st.just("2020"), "title": WORDS}),
        "notes": st.fixed_dictionaries({"quote": WORDS, "text": WORDS}),
    }[section]
    return st.lists(fields, min_size=1, max_size=2)


ADDITIONS = st.lists(st.sampled_from(yaml_edit.SECTIONS), unique=True, min_size=1).flatmap(
    lambda sections: st.fixed_dictionaries({s: new_items(s) for s in sections})
)


@settings(deadline=None, derandomize=True, database=None, max_examples=300)
@given(text=annotation_file(), additions=ADDITIONS)
def test_any_layout_takes_the_new_items_and_keeps_its_lines(
    text: str, additions: dict[str, list[dict[str, str]]]
) -> None:
    """Whatever the layout, the new items are added (never refused), and the file reads as before plus them."""
    old = yaml.safe_load(text) or {}
    new, ranges = yaml_edit.insert_items(text, additions, "imported from x")
    expected = {**old, **{s: (old.get(s) or []) + items for s, items in additions.items()}}
    assert yaml.safe_load(new) == expected
    assert len(ranges) == sum(map(len, additions.values()))
    if "[" not in text:  # (a flow list's last line gets a comma)
        newline = "\r\n" if "\r\n" in text else "\n"
        ended = [t if t.endswith(newline) else t + newline for t in (text, new)]  # (the last line may get one)
        kept_lines(ended[0].encode(), ended[1].encode())
