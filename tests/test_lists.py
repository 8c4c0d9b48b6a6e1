"""The lists on a large site: the home page, the claims page and the timeline
show counts and links to pages by month or year instead of every item, and
those pages link to the ones before and after them."""

from __future__ import annotations

import dataclasses
import json
import re

import pytest

from marginalia import render
from marginalia.pipeline import build
from tests.fixtures.scale import GLOSSARY, VERDICTS, article_date, many_articles

MONTHS = ("2020-01", "2020-02", "2020-03")


def annotations(month: str) -> str:
    n = month[-2:]
    return (
        "mentions:\n  - {entity: london, quote: London}\n"
        f"claims:\n  - {{id: large-{n}, quote: London is large, status: reported, sources: [notes]}}\n"
        f"events:\n  - {{id: seen-{n}, quote: large, date: '{month}', title: London seen in {month}}}\n"
    )


@pytest.fixture
def site(project, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """Three articles, one a month, each with a claim and an event, built as if the site were large."""
    monkeypatch.setattr(render, "HOME_ARTICLES", 2)
    monkeypatch.setattr(render, "SHOWN_IN_FULL", 2)
    monkeypatch.setattr(render, "TIMELINE_LATEST", 2)
    for month in MONTHS:
        project.article(f"a{month[-2:]}", "London is large.\n", annotations(month), date=f"{month}-10")
    config = dataclasses.replace(project.config, search=False)
    build(config)
    return config.site_dir


def links(html: str, pattern: str) -> list[str]:
    return re.findall(rf'href="({pattern})"', html)


def test_home_page_lists_the_newest_articles_and_links_to_every_month(site) -> None:  # type: ignore[no-untyped-def]
    home = (site / "index.html").read_text()
    assert links(home, r"articles/a\d\d\.html") == ["articles/a03.html", "articles/a02.html"]
    assert links(home, r"archive/[\d-]+\.html") == [f"archive/{m}.html" for m in reversed(MONTHS)]
    assert "articles/a01.html" in (site / "archive/2020-01.html").read_text()


def test_claims_page_and_timeline_link_to_their_pages_and_show_the_latest_events_only(site) -> None:  # type: ignore[no-untyped-def]
    claims = (site / "claims.html").read_text()
    assert 'class="claims"' not in claims and "claim-large" not in claims
    assert links(claims, r"claims/[\d-]+\.html") == [f"claims/{m}.html" for m in reversed(MONTHS)]
    timeline = (site / "timeline.html").read_text()
    assert links(timeline, r"timeline/[\d-]+\.html") == ["timeline/2020.html"] * 2  # the chart's bar and the index
    assert re.findall(r'<li id="t-(seen-\d\d)"', timeline) == ["seen-03", "seen-02"]  # the latest, latest first
    year = (site / "timeline/2020.html").read_text()
    assert links(year, r"2020-\d\d\.html") == [f"{m}.html" for m in reversed(MONTHS)]  # the latest first
    for month in MONTHS:
        assert f'id="claim-large-{month[-2:]}"' in (site / f"claims/{month}.html").read_text()
        assert f'id="t-seen-{month[-2:]}"' in (site / f"timeline/{month}.html").read_text()


@pytest.mark.parametrize("folder", ["archive", "claims", "timeline"])
def test_a_month_links_to_the_months_before_and_after_it(site, folder: str) -> None:  # type: ignore[no-untyped-def]
    """The later month first, as the site lists them: rel="prev" the later month, rel="next" the earlier."""
    first, middle, last = (
        re.findall(r'rel="(prev|next)" href="([^"]+)"', (site / f"{folder}/{m}.html").read_text()) for m in MONTHS
    )
    assert first == [("prev", "2020-02.html")]
    assert middle == [("prev", "2020-03.html"), ("next", "2020-01.html")]
    assert last == [("next", "2020-02.html")]


@pytest.fixture
def verdicts(project, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """Articles with claims of every verdict over several months, built as if the site were large."""
    monkeypatch.setattr(render, "VERDICT_NEWEST", 2)
    many_articles(project, 12)  # claim n has the verdict VERDICTS[n % 4]; two articles a month
    config = dataclasses.replace(project.config, search=False)
    build(config)
    return config.site_dir


@pytest.mark.parametrize("verdict", VERDICTS)
def test_a_verdict_s_page_lists_its_claims_only_and_links_to_its_months(verdicts, verdict: str) -> None:  # type: ignore[no-untyped-def]
    ids = [n for n in range(12) if VERDICTS[n % 4] == verdict]  # 3 claims: 2 on its page, the newest
    html = (verdicts / f"claims/{verdict}.html").read_text()
    assert re.findall(r'<li id="claim-c(\d+)"', html) == [str(n) for n in reversed(ids)][:2]
    months = [article_date(n)[:7] for n in reversed(ids)]
    assert links(html, rf"\.\./claims/{verdict}/[\d-]+\.html") == [f"../claims/{verdict}/{m}.html" for m in months]
    claims = (verdicts / "claims.html").read_text()
    assert f'href="claims/{verdict}.html">3 {verdict}</a>' in claims  # from its count
    for n, month in zip(reversed(ids), months, strict=True):
        in_month = (verdicts / f"claims/{verdict}/{month}.html").read_text()
        assert re.findall(r'<li id="claim-c(\d+)"', in_month) == [str(n)]  # that verdict's claims only


@pytest.fixture
def glossary(project, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """The glossary of GLOSSARY, Ada in two articles (four mentions), London in one; built as if it were large."""
    project.write("entities.yml", GLOSSARY)
    mentions = "mentions:\n  - {entity: ada, quote: Ada, every: true}\n"
    project.article("a", "Ada wrote. Ada rested.\n", mentions)
    project.article("b", "Ada and Ada went to London.\n", mentions + "  - {entity: london, quote: London}\n")
    config = dataclasses.replace(project.config, search=False)
    build(config)
    return config.site_dir


def names(html: str) -> list[str]:
    return re.findall(r'<dt id="entity-([\w-]+)">', html)


def test_the_glossary_is_a_to_z_people_by_surname_with_counts_of_articles(glossary) -> None:  # type: ignore[no-untyped-def]
    html = (glossary / "glossary.html").read_text()
    assert names(html) == ["engine", "babbage", "elan", "gaulle", "london", "ada"]  # Lovelace under L, after London
    assert "2 articles" in html and "4 mentions" not in html
    assert links(html, r"#letter-\w") == ["#letter-A", "#letter-B", "#letter-E", "#letter-G", "#letter-L"]
    assert links(html, r"glossary/\w+\.html") == [
        "glossary/person.html",
        "glossary/place.html",
        "glossary/concept.html",
    ]


def test_a_kind_s_page_lists_that_kind_only(glossary) -> None:  # type: ignore[no-untyped-def]
    assert names((glossary / "glossary/person.html").read_text()) == ["babbage", "gaulle", "ada"]
    assert names((glossary / "glossary/concept.html").read_text()) == ["engine", "elan"]


def test_a_large_glossary_links_its_letters_to_pages_of_their_own(glossary, project, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(render, "GLOSSARY_IN_FULL", 3)
    build(dataclasses.replace(project.config, search=False))
    html = (glossary / "glossary.html").read_text()
    assert names(html) == []
    assert links(html, r"glossary/[a-z]\.html") == [f"glossary/{c}.html" for c in "abegl"]
    assert names((glossary / "glossary/l.html").read_text()) == ["london", "ada"]
    assert names((glossary / "glossary/e.html").read_text()) == ["elan"]  # É under E
    page = (glossary / "glossary/g.html").read_text()
    assert 'href="../glossary/g.html" aria-current="page"' in page and 'href="../glossary/a.html"' in page


def test_a_verdict_no_claim_has_has_a_page_saying_so(project) -> None:  # type: ignore[no-untyped-def]
    """Each verdict's page links to the others': those without claims have a page too, and no page of a month."""
    project.article("a", "London is large.\n", annotations("2020-01"))
    config = dataclasses.replace(project.config, search=False)
    build(config)
    assert "No claim is false yet." in (config.site_dir / "claims/false.html").read_text()
    assert 'href="../claims/false.html"' in (config.site_dir / "claims/reported.html").read_text()
    assert not (config.site_dir / "claims/false").exists()


def test_a_month_of_many_claims_has_pages_each_of_its_claims_and_every_link_to_a_claim_resolves(
    project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Five claims in a month, two a page: three pages, newest claims first, linked in order; each page's
    ClaimReviews are of its own claims; the month's page keeps an anchor for each claim, in the entry of the
    page that holds it; and every link of the site (from articles, sources, entities) resolves."""
    from tests.fixtures.scale import many_articles_annotations
    from tests.test_links import broken_links, parse_site

    monkeypatch.setattr(render, "CLAIMS_PAGE_CLAIMS", 2)
    for n in range(5):
        body = f"Ada wrote in London on day {n}. Later Ada rested.\n"
        project.article(f"a{n:03}", body, many_articles_annotations(n), date=f"2020-01-{n + 10}")
    config = dataclasses.replace(project.config, search=False)
    build(config)
    site = config.site_dir
    paths = ["claims/2020-01.html", "claims/2020-01/2.html", "claims/2020-01/3.html"]
    assert sorted(p.relative_to(site).as_posix() for p in (site / "claims").rglob("2020-01*/*.html")) == paths[1:]
    html = [(site / path).read_text() for path in paths]
    listed = [re.findall(r'<li id="claim-(c\d)">', page) for page in html]
    assert listed == [["c4", "c3"], ["c2", "c1"], ["c0"]]  # the newest article first
    for page, claims in zip(html, listed, strict=True):
        reviewed = re.findall(r'#claim-(c\d)"', page.split("application/ld+json")[1].split("</script>")[0])
        assert set(reviewed) == {c for c in claims if VERDICTS[int(c[1]) % 4] != "reported"}
    assert re.findall(r'rel="(?:prev|next)" href="([^"]+)"', html[0]) == ["../claims/2020-01/2.html"]
    assert re.findall(r'rel="(?:prev|next)" href="([^"]+)"', html[1]) == [
        "../../claims/2020-01.html",
        "../../claims/2020-01/3.html",
    ]
    assert re.findall(r'rel="(?:prev|next)" href="([^"]+)"', html[2]) == ["../../claims/2020-01/2.html"]
    entries = re.findall(r'<li data-forward><a href="([^"]+)">[^<]*</a>((?:<i id="claim-c\d"></i>)*)</li>', html[0])
    assert [(href, re.findall(r"c\d", spans)) for href, spans in entries] == [
        ("../claims/2020-01/2.html", ["c2", "c1"]),
        ("../claims/2020-01/3.html", ["c0"]),
    ]
    problems, checked = broken_links(parse_site(site), site)
    assert problems == [] and checked
    assert "claims/2020-01.html#claim-c1" in (site / "articles/a001.html").read_text()  # on page 2: its anchor leads on


def test_a_verdict_s_month_of_many_claims_has_pages_linked_in_order(project, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two reported claims in a month, one a page: the verdict's month has two pages, the newest claim on
    its own, each linking to the other, and every link of the site resolves."""
    from tests.fixtures.scale import many_articles_annotations
    from tests.test_links import broken_links, parse_site

    monkeypatch.setattr(render, "CLAIMS_PAGE_CLAIMS", 1)
    for n in range(5):  # reported, confirmed, disputed, false, reported
        body = f"Ada wrote in London on day {n}. Later Ada rested.\n"
        project.article(f"a{n:03}", body, many_articles_annotations(n), date=f"2020-01-{n + 10}")
    config = dataclasses.replace(project.config, search=False)
    build(config)
    site = config.site_dir
    first, second = (
        (site / "claims/reported/2020-01.html").read_text(),
        (site / "claims/reported/2020-01/2.html").read_text(),
    )
    assert re.findall(r'<li id="claim-(c\d)">', first) == ["c4"] and re.findall(r'<li id="claim-(c\d)">', second) == [
        "c0"
    ]
    assert re.findall(r'rel="(?:prev|next)" href="([^"]+)"', first) == ["../../claims/reported/2020-01/2.html"]
    assert re.findall(r'rel="(?:prev|next)" href="([^"]+)"', second) == ["../../../claims/reported/2020-01.html"]
    assert not (site / "claims/false/2020-01/2.html").exists()  # one false claim: one page
    problems, checked = broken_links(parse_site(site), site)
    assert problems == [] and checked


def test_a_kind_of_many_entries_has_a_page_for_each_letter(glossary, project, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Past GLOSSARY_IN_FULL entries of one kind, the kind's page links to a page for each of its letters
    (each listing that kind only, A to Z), keeps an anchor for each letter, and every link resolves."""
    from tests.test_links import broken_links, parse_site

    monkeypatch.setattr(render, "GLOSSARY_IN_FULL", 2)
    build(dataclasses.replace(project.config, search=False))
    people = (glossary / "glossary/person.html").read_text()
    assert names(people) == []
    assert links(people, r"\.\./glossary/person/\w+\.html") == [f"../glossary/person/{c}.html" for c in "bgl"] * 2
    assert re.findall(r'<li id="letter-(\w)">', people) == ["B", "G", "L"]  # the anchors it had
    assert names((glossary / "glossary/person/b.html").read_text()) == ["babbage"]
    letter = (glossary / "glossary/person/l.html").read_text()
    assert names(letter) == ["ada"]  # Lovelace: no place under L
    graph = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', letter, re.S)[1])["@graph"]
    trail = next(node for node in graph if node["@type"] == "BreadcrumbList")["itemListElement"]
    assert [crumb["name"] for crumb in trail] == ["Articles", "Glossary", "People", "People: L"]  # as its breadcrumbs
    assert trail[2]["item"] == "../person.html"  # the kind's page, from glossary/person/l.html
    assert names((glossary / "glossary/place.html").read_text()) == ["london"]  # one place: listed in full
    assert not (glossary / "glossary/place").exists()
    problems, checked = broken_links(parse_site(glossary), glossary)
    assert problems == [] and checked


def undated_events(n: int, date: str) -> str:
    """Return the annotations of article N: one event on DATE (a year, month or day)."""
    return f"events:\n  - {{id: e{n}, quote: wrote in London, date: '{date}', title: Day {n}}}\n"


@pytest.mark.parametrize(
    ("kind", "date", "own", "further"),
    [
        ("year", "1800", "timeline/1800.html", "timeline/1800/{}.html"),
        ("month", "1800-05", "timeline/1800-05.html", "timeline/1800-05/{}.html"),
    ],
)
def test_a_year_or_month_of_many_events_has_pages_linked_in_order(
    project, monkeypatch: pytest.MonkeyPatch, kind: str, date: str, own: str, further: str
) -> None:
    """Five events in a year known only by year (or in one month), two a page: three pages, those of the newest
    articles first, linked in order with one meaning of rel="prev"/"next"; the first keeps an anchor for each
    event on the others, in the entry of the page that holds it; the page's size is bounded by its count; and
    every link of the site (from articles and entities to the events) resolves."""
    from tests.test_links import broken_links, parse_site

    monkeypatch.setattr(render, "TIMELINE_PAGE_EVENTS", 2)
    for n in range(5):
        body = f"Ada wrote in London on day {n}. Later Ada rested.\n"
        project.article(f"a{n:03}", body, undated_events(n, date), date=f"2020-01-{n + 10}")
    project.article("b", "Ada wrote in London. Later Ada rested.\n", undated_events(9, "1801"), date="2019-01-01")
    config = dataclasses.replace(project.config, search=False)
    build(config)
    site = config.site_dir
    paths = [own, further.format(2), further.format(3)]
    assert (
        sorted(p.relative_to(site).as_posix() for p in (site / own.removesuffix(".html")).glob("*.html")) == paths[1:]
    )
    html = [(site / path).read_text() for path in paths]
    assert [re.findall(r'<li id="t-(e\d)">', page) for page in html] == [["e4", "e3"], ["e2", "e1"], ["e0"]]
    up = "../" * own.count("/")
    down = "../" * further.count("/")
    rels = [sorted(re.findall(r'rel="(prev|next)" href="([^"]+)"', page)) for page in html]
    later = [("prev", "1801.html")] if kind == "year" else []  # the later year (the year before: no rel)
    assert rels[0] == [("next", f"{up}{paths[1]}"), *later]
    assert rels[1] == [("next", f"{down}{paths[2]}"), ("prev", f"{down}{paths[0]}")]
    assert rels[2] == [("prev", f"{down}{paths[1]}")]
    entries = re.findall(r'<li data-forward><a href="([^"]+)">[^<]*</a>((?:<i id="t-e\d"></i>)*)</li>', html[0])
    assert [(href, re.findall(r"e\d", ids)) for href, ids in entries] == [
        (f"{up}{paths[1]}", ["e2", "e1"]),
        (f"{up}{paths[2]}", ["e0"]),
    ]
    assert f"{own}#t-e1" in (site / "articles/a001.html").read_text()  # on page 2: its anchor leads on
    problems, checked = broken_links(parse_site(site), site)
    assert problems == [] and checked


def test_a_page_of_events_is_bounded_by_its_count(project, monkeypatch: pytest.MonkeyPatch) -> None:
    """Sixty events of one year known only by year, ten a page: no page of the year is larger than the one
    of ten events before them by more than the anchors of the other fifty."""
    monkeypatch.setattr(render, "TIMELINE_PAGE_EVENTS", 10)
    for n in range(60):
        project.article(f"a{n:03}", "Ada wrote in London.\n", undated_events(n, "1800"), date=article_date(n))
    config = dataclasses.replace(project.config, search=False)
    build(config)
    pages = [config.site_dir / "timeline/1800.html", *(config.site_dir / "timeline/1800").glob("*.html")]
    assert len(pages) == 6
    sizes = [page.stat().st_size for page in pages]
    assert max(sizes) < 2 * min(sizes)  # not 60 events on the first


def test_a_source_cited_by_many_claims_has_pages_linked_in_order(project, monkeypatch: pytest.MonkeyPatch) -> None:
    """Five claims citing one source, two a page: its page lists the newest two and links to two further
    pages, each to the ones either side; every link of the site resolves."""
    from tests.fixtures.scale import many_events_annotations
    from tests.test_links import broken_links, parse_site

    monkeypatch.setattr(render, "SOURCE_PAGE_CLAIMS", 2)
    for n in range(5):
        body = f"Ada wrote in London on day {n}. Later Ada rested.\n"
        project.article(f"a{n:03}", body, many_events_annotations(n), date=f"2020-01-{n + 10}")
    config = dataclasses.replace(project.config, search=False)
    build(config)
    site = config.site_dir
    paths = ["sources/notes.html", "sources/notes/2.html", "sources/notes/3.html"]
    html = [(site / path).read_text() for path in paths]
    assert [re.findall(r"#claim-(c\d)", page) for page in html] == [["c4", "c3"], ["c2", "c1"], ["c0"]]
    assert "Cited by 5 claims" in html[1]
    assert re.findall(r'rel="(?:prev|next)" href="([^"]+)"', html[0]) == ["../sources/notes/2.html"]
    assert re.findall(r'rel="(?:prev|next)" href="([^"]+)"', html[1]) == [
        "../../sources/notes.html",
        "../../sources/notes/3.html",
    ]
    further = ["../sources/notes/2.html", "../sources/notes/3.html"]
    assert links(html[0], r"\.\./sources/notes/\d\.html") == further[:1] + further  # the next, then every page
    problems, checked = broken_links(parse_site(site), site)
    assert problems == [] and checked


def test_a_split_month_s_page_has_one_prev_and_one_next(project, monkeypatch: pytest.MonkeyPatch) -> None:
    """With one claim a page, February 2020 (two claims) has two pages between January and March: its own
    page's rel="prev" is March, the later month, and its rel="next" its older claims; January is a plain
    link beside them; the second page leads back to the first."""
    monkeypatch.setattr(render, "CLAIMS_PAGE_CLAIMS", 1)
    many_articles(project, 6)  # two a month, January to March 2020
    config = dataclasses.replace(project.config, search=False)
    build(config)
    first = (config.site_dir / "claims/2020-02.html").read_text()
    assert re.findall(r'<a rel="(prev|next)" href="([^"]+)"', first) == [
        ("next", "../claims/2020-02/2.html"),
        ("prev", "2020-03.html"),
    ]
    assert '<a href="2020-01.html">' in first
    second = (config.site_dir / "claims/2020-02/2.html").read_text()
    assert re.findall(r'<a rel="(prev|next)" href="([^"]+)"', second) == [("prev", "../../claims/2020-02.html")]


def test_many_sources_are_listed_on_a_page_per_letter_and_their_anchors_lead_on(
    project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past SOURCES_IN_FULL sources, the page of sources links to a page per letter of their titles, each
    listing those sources A to Z; it keeps the anchor of each source (as exported W3C annotations name it)
    in the entry of its letter's page; and every link resolves."""
    from tests.test_links import broken_links, parse_site

    monkeypatch.setattr(render, "SOURCES_IN_FULL", 2)
    project.write(
        "sources.yml",
        "- {id: notes, title: Sketch of the Analytical Engine}\n- {id: zeta, title: Another survey}\n"
        "- {id: alpha, title: a first report}\n- {id: digits, title: 1843 memoir}\n",
    )
    project.article("a", "London is large.\n", annotations("2020-01"))
    config = dataclasses.replace(project.config, search=False)
    build(config)
    site = config.site_dir
    html = (site / "sources.html").read_text()
    assert "<cite>" not in html
    entries = re.findall(
        r'<li data-forward><a href="([^"]+)">[^<]*</a>[^<]*<span[^>]*>[^<]*</span>((?:<i [^>]*></i>)*)', html
    )
    assert [(href, re.findall(r'id="source-([\w-]+)"', ids)) for href, ids in entries] == [
        ("sources/a-z/a.html", ["alpha", "zeta"]),
        ("sources/a-z/s.html", ["notes"]),
        ("sources/a-z/other.html", ["digits"]),
    ]
    assert re.findall(r'<li id="source-([\w-]+)">', (site / "sources/a-z/a.html").read_text()) == ["alpha", "zeta"]
    assert "cited by 1 claim" in (site / "sources/a-z/s.html").read_text()
    problems, checked = broken_links(parse_site(site), site)
    assert problems == [] and checked
