"""The dev server keeps answering while a template, mkdocs.yml or an annotation file is broken
in a way the checker does not catch: every page shows the last good site with an overlay naming
the file and line; fixing the file removes the overlay."""

from __future__ import annotations

import http.client
import re
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from marginalia.config import load_config
from marginalia.serve import MarginaliaServer, make_server
from tests.conftest import Project, free_port, wait_for_port

ROOT = Path(__file__).resolve().parent.parent
MKDOCS_YML = (
    "site_name: Broken\ndocs_dir: content\nsite_dir: site\nextra:\n  marginalia:\n    templates_dir: templates\n"
)


@pytest.fixture
def dev(project: Project) -> Iterator[tuple[MarginaliaServer, Path]]:
    """Serve a one-article project with its own templates and mkdocs.yml; return the server and the project folder."""
    project.article("a", "Ada saw the engine in London.\n", "mentions:\n  - {entity: ada, quote: Ada}\n")
    shutil.copytree(ROOT / "templates", project.root / "templates")
    (project.root / "mkdocs.yml").write_text(MKDOCS_YML, encoding="utf-8")
    config = load_config(project.root / "mkdocs.yml")
    server, _ = make_server(config, "127.0.0.1", free_port(), no_search=True)
    threading.Thread(target=server.serve, daemon=True).start()
    wait_for_port(server.server_address[1])
    deadline = time.monotonic() + 10
    while not server.observer.is_alive():  # it starts watching just after the port is bound
        assert time.monotonic() < deadline
        time.sleep(0.01)
    yield server, project.root
    server.shutdown()


def get(server: MarginaliaServer, path: str) -> tuple[int, str]:
    """GET PATH; a request the server does not answer within 10 s fails the test."""
    host, port = server.server_address[:2]
    conn = http.client.HTTPConnection(host, port, timeout=10)
    conn.request("GET", path)
    response = conn.getresponse()
    body = response.read().decode()
    conn.close()
    return response.status, body


def wait_for_page(server: MarginaliaServer, condition: Callable[[str], bool], what: str) -> str:
    """GET the article's page until CONDITION holds for it (the rebuild after an edit takes a moment)."""
    deadline = time.monotonic() + 30
    while True:
        status, body = get(server, "/articles/a.html")
        assert status == 200
        if condition(body):
            return body
        if time.monotonic() > deadline:
            raise AssertionError(f"the page never showed {what}:\n{body[-2000:]}")
        time.sleep(0.05)


def overlay(body: str) -> str:
    found = re.search(r'<aside id="marginalia-problems".*?</aside>', body, re.S)
    return found[0] if found else ""


def replace(path: Path, old: str, new: str) -> str:
    """Replace OLD by NEW in PATH; return the number of the first line that changed."""
    text = path.read_text(encoding="utf-8")
    assert old in text
    changed = text.replace(old, new, 1)
    path.write_text(changed, encoding="utf-8")
    pairs = zip(text.splitlines(), changed.splitlines(), strict=False)
    return next(number for number, (a, b) in enumerate(pairs, 1) if a != b)


CASES = {
    # name: (file, old, new, what the overlay says besides the file and line, its title)
    "template syntax error": ("templates/base.html", "</body>", "{% if %}\n</body>", "Expected an expression",
                              "A template has an error: this is the last good build"),
    "undefined variable": ("templates/base.html", "</body>", "{{ no_such_variable }}\n</body>", "no_such_variable",
                           "A template has an error: this is the last good build"),
    "mkdocs.yml not YAML": ("mkdocs.yml", "docs_dir: content\n", "docs_dir: content\nnav: [a, b}\n", "parsing",
                            "mkdocs.yml has an error: this is the last good build"),
    "mkdocs.yml option of the wrong type": ("mkdocs.yml", "docs_dir: content\n", "docs_dir: content\nsite_url: [1]\n",
                                            "site_url", "mkdocs.yml has an error: this is the last good build"),
    "huge integer in annotations": ("content/articles/a.yml", "mentions:", "extra: " + "9" * 4301 + "\nmentions:",
                                    "error[M105]: a number of 4,301 digits",
                                    "The content has 2 error(s): this is the last good build"),  # M101 and M105
}  # fmt: skip


@pytest.mark.parametrize("case", CASES)
def test_a_broken_file_shows_the_overlay_over_the_last_good_site(dev: tuple[MarginaliaServer, Path], case: str) -> None:
    """Break the file: the page answers, with the overlay naming what is broken, the file and line; fix it: it goes."""
    server, root = dev
    name, old, new, says, title = CASES[case]
    path = root / name
    good = path.read_text(encoding="utf-8")
    line = replace(path, old, new)
    body = wait_for_page(server, lambda page: bool(overlay(page)), "the overlay")
    shown = overlay(body)
    assert f"{name}:{line}:" in shown, shown
    assert says in shown, shown
    assert re.search(r'<h2 id="marginalia-problems-title">(.*?)</h2>', shown)[1] == title, shown  # type: ignore[index]
    assert "Title of a" in body  # the last good page
    path.write_text(good, encoding="utf-8")
    body = wait_for_page(server, lambda page: not overlay(page), "no overlay")
    assert "Title of a" in body
