"""W3C Web Annotations in: `build.py import FILE.jsonld --article SLUG`.

Reads annotations as this site exports them (see export.py) or as other
annotation tools write them, anchors each by its TextQuoteSelector exactly as
the checker anchors a quote, maps it to a mention, claim, event or note, and
appends the items to the article's annotation file: see `import_annotations`.
Reading the file and mapping each annotation are in w3c_read.py, writing the
items into the YAML without touching its other bytes in yaml_edit.py.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .anchor import anchor_article, find_selector
from .config import Config
from .errors import ImportFailure, Problems
from .load import load_content
from .markup import make_markdown
from .model import (
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
from .pipeline import check
from .reader import FORBIDDEN_CHARACTERS
from .urls import site_base
from .w3c_read import Resolver, as_list, fragment_id, map_annotation, read_source, read_w3c, shown, slugify, types_of
from .yaml_edit import SECTIONS, insert_items


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
    importer = _Importer(source, article, Resolver(content, site_base(config)))
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
    resolver: Resolver
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
        mapped = map_annotation(annotation, self.resolver)
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
        base = fragment_id(annotation, prefix) or slugify(item.get("title") or item.get("summary") or item["quote"])
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
            order = sorted(range(len(report.imported)), key=lambda i: SECTIONS.index(report.imported[i].section))
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


# --- Anchoring ------------------------------------------------------------------------------------


def _quote_selector(annotation: dict[str, Any]) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """Return the first TextQuoteSelector of ANNOTATION's targets, and a TextPositionSelector beside it."""
    for target in as_list(annotation.get("target")):
        if not isinstance(target, dict):
            continue
        selectors = [s for s in as_list(target.get("selector")) if isinstance(s, dict)]
        quotes = [s for s in selectors if "TextQuoteSelector" in types_of(s) and isinstance(s.get("exact"), str)]
        positions = [s for s in selectors if "TextPositionSelector" in types_of(s)]
        if quotes:
            return quotes[0], positions[0] if positions else None
    return None, None


def _try_anchor(article: Article, selector: Selector) -> tuple[list[tuple[int, int]], list[Any]]:
    """Anchor SELECTOR in ARTICLE exactly as the checker does; return the spans and the problems."""

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
