"""The data model: what content/ holds, once loaded and anchored.

Names keep distinct things distinct: a *source path* is a file under
content/, a *page path* is a file under site/, and an *id* is the name a
contributor gives an entity, claim, source or event.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

ENTITY_KINDS = ("person", "place", "organization", "event", "concept")
"""The kinds of entity, in the order the glossary lists them."""

CLAIM_STATUSES = ("reported", "confirmed", "disputed", "false")
"""What a claim's status may be, from least to most checked."""


def _by_constructor(self: Any) -> tuple[Any, tuple[Any, ...]]:
    """Pickle a frozen dataclass with slots as a call of its constructor.

    Loading it is then several times faster than through the __setstate__
    dataclasses gives such classes; the build cache loads hundreds of
    thousands of them.
    """
    return type(self), tuple(getattr(self, name) for name in self.__slots__)


@dataclass(frozen=True, slots=True)
class Location:
    """A place in a source file, for messages: 1-based line and column."""

    __reduce__ = _by_constructor

    path: Path
    """The file, as given to the loader."""
    line: int = 0
    """1-based line, or 0 when the whole file is meant."""
    col: int = 0
    """1-based column, or 0 when the whole line is meant."""

    def __str__(self) -> str:
        path = _shown_path(self.path, os.getcwd())
        if not self.line:
            return path
        return f"{path}:{self.line}:{self.col or 1}"


@functools.lru_cache(maxsize=4096)
def _shown_path(path: Path, cwd: str) -> str:
    """Return PATH as messages show it: relative to CWD if it is under it, as compilers print it (clickable in an
    editor). Kept: a site of 10,000 articles can have as many warnings, each naming a path or two."""
    if path.is_absolute() and path.is_relative_to(cwd):
        return str(path.relative_to(cwd))
    return str(path)


@dataclass(frozen=True, slots=True)
class Selector:
    """Where an annotation sits: the W3C TextQuoteSelector idea."""

    __reduce__ = _by_constructor

    quote: str
    """The exact words, as they read in the rendered article."""
    prefix: str = ""
    """Text just before the quote, to pick one of several matches."""
    suffix: str = ""
    """Text just after the quote, to pick one of several matches."""
    occurrence: int | None = None
    """Which match (1-based) when prefix and suffix do not decide; None: the only one."""
    every: bool = False
    """Mentions only: mark every match of the quote, not just one."""


@dataclass(slots=True)
class Span:
    """An anchored selector: a range of the article's plain text."""

    start: int
    """Offset of the first character in the article's plain text."""
    end: int
    """Offset just past the last character."""
    block: int
    """Index of the text block (title, paragraph, heading...) holding it."""
    line: int
    """1-based line of the quote's start in the article's .md file."""
    id: str = ""
    """The HTML id of the highlighted words, stable while the quote is."""


@dataclass(eq=False)
class Entity:
    """A person, place, organization, event or concept in the glossary."""

    id: str
    """The id annotations refer to; also the entity page's file name."""
    name: str
    """The name the site shows."""
    kind: str
    """One of ENTITY_KINDS."""
    description: str = ""
    """Markdown, one paragraph; its first sentence is the card's summary."""
    aliases: list[str] = field(default_factory=list)
    """Other names the entity goes by."""
    wikidata: str = ""
    """Wikidata item id (Q...), only where certain."""
    sort_as: str = ""
    """What the glossary sorts it by, if not its name (a person's: from the last word of it)."""
    sources: list[str] = field(default_factory=list)
    """Ids of the sources for the description."""
    where: Location | None = None
    """Where the entity is defined."""


@dataclass
class Source:
    """A document that claims and descriptions cite."""

    id: str
    """The id claims refer to."""
    title: str
    """The document's title, as published."""
    publisher: str = ""
    """Who published it; empty when not known."""
    date: str = ""
    """Publication date, ISO 8601 (YYYY, YYYY-MM or YYYY-MM-DD)."""
    url: str = ""
    """Where it can be read; empty when it cannot be verified."""
    article: str = ""
    """Slug of the article on this site that reproduces it, if any."""
    note: str = ""
    """Markdown: anything a reader should know about the source."""
    where: Location | None = None
    """Where the source is defined."""


@dataclass(frozen=True, slots=True)
class EventDate:
    """A date at its real precision, or a range of two."""

    __reduce__ = _by_constructor

    start: str
    """ISO 8601 date: YYYY, YYYY-MM or YYYY-MM-DD."""
    end: str = ""
    """The range's last day (same forms), or empty for a single date."""

    @property
    def sort_key(self) -> tuple[dt.date, dt.date]:
        """Return a key that orders dates by their first, then last day."""
        return _sort_key(self.start, self.end)

    def __str__(self) -> str:
        return f"{self.start}/{self.end}" if self.end else self.start


@functools.lru_cache(maxsize=65536)
def _sort_key(start: str, end: str) -> tuple[dt.date, dt.date]:
    return (_first_day(start), _last_day(end or start))


def _first_day(iso: str) -> dt.date:
    parts = [int(p) for p in iso.split("-")] + [1, 1]
    return dt.date(parts[0], parts[1], parts[2])


def _last_day(iso: str) -> dt.date:
    parts = [int(p) for p in iso.split("-")]
    if len(parts) == 3:
        return dt.date(*parts)
    if len(parts) == 1:
        return dt.date(parts[0], 12, 31)
    year, month = parts
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


@dataclass(slots=True)
class Annotation:
    """What every annotation has: a selector, its place, and its anchoring."""

    selector: Selector
    """The quote it is anchored by."""
    where: Location
    """Where it is written in the annotation file."""
    spans: list[Span] = field(default_factory=list)
    """Where it landed in the article (several only for `every` mentions)."""


@dataclass(slots=True)
class Mention(Annotation):
    """Words in an article that name an entity."""

    entity: str = ""
    """Id of the entity named."""


@dataclass(slots=True)
class Claim(Annotation):
    """A checkable statement in an article, with its status and sources."""

    id: str = ""
    """Site-wide id of the claim."""
    status: str = "reported"
    """One of CLAIM_STATUSES."""
    sources: list[str] = field(default_factory=list)
    """Ids of the sources for the claim and its status."""
    claimant: str = ""
    """Id of the entity who makes the claim, if the article says."""
    about: list[str] = field(default_factory=list)
    """Ids of entities the claim is about, beyond those mentioned inside it."""
    summary: str = ""
    """A short restatement for lists; defaults to the quote."""
    review: str = ""
    """Markdown: why the claim has its status."""


@dataclass(slots=True)
class Event(Annotation):
    """A dated happening that the article states."""

    id: str = ""
    """Site-wide id of the event."""
    date: EventDate = field(default_factory=lambda: EventDate("1970"))
    """When it happened, at the precision the article gives."""
    title: str = ""
    """A one-line description for the timeline."""
    entities: list[str] = field(default_factory=list)
    """Ids of entities involved, beyond those mentioned inside the quote."""
    note: str = ""
    """Markdown: how the date was worked out, where the article is not explicit."""


@dataclass(slots=True)
class Appearance(Annotation):
    """A passage that reports a claim or an event defined in another article (or earlier in this one).

    It is written as the claim or event with its id and quote only: the
    definition, once on the site, carries the status, sources, date and title.
    """

    kind: str = "event"
    """"claim" or "event"."""
    id: str = ""
    """Id of the claim or event it reports."""
    date: EventDate | None = None
    """Events: the date at the precision this article gives, if it gives one."""


@dataclass(slots=True)
class Note(Annotation):
    """An editor's remark on a passage, shown in the margin."""

    text: str = ""
    """Markdown, one paragraph."""
    number: int = 0
    """Its number among the article's notes, from 1, in text order."""


@dataclass
class Article:
    """One article: its front matter, its text, and its annotations."""

    slug: str
    """File name without .md; also the page's file name."""
    title: str
    """Headline."""
    date: str
    """Publication date, YYYY-MM-DD."""
    body: str
    """The Markdown text after the front matter, exactly as written."""
    source_path: Path
    """The .md file."""
    annotations_path: Path | None = None
    """The .yml file beside it, if any."""
    title_line: int = 2
    """Line of the .md file where the title is given."""
    body_line: int = 1
    """Line of the .md file where the body starts."""
    dateline: str = ""
    """Where the story was filed from."""
    byline: str = ""
    """Who wrote it, where known."""
    publisher: str = ""
    """Who published it, where known."""
    url: str = ""
    """The original's address, where known."""
    licence: str = ""
    """Terms it is republished under, where known."""
    note: str = ""
    """Markdown: what a reader should know about this copy."""
    mentions: list[Mention] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    appearances: list[Appearance] = field(default_factory=list)
    """Its passages that report a claim or an event defined elsewhere."""
    text: str = ""
    """Plain text of the rendered article (title first), as anchors see it."""
    blocks: list[tuple[int, int]] = field(default_factory=list)
    """(start, end) of each text block in `text`."""
    block_lines: list[int] = field(default_factory=list)
    """Line of the .md file where each text block starts."""
    tokens: list[Any] = field(default_factory=list)
    """markdown-it tokens of the body, with annotation tokens inserted."""
    title_tokens: list[Any] = field(default_factory=list)
    """markdown-it inline tokens of the title, with annotation tokens inserted."""
    lede: str = ""
    """Plain text of the first paragraph, for feeds; kept when the text is dropped."""

    def drop_text(self) -> None:
        """Forget what only the article's own pages show, once they are written: the index has what it needs.

        That is its text and tokens, its notes, and of its mentions all but
        one per entity, without its quote and spans: which entities the
        article mentions is all that the pages of the whole site and the
        build's later stages ask of them (`changes.entities_of`). The
        index's snippets keep the spans they show.
        """
        self.body = self.text = ""
        self.blocks, self.block_lines, self.tokens, self.title_tokens = [], [], [], []
        first: dict[str, Mention] = {}
        for mention in self.mentions:
            first.setdefault(mention.entity, mention)
        if first:
            where, spans = self.mentions[0].where, list[Span]()  # one for all: the file is the same
            for mention in first.values():
                mention.selector, mention.where, mention.spans = _DROPPED, where, spans
        self.mentions, self.notes = list(first.values()), []

    @property
    def annotations(self) -> list[Annotation]:
        """Return every annotation of the article, in file order by kind; its appearances apart."""
        return [*self.mentions, *self.claims, *self.events, *self.notes]


_DROPPED = Selector("")
"""The selector of a mention whose article's text was dropped (`Article.drop_text`)."""


class _Dated(Protocol):
    @property
    def date(self) -> str: ...
    @property
    def slug(self) -> str: ...


def by_date(article: _Dated) -> tuple[str, str]:
    """The site's one order of articles, as a sort key: by date, then by slug (newest first: reversed).

    Takes an `Article`, or anything else that has an article's date and slug (`check.Contribution`).
    """
    return article.date, article.slug


@dataclass
class Content:
    """Everything under content/, loaded."""

    articles: list[Article]
    """Newest first."""
    entities: dict[str, Entity]
    sources: dict[str, Source]
    unreadable: set[str] = field(default_factory=set)
    """Registries ('entities', 'sources') that could not be read: ids in them are not checked."""
