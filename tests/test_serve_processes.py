"""Stopping the dev server stops all of it: `build.py serve` run as a user runs it, on a
generated corpus large enough for the build to fork workers, stopped by each signal in
each phase (idle, first build, rebuild, search refresh). No process it started is left,
and its port can be bound again."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from marginalia.workers import PARALLEL_FROM
from tests.conftest import free_port

ROOT = Path(__file__).resolve().parent.parent
ARTICLES = PARALLEL_FROM  # the smallest site whose builds fork worker processes

pytestmark = pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="walks /proc")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Write a generated project, with its own copy of the templates (the tests edit one)."""
    out = tmp_path_factory.mktemp("corpus")
    subprocess.run([sys.executable, str(ROOT / "bench" / "corpus.py"), str(ARTICLES), str(out)], check=True)
    shutil.copytree(ROOT / "templates", out / "templates")
    (out / "mkdocs.yml").write_text(
        "site_name: Processes\ndocs_dir: content\nsite_dir: site\n"
        "extra:\n  marginalia:\n    templates_dir: templates\n",
        encoding="utf-8",
    )
    build = [sys.executable, str(ROOT / "build.py"), "build", "-q", "-f", str(out / "mkdocs.yml")]
    subprocess.run(build, check=True, env={**os.environ, "PYTHONPATH": str(ROOT)})  # with its cache: quicker starts
    return out


class DevServer:
    """`build.py serve` in a process of its own; every process it starts carries TAG in its environment."""

    def __init__(self, project: Path):
        self.project = project
        self.port = free_port()
        self.tag = f"MARGINALIA_TEST_TREE={uuid.uuid4().hex}"
        env = {**os.environ, "MARGINALIA_TEST_TREE": self.tag.partition("=")[2], "PYTHONPATH": str(ROOT)}
        self.log = project / "serve.log"
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, str(ROOT / "build.py"), "serve", "-f", str(project / "mkdocs.yml"),
                 "-a", f"127.0.0.1:{self.port}"],
                cwd=project, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            )  # fmt: skip

    def tree(self) -> list[int]:
        """Return every live process started by the server (not the server itself), wherever it now is."""
        found = []
        for entry in os.listdir("/proc"):
            if not entry.isdigit() or int(entry) == self.process.pid:
                continue
            try:
                environ = Path(f"/proc/{entry}/environ").read_bytes()
                state = Path(f"/proc/{entry}/stat").read_text().rpartition(")")[2].split()[0]
            except OSError:
                continue
            if self.tag.encode() in environ.split(b"\0") and state != "Z":
                found.append(int(entry))
        return found

    def listening(self) -> bool:
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
        except OSError:
            return False
        return True

    def wait(self, condition: Callable[[], object], what: str, seconds: float = 120) -> None:
        if not self.until(condition, what, seconds):
            raise AssertionError(f"never saw {what}:\n{self.log.read_text()}")

    def until(self, condition: Callable[[], object], what: str, seconds: float) -> bool:
        """Wait until CONDITION holds, at most SECONDS; tell whether it does."""
        deadline = time.monotonic() + seconds
        while not condition():
            if self.process.poll() is not None:
                raise AssertionError(f"the server ended while waiting for {what}:\n{self.log.read_text()}")
            if time.monotonic() > deadline:
                return False
            time.sleep(0.01)
        return True


@pytest.fixture
def dev(corpus: Path, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[DevServer]:
    """Start the server on a copy of the corpus, built already (and with its build cache) unless the test
    is about the first build."""
    project = tmp_path / "project"
    shutil.copytree(corpus, project)
    if request.node.callspec.params.get("phase") == "first build":
        shutil.rmtree(project / "site")
        shutil.rmtree(project / ".cache")
    server = DevServer(project)
    yield server
    if server.process.poll() is None:
        server.process.kill()
        server.process.wait()
    for pid in server.tree():
        os.kill(pid, signal.SIGKILL)


def edit_template(dev: DevServer) -> None:
    with (dev.project / "templates" / "base.html").open("a", encoding="utf-8") as file:
        file.write("{# edited #}\n")


def edit_note(dev: DevServer) -> None:
    path = sorted((dev.project / "content" / "articles").glob("*.yml"))[0]
    text = path.read_text(encoding="utf-8")
    assert "    text: " in text
    path.write_text(text.replace("    text: ", "    text: Edited. ", 1), encoding="utf-8")


def start(phase: str, dev: DevServer) -> None:
    """Bring the server to PHASE."""
    if phase == "first build":  # its workers are forked before the port is bound
        dev.wait(dev.tree, "the first build's workers")
        return
    dev.wait(dev.listening, "the server listening")
    if phase == "idle":
        return
    edit = edit_template if phase == "rebuild" else edit_note  # a template: a full rebuild, with workers
    for _ in range(5):  # the file watcher starts just after the port is bound: an edit can come before it
        before = len(dev.log.read_text())
        edit(dev)
        if not dev.until(lambda at=before: dev.tree() or "Rebuilt" in dev.log.read_text()[at:], "a rebuild", 20):
            continue  # the edit came before the watcher started
        if dev.tree():
            return
        if phase == "search refresh":
            dev.wait(lambda at=before: dev.tree() or "Search index" in dev.log.read_text()[at:], "the search refresh")
            if dev.tree():
                return
    pytest.fail(f"never saw the processes of the {phase}:\n{dev.log.read_text()}")


SIGNALS = [signal.SIGINT, signal.SIGTERM, signal.SIGHUP]


@pytest.mark.parametrize("phase", ["idle", "first build", "rebuild", "search refresh"])
@pytest.mark.parametrize("signum", SIGNALS, ids=[s.name for s in SIGNALS])
def test_a_signal_stops_every_process_of_the_server(dev: DevServer, phase: str, signum: int) -> None:
    """Whatever the server is doing, a signal that ends it ends every process it started, and frees its port."""
    start(phase, dev)
    assert "Traceback" not in dev.log.read_text()  # e.g. a worker stopped by the pool with the server's handler
    dev.process.send_signal(signum)
    dev.process.wait(timeout=60)
    with socket.socket() as sock:  # at once, as the next server binds it: no process it forked holds it
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", dev.port))
        sock.listen()
    deadline = time.monotonic() + 10  # the system kills them as the server ends; they may take an instant to go
    while dev.tree() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert dev.tree() == [], dev.log.read_text()
