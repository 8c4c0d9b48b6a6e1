"""The shortcuts taken for speed decide exactly as the plain way would."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
import yaml

from marginalia.check import NameFinder
from marginalia.errors import Problems
from marginalia.model import Content, Entity
from marginalia.reader import _Loader, _may_have_aliases, read_yaml
from marginalia.schema import _is_valid


def parse(text: str) -> tuple[object, Problems]:
    problems = Problems()
    parsed = read_yaml(text, Path("x.yml"), problems)
    return (parsed[0] if parsed else None), problems


@pytest.mark.parametrize(
    "text",
    [
        "a: &x 1\nb: *x\n",
        "a: [&x 1, *x]\n",
        "a: [&x 1,*x]\n",
        'a: {"k":&x 1}\n',  # flow mapping: the value may follow ':' directly
        "a: !!str &x 1\nb: *x\n",
        "- &x 1\n- *x\n",
        "--- &x 1\n",
        "? &x k\n: v\n",
        "a:\n  &x\n  v\n",
        "a: &x\n  - 1\nb: *x\n",
    ],
)
def test_every_anchor_and_alias_is_refused(text: str) -> None:
    """Wherever YAML allows an anchor or alias, the loader refuses it, at its line."""
    _, problems = parse(text)
    assert [p.code for p in problems] == ["M006"]


def test_emphasis_in_text_is_no_alias() -> None:
    """`*word*` inside a value is text: no second parse, and the value is kept."""
    text = 'quote: "they *disputed* it & more"\nnote: a *b* c\n'
    assert not _may_have_aliases(text)
    data, problems = parse(text)
    assert not problems
    assert data == {"quote": "they *disputed* it & more", "note": "a *b* c"}


def test_the_alias_prefilter_misses_nothing() -> None:
    """Random YAML-like texts: wherever libyaml finds an anchor or alias, the prefilter says maybe."""
    rng = random.Random(0)
    pieces = [
        "a",
        " ",
        "\t",
        "\n",
        "- ",
        ": ",
        ":",
        "? ",
        "[",
        "]",
        "{",
        "}",
        ",",
        "&x",
        "*x",
        "!!str ",
        "!t ",
        '"',
        "#",
    ]
    for _ in range(20000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 10)))
        try:
            events = list(yaml.parse(text, Loader=_Loader))
        except yaml.YAMLError:
            continue
        if any(isinstance(e, yaml.AliasEvent) or getattr(e, "anchor", None) for e in events):
            assert _may_have_aliases(text), text


@pytest.mark.parametrize("value", ["abc\n", "ab\nc", "\nabc"])
def test_the_compiled_schema_check_refuses_line_breaks(value: str) -> None:
    """The compiled check says "no line break" its own way: it refuses them as the schema does."""
    with pytest.raises(Exception, match="must"):
        _is_valid("annotations")({"mentions": [{"entity": value, "quote": "x"}]})
    _is_valid("annotations")({"mentions": [{"entity": "abc", "quote": "x"}]})


def reference_find(finder: NameFinder, text: str) -> list[tuple[int, int, str]]:
    """NameFinder.find the plain way: try every word of the text."""
    flat = re.sub(r"\s", " ", text)
    found = []
    for word in re.finditer(r"\w+", flat):
        for name in finder.by_first_word.get(word.group(), ()):
            end = word.start() + len(name)
            if flat.startswith(name, word.start()) and not (end < len(flat) and re.match(r"\w", flat[end])):
                found.append((word.start(), end, name))
                break
    return found


def test_names_are_found_as_trying_every_word_finds_them() -> None:
    """NameFinder looks only where a name's first word is, and finds the same."""
    rng = random.Random(1)
    words = ["Ada", "Lovelace", "ada", "Idlib", "region", "U.S.", "U", "S", "Ünal", "x_y", "2020", "Café", "a-b"]
    for _ in range(200):
        names = {" ".join(rng.choice(words) for _ in range(rng.randint(1, 3))) for _ in range(6)}
        entities = {f"e{i}": Entity(id=f"e{i}", name=n, kind="person") for i, n in enumerate(names)}
        finder = NameFinder(Content([], entities, {}, set()))
        for _ in range(10):
            text = "".join(rng.choice([*words, " ", "\n", "  ", ". ", "\u00a0", "_"]) for _ in range(40))
            assert finder.find(text) == reference_find(finder, text), (names, text)
