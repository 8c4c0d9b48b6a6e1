"""The dev server's first build runs while it serves: an article's page asked for before the build
is done is rendered on request, byte for byte what the build then writes there; any other page is a
temporary one that turns into the real page when the build is done; an article with errors shows
them. The build is held back by an event, not by time."""

from __future__ import annotations

import dataclasses
import http.client
import os
import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from marginalia import preview, serve
from marginalia.config import Config
from marginalia.pipeline import build
from marginalia.serve import MarginaliaServer, make_server
from tests import conftest
from tests.conftest import FIXTURE_CONTENT, Cold, free_port, held_back_server

ROOT = Path(__file__).resolve().parent.parent
SLUG = "fixture-road-survey"
SCRIPT = re.compile(rb'<script src="/\.marginalia/livereload-([0-9]+)-[0-9]+\.js"></script>')


@pytest.fixture
def cold(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Cold]:
    """Serve a fresh copy of the example site (no site/, no cache) whose full builds wait for `release`."""
    shutil.copytree(FIXTURE_CONTENT, tmp_path / "content")
    with held_back_server(tmp_path, monkeypatch) as cold:
        yield cold


@pytest.fixture
def warm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Cold]:
    """As `cold`, but a build has put a site and its cache in place, then an article's title changed."""
    shutil.copytree(FIXTURE_CONTENT, tmp_path / "content")
    build(example_config(tmp_path), use_cache=True)
    article = tmp_path / "content" / "articles" / f"{SLUG}.md"
    article.write_text(article.read_text(encoding="utf-8").replace("a survey of", "A RESURVEY of"), encoding="utf-8")
    with held_back_server(tmp_path, monkeypatch) as cold:
        yield cold


def example_config(root: Path) -> Config:
    return conftest.example_config(root / "site", root / "content")


def files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_the_first_build_puts_the_site_in_place_then_the_same_search_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first build leaves the search index to the server's refresh, after the site is in place: once
    the console says it is in place, the site is what `build` makes, search index included."""
    shutil.copytree(FIXTURE_CONTENT, tmp_path / "content")
    config = example_config(tmp_path)
    assert config.search
    searched = threading.Event()
    said: list[bool] = []

    def report(refreshed: Any, first: bool = False) -> None:
        said.append(first and refreshed.replaced)
        searched.set()

    monkeypatch.setattr(serve, "report_search", report)
    server, _ = make_server(config, "127.0.0.1", free_port(), build_first=False)
    serving = threading.Thread(target=server.serve, daemon=True)
    serving.start()
    try:
        assert searched.wait(timeout=600), "the search index was never made"
    finally:
        server.shutdown()
        serving.join()
    assert said == [True]  # told as the first index put in place
    build(dataclasses.replace(config, site_dir=tmp_path / "built"))
    site, built = files(tmp_path / "site"), files(tmp_path / "built")
    assert any(path.startswith("pagefind/") for path in built)
    assert sorted(site) == sorted(built)
    assert [path for path in site if site[path] != built[path]] == []


def get(server: MarginaliaServer, path: str) -> tuple[int, bytes]:
    """GET PATH; a request the server does not answer within 30 s fails the test."""
    host, port = server.server_address[:2]
    conn = http.client.HTTPConnection(host, port, timeout=30)
    conn.request("GET", path)
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, body


def epoch_of(page: bytes) -> int:
    """Return the version of the site PAGE was served from (in its reload script)."""
    found = SCRIPT.search(page)
    assert found, page[-500:]
    return int(found[1])


def wait_for_reload(server: MarginaliaServer, page: bytes) -> None:
    """Wait, as PAGE's reload script does, until the site is newer than PAGE (the long poll answers then)."""
    epoch = epoch_of(page)
    while True:
        status, body = get(server, f"/livereload/{epoch}/0")
        assert status == 200
        if int(body) > epoch:
            return


def without_script(page: bytes) -> bytes:
    return SCRIPT.sub(b"", page)


def test_an_article_page_is_served_before_the_build_ends_as_the_build_writes_it(cold: Cold) -> None:
    status, preview = get(cold.server, f"/articles/{SLUG}.html")
    assert status == 200
    assert not (cold.root / "site" / "articles" / f"{SLUG}.html").exists()  # the build has not written it
    assert cold.builds == ["full"]  # the build is running, held back
    status, css = get(cold.server, "/assets/style.css")  # the page's assets come from the templates
    assert status == 200 and css == (ROOT / "templates" / "assets" / "style.css").read_bytes()
    cold.release.set()
    wait_for_reload(cold.server, preview)
    built = (cold.root / "site" / "articles" / f"{SLUG}.html").read_bytes()
    assert without_script(preview) == built


def test_another_page_asked_for_during_the_build_becomes_the_real_page(cold: Cold) -> None:
    status, waiting = get(cold.server, "/")
    assert status == 503
    assert b"Building the site" in waiting
    assert f'href="articles/{SLUG}.html"'.encode() in waiting  # the articles it can show already
    assert get(cold.server, "/glossary.html")[0] == 503
    assert get(cold.server, "/pagefind/pagefind.js")[0] == 503  # not a file of the previous site, nor a 404
    cold.release.set()
    wait_for_reload(cold.server, waiting)  # the temporary page's script reloads it now
    status, home = get(cold.server, "/")
    assert status == 200
    assert without_script(home) == (cold.root / "site" / "index.html").read_bytes()


def test_an_article_with_errors_asked_for_during_the_build_shows_them(cold: Cold) -> None:
    annotations = cold.root / "content" / "articles" / f"{SLUG}.yml"
    text = annotations.read_text(encoding="utf-8")
    annotations.write_text(text.replace("entity: ", "entity: no-such-entity-", 1), encoding="utf-8")
    status, page = get(cold.server, f"/articles/{SLUG}.html")
    assert status == 200
    assert b'id="marginalia-problems"' in page
    assert f"{SLUG}.yml:".encode() in page and b"no-such-entity-" in page
    assert b"Traceback" not in page


def test_an_unknown_article_is_404_and_paths_stay_inside(cold: Cold) -> None:
    assert get(cold.server, "/articles/no-such-article.html")[0] == 404
    assert get(cold.server, "/assets/../../mkdocs.yml")[0] != 200
    status, body = get(cold.server, "/assets/%2e%2e/article.html")  # the page article.html, not the template
    assert status == 503 and b"{%" not in body
    status, body = get(cold.server, "/articles/../../content/articles/fixture-road-survey.md")
    assert b"title:" not in body


def test_a_first_build_with_errors_shows_them_on_every_page_and_the_articles_stay_readable(cold: Cold) -> None:
    """No site was ever built: the pages that need every article say so, under the overlay; an article without
    errors is still shown as the build will write it."""
    broken = cold.root / "content" / "articles" / "fixture-ceasefire-anniversary.yml"
    broken.write_text(broken.read_text(encoding="utf-8").replace("entity: ", "entity: nowhere-", 1), encoding="utf-8")
    _, waiting = get(cold.server, "/")
    cold.release.set()
    wait_for_reload(cold.server, waiting)  # the build has ended, with errors
    status, home = get(cold.server, "/")
    assert status == 503
    assert b'id="marginalia-problems"' in home and b"nowhere-" in home
    assert b"The site cannot be built yet" in home
    status, article = get(cold.server, f"/articles/{SLUG}.html")
    assert status == 200 and b"<article" in article and b"nowhere-" in article  # the overlay names the error


def test_a_warm_start_serves_no_page_of_the_previous_site_before_its_build_ends(warm: Cold) -> None:
    """site/ holds the pages of the article before its edit: the article page shown is the edited one, and
    the pages that list it wait for the build."""
    stale = (warm.root / "site" / "articles" / f"{SLUG}.html").read_bytes()
    assert b"a survey of" in stale
    status, page = get(warm.server, f"/articles/{SLUG}.html")
    assert status == 200 and b"A RESURVEY of" in page
    status, home = get(warm.server, "/")
    assert status == 503 and b"a survey of" not in home
    warm.release.set()
    wait_for_reload(warm.server, home)
    status, home = get(warm.server, "/")
    assert status == 200 and b"A RESURVEY of" in home
    assert without_script(page) == (warm.root / "site" / "articles" / f"{SLUG}.html").read_bytes()


def test_the_temporary_page_links_to_the_articles_changed_last_and_no_more(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a site of 10,000 articles the page that stands for the others during the first build stays small:
    it links to the articles a contributor is likely working on, the files changed last, newest first."""
    shutil.copytree(FIXTURE_CONTENT, tmp_path / "content")
    articles = tmp_path / "content" / "articles"
    for age, name in enumerate(["idlib-joint-coordination-centers", SLUG, "fixture-ceasefire-anniversary"]):
        stamp = 1_700_000_000 - age * 1000  # the first is the one changed last
        os.utime(articles / f"{name}.md", (stamp, stamp))
    monkeypatch.setattr(preview, "RECENT_ARTICLES", 2)
    recent, total = preview.Preview(example_config(tmp_path)).recent()
    assert (recent, total) == (["idlib-joint-coordination-centers", SLUG], 3)
    page = preview.building_page("glossary/people.html", recent, total).decode()
    assert page.count('<a href="../articles/') == 2
    assert "The site of 3 article(s) is being built" in page
    assert "The articles changed last" in page
