"""The dev server's search index after incremental rebuilds: made again in the
background, only the bundles that changed, one refresh at a time, put in place
whole, and told on the console."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import queue
import re
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from marginalia import live_search, search
from marginalia.live import LiveSite
from marginalia.live_search import Refreshed
from marginalia.pipeline import build
from marginalia.serve import MarginaliaServer, make_server
from tests.conftest import Project, read_index, words

WAIT = 60
"""Seconds to wait for a refresh: Pagefind takes a fraction of one on these sites."""

OLD = "Ada saw London.\n"
NEW = "London grew quokkas.\n"
NEWER = "The engine ran.\n"
MENTIONS = {
    "old": "mentions:\n  - {entity: ada, quote: Ada}\n",
    "new": "mentions:\n  - {entity: london, quote: London}\n",
    "newer": "mentions:\n  - {entity: engine, quote: engine}\n",
}
DATES = {"old": "2019-02-01", "new": "2020-03-13", "newer": "2020-04-01"}


def write(project: Project, slug: str, body: str, mentions: str | None = None) -> None:
    project.article(slug, body, mentions or MENTIONS[slug], date=DATES[slug])


@pytest.fixture
def years(project: Project) -> Project:
    """A project with an article of 2019 and two of 2020."""
    write(project, "old", OLD)
    write(project, "new", NEW)
    write(project, "newer", NEWER)
    return project


@pytest.fixture
def made(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> Callable[[], list[str]]:
    """Record the key of every bundle Pagefind is asked to make, by a build or a refresh (in a process
    of its own); return a function that lists them."""
    record = tmp_path_factory.mktemp("made") / "keys"
    record.touch()
    original = search._pagefind_bundles

    async def bundles(site_dir, todo, put):  # type: ignore[no-untyped-def]
        with open(record, "a", encoding="utf-8") as file:
            file.write("".join(f"{shard.key}\n" for shard in todo))
        await original(site_dir, todo, put)

    monkeypatch.setattr(search, "_pagefind_bundles", bundles)
    return lambda: record.read_text(encoding="utf-8").split()


class Gate:
    """Holds the first call of Pagefind, in this process or a refresh's, until the test opens the gate.

    Files, not events: a refresh's process may be killed while it waits, which
    leaves a multiprocessing.Event unusable.
    """

    def __init__(self, monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
        self.entered, self.opened = folder / "entered", folder / "opened"
        original = search._pagefind_bundles

        async def bundles(site_dir, todo, put):  # type: ignore[no-untyped-def]
            try:
                self.entered.open("x").close()
            except FileExistsError:  # not the first call
                pass
            else:
                deadline = time.monotonic() + WAIT
                while not self.opened.exists():
                    assert time.monotonic() < deadline, "the test never opened the gate"
                    await asyncio.sleep(0.01)
            await original(site_dir, todo, put)

        monkeypatch.setattr(search, "_pagefind_bundles", bundles)

    def wait(self) -> None:
        """Return once Pagefind's first call is held."""
        deadline = time.monotonic() + WAIT
        while not self.entered.exists():
            assert time.monotonic() < deadline, "Pagefind was never called"
            time.sleep(0.01)

    def open(self) -> None:
        self.opened.touch()


@pytest.fixture
def gate(
    made: Callable[[], list[str]], monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Gate]:
    """Hold Pagefind's first call (before `made` counts it) until the test opens the gate."""
    held = Gate(monkeypatch, tmp_path_factory.mktemp("gate"))
    yield held
    held.open()


@dataclasses.dataclass
class Live:
    """The dev server's site of a project, and the reports of its search refreshes."""

    project: Project
    site: LiveSite
    reports: queue.Queue[Refreshed]

    @property
    def bundles(self) -> Path:
        return self.site.config.site_dir / "pagefind"

    def edit(self, body: str, mentions: str | None = None) -> None:
        """Give the 2020 article "new" another text, and rebuild."""
        write(self.project, "new", body, mentions)
        assert not self.site.rebuild().failed

    def report(self) -> Refreshed:
        """Return the report of the next refresh to end."""
        refreshed = self.reports.get(timeout=WAIT)
        assert not refreshed.error, refreshed.error
        return refreshed


@pytest.fixture
def live(years: Project) -> Iterator[Live]:
    """The dev server's site of YEARS, built once with its search index."""
    reports: queue.Queue[Refreshed] = queue.Queue()
    site = LiveSite(dataclasses.replace(years.config, search=True), on_search=reports.put)
    assert not site.rebuild().failed
    yield Live(years, site, reports)
    site.close()


def files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_an_edit_is_found_by_search_once_the_refresh_ends(
    live: Live, made: Callable[[], list[str]], tmp_path: Path
) -> None:
    """A word added to an article of 2020 is in the search index of 2020, and the word it replaced
    is not; Pagefind made that bundle and no other, though the edit re-rendered an entity page too."""
    assert "quokka" in words(live.bundles / "2020") and "zanzibar" not in words(live.bundles / "2020")
    before = files(live.bundles)
    live.edit("London grew zanzibars.\n")
    london = (live.site.config.site_dir / "entities/london.html").read_text(encoding="utf-8")
    assert "zanzibars" in london  # London's page shows the mention in context; search leaves that out
    refreshed = live.report()
    assert refreshed.replaced and refreshed.made == ["2020"] and made() == ["2020"]
    assert "zanzibar" in words(live.bundles / "2020") and "quokka" not in words(live.bundles / "2020")
    after = files(live.bundles)
    assert {name for name in before if before[name] != after[name]} == {"2020/pagefind-entry.json"}
    # the index is the one a build of the same content makes (beside the files of the one before it)
    full = dataclasses.replace(live.site.config, site_dir=tmp_path / "full" / "site")
    build(full)
    assert files(full.site_dir / "pagefind").items() <= after.items()


def test_the_rebuild_does_not_wait_for_pagefind(live: Live, gate: Gate) -> None:
    """While Pagefind works, the edited page is rebuilt and served, and search finds the old text
    until the new index is in place."""
    live.edit("London grew zanzibars.\n")
    gate.wait()  # the rebuild has returned; the refresh is under way
    assert "zanzibars" in (live.site.config.site_dir / "articles/new.html").read_text(encoding="utf-8")
    assert "quokka" in words(live.bundles / "2020") and "zanzibar" not in words(live.bundles / "2020")
    gate.open()
    assert live.report().replaced
    assert "zanzibar" in words(live.bundles / "2020")


def test_edits_during_a_refresh_make_one_more_refresh(live: Live, gate: Gate, made: Callable[[], list[str]]) -> None:
    """Three edits while a refresh runs: one more refresh after it, of the last edit."""
    live.edit("London grew zanzibars.\n")
    gate.wait()
    for word in ("yaks", "xylophones", "walruses"):
        live.edit(f"London grew {word}.\n")
    gate.open()
    assert live.report().made == ["2020"]
    with pytest.raises(queue.Empty):
        live.reports.get(timeout=2)
    assert made() == ["2020", "2020"]  # the first refresh found its page replaced under it: it put nothing in place
    found = words(live.bundles / "2020")
    assert "walrus" in found and not {"zanzibar", "yak", "xylophon", "quokka"} & found


def test_an_index_a_page_loaded_keeps_its_files_for_two_refreshes(live: Live) -> None:
    """A page that started its search before a refresh holds the index's entry it loaded then, and
    fetches the files that entry names: they stay until two more refreshes have ended."""
    bundle = live.bundles / "2020"
    entry = (bundle / "pagefind-entry.json").read_bytes()
    found, fetched = read_index(bundle, entry)
    assert "quokka" in found
    for word in ("zanzibars", "yaks"):
        live.edit(f"London grew {word}.\n")
        live.report()
        assert read_index(bundle, entry) == (found, fetched)
    assert read_index(bundle)[0] == found - {"quokka"} | {"yak"}
    live.edit("London grew walruses.\n")
    live.report()
    with pytest.raises(FileNotFoundError):
        read_index(bundle, entry)


def test_a_full_rebuild_stops_the_running_refresh_and_drops_the_waiting_one(
    live: Live, gate: Gate, made: Callable[[], list[str]]
) -> None:
    """An edit to the glossary while a refresh runs and another waits: the full rebuild stops the
    first, drops the second, and makes the search index itself."""
    live.edit("London grew zanzibars.\n")
    gate.wait()
    live.edit("London grew yaks.\n")  # waits for the running refresh
    glossary = live.project.content / "entities.yml"
    glossary.write_text(glossary.read_text(encoding="utf-8").replace("name: London", "name: Londinium"))
    assert not live.site.rebuild().failed  # without waiting for the refresh, still held
    with pytest.raises(queue.Empty):
        live.reports.get(timeout=2)
    assert made() == ["entities", "2020"]  # by the build: the stopped refresh kept nothing
    assert "yak" in words(live.bundles / "2020") and "londinium" in words(live.bundles)


@pytest.fixture
def server(years: Project) -> Iterator[MarginaliaServer]:
    """The dev server of YEARS, built but not serving: tests call its rebuild themselves."""
    srv, _ = make_server(dataclasses.replace(years.config, search=True), "127.0.0.1", 0)
    yield srv
    srv.shutdown()


def console(capsys: pytest.CaptureFixture[str], expected: str) -> str:
    """Return what the server printed until a line starting with EXPECTED."""
    printed = ""
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        printed += capsys.readouterr().err
        if any(line.startswith(expected) for line in printed.splitlines()):
            return printed
        time.sleep(0.05)
    raise AssertionError(f"the server never printed {expected!r}; it printed:\n{printed}")


def test_the_console_says_when_the_search_index_was_refreshed(
    server: MarginaliaServer, years: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    write(years, "new", "London grew zanzibars.\n")
    server.builder()
    printed = console(capsys, "Search index refreshed in ")
    lines = [line for line in printed.splitlines() if line.startswith(("Rebuilt ", "Search index "))]
    assert len(lines) == 2 and lines[0].startswith("Rebuilt ")  # then, without holding it up, the search index
    assert re.fullmatch(r"Search index refreshed in (\d+ ms|\d+\.\d s) \(bundles made again: 2020\)", lines[-1])


def test_a_failed_refresh_is_one_line_and_the_server_goes_on(
    server: MarginaliaServer, years: Project, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    original = search._pagefind_bundles

    async def failing(site_dir, todo, put):  # type: ignore[no-untyped-def]
        raise RuntimeError("Pagefind: the index is\nout of memory")

    monkeypatch.setattr(search, "_pagefind_bundles", failing)
    capsys.readouterr()
    write(years, "new", "London grew zanzibars.\n")
    server.builder()
    printed = console(capsys, "Search index not refreshed: ")
    assert "Search index not refreshed: Pagefind: the index is out of memory\n" in printed
    assert "Traceback" not in printed
    monkeypatch.setattr(search, "_pagefind_bundles", original)
    write(years, "new", "London grew yaks.\n")
    server.builder()
    console(capsys, "Search index refreshed in ")
    assert "yak" in words(years.root / "site/pagefind/2020")


def test_the_refresh_runs_at_a_lower_priority_than_the_server(
    server: MarginaliaServer, years: Project, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The refresh (and Pagefind, which it starts) gives way to the server's next rebuild."""

    async def telling(site_dir, todo, put):  # type: ignore[no-untyped-def]
        raise RuntimeError(f"niceness {os.nice(0)}")  # the refresh's, told back as its failure

    monkeypatch.setattr(search, "_pagefind_bundles", telling)
    capsys.readouterr()
    write(years, "new", "London grew zanzibars.\n")
    server.builder()
    printed = console(capsys, "Search index not refreshed: ")
    assert f"Search index not refreshed: niceness {os.nice(0) + live_search.NICENESS}\n" in printed, printed


def test_shutting_down_during_a_refresh_leaves_the_index_in_place(
    server: MarginaliaServer, years: Project, gate: Gate
) -> None:
    """The server stops at once; the refresh it leaves running puts nothing in place, and leaves nothing behind."""
    before = files(years.root / "site/pagefind")
    write(years, "new", "London grew zanzibars.\n")
    server.builder()
    gate.wait()
    started = time.monotonic()
    server.shutdown()
    assert time.monotonic() - started < 2
    gate.open()
    for thread in threading.enumerate():
        if thread.name == "search-refresh":
            thread.join(WAIT)
            assert not thread.is_alive()
    assert files(years.root / "site/pagefind") == before
    assert sorted(p.name for p in years.root.iterdir()) == [".cache", "content", "site"]


def test_no_search_makes_no_refresh(
    years: Project, made: Callable[[], list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    """`serve --no-search`: no search index at all, and none made after an edit."""
    server, _ = make_server(dataclasses.replace(years.config, search=False), "127.0.0.1", 0)
    try:
        write(years, "new", "London grew zanzibars.\n")
        server.builder()
        time.sleep(1)
        assert "zanzibars" in (years.root / "site/articles/new.html").read_text(encoding="utf-8")
    finally:
        server.shutdown()
    assert made() == [] and not (years.root / "site/pagefind").exists()
    assert "Search index" not in capsys.readouterr().err
