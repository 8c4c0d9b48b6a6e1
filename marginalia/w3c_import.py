"""W3C Web Annotations in: `build.py import FILE.jsonld --article SLUG`.

Reads annotations as this site exports them (see export.py) or as other
annotation tools write them, anchors each by its TextQuoteSelector exactly as
the checker anchors a quote, maps it to a mention, claim, event or note, and
appends the items to the article's annotation file: see `import_annotations`.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import sys
import tempfile
import unicodedata
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import yaml

from .config import Config
from .export import site_base
from .model import (
    CLAIM_STATUSES,
    Annotation,
    Article,
    Claim,
    Content,
    Event,
    Location,
    Mention,
    Note,
    Selector,
)
from .reader import FORBIDDEN_CHARACTERS, MAX_FILE_BYTES


class ImportFailure(Exception):
    """The import cannot go on at all (a usage or file problem)."""

    def __init__(self, message: str, code: int = 2):
        super().__init__(message)
        self.code = code


@dataclass
class Imported:
    """One W3C annotation turned into a YAML item."""

    label: str
    """How reports name it: its number in the file, and its id if it has one."""
    section: str
    """mentions, claims, events or notes."""
    item: dict[str, Any]
    """The YAML item, keys in the order they are written."""
    span: tuple[int, int] = (0, 0)


@dataclass
class ImportReport:
    """What an import did."""

    imported: list[Imported] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    """One line per annotation not imported: file, which one, why."""
    written: Path | None = None


_SECTIONS = ("mentions", "claims", "events", "notes")
_ID = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
_DATE = re.compile(r"[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?(/[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?)?")


def shown(text: str) -> str:
    """Return TEXT with each character that is not printable written as an escape (as repr writes it).

    Ids, motivations and file names come from the file imported: printed as they are, an escape
    sequence in one would be a command to the terminal (retitle it, clear it).
    """
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


# --- The command ----------------------------------------------------------------------------------


def import_command(config: Config, source: Path, slug: str, quiet: bool = False) -> int:
    """Run `build.py import`; return the exit code (0 all imported, 1 some not, 2 usage)."""
    try:
        report = import_annotations(config, source, slug)
    except ImportFailure as err:
        print(f"error: {err}", file=sys.stderr)
        return err.code
    for line in report.rejected:
        print(line, file=sys.stderr)
    counts = {s: sum(e.section == s for e in report.imported) for s in _SECTIONS}
    if report.written and not quiet:
        summary = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
        print(f"Imported {len(report.imported)} annotation(s) into {report.written}: {summary}")
    if report.rejected:
        print(f"{len(report.rejected)} annotation(s) not imported", file=sys.stderr)
        return 1
    if not report.imported and not quiet:
        print("No annotations found.")
    return 0


# --- The import, top to bottom --------------------------------------------------------------------


def import_annotations(config: Config, source: Path, slug: str) -> ImportReport:
    """Append the W3C annotations in SOURCE to the annotation file of article SLUG.

    SOURCE holds an Annotation, a list of them, an AnnotationPage, or an
    AnnotationCollection with items or first.items. Each annotation is
    anchored by its TextQuoteSelector exactly as the checker anchors a quote
    with prefix and suffix. If its prefix or suffix do not match (a tool that
    quoted another rendering of the page), the words are still taken where a
    TextPositionSelector beside it points at them, or where they occur only
    once. It is then mapped by motivation and bodies:

    - commenting (or no motivation, with a text body): a note with the text;
    - identifying, tagging, classifying with a body naming an entity (its
      page on this site, its Wikidata item, or its exact name or alias): a
      mention;
    - assessing with a text body giving a status: a claim, with summary
      (describing), review (commenting), claimant (identifying), about
      (tagging) and sources (linking to the source's page sources/ID.html, to
      sources.html#source-ID as exported before, or to a source's URL);
    - describing with a date (tagging) and a title: an event.

    Items are written with the shortest quote/prefix/suffix/occurrence that
    the checker anchors at the same words; claim and event ids come from the
    annotation's id where it is one of ours, else from their words. Nothing
    is written unless the result passes the checker and reads as the file's
    annotations plus exactly the new ones, every line that was there kept as
    it was (see `insert_items`); annotations that do not anchor, cannot be
    mapped, are already there, or would make the checker fail are reported
    (file, which annotation, why), never dropped silently. A file too large,
    nested too deeply or not JSON is refused whole (see `read_source`).
    """
    data = read_source(source)
    content, article = _article_to_import_into(config, slug)
    importer = _Importer(source, article, _Resolver(content, site_base(config)))
    importer.taken = {(kind, item.id) for a in content.articles for kind, item in _ids_of(a)}
    importer.present = {
        _sameness(_SECTION_OF[type(a)], span.start, span.end, _fields_of(a)): a.where
        for a in article.annotations
        for span in a.spans
    }
    report = ImportReport()
    for number, annotation in enumerate(read_w3c(data), 1):
        taken = importer.take(number, annotation)
        if isinstance(taken, str):
            report.rejected.append(taken)
        else:
            report.imported.append(taken)
    _write_checked(config, article, source, report)
    return report


def _article_to_import_into(config: Config, slug: str) -> tuple[Content, Article]:
    """Return the content and its article SLUG, anchored; ImportFailure if the content has errors or no SLUG."""
    from .anchor import anchor_article
    from .errors import Problems
    from .load import load_content
    from .markup import make_markdown
    from .pipeline import check

    before = [p for p in check(config) if p.severity == "error"]
    if before:
        raise ImportFailure(
            f"the content has {len(before)} error(s) already; fix them first (python build.py check)\n"
            + "\n".join(map(str, before)),
            1,
        )
    problems = Problems()
    content = load_content(config.content_dir, problems)
    article = next((a for a in content.articles if a.slug == slug), None)
    if article is None:
        known = ", ".join(sorted(a.slug for a in content.articles)) or "none"
        raise ImportFailure(f"no article {slug!r} in {config.content_dir} (articles: {known})")
    anchor_article(article, make_markdown(), problems)
    return content, article


_SURROGATE = re.compile("[\ud800-\udfff]")
"""Half of a UTF-16 pair, alone: JSON can write one ("\\ud800"), UTF-8 cannot."""


def _unwritable(fields: dict[str, Any]) -> str:
    """Return what in FIELDS' text the site refuses (a control character, a lone surrogate), or ""."""
    texts = [str(v) for value in fields.values() for v in (value if isinstance(value, list) else [value])]
    for text in texts:
        if bad := FORBIDDEN_CHARACTERS.search(text):
            return f"an invisible control character (U+{ord(bad.group()):04X}), which the site refuses"
        if bad := _SURROGATE.search(text):
            return f"a lone surrogate (U+{ord(bad.group()):04X}), which is not a character"
    return ""


def _ids_of(article: Article) -> list[tuple[str, Claim | Event]]:
    return [("claims", c) for c in article.claims] + [("events", e) for e in article.events]


@dataclass
class _Importer:
    """Turns the annotations of one file into items of one article, one at a time."""

    source: Path
    article: Article
    resolver: _Resolver
    taken: set[tuple[str, str]] = field(default_factory=set)
    """The claim and event ids in use, by section: the site's and those given in this import."""
    present: dict[tuple[Any, ...], Location] = field(default_factory=dict)
    """Where each annotation of the article is (its sameness), this import's included."""

    def take(self, number: int, annotation: Any) -> Imported | str:
        """Return ANNOTATION (the NUMBERth of the file) as an item, or the line that says why it is not one."""
        label = f"annotation {number}"
        if isinstance(annotation, dict) and isinstance(annotation.get("id"), str):
            label += f" ({shown(annotation['id'])})"
        why = f"{self.source}: {label}: not imported:"
        if not isinstance(annotation, dict):
            return f"{why} it is not a JSON object"
        mapped = _map(annotation, self.resolver)
        if isinstance(mapped, str):
            return f"{why} {mapped}"
        section, fields = mapped
        if unwritable := _unwritable(fields):
            return f"{why} its text has {unwritable}"
        tqs, tps = _quote_selector(annotation)
        if tqs is None:
            return f"{why} it has no TextQuoteSelector to anchor it"
        anchored = _anchor(self.article, tqs, tps)
        if isinstance(anchored, str):
            return f"{why} {anchored}"
        same = _sameness(section, *anchored, fields)
        if same in self.present:
            where = self.present[same]
            there = f"{where}" if where.line else "this import"
            return f"{why} the same {section[:-1]} of the same words is already at {there}"
        self.present[same] = Location(self.source)
        item = {**minimal_selector(self.article, *anchored), **fields}
        if section in ("claims", "events"):
            item["id"] = self._new_id(section, annotation, item)
        return Imported(label, section, item, anchored)

    def _new_id(self, section: str, annotation: dict[str, Any], item: dict[str, Any]) -> str:
        """Return an id for a new claim or event: the annotation's, if it is one of ours, else from its words."""
        prefix = "claim-" if section == "claims" else "event-"
        base = _fragment_id(annotation, prefix) or slugify(item.get("title") or item.get("summary") or item["quote"])
        new_id, n = base, 1
        while (section, new_id) in self.taken:
            n += 1
            new_id = f"{base}-{n}"
        self.taken.add((section, new_id))
        return new_id


_SECTION_OF = {Mention: "mentions", Claim: "claims", Event: "events", Note: "notes"}


def _fields_of(annotation: Annotation) -> dict[str, Any]:
    if isinstance(annotation, Mention):
        return {"entity": annotation.entity}
    if isinstance(annotation, Event):
        return {"date": str(annotation.date)}
    if isinstance(annotation, Note):
        return {"text": annotation.text}
    return {}


def _sameness(section: str, start: int, end: int, fields: dict[str, Any]) -> tuple[Any, ...]:
    """Return what makes two annotations the same: kind, words, and the entity, date or note text."""
    detail = {"mentions": "entity", "events": "date", "notes": "text"}.get(section)
    value = " ".join(str(fields.get(detail, "")).split()) if detail else ""
    return (section, start, end, value)


def _write_checked(config: Config, article: Article, source: Path, report: ImportReport) -> None:
    """Write the imported items into ARTICLE's annotation file, leaving out any the checker rejects."""
    path = article.annotations_path or article.source_path.with_suffix(".yml")
    original = path.read_bytes().decode("utf-8") if path.is_file() else _NEW_FILE
    bom = "\ufeff" if original.startswith("\ufeff") else ""
    original = original[len(bom) :]
    comment = f"imported from {shown(source.name)}"
    with tempfile.TemporaryDirectory(prefix="marginalia-import-") as tmp:
        copy = Path(tmp) / "content"
        shutil.copytree(config.content_dir, copy, symlinks=True)
        copy_path = copy / path.relative_to(config.content_dir)
        trial = replace(config, content_dir=copy, site_dir=Path(tmp) / "site")
        text = ""
        while report.imported and not text:
            order = sorted(range(len(report.imported)), key=lambda i: _SECTIONS.index(report.imported[i].section))
            additions: dict[str, list[dict[str, Any]]] = {}
            for i in order:
                additions.setdefault(report.imported[i].section, []).append(report.imported[i].item)
            try:
                candidate, ranges = insert_items(original, additions, comment)
            except ImportFailure as err:
                raise ImportFailure(f"{path}: cannot add the annotations: {err}; nothing was written", 1) from None
            copy_path.write_bytes((bom + candidate).encode("utf-8"))
            culprits = _culprits(trial, copy_path, {order[k]: r for k, r in enumerate(ranges)})
            if not culprits:
                text = candidate
            for i in sorted(culprits, reverse=True):
                entry = report.imported.pop(i)
                report.rejected.append(f"{source}: {entry.label}: not imported: {'; '.join(culprits[i])}")
    if text:
        _replace_file(path, (bom + text).encode("utf-8"))
        report.written = path


_NEW_FILE = "# yaml-language-server: $schema=../../marginalia/schemas/annotations.schema.json\n"
"""How an annotation file the import makes begins."""


def _culprits(trial: Config, copy_path: Path, owned: dict[int, tuple[int, int]]) -> dict[int, list[str]]:
    """Check TRIAL's content; return, by item, what the checker says of the lines of COPY_PATH each one owns."""
    from .pipeline import check

    culprits: dict[int, list[str]] = {}
    for problem in (p for p in check(trial) if p.severity == "error"):
        hits = [i for i, (a, b) in owned.items() if problem.where.path == copy_path and a <= problem.where.line <= b]
        if not hits:
            raise ImportFailure(f"importing would break the content: {problem}", 1)
        culprits.setdefault(hits[0], []).append(f"{problem.message}" + (f" ({problem.hint})" if problem.hint else ""))
    return culprits


def _replace_file(path: Path, data: bytes) -> None:
    """Replace PATH by a file holding DATA in one step, keeping its permissions."""
    tmp_path = path.with_name(f".{path.name}.import-{os.getpid()}")
    try:
        tmp_path.write_bytes(data)
        if path.exists():
            shutil.copymode(path, tmp_path)
        os.replace(tmp_path, path)
    finally:
        tmp_path.unlink(missing_ok=True)


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


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _types(node: Any) -> set[str]:
    return {t for t in _as_list(node.get("type") if isinstance(node, dict) else None) if isinstance(t, str)}


def read_w3c(data: Any) -> list[dict[str, Any]]:
    """Return the annotations in DATA: an Annotation, a list, a page, or a collection with items or first.items."""
    found: list[Any] = []
    for node in _as_list(data):
        if not isinstance(node, dict):
            found.append(node)
        elif _types(node) & {"AnnotationCollection", "AnnotationPage"} or ("items" in node and "target" not in node):
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
    for body in _as_list(annotation.get("body")):
        if isinstance(body, str):
            bodies.append({"id": body})
        elif isinstance(body, dict):
            if _types(body) & {"Choice", "Composite", "List", "Independents"}:
                bodies += [b if isinstance(b, dict) else {"id": b} for b in _as_list(body.get("items"))]
            else:
                bodies.append(body)
    for value in _as_list(annotation.get("bodyValue")):
        if isinstance(value, str):
            bodies.append({"type": "TextualBody", "value": value})
    return bodies


def _purposes(body: dict[str, Any]) -> set[str]:
    return {p for p in _as_list(body.get("purpose")) if isinstance(p, str)}


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


class _Resolver:
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


def _fragment_id(annotation: dict[str, Any], prefix: str) -> str:
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


def _map(annotation: dict[str, Any], resolver: _Resolver) -> Mapped | str:
    """Return (section, item fields) for ANNOTATION, or why it cannot be mapped."""
    motivations = [m for m in _as_list(annotation.get("motivation")) if isinstance(m, str)]
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


def _as_note(bodies: list[dict[str, Any]], texts: _Texts, resolver: _Resolver) -> Mapped | None:
    """Return a note of the text bodies that are comments (or have no purpose)."""
    words = [t for b, t in texts if not _purposes(b) - {"commenting"}]
    return ("notes", {"text": "\n\n".join(words)}) if words else None


def _as_mention(bodies: list[dict[str, Any]], texts: _Texts, resolver: _Resolver) -> Mapped | None:
    """Return a mention of the first entity a body names (its page, its Wikidata item or its name)."""
    for body in bodies:
        entity = resolver.entity(body, by_name=True)
        if entity:
            return "mentions", {"entity": entity}
    return None


def _as_claim(bodies: list[dict[str, Any]], texts: _Texts, resolver: _Resolver) -> Mapped | None:
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


def _as_event(bodies: list[dict[str, Any]], texts: _Texts, resolver: _Resolver) -> Mapped | None:
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


# --- Anchoring ------------------------------------------------------------------------------------


def _quote_selector(annotation: dict[str, Any]) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """Return the first TextQuoteSelector of ANNOTATION's targets, and a TextPositionSelector beside it."""
    for target in _as_list(annotation.get("target")):
        if not isinstance(target, dict):
            continue
        selectors = [s for s in _as_list(target.get("selector")) if isinstance(s, dict)]
        quotes = [s for s in selectors if "TextQuoteSelector" in _types(s) and isinstance(s.get("exact"), str)]
        positions = [s for s in selectors if "TextPositionSelector" in _types(s)]
        if quotes:
            return quotes[0], positions[0] if positions else None
    return None, None


def _try_anchor(article: Article, selector: Selector) -> tuple[list[tuple[int, int]], list[Any]]:
    """Anchor SELECTOR in ARTICLE exactly as the checker does; return the spans and the problems."""
    from .anchor import find_selector
    from .errors import Problems

    problems = Problems()
    probe = Annotation(selector, Location(article.source_path))
    spans = find_selector(probe, article, problems)
    return [(s.start, s.end) for s in spans], list(problems)


def _anchor(article: Article, tqs: dict[str, Any], tps: dict[str, Any] | None) -> tuple[int, int] | str:
    """Return the span a W3C quote selector picks in ARTICLE, or why there is none."""
    exact = tqs["exact"]
    quote = " ".join(exact.split())
    if not quote:
        return "its TextQuoteSelector quotes no words"
    lead, trail = exact[: len(exact) - len(exact.lstrip())], exact[len(exact.rstrip()) :]
    prefix = str(tqs.get("prefix") or "") + lead
    suffix = trail + str(tqs.get("suffix") or "")
    spans, problems = _try_anchor(article, Selector(quote, prefix=prefix, suffix=suffix))
    if len(spans) == 1 and not problems:
        return spans[0]
    if isinstance(tps, dict) and isinstance(tps.get("start"), int) and isinstance(tps.get("end"), int):
        start, end = tps["start"], tps["end"]
        if " ".join(article.text[start:end].split()) == quote:
            alone, _ = _try_anchor(article, Selector(quote, every=True))
            matching = [(s, e) for s, e in (alone or []) if s <= start + len(lead) and end - len(trail) <= e]
            if matching:
                return matching[0]
    alone, _ = _try_anchor(article, Selector(quote))
    if len(alone) == 1 and problems and problems[0].code == "M306":
        return alone[0]  # the only place the words occur: the context came from another rendering of the page
    if not problems:
        return "it does not anchor"
    first = problems[0]
    return f"{first.message}" + (f" ({first.hint})" if first.hint else "")


def minimal_selector(article: Article, start: int, end: int) -> dict[str, Any]:
    """Return the shortest quote/prefix/suffix/occurrence that the checker anchors at START..END."""
    quote = " ".join(article.text[start:end].split())
    spans, problems = _try_anchor(article, Selector(quote))
    if spans == [(start, end)] and not problems:
        return {"quote": quote}
    text = article.text
    block_start, block_end = article.blocks[_block_of(article, start)]
    for size in range(1, 80):
        lo, hi = max(block_start, start - size), min(block_end, end + size)
        while lo > block_start and not text[lo - 1].isspace():
            lo -= 1  # whole words only, for whoever reads the YAML
        while hi < block_end and not text[hi].isspace():
            hi += 1
        for key, context in (("prefix", text[lo:start]), ("suffix", text[end:hi])):
            if not context.strip():
                continue
            context = re.sub(r"\s+", " ", context)
            selector = Selector(quote, prefix=context) if key == "prefix" else Selector(quote, suffix=context)
            spans, problems = _try_anchor(article, selector)
            if spans == [(start, end)] and not problems:
                return {"quote": quote, key: context}
    spans, _ = _try_anchor(article, Selector(quote, every=True))
    if (start, end) in spans:
        return {"quote": quote, "occurrence": spans.index((start, end)) + 1}
    raise ValueError(f"no selector anchors {quote!r} at {start}")


def _block_of(article: Article, offset: int) -> int:
    for i, (start, end) in enumerate(article.blocks):
        if start <= offset <= end:
            return i
    return 0


# --- Writing the YAML -----------------------------------------------------------------------------


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
    for section in _SECTIONS:
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
    from .errors import Problems
    from .reader import read_yaml

    problems = Problems()
    read = read_yaml(text, Path("annotations"), problems)
    if read is None:
        if all(p.code == "M003" for p in problems):
            return None
        raise ImportFailure(f"with the new items, it would not be valid YAML: {problems[0].message}", 1)
    return read[0]
