"""Reading W3C Web Annotations: a JSON-LD file read within bounds, and each annotation mapped to the
mention, claim, event or note it describes (by its motivation, its bodies and what they link to)."""

from __future__ import annotations

import html
import json
import re
import unicodedata
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from .errors import ImportFailure
from .model import (
    CLAIM_STATUSES,
    Content,
)
from .reader import MAX_FILE_BYTES

# --- Reading the file -----------------------------------------------------------------------------


MAX_IMPORT_BYTES = 5 * MAX_FILE_BYTES
"""Largest file the import reads: an export of an article at the content files' own limit (MAX_FILE_BYTES)
with an annotation every few words fits; anything larger is refused before it is read."""


MAX_JSON_DEPTH = 64
"""How deeply the JSON may nest: an AnnotationCollection's selectors sit some eight levels down, and a limit
far below Python's recursion limit keeps the parser and everything after it safe from deep input."""


MAX_NUMBER_DIGITS = 100
"""Longest number read: W3C annotations hold counts and offsets, and Python refuses to read an integer of
more than a few thousand digits (with a ValueError)."""


_JSON_TOKEN = re.compile(rf'"[^"\\]*(?:\\.[^"\\]*)*"|[\[{{]|[\]}}]|[0-9]{{{MAX_NUMBER_DIGITS + 1},}}')
"""A JSON string (skipped whole: what is in it does not count), a bracket, or a number too long to read."""


def read_source(source: Path) -> Any:
    """Return the JSON in SOURCE, or raise ImportFailure naming the file (and line) if it cannot be read safely."""
    if not source.is_file():
        raise ImportFailure(f"{source}: no such file")
    with source.open("rb") as file:
        raw = file.read(MAX_IMPORT_BYTES + 1)
    if len(raw) > MAX_IMPORT_BYTES:
        raise ImportFailure(
            f"{source}: the file is larger than {MAX_IMPORT_BYTES:,} bytes, the most an import reads;"
            " split it into several files",
            1,
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise ImportFailure(f"{source}:{line}: not JSON: not valid UTF-8 (byte {raw[err.start]:#04x})", 1) from None
    _check_shape(source, text)
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        raise ImportFailure(f"{source}:{err.lineno}:{err.colno}: not JSON: {err.msg}", 1) from None


def _check_shape(source: Path, text: str) -> None:
    """Raise ImportFailure at the first bracket of TEXT nested too deep, or the first number too long."""
    depth = 0
    for token in _JSON_TOKEN.finditer(text):
        first = token.group()[0]
        if first in "[{":
            depth += 1
            if depth > MAX_JSON_DEPTH:
                at = _where(source, text, token.start())
                raise ImportFailure(f"{at}: the JSON is nested more than {MAX_JSON_DEPTH} levels deep", 1)
        elif first in "]}":
            depth -= 1
        elif first != '"':
            at = _where(source, text, token.start())
            raise ImportFailure(f"{at}: a number of more than {MAX_NUMBER_DIGITS} digits", 1)


def _where(source: Path, text: str, offset: int) -> str:
    """Return SOURCE:line:column of OFFSET in TEXT."""
    line = text.count("\n", 0, offset) + 1
    return f"{source}:{line}:{offset - text.rfind(chr(10), 0, offset)}"


# --- Mapping annotations to items -----------------------------------------------------------------


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def types_of(node: Any) -> set[str]:
    return {t for t in as_list(node.get("type") if isinstance(node, dict) else None) if isinstance(t, str)}


def read_w3c(data: Any) -> list[dict[str, Any]]:
    """Return the annotations in DATA: an Annotation, a list, a page, or a collection with items or first.items."""
    found: list[Any] = []
    for node in as_list(data):
        if not isinstance(node, dict):
            found.append(node)
        elif types_of(node) & {"AnnotationCollection", "AnnotationPage"} or ("items" in node and "target" not in node):
            items = node.get("items")
            first = node.get("first")
            if items is None and isinstance(first, dict):
                items = first.get("items")
            elif items is None and first is not None:
                raise ImportFailure(
                    f"the collection's first page is a link ({first!r}): save the page with its items", 1
                )
            found += read_w3c(items or [])
        else:
            found.append(node)
    return found


def _bodies_of(annotation: dict[str, Any]) -> list[dict[str, Any]]:
    """Return every body as a dict: a bare IRI becomes {"id": ...}, bodyValue a TextualBody."""
    bodies: list[dict[str, Any]] = []
    for body in as_list(annotation.get("body")):
        if isinstance(body, str):
            bodies.append({"id": body})
        elif isinstance(body, dict):
            if types_of(body) & {"Choice", "Composite", "List", "Independents"}:
                bodies += [b if isinstance(b, dict) else {"id": b} for b in as_list(body.get("items"))]
            else:
                bodies.append(body)
    for value in as_list(annotation.get("bodyValue")):
        if isinstance(value, str):
            bodies.append({"type": "TextualBody", "value": value})
    return bodies


def _purposes(body: dict[str, Any]) -> set[str]:
    return {p for p in as_list(body.get("purpose")) if isinstance(p, str)}


def _text_of(body: dict[str, Any]) -> str:
    """Return the text of a textual body (HTML reduced to its text), or ""."""
    value = body.get("value", body.get("chars"))
    if not isinstance(value, str):
        return ""
    if body.get("format") == "text/html":
        value = html.unescape(re.sub(r"<[^>]*>", " ", value))
    return value.strip()


def _iri(body: dict[str, Any]) -> str:
    value = body.get("source", body.get("id"))
    if isinstance(value, dict):
        value = value.get("id")
    return value if isinstance(value, str) else ""


class Resolver:
    """Turns the links and words of bodies into ids of this site's content.

    Links count when they are relative (as exported without site_url) or under
    site_url: an entity page of another site with the same layout is not ours.
    """

    def __init__(self, content: Content, site_url: str):
        self.content = content
        self.site_url = site_url
        self.by_wikidata = {e.wikidata: e.id for e in content.entities.values() if e.wikidata}
        names: dict[str, set[str]] = {}
        for entity in content.entities.values():
            for name in [entity.name, *entity.aliases]:
                names.setdefault(name, set()).add(entity.id)
        self.by_name = {n: ids.pop() for n, ids in names.items() if len(ids) == 1}

    def entity(self, body: dict[str, Any], by_name: bool = False) -> str:
        """Return the entity id BODY names (its page, its Wikidata item or, if BY_NAME, its name), or ""."""
        iri = _iri(body)
        if iri:
            parts = urlsplit(iri)
            page = re.search(r"(?:^|/)entities/([^/]+)\.html$", unquote(parts.path))
            if page and page.group(1) in self.content.entities and self._ours(iri):
                return page.group(1)
            qid = re.fullmatch(r"(?:www\.)?wikidata\.org", parts.netloc or "") and re.fullmatch(
                r"/(?:entity|wiki)/(Q[0-9]+)", parts.path
            )
            if qid and qid.group(1) in self.by_wikidata:
                return self.by_wikidata[qid.group(1)]
            return ""
        return self.by_name.get(_text_of(body), "") if by_name else ""

    def _ours(self, iri: str) -> bool:
        parts = urlsplit(iri)
        if not parts.scheme and not parts.netloc:
            return True
        return bool(self.site_url) and iri.startswith(self.site_url)

    def source(self, body: dict[str, Any]) -> str:
        """Return the source id BODY links to (its page, its entry on sources.html or its URL), or ""."""
        iri = _iri(body)
        if not iri:
            return ""
        parts = urlsplit(iri)
        page = re.search(r"(?:^|/)sources/([^/]+)\.html$", unquote(parts.path))
        if page and self._ours(iri):
            return page.group(1) if page.group(1) in self.content.sources else ""
        if parts.path.endswith("sources.html") and parts.fragment.startswith("source-") and self._ours(iri):
            source_id = parts.fragment[len("source-") :]  # as exported before sources had pages of their own
            return source_id if source_id in self.content.sources else ""
        matches = [s.id for s in self.content.sources.values() if s.url and s.url == iri]
        return matches[0] if len(matches) == 1 else ""


def fragment_id(annotation: dict[str, Any], prefix: str) -> str:
    """Return the id in an exported annotation's fragment, e.g. 'x' from '...#claim-x'."""
    annotation_id = annotation.get("id")
    if not isinstance(annotation_id, str):
        return ""
    fragment = urlsplit(annotation_id).fragment
    if fragment.startswith(prefix) and _ID.fullmatch(fragment[len(prefix) :]):
        return fragment[len(prefix) :]
    return ""


def slugify(text: str, words: int = 6) -> str:
    """Return an id made of the first WORDS words of TEXT."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    parts = re.findall(r"[a-z0-9]+", ascii_text.lower())[:words]
    return "-".join(parts)[:80].strip("-") or "imported"


Mapped = tuple[str, dict[str, Any]]
"""A section (mentions, claims, events, notes) and the fields of the item an annotation becomes there."""


_Texts = list[tuple[dict[str, Any], str]]
"""The textual bodies of an annotation, each with its text."""


def map_annotation(annotation: dict[str, Any], resolver: Resolver) -> Mapped | str:
    """Return (section, item fields) for ANNOTATION, or why it cannot be mapped."""
    motivations = [m for m in as_list(annotation.get("motivation")) if isinstance(m, str)]
    bodies = _bodies_of(annotation)
    texts = [(b, _text_of(b)) for b in bodies if _text_of(b)]
    if not motivations:
        motivations = ["commenting"] if texts else []
    for motivation in motivations:
        kind = _KINDS.get(motivation)
        mapped = kind(bodies, texts, resolver) if kind else None
        if mapped:
            return mapped
    return _unmapped(motivations)


def _as_note(bodies: list[dict[str, Any]], texts: _Texts, resolver: Resolver) -> Mapped | None:
    """Return a note of the text bodies that are comments (or have no purpose)."""
    words = [t for b, t in texts if not _purposes(b) - {"commenting"}]
    return ("notes", {"text": "\n\n".join(words)}) if words else None


def _as_mention(bodies: list[dict[str, Any]], texts: _Texts, resolver: Resolver) -> Mapped | None:
    """Return a mention of the first entity a body names (its page, its Wikidata item or its name)."""
    for body in bodies:
        entity = resolver.entity(body, by_name=True)
        if entity:
            return "mentions", {"entity": entity}
    return None


def _as_claim(bodies: list[dict[str, Any]], texts: _Texts, resolver: Resolver) -> Mapped | None:
    """Return a claim with the status a text body gives, and what the other bodies say of it."""
    statuses = [t for b, t in texts if t in CLAIM_STATUSES and (not _purposes(b) or "assessing" in _purposes(b))]
    if not statuses:
        return None
    item: dict[str, Any] = {"status": statuses[0]}
    for body, text in texts:
        if "describing" in _purposes(body) and "summary" not in item:
            item["summary"] = " ".join(text.split())
        elif "commenting" in _purposes(body) and "review" not in item:
            item["review"] = text
    for body in bodies:
        entity = resolver.entity(body)
        if entity and "identifying" in _purposes(body) and "claimant" not in item:
            item["claimant"] = entity
        elif entity and "tagging" in _purposes(body):
            item.setdefault("about", []).append(entity)
        elif (source := resolver.source(body)) and source not in item.get("sources", []):
            item.setdefault("sources", []).append(source)
    return "claims", item


def _as_event(bodies: list[dict[str, Any]], texts: _Texts, resolver: Resolver) -> Mapped | None:
    """Return an event with the date and the title text bodies give, its note and its entities."""
    dates = [t for b, t in texts if _DATE.fullmatch(t) and "describing" not in _purposes(b)]
    titles = [t for b, t in texts if not _DATE.fullmatch(t) and not _purposes(b) - {"describing"}]
    if not (dates and titles):
        return None
    item: dict[str, Any] = {"date": dates[0], "title": " ".join(titles[0].split())}
    note = next((text for body, text in texts if "commenting" in _purposes(body)), None)
    if note is not None:
        item["note"] = note
    entities = [e for b in bodies if "tagging" in _purposes(b) and (e := resolver.entity(b))]
    if entities:
        item["entities"] = list(dict.fromkeys(entities))
    return "events", item


_KINDS = {
    "commenting": _as_note,
    "identifying": _as_mention,
    "tagging": _as_mention,
    "classifying": _as_mention,
    "assessing": _as_claim,
    "describing": _as_event,
}
"""What each motivation can become."""


_WANTS = {
    "commenting": "a text body",
    "identifying": "a body naming an entity of entities.yml (its page, its Wikidata item or its name)",
    "tagging": "a body naming an entity of entities.yml",
    "classifying": "a body naming an entity of entities.yml",
    "assessing": f"a text body giving the claim's status ({', '.join(CLAIM_STATUSES)})",
    "describing": "a text body with the event's title and one with its date (YYYY, YYYY-MM, YYYY-MM-DD or a range A/B)",
}
"""What each motivation needs of the bodies, for the report of an annotation that lacks it."""


def _unmapped(tried: list[str]) -> str:
    """Return why an annotation with the motivations TRIED cannot be mapped."""
    if not tried:
        return "it has no motivation and no text body"
    needs = [f"{m} needs {_WANTS[m]}" for m in tried if m in _WANTS]
    if needs:
        return "its body cannot be mapped: " + "; ".join(needs)
    return f"motivation {', '.join(map(shown, tried))} cannot be mapped to a mention, claim, event or note"


_ID = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")


_DATE = re.compile(r"[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?(/[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?)?")


def shown(text: str) -> str:
    """Return TEXT with each character that is not printable written as an escape (as repr writes it).

    Ids, motivations and file names come from the file imported: printed as they are, an escape
    sequence in one would be a command to the terminal (retitle it, clear it).
    """
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
