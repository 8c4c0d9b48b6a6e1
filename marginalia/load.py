"""Stage 1, load: read content/ into the data model, checking every file.

YAML is read with a strict loader: every value is the string the author
wrote unless it is plainly an integer, true/false or null, so that `NO`,
`1:20` or `2020-03-05` stay strings and the schemas judge them. Anchors,
aliases and duplicate keys are refused. Each value keeps its line, so that
every problem points at it.
"""

from __future__ import annotations

import bisect
import difflib
import json
import os
import re
import unicodedata
from collections.abc import Callable, Iterator
from functools import cache, lru_cache
from pathlib import Path
from sys import intern
from typing import TYPE_CHECKING, Any

import fastjsonschema
import yaml

from .errors import Problems
from .model import (
    Appearance,
    Article,
    Claim,
    Content,
    Entity,
    Event,
    EventDate,
    Location,
    Mention,
    Note,
    Selector,
    Source,
)

if TYPE_CHECKING:  # imported where used: only a file that is not valid needs them (70 ms at each start)
    from jsonschema import Draft7Validator
    from jsonschema.exceptions import ValidationError

SCHEMA_DIR = Path(__file__).parent / "schemas"
ENTITIES_FILE = "entities.yml"
SOURCES_FILE = "sources.yml"
ARTICLES_DIR = "articles"

MAX_FILE_BYTES = 1_000_000
"""Largest article or YAML file accepted; a longer article should be split."""

YamlPath = tuple[str | int, ...]
Marks = dict[YamlPath, tuple[int, int]]
"""Where each value starts, by its path; where a mapping's key is written, by (*path, KEY)."""

KEY = -1
"""The last part of the path under which Marks keep where a key is written (no list index is negative)."""


def load_content(content_dir: Path, problems: Problems) -> Content:
    """Return everything under CONTENT_DIR, adding what is wrong to PROBLEMS."""
    entities, sources, unreadable = load_registries(content_dir, problems)
    md_paths = article_paths(content_dir, problems)
    articles = [article for md_path in md_paths if (article := load_article(md_path, problems)) is not None]
    articles.sort(key=lambda a: (a.date, a.slug), reverse=True)
    return Content(articles=articles, entities=entities, sources=sources, unreadable=unreadable)


_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufdd0-\ufdef\ufffe\uffff]")
"""Control characters and noncharacters: never text, and invalid in HTML and XML."""


def read_text(path: Path, problems: Problems) -> str | None:
    """Return the text of PATH with a BOM and CRLF line ends removed, or None after a problem."""
    if path.is_symlink() or not path.is_file():
        problems.add(
            _whole(path),
            "M014",
            "symbolic links and special files are not read in content/",
            "replace it with a plain file",
        )
        return None
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        problems.add(
            _whole(path),
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
    bad = _FORBIDDEN.search(text)
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


_SLUG = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")


def _check_slugs(folder: Path, names: list[str], problems: Problems) -> None:
    """Report file names that are not slugs, or that collide once case and Unicode are folded."""
    seen: dict[str, str] = {}
    for name in names:
        stem = name[: -len(".md")]
        folded = unicodedata.normalize("NFKC", stem).casefold()
        if folded in seen:
            message = f"{name!r} collides with {seen[folded]!r}"
            problems.add(_whole(folder / name), "M205", message, "rename one of them")
        elif not _SLUG.fullmatch(stem):
            suggested = ascii_id(stem)
            problems.add(
                _whole(folder / name),
                "M205",
                f"{name!r} is not a valid article file name",
                "use ASCII lower-case letters a-z (no accents), digits and single hyphens"
                + (f": rename it {suggested}.md" if suggested else ", e.g. idlib-joint-coordination-centers.md"),
            )
        seen.setdefault(folded, name)


def article_names(content_dir: Path, problems: Problems) -> list[str]:
    """Return the file names of the articles' .md files, sorted, after checking them."""
    folder = content_dir / ARTICLES_DIR
    if folder.is_symlink():
        problems.add(_whole(folder), "M014", "symbolic links are not followed in content/", "make it a folder")
        return []
    names = sorted(name for name in os.listdir(folder) if name.endswith(".md")) if folder.is_dir() else []
    _check_slugs(folder, names, problems)
    return names


def article_paths(content_dir: Path, problems: Problems) -> list[Path]:
    """Return the articles' .md files, sorted, after checking their names."""
    folder = content_dir / ARTICLES_DIR
    return [folder / name for name in article_names(content_dir, problems)]


def load_registries(content_dir: Path, problems: Problems) -> tuple[dict[str, Entity], dict[str, Source], set[str]]:
    """Return the glossary, the sources, and which of the two could not be read."""
    before = len(problems)
    entities = {e.id: e for e in _load_registry(content_dir / ENTITIES_FILE, "entities", _entity, problems)}
    unreadable = {"entities"} if len(problems) > before else set()
    before = len(problems)
    sources = {s.id: s for s in _load_registry(content_dir / SOURCES_FILE, "sources", _source, problems)}
    unreadable |= {"sources"} if len(problems) > before else set()
    return entities, sources, unreadable


# --- YAML --------------------------------------------------------------------

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
        where = Location(path, *places(mark)) if mark else _whole(path)
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
        problems.add(_whole(path), "M001", f"YAML syntax: {err}")
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
        problems.add(_whole(path), "M003", "the file is empty", "remove it, or add its content")
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
    bad = _FORBIDDEN.search(value)
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


def _whole(path: Path) -> Location:
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


# --- Schemas -----------------------------------------------------------------


@cache
def _schema(name: str) -> Any:
    return json.loads((SCHEMA_DIR / name).read_text(encoding="utf-8"))


@cache
def _validator(kind: str) -> Draft7Validator:
    """Return the validator that explains every problem of a KIND file (the slow, thorough one)."""
    from jsonschema import Draft7Validator
    from referencing import Registry, Resource

    registry: Registry = Registry().with_resources(
        (p.name, Resource.from_contents(_schema(p.name))) for p in sorted(SCHEMA_DIR.glob("*.schema.json"))
    )
    return Draft7Validator(_schema(f"{kind}.schema.json"), registry=registry)


@cache
def _is_valid(kind: str) -> Callable[[Any], Any]:
    """Return a compiled check of the KIND schema: much faster, but it only says valid or not."""
    name = f"{kind}.schema.json"
    return fastjsonschema.compile(_bundled(_schema(name), name))


_NO_LINE_BREAK = {"not": {"pattern": "\\n"}}
_NO_LINE_BREAK_FAST = {"pattern": "\\A[^\\n]*\\Z"}
"""The same rule, for the compiled check: fastjsonschema runs a "not" by raising and catching an
exception whenever the value is valid, which made it most of the check's time."""


def _bundled(schema: Any, base: str = "") -> Any:
    """Return SCHEMA with every $ref replaced by its target, so that it stands alone.

    It is only compiled by fastjsonschema, so the "no line break" rule is given in its cheaper form.
    """
    if isinstance(schema, list):
        return [_bundled(item, base) for item in schema]
    if not isinstance(schema, dict):
        return schema
    if "$ref" in schema:
        name, _, pointer = schema["$ref"].partition("#")
        name = name or base
        target: Any = _schema(name)
        for part in pointer.strip("/").split("/"):
            target = target[part]
        return _bundled(target, name)
    bundled = {key: _bundled(value, base) for key, value in schema.items() if key not in ("$schema", "$id")}
    if bundled.get("not") == _NO_LINE_BREAK["not"] and "allOf" not in bundled:
        del bundled["not"]
        bundled["allOf"] = [_NO_LINE_BREAK_FAST]
    return bundled


def compile_schemas() -> None:
    """Compile the checks of the article files' schemas now, not when the first article is read."""
    for kind in ("article", "annotations"):
        _is_valid(kind)


def validate(data: Any, kind: str, marks: Marks, path: Path, problems: Problems) -> bool:
    """Check DATA against the KIND schema; return True when it is valid."""
    return not schema_errors(data, kind, marks, path, problems)


def schema_errors(data: Any, kind: str, marks: Marks, path: Path, problems: Problems) -> list[tuple[Any, ...]]:
    """Check DATA against the KIND schema, adding a problem per error; return where each error is in DATA."""
    try:
        _is_valid(kind)(data)
        return []
    except fastjsonschema.JsonSchemaException:
        pass
    errors = list(_validator(kind).iter_errors(data))
    meant = {(tuple(e.absolute_path), key) for e in errors for key in _meant_keys(e)}
    mistyped = {tuple(e.absolute_path) for e in errors if e.validator == "type"}
    unreadable = {(p.where.line, p.where.col) for p in problems if p.code in _UNREADABLE and p.where.path == path}
    found = []
    for error in errors:
        at = tuple(error.absolute_path)
        found.append(at)
        if error.validator == "required" and all((at, key) in meant for key in _missing_keys(error)):
            continue  # a misspelt key is one mistake: reported as the unknown key, with the key meant
        if error.validator != "type" and at in mistyped:
            continue  # a value of the wrong type: its other rules would only say so again
        if marks.get(at) in unreadable:
            continue  # a value refused on reading (M009, M105) is read as "": its rules would only say so again
        code, message, hint = _explain(error, kind)
        if code == "M101":  # point at the unknown key itself, not at its value
            at = (*at, *_unknown_keys(error)[:1], KEY)
        line, col = marks.get(at, (1, 1))
        problems.add(Location(path, line, col), code, message, hint)
    return found


_UNREADABLE = ("M009", "M105")
"""The codes of values refused while reading the YAML."""


def _meant_keys(error: ValidationError) -> list[str]:
    """Return the known key an unknown key of an additional/unevaluatedProperties error is closest to, if any."""
    if error.validator not in ("additionalProperties", "unevaluatedProperties"):
        return []
    unknown = _unknown_keys(error)
    return difflib.get_close_matches(unknown[0], sorted(_known_keys(error.schema)), n=1) if unknown else []


def _missing_keys(error: ValidationError) -> list[str]:
    """Return the keys a "required" error finds missing."""
    if not isinstance(error.instance, dict):
        return []
    return [key for key in error.validator_value if key not in error.instance]


WHOLE = {
    "article": "the front matter",
    "annotations": "the annotations",
    "entities": "the glossary",
    "sources": "the sources",
}
"""What a schema error at the top of a KIND file is in."""
ITEM = {
    "entities": "entity",
    "sources": "source",
    "mentions": "mention",
    "claims": "claim",
    "events": "event",
    "notes": "note",
}
"""What an item of a list of these is called."""


def _field(at: tuple[Any, ...], kind: str) -> str:
    """Name the place AT of a KIND file as a contributor would: "status of claim 2", "the front matter"."""
    owner, rest = WHOLE.get(kind, "the file"), list(at)
    if kind == "annotations" and len(rest) >= 2 and rest[0] in ITEM:
        owner, rest = f"{ITEM[rest[0]]} {rest[1] + 1}", rest[2:]
    elif kind in ITEM and rest:
        owner, rest = f"{ITEM[kind]} {rest[0] + 1}", rest[1:]
    return f"{'.'.join(str(p) for p in rest)} of {owner}" if rest else owner


def _explain(error: ValidationError, kind: str) -> tuple[str, str, str]:
    """Turn a jsonschema error into (code, message, hint) for a contributor."""
    field = _field(tuple(error.absolute_path), kind)
    if error.validator in ("additionalProperties", "unevaluatedProperties"):
        allowed = sorted(_known_keys(error.schema))
        names = ", ".join(repr(u) for u in _unknown_keys(error))
        close = _meant_keys(error)
        hint = f"did you mean {close[0]!r}?" if close else f"allowed keys: {', '.join(allowed)}"
        return "M101", f"unknown key {names} in {field}", hint
    if error.validator == "required":
        return "M102", f"{field}: {error.message}", ""
    if error.validator == "enum":
        choices = ", ".join(str(c) for c in error.validator_value)
        return "M103", f"{field}: {error.instance!r} is not allowed", f"use one of: {choices}"
    if error.validator in ("pattern", "not"):  # "not": a line break, which "$" would let through
        desc = error.schema.get("description", "")
        name = str(error.absolute_path[-1]) if error.absolute_path else ""
        if name == "url":
            return (
                "M107",
                f"{field}: {error.instance!r} is not an http:// or https:// address",
                "give the full address, starting with https://",
            )
        if name == "date":
            unknown_day = (
                " Not known to the day? Give the day of the earliest copy found, and say so in note:"
                if kind == "article"
                else ""
            )
            return (
                "M108",
                f"{field}: {error.instance!r} is not a date in a form this field takes",
                f'{desc} Quote it: "2020-03-05".{unknown_day}',
            )
        if error.schema.get("pattern") == _schema("common.schema.json")["definitions"]["id"]["pattern"]:
            return _explain_id(field, error.instance, desc)
        return "M104", f"{field}: {error.instance!r} is not in the expected form", desc
    if error.validator == "type":
        return "M105", f"{field}: {error.instance!r} should be {_a(error.validator_value)}", _type_hint(error)
    return "M106", f"{field}: {error.message}", ""


def _explain_id(field: str, value: str, desc: str) -> tuple[str, str, str]:
    """Explain an id not in its form, suggesting it in its form (ASCII-folded: erdoğan is erdogan)."""
    why = ": ids are ASCII, without accents" if not value.isascii() else ""
    suggested = ascii_id(value)
    hint = f"{desc} Write {suggested!r}." if suggested and suggested != value and len(suggested) <= 80 else desc
    return "M104", f"{field}: {value!r} is not an id{why}", hint


def ascii_id(text: str) -> str:
    """Return TEXT as an id would write it: Recep Tayyip Erdoğan → recep-tayyip-erdogan ("" if nothing is left)."""
    from slugify import slugify  # transliterates what has no ASCII decomposition too: ı → i, ß → ss

    return str(slugify(text))


def _unknown_keys(error: ValidationError) -> list[str]:
    """Return the keys an additional/unevaluatedProperties error is about."""
    allowed = _known_keys(error.schema)
    return sorted(k for k in error.instance if k not in allowed) if isinstance(error.instance, dict) else []


def _a(type_name: Any) -> str:
    names = {
        "string": "text",
        "integer": "a whole number",
        "array": "a list",
        "object": "a mapping",
        "boolean": "true or false",
    }
    if isinstance(type_name, list):
        return " or ".join(names.get(t, str(t)) for t in type_name)
    return names.get(type_name, str(type_name))


def _type_hint(error: ValidationError) -> str:
    if error.validator_value == "string" and not isinstance(error.instance, str):
        return "put the value in quotes"
    if error.validator_value == "array":
        return "write a list: [a, b] or one '- item' per line"
    return ""


def _known_keys(schema: dict[str, Any]) -> set[str]:
    return set(schema.get("properties", {}))


# --- Registries --------------------------------------------------------------


def _load_registry(path: Path, kind: str, make: Any, problems: Problems) -> Iterator[Any]:
    """Yield the entries of a registry file, made by MAKE(item, where)."""
    if not path.is_file():
        problems.add(_whole(path), "M010", f"missing {path.name}", f"create it: content/{path.name} lists the {kind}")
        return
    text = read_text(path, problems)
    parsed = read_yaml(text, path, problems) if text is not None else None
    if parsed is None:
        return
    data, marks = parsed
    if not validate(data, kind, marks, path, problems):
        return
    seen: dict[str, int] = {}
    for i, item in enumerate(data):
        line, col = marks[(i,)]
        where = Location(path, line, col)
        if item["id"] in seen:
            problems.add(where, "M201", f"duplicate id {item['id']!r} (first on line {seen[item['id']]})")
            continue
        seen[item["id"]] = line
        if "date" in item and not _real_date(item["date"], Location(path, *marks[(i, "date")]), problems):
            continue
        yield make(item, where)


def _entity(item: dict[str, Any], where: Location) -> Entity:
    return Entity(
        id=item["id"],
        name=item["name"],
        kind=item["kind"],
        description=item.get("description", ""),
        aliases=item.get("aliases", []),
        wikidata=item.get("wikidata", ""),
        sort_as=item.get("sort_as", ""),
        sources=item.get("sources", []),
        where=where,
    )


def _source(item: dict[str, Any], where: Location) -> Source:
    return Source(
        id=item["id"],
        title=item["title"],
        publisher=item.get("publisher", ""),
        date=item.get("date", ""),
        url=item.get("url", ""),
        article=item.get("article", ""),
        note=item.get("note", ""),
        where=where,
    )


# --- Articles ----------------------------------------------------------------

_FRONT_MATTER = re.compile(r"---[ \t]*\n(.*?\n)?---[ \t]*(\n|\Z)", re.DOTALL)


def load_article(md_path: Path, problems: Problems) -> Article | None:
    """Read one article and its annotations; return None if it cannot be used.

    The annotation file is read even then, so that its own problems are
    reported in the same run as those of the article's front matter.
    """
    article = _load_front_matter(md_path, problems)
    yml_path = md_path.with_suffix(".yml")
    if yml_path.is_file():
        annotated = article or Article(md_path.stem, title="", date="", body="", source_path=md_path)
        annotated.annotations_path = yml_path
        _load_annotations(annotated, yml_path, problems)
    return article


def _load_front_matter(md_path: Path, problems: Problems) -> Article | None:
    """Read the article at MD_PATH, without its annotations; return None if it cannot be used."""
    text = read_text(md_path, problems)
    if text is None:
        return None
    match = _FRONT_MATTER.match(text)
    if not match:
        problems.add(
            Location(md_path, 1),
            "M011",
            "the article has no front matter",
            "start the file with a '---' line, then title: and date:, then another '---' line",
        )
        return None
    parsed = read_yaml(match.group(1) or "", md_path, problems, first_line=2)
    if parsed is None or not validate(parsed[0], "article", parsed[1], md_path, problems):
        return None
    meta = parsed[0]
    if not _real_date(meta["date"], Location(md_path, *parsed[1][("date",)]), problems):
        return None
    return Article(
        slug=md_path.stem,
        title=meta["title"],
        date=meta["date"],
        body=text[match.end() :],
        source_path=md_path,
        title_line=parsed[1][("title",)][0],
        body_line=text[: match.end()].count("\n") + 1,
        dateline=meta.get("dateline", ""),
        byline=meta.get("byline", ""),
        publisher=meta.get("publisher", ""),
        url=meta.get("url", ""),
        licence=meta.get("licence", ""),
        note=meta.get("note", ""),
    )


def _load_annotations(article: Article, path: Path, problems: Problems) -> None:
    text = read_text(path, problems)
    parsed = read_yaml(text, path, problems) if text is not None else None
    if parsed is None:
        return
    data, marks = parsed
    # An annotation the schema refuses is left out, alone: the others are still anchored and checked,
    # so that one run reports every problem of the file, and not, as well, every name the file
    # annotates as unannotated.
    invalid = schema_errors(data, "annotations", marks, path, problems)
    if not isinstance(data, dict):
        return
    refused = {at[:2] for at in invalid}  # ("mentions", 3): that item; ("mentions",): the whole list

    def items(section: str) -> Iterator[tuple[int, dict[str, Any]]]:
        if (section,) not in refused:
            yield from ((i, item) for i, item in enumerate(data.get(section, [])) if (section, i) not in refused)

    def common(section: str, i: int, item: dict[str, Any]) -> dict[str, Any]:
        line, col = marks[(section, i)]
        return {
            "selector": Selector(
                quote=item["quote"],
                prefix=item.get("prefix", ""),
                suffix=item.get("suffix", ""),
                occurrence=item.get("occurrence"),
                every=item.get("every", False),
            ),
            "where": Location(path, line, col),
        }

    # Ids and statuses recur in every article: interned, each is one string however many articles
    # there are (and one in each batch of results a worker process sends back).
    for i, item in items("mentions"):
        article.mentions.append(Mention(**common("mentions", i, item), entity=intern(item["entity"])))
    for i, item in items("claims"):
        if _is_appearance(item, _CLAIM_FIELDS):
            article.appearances.append(Appearance(**common("claims", i, item), kind="claim", id=item["id"]))
            continue
        article.claims.append(
            Claim(
                **common("claims", i, item),
                id=item["id"],
                status=intern(item["status"]),
                sources=_interned(item.get("sources", [])),
                claimant=intern(item.get("claimant", "")),
                about=_interned(item.get("about", [])),
                summary=item.get("summary", ""),
                review=item.get("review", ""),
            )
        )
    for i, item in items("events"):
        date = None
        if "date" in item:
            date = _event_date(item["date"], Location(path, *marks[("events", i, "date")]), problems)
            if date is None:
                continue
        if _is_appearance(item, _EVENT_FIELDS):
            article.appearances.append(Appearance(**common("events", i, item), kind="event", id=item["id"], date=date))
            continue
        assert date is not None  # the schema requires it of a definition
        article.events.append(
            Event(
                **common("events", i, item),
                id=item["id"],
                date=date,
                title=item["title"],
                entities=_interned(item.get("entities", [])),
                note=item.get("note", ""),
            )
        )
    for i, item in items("notes"):
        article.notes.append(Note(**common("notes", i, item), text=item["text"]))


_CLAIM_FIELDS = ("status", "sources", "claimant", "about", "summary", "review")
"""What defines a claim: a claim with none of them is an appearance of one defined elsewhere."""
_EVENT_FIELDS = ("title", "entities", "note")
"""What defines an event: an event with none of them (a date alone may be given) is an appearance."""


def _is_appearance(item: dict[str, Any], fields: tuple[str, ...]) -> bool:
    """Tell whether ITEM, a claim or an event, gives none of the FIELDS that define one: it reports one."""
    return not any(key in item for key in fields)


def _interned(ids: list[str]) -> list[str]:
    """Return IDS interned (see _load_annotations)."""
    return [intern(i) for i in ids]


def _real_date(value: str, where: Location, problems: Problems) -> bool:
    """Tell whether VALUE (YYYY, YYYY-MM or YYYY-MM-DD) is a date that exists; add a problem if not."""
    return _event_date(value, where, problems) is not None


def _event_date(value: str, where: Location, problems: Problems) -> EventDate | None:
    """Return VALUE as an EventDate, or None after adding a problem."""
    start, _, end = value.partition("/")
    date = EventDate(start, end)
    try:
        first, last = date.sort_key
        if first.year < 1:
            raise ValueError("year 0 does not exist")
    except ValueError as err:
        problems.add(where, "M401", f"{value!r} is not a real date ({err})", "dates are YYYY, YYYY-MM or YYYY-MM-DD")
        return None
    if end and last <= first:
        problems.add(where, "M402", f"the range {value!r} ends before it starts", "write the earlier date first")
        return None
    return date
