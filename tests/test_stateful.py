"""Random sequences of edits: after each, a build with the cache, the dev server's
rebuild and a build from scratch make the same site, byte for byte.

One content/ folder (the articles of tests/fixtures/stateful/, invented) and one
templates/ folder are edited; three sites are built from them, each in its own
folder with its own build cache:

- incremental: `pipeline.build(use_cache=True)` after every edit, into the same site;
- live: one `live.LiveSite` kept across the edits, told the paths each edit touched;
- scratch: `pipeline.build` without the cache, into a new folder each time.

After an edit that leaves the content with errors, all three must fail with the
same problems (and `check`, with the cache and without, must find them too), and
the incremental and live sites must stay as they were. After any edit, the
problems (warnings included) are the same for all of them.

What this does not cover: the search index (Pagefind is slow; every build here
has `search` off), worker processes (jobs=1), a site without `site_url` (the
exports, sitemap and feed are always on), edits to mkdocs.yml other than its
site_description, the file watcher itself (the live site is handed exactly the
paths written), several edits between two builds, and edits that leave a
file's size and modification time as they were (builds run between any two
writes of a file). What the machine found is at the end of this file, reduced
to plain tests.

Examples are derandomized and no example database is kept, as in
test_properties.py: a run is the same on every machine. On a failure,
Hypothesis prints the shortest sequence of edits it found; the message names
the first files that differ and shows a diff of the first.
"""

from __future__ import annotations

import contextlib
import dataclasses
import difflib
import json
import re
import shutil
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from marginalia.config import Config, load_config
from marginalia.errors import ContentError
from marginalia.live import LiveSite
from marginalia.pipeline import build, check
from tests.conftest import ROOT

POOL = ROOT / "tests" / "fixtures" / "stateful"
SLUGS = sorted(p.stem for p in (POOL / "articles").glob("*.md"))
SLUGS_WITH_VERDICTS = {
    slug for slug in SLUGS if "status:" in (POOL / "articles" / f"{slug}.yml").read_text(encoding="utf-8")
}
"""The articles that define a claim (the others report claims by id)."""
STATUSES = ["reported", "disputed", "false", "confirmed"]
NAMES = {
    "ines-vela": "Ines Vela-Moreno",
    "oren-task": "Oren Baskin",  # another surname: another letter of the glossary
    "port-aldra": "Aldra Harbour",
    "dock-union": "Union of Dockers",
    "ferry-company": "Aldra Ferries",
    "town-council": "council of Port Aldra",
}
"""Another name for each entity of the glossary."""
REPORTERS = {"harbour-reopens": "truce-signed", "pier-opened": "council-budget"}
"""The articles that report a claim or an event by id → the article that defines it."""
EXTRA_SOURCES = [
    {"id": "wire", "title": "A wire story", "article": "harbour-reopens"},
    {"id": "timetable", "title": "The ferry timetable", "publisher": "Ferry Company"},
]
"""Sources absent at first: the wire's article may be absent (M204); no claim cites either (W503)."""
EXTRA_ENTITIES = [
    {"id": "aldra-lighthouse", "name": "Aldra Lighthouse", "kind": "place", "description": "An invented lighthouse."},
    {"id": "mara-quell", "name": "Mara Quell", "kind": "person", "description": "An invented harbour pilot."},
]
"""Glossary entries absent at first, which no article mentions (W502)."""
MKDOCS_YML = """\
site_name: Port Aldra news
site_description: {description}
site_url: https://example.org/news/
docs_dir: content
extra:
  marginalia:
    templates_dir: templates
    search: false
"""
TEMPLATE_EDITS = {
    "base.html": ("</footer>", "<!-- edition 2 --></footer>"),
    "article.html": ("{% block main %}", '{% block main %}<p class="edition">Edition 2</p>'),
}
"""A harmless change to a template: (text, replaced by)."""


def files(folder: Path) -> dict[str, bytes]:
    """Return every file under FOLDER by its path in it (nothing if it does not exist)."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _lines(path: str, data: bytes | None) -> list[str]:
    """Return the file's text in lines short enough to diff: one tag a line, JSON indented."""
    text = "" if data is None else data.decode("utf-8", "replace")
    if path.endswith((".json", ".jsonld")) and text:
        with contextlib.suppress(ValueError):
            return json.dumps(json.loads(text), indent=1, ensure_ascii=False).splitlines(keepends=True)
    return re.sub(r">(?!\n)", ">\n", text).splitlines(keepends=True)


def differences(name: str, site: dict[str, bytes], other_name: str, other: dict[str, bytes]) -> str:
    """Return how two sites differ: the first few differing files and a diff of the first; '' if they do not."""
    differing = [path for path in sorted(site.keys() | other.keys()) if site.get(path) != other.get(path)]
    if not differing:
        return ""
    report = [f"the {name} site and the {other_name} site differ in {len(differing)} file(s):"]
    for path in differing[:5]:
        where = f" (only in the {other_name} site)" if path not in site else ""
        where = f" (only in the {name} site)" if path not in other else where
        report.append(f"  {path}{where}")
    first = differing[0]
    diff = list(
        difflib.unified_diff(
            _lines(first, site.get(first)),
            _lines(first, other.get(first)),
            f"{name}/{first}",
            f"{other_name}/{first}",
            n=2,
        )
    )
    report += [line.rstrip("\n")[:200] for line in diff[:40]] + (["  ..."] if len(diff) > 40 else [])
    return "\n".join(report)


def problems(found: list) -> list[str]:  # type: ignore[type-arg]
    """Return the problems as the checker prints them, in order."""
    return sorted(str(p) for p in found)


@dataclasses.dataclass
class ArticleState:
    """An article of the pool, and the edits made to it."""

    moved: bool = False
    """Dated in January 2022 instead (another month's pages)."""
    longer: bool = False
    """With one more paragraph."""
    broken: bool = False
    """The words its first mention quotes replaced by others: the mention cannot be anchored (M301)."""
    status: int = 0
    """How many times its first claim of its own moved on to the next verdict (in STATUSES' order)."""
    mention_dropped: bool = False
    """Without its last mention."""
    note: int = 0
    """0: its notes as in the pool; n: its first note reads "Note n." (added if it has none)."""


class SameSite(RuleBasedStateMachine):
    """Edits content/ and templates/ and builds the three sites after each edit."""

    def __init__(self) -> None:
        super().__init__()
        self.root = Path(tempfile.mkdtemp(prefix="stateful-"))
        self.content = self.root / "content"
        (self.content / "articles").mkdir(parents=True)
        shutil.copytree(ROOT / "templates", self.root / "templates")
        self.described_site = False
        (self.root / "mkdocs.yml").write_text(self._mkdocs_yml(), encoding="utf-8")
        self.originals = {name: (self.root / "templates" / name).read_text(encoding="utf-8") for name in TEMPLATE_EDITS}
        self.articles: dict[str, ArticleState] = {}
        self.renamed: set[str] = set()
        self.described: set[str] = set()
        self.sources = {"council-minutes": True, "harbour-log": True, "wire": False, "timetable": False}
        self.extra_entities: set[str] = set()
        self.union_removed = False
        """Whether the Dock Union, which articles mention, is out of the glossary (M202 where it is mentioned)."""
        self.templates: set[str] = set()
        self.touched: list[str] = []
        """The paths written or deleted since the last build."""
        self.configs = {name: self._config(name) for name in ("incremental", "live", "scratch")}
        self.live = LiveSite(self.configs["live"], jobs=1, no_search=True)
        self.last_good: dict[str, dict[str, bytes]] = {"incremental": {}, "live": {}}
        self.failing = False
        """Whether the content had errors at the last build."""

    def _config(self, name: str) -> Config:
        """Read mkdocs.yml as it is now, for the site NAME (its build cache goes to ROOT/NAME/.cache)."""
        return load_config(self.root / "mkdocs.yml", site_dir=self.root / name / "site")

    def _mkdocs_yml(self) -> str:
        description = "News of Port Aldra, annotated." + (" Revised." if self.described_site else "")
        return MKDOCS_YML.format(description=description)

    def teardown(self) -> None:
        self.live.close()
        shutil.rmtree(self.root, ignore_errors=True)

    # --- The files, as the edits made them -------------------------------------------------

    def _article_files(self, slug: str, state: ArticleState) -> dict[str, str]:
        text = (POOL / "articles" / f"{slug}.md").read_text(encoding="utf-8")
        data = yaml.safe_load((POOL / "articles" / f"{slug}.yml").read_text(encoding="utf-8"))
        if state.moved:
            text = re.sub(r'date: "[^"]*"', f'date: "2022-01-{SLUGS.index(slug) + 10}"', text, count=1)
        if state.longer:
            text += "\nMore boats came in the next day.\n"
        if state.broken:
            quote = data["mentions"][0]["quote"]
            head, body = text.split("\n---\n", 1)
            text = head + "\n---\n" + body.replace(quote, "someone")
        if state.mention_dropped:
            data["mentions"].pop()
        own = [claim for claim in data.get("claims", []) if "status" in claim]
        if own and state.status:
            own[0]["status"] = STATUSES[(STATUSES.index(own[0]["status"]) + state.status) % len(STATUSES)]
        if state.note:
            if not data.get("notes"):
                data["notes"] = [{"quote": data["mentions"][0]["quote"], "text": ""}]
            data["notes"][0]["text"] = f"Note {state.note}."
        return {
            f"content/articles/{slug}.md": text,
            f"content/articles/{slug}.yml": yaml.safe_dump(data, sort_keys=False, allow_unicode=True),
        }

    def _wanted(self) -> dict[str, str]:
        """Return the text of every file the edits made so far give content/ and templates/ (those they edit)."""
        entities = yaml.safe_load((POOL / "entities.yml").read_text(encoding="utf-8"))
        for entity in entities:
            if entity["id"] in self.renamed:
                entity["name"] = NAMES[entity["id"]]
            if entity["id"] in self.described:
                entity["description"] += " Its entry was revised."
        entities = [e for e in entities if not (self.union_removed and e["id"] == "dock-union")]
        entities += [e for e in EXTRA_ENTITIES if e["id"] in self.extra_entities]
        sources = yaml.safe_load((POOL / "sources.yml").read_text(encoding="utf-8")) + EXTRA_SOURCES
        wanted = {
            "mkdocs.yml": self._mkdocs_yml(),
            "content/entities.yml": yaml.safe_dump(entities, sort_keys=False, allow_unicode=True),
            "content/sources.yml": yaml.safe_dump(
                [s for s in sources if self.sources[s["id"]]], sort_keys=False, allow_unicode=True
            ),
        }
        for name, original in self.originals.items():
            old, new = TEMPLATE_EDITS[name]
            wanted[f"templates/{name}"] = original.replace(old, new, 1) if name in self.templates else original
        for slug, state in self.articles.items():
            wanted |= self._article_files(slug, state)
        return wanted

    def _write(self) -> None:
        """Bring the files up to date with the edits; remember the paths that changed."""
        wanted = self._wanted()
        for name, text in wanted.items():
            path = self.root / name
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                path.write_text(text, encoding="utf-8")
                self.touched.append(str(path))
        for path in sorted((self.content / "articles").iterdir()):
            if path.relative_to(self.root).as_posix() not in wanted:
                path.unlink()
                self.touched.append(str(path))

    # --- The edits ------------------------------------------------------------------------

    def _add(self, slug: str) -> None:
        """Add the article SLUG, and the article that defines what it reports (only removing that one is an error)."""
        self.articles[slug] = ArticleState()
        if slug in REPORTERS:
            self.articles.setdefault(REPORTERS[slug], ArticleState())

    @initialize(slugs=st.sets(st.sampled_from(SLUGS), min_size=2, max_size=3))
    def start(self, slugs: set[str]) -> None:
        for slug in slugs:
            self._add(slug)
        self._write()

    @precondition(lambda self: len(self.articles) < len(SLUGS))
    @rule(pick=st.integers(0, len(SLUGS)))
    def add_article(self, pick: int) -> None:
        absent = [slug for slug in SLUGS if slug not in self.articles]
        self._add(absent[pick % len(absent)])
        self._write()

    @precondition(lambda self: len(self.articles) > 1)
    @rule(pick=st.integers(0, len(SLUGS)))
    def remove_article(self, pick: int) -> None:
        del self.articles[sorted(self.articles)[pick % len(self.articles)]]
        self._write()

    def _edit(self, pick: int, field: str) -> None:
        """Edit the PICKth article: turn FIELD of its state on or off, or to its next value."""
        state = self.articles[sorted(self.articles)[pick % len(self.articles)]]
        value = getattr(state, field)
        setattr(state, field, not value if isinstance(value, bool) else (value + 1) % 4)
        self._write()

    @rule(pick=st.integers(0, len(SLUGS)))
    def redate_article(self, pick: int) -> None:
        self._edit(pick, "moved")

    @rule(pick=st.integers(0, len(SLUGS)))
    def lengthen_article(self, pick: int) -> None:
        self._edit(pick, "longer")

    @rule(pick=st.integers(0, len(SLUGS)))
    def break_or_mend_a_quote(self, pick: int) -> None:
        self._edit(pick, "broken")

    @rule(pick=st.integers(0, len(SLUGS)))
    def drop_or_restore_a_mention(self, pick: int) -> None:
        self._edit(pick, "mention_dropped")

    @precondition(lambda self: any(SLUGS_WITH_VERDICTS & self.articles.keys()))
    @rule(pick=st.integers(0, len(SLUGS)))
    def change_a_verdict(self, pick: int) -> None:
        slugs = sorted(SLUGS_WITH_VERDICTS & self.articles.keys())
        self.articles[slugs[pick % len(slugs)]].status += 1
        self._write()

    @rule(pick=st.integers(0, len(SLUGS)))
    def change_a_note(self, pick: int) -> None:
        self._edit(pick, "note")

    @rule(entity=st.sampled_from(sorted(NAMES)), what=st.sampled_from(["name", "description"]))
    def edit_glossary(self, entity: str, what: str) -> None:
        edited = self.renamed if what == "name" else self.described
        edited ^= {entity}
        self._write()

    @rule(entity=st.sampled_from([e["id"] for e in EXTRA_ENTITIES]))
    def add_or_remove_an_unmentioned_entity(self, entity: str) -> None:
        """A glossary entry no article mentions comes or goes (W502): its page, the glossary's lists."""
        self.extra_entities ^= {entity}
        self._write()

    @rule()
    def remove_or_restore_a_mentioned_entity(self) -> None:
        """Removing the Dock Union, which articles mention, is an error where they do (M202)."""
        self.union_removed = not self.union_removed
        self._write()

    @precondition(lambda self: not all(self.sources[s["id"]] for s in EXTRA_SOURCES))
    @rule(pick=st.integers(0, len(EXTRA_SOURCES)))
    def add_source(self, pick: int) -> None:
        """Add a source no claim cites (W503); the wire without its article is an error (M204)."""
        absent = [s["id"] for s in EXTRA_SOURCES if not self.sources[s["id"]]]
        self.sources[absent[pick % len(absent)]] = True
        self._write()

    @precondition(lambda self: any(self.sources[s["id"]] for s in EXTRA_SOURCES))
    @rule(pick=st.integers(0, len(EXTRA_SOURCES)))
    def remove_source(self, pick: int) -> None:
        present = [s["id"] for s in EXTRA_SOURCES if self.sources[s["id"]]]
        self.sources[present[pick % len(present)]] = False
        self._write()

    @rule()
    def remove_or_restore_a_cited_source(self) -> None:
        """Removing the harbour log, which claims and an entity cite, is an error (M203)."""
        self.sources["harbour-log"] = not self.sources["harbour-log"]
        self._write()

    @rule()
    def edit_the_site_description(self) -> None:
        """In mkdocs.yml: the dev server reads it again."""
        self.described_site = not self.described_site
        self._write()

    @rule(template=st.sampled_from(sorted(TEMPLATE_EDITS)))
    def edit_template(self, template: str) -> None:
        self.templates ^= {template}
        self._write()

    @precondition(lambda self: self.failing)
    @rule()
    def mend(self) -> None:
        """Undo the edits that can give the content errors, so that a run does not stay in error."""
        for state in self.articles.values():
            state.broken = False
        for slug in [slug for slug in self.articles if slug in REPORTERS]:
            self.articles.setdefault(REPORTERS[slug], ArticleState())
        self.sources["harbour-log"] = True
        self.sources["wire"] &= "harbour-reopens" in self.articles
        self.union_removed = False
        self._write()

    # --- After each edit: the same site three ways ----------------------------------------

    @invariant()
    def the_three_sites_are_the_same(self) -> None:
        touched, self.touched = self.touched, []
        found: dict[str, list[str]] = {}
        failed: dict[str, bool] = {}
        self.configs |= {name: self._config(name) for name in ("incremental", "scratch")}  # mkdocs.yml may change
        for name in ("incremental", "scratch"):
            config = self.configs[name]
            if name == "scratch":
                shutil.rmtree(config.site_dir.parent, ignore_errors=True)  # no previous site, no cache
            try:
                result = build(config, jobs=1, use_cache=name == "incremental")
            except ContentError as error:
                found[name], failed[name] = problems(error.problems), True
            else:
                found[name], failed[name] = problems(result.warnings), False
        rebuilt = self.live.rebuild(changed=touched)
        found["live"], failed["live"] = problems(rebuilt.problems), rebuilt.failed
        found["check with the cache"] = problems(check(self.configs["incremental"], jobs=1, use_cache=True))
        found["check"] = problems(check(self.configs["scratch"], jobs=1))

        assert failed["incremental"] == failed["live"] == failed["scratch"], f"failed: {failed}; problems: {found}"
        for name, listed in found.items():
            assert listed == found["scratch"], f"the {name} problems differ from the scratch build's:\n" + "\n".join(
                difflib.unified_diff(found["scratch"], listed, "scratch", name, lineterm="")
            )
        sites = {name: files(config.site_dir) for name, config in self.configs.items()}
        self.failing = failed["scratch"]
        if failed["scratch"]:
            assert not self.configs["scratch"].site_dir.exists()
            for name, before in self.last_good.items():
                changed = differences("previous " + name, before, name, sites[name])
                assert not changed, f"a failed build changed the {name} site:\n{changed}"
            return
        assert sites["scratch"], "the scratch build wrote nothing"
        for name in self.last_good:
            mismatch = differences(name, sites[name], "scratch", sites["scratch"])
            assert not mismatch, mismatch
            self.last_good[name] = sites[name]


TestSameSite = SameSite.TestCase
TestSameSite.settings = settings(
    max_examples=12, stateful_step_count=12, deadline=None, derandomize=True, database=None
)


# --- What the machine found -----------------------------------------------------------------


@pytest.mark.parametrize("registry", ["sources.yml", "entities.yml"])
def test_the_dev_server_forgets_what_the_glossary_and_sources_no_longer_hold(
    project, tmp_path: Path, registry: str
) -> None:
    """Found by the machine: add a source, remove it, then edit an article (the same for an entity)."""
    before = project.content.joinpath(registry).read_text(encoding="utf-8")
    extra = (
        "- id: wire\n  title: A wire story\n"
        if registry == "sources.yml"
        else "- id: paris\n  name: Paris\n  kind: place\n"
    )
    annotations = "mentions:\n  - {entity: ada, quote: Ada}\n  - {entity: engine, quote: engine}\n  - {entity: london, quote: London}\n"
    project.article("a", "Ada saw the engine in London.\n", annotations)
    config = dataclasses.replace(project.config, search=False)
    site = LiveSite(config, jobs=1, no_search=True)
    try:
        project.write(registry, before + extra)
        assert [p.code for p in site.rebuild().problems] == ["W503" if registry == "sources.yml" else "W502"]
        project.write(registry, before)
        assert site.rebuild().problems == []
        path = project.article("a", "Ada saw the engine in London.\n\nIt ran.\n", annotations)
        assert site.rebuild([str(path)]).problems == []
    finally:
        site.close()
    scratch = dataclasses.replace(config, site_dir=tmp_path / "scratch" / "site")
    build(scratch, jobs=1)
    assert files(config.site_dir) == files(scratch.site_dir)
