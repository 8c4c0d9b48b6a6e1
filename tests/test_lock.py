"""Two writers of one site folder: the second waits for the first (or stops, with --no-wait), and site/ is whole.

The builds here are real processes of build.py. To make them overlap on a
busy machine without timing, the first one is stopped (SIGSTOP) as soon as
its staging folder appears, and continued once the second has started.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from marginalia.live import LiveSite
from marginalia.lock import lock_path, site_lock
from marginalia.pipeline import build
from tests.conftest import ROOT, Project
from tests.test_faults import TIMEOUT, snapshot

HOLD = """
import sys, time
from pathlib import Path
from marginalia.lock import site_lock
with site_lock(Path(sys.argv[1]), "test holder"):
    print("held", flush=True)
    time.sleep(600)
"""
"""A process that holds the lock of the site folder sys.argv[1] until it is killed."""


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, bytes]]:
    """Return a 40-article project, with a second content folder that has an error (bad.yml builds it), and
    every file of its site as a clean build makes it."""
    root = tmp_path_factory.mktemp("corpus")
    subprocess.run(
        [sys.executable, str(ROOT / "bench" / "corpus.py"), "40", str(root)],
        check=True,
        capture_output=True,
        timeout=TIMEOUT,
    )
    shutil.copytree(root / "content", root / "content-bad")
    annotations = sorted((root / "content-bad" / "articles").glob("*.yml"))[0]
    annotations.write_text(annotations.read_text(encoding="utf-8").replace("entity: ", "entity: no-such-", 1))
    config = (root / "mkdocs.yml").read_text(encoding="utf-8")
    (root / "bad.yml").write_text(config.replace("docs_dir: content", "docs_dir: content-bad"), encoding="utf-8")
    aside = tmp_path_factory.mktemp("expected") / "site"
    _run(root / "mkdocs.yml", "-d", str(aside))
    return root, snapshot(aside)


@pytest.fixture
def project(corpus: tuple[Path, dict[str, bytes]], tmp_path: Path) -> Path:
    """Return a fresh copy of the corpus project, with no site yet."""
    shutil.copytree(corpus[0], tmp_path / "project")
    return tmp_path / "project"


def _start(config: Path, *options: str) -> subprocess.Popen[str]:
    """Start build.py with CONFIG in a session of its own; its output is read through pipes."""
    return subprocess.Popen(
        [sys.executable, str(ROOT / "build.py"), "-q", "-f", str(config), *options],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )  # fmt: skip


def _run(config: Path, *options: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "build.py"), "-q", "-f", str(config), *options],
        cwd=ROOT, capture_output=True, text=True, timeout=TIMEOUT, check=False,
    )  # fmt: skip


def _finish(proc: subprocess.Popen[str]) -> tuple[int, str]:
    """Wait for PROC; return its exit code and all it printed on stderr."""
    try:
        _, err = proc.communicate(timeout=TIMEOUT)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)  # only if it hung: what it started goes with it
    return proc.returncode, err


@contextlib.contextmanager
def paused_build(project: Path) -> Iterator[subprocess.Popen[str]]:
    """Start a build of PROJECT and yield it stopped (SIGSTOP) while its new site is half staged; it goes on
    (SIGCONT) when the block ends."""
    proc = _start(project / "mkdocs.yml")
    staging = project / f".site.new-{proc.pid}"
    try:
        while not staging.exists() and proc.poll() is None:
            time.sleep(0.002)  # no timing: it waits for the folder, however long the build takes to make it
        os.killpg(proc.pid, signal.SIGSTOP)  # the build's session: Pagefind too
        assert staging.exists(), "the first build ended before it could be stopped while writing"
        try:
            yield proc
        finally:
            os.killpg(proc.pid, signal.SIGCONT)
    except BaseException:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        raise


def leftovers(project: Path) -> list[str]:
    """Return what builds leave beside the site: staging folders, retired sites, the lock file."""
    return sorted(p.name for p in project.glob(".site*"))


@pytest.mark.parametrize("second", ["mkdocs.yml", "bad.yml"], ids=["good", "with-an-error"])
def test_a_second_build_waits_for_the_first_and_the_site_is_whole(project: Path, corpus, second: str) -> None:
    """A build started while another writes the same site/ waits for it, naming it; the site is then whole
    (every file of a clean build, the assets too), and a second build that fails leaves it so."""
    expected = corpus[1]
    with paused_build(project) as first:
        other = _start(project / second)
        line = other.stderr.readline() if other.stderr else ""
    first_code, first_err = _finish(first)
    code, err = _finish(other)
    assert first_code == 0, first_err
    site = snapshot(project / "site")
    assert len(site) == len(expected) and "assets/style.css" in site
    assert site == expected
    if second == "bad.yml":
        assert code == 1
        assert "error[M202]: unknown entity id 'no-such-" in err
    else:
        assert code == 0, err
    assert f"Waiting for the build in process {first.pid} to finish" in line, line + err
    assert leftovers(project) == []


def test_no_wait_stops_at_once_and_leaves_the_site(project: Path, corpus) -> None:
    """With --no-wait, a build that finds another writing the site stops with exit code 3, naming it, and
    writes nothing."""
    assert _run(project / "mkdocs.yml").returncode == 0
    before = snapshot(project / "site")
    with site_lock(project / "site", "test"):
        done = _run(project / "bad.yml", "--no-wait")
    assert done.returncode == 3, done.stderr
    assert f"error: the test in process {os.getpid()} is writing {project / 'site'}" in done.stderr
    assert "--no-wait" in done.stderr
    assert snapshot(project / "site") == before == corpus[1]
    assert leftovers(project) == []


def test_the_lock_of_a_killed_process_blocks_nothing(project: Path, corpus) -> None:
    """A process killed while it holds the lock leaves its lock file behind; the next build takes the lock
    (the system released it) and removes the file."""
    with subprocess.Popen(
        [sys.executable, "-c", HOLD, str(project / "site")], cwd=ROOT, stdout=subprocess.PIPE, text=True
    ) as holder:
        try:
            assert holder.stdout is not None and holder.stdout.readline() == "held\n"
            refused = _run(project / "mkdocs.yml", "--no-wait")
            assert refused.returncode == 3, refused.stderr
            assert f"the test holder in process {holder.pid} is writing" in refused.stderr
        finally:
            holder.kill()
    assert lock_path(project / "site").exists()
    done = _run(project / "mkdocs.yml", "--no-wait")
    assert done.returncode == 0, done.stderr
    assert snapshot(project / "site") == corpus[1]
    assert leftovers(project) == []


def test_the_dev_server_writes_an_edit_only_once_a_build_is_done(tmp_path: Path, capsys) -> None:
    """The dev server's rebuild after an edit waits, naming the holder, while another process holds the
    lock, and writes the page once it is released."""
    small = Project(tmp_path / "small")
    small.article("a", "Ada saw the engine.\n", "mentions:\n  - {entity: ada, quote: Ada}\n")
    live = LiveSite(dataclasses.replace(small.config, search=False))
    assert not live.rebuild().failed
    page = small.config.site_dir / "articles" / "a.html"
    results = []
    with subprocess.Popen(
        [sys.executable, "-c", HOLD, str(small.config.site_dir)], cwd=ROOT, stdout=subprocess.PIPE, text=True
    ) as holder:
        try:
            assert holder.stdout is not None and holder.stdout.readline() == "held\n"
            small.article("a", "Ada saw the engine twice.\n", "mentions:\n  - {entity: ada, quote: Ada}\n")
            rebuild = threading.Thread(target=lambda: results.append(live.rebuild()))
            rebuild.start()
            said = ""
            while rebuild.is_alive() and "Waiting" not in said:
                said += capsys.readouterr().err
                time.sleep(0.01)
            assert f"Waiting for the test holder in process {holder.pid} to finish" in said
            assert "twice" not in page.read_text(encoding="utf-8")
        finally:
            holder.kill()
    rebuild.join(TIMEOUT)
    assert results and not results[0].failed
    assert "twice" in page.read_text(encoding="utf-8")
    assert not lock_path(small.config.site_dir).exists()


def test_a_build_leaves_the_search_folder_of_a_running_dev_server(tmp_path: Path) -> None:
    """The folder where a running dev server makes its search index, beside the site, is not removed by a
    build as left over; that of a process that has ended is."""
    small = Project(tmp_path / "small")
    small.article("a", "Ada saw the engine.\n", "mentions:\n  - {entity: ada, quote: Ada}\n")
    running = small.root / f".site.search-{os.getpid()}-x1"
    ended = small.root / ".site.search-999999999-x2"  # more than any process id
    for folder in (running, ended):
        (folder / "pagefind").mkdir(parents=True)
    build(dataclasses.replace(small.config, search=False))
    assert running.is_dir()
    assert not ended.exists()
