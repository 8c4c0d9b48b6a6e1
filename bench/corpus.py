#!/usr/bin/env python3
"""Deterministic synthetic corpus for the build benchmark (issue 6).

    python bench/corpus.py N OUT_DIR                 # a complete Marginalia project
    python bench/corpus.py N --bare OUT_DIR2         # the same articles as bare Markdown
    python bench/corpus.py N OUT_DIR --bare OUT_DIR2 # both

OUT_DIR gets mkdocs.yml (pointing at this checkout's templates/) and
content/: entities.yml, sources.yml and N articles with their annotations.
OUT_DIR2 gets the same N articles, without annotations, as docs/articles/*.md
with a mkdocs.yml (default theme, one-entry nav) and a minimal Hugo site
(hugo.toml and layouts/_default/{single,list}.html, contentDir = docs).

Everything comes from one seeded random generator and the standard library,
so two runs with the same N and --seed write byte-identical files.

The articles are shaped like real news reports (about 600 words: a lede,
paragraphs, two sub-headings, quotations, *emphasis* and links), and their
annotations like the seed article's: about 20 mention spans drawn from a
shared pool of entities (so entities recur across articles, a few of them
very often: draws are Zipf-like), about 5 claims with sources, about 5 dated
events at the precision the text gives, and 1-2 notes. Every quote is
disambiguated the way a careful annotator would do it: a quote that occurs
once stands alone; a name whose every occurrence is a mention of the same
entity gets `every: true`; anything else gets the shortest unique prefix:
or suffix:, or else occurrence:. All names, people, places and figures are
made up: this is benchmark data, never content.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import re
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from random import Random

DEFAULT_SEED = 20261126
MARKER = ".marginalia-bench-corpus"
"""File that marks a folder as written by this script (and so safe to overwrite)."""

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from marginalia.anchor import find_quote  # noqa: E402, I001 - the anchorer's own matching, so every quote anchors

TEMPLATES_DIR = REPO / "templates"

KINDS = ("person", "place", "organization", "event", "concept")
KIND_SHARE = {"person": 0.30, "place": 0.25, "organization": 0.20, "event": 0.10, "concept": 0.15}
SLOTS = {"person": 3, "place": 3, "organization": 2, "event": 1, "concept": 2}
"""How many distinct entities of each kind an article names (at least)."""
SLOT_PREFIX = {"person": "P", "place": "L", "organization": "O", "event": "E", "concept": "C"}
ZIPF_S = 0.8
"""Skew of the entity and source draws: a few entities recur in many articles."""

MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

GIVEN_NAMES = [
    "Amira",
    "Jonas",
    "Leila",
    "Tomas",
    "Nadia",
    "Viktor",
    "Elena",
    "Omar",
    "Ines",
    "Marek",
    "Sofia",
    "Karim",
    "Hana",
    "Pavel",
    "Lucia",
    "Idris",
    "Maren",
    "Anton",
    "Selin",
    "Ruben",
    "Dalia",
    "Emil",
    "Yara",
    "Oskar",
    "Irena",
    "Farid",
    "Clara",
    "Nikolai",
    "Samira",
    "Lukas",
    "Mina",
    "Goran",
    "Aylin",
    "Henrik",
    "Zofia",
    "Rafael",
    "Teodora",
    "Malik",
    "Ada",
    "Bruno",
    "Noor",
    "Stefan",
    "Vera",
    "Hamid",
    "Livia",
    "Arman",
    "Petra",
    "Yusuf",
]
ROLES = [
    "Finance Minister",
    "Interior Minister",
    "Transport Minister",
    "Health Minister",
    "Energy Minister",
    "Mayor",
    "Deputy Mayor",
    "Governor",
    "Senator",
    "Commissioner",
    "Judge",
    "Professor",
    "Ambassador",
    "Spokesperson",
]
ORG_FORMS = [
    "{T} Water Authority",
    "{T} Farmers’ Union",
    "{T} Development Bank",
    "{T} Institute",
    "{T} Transport Company",
    "{T} Workers’ Council",
    "{T} Chamber of Commerce",
    "{T} Health Board",
    "{T} Port Authority",
    "{T} Election Commission",
    "{T} Rights Watch",
    "{T} Energy Group",
    "{T} Press Agency",
    "{T} University",
]
ORG_WHAT = {
    "Water Authority": "Public body that runs the water supply",
    "Farmers’ Union": "Union of farmers and small producers",
    "Development Bank": "State-owned bank that lends for public works",
    "Institute": "Research institute that publishes economic surveys",
    "Transport Company": "Company that runs the buses and the regional railway",
    "Workers’ Council": "Association of public-sector workers",
    "Chamber of Commerce": "Association of local businesses",
    "Health Board": "Public body in charge of hospitals and clinics",
    "Port Authority": "Public body that manages the harbour and its fees",
    "Election Commission": "Body that organizes and oversees elections",
    "Rights Watch": "Non-governmental group that monitors civil rights",
    "Energy Group": "Company that supplies electricity and gas",
    "Press Agency": "News agency whose reports other outlets carry",
    "University": "Public university whose researchers are often quoted on policy",
}
EVENT_FORMS = [
    ("{T} Accord", "was signed", "Agreement"),
    ("{T} Summit", "was held", "Meeting of regional leaders"),
    ("{T} floods", "struck the region", "Floods"),
    ("{T} rail strike", "began", "Strike by railway workers"),
    ("{T} referendum", "was held", "Popular vote"),
    ("{T} Conference", "was held", "Conference of delegations"),
]
CONCEPT_FORMS = [
    ("{T} levy", "Charge on"),
    ("{T} doctrine", "Policy principle governing"),
    ("{T} corridor", "Protected route for"),
    ("{T} plan", "Government plan for"),
    ("{T} quota system", "System of quotas for"),
    ("{T} rule", "Rule limiting"),
]
PLACE_FORMS = ["{T}"] * 14 + ["Port {T}"] * 3 + ["{T} Valley"] * 3
DIRECTIONS = ["north", "south", "east", "west", "north-east", "north-west", "south-east", "south-west", "centre"]

TOPICS = [
    ["water tariff", "irrigation scheme", "reservoir project", "water"],
    ["grain subsidy", "export quota", "storage programme", "grain"],
    ["bus network", "rail link", "road toll", "transport"],
    ["electricity tariff", "gas pipeline", "solar programme", "energy"],
    ["hospital budget", "vaccination campaign", "clinic network", "health"],
    ["rent cap", "housing programme", "building permit rules", "housing"],
    ["voter register", "election law", "polling station plan", "elections"],
    ["fishing quota", "harbour fee", "coastal patrol programme", "fisheries"],
    ["school budget", "teacher pay deal", "exam reform", "schools"],
]
PUBLISHERS = ["Example Wire", "The Northern Gazette", "Regional Times", "Coastal Herald", "Daily Ledger", "Valley Post"]
SOURCE_FORMS = [
    "{T} annual report on the {topic}",
    "Statement on the {topic}",
    "Minutes of the {T} council meeting on the {topic}",
    "Budget review: the {topic} in figures",
    "{T} survey of households",
    "Court ruling on the {topic}",
    "Parliamentary answer on the {topic}",
    "Audit of the {topic}",
]

# --- Sentence templates -------------------------------------------------------
#
# {P1} {L2} {O1} {E1} {C1}...: the article's entities (a mention is recorded);
# {R1}: the role of P1; {E1v}: what event E1 did; {T1} {T2}: topic phrases;
# {N} {PCT} {BIG} {MONEY}: figures; {DPAST} {DTODAY} {DFUT} {DWEEKDAY} {MPAST}
# {YPAST} {RANGE}: date phrases, whose date an enclosing event takes.
# Marks: «claim» ‹event› ⌈note⌉ *emphasis* ⟨link text⟩.


@dataclass(frozen=True)
class Template:
    text: str
    claimant: str = ""
    about: tuple[str, ...] = ()
    summary: str = ""
    event_title: str = ""
    event_entities: tuple[str, ...] = ()
    note: str = ""


T = Template
LEDES = [
    T(
        "«The {O1} will raise the {T1} in {L1} by {PCT} percent {DFUT}», ‹{R1} {P1} said {DTODAY}›.",
        claimant="P1",
        event_title="{P1} announces a rise in the {T1} in {L1}",
        event_entities=("O1",),
    ),
    T(
        "«The {O1} and the {O2} have agreed to set up a joint fund for the {T1}, worth {MONEY} dollars», "
        "‹{R1} {P1} told reporters in {L1} {DPAST}›.",
        claimant="P1",
        event_title="{P1} announces a joint fund of the {O1} and the {O2}",
        event_entities=("O1", "O2"),
    ),
    T(
        "«The {C1} will apply to every district of {L1} from {DFROM}», ‹{R1} {P1} said in a statement {DTODAY}›.",
        claimant="P1",
        event_title="{P1} announces that the {C1} will apply across {L1}",
        event_entities=("C1",),
    ),
]
CLAIMS = [
    T(
        "«Some {BIG} households in {L2} lost access to the {T1} {MPAST}», according to figures published by the {O2}.",
        claimant="O2",
        summary="The {O2} says {BIG} households in {L2} have lost access to the {T1}.",
    ),
    T("“«We will not accept a {T1} that is decided without {L2}»,” {P2} said.", claimant="P2"),
    T("{P2} said «the {O1} had ignored three warnings about the {T1}».", claimant="P2", about=("O1",)),
    T("«The cost of the {T1} has doubled in {N} years», the {O2} said in a report.", claimant="O2"),
    T("«Nearly {PCT} percent of the {T2} budget went unspent last year», the ⟨{O2} report⟩ found.", claimant="O2"),
    T("“«There are no plans to close the {T2} offices in {L3}». We will keep them open,” {P3} said.", claimant="P3"),
    T("According to the {O1}, «at least {N} villages near {L2} depend on the {T1}».", claimant="O1"),
    T(
        "«The {C2} has cut delays at the border by half», {P3} claimed, a figure *disputed* by the {O2}.",
        claimant="P3",
        about=("C2",),
    ),
    T("«Prices for the {T2} rose by {PCT} percent in the first quarter», the {O1} said.", claimant="O1"),
    T("{P1} said «no decision on the {C1} would be taken before the vote».", claimant="P1", about=("C1",)),
]
EVENTS = [
    T(
        "Delegations from {L1} and {L2} ‹met in {L3} {DPAST}› to discuss the {C1}.",
        event_title="Delegations from {L1} and {L2} meet in {L3} to discuss the {C1}",
        event_entities=("L1", "L2", "C1"),
    ),
    T("‹The {E1} {E1v} in {YPAST}›, and it set the first limits on the {T1}.", event_title="The {E1} {E1v}"),
    T(
        "‹Talks in {L1} ran {RANGE}› but ended without a joint statement.",
        event_title="Talks in {L1} end without a joint statement",
    ),
    T("‹Protests broke out in {L2} {MPAST}› after the {T1} was raised.", event_title="Protests in {L2} over the {T1}"),
    T(
        "The {O2} ‹will hold a public hearing on the {C2} {DFUT}›, {R2} {P2} said.",
        event_title="The {O2} holds a public hearing on the {C2}",
        event_entities=("O2",),
    ),
    T("‹{R3} {P3} visited {L3} {DWEEKDAY}›, a day after the vote in the assembly.", event_title="{P3} visits {L3}"),
    T(
        "A ‹{YPAST} agreement between {L1} and the {O1}› set out the rules for the {T2}.",
        event_title="{L1} and the {O1} agree rules for the {T2}",
    ),
    T(
        "The first shipments under the {C1} ‹are due to arrive in {L2} {DFUT}›.",
        event_title="First shipments under the {C1} due in {L2}",
        event_entities=("C1",),
    ),
]
NOTES = [
    T(
        "“There are no violations ⌈[of the {C1}]⌉ so far,” {P1} said.",
        note="The words in square brackets are not the speaker’s: "
        "they were added to the quotation to make its meaning clear.",
    ),
    T(
        "⌈A senior official in {L2}⌉, who asked not to be named, said talks would continue.",
        note="The article does not name the official.",
    ),
    T(
        "The ⌈figures of the {O1}⌉ could not be independently verified.",
        note="The article does not say *which* figures were published, or when.",
    ),
    T(
        "The measure will cost about {MONEY} dollars, ⌈officials said⌉.",
        note="The article does not say which officials gave the figure.",
    ),
]
FILLERS = [
    T("Residents have complained for months about the *rising cost* of the {T1}."),
    T(
        "The announcement follows weeks of debate in the regional assembly, "
        "where opposition members called the plan *rushed*."
    ),
    T("Officials said more details would be published on the ⟨ministry’s website⟩ in the coming days."),
    T("{P2} did not respond to a request for comment."),
    T("The {C2} has been a central issue in local politics since it was first proposed."),
    T("Farmers and small business owners are expected to be among the most affected."),
    T("Critics say the measure favours large companies over local producers, a charge the government denies."),
    T("The {O2} has called for an independent review of the {T2}."),
    T("Earlier this year, a ⟨survey by the {O1}⟩ found that most residents support the change."),
    T("Traffic on the main roads into the city was reported to be heavier than usual."),
    T("Local media reported long queues outside public offices on the first day."),
    T(
        "The plan still needs the approval of the national parliament, "
        "which is expected to vote before the end of the year."
    ),
    T("“This is a *difficult but necessary* decision,” one council member said."),
    T("Several hundred people gathered outside the council building, holding signs and chanting slogans."),
    T("The government has said the {T2} will be reviewed every two years."),
    T("Analysts said the move was unlikely to affect prices in the short term."),
    T("The authorities said they were in close contact with their counterparts in the neighbouring districts."),
    T("It was not immediately clear how the measure would be funded."),
    T("The {T1} was last changed {N} years ago, after a long dispute between the regions."),
    T("Opposition parties said they would challenge the decision in court."),
    T("Shopkeepers in the old town said business had already slowed."),
    T("The ministry has said it will publish a full breakdown of the costs."),
    T("Some of the money is expected to come from a loan, according to the ⟨draft budget⟩."),
    T("The council will meet again next month to review the first results."),
    T("Independent experts have warned that the {T2} could face delays."),
    T("A spokesperson for the regional government said the timetable had not changed."),
    T("The decision was taken at a closed meeting that lasted well into the night."),
    T("Some lawmakers said they had learned about the plan from the newspapers."),
    T("Officials insisted that the most vulnerable households would be protected from the changes."),
    T("The last comparable reform, more than a decade ago, took three years to carry out."),
    T("Business groups welcomed the announcement but asked for a longer transition period."),
    T("Trade unions said they would consult their members before taking a position."),
    T("Several mayors wrote to the government asking for more time to prepare."),
    T("The {T1} accounts for a large share of the regional budget, according to official figures."),
    T("Environmental groups said the plan did not go far enough."),
    T("A public consultation on the draft rules drew more than a thousand written responses."),
    T("The regional assembly is due to debate the measure again in the autumn."),
    T("Officials declined to say how many staff would be needed to run the new system."),
    T("In rural areas, where incomes are lower, the change is expected to be felt most."),
    T("“We have waited too long for this,” said a teacher who attended the meeting."),
]
COVER = {
    "person": T("{R} {X} is expected to address the assembly next week."),
    "place": T("Similar measures are under discussion in {X}."),
    "organization": T("The {X} said it would publish its own assessment."),
    "event": T("The {X} is still cited by both sides as a turning point."),
    "concept": T("Supporters of the {X} say it will bring stability."),
}
"""A sentence that names one entity, for any slot the other sentences left out."""
TITLES = [
    "{L1} {T1} to rise by {PCT} percent, {R1} says",
    "Talks on the {T1} resume in {L1}",
    "{R1} defends {T1} plan as protests grow in {L1}",
    "{O1} agrees joint fund for the {T1}",
    "New rules for the {T1} in {L1} from next month",
    "{L1} and {L2} at odds over the {T1}",
]
HEADINGS = [
    "Reaction in {L2}",
    "Background",
    "What happens next",
    "A long dispute",
    "Costs and funding",
    "The view from {L3}",
    "Questions over the figures",
    "A divided assembly",
]


# --- The entity and source pools -----------------------------------------------

ONSETS = [
    "b",
    "d",
    "f",
    "g",
    "h",
    "k",
    "l",
    "m",
    "n",
    "p",
    "r",
    "s",
    "t",
    "v",
    "z",
    "br",
    "dr",
    "gr",
    "kr",
    "tr",
    "st",
    "sh",
    "ch",
    "",
]
VOWELS = ["a", "e", "i", "o", "u", "ai", "ei", "ou", "ia", "a", "e", "o"]
CODAS = ["", "n", "r", "l", "s", "k", "m", "th", "v", "nd", "rk", "st", "a", "o", "ia"]


def _vocabulary() -> set[str]:
    """Every word the templates use, lower-cased: made-up names must differ from them."""
    texts = [t.text for group in (LEDES, CLAIMS, EVENTS, NOTES, FILLERS, COVER.values()) for t in group]
    texts += TITLES + HEADINGS + GIVEN_NAMES + ROLES + ORG_FORMS + PLACE_FORMS + MONTHS + WEEKDAYS
    texts += [word for topic in TOPICS for word in topic] + PUBLISHERS + SOURCE_FORMS
    texts += [form for form, *_ in EVENT_FORMS + CONCEPT_FORMS]
    return {w.lower() for text in texts for w in re.findall(r"[A-Za-z]+", text)}


class Names:
    """Unique made-up words, none of them an English word of the templates."""

    def __init__(self, rng: Random):
        self.rng = rng
        self.used = _vocabulary() | {g.lower() for g in GIVEN_NAMES}

    def word(self) -> str:
        while True:
            syllables = self.rng.choice((2, 2, 2, 3))
            word = "".join(
                self.rng.choice(ONSETS) + self.rng.choice(VOWELS) for _ in range(syllables)
            ) + self.rng.choice(CODAS)
            if 4 <= len(word) <= 10 and word not in self.used and re.search(r"[aeiou]", word):
                self.used.add(word)
                return word.capitalize()


def slugify(text: str, limit: int = 80) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower().replace("’", "")).strip("-")
    return slug[:limit].rstrip("-")


@dataclass
class Entity:
    id: str
    name: str
    kind: str
    aliases: list[str] = field(default_factory=list)
    role: str = ""
    verb: str = ""
    description: str = ""
    sources: list[str] = field(default_factory=list)


@dataclass
class Source:
    id: str
    title: str
    date: str
    publisher: str = ""
    url: str = ""
    article: str = ""
    note: str = ""


def _split(total: int) -> dict[str, int]:
    """Share TOTAL among the kinds, at least an article's slots each, summing to TOTAL or more."""
    counts = {k: max(SLOTS[k], int(total * KIND_SHARE[k])) for k in KINDS}
    for k in itertools.cycle(KINDS):
        if sum(counts.values()) >= total:
            break
        counts[k] += 1
    while sum(counts.values()) > total:
        spare = [k for k in KINDS if counts[k] > SLOTS[k]]
        if not spare:
            break
        counts[max(spare, key=lambda k: counts[k])] -= 1
    return counts


def make_entities(rng: Random, names: Names, total: int) -> dict[str, list[Entity]]:
    acronyms: set[str] = set()
    pools: dict[str, list[Entity]] = {}
    for kind, count in _split(total).items():
        pool = pools[kind] = []
        for _ in range(count):
            token = names.word()
            if kind == "person":
                role = rng.choice(ROLES)
                name = f"{rng.choice(GIVEN_NAMES)} {token}"
                entity = Entity(slugify(name), name, kind, aliases=[token], role=role)
                entity.description = (
                    f"{role} frequently quoted on regional affairs. Appears in reports on budgets and public services."
                )
            elif kind == "place":
                name = rng.choice(PLACE_FORMS).format(T=token)
                entity = Entity(slugify(name), name, kind)
                direction, people = rng.choice(DIRECTIONS), rng.randrange(8, 400) * 1000
                entity.description = f"District in the {direction} of the region, with about {people:,} inhabitants."
            elif kind == "organization":
                form = rng.choice(ORG_FORMS)
                name = form.format(T=token)
                entity = Entity(slugify(name), name, kind)
                words = [w for w in re.findall(r"[A-Za-z]+", name) if w[0].isupper()]
                acronym = "".join(w[0] for w in words)
                if len(acronym) >= 3 and acronym not in acronyms and acronym.lower() not in names.used:
                    acronyms.add(acronym)
                    entity.aliases = [acronym]
                entity.description = f"{ORG_WHAT[form.replace('{T} ', '')]} in the district it is named after."
            elif kind == "event":
                form, verb, what = rng.choice(EVENT_FORMS)
                name = form.format(T=token)
                entity = Entity(slugify(name), name, kind, verb=verb)
                entity.description = f"{what} of {rng.randrange(1995, 2016)}, often cited in later disputes."
            else:
                form, what = rng.choice(CONCEPT_FORMS)
                name = form.format(T=token)
                entity = Entity(slugify(name), name, kind)
                subject = rng.choice(TOPICS)[rng.randrange(3)]
                entity.description = f"{what} the {subject}, named after the district that first adopted it."
            pool.append(entity)
    return pools


class Zipf:
    """Draws from ITEMS with weight 1/(rank+1)^s, the rank a fixed random order."""

    def __init__(self, rng: Random, items: list, s: float = ZIPF_S):
        self.rng = rng
        self.items = list(items)
        rng.shuffle(self.items)
        weights = [1 / (rank + 1) ** s for rank in range(len(self.items))]
        self.cum = list(itertools.accumulate(weights))

    def draw(self):
        return self.rng.choices(self.items, cum_weights=self.cum)[0]


# --- One article ---------------------------------------------------------------


def _date_phrase(day: dt.date) -> str:
    return f"on {MONTHS[day.month - 1]} {day.day}"


@dataclass
class Mark:
    kind: str  # mention | claim | event | note
    start: int  # offsets in the article's plain text
    end: int
    meta: dict


class ArticleWriter:
    """Writes one article block by block, keeping its plain text as the anchorer will see it."""

    def __init__(self, rng: Random, slots: dict[str, Entity], date: dt.date, topic: list[str], number: int):
        self.rng, self.slots, self.date, self.topic, self.number = rng, slots, date, topic, number
        self.blocks: list[tuple[str, str, str]] = []  # (kind, markdown, plain)
        self.marks: list[Mark] = []
        self.introduced: set[str] = set()
        self.used_slots: set[str] = set()
        self.figures = {
            "N": str(rng.randrange(3, 40)),
            "PCT": str(rng.randrange(4, 60)),
            "BIG": f"{rng.randrange(2, 90) * 100 + rng.randrange(1, 99):,}",
        }
        self.figures["MONEY"] = f"{rng.randrange(2, 90)}.{rng.randrange(1, 9)} million"
        self.links = 0
        self._md: list[str] = []
        self._plain: list[str] = []
        self._kind = "p"

    @property
    def offset(self) -> int:
        """Offset in the whole plain text of the next character written."""
        return sum(len(plain) + 2 for _, _, plain in self.blocks) + sum(map(len, self._plain))

    def start_block(self, kind: str) -> None:
        self.end_block()
        self._kind = kind

    def end_block(self) -> None:
        if self._md:
            self.blocks.append((self._kind, "".join(self._md), "".join(self._plain)))
        self._md, self._plain = [], []

    def _write(self, text: str) -> None:
        self._md.append(text)
        self._plain.append(text)

    def write(self, template: Template, name_only: bool = False, **extra: Entity) -> None:
        """Append TEMPLATE's sentence to the current block."""
        if self._plain:
            self._write(" ")
        open_marks: dict[str, tuple[int, dict]] = {}
        event_date: list[tuple[str, str, int]] = []  # (date|note, value, offset)
        for piece in re.split(r"(\{\w+\}|[«»‹›⌈⌉*⟨⟩])", template.text):
            if not piece:
                continue
            if piece in "«‹⌈":
                kind = {"«": "claim", "‹": "event", "⌈": "note"}[piece]
                open_marks[kind] = (self.offset, {})
            elif piece in "»›⌉":
                kind = {"»": "claim", "›": "event", "⌉": "note"}[piece]
                start, _ = open_marks.pop(kind)
                inside = [(k, v) for k, v, at in event_date if start <= at <= self.offset]
                meta = self._meta(kind, template, inside)
                self.marks.append(Mark(kind, start, self.offset, meta))
            elif piece == "*":
                self._md.append("*")
            elif piece == "⟨":
                self._md.append("[")
            elif piece == "⟩":
                self.links += 1
                self._md.append(f"](https://example.org/{self.topic[3]}/{self.date.year}/{self.number}-{self.links})")
            elif piece.startswith("{"):
                self._placeholder(piece[1:-1], extra, event_date, name_only)
            else:
                self._write(piece)

    def _placeholder(self, key: str, extra: dict[str, Entity], event_date: list, name_only: bool) -> None:
        if key in self.figures:
            return self._write(self.figures[key])
        if key in ("T1", "T2"):
            return self._write(self.topic[int(key[1]) - 1])
        if key in ("R", "R1", "R2", "R3"):
            entity = extra["X"] if key == "R" else self.slots[f"P{key[1]}"]
            return self._write(entity.role)
        if key == "E1v":
            return self._write(self.slots["E1"].verb)
        if key in ("X", *self.slots):
            entity = extra["X"] if key == "X" else self.slots[key]
            self.used_slots.add(key)
            words = entity.name
            if (
                entity.kind == "person"
                and entity.id in self.introduced
                or (
                    entity.kind == "organization"
                    and entity.aliases
                    and entity.id in self.introduced
                    and self.rng.random() < 0.5
                )
            ):
                words = entity.aliases[0]
            if not name_only:
                self.introduced.add(entity.id)
            start = self.offset
            self._write(words)
            self.marks.append(Mark("mention", start, self.offset, {"entity": entity.id}))
            return None
        day, text, iso = self.date, "", ""
        if key == "DTODAY":
            text, iso = _date_phrase(day), day.isoformat()
        elif key == "DPAST":
            day -= dt.timedelta(days=self.rng.randrange(7, 40))
            text, iso = _date_phrase(day), day.isoformat()
        elif key in ("DFUT", "DFROM"):
            day += dt.timedelta(days=self.rng.randrange(2, 60))
            text, iso = _date_phrase(day), day.isoformat()
            if key == "DFROM":
                text = text.removeprefix("on ")
        elif key == "DWEEKDAY":
            day -= dt.timedelta(days=self.rng.randrange(1, 7))
            text, iso = f"on {WEEKDAYS[day.weekday()]}", day.isoformat()
            weekday = WEEKDAYS[day.weekday()]
            note = f"{weekday} is {MONTHS[day.month - 1]} {day.day}, {day.year}, counted back from the article’s date."
            event_date.append(("note", note, self.offset))
        elif key == "MPAST":
            back = self.rng.randrange(1, 11)
            month_index = day.year * 12 + day.month - 1 - back
            year, month = divmod(month_index, 12)
            text = f"in {MONTHS[month]}" + (" last year" if year < day.year else "")
            iso = f"{year}-{month + 1:02d}"
        elif key == "YPAST":
            year = day.year - self.rng.randrange(2, 9)
            text, iso = str(year), str(year)
        elif key == "RANGE":
            last = day - dt.timedelta(days=self.rng.randrange(1, 20))
            first = last - dt.timedelta(days=self.rng.randrange(2, 6))
            text = f"from {MONTHS[first.month - 1]} {first.day} to {MONTHS[last.month - 1]} {last.day}"
            iso = f"{first.isoformat()}/{last.isoformat()}"
        else:
            raise KeyError(key)
        event_date.append(("date", iso, self.offset))
        self._write(text)
        return None

    def _meta(self, kind: str, template: Template, event_date: list) -> dict:
        """Return the fields of a claim, event or note closed just now; EVENT_DATE: the dates inside it."""
        names = {k: e.name for k, e in self.slots.items()}
        names.update({"T1": self.topic[0], "T2": self.topic[1], "E1v": self.slots["E1"].verb, **self.figures})
        if kind == "claim":
            about = [self.slots[s].id for s in template.about]
            return {
                "claimant": self.slots[template.claimant].id if template.claimant else "",
                "about": about,
                "summary": template.summary.format(**names) if template.summary else "",
            }
        if kind == "event":
            dates = [v for k, v in event_date if k == "date"]
            notes = [v for k, v in event_date if k == "note"]
            return {
                "date": dates[0],
                "title": template.event_title.format(**names),
                "entities": [self.slots[s].id for s in template.event_entities],
                "note": notes[0] if notes else "",
            }
        return {"text": template.note.format(**names)}


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def _selector(text: str, blocks: list[tuple[int, int]], start: int, end: int) -> dict:
    """Return the quote and the shortest prefix/suffix/occurrence that picks START..END."""
    quote = _squash(text[start:end])
    matches = find_quote(quote, text)
    assert (start, end) in matches, (quote, start, end)
    if len(matches) == 1:
        return {"quote": quote}
    block_start, block_end = next((a, b) for a, b in blocks if a <= start <= b)
    before = [m.start() for m in re.finditer(r"\S+", text[block_start:start])]
    for word_start in reversed(before[-8:]):
        prefix = _squash(text[block_start + word_start : start])
        hits = [s for s, _ in matches if _squash(text[max(0, s - 2 * len(prefix) - 8) : s]).endswith(prefix)]
        if hits == [start]:
            return {"quote": quote, "prefix": prefix}
    after = [m.end() for m in re.finditer(r"\S+", text[end:block_end])]
    for word_end in after[:8]:
        suffix = _squash(text[end : end + word_end])
        hits = [s for s, e in matches if _squash(text[e : e + 2 * len(suffix) + 8]).startswith(suffix)]
        if hits == [start]:
            return {"quote": quote, "suffix": suffix}
    return {"quote": quote, "occurrence": matches.index((start, end)) + 1}


@dataclass
class Article:
    slug: str
    front: dict
    markdown: str
    mentions: list[dict]
    claims: list[dict]
    events: list[dict]
    notes: list[dict]


def write_article(writer: ArticleWriter, rng: Random) -> tuple[str, str]:
    """Fill WRITER with an article of about 600 words; return its title and markdown body."""
    target_words = rng.randrange(570, 690)
    n_claims, n_events, n_notes = rng.choice((4, 5, 5, 6)), rng.choice((4, 5, 5, 6)), rng.choice((1, 2))
    lede = rng.choice(LEDES)
    n_claims -= lede.text.count("«")
    n_events -= lede.text.count("‹")
    body = rng.sample(CLAIMS, n_claims) + rng.sample(EVENTS, n_events) + rng.sample(NOTES, n_notes)
    fillers = rng.sample(FILLERS, len(FILLERS))
    rng.shuffle(body)

    writer.start_block("title")
    writer.write(Template(rng.choice(TITLES)), name_only=True)
    writer.start_block("p")
    writer.write(lede)
    sentences: list[Template] = []
    words = len("".join(writer._plain).split()) + len(writer.blocks[0][2].split())
    pending = list(body)
    while pending or words < target_words - 40:
        # interleave: about one annotated sentence for each filler
        if pending and (not fillers or rng.random() < 0.55):
            sentence = pending.pop()
        elif fillers:
            sentence = fillers.pop()
        else:
            break
        sentences.append(sentence)
        words += len(re.sub(r"\{\w+\}", "x y", sentence.text).split())
    headings = rng.sample(HEADINGS, 2)
    cut = sorted(rng.sample(range(3, max(5, len(sentences) - 2)), 2))
    in_paragraph = 0
    writer.start_block("p")
    for n, sentence in enumerate(sentences):
        if n in cut:
            writer.start_block("h2")
            writer.write(Template(headings.pop()))
            writer.start_block("p")
            in_paragraph = 0
        elif in_paragraph >= rng.choice((1, 2, 2, 3)):
            writer.start_block("p")
            in_paragraph = 0
        writer.write(sentence)
        in_paragraph += 1
    for slot, entity in writer.slots.items():
        if slot not in writer.used_slots:
            writer.start_block("p")
            writer.write(COVER[entity.kind], X=entity)
    writer.end_block()
    title = writer.blocks[0][2]
    body_md = "\n\n".join(("## " + md if kind == "h2" else md) for kind, md, _ in writer.blocks[1:]) + "\n"
    return title, body_md


def annotate(writer: ArticleWriter, entities: dict[str, Entity]) -> dict[str, list[dict]]:
    """Return the article's annotations, each with the selector that anchors it."""
    texts = [plain for _, _, plain in writer.blocks]
    text = "\n\n".join(texts)
    blocks, pos = [], 0
    for plain in texts:
        blocks.append((pos, pos + len(plain)))
        pos += len(plain) + 2
    mentions = [m for m in writer.marks if m.kind == "mention"]
    # Every name or alias of the article's entities must be covered by a mention (lint W501).
    covered = {(m.start, m.end) for m in mentions}
    for entity_id in {m.meta["entity"] for m in mentions}:
        for name in [entities[entity_id].name, *entities[entity_id].aliases]:
            for match_start, match_end in find_quote(name, text):
                assert any(s <= match_start and match_end <= e for s, e in covered), (
                    name,
                    text[match_start - 30 : match_end + 30],
                )
    out: dict[str, list[dict]] = {"mentions": [], "claims": [], "events": [], "notes": []}
    groups: dict[tuple[str, str], list[Mark]] = {}
    for m in sorted(mentions, key=lambda m: m.start):
        groups.setdefault((m.meta["entity"], text[m.start : m.end]), []).append(m)
    for (entity_id, quote), marks in groups.items():
        spans = {(m.start, m.end) for m in marks}
        matches = set(find_quote(quote, text))
        if len(marks) > 1 and matches == spans:
            out["mentions"].append({"entity": entity_id, "quote": quote, "every": True})
            continue
        for m in marks:
            out["mentions"].append({"entity": entity_id, **_selector(text, blocks, m.start, m.end)})
    for m in writer.marks:
        if m.kind == "mention":
            continue
        item = _selector(text, blocks, m.start, m.end)
        if m.kind == "claim" or m.kind == "event":
            item.update({k: v for k, v in m.meta.items() if v})
        else:
            item["text"] = m.meta["text"]
        out[m.kind + "s"].append(item)
    return out


# --- The whole corpus ------------------------------------------------------------


def _yaml(value) -> str:
    """A YAML scalar or flow list: ids and numbers plain, text double-quoted."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_yaml(v) for v in value) + "]"
    if re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", value) and not re.fullmatch(
        r"[0-9-]+|true|false|null|yes|no|on|off|y|n", value
    ):
        return value
    return json.dumps(value, ensure_ascii=False)


def _yaml_list(items: list[dict], indent: str = "") -> str:
    lines = []
    for item in items:
        first = True
        for key, value in item.items():
            lines.append(f"{indent}{'- ' if first else '  '}{key}: {_yaml(value)}")
            first = False
    return "\n".join(lines) + "\n"


@dataclass
class Corpus:
    entities: list[Entity]
    sources: list[Source]
    articles: list[Article]


def generate(n: int, seed: int = DEFAULT_SEED) -> Corpus:
    """Return a corpus of N articles, the same for the same N and SEED."""
    rng = Random(f"marginalia-bench:{seed}:{n}")
    names = Names(rng)
    total_entities = min(max(50, n // 5), 10 * n)  # every entity is mentioned at least once
    pools = make_entities(rng, names, total_entities)
    entities = {e.id: e for kind in KINDS for e in pools[kind]}
    zipf = {kind: Zipf(rng, pools[kind]) for kind in KINDS}

    # Articles: dates, topics and their entities. Each entity is dealt to one
    # article first (so every entity is mentioned), the other slots drawn.
    dealt: list[dict[str, list[Entity]]] = [{k: [] for k in KINDS} for _ in range(n)]
    for kind in KINDS:
        shuffled = rng.sample(pools[kind], len(pools[kind]))
        for i, entity in enumerate(shuffled):
            dealt[i % n][kind].append(entity)
    plans = []
    for i in range(n):
        slots: dict[str, Entity] = {}
        for kind in KINDS:
            chosen = list(dealt[i][kind])
            while len(chosen) < SLOTS[kind]:
                candidate = zipf[kind].draw()
                if candidate not in chosen:
                    chosen.append(candidate)
            rng.shuffle(chosen)
            for j, entity in enumerate(chosen, 1):
                slots[f"{SLOT_PREFIX[kind]}{j}"] = entity
        date = dt.date(2016, 1, 1) + dt.timedelta(days=rng.randrange(365 * 10))
        plans.append((slots, date, rng.choice(TOPICS)))

    # Sources: a shared pool, each one cited by at least one claim.
    total_sources = max(1, min(max(10, n // 10), 4 * n))
    sources: list[Source] = []
    source_ids: set[str] = set()
    for _ in range(total_sources):
        token, topic = names.word(), rng.choice(TOPICS)
        title = rng.choice(SOURCE_FORMS).format(T=token, topic=topic[rng.randrange(3)])
        day = dt.date(2015, 1, 1) + dt.timedelta(days=rng.randrange(365 * 11))
        source_id = slugify(f"{token} {topic[3]} {day.year}")
        while source_id in source_ids:
            source_id += "-b"
        source_ids.add(source_id)
        source = Source(source_id, title, day.isoformat() if rng.random() < 0.5 else day.isoformat()[:7])
        if rng.random() < 0.6:
            source.publisher = rng.choice(PUBLISHERS)
        if rng.random() < 0.5:
            source.url = f"https://example.org/sources/{source_id}"
        if rng.random() < 0.2:
            source.note = "Synthetic source of the benchmark corpus; its *title* and date are made up."
        sources.append(source)
    source_queue = itertools.cycle(rng.sample(sources, len(sources)))
    source_zipf = Zipf(rng, sources)
    for entity in entities.values():
        if rng.random() < 0.5:
            entity.sources = [source_zipf.draw().id]

    articles: list[Article] = []
    slugs: set[str] = set()
    claim_ids: set[str] = set()
    event_ids: set[str] = set()
    for i, (slots, date, topic) in enumerate(plans):
        writer = ArticleWriter(rng, slots, date, topic, i + 1)
        title, body = write_article(writer, rng)
        slug = slugify(" ".join(title.split()[:7]), 60)
        base, k = slug, 2
        while slug in slugs:
            slug, k = f"{base}-{k}", k + 1
        slugs.add(slug)
        annotations = annotate(writer, entities)
        for claim in annotations["claims"]:
            claim["id"] = _unique_id(claim["quote"], i + 1, claim_ids)
            status = rng.choices(("reported", "confirmed", "disputed", "false"), (70, 12, 12, 6))[0]
            cited: list[Source] = [next(source_queue)]
            if rng.random() < 0.3:
                extra = source_zipf.draw()
                if extra not in cited:
                    cited.append(extra)
            ordered = {"id": claim.pop("id"), "quote": claim.pop("quote")}
            ordered.update(claim)
            ordered["status"] = status
            ordered["sources"] = [s.id for s in cited]
            if status != "reported":
                verb = {"confirmed": "bear out", "disputed": "contradict part of", "false": "contradict"}[status]
                ordered["review"] = f"The figures in the cited sources *{verb}* the statement."
            claim.clear()
            claim.update(ordered)
        for event in annotations["events"]:
            ordered = {"id": _unique_id(event["title"], i + 1, event_ids)}
            ordered.update(event)
            event.clear()
            event.update(ordered)
        front = {"title": title, "date": date.isoformat(), "dateline": slots["L1"].name.upper()}
        if rng.random() < 0.5:
            front["byline"] = f"{rng.choice(GIVEN_NAMES)} {names.word()}, staff reporter"
        articles.append(
            Article(
                slug,
                front,
                body,
                annotations["mentions"],
                annotations["claims"],
                annotations["events"],
                annotations["notes"],
            )
        )
    for source in sources:
        if rng.random() < 0.1:
            source.article = rng.choice(articles).slug
    return Corpus(list(entities.values()), sources, articles)


def _unique_id(text: str, number: int, seen: set[str]) -> str:
    words = re.findall(r"[a-z0-9]+", text.lower().replace("’", ""))
    ident = slugify("-".join(words[:6]), 60) + f"-{number}"
    base, k = ident, 2
    while ident in seen:
        ident, k = f"{base}-{k}", k + 1
    seen.add(ident)
    return ident


def _front_matter(front: dict) -> str:
    return "---\n" + "".join(f"{k}: {json.dumps(v, ensure_ascii=False)}\n" for k, v in front.items()) + "---\n\n"


def _prepare(out: Path) -> None:
    """Make OUT an empty folder of ours: refuse to write into anything else that is not empty."""
    if out.exists() and any(out.iterdir()):
        if not (out / MARKER).exists():
            sys.exit(f"corpus.py: {out} is not empty and was not written by corpus.py; refusing to overwrite it")
        for child in out.iterdir():
            shutil.rmtree(child) if child.is_dir() else child.unlink()
    out.mkdir(parents=True, exist_ok=True)
    (out / MARKER).write_text("written by bench/corpus.py; deleted and rewritten on the next run\n")


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


def write_project(corpus: Corpus, out: Path) -> None:
    """Write CORPUS as a complete Marginalia project into OUT."""
    _prepare(out)
    n = len(corpus.articles)
    _write(
        out / "mkdocs.yml",
        f"# Synthetic benchmark corpus of {n} articles, written by bench/corpus.py.\n"
        f"site_name: {_yaml(f'Marginalia benchmark ({n} articles)')}\n"
        "docs_dir: content\nsite_dir: site\n"
        f"extra:\n  marginalia:\n    templates_dir: {json.dumps(str(TEMPLATES_DIR))}\n",
    )
    entities = []
    for e in corpus.entities:
        item: dict[str, str | list[str]] = {"id": e.id, "name": e.name, "kind": e.kind}
        if e.aliases:
            item["aliases"] = e.aliases
        item["description"] = e.description
        if e.sources:
            item["sources"] = e.sources
        entities.append(item)
    header = "# Synthetic benchmark data (bench/corpus.py): every name and figure is made up.\n\n"
    _write(out / "content" / "entities.yml", header + _yaml_list(entities))
    sources = []
    for s in corpus.sources:
        item = {"id": s.id, "title": s.title}
        for key in ("publisher", "date", "url", "article", "note"):
            if getattr(s, key):
                item[key] = getattr(s, key)
        sources.append(item)
    _write(out / "content" / "sources.yml", header + _yaml_list(sources))
    for a in corpus.articles:
        _write(out / "content" / "articles" / f"{a.slug}.md", _front_matter(a.front) + a.markdown)
        parts = [f"# Annotations of {a.slug}.md (synthetic benchmark data, bench/corpus.py).\n"]
        for section in ("mentions", "claims", "events", "notes"):
            items = getattr(a, section)
            if items:
                parts.append(f"{section}:\n" + _yaml_list(items, "  "))
        _write(out / "content" / "articles" / f"{a.slug}.yml", "\n".join(parts))


HUGO_SINGLE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>{{ .Title }}</title></head>
<body>
<main>
<h1>{{ .Title }}</h1>
<p>{{ .Date.Format "2006-01-02" }}</p>
{{ .Content }}
</main>
</body>
</html>
"""
HUGO_LIST = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>{{ .Title }}</title></head>
<body>
<main>
<h1>{{ .Title }}</h1>
{{ .Content }}
<ul>
{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>
{{ end }}</ul>
</main>
</body>
</html>
"""


def write_bare(corpus: Corpus, out: Path) -> None:
    """Write CORPUS's articles as bare Markdown for MkDocs and Hugo into OUT."""
    _prepare(out)
    n = len(corpus.articles)
    first = sorted(a.slug for a in corpus.articles)[0]
    _write(
        out / "mkdocs.yml",
        f"# The benchmark's {n} articles as bare Markdown, for MkDocs (bench/corpus.py --bare).\n"
        f"site_name: {_yaml(f'Bare benchmark corpus ({n} articles)')}\n"
        "docs_dir: docs\nsite_dir: site\ntheme:\n  name: mkdocs\n"
        f"nav:\n  - Home: articles/{first}.md\n",
    )
    _write(
        out / "hugo.toml",
        f"# The benchmark's {n} articles as bare Markdown, for Hugo (bench/corpus.py --bare).\n"
        f'baseURL = "https://example.org/"\ntitle = "Bare benchmark corpus ({n} articles)"\n'
        'contentDir = "docs"\npublishDir = "public"\ndisableKinds = ["taxonomy", "term"]\n',
    )
    _write(out / "layouts" / "_default" / "single.html", HUGO_SINGLE)
    _write(out / "layouts" / "_default" / "list.html", HUGO_LIST)
    for a in corpus.articles:
        _write(out / "docs" / "articles" / f"{a.slug}.md", _front_matter(a.front) + a.markdown)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write a deterministic synthetic corpus for the build benchmark.")
    parser.add_argument("n", type=int, help="number of articles")
    parser.add_argument("out", nargs="?", type=Path, help="folder for the Marginalia project")
    parser.add_argument(
        "--bare", type=Path, metavar="OUT_DIR2", help="folder for the same articles as bare Markdown (MkDocs, Hugo)"
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})")
    args = parser.parse_args(argv)
    if args.n < 1:
        parser.error("N must be at least 1")
    if not args.out and not args.bare:
        parser.error("give OUT_DIR, --bare OUT_DIR2, or both")
    corpus = generate(args.n, args.seed)
    if args.out:
        write_project(corpus, args.out)
    if args.bare:
        write_bare(corpus, args.bare)
    return 0


if __name__ == "__main__":
    sys.exit(main())
