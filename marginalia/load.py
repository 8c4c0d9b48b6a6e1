"""Stage 1, load: read content/ into the data model, checking every file.

Each file is read strictly (reader.py: its text, and YAML with the line of
every value) and checked against its JSON Schema (schema.py); what passes
becomes the model's Articles, Entities and Sources.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from sys import intern
from typing import Any

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
    by_date,
)
from .reader import (
    read_text,
    read_yaml,
    whole_file,
)
from .schema import ascii_id, schema_errors, validate

ENTITIES_FILE = "entities.yml"
SOURCES_FILE = "sources.yml"
ARTICLES_DIR = "articles"


def load_content(content_dir: Path, problems: Problems) -> Content:
    """Return everything under CONTENT_DIR, adding what is wrong to PROBLEMS."""
    entities, sources, unreadable = load_registries(content_dir, problems)
    md_paths = article_paths(content_dir, problems)
    articles = [article for md_path in md_paths if (article := load_article(md_path, problems)) is not None]
    articles.sort(key=by_date, reverse=True)
    return Content(articles=articles, entities=entities, sources=sources, unreadable=unreadable)


_SLUG = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")


def _check_slugs(folder: Path, names: list[str], problems: Problems) -> None:
    """Report file names that are not slugs, or that collide once case and Unicode are folded."""
    seen: dict[str, str] = {}
    for name in names:
        stem = name[: -len(".md")]
        folded = unicodedata.normalize("NFKC", stem).casefold()
        if folded in seen:
            message = f"{name!r} collides with {seen[folded]!r}"
            problems.add(whole_file(folder / name), "M205", message, "rename one of them")
        elif not _SLUG.fullmatch(stem):
            suggested = ascii_id(stem)
            problems.add(
                whole_file(folder / name),
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
        problems.add(whole_file(folder), "M014", "symbolic links are not followed in content/", "make it a folder")
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


# --- Registries --------------------------------------------------------------


def _load_registry(path: Path, kind: str, make: Any, problems: Problems) -> Iterator[Any]:
    """Yield the entries of a registry file, made by MAKE(item, where)."""
    if not path.is_file():
        problems.add(
            whole_file(path), "M010", f"missing {path.name}", f"create it: content/{path.name} lists the {kind}"
        )
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
