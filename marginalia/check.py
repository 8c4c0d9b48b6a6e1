"""Stage 3a, check: cross-references between files, and the lints.

Loading and anchoring check each file on its own; this stage checks what
only the whole content can tell: ids that refer to nothing, ids given twice,
and (as warnings) what looks forgotten: a name left unannotated, an entity
never mentioned, a source never cited, a claim with no source.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from .anchor import line_at
from .errors import Problem, Problems
from .model import Article, Content, Entity, Location, Source, by_date
from .reader import YamlPath, value_location
from .schema import ascii_id


@dataclass(frozen=True, slots=True)
class Shared:
    """A claim or event an article defines or reports, as the checks across articles see it (`group_findings`)."""

    kind: str
    """"claim" or "event"."""
    id: str
    where: Location
    defines: bool
    """True for the definition, False for an appearance."""
    published: str = ""
    """The date of the article (what orders the places named in messages: the earlier article's first)."""
    date: str = ""
    """Events: the date this article gives it, "" if none."""
    entities: frozenset[str] = frozenset()
    """Event definitions: the entities it lists or its quote mentions (for the likely-duplicate lint)."""


@dataclass
class Contribution:
    """What one article brings to the checks across articles (`site_problems`).

    It is all that `check` needs to know of an article it does not read
    again: the build cache keeps one beside each article's entry (cache.py).
    """

    slug: str
    date: str
    """The article's date, "" if it could not be read."""
    problems: list[Problem]
    """Found in the article itself: reading, anchoring and linting it, and its ids that refer to nothing."""
    ids: list[tuple[str, str, Location]]
    """("claim" or "event", id, where) of each of its claims, then events, in their order."""
    shared: list[Shared]
    """Each claim and event it defines or reports (`article_shared`)."""
    mentioned: tuple[str, ...]
    """The entities it mentions (anchored mentions only), each once."""
    cited: tuple[str, ...]
    """The sources its claims cite, each once."""
    complete: bool
    """False if it has errors (see pipeline.ArticleResult.complete)."""
    read: bool
    """False if it could not be read at all."""


_Entry = tuple[int, int, Shared]
"""(when its article was put, its place in its article, the item): an item in `SiteChecks`."""


def site_problems(content: Content, contributions: Iterable[Contribution], problems: Problems) -> None:
    """Add every article's own problems, and what only all of them tell, to PROBLEMS (see `SiteChecks`)."""
    checks = SiteChecks(content)
    for c in contributions:
        checks.put(c.slug, c)
    problems.extend(checks.problems())


class SiteChecks:
    """The checks across articles, kept up to date one article at a time.

    What only all articles tell: ids of the glossary and the sources that
    refer to nothing, claim and event ids given twice, claims and events
    reported across articles (`group_findings`), and (as warnings) entities
    never mentioned and sources never cited. The last two are not told while
    an article has errors: what it cannot be read for may mention or cite
    them. The build and `check` put every article's `Contribution`, then ask
    for the problems; the dev server puts and removes those of the articles
    that changed and asks again, which costs what changed, not the site.
    """

    def __init__(self, content: Content):
        """CONTENT: the glossary and the sources (its articles are not looked at)."""
        self.content = content
        self.contributions: dict[str, Contribution] = {}
        """Article key (its file name or slug) → what it contributes, in the order they were put."""
        self._order: dict[str, int] = {}
        """Article key → when it was put: what orders the problems of the claims and events across articles."""
        self._puts = 0
        self._troubled: dict[str, list[Problem]] = {}
        """Article key → its own problems, for the articles that have some."""
        self._slugs: Counter[str] = Counter()
        """The slugs of every article file, whether it could be read or not."""
        self._incomplete: set[str] = set()
        """The keys of the articles with errors (`Contribution.complete`)."""
        self._ids: Counter[tuple[str, str]] = Counter()
        self._duplicated = 0
        """How many of the ids in _ids are given more than once."""
        self._shared: dict[tuple[str, ...], list[_Entry]] = {}
        """Each group of `shared_keys` holding two items or more → (when put, place in its article, item) of
        every article's items in it."""
        self._single: dict[tuple[str, ...], _Entry] = {}
        """Each group of `shared_keys` holding one item → its entry: most groups (an id defined once, a date and
        entity of one event), kept without a list of their own."""
        self._spanning: set[tuple[str, ...]] = set()
        """The groups that can have a problem (`spans_articles`): the only ones checked."""
        self._mentioned: Counter[str] = Counter()
        self._cited: Counter[str] = Counter(s for entity in content.entities.values() for s in entity.sources)
        self._entity_order = {entity_id: i for i, entity_id in enumerate(content.entities)}
        self._source_order = {source_id: i for i, source_id in enumerate(content.sources)}
        self._unmentioned = set(content.entities)
        """The glossary's entities no article mentions (by id)."""
        self._uncited = {s for s in content.sources if not self._cited[s]}
        """The sources no claim and no entity cites (by id)."""
        self._found: list[Problem] | None = None
        """What problems() found, until the next put or remove."""
        self._findings: dict[tuple[str, ...], _Checked] = {}
        """Each group of _spanning as last checked: a put or remove checks again only the groups it changed."""
        self._told: dict[tuple[int, int], tuple[Shared, Shared, Problem]] = {}
        """The ids of an event and of the event it is likely to be → both, and the warning that says so, as last
        told: made again only for a new pair."""

    def put(self, key: str, contribution: Contribution) -> None:
        """Count in what the article KEY contributes, in place of what it contributed before."""
        self.remove(key)
        self._found = None
        self.contributions[key] = contribution
        self._order[key] = self._puts
        self._puts += 1
        self._slugs[contribution.slug] += 1
        if contribution.problems:
            self._troubled[key] = contribution.problems
        if not contribution.complete:
            self._incomplete.add(key)
        keys: dict[tuple[str, ...], tuple[str, str]] = {}  # one tuple for an id's key here and in _single
        for kind, item_id, _ in contribution.ids:
            id_key = keys.setdefault((kind, item_id), (kind, item_id))
            self._ids[id_key] += 1
            self._duplicated += self._ids[id_key] == 2
        for place, item in enumerate(contribution.shared):
            entry = (self._order[key], place, item)
            for group in shared_keys(item):
                group = keys.get(group, group)
                items = self._shared.get(group)
                if items is None:
                    alone = self._single.pop(group, None)
                    if alone is None:
                        self._single[group] = entry
                        if not item.defines:  # see spans_articles
                            self._spanning.add(group)
                        continue
                    items = self._shared[group] = [alone]
                items.append(entry)
                if not item.defines or item.where.path != items[0][2].where.path:  # see spans_articles
                    self._spanning.add(group)
        for entity_id in contribution.mentioned:
            self._mentioned[entity_id] += 1
            self._unmentioned.discard(entity_id)
        for source_id in contribution.cited:
            self._cited[source_id] += 1
            self._uncited.discard(source_id)

    def remove(self, key: str) -> None:
        """Count out what the article KEY contributes, if it was put."""
        contribution = self.contributions.pop(key, None)
        if contribution is None:
            return
        self._found = None
        when = self._order.pop(key)
        self._slugs[contribution.slug] -= 1
        if not self._slugs[contribution.slug]:
            del self._slugs[contribution.slug]
        self._troubled.pop(key, None)
        self._incomplete.discard(key)
        for kind, item_id, _ in contribution.ids:
            self._ids[kind, item_id] -= 1
            self._duplicated -= self._ids[kind, item_id] == 1
        for group in {group for item in contribution.shared for group in shared_keys(item)}:
            items = [entry for entry in self._entries(group) if entry[0] != when]
            self._shared.pop(group, None)
            self._single.pop(group, None)
            if not items:
                self._spanning.discard(group)
                continue
            if len(items) == 1:
                self._single[group] = items[0]
            else:
                self._shared[group] = items
            if spans_articles([i for _, _, i in items]):
                self._spanning.add(group)
            else:
                self._spanning.discard(group)
        for entity_id in contribution.mentioned:
            self._mentioned[entity_id] -= 1
            if not self._mentioned[entity_id] and entity_id in self.content.entities:
                self._unmentioned.add(entity_id)
        for source_id in contribution.cited:
            self._cited[source_id] -= 1
            if not self._cited[source_id] and source_id in self.content.sources:
                self._uncited.add(source_id)

    def _entries(self, group: tuple[str, ...]) -> list[_Entry]:
        """Return the entries of the items in GROUP (of `shared_keys`)."""
        alone = self._single.get(group)
        return [alone] if alone is not None else self._shared[group]

    def problems(self) -> list[Problem]:
        """Return every article's own problems, then what only all of them tell, in the order of the puts."""
        if self._found is None:
            self._found = self._problems()
        return list(self._found)

    def _problems(self) -> list[Problem]:
        problems = Problems()
        for found in self._troubled.values():
            problems.extend(found)
        check_registry_references(self.content, self._slugs, problems)
        if self._duplicated:  # oldest first: of two definitions, the later is reported
            read = sorted((c for c in self.contributions.values() if c.read), key=by_date)
            check_duplicate_ids((item for c in read for item in c.ids), problems)
        complete = not self._incomplete
        problems.extend(self._shared_problems(complete))
        if complete:
            warn_unused(
                [self.content.entities[i] for i in sorted(self._unmentioned, key=self._entity_order.__getitem__)],
                [self.content.sources[i] for i in sorted(self._uncited, key=self._source_order.__getitem__)],
                problems,
            )
        return list(problems)

    def _shared_problems(self, complete: bool) -> list[Problem]:
        """Return what `group_findings` finds in the groups of _spanning, checking again only those that changed.

        A group's problems come where its first item does (by when put, then
        place), then by the order of `shared_keys`; the likely duplicates last.
        """
        findings: dict[tuple[str, ...], _Checked] = {}
        for group in self._spanning:
            entries = tuple(self._entries(group))
            memo = self._findings.get(group)
            if memo is None or memo.complete != complete or memo.entries != entries:
                when, place, first = entries[0]
                items = [item for _, _, item in entries]
                order = (when, place, shared_keys(first).index(group))
                memo = _Checked(entries, complete, order, group_findings(group, items, complete))
            findings[group] = memo
        self._findings = findings
        ordered = [memo.found for memo in sorted(findings.values(), key=lambda memo: memo.order)]
        told: dict[tuple[int, int], tuple[Shared, Shared, Problem]] = {}
        for item, other in likely_pairs(ordered):
            key = id(item), id(other)  # the memo holds both: neither id can be another item's while it is there
            known = self._told.get(key)
            told[key] = (
                known
                if known and known[0] is item and known[1] is other
                else (item, other, _likely_duplicate(item, other))
            )
        self._told = told
        return [problem for found in ordered for problem in found.problems] + [problem for *_, problem in told.values()]


@dataclass
class _Checked:
    """A group of `shared_keys` as `SiteChecks` last checked it: its entries, whether no article had errors then,
    where its problems come (see SiteChecks._shared_problems) and what it found."""

    entries: tuple[_Entry, ...]
    complete: bool
    order: tuple[int, int, int]
    found: GroupFindings


def check_registry_references(content: Content, slugs: Collection[str], problems: Problems) -> None:
    """Add a problem for every source id of an entity and every article slug of a source (of SLUGS) unknown."""
    for entity in content.entities.values():
        for source_id in entity.sources:
            _check_ref(
                source_id, "sources", entity.where, content, problems, ("sources", entity.sources.index(source_id))
            )
    for source in content.sources.values():
        if source.article and source.article not in slugs and source.where:
            close = difflib.get_close_matches(source.article, sorted(slugs), n=1)
            hint = f"did you mean {close[0]!r}?" if close else "article: is an article's file name without .md"
            problems.add(source.where, "M204", f"no article with slug {source.article!r}", hint)


def check_duplicate_ids(ids: Iterable[tuple[str, str, Location]], problems: Problems) -> None:
    """Add a problem for every claim or event id given before in IDS (see `article_ids`); ids are site-wide.

    IDS are in the order of the articles by date, oldest first (then by slug): of two definitions, the
    one reported is the later, in the article that is new or changed, not the one that was there first.
    """
    seen: dict[tuple[str, str], Location] = {}
    for kind, item_id, where in ids:
        if (kind, item_id) in seen:
            problems.add(
                where,
                "M201",
                f"duplicate {kind} id {item_id!r} (first at {seen[(kind, item_id)]})",
                f"{kind} ids are site-wide: to report the same {kind} here, keep only id and quote"
                f" (an appearance); for another {kind}, pick another id",
            )
        seen.setdefault((kind, item_id), where)


@dataclass
class GroupFindings:
    """What checking one group of `shared_keys` found."""

    problems: list[Problem]
    """An id's group: its appearances of an id defined nowhere, given twice in an article, or dated otherwise."""
    likely: list[tuple[Shared, Shared]]
    """A date's group (with one entity): each event with the earliest event of another article it may be."""


def group_findings(key: tuple[str, ...], items: list[Shared], complete: bool) -> GroupFindings:
    """Check the ITEMS (all of them) of the group KEY of `shared_keys`, whatever their order.

    An appearance of an id no article defines is an error; an event that two
    articles date differently, and an event of the same date as one of an
    earlier article with an entity in common (likely the same event, see
    `likely_pairs`), are warnings. Unless COMPLETE (no article has errors), an
    appearance of an id defined nowhere is not told: an article that cannot be
    read may define it.
    """
    group = sorted(items, key=_place_key)
    if key[0] == "date":
        likely = []
        for i, item in enumerate(group):
            for other in group[:i]:
                if other.where.path != item.where.path and other.id != item.id:
                    likely.append((item, other))
                    break
        return GroupFindings([], likely)
    problems = Problems()
    if complete and not any(item.defines for item in group):
        for item in group:
            _undefined(item, problems)
    _check_once_per_article(group, problems)
    if key[0] == "event":
        _check_dates(group, problems)
    return GroupFindings(list(problems), [])


def likely_pairs(found: Iterable[GroupFindings]) -> list[tuple[Shared, Shared]]:
    """Return each event of FOUND's date groups with the earliest event of another article it may be (in all of its
    groups), in the order they first come."""
    likely: dict[int, tuple[Shared, Shared]] = {}  # by the item's id: hashing the items whole cost more than the rest
    for findings in found:
        for item, other in findings.likely:
            before = likely.get(id(item))
            if before is None or _place_key(other) < _place_key(before[1]):
                likely[id(item)] = item, other
    return list(likely.values())


def shared_keys(item: Shared) -> list[tuple[str, ...]]:
    """Return the groups ITEM is checked in: its id's, and for an event defined, one per entity on its date."""
    keys: list[tuple[str, ...]] = [(item.kind, item.id)]
    if item.kind == "event" and item.defines:
        keys += [("date", item.date, entity) for entity in sorted(item.entities)]
    return keys


def spans_articles(group: list[Shared]) -> bool:
    """Tell whether a group of `shared_keys` can have a problem: it holds an appearance, or items of two articles."""
    first = group[0].where.path
    return any(not item.defines or item.where.path != first for item in group)


def _place_key(item: Shared) -> tuple[str, str, int, int]:
    return (item.published, str(item.where.path), item.where.line, item.where.col)


def _undefined(item: Shared, problems: Problems) -> None:
    fields = "status: (and sources:)" if item.kind == "claim" else "date: and title:"
    problems.add(
        item.where,
        "M206",
        f"no article defines the {item.kind} {item.id!r} this one reports",
        f"check the id against the article that defines it, or define it here with {fields}",
    )


def _check_once_per_article(group: list[Shared], problems: Problems) -> None:
    """Report each appearance in GROUP (one id) of an article that gives the id before: its passage would have the
    same HTML id. (Two definitions are `check_duplicate_ids`'s.)"""
    first: dict[object, Shared] = {}
    for item in sorted(group, key=lambda i: (i.where.line, i.where.col)):
        before = first.setdefault(item.where.path, item)
        if before is not item and not item.defines:
            problems.add(
                item.where,
                "M201",
                f"{item.kind} {item.id!r} is given in this article already (line {before.where.line})",
                f"an article reports a {item.kind} once: keep one of the two",
            )


def _check_dates(group: list[Shared], problems: Problems) -> None:
    """Warn of each item of GROUP (one event) that gives a date other than its definition's (or the first given)."""
    dated = [item for item in group if item.date]
    if not dated:
        return
    first = next((item for item in dated if item.defines), dated[0])
    for item in dated:
        if item.date != first.date and item.where.path != first.where.path:
            problems.add(
                item.where,
                "W505",
                f"event {item.id!r} is dated {item.date!r} here but {first.date!r} at {first.where}",
                "give the date at the precision each article gives it, and make sure both mean the same event",
                "warning",
            )


def _likely_duplicate(item: Shared, other: Shared) -> Problem:
    common = ", ".join(sorted(item.entities & other.entities))
    return Problem(
        item.where,
        "W506",
        f"event {item.id!r} has the date ({item.date}) and entities ({common}) of event {other.id!r}"
        f" at {other.where}: likely the same event",
        f"if it is, report it here by id: keep only id: {other.id} and quote: (and date:, if this article gives one)",
        "warning",
    )


def article_shared(article: Article, entities_of: dict[str, frozenset[str]]) -> list[Shared]:
    """Return each claim and event ARTICLE defines or reports; ENTITIES_OF: event id → its entities."""
    published = article.date
    items = [Shared("claim", c.id, c.where, True, published) for c in article.claims]
    items += [
        Shared("event", e.id, e.where, True, published, str(e.date), entities_of.get(e.id, frozenset()))
        for e in article.events
    ]
    for appearance in article.appearances:
        date = str(appearance.date) if appearance.date is not None else ""
        items.append(Shared(appearance.kind, appearance.id, appearance.where, False, published, date))
    return items


def article_ids(article: Article) -> list[tuple[str, str, Location]]:
    """Return ("claim" or "event", id, where) of each claim, then each event, of ARTICLE."""
    return [("claim", c.id, c.where) for c in article.claims] + [("event", e.id, e.where) for e in article.events]


def article_references(article: Article, content: Content) -> list[Problem]:
    """Return a problem for every entity or source id in ARTICLE's annotations that refers to nothing."""
    problems = Problems()
    for mention in article.mentions:
        _check_ref(mention.entity, "entities", mention.where, content, problems, ("entity",))
    for claim in article.claims:
        if claim.claimant:
            _check_ref(claim.claimant, "entities", claim.where, content, problems, ("claimant",))
        for i, ref in enumerate(claim.about):
            _check_ref(ref, "entities", claim.where, content, problems, ("about", i))
        for i, source_id in enumerate(claim.sources):
            _check_ref(source_id, "sources", claim.where, content, problems, ("sources", i))
    for event in article.events:
        for i, ref in enumerate(event.entities):
            _check_ref(ref, "entities", event.where, content, problems, ("entities", i))
    return list(problems)


def _check_ref(
    ref: str, what: str, where: Location | None, content: Content, problems: Problems, at: YamlPath = ()
) -> None:
    """Add a problem if REF is not an id of WHAT ('entities' or 'sources'); it is at AT in the item at WHERE."""
    known = content.entities if what == "entities" else content.sources
    if ref in known or where is None or what in content.unreadable:
        return
    where = value_location(where, at)
    if what == "entities":
        names = tuple((e.id, e.name, tuple(e.aliases)) for e in content.entities.values())
    else:
        names = tuple((s.id, s.title, ()) for s in content.sources.values())
    meant = meant_ids(ref, names)
    hint = f"did you mean {' or '.join(meant)}?" if meant else f"add {ref!r} to content/{what}.yml"
    if what == "entities":
        problems.add(where, "M202", f"unknown entity id {ref!r}", hint)
    else:
        problems.add(where, "M203", f"unknown source id {ref!r}", hint)


Names = tuple[tuple[str, str, tuple[str, ...]], ...]
"""(id, name, aliases) of each entity, or (id, title, ()) of each source."""


def meant_ids(ref: str, names: Names, n: int = 3) -> list[str]:
    """Return up to N ids of NAMES that the unknown id REF may mean, each quoted, with its name (and the
    alias) where that is what it was found by.

    Ids, names and aliases are compared ASCII-folded and case-insensitively: 'erdogan' is the alias
    Erdoğan of 'recep-tayyip-erdogan', and a word of it; 'londn' is a near spelling of 'london'.
    """
    from rapidfuzz import fuzz, process  # imported where used: only content with an error needs it

    folded = ascii_id(ref)
    words = frozenset(folded.split("-"))
    forms, shown_as = _forms(names)
    found: dict[str, tuple[int, float, str]] = {}  # id → (rank, -closeness, what to show of it)

    def offer(form: int, rank: int, closeness: float) -> None:
        entry_id, shown = shown_as[form]
        if rank > 1 and forms[form][0] == entry_id:
            shown = ""  # a near spelling of the id: it says enough
        found[entry_id] = min(found.get(entry_id, (rank, -closeness, shown)), (rank, -closeness, shown))

    for i, (form, form_words) in enumerate(forms):
        if form == folded:
            offer(i, 0, 1.0)
        elif words <= form_words:  # every word of it is a word of the id, the name or an alias
            offer(i, 1, len(folded) / len(form))
    for _, score, i in process.extract(
        folded, [form for form, _ in forms], scorer=fuzz.ratio, limit=n, score_cutoff=60
    ):
        offer(i, 2, score / 100)
    best = sorted(found.items(), key=lambda item: (item[1][:2], item[0]))[:n]
    return [f"{entry_id!r}{shown}" for entry_id, (_, _, shown) in best]


@functools.lru_cache(maxsize=2)
def _forms(names: Names) -> tuple[list[tuple[str, frozenset[str]]], list[tuple[str, str]]]:
    """Return each id, name and alias of NAMES ASCII-folded, with its words; and beside each, its id and how a
    hint shows the entry found by it: " (Name)" or " (Name, alias Alias)". Cached: it is the same for each
    unknown id of a run."""
    forms: list[tuple[str, frozenset[str]]] = []
    shown_as: list[tuple[str, str]] = []
    for entry_id, name, aliases in names:
        for form, shown in [
            (entry_id, f" ({name})"),
            (ascii_id(name), f" ({name})"),
            *((ascii_id(alias), f" ({name}, alias {alias})") for alias in aliases),
        ]:
            if form:
                forms.append((form, frozenset(form.split("-"))))
                shown_as.append((entry_id, shown))
    return forms, shown_as


def warn_unused(unmentioned: Iterable[Entity], uncited: Iterable[Source], problems: Problems) -> None:
    """Warn of the UNMENTIONED entities and the UNCITED sources."""
    for entity in unmentioned:
        if entity.where:
            problems.add(
                entity.where,
                "W502",
                f"entity {entity.id!r} is never mentioned",
                "annotate a mention of it in an article, or remove it",
                "warning",
            )
    for source in uncited:
        if source.where:
            problems.add(
                source.where,
                "W503",
                f"source {source.id!r} is never cited",
                "cite it in a claim's or an entity's sources:, or remove it",
                "warning",
            )


def unsourced_claims(article: Article) -> list[Problem]:
    """Return a warning for each claim of ARTICLE without a source."""
    problems = Problems()
    for claim in article.claims:
        if not claim.sources:
            problems.add(
                claim.where,
                "W504",
                f"claim {claim.id!r} has no source",
                "add sources: [id, ...] with the documents that support its status",
                "warning",
            )
    return list(problems)


class NameFinder:
    """Finds every entity name and alias in a text, as whole words.

    Names are looked up by their first word, so the cost per article does
    not grow with the size of the glossary (one pattern of every name did:
    quadratic over a large archive).
    """

    def __init__(self, content: Content):
        self.entities = {
            " ".join(n.split()): e for e in content.entities.values() for n in [e.name, *e.aliases] if n.strip()
        }
        """Each name and alias, its spaces made single, → its entity."""
        self.by_first_word: dict[str, list[str]] = defaultdict(list)
        for name in sorted(self.entities, key=len, reverse=True):  # longest first: "Idlib region" before "Idlib"
            first = _WORD.match(name)
            if first and first.start() == 0:
                self.by_first_word[first.group()].append(name)

    def find(self, text: str) -> list[tuple[int, int, str]]:
        """Return (start, end, name) of every whole-word match in TEXT, the longest name at each place."""
        flat = _OTHER_WHITESPACE.sub(" ", text)
        found = []
        length = len(flat)
        # One pass over the words, each looked up by the words some name starts with: a word is a
        # run of word characters, so it is not the end of another word.
        for word in _WORD.finditer(flat):
            names = self.by_first_word.get(word.group())
            if names is None:
                continue
            start = word.start()
            for name in names:
                end = start + len(name)
                if flat.startswith(name, start) and not (end < length and _is_word_char(flat[end])):
                    found.append((start, end, name))
                    break
        return found


_WORD = re.compile(r"\w+")
_OTHER_WHITESPACE = re.compile(r"[^\S ]")
"""Whitespace other than a space: what find makes a space, as "\\s" would but with far fewer matches."""


def _is_word_char(char: str) -> bool:
    return char.isalnum() or char == "_"


def unannotated_names(article: Article, names: NameFinder) -> list[Problem]:
    """Return a warning for each entity name or alias in ARTICLE outside every mention."""
    if not names.by_first_word:
        return []
    covered = bytearray(len(article.text) + 1)  # 1 where a mention covers the character
    for mention in article.mentions:
        for span in mention.spans:
            covered[span.start : span.end] = b"\x01" * (span.end - span.start)
    found: list[Problem] = []
    left_out = 0
    for start, end, name in names.find(article.text):
        if any(covered[start:end]):
            continue
        if len(found) == MAX_UNANNOTATED:
            left_out += 1
            continue
        entity = names.entities[name]
        words = article.text[start:end]
        found.append(
            Problem(
                Location(article.source_path, line_at(article, start)),
                "W501",
                f"{words!r} ({entity.kind} {entity.id!r}) is not annotated here",
                f"add to {article.slug}.yml: - {{entity: {entity.id}, quote: {words}}}"
                " (with prefix: if it occurs more than once)",
                "warning",
            )
        )
    if left_out:
        last = found[-1].where
        found.append(
            Problem(
                last,
                "W501",
                f"and {left_out:,} more names not annotated in this article (not listed)",
                "annotate those listed first; every: true marks each place of a name",
                "warning",
            )
        )
    return found


MAX_UNANNOTATED = 100
"""The most names left unannotated one article lists (W501); then one more says how many are not listed."""
