"""Adding items to an annotation file without touching its other bytes: each new item is written
into its section's list (block or flow style, as the file has it) or a new section at the end, in
the file's own newline and indentation, and the result is read back to verify that only the items
were added."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .errors import ImportFailure, Problems
from .reader import read_yaml

_ORDER = {
    "mentions": ("entity", "quote", "prefix", "suffix", "occurrence"),
    "claims": (
        "id",
        "quote",
        "prefix",
        "suffix",
        "occurrence",
        "claimant",
        "about",
        "status",
        "sources",
        "summary",
        "review",
    ),
    "events": ("id", "quote", "prefix", "suffix", "occurrence", "date", "title", "entities", "note"),
    "notes": ("quote", "prefix", "suffix", "occurrence", "text"),
}


def _ordered(section: str, item: dict[str, Any]) -> dict[str, Any]:
    """Return the fields of ITEM that are written, in the order they are written."""
    return {k: item[k] for k in _ORDER[section] if k in item}


def _block_item(section: str, item: dict[str, Any]) -> list[str]:
    """Return ITEM as the lines of one YAML list item ("- key: value", then "  key: value")."""
    text = yaml.safe_dump(
        [_ordered(section, item)], allow_unicode=True, sort_keys=False, default_flow_style=False, width=1 << 30
    )
    return text.rstrip("\n").split("\n")


def _flow_item(section: str, item: dict[str, Any]) -> str:
    """Return ITEM as one line of YAML flow mapping ({key: value, ...}), for a list written in flow style."""
    ordered = _ordered(section, item)
    text = yaml.safe_dump(ordered, allow_unicode=True, sort_keys=False, default_flow_style=True, width=1 << 30)
    text = text.strip()
    return json.dumps(ordered, ensure_ascii=False) if _BREAK.search(text) else text  # JSON: a flow mapping on one line


_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
"""A line break, as YAML counts them (and so the checker's line numbers)."""


_BREAKS = "\r\n\x85\u2028\u2029"


@dataclass
class _Edit:
    """Text put into the file at one offset, perhaps in place of a few characters there."""

    at: int
    pieces: list[tuple[str, int | None]]
    """The text, in pieces: each with the number of the item it writes, or None."""
    removes: int = 0
    last: bool = False
    """Put after the other edits at the same offset (a new section, at the end of the file)."""


def insert_items(
    text: str, additions: dict[str, list[dict[str, Any]]], comment: str
) -> tuple[str, list[tuple[int, int]]]:
    """Insert the new items of each section at the end of its list in the YAML TEXT.

    Where each list ends is found by parsing the file, so that a value written
    over several lines (a quoted string, a block scalar) stays whole. Items are
    indented like the list's own; a list written in flow style (`[a, b]`) gets
    them in flow style; an empty one (`notes: []`) becomes a block list; a
    missing section is added at the end of the file. Every existing line is
    kept byte for byte (bar the one of `[]`, or of a flow list's last item,
    which gets a comma), comments and line ends included, and the new lines
    end as the file's do. The result is read again before it is returned: if
    it does not read as the old annotations plus exactly the new ones,
    ImportFailure. Returns the new text and each item's (first, last) 1-based
    line: mentions, claims, events, notes, each list's items in the order given.
    """
    newline = _newline_of(text)
    root = _compose(text)
    edits: list[_Edit] = []
    number = 0
    for section in SECTIONS:
        items = list(enumerate(additions.get(section) or [], number))
        number += len(items)
        if not items:
            continue
        node = _section(root, section)
        if node is None:
            edits.append(_new_section(text, section, items, comment, newline))
        elif isinstance(node[1], yaml.SequenceNode) and node[1].flow_style and node[1].value:
            edits += _into_flow_list(text, node, items, comment, newline)
        else:
            edits += _into_block_list(text, node, items, comment, newline)
    new_text, ranges, touched = _apply(text, edits)
    _verify(text, new_text, additions, touched)
    return new_text, [ranges[n] for n in range(number)]


def _newline_of(text: str) -> str:
    """Return the line end most lines of TEXT have ("\\n" when there are none)."""
    counts = {"\r\n": text.count("\r\n")}
    counts["\n"] = text.count("\n") - counts["\r\n"]
    counts["\r"] = text.count("\r") - counts["\r\n"]
    return max(counts, key=lambda k: (counts[k], k == "\n"))


def _compose(text: str) -> yaml.Node | None:
    """Return the node tree of TEXT, with the offset of every node in TEXT (in characters)."""
    try:
        root = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        if root is not None and not _offsets_in_characters(text, root):
            root = yaml.compose(text, Loader=yaml.SafeLoader)  # PyYAML's own parser counts characters
    except yaml.YAMLError as err:
        raise ImportFailure(f"it cannot be read as YAML: {' '.join(str(err).split())}", 1) from None
    if root is not None and not isinstance(root, yaml.MappingNode):
        raise ImportFailure("it is not a mapping of sections (mentions:, claims:, events:, notes:)", 1)
    return root


def _offsets_in_characters(text: str, root: yaml.Node) -> bool:
    """Tell whether the offsets libyaml gave ROOT count characters of TEXT (as 0.2.5 does), not bytes.

    libyaml is five times as fast as PyYAML's own parser on a large file; its last top-level key
    being where it says, after every character before it, shows that its offsets can be used.
    """
    if text.isascii() or not isinstance(root, yaml.MappingNode) or not root.value:
        return True
    key = root.value[-1][0]
    return bool(text[key.start_mark.index : key.end_mark.index] == key.value)


def _section(root: yaml.Node | None, section: str) -> tuple[yaml.Node, yaml.Node] | None:
    """Return the key and value nodes of SECTION in ROOT, or None when it has none."""
    for key, value in root.value if root is not None else []:
        if isinstance(key, yaml.ScalarNode) and key.value == section:
            if not isinstance(value, yaml.SequenceNode) and not _is_null(value):
                raise ImportFailure(f"{section}: is not a list", 1)
            return key, value
    return None


def _is_null(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and not node.style and node.value in ("", "~", "null")


def _end_of(node: yaml.Node) -> int:
    """Return the offset just after the last character of NODE's value (not the comments after it)."""
    while True:
        if isinstance(node, yaml.MappingNode) and not node.flow_style and node.value:
            key, value = node.value[-1]
            if _is_null(value) and value.value == "":
                return int(key.end_mark.index)  # `key:` with nothing after it: the parser marks the next token
            node = value
        elif isinstance(node, yaml.SequenceNode) and not node.flow_style and node.value:
            node = node.value[-1]
        else:
            return int(node.end_mark.index)


def _line_after(text: str, offset: int) -> int:
    """Return the offset of the line after the one OFFSET is on (OFFSET itself at the start of a line)."""
    if offset == 0 or text[offset - 1] in _BREAKS:
        return offset
    found = _BREAK.search(text, offset)
    return found.end() if found else len(text)


def _past_indented_comments(text: str, offset: int) -> int:
    """Return the offset after the indented comment lines (and blank lines between them) from OFFSET on."""
    position = end = offset
    while position < len(text):
        found = _BREAK.search(text, position)
        line_end = found.end() if found else len(text)
        line = text[position:line_end]
        if line.strip() and not (line[0] in " \t" and line.lstrip().startswith("#")):
            break
        if line.strip():
            end = line_end
        position = line_end
    return end


def _column(text: str, offset: int) -> int:
    start = offset
    while start > 0 and text[start - 1] not in _BREAKS:
        start -= 1
    return offset - start


def _lead(text: str, offset: int, newline: str) -> str:
    """Return the line break needed before text put at OFFSET: one if the file ends there without it."""
    return newline if offset > 0 and text[offset - 1] not in _BREAKS else ""


def _into_block_list(
    text: str, node: tuple[yaml.Node, yaml.Node], items: list[tuple[int, dict[str, Any]]], comment: str, newline: str
) -> list[_Edit]:
    """Return the edits that add ITEMS at the end of a block list, or to an empty one (`[]`, nothing)."""
    key, value = node
    edits = []
    if isinstance(value, yaml.SequenceNode) and value.value:
        dash = int(value.start_mark.index)
        if text[dash] != "-":  # the list starts where its first item does: find its dash
            dash = text.rindex("-", 0, value.value[0].start_mark.index)
        indent = " " * _column(text, dash)
        end = _end_of(value)
    else:
        indent = " " * (int(key.start_mark.column) + 2)
        end = _end_of(key) if value.value == "" else int(value.end_mark.index)
        if value.value != "":  # `[]`, `~`, `null`: take it out, with the spaces before it
            start = int(value.start_mark.index)
            while text[start - 1] in " \t":
                start -= 1
            edits.append(_Edit(start, [], int(value.end_mark.index) - start))
    at = _past_indented_comments(text, _line_after(text, end))
    pieces: list[tuple[str, int | None]] = [(f"{_lead(text, at, newline)}{indent}# {comment}{newline}", None)]
    for number, item in items:
        lines = _block_item(key.value, item)
        pieces.append(("".join(f"{indent}{line}{newline}" if line.strip() else newline for line in lines), number))
    return [*edits, _Edit(at, pieces)]


def _into_flow_list(
    text: str, node: tuple[yaml.Node, yaml.Node], items: list[tuple[int, dict[str, Any]]], comment: str, newline: str
) -> list[_Edit]:
    """Return the edits that add ITEMS to a list written in flow style, one per line after its last item."""
    key, value = node
    indent = " " * (int(key.start_mark.column) + 2)
    last = _end_of(value.value[-1])
    close = int(value.end_mark.index) - 1
    pieces: list[tuple[str, int | None]] = [(f"{newline}{indent}# {comment}", None)]
    for k, (number, item) in enumerate(items):
        pieces += [(",", None)] if k else []
        pieces.append((f"{newline}{indent}{_flow_item(key.value, item)}", number))
    line_end = _BREAK.search(text, last, close)
    if line_end is None:  # `]` is on the same line: the items go before it
        return [_Edit(last, [(",", None), *pieces])]
    comma = "," in text[last : line_end.start()].split("#")[0]
    return [_Edit(last, [] if comma else [(",", None)]), _Edit(line_end.start(), pieces)]


def _new_section(text: str, section: str, items: list[tuple[int, dict[str, Any]]], comment: str, newline: str) -> _Edit:
    """Return the edit that adds SECTION, with ITEMS, at the end of the file."""
    at = len(text)
    blank = newline if text.strip() else ""
    pieces: list[tuple[str, int | None]] = [
        (f"{_lead(text, at, newline)}{blank}{section}:{newline}  # {comment}{newline}", None)
    ]
    for number, item in items:
        lines = _block_item(section, item)
        pieces.append(("".join(f"  {line}{newline}" if line.strip() else newline for line in lines), number))
    return _Edit(at, pieces, last=True)


def _apply(text: str, edits: list[_Edit]) -> tuple[str, dict[int, tuple[int, int]], set[int]]:
    """Return TEXT with EDITS made, each item's (first, last) line, and the lines of TEXT edits changed (0-based)."""
    out: list[str] = []
    ranges: dict[int, tuple[int, int]] = {}
    touched: set[int] = set()
    position, line = 0, 1
    for edit in sorted(edits, key=lambda e: (e.at, e.last)):
        before = text[position : edit.at]
        out.append(before)
        line += len(_BREAK.findall(before))
        if edit.removes or _lead(text, edit.at, "\n"):  # an edit inside a line (or adding the last line's end)
            first_touched = len(_BREAK.findall(text, 0, edit.at))
            removed = text[edit.at : edit.at + edit.removes]
            touched.update(range(first_touched, first_touched + len(_BREAK.findall(removed)) + 1))
        for piece, number in edit.pieces:
            if number is not None:
                first = line + len(_BREAK.findall(piece[: len(piece) - len(piece.lstrip())]))
                ranges[number] = (first, first + len(_BREAK.findall(piece.strip())))
            out.append(piece)
            line += len(_BREAK.findall(piece))
        position = edit.at + edit.removes
    out.append(text[position:])
    return "".join(out), ranges, touched


def _verify(before: str, after: str, additions: dict[str, list[dict[str, Any]]], touched: set[int]) -> None:
    """Raise ImportFailure unless AFTER reads as BEFORE plus the new items, every line but TOUCHED kept as it was."""
    expected = dict(_read(before) or {})
    for section, items in additions.items():
        if items:
            expected[section] = list(expected.get(section) or []) + [_ordered(section, item) for item in items]
    found = _read(after)
    if found != expected:
        raise ImportFailure("with the new items, it would not read as the annotations it has plus those", 1)
    old, new = _lines(before), iter(_lines(after))
    for number, line in enumerate(old):
        if number not in touched and line not in new:  # `in` on the iterator: the lines in order, each used once
            raise ImportFailure(f"adding the new items would change its line {number + 1}", 1)


def _lines(text: str) -> list[str]:
    """Return the lines of TEXT with their line ends."""
    ends = [m.end() for m in _BREAK.finditer(text)]
    starts = [0, *ends]
    return [text[a:b] for a, b in zip(starts, [*ends, len(text)], strict=True) if a < b]


def _read(text: str) -> Any:
    """Return the data in the annotation file TEXT as the checker reads it; None for a file with none."""
    problems = Problems()
    read = read_yaml(text, Path("annotations"), problems)
    if read is None:
        if all(p.code == "M003" for p in problems):
            return None
        raise ImportFailure(f"with the new items, it would not be valid YAML: {problems[0].message}", 1)
    return read[0]


SECTIONS = ("mentions", "claims", "events", "notes")
