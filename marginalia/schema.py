"""The JSON Schemas of the content files (marginalia/schemas/), and their problems in words: the
field, the value, the rule and the fix.

A file is checked first by the compiled schema (fastjsonschema: fast, but it
only says valid or not); only a file that is not valid is checked again by
jsonschema, which explains every problem.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import fastjsonschema

from .errors import Problems
from .model import (
    Location,
)
from .reader import KEY, Marks

if TYPE_CHECKING:  # imported where used: only a file that is not valid needs them (70 ms at each start)
    from jsonschema import Draft7Validator
    from jsonschema.exceptions import ValidationError


SCHEMA_DIR = Path(__file__).parent / "schemas"


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
