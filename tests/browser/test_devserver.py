"""The dev server in a real browser: the open page follows the editor."""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from marginalia.serve import MarginaliaServer, make_server
from tests.conftest import FIXTURE_CONTENT, example_config, free_port, held_back_server, wait_for_port, words

SLUG = "idlib-joint-coordination-centers"
ARTICLE_TITLE = "Joint coordination centers will be established with Russia for Idlib"


@pytest.fixture
def dev(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """Serve a temporary copy of content/ with the dev server; return its URL and the copy."""
    content = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, content)
    config = example_config(tmp_path / "site", content)
    server: MarginaliaServer
    server, _ = make_server(config, "127.0.0.1", free_port())
    thread = threading.Thread(target=server.serve, daemon=True)
    thread.start()
    port = server.server_address[1]
    wait_for_port(port)
    yield f"http://127.0.0.1:{port}/", content
    server.shutdown()


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_editing_an_annotation_reloads_the_page(page: Page, dev: tuple[str, Path]) -> None:
    """Save a change to the annotations: the open article reloads and shows it, at the same scroll position."""
    url, content = dev
    page.set_viewport_size({"width": 1200, "height": 700})
    page.goto(url + f"articles/{SLUG}.html")
    page.wait_for_load_state("load")
    page.evaluate("window.scrollTo(0, 600)")
    before = page.evaluate("window.scrollY")
    edit(
        content / f"articles/{SLUG}.yml",
        "title: Turkish–Russian joint patrols along the M4 highway are due to begin",
        "title: Joint patrols due on the M4",
    )
    expect(page.locator(".article-apparatus")).to_contain_text("Joint patrols due on the M4", timeout=15_000)
    page.wait_for_function(f"Math.abs(window.scrollY - {before}) < 50", timeout=5_000)


def test_broken_yaml_shows_the_overlay_until_fixed(page: Page, dev: tuple[str, Path]) -> None:
    """Break the YAML: an overlay names the file, line and code; fix it: the overlay goes."""
    url, content = dev
    page.goto(url + "glossary.html")
    page.wait_for_load_state("load")
    annotations = content / f"articles/{SLUG}.yml"
    text = annotations.read_text(encoding="utf-8")
    line = text[: text.index("  - entity: moscow")].count("\n") + 1
    edit(annotations, "  - entity: moscow\n    quote: Moscow", "  - entity: moscow\n    quote: Moscow: capital")
    overlay = page.locator("#marginalia-problems")
    expect(overlay).to_be_visible(timeout=15_000)
    expect(overlay).to_contain_text(f"{SLUG}.yml:{line + 1}")
    expect(overlay).to_contain_text("error[M001]")
    expect(page.locator("h1")).to_have_text("Glossary")  # the last good site is still there
    edit(annotations, "quote: Moscow: capital", "quote: Moscow")
    expect(page.locator("#marginalia-problems")).to_have_count(0, timeout=15_000)


def search_for(page: Page, query: str) -> Locator:
    """Type QUERY in the search box and return the results."""
    page.get_by_role("combobox", name="Search this site").fill(query)
    expect(page.get_by_role("status")).to_contain_text(f"for {query}", timeout=10_000)
    return page.get_by_role("option").locator(".site-search-title")


def test_search_finds_an_edit_and_a_page_searching_before_keeps_its_results(page: Page, dev: tuple[str, Path]) -> None:
    """A word added to the article is found once the search index is refreshed. A page whose search
    started before that (here one that does not reload) still gets the results of the index it loaded:
    the files that index names are still there."""
    url, content = dev
    errors: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.route("**/livereload/**", lambda route: route.fulfill(status=204, body=""))  # no reload
    page.goto(url + "glossary.html")
    before = search_for(page, "country")  # entity pages only: the article is not among them
    expect(before.first).to_be_visible()
    expect(before.filter(has_text=ARTICLE_TITLE)).to_have_count(0)
    article = content / f"articles/{SLUG}.md"
    article.write_text(article.read_text(encoding="utf-8") + "\nA zanzibarly closing line.\n", encoding="utf-8")
    bundle = content.parent / "site" / "pagefind" / "2020"
    deadline = time.monotonic() + 30
    while "zanzibar" not in words(bundle):
        assert time.monotonic() < deadline, "the search index was not refreshed"
        time.sleep(0.1)
    found = search_for(page, "coordination")  # the article, as the index loaded before has it
    expect(found.filter(has_text=ARTICLE_TITLE)).to_have_count(1)
    assert errors == []
    page.unroute("**/livereload/**")
    page.reload()
    expect(search_for(page, "zanzibarly").filter(has_text=ARTICLE_TITLE)).to_have_count(1)
    assert errors == []


def test_a_page_opened_during_the_first_build_becomes_the_real_page_by_itself(
    page: Page, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Open the home page while the first build runs (held back by an event): it says the site is being
    built and links to the articles, whose pages open already; once the build is done, the open tab shows
    the real home page, without a click."""
    shutil.copytree(FIXTURE_CONTENT, tmp_path / "content")
    with held_back_server(tmp_path, monkeypatch) as cold:
        url = f"http://127.0.0.1:{cold.server.server_address[1]}/"
        article = page.context.new_page()
        article.goto(url + f"articles/{SLUG}.html")
        expect(article.locator("h1")).to_contain_text(ARTICLE_TITLE)
        page.goto(url)
        expect(page.locator("h1")).to_have_text("Building the site")
        expect(page.locator(f'a[href="articles/{SLUG}.html"]')).to_have_count(1)
        page.wait_for_load_state("load")
        cold.release.set()
        site_name = example_config(tmp_path / "site").site_name
        expect(page.locator("h1")).to_have_text(site_name, timeout=30_000)  # the home page
        expect(page.locator("#marginalia-problems")).to_have_count(0)
