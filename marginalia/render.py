"""Stage 4, render: turn the anchored content and its index into pages.

Jinja2 renders every page with autoescaping on and StrictUndefined. The only
HTML marked safe is what markdown-it-py produced (raw HTML off) and the
annotation markup added by the render rules below, which escape every value
they print.
"""

from __future__ import annotations

import html
import itertools
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache, partial
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote, urlencode, urljoin, urlsplit

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markdown_it import MarkdownIt
from markupsafe import Markup

from . import export
from .config import Config
from .filters import badge, entity_link, event_date, month_name, source_link, year_strip
from .index import SNIPPET_ARTICLES, Index, MentionRef, Placed, entity_summary, year_of
from .markup import DROPPED
from .model import CLAIM_STATUSES, ENTITY_KINDS, Article, Claim, Content, Entity, Event, Source, by_date
from .sanitize import sanitize
from .urls import (
    archive_path,
    article_path,
    claims_page_path,
    claims_path,
    entity_path,
    glossary_path,
    source_path,
    sources_letter_path,
    timeline_page_path,
    timeline_path,
    verdict_page_path,
    verdict_path,
)
from .wording import KIND_PLURALS, STATUS_HELP, human_date

HOME_ARTICLES = 20
"""How many of the newest articles the home page lists; the others are on the monthly archive pages."""

ENTITY_PAGE_ARTICLES = SNIPPET_ARTICLES
"""How many articles, the newest, an entity's page shows the mentions of in context."""

ENTITY_PAGE_MENTIONS = 3
"""How many mentions of one article an entity's page shows in context when it has archive pages (they show
them all); without, it shows them all itself."""

ENTITY_PAGE_ITEMS = 5
"""How many claims of each verdict, and twice as many events, an entity's page shows (the newest) when it has
archive pages; without, it shows them all."""

ENTITY_ARCHIVE_ARTICLES = 25
"""How many articles each archive page of an entity holds: its pages are numbered from the oldest article
on, so that a page's address and contents change only when its own articles do (about 3 KB of HTML each)."""

CLAIMS_PAGE_CLAIMS = 70
"""How many claims each page of a month's claims holds: a month with more has further pages,
claims/YYYY-MM/2.html and on, the newest claims on the month's own page (see claims_pages). About 1.5 KB
of HTML a claim, and on the month's own page about 60 B for the anchor of each claim on the others: at
10,000 articles (up to 490 claims a month) no page is over 150 KB."""

TIMELINE_PAGE_EVENTS = 100
"""How many events each page of a month of the timeline holds: a month with more has further pages,
timeline/YYYY-MM/2.html and on, the latest events on the month's own page (see timeline_pages). So with the
events of a year known only by year (timeline/YYYY/2.html and on), those of the newest articles first. About
600 B of HTML an event."""

SOURCE_PAGE_CLAIMS = 200
"""How many of the claims that cite a source its page lists (about 400 B of HTML each): a source cited by more
has further pages, sources/ID/2.html and on, the newest claims on its own page (see source_pages)."""

SOURCES_IN_FULL = 300
"""Up to this many sources, the page of sources lists them all; beyond, it links to a page per letter of their
titles (sources/a-z/L.html), keeping the anchor of each source (sources.html#source-ID) to lead on there."""

VERDICT_NEWEST = 40
"""How many claims, the newest, the page of a verdict shows (its pages by month show them all)."""

TIMELINE_LATEST = 30
"""How many events, those of the latest dates, the timeline's page lists (its pages by year and month list them all)."""

SHOWN_IN_FULL = 200
"""Up to this many claims (or events), the claims page (or the timeline) shows them all itself, as well
as on their pages by month (or year); beyond, it shows only how many each of those pages has."""


@dataclass
class Page:
    """One output file: where it goes and what it holds."""

    path: str
    """Path under site/, with forward slashes, e.g. entities/turkey.html."""
    html: str


def claims_pages(claims: Sequence[T]) -> list[Sequence[T]]:
    """Return the claims of a month (newest first) as its pages hold them, CLAIMS_PAGE_CLAIMS a page, page 1 first."""
    return _in_pages(claims, CLAIMS_PAGE_CLAIMS)


def timeline_pages(events: Sequence[T]) -> list[Sequence[T]]:
    """Return the events of a month (or those of a year known only by year), the latest first, as its pages
    hold them, TIMELINE_PAGE_EVENTS a page, page 1 first."""
    return _in_pages(events, TIMELINE_PAGE_EVENTS)


def source_pages(claims: Sequence[T]) -> list[Sequence[T]]:
    """Return the claims that cite a source (newest first) as its pages hold them, SOURCE_PAGE_CLAIMS a page,
    page 1 first."""
    return _in_pages(claims, SOURCE_PAGE_CLAIMS)


def _in_pages(items: Sequence[T], step: int) -> list[Sequence[T]]:
    return [items[start : start + step] for start in range(0, len(items), step)] or [items]


Plan = dict[str, Callable[[], "Page"]]
"""Every page of the site by path, each rendered only when called."""


class Renderer:
    """Renders pages from one templates folder, with the one Markdown parser (`markup.make_markdown`)."""

    def __init__(self, config: Config, md: MarkdownIt):
        self.md = md
        self.config = config
        self._rendered: dict[str, Markup] = {}
        self._rendered_inline: dict[str, Markup] = {}
        self.env = Environment(
            loader=FileSystemLoader(config.templates_dir),
            autoescape=True,
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            auto_reload=False,  # no template changes during a build (the dev server starts a new one when they do)
        )
        self.env.filters.update(
            markdown=self.markdown,
            inline_markdown=self.inline_markdown,
            human_date=human_date,
            summary=entity_summary,
            by_article=by_article,
            groupby_letter=groupby_letter,
        )
        self.env.globals.update(
            config=config,
            article_path=article_path,
            entity_path=entity_path,
            source_path=source_path,
            sources_letter_path=sources_letter_path,
            archive_path=archive_path,
            claims_path=claims_path,
            claims_page_path=claims_page_path,
            verdict_path=verdict_path,
            verdict_order=VERDICT_ORDER,
            timeline_path=timeline_path,
            timeline_page_path=timeline_page_path,
            partial_path=partial,
            glossary_path=glossary_path,
            glossary_letter=glossary_letter,
            alphabet=[chr(c) for c in range(ord("A"), ord("Z") + 1)],
            home_articles=HOME_ARTICLES,
            shown_in_full=SHOWN_IN_FULL,
            kinds=ENTITY_KINDS,
            kind_plurals=KIND_PLURALS,
            statuses=CLAIM_STATUSES,
            status_help=STATUS_HELP,
            event_date=event_date,
            entity_link=entity_link,
            source_link=source_link,
            badge=badge,
            year_strip=year_strip,
            timeline_latest=TIMELINE_LATEST,
            status_counts=status_counts,
            by_verdict=by_verdict,
            by_year=by_year,
            month_name=month_name,
            entity_page_mentions=ENTITY_PAGE_MENTIONS,
            entity_page_items=ENTITY_PAGE_ITEMS,
            edit_url=self.edit_url,
            correction_url=self.correction_url,
        )
        self.env.globals.update(export.jinja_globals(config))

    def markdown(self, text: str) -> Markup:
        """Render block Markdown written by a contributor."""
        if text not in self._rendered:  # the same note or review is shown on several pages
            env: dict[str, Any] = {}
            rendered = self.md.render(text, env)
            if env.get(DROPPED):  # nested too deeply for the parser to keep all of it: show it as written
                rendered = f"<p>{html.escape(text)}</p>"
            self._rendered[text] = Markup(sanitize(rendered))  # noqa: S704 - sanitized
        return self._rendered[text]

    def inline_markdown(self, text: str) -> Markup:
        """Render one paragraph of Markdown without the <p>."""
        if text not in self._rendered_inline:
            self._rendered_inline[text] = Markup(sanitize(self.md.renderInline(" ".join(text.split()))))  # noqa: S704
        return self._rendered_inline[text]

    def edit_url(self, source_path: Path | None) -> str:
        """Return where SOURCE_PATH can be edited online, or "" (MkDocs' repo_url + edit_uri)."""
        config = self.config
        if not (config.repo_url and config.edit_uri and source_path):
            return ""
        relative = source_path.relative_to(config.content_dir).as_posix()
        return urljoin(urljoin(config.repo_url.rstrip("/") + "/", config.edit_uri), quote(relative))

    def correction_url(self, title: str) -> str:
        """Return a link that opens an issue about TITLE, where the repository is on GitHub."""
        if urlsplit(self.config.repo_url).hostname != "github.com":
            return ""
        query = urlencode({"title": f"Correction: {title}", "body": "What is wrong, and the source that shows it:\n"})
        return f"{self.config.repo_url.rstrip('/')}/issues/new?{query}"

    def page(self, template: str, path: str, **context: Any) -> Page:
        """Render TEMPLATE as the page at PATH (which fixes its relative root)."""
        root = "../" * path.count("/")
        html_text = self.env.get_template(template).render(root=root, page_path=path, **context)
        return Page(path, html_text)

    def article_body(self, article: Article, content: Content, root: str) -> tuple[Markup, Markup]:
        """Return the annotated title and body of ARTICLE as HTML."""
        env = {"root": root, "entities": content.entities, "sources": content.sources, "md": self.md}
        renderer: Any = self.md.renderer  # markdown-it's RendererHTML; its protocol type lacks renderInline
        # The headline is read, not annotated: its passages keep their ids (links land on them) and nothing else.
        title = renderer.renderInline(article.title_tokens[0].children or [], self.md.options, {**env, "title": True})
        body_env = {**env, "article": article, "linked": set(), "mention_tags": []}
        body = self.md.renderer.render(article.tokens, self.md.options, body_env)
        return Markup(title), Markup(body)  # noqa: S704 - our renderer, values escaped

    def pages(self, content: Content, index: Index) -> Iterator[Page]:
        """Yield every page of the site."""
        for make in self.plan(content, index).values():
            yield make()

    def plan(self, content: Content, index: Index) -> dict[str, Callable[[], Page]]:
        """Return every page of the site by path, each rendered only when called."""
        common = {"content": content, "index": index}
        glossary = Glossary.of(content.entities, index)
        plan: Plan = {
            "index.html": partial(self.page, "home.html", "index.html", **common),
            "glossary.html": partial(self.page, "glossary.html", "glossary.html", glossary=glossary, **common),
            "timeline.html": partial(self.page, "timeline.html", "timeline.html", **common),
            "claims.html": partial(self.page, "claims.html", "claims.html", **common),
        }
        self._plan_sources(plan, content, index, common)
        self._plan_archive(plan, content, index, common)
        self._plan_timeline(plan, content, index, common)
        self._plan_claims(plan, content, index, common)
        self._plan_verdicts(plan, content, index, common)
        self._plan_glossary(plan, content, index, common, glossary)
        self._plan_source_pages(plan, content, index, common)
        self._plan_articles_and_entities(plan, content, index, common)
        exports = export.plan(content, index, self.config, plan.keys())  # the sitemap reads them when made
        plan.update({path: partial(lambda p, f: Page(p, f()), path, make) for path, make in exports.items()})
        return plan

    def _plan_sources(self, plan: Plan, content: Content, index: Index, common: dict[str, Any]) -> None:
        """The list of sources, and past SOURCES_IN_FULL of them its page per letter."""
        # past SOURCES_IN_FULL sources, the list of sources is on a page per letter of their titles
        sources, split = sources_by_letter(content.sources), len(content.sources) > SOURCES_IN_FULL
        plan["sources.html"] = partial(
            self.page, "sources.html", "sources.html", letters=sources, split=split, **common
        )
        for letter, listed in sources.items() if split else ():
            path = sources_letter_path(letter)
            context = {"letters": sources, "letter": letter, "listed": listed, "split": split, **common}
            plan[path] = partial(self.page, "sources.html", path, **context)

    def _plan_archive(self, plan: Plan, content: Content, index: Index, common: dict[str, Any]) -> None:
        """The articles of each month."""
        # Each list is split into pages whose address depends only on what they list (the month an
        # article was published, the year an event starts, a source's id), so that a link to an
        # item never breaks as the site grows, and adding an article changes only a few pages.
        # Each page of a series links to the one before and after it (see changes.neighbours_stale).
        series: list[tuple[str, Callable[[str], str], str, dict[str, list[Any]], str]] = [
            # (template, its path, the variable naming its month or year, the items by month or year, their name)
            ("archive.html", archive_path, "month", index.articles_by_month, "articles"),
        ]
        for template, path_of, when, groups, name in series:
            pager = _pager(groups)
            for key, items in groups.items():
                path = path_of(key)
                context = {when: key, name: items, "pager": pager[key], **common}
                plan[path] = partial(self.page, template, path, **context)

    def _plan_timeline(self, plan: Plan, content: Content, index: Index, common: dict[str, Any]) -> None:
        """The events of each month and year, in pages of TIMELINE_PAGE_EVENTS."""
        # A month of many events has further pages, as a month of many claims has (see below), its own page
        # keeping an anchor for each event on the others; so has a year of many events known only by year
        # (a year's page lists those, and links to its months).
        pager = _pager(index.events_by_month)
        for month, events in index.events_by_month.items():
            parts = timeline_pages(events)
            for number, part in enumerate(parts, 1):
                path = timeline_page_path(month, number)
                context = {"month": month, "total": len(events), "events": part, "chunks": parts, "number": number}
                plan[path] = partial(self.page, "timeline_month.html", path, pager=pager[month], **context, **common)
        pager = _pager(index.events_by_year)
        for year, events in index.events_by_year.items():
            of_year = {"year": year, "events": events, "months": by_month(events), "pager": pager[year]}
            parts = timeline_pages([placed for placed in events if len(placed.item.date.start) == len(year)])
            for number, part in enumerate(parts, 1):
                path = timeline_page_path(year, number)
                context = {"undated": part, "chunks": parts, "number": number, **of_year, **common}
                plan[path] = partial(self.page, "timeline_year.html", path, **context)

    def _plan_claims(self, plan: Plan, content: Content, index: Index, common: dict[str, Any]) -> None:
        """The claims of each month, in pages of CLAIMS_PAGE_CLAIMS."""
        # A month of many claims has several pages, which link to the pages either side of them. The
        # month's own page holds the newest claims and an anchor for every other, which leads on to its
        # page: links to a claim name the month's page, so that where a claim is listed, which other
        # articles of the month decide, changes no page but the month's.
        pager = _pager(index.claims_by_month)
        for month, claims in index.claims_by_month.items():
            chunks = claims_pages(claims)
            for number, chunk in enumerate(chunks, 1):
                path = claims_page_path(month, number)
                context = {"month": month, "claims": chunk, "pager": pager[month], "number": number, "chunks": chunks}
                plan[path] = partial(self.page, "claims_month.html", path, total=len(claims), **context, **common)

    def _plan_verdicts(self, plan: Plan, content: Content, index: Index, common: dict[str, Any]) -> None:
        """The claims of each verdict, and of each verdict's month."""
        verdicts = verdicts_by_month(index)
        # each verdict has its page, if only to say it has no claims: they link to each other
        for status in VERDICT_ORDER:
            months = verdicts.get(status, {})
            pager = _pager(months)
            path = verdict_path(status)
            every = (placed for claims in months.values() for placed in claims)
            newest = list(itertools.islice(every, VERDICT_NEWEST))
            total = sum(map(len, months.values()))
            month_path = partial(verdict_path, status)
            context = {"status": status, "claims": newest, "total": total, "months": months, "month_path": month_path}
            plan[path] = partial(self.page, "claims_verdict.html", path, **context, **common)
            for month, claims in months.items():  # in pages of CLAIMS_PAGE_CLAIMS, as the claims of a month
                chunks = claims_pages(claims)
                part_path = partial(verdict_page_path, status, month)
                for number, chunk in enumerate(chunks, 1):
                    path = part_path(number)
                    context = {"status": status, "month": month, "claims": chunk, "pager": pager[month], **common}
                    context |= {"number": number, "chunks": chunks, "total": len(claims), "part_path": part_path}
                    plan[path] = partial(self.page, "claims_verdict.html", path, **context)

    def _plan_glossary(
        self, plan: Plan, content: Content, index: Index, common: dict[str, Any], glossary: Glossary
    ) -> None:
        """The glossary's pages per letter and per kind (a kind of many entries, per letter too)."""
        for letter, entries in glossary.letters.items():
            path = glossary_path(letter)
            context = {"glossary": glossary, "letter": letter, "entries": entries, **common}
            plan[path] = partial(self.page, "glossary_part.html", path, **context)
        for kind, entries in glossary.kinds.items():  # a kind of many entries has a page for each letter
            path = glossary_path(kind)
            letters = glossary.kind_letters(kind)
            context = {"glossary": glossary, "kind": kind, "entries": entries, "letters": letters, **common}
            plan[path] = partial(self.page, "glossary_part.html", path, **context)
            for letter, members in letters.items():
                path = glossary_path(kind, letter)
                context = {"glossary": glossary, "kind": kind, "letter": letter, "entries": members, **common}
                plan[path] = partial(self.page, "glossary_part.html", path, letters=letters, **context)

    def _plan_source_pages(self, plan: Plan, content: Content, index: Index, common: dict[str, Any]) -> None:
        """Each source's page: the claims that cite it, in pages of SOURCE_PAGE_CLAIMS."""
        for source in content.sources.values():  # the claims that cite it, in pages as a month's claims
            citing = source_pages(index.claims_of_source.get(source.id, []))
            for number, chunk in enumerate(citing, 1):
                path = source_path(source.id, number)
                context = {"source": source, "claims": chunk, "chunks": citing, "number": number, **common}
                plan[path] = partial(self.page, "source.html", path, **context)

    def _plan_articles_and_entities(self, plan: Plan, content: Content, index: Index, common: dict[str, Any]) -> None:
        """Each article's page, each entity's page and its archive pages."""
        for article in content.articles:
            plan[article_path(article.slug)] = partial(self.article_page, article, common)
        pages_of = archive_pages(index)
        for entity in content.entities.values():  # what their pages show is gathered when one is rendered
            view = cache(partial(entity_view, entity, index))  # once for the entity's page and its archive pages
            plan[entity_path(entity.id)] = partial(self.entity_page, entity, view, 0, common)
            for number in range(1, pages_of.get(entity.id, 0) + 1):
                plan[entity_path(entity.id, number)] = partial(self.entity_page, entity, view, number, common)

    def entity_page(self, entity: Entity, view: Callable[[], EntityView], number: int, common: dict[str, Any]) -> Page:
        """Render the page of ENTITY, or its archive page NUMBER (1 = the oldest), of what VIEW returns."""
        shown = view()
        path = entity_path(entity.id, number)
        if not number:
            return self.page("entity.html", path, entity=entity, view=shown, **common)
        part = shown.parts[len(shown.parts) - number]  # newest first
        return self.page("entity_archive.html", path, entity=entity, view=shown, part=part, **common)

    def article_page(self, article: Article, common: dict[str, Any]) -> Page:
        """Render the page of ARTICLE."""
        title, body = self.article_body(article, common["content"], "../")
        return self.page(
            "article.html", article_path(article.slug), article=article, title_html=title, body_html=body, **common
        )


@dataclass
class EntityArticle:
    """One article as an entity's pages show it: its mentions of the entity, its claims and events about it."""

    article: Article
    mentions: list[MentionRef]
    claims: list[Placed[Claim]]
    events: list[Placed[Event]]


@dataclass
class EntityPart:
    """One archive page of an entity: ENTITY_ARCHIVE_ARTICLES of its articles, newest first."""

    number: int
    articles: list[EntityArticle]
    first: str
    """Date of its oldest article."""
    last: str
    """Date of its newest article."""

    @property
    def label(self) -> str:
        """The dates of its articles, as people write them: "March 2, 2020 – May 4, 2021"."""
        first, last = human_date(self.first), human_date(self.last)
        return first if first == last else f"{first} – {last}"


@dataclass
class EntityView:
    """What the pages of one entity show."""

    articles: list[EntityArticle]
    """Every article that mentions the entity or has a claim or event about it, newest first."""
    claims: list[tuple[str, list[Placed[Claim]]]]
    """(verdict, its claims, newest article first), for the verdicts some have, in the order of VERDICT_ORDER."""
    events: list[Placed[Event]]
    """Its events, the latest date first."""
    parts: list[EntityPart]
    """Its archive pages, the newest first; none when its page shows everything."""

    def beside(self, part: EntityPart) -> tuple[EntityPart | None, EntityPart | None]:
        """Return the archive pages just older and just newer than PART (None at either end), which it links to."""
        count = len(self.parts)  # newest first: page N is at count - N
        older = self.parts[count - part.number + 1] if part.number > 1 else None
        newer = self.parts[count - part.number - 1] if part.number < count else None
        return older, newer

    @property
    def latest(self) -> list[EntityArticle]:
        """The newest articles that mention it, whose mentions its page shows in context."""
        return [a for a in self.articles if a.mentions][:ENTITY_PAGE_ARTICLES]


VERDICT_ORDER = ("false", "disputed", "confirmed", "reported")
"""The claim statuses in the order a reader looks for them: what was shown wrong first."""


def entity_view(entity: Entity, index: Index) -> EntityView:
    """Return what the pages of ENTITY show, from INDEX."""
    by_slug: dict[str, EntityArticle] = {}

    def of(article: Article) -> EntityArticle:
        if article.slug not in by_slug:
            by_slug[article.slug] = EntityArticle(article, [], [], [])
        return by_slug[article.slug]

    for ref in index.mentions.get(entity.id, ()):
        of(ref.article).mentions.append(ref)
    claims = index.claims_of_entity.get(entity.id, [])
    for placed in claims:
        of(placed.article).claims.append(placed)
    events = index.events_of_entity.get(entity.id, [])[::-1]
    for event in events:
        of(event.article).events.append(event)
    articles = sorted(by_slug.values(), key=lambda a: by_date(a.article), reverse=True)
    verdicts = by_verdict(claims)
    view = EntityView(articles, verdicts, events, [])
    for number, chunk in enumerate(archive_chunks(articles[::-1]), 1):
        view.parts.append(EntityPart(number, list(chunk[::-1]), chunk[0].article.date, chunk[-1].article.date))
    view.parts.reverse()
    return view


T = TypeVar("T")


def archive_pages(index: Index) -> dict[str, int]:
    """Return how many archive pages each entity has, by id, without gathering what they show: from the
    entities of each article (fewer than its mentions), and the articles of their claims and events."""
    slugs: dict[str, set[str]] = {}
    for slug, entities in index.entities_of_article.items():
        for entity in entities:
            slugs.setdefault(entity.id, set()).add(slug)
    for of_entity in (index.claims_of_entity, index.events_of_entity):
        for entity_id, items in of_entity.items():
            slugs.setdefault(entity_id, set()).update(placed.article.slug for placed in items)
    return {entity_id: len(archive_chunks(range(len(of)))) for entity_id, of in slugs.items()}


def archive_chunks(oldest_first: Sequence[T]) -> list[Sequence[T]]:
    """Return the articles of an entity (OLDEST_FIRST) as its archive pages hold them, page 1 first; none
    when its page shows every mention, claim and event itself."""
    if len(oldest_first) <= ENTITY_PAGE_ARTICLES:
        return []
    step = ENTITY_ARCHIVE_ARTICLES
    return [oldest_first[start : start + step] for start in range(0, len(oldest_first), step)]


def verdicts_by_month(index: Index) -> dict[str, dict[str, list[Placed[Claim]]]]:
    """Return status → month of publication → the claims of that status in the articles of that month (newest
    first, as index.claims_by_month), for the statuses some claims have, in the order of VERDICT_ORDER."""
    verdicts: dict[str, dict[str, list[Placed[Claim]]]] = {status: {} for status in VERDICT_ORDER}
    for month, claims in index.claims_by_month.items():
        for placed in claims:
            verdicts[placed.item.status].setdefault(month, []).append(placed)
    return {status: months for status, months in verdicts.items() if months}


def by_verdict(claims: list[Placed[Claim]]) -> list[tuple[str, list[Placed[Claim]]]]:
    """Return CLAIMS grouped by status, in the order of VERDICT_ORDER, for the statuses some have."""
    groups = [(status, [p for p in claims if p.item.status == status]) for status in VERDICT_ORDER]
    return [(status, members) for status, members in groups if members]


def by_article(mentions: list[MentionRef]) -> list[tuple[Article, list[MentionRef]]]:
    """Return MENTIONS grouped by article, in their order (Jinja's groupby would sort them by slug)."""
    groups = [list(refs) for _, refs in itertools.groupby(mentions, key=lambda ref: id(ref.article))]
    return [(refs[0].article, refs) for refs in groups]


def _pager(series: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """Return, for each key of SERIES (months or years), the key before it and after it ("" at either end)."""
    ordered = sorted(series)
    return {
        key: (ordered[i - 1] if i else "", ordered[i + 1] if i + 1 < len(ordered) else "")
        for i, key in enumerate(ordered)
    }


def by_year(groups: dict[str, list[Any]]) -> list[tuple[str, list[tuple[str, list[Any]]]]]:
    """Return GROUPS (month YYYY-MM → items), in their order, grouped by year: [(year, [(month, items), ...]), ...]."""
    years: dict[str, list[tuple[str, list[Any]]]] = {}
    for month, items in groups.items():
        years.setdefault(year_of(month), []).append((month, items))
    return list(years.items())


def status_counts(claims: list[Placed[Claim]]) -> list[tuple[str, int]]:
    """Return how many of CLAIMS have each status, for the statuses some have, in the order of CLAIM_STATUSES."""
    counts = Counter(placed.item.status for placed in claims)
    return [(status, counts[status]) for status in CLAIM_STATUSES if counts[status]]


def by_month(events: list[Placed[Event]]) -> list[tuple[str, int]]:
    """Return the months EVENTS (of one year) start in, the latest first, with how many start in each; those
    known only by year are in none."""
    months = Counter(placed.item.date.start[:7] for placed in events if len(placed.item.date.start) > len("YYYY"))
    return sorted(months.items(), reverse=True)


GLOSSARY_IN_FULL = 300
"""Up to this many entities, the glossary's page lists them all; beyond, its pages by letter do. So with the
page of a kind: beyond, the kind has a page for each letter (glossary/KIND/LETTER.html)."""


def sort_name(entity: Entity) -> str:
    """Return what the glossary sorts ENTITY by: its sort_as, else a person's last word, else its name."""
    if entity.sort_as:
        return entity.sort_as
    if entity.kind == "person" and " " in entity.name.strip():
        first, _, last = entity.name.strip().rpartition(" ")
        return f"{last}, {first}"
    return entity.name


def _collation_key(name: str) -> str:
    """Return NAME as the glossary orders it: without case or accents (É with E)."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def glossary_letter(entity: Entity) -> str:
    """Return the letter of the glossary ENTITY is listed under (A to Z, accents dropped), or "other"."""
    key = unicodedata.normalize("NFKD", sort_name(entity).lstrip())[:1].upper()
    return key if "A" <= key <= "Z" else "other"


def sources_by_letter(sources: dict[str, Source]) -> dict[str, list[Source]]:
    """Return SOURCES by the letter their title starts with (A to Z, accents dropped, or "other" last), each
    A to Z by title."""
    letters: dict[str, list[Source]] = {}
    for source in sorted(sources.values(), key=lambda s: (_collation_key(s.title), s.id)):
        key = unicodedata.normalize("NFKD", source.title.lstrip())[:1].upper()
        letters.setdefault(key if "A" <= key <= "Z" else "other", []).append(source)
    return dict(sorted(letters.items(), key=lambda pair: (pair[0] == "other", pair[0])))


def groupby_letter(entries: list[tuple[Entity, int]]) -> list[tuple[str, list[tuple[Entity, int]]]]:
    """Return ENTRIES (A–Z) grouped by their letter, in their order."""
    groups = itertools.groupby(entries, key=lambda entry: glossary_letter(entry[0]))
    return [(letter, list(members)) for letter, members in groups]


@dataclass
class Glossary:
    """The glossary's entities as its pages list them."""

    entries: list[tuple[Entity, int]]
    """Every entity, A–Z by sort_name, with how many articles mention it."""
    letters: dict[str, list[tuple[Entity, int]]]
    """Letter (A–Z, then "other") → its entries, for the letters some have."""
    kinds: dict[str, list[tuple[Entity, int]]]
    """Kind → its entries, in the order of ENTITY_KINDS, for the kinds some have."""

    @classmethod
    def of(cls, entities: dict[str, Entity], index: Index) -> Glossary:
        """Return the glossary of ENTITIES, counting the articles of INDEX that mention each."""
        articles = Counter(e.id for mentioned in index.entities_of_article.values() for e in mentioned)

        def order(entity: Entity) -> tuple[bool, str, str, str, str]:  # by letter, those under none last
            letter = glossary_letter(entity)
            return (letter == "other", letter, _collation_key(sort_name(entity)), entity.name, entity.id)

        ordered = sorted(entities.values(), key=order)
        entries = [(entity, articles[entity.id]) for entity in ordered]
        letters: dict[str, list[tuple[Entity, int]]] = {}
        for entry in entries:
            letters.setdefault(glossary_letter(entry[0]), []).append(entry)
        letters = dict(sorted(letters.items(), key=lambda pair: (pair[0] == "other", pair[0])))
        kinds = {kind: [entry for entry in entries if entry[0].kind == kind] for kind in ENTITY_KINDS}
        return cls(entries, letters, {kind: members for kind, members in kinds.items() if members})

    @property
    def in_full(self) -> bool:
        """Whether the glossary's page lists every entry itself."""
        return len(self.entries) <= GLOSSARY_IN_FULL

    def kind_letters(self, kind: str) -> dict[str, list[tuple[Entity, int]]]:
        """Return the entries of KIND by letter, as `letters`, if the kind's page is too long to list them all
        itself (more than GLOSSARY_IN_FULL); else nothing."""
        entries = self.kinds.get(kind, [])
        if len(entries) <= GLOSSARY_IN_FULL:
            return {}
        return dict(groupby_letter(entries))
