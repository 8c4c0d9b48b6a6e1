"""Reading a content file strictly: its text (a size cap, no control characters), and its YAML, each
value with the line and column an editor shows for it.

YAML is read with a strict loader: every value is the string the author
wrote unless it is plainly an integer, true/false or null, so that `NO`,
`1:20` or `2020-03-05` stay strings and the schemas judge them. Anchors,
aliases and duplicate keys are refused. Each value keeps its line, so that
every problem points at it.
"""

from __future__ import annotations

import bisect
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from .errors import Problems
from .model import (
    Location,
)

MAX_FILE_BYTES = 1_000_000
"""Largest article or YAML file accepted; a longer article should be split."""


YamlPath = tuple[str | int, ...]


Marks = dict[YamlPath, tuple[int, int]]
"""Where each value starts, by its path; where a mapping's key is written, by (*path, KEY)."""


KEY = -1
"""The last part of the path under which Marks keep where a key is written (no list index is negative)."""


FORBIDDEN_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufdd0-\ufdef\ufffe\uffff]")
"""Control characters and noncharacters: never text, and invalid in HTML and XML."""


def read_text(path: Path, problems: Problems) -> str | None:
    """Return the text of PATH with a BOM and CRLF line ends removed, or None after a problem."""
    if path.is_symlink() or not path.is_file():
        problems.add(
            whole_file(path),
            "M014",
            "symbolic links and special files are not read in content/",
            "replace it with a plain file",
        )
        return None
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        problems.add(
            whole_file(path),
            "M012",
            f"the file is {size:,} bytes; the limit is {MAX_FILE_BYTES:,}",
            "split it into smaller files",
        )
        return None
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        problems.add(
            Location(path, line),
            "M013",
            f"the file is not valid UTF-8 (byte {raw[err.start]:#04x})",
            "save it as UTF-8",
        )
        return None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    bad = FORBIDDEN_CHARACTERS.search(text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        column = bad.start() - text.rfind("\n", 0, bad.start())
        problems.add(
            Location(path, line, column),
            "M009",
            f"invisible control character U+{ord(bad.group()):04X} in the text",
            "delete it: it cannot be shown, and some readers reject pages that contain it",
        )
        return None
    return text


_INT = re.compile(r"[-+]?[0-9]+\Z")


MAX_DIGITS = 100
"""The longest integer read (a sign and digits); no field takes more than a few digits."""


class _AliasRefused(yaml.MarkedYAMLError):
    """An anchor or alias, refused: aliases are how alias bombs work."""


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """libyaml's parser where PyYAML has it (ten times faster), else PyYAML's own.

    It does not guess the type of plain values by matching them against YAML's patterns
    (a third of the time of reading a file): _to_python decides what a value is, and the
    only tag looked at is that of an empty document.
    """

    def resolve(self, kind: type[yaml.Node], value: str | None, implicit: tuple[bool, bool]) -> str:
        if kind is yaml.ScalarNode:
            return "tag:yaml.org,2002:null" if implicit[0] and value == "" else self.DEFAULT_SCALAR_TAG
        return self.DEFAULT_SEQUENCE_TAG if kind is yaml.SequenceNode else self.DEFAULT_MAPPING_TAG


_ANCHOR_OR_ALIAS = re.compile(r"[&*][^\s\]\[{},]")
"""What could be an anchor or alias: & or *, then the first character of a name."""


_NODE_START = re.compile(r"(?:.*[-?:\[{,])?[ \t]*(?:![^\s]*[ \t]+)?")
"""What a line can hold before an anchor or alias: nothing, or an indicator (- ? : [ { ,), then spaces
or tabs and perhaps a tag. So `a *word*` in text, which is common, is no reason to parse the file again."""


def _may_have_aliases(text: str) -> bool:
    """Tell whether TEXT may hold an anchor or alias (False means surely not)."""
    for found in _ANCHOR_OR_ALIAS.finditer(text):
        line_start = text.rfind("\n", 0, found.start()) + 1
        if _NODE_START.fullmatch(text, line_start, found.start()):
            return True
    return False


def _refuse_aliases(text: str) -> None:
    """Raise _AliasRefused at the first anchor or alias in TEXT."""
    if not _may_have_aliases(text):
        return
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise _AliasRefused(
                problem="anchors and aliases (&name, *name) are not allowed", problem_mark=event.start_mark
            )


def read_yaml(text: str, path: Path, problems: Problems, first_line: int = 1) -> tuple[Any, Marks] | None:
    """Parse TEXT strictly; return (data, marks) or None after adding a problem.

    FIRST_LINE is the file line TEXT starts at (front matter starts at 2).
    """
    offset = first_line - 1
    if "\t" in text:
        tab = text.index("\t")
        line_start = text.rfind("\n", 0, tab) + 1
        indenting = not text[line_start:tab].strip(" ")
        problems.add(
            Location(path, text.count("\n", 0, tab) + 1 + offset, tab - line_start + 1),
            "M002",
            "tab character in YAML",
            "YAML indents with spaces only; replace the tab with spaces"
            if indenting
            else "replace the tab with a space: tabs are not allowed anywhere in these files",
        )
        return None
    places = _Places(text, offset)
    try:
        _refuse_aliases(text)
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        where = Location(path, *places(mark)) if mark else whole_file(path)
        if isinstance(err, _AliasRefused):
            problems.add(where, "M006", str(err.problem), "write the value out in full where it is needed")
        elif "nesting depth" in str(err.problem):
            problems.add(
                where, "M008", "the YAML is nested too deeply", "flatten it: no file here needs more than a few levels"
            )
        elif "single document" in str(err.context):
            problems.add(where, "M007", "a second YAML document ('---') in one file", "remove the '---' line")
        elif mark and (misplaced := _misindented(text, mark.line)):
            line, indent, siblings, kind = misplaced
            problems.add(
                Location(path, line + 1 + offset, indent + 1),
                "M001",
                f"YAML syntax: line {line + 1 + offset} is indented {_spaces(indent)}, its siblings {siblings}"
                f" (the parser: {err.problem})",
                f"indent it {_spaces(siblings)}, as the other {kind}"
                if siblings
                else f"start it at the beginning of the line, as the other {kind}",
            )
        else:
            problems.add(where, "M001", f"YAML syntax: {err.problem}", _yaml_hint(err))
        return None
    except yaml.YAMLError as err:
        problems.add(whole_file(path), "M001", f"YAML syntax: {err}")
        return None
    except RecursionError:
        problems.add(
            Location(path, first_line),
            "M008",
            "the YAML is nested too deeply",
            "flatten it: no file here needs more than a few levels",
        )
        return None
    if node is None or (node.tag.endswith(":null") and not node.value):
        problems.add(whole_file(path), "M003", "the file is empty", "remove it, or add its content")
        return None
    marks: Marks = {}
    try:
        data = _to_python(node, (), marks, path, problems, places)
    except _TooDeep as deep:
        problems.add(
            _loc(path, deep.node, places),
            "M008",
            f"the YAML is nested more than {MAX_DEPTH} levels deep",
            "flatten it: no file here needs more than a few levels",
        )
        return None
    return data, marks


_LINE_START = re.compile(r"( *)((?:- +)*)(?:([^\s#'\"\[{][^:#]*|'[^']*'|\"[^\"]*\"):(?: +(.*))?$)?")
"""The start of a line of block YAML: its indentation, any "- " that open list items, then perhaps a plain
or quoted key with its colon, and the value after it."""


_BLOCK_SCALAR = re.compile(r"[|>][-+0-9]*\s*(#.*)?")


def _misindented(text: str, error_line: int) -> tuple[int, int, int, str] | None:
    """Tell whether the YAML syntax error at ERROR_LINE (0-based) of TEXT is a line indented unlike its siblings.

    Return (line, its indentation, its siblings', "keys" or "items"), or None. The lines before it are
    read for the levels open there: each list item's "-" and each key's column, innermost last.
    """
    lines = text.split("\n")
    if error_line >= len(lines):
        return None
    open_levels: list[tuple[int, str]] = []  # (column, "-" or "key"), columns increasing
    scalar_above = None  # the column of the key of a block scalar (| or >) being read
    opens_block = False  # the last line read ends with "key:" and nothing after it
    for line in lines[:error_line]:
        indent = len(line) - len(line.lstrip(" "))
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if scalar_above is not None:
            if indent > scalar_above:
                continue
            scalar_above = None
        parts = _LINE_START.match(line)
        if parts is None or not (parts.group(2) or parts.group(3)):
            continue  # a value continued from the line before
        column, levels = indent, []
        for dash in re.finditer(r"- +", parts.group(2)):
            levels.append((indent + dash.start(), "-"))
            column = indent + dash.end()
        if parts.group(3):
            levels.append((column, "key"))
        for level in levels:
            while open_levels and open_levels[-1][0] >= level[0]:
                open_levels.pop()
            open_levels.append(level)
        value = (parts.group(4) or "").strip()
        opens_block = bool(parts.group(3)) and (not value or value.startswith("#"))
        if parts.group(3) and _BLOCK_SCALAR.fullmatch(value):
            scalar_above, opens_block = column, False
    parts = _LINE_START.match(lines[error_line])
    if parts is None or not (parts.group(2) or parts.group(3)):
        return None
    indent = len(parts.group(1))
    kind = "-" if parts.group(2) else "key"
    if (indent, kind) in open_levels:
        return None
    if opens_block and open_levels and indent >= open_levels[-1][0]:
        return None  # the first line of a new level: its indentation is its own
    siblings = [column for column, level in open_levels if level == kind]
    if not siblings:
        return None
    return error_line, indent, siblings[-1], "keys at its level" if kind == "key" else "items of its list"


def _spaces(count: int) -> str:
    return f"{count} space" if count == 1 else f"{count} spaces"


def _yaml_hint(err: yaml.MarkedYAMLError) -> str:
    if err.problem and "mapping values are not allowed" in err.problem:
        return "a value that contains ': ' must be quoted"
    return ""


MAX_DEPTH = 32
"""How deeply values may nest: no content file needs more than a few levels, and a limit well
below Python's recursion limit keeps every later stage (checks, messages) safe from deep input."""


class _TooDeep(Exception):
    """A value nested more than MAX_DEPTH levels deep."""

    def __init__(self, node: yaml.Node):
        super().__init__()
        self.node = node


def _to_python(node: yaml.Node, at: YamlPath, marks: Marks, path: Path, problems: Problems, places: _Places) -> Any:
    if len(at) > MAX_DEPTH:
        raise _TooDeep(node)
    marks[at] = places(node.start_mark)
    if isinstance(node, yaml.MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key == "<<":
                problems.add(_loc(path, key_node, places), "M004", "merge keys ('<<') are not allowed")
                continue
            if key in result:
                first = marks[(*at, key)][0]
                problems.add(
                    _loc(path, key_node, places),
                    "M005",
                    f"duplicate key {key!r} (first given on line {first})",
                    "keep one of them",
                )
                continue
            marks[(*at, key, KEY)] = places(key_node.start_mark)
            result[key] = _to_python(value_node, (*at, key), marks, path, problems, places)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_to_python(item, (*at, i), marks, path, problems, places) for i, item in enumerate(node.value)]
    value = node.value
    bad = FORBIDDEN_CHARACTERS.search(value)
    if bad:  # written as an escape ("\x01", "\0") in a quoted string
        problems.add(
            _loc(path, node, places),
            "M009",
            f"invisible control character U+{ord(bad.group()):04X} in a value",
            "delete the escape: it cannot be shown, and some readers reject pages that contain it",
        )
        return ""
    if node.style:  # quoted or block scalar: always the text written
        return value
    if _INT.match(value):
        if len(value) > MAX_DIGITS:  # Python refuses to read longer ones (and they take quadratic time)
            problems.add(
                _loc(path, node, places),
                "M105",
                f"a number of {len(value):,} digits: no field takes one this long",
                "put the value in quotes if it is text",
            )
            return ""
        return int(value)
    if value in ("true", "false"):
        return value == "true"
    if value in ("", "~", "null"):
        return None
    return value


def value_location(item: Location, at: YamlPath) -> Location:
    """Return where the value at AT in the mapping that starts at ITEM is written, or ITEM if that cannot be told.

    For the few problems found after loading, in values the file is not needed for again (an unknown id):
    the file is read again then, rather than every place kept for the few that are wrong.
    """
    if not at:
        return item
    marks = _marks(item.path, *_stamp(item.path))
    starts = [path for path, mark in marks.items() if mark == (item.line, item.col) and path and path[-1] != KEY]
    if not starts:
        return item
    line, col = marks.get((*min(starts, key=len), *at), (item.line, item.col))
    return Location(item.path, line, col)


def _stamp(path: Path) -> tuple[int, int]:
    try:
        stat = path.stat()
    except OSError:
        return 0, 0
    return stat.st_mtime_ns, stat.st_size


@lru_cache(maxsize=8)
def _marks(path: Path, mtime: int, size: int) -> Marks:
    """Return the marks of the YAML file at PATH as it is now (MTIME, SIZE: which version), {} if it is not valid."""
    text = read_text(path, Problems())
    parsed = read_yaml(text, path, Problems()) if text is not None else None
    return parsed[1] if parsed else {}


def _loc(path: Path, node: yaml.Node, places: _Places) -> Location:
    return Location(path, *places(node.start_mark))


def whole_file(path: Path) -> Location:
    """Return the place of a problem with a whole file: its start, which an editor can open."""
    return Location(path, 1, 1)


_OTHER_BREAKS = re.compile("[\x85\u2028\u2029]")
"""What YAML counts as a line break besides \\n (and \\r, gone by now); an editor does not."""


class _Places:
    """Turns YAML's marks into (line, column) of the file as an editor counts them: lines end at \\n only."""

    def __init__(self, text: str, offset: int):
        self.offset = offset
        """How many lines of the file come before TEXT."""
        self.line_starts: list[int] | None = None
        """Where each line of TEXT starts, if YAML counts lines otherwise than an editor (else None)."""
        if _OTHER_BREAKS.search(text):
            self.line_starts = [0, *(found.end() for found in re.finditer("\n", text))]

    def __call__(self, mark: yaml.Mark) -> tuple[int, int]:
        if self.line_starts is None:
            return mark.line + 1 + self.offset, mark.column + 1
        line = bisect.bisect_right(self.line_starts, mark.index) - 1
        return line + 1 + self.offset, mark.index - self.line_starts[line] + 1
