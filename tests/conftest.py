"""Shared fixtures: the example site of tests/fixtures/example-site/ built into a
temporary folder, served over HTTP, and a Chromium that works without downloads.

No test but those of tests/content/ reads the project's content/: it belongs to
the contributors, and a test must not fail because an article was added."""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import gzip
import http.server
import json
import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import cbor2
import pytest

from marginalia.config import Config, load_config
from marginalia.pipeline import build

if TYPE_CHECKING:
    from marginalia.serve import MarginaliaServer

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_CONTENT = ROOT / "tests" / "fixtures" / "example-site"
"""The example site: a frozen copy of the first article, its glossary and sources, and two invented articles."""


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict, browser_name: str) -> dict:
    """Use the system Chromium (Debian's package, or $CHROMIUM) where there is one."""
    path = os.environ.get("CHROMIUM") or shutil.which("chromium")
    if browser_name == "chromium" and path:
        return {**browser_type_launch_args, "executable_path": path}
    return browser_type_launch_args


def example_config(site_dir: Path, content_dir: Path = FIXTURE_CONTENT) -> Config:
    """Return the project's configuration (its templates and settings) building CONTENT_DIR, the example
    site or a copy of it, never content/, into SITE_DIR; without site_url, whatever SITE_URL says."""
    config = load_config(ROOT / "mkdocs.yml", site_dir=site_dir)
    return dataclasses.replace(config, content_dir=content_dir, site_url="")


@pytest.fixture(scope="session")
def seed_config(tmp_path_factory: pytest.TempPathFactory) -> Config:
    """Return the project's configuration for the example site, with the site going to a temporary folder."""
    return example_config(tmp_path_factory.mktemp("seed") / "site")


@pytest.fixture(scope="session")
def seed_site(seed_config: Config) -> Path:
    """Build the example site once per test session; return the site folder."""
    build(seed_config)
    return seed_config.site_dir


def record_reads(monkeypatch: pytest.MonkeyPatch, module: object) -> list[str]:
    """Record the file name of every article MODULE's read_article reads; return the list it fills."""
    names: list[str] = []
    original = module.read_article  # type: ignore[attr-defined]

    def read_article(path: Path, *args):  # type: ignore[no-untyped-def]
        names.append(path.name)
        return original(path, *args)

    monkeypatch.setattr(module, "read_article", read_article)
    return names


def free_port() -> int:
    """Return a TCP port that is free on the loopback interface now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, seconds: float = 10) -> None:
    """Wait until something listens on PORT."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listens on port {port}")


@dataclasses.dataclass
class Cold:
    """A dev server whose first build is held back (see `held_back_server`)."""

    server: MarginaliaServer
    root: Path
    release: threading.Event
    """Lets the first build start."""
    builds: list[str]
    """One entry per full build started."""


@contextlib.contextmanager
def held_back_server(root: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Cold]:
    """Serve ROOT/content with the dev server, its first build started but held back until `release`: every
    request made inside the block before that comes during the build (held back by an event, not by time)."""
    from marginalia import live
    from marginalia.serve import make_server

    config = example_config(root / "site", root / "content")
    release, started = threading.Event(), threading.Event()
    builds: list[str] = []
    real_full_build = live.full_build

    def held_back(*args: Any, **kwargs: Any) -> Any:
        builds.append("full")
        started.set()
        release.wait()
        return real_full_build(*args, **kwargs)

    monkeypatch.setattr(live, "full_build", held_back)
    server, _ = make_server(config, "127.0.0.1", free_port(), no_search=True, build_first=False)
    serving = threading.Thread(target=server.serve, daemon=True)
    serving.start()
    try:
        wait_for_port(server.server_address[1])
        assert started.wait(timeout=60), "the first build never started"
        yield Cold(server, root, release, builds)
    finally:
        release.set()
        server.shutdown()
        serving.join()  # its build has ended: the next test's would share the in-process workers' state


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def serve(folder: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    """Serve FOLDER on a free local port, in a thread; return the server and its base URL (ending in /)."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


@pytest.fixture(scope="session")
def site_url(seed_site: Path) -> Iterator[str]:
    """Serve the example site on a free local port; return its base URL (ending in /)."""
    server, url = serve(seed_site)
    yield url
    server.shutdown()
    server.server_close()


ENTITIES = """\
- id: ada
  name: Ada Lovelace
  kind: person
  aliases: [Lovelace]
  description: Mathematician. Wrote the first published program.
  sources: [notes]
- id: london
  name: London
  kind: place
- id: engine
  name: Analytical Engine
  kind: concept
"""

SOURCES = """\
- id: notes
  title: Sketch of the Analytical Engine
  publisher: Taylor's Scientific Memoirs
  date: "1843"
"""


class Project:
    """A small content/ folder in a temporary directory, for tests to fill."""

    def __init__(self, root: Path):
        self.root = root
        self.content = root / "content"
        (self.content / "articles").mkdir(parents=True)
        self.write("entities.yml", ENTITIES)
        self.write("sources.yml", SOURCES)

    def write(self, name: str, text: str) -> Path:
        """Write TEXT to content/NAME and return its path."""
        path = self.content / name
        path.write_text(text, encoding="utf-8")
        return path

    def article(self, slug: str, body: str, annotations: str | None = None, date: str = "2020-03-13") -> Path:
        """Write an article (and its annotations, if given); return the .md path."""
        path = self.write(f"articles/{slug}.md", f'---\ntitle: "Title of {slug}"\ndate: "{date}"\n---\n\n{body}')
        if annotations is not None:
            self.write(f"articles/{slug}.yml", annotations)
        return path

    @property
    def config(self) -> Config:
        """Return a configuration building this content with the real templates."""
        return Config(
            site_name="Test site",
            content_dir=self.content,
            templates_dir=ROOT / "templates",
            site_dir=self.root / "site",
            config_file=ROOT / "mkdocs.yml",
        )


@pytest.fixture
def project(tmp_path: Path) -> Project:
    """Return an empty project with a three-entity glossary and one source."""
    return Project(tmp_path)


SLOW = {
    "browser",  # a Chromium
    "content",  # the project's content/, and a large corpus generated from it
    "test_hostile.py",  # a site of hostile content, built and audited
    "test_faults.py",  # builds killed and failing at every step
    "test_properties.py",  # Hypothesis: hundreds of examples each
    "test_validity.py",  # the W3C Nu checker, in Java
    "test_bench_corpus.py",  # the benchmark's corpora, built
    "test_parallel.py",  # builds in worker processes
    "test_lock.py",  # builds in several processes, one of them killed
    "test_serve_processes.py",  # dev servers started and stopped by each signal
    "test_stateful.py",  # Hypothesis: random edits, three builds after each
}
"""The folders and modules of tests/ marked `slow`: `make test-fast` (pytest -m "not slow") leaves them out."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.is_relative_to(ROOT / "tests") and item.path.relative_to(ROOT / "tests").parts[0] in SLOW:
            item.add_marker(pytest.mark.slow)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--regen-golden", action="store_true", help="rewrite the golden files from the current output")


def read_index(bundle: Path, entry: bytes | None = None) -> tuple[set[str], set[str]]:
    """Read the search bundle in BUNDLE as Pagefind's scripts do, from its pagefind-entry.json (or
    ENTRY, as a page loaded it before): return every word it finds, and the files it fetches."""

    def body(name: str) -> bytes:
        fetched.add(name)
        return gzip.decompress((bundle / name).read_bytes())[len(b"pagefind_dcd") :]

    fetched: set[str] = set()
    languages = json.loads(entry or (bundle / "pagefind-entry.json").read_bytes())["languages"]
    meta = cbor2.loads(body(f"pagefind.{languages['en']['hash']}.pf_meta"))
    for fragment, _ in meta[1]:  # [fragment, word count] each
        body(f"fragment/{fragment}.pf_fragment")
    for _, chunk in meta[3]:  # [filter name, chunk] each
        body(f"filter/{chunk}.pf_filter")
    found = set()
    for _, _, chunk in meta[2]:  # [first word, last word, chunk] each
        (packed,) = cbor2.loads(body(f"index/{chunk}.pf_index"))
        found |= {word[0] for word in packed}
    return found, fetched


def words(bundle: Path) -> set[str]:
    """Return every word the search bundle in BUNDLE finds."""
    return read_index(bundle)[0]
