"""Open standards out, search in: the W3C annotation export,
schema.org JSON-LD, the TimelineJS file, sitemap, feed, robots.txt and the
Pagefind search index."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from marginalia import export
from marginalia.cli import main
from marginalia.config import Config
from marginalia.model import Article
from marginalia.pipeline import _prepare, build
from tests.w3c import COLLECTION_MUSTS, standalone, w3c

ROOT = Path(__file__).resolve().parent.parent
SEED = "idlib-joint-coordination-centers"
GOLDEN = Path(__file__).parent / "fixtures" / "seed.annotations.jsonld"
SITE_URL = "https://news.example.org/marginalia/"


def prepared(config: Config):  # type: ignore[no-untyped-def]
    prepared = _prepare(config)
    problems, content, index, renderer = prepared.problems, prepared.content, prepared.index, prepared.renderer
    assert not [p for p in problems if p.severity == "error"], [str(p) for p in problems]
    return content, index, renderer


@pytest.fixture(scope="module")
def seed(seed_config: Config):  # type: ignore[no-untyped-def]
    """Return the seed content and index, anchored."""
    content, index, _ = prepared(seed_config)
    return content, index


@pytest.fixture(scope="module")
def seed_article(seed) -> Article:  # type: ignore[no-untyped-def]
    return next(a for a in seed[0].articles if a.slug == SEED)


@pytest.fixture(scope="module")
def published(seed_config: Config, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the seed content as a site published at SITE_URL."""
    config = replace(seed_config, site_url=SITE_URL, site_dir=tmp_path_factory.mktemp("published") / "site")
    build(config)
    return config.site_dir


# --- W3C Web Annotations, validated against the WG's schemas (tests/w3c.py) -------------------------


def published_exports(site: Path) -> list[dict[str, Any]]:
    """Return every W3C annotation export a built SITE publishes."""
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(site.glob("articles/*.annotations.jsonld"))]


@pytest.mark.parametrize("with_site_url", [True, False], ids=["site_url", "no site_url"])
def test_every_published_annotation_is_valid_per_the_w3c_schemas(
    with_site_url: bool, published: Path, seed_site: Path, seed
) -> None:  # type: ignore[no-untyped-def]
    """Every annotation and collection the site publishes passes the WG's assertions, ids and sources
    being IRIs (format "uri") included: with site_url, one export per article, every id absolute; without
    it, none (they would be relative references, which the model does not allow; the build says so)."""
    content, _ = seed
    site = published if with_site_url else seed_site
    schemas = w3c(check_uris=True)
    collections = published_exports(site)
    validated = 0
    for collection in collections:
        assert schemas.errors(COLLECTION_MUSTS, collection) == []
        for annotation in standalone(collection):
            assert schemas.annotation_errors(annotation) == [], annotation["id"]
            validated += 1
    spans = sum(len(a.spans) for article in content.articles for a in article.annotations)
    if with_site_url:
        assert len(collections) == len(content.articles) == 3
        assert validated == spans > 72  # 72 in the seed article: 46 mention spans, 17 claims, 7 events, 2 notes
    else:
        assert collections == [] and validated == 0


def test_relative_ids_fail_the_w3c_schemas(seed_config: Config, seed, seed_article) -> None:  # type: ignore[no-untyped-def]
    """Why a site without site_url publishes no export: its ids would be relative references, not IRIs."""
    schemas = w3c(check_uris=True)
    relative = standalone(export.annotation_collection(seed_article, seed[0], replace(seed_config, site_url="")))
    assert all(any("IdValidated" in e for e in schemas.annotation_errors(a)) for a in relative)


def test_the_schemas_do_reject_a_broken_annotation(seed_config: Config, seed, seed_article) -> None:  # type: ignore[no-untyped-def]
    """The validation has teeth: a missing target, an unknown motivation or a relative id fail it."""
    schemas = w3c(check_uris=True)
    good = standalone(export.annotation_collection(seed_article, seed[0], replace(seed_config, site_url=SITE_URL)))[0]
    assert schemas.annotation_errors(good) == []
    assert any(
        "targetKeyFound" in e for e in schemas.annotation_errors({k: v for k, v in good.items() if k != "target"})
    )
    assert any("motivation" in e for e in schemas.annotation_errors({**good, "motivation": "liking"}))
    assert any("IdValidated" in e for e in schemas.annotation_errors({**good, "id": "no-scheme.html#x"}))
    broken_selector = {
        **good,
        "target": {"source": good["target"]["source"], "selector": {"type": "TextPositionSelector", "start": 1}},
    }
    assert schemas.annotation_errors(broken_selector)


def test_selectors_quote_the_plain_text_with_32_characters_of_context(seed_config: Config, seed, seed_article) -> None:  # type: ignore[no-untyped-def]
    """exact, prefix and suffix come from Article.text; the positions count in it; ids and targets follow the page."""
    text = seed_article.text
    collection = export.annotation_collection(seed_article, seed[0], seed_config)
    assert collection["id"] == f"{SEED}.annotations.jsonld"
    for item in collection["first"]["items"]:
        quote, position = item["target"]["selector"]
        start, end = position["start"], position["end"]
        assert quote["exact"] == text[start:end]
        assert quote.get("prefix", "") == text[max(0, start - 32) : start]
        assert quote.get("suffix", "") == text[end : end + 32]
        assert item["target"]["source"] == f"{SEED}.html"
        assert re.fullmatch(rf"{SEED}\.html#(m|claim|event|note)-[a-z0-9-]+", item["id"])
    ids = [item["id"] for item in collection["first"]["items"]]
    assert len(ids) == len(set(ids))
    # a mention the YAML picks with prefix "deal for Idlib, " still carries full context
    akar = next(i for i in collection["first"]["items"] if i["id"].endswith("#m-hulusi-akar-3"))
    assert akar["target"]["selector"][0]["prefix"].endswith("deal for Idlib, ")


def test_the_article_page_links_its_annotation_export(published: Path, seed_site: Path) -> None:
    """With site_url, an article links its export; without, there is none to link (see the test above)."""
    html = (published / "articles" / f"{SEED}.html").read_text(encoding="utf-8")
    link = f'<link rel="alternate" type=\'{export.ANNO_MEDIA_TYPE}\' href="../articles/{SEED}.annotations.jsonld"'
    assert link in html
    data = json.loads((published / "articles" / f"{SEED}.annotations.jsonld").read_text(encoding="utf-8"))
    assert data["@context"] == "http://www.w3.org/ns/anno.jsonld" and data["type"] == "AnnotationCollection"
    assert "annotations.jsonld" not in (seed_site / "articles" / f"{SEED}.html").read_text(encoding="utf-8")


def test_a_build_without_site_url_says_once_what_it_left_out(seed_config: Config, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """One note per build, however many articles, naming what is missing and how to set site_url."""
    config = tmp_path / "mkdocs.yml"
    config.write_text(
        f"site_name: Test\ndocs_dir: {seed_config.content_dir}\nsite_dir: {tmp_path / 'site'}\n"
        f"extra:\n  marginalia:\n    templates_dir: {ROOT / 'templates'}\n    search: false\n",
        encoding="utf-8",
    )
    assert main(["-f", str(config)]) == 0
    err = capsys.readouterr().err
    assert err.count("site_url is not set") == 1 and "annotations.jsonld" in err and "SITE_URL" in err
    assert not list((tmp_path / "site").glob("articles/*.annotations.jsonld"))
    config.write_text(config.read_text(encoding="utf-8") + "site_url: https://news.example.org/\n", encoding="utf-8")
    assert main(["-f", str(config)]) == 0
    assert "site_url" not in capsys.readouterr().err
    assert len(list((tmp_path / "site").glob("articles/*.annotations.jsonld"))) == 3


def test_golden_seed_export(seed_config: Config, seed, seed_article, request: pytest.FixtureRequest) -> None:  # type: ignore[no-untyped-def]
    """The seed article's export, published at SITE_URL, is exactly tests/fixtures/seed.annotations.jsonld."""
    actual = export.dumps(export.annotation_collection(seed_article, seed[0], replace(seed_config, site_url=SITE_URL)))
    if request.config.getoption("--regen-golden"):
        GOLDEN.write_text(actual, encoding="utf-8")
        return
    assert actual == GOLDEN.read_text(encoding="utf-8"), "the export changed: review it, then rerun with --regen-golden"


# --- schema.org JSON-LD ------------------------------------------------------------------------------

# What Google's structured-data documentation (developers.google.com/search/docs/
# appearance/structured-data) lists for each type we emit, as far as it could be
# checked here (offline, from memory and copies of those pages):
#   - Article / NewsArticle: NO required properties; recommended: author
#     (author.name, author.url), dateModified, datePublished, headline, image.
#   - BreadcrumbList: required itemListElement, each a ListItem with position,
#     name and item (item may be left out on the last crumb, the current page).
#   - ClaimReview (fact check): required claimReviewed, reviewRating, url; in
#     reviewRating, alternateName is required; recommended: author,
#     itemReviewed (a Claim with author, appearance), reviewRating's
#     bestRating/worstRating/ratingValue/name. Google retired the fact-check
#     rich result in June 2025 (as reported by Poynter and others), so this
#     now matters for other consumers of schema.org, not for Google Search.
#   - Organization: no required properties; Person, Place and Thing have no
#     Google rich result at all. For them we require a name; the entity tests
#     below also require the entity page's url, and sameAs where there is a
#     Wikidata id.
# Properties below are what the test REQUIRES of our output: Google's required
# ones, plus the recommended ones we can honestly fill (datePublished and
# headline: always known; author is not, so it is not required).
REQUIRED: dict[str, set[str]] = {
    "NewsArticle": {"headline", "datePublished", "url"},
    "BreadcrumbList": {"itemListElement"},
    "ListItem": {"position", "name"},
    "ClaimReview": {"claimReviewed", "reviewRating", "url"},
    "Rating": {"alternateName"},
    "Person": {"name"},
    "Place": {"name"},
    "Organization": {"name"},
    "Thing": {"name"},
    "WebSite": {"name", "url"},
    "CollectionPage": {"name", "url"},
    "Claim": set(),
}


class _JsonLd(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self._in = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in = tag == "script" and dict(attrs).get("type") == "application/ld+json"
        if self._in:
            self.blocks.append("")

    def handle_endtag(self, tag: str) -> None:
        self._in = False

    def handle_data(self, data: str) -> None:
        if self._in:
            self.blocks[-1] += data


def json_ld(html: str) -> list[dict[str, Any]]:
    parser = _JsonLd()
    parser.feed(html)
    return [json.loads(block) for block in parser.blocks]


def nodes(data: Any) -> list[dict[str, Any]]:
    """Return every typed node in DATA, nested ones included."""
    found = []
    if isinstance(data, dict):
        if "@type" in data:
            found.append(data)
        for value in data.values():
            found += nodes(value)
    elif isinstance(data, list):
        for value in data:
            found += nodes(value)
    return found


def missing(node: dict[str, Any]) -> set[str]:
    return {p for p in REQUIRED[node["@type"]] if node.get(p) in (None, "", [])}


def test_every_page_has_schema_org_json_ld_with_the_required_properties(published: Path) -> None:
    """One JSON-LD block per page, parsing, with the properties of REQUIRED for every node."""
    problems, types = [], set()
    for file in sorted(published.rglob("*.html")):
        blocks = json_ld(file.read_text(encoding="utf-8"))
        assert len(blocks) == 1, file
        assert blocks[0]["@context"] == "https://schema.org"
        for node in nodes(blocks[0]["@graph"]):
            types.add(node["@type"])
            if lack := missing(node):
                problems.append(f"{file.relative_to(published)}: {node['@type']} lacks {sorted(lack)}")
            if node["@type"] == "BreadcrumbList":
                crumbs = node["itemListElement"]
                assert [c["position"] for c in crumbs] == list(range(1, len(crumbs) + 1))
                assert all("item" in c for c in crumbs[:-1]), file
                assert all(c["item"].startswith(SITE_URL) for c in crumbs if "item" in c)
    assert not problems, "\n".join(problems)
    assert {
        "NewsArticle",
        "BreadcrumbList",
        "Person",
        "Place",
        "Organization",
        "Thing",
        "WebSite",
        "CollectionPage",
    } <= types


def test_news_article_mentions_its_entities_with_wikidata(published: Path, seed) -> None:  # type: ignore[no-untyped-def]
    graph = json_ld((published / "articles" / f"{SEED}.html").read_text(encoding="utf-8"))[0]["@graph"]
    news = next(n for n in graph if n["@type"] == "NewsArticle")
    assert news["datePublished"] == "2020-03-13" and news["locationCreated"] == {"@type": "Place", "name": "ANKARA"}
    assert "publisher" not in news  # the seed article's publisher is not known
    assert news["url"] == f"{SITE_URL}articles/{SEED}.html"
    content, index = seed
    expected = index.entities_of_article[SEED]
    assert [m["url"] for m in news["mentions"]] == [f"{SITE_URL}entities/{e.id}.html" for e in expected]
    turkey = next(m for m in news["mentions"] if m["name"] == "Turkey")
    assert turkey["sameAs"] == f"https://www.wikidata.org/wiki/{content.entities['turkey'].wikidata}"
    assert not [n for n in graph if n["@type"] == "ClaimReview"]  # every seed claim is only "reported"


def test_entity_pages_carry_the_entity_and_its_breadcrumbs(published: Path, seed) -> None:  # type: ignore[no-untyped-def]
    content, _ = seed
    for entity in content.entities.values():
        graph = json_ld((published / "entities" / f"{entity.id}.html").read_text(encoding="utf-8"))[0]["@graph"]
        thing = graph[0]
        assert thing["@type"] == export.SCHEMA_TYPES[entity.kind] and thing["name"] == entity.name
        assert thing["url"] == f"{SITE_URL}entities/{entity.id}.html"
        assert ("sameAs" in thing) == bool(entity.wikidata)
        assert graph[1]["@type"] == "BreadcrumbList"
        assert [c["name"] for c in graph[1]["itemListElement"]][0] == "Glossary"


CLAIMS = """\
mentions:
  - {entity: ada, quote: Ada}
  - {entity: engine, quote: engine}
  - {entity: london, quote: London}
claims:
  - id: engine-in-london
    quote: Ada saw the engine in London
    claimant: ada
    status: disputed
    sources: [notes]
    summary: "Ada saw the engine in London </script><script>alert(1)</script>"
    review: The *notes* say she saw drawings only.
  - id: saw-it
    quote: saw the engine
    status: reported
    sources: [notes]
"""


def test_claim_review_for_claims_past_reported_and_no_script_breakout(project) -> None:  # type: ignore[no-untyped-def]
    """A disputed claim becomes a ClaimReview; a reported one does not; `</script>` in content cannot close the block."""
    project.article("a", "Ada saw the engine in London.\n", CLAIMS)
    build(project.config)
    html = (project.root / "site" / "articles" / "a.html").read_text(encoding="utf-8")
    assert html.count("</script>") == html.count("<script")  # no extra closing tag from the content
    assert "\\u003c/script\\u003e" in html
    graph = json_ld(html)[0]["@graph"]
    reviews = [n for n in graph if n["@type"] == "ClaimReview"]
    assert len(reviews) == 1
    review = reviews[0]
    assert review["claimReviewed"] == "Ada saw the engine in London </script><script>alert(1)</script>"
    assert review["reviewRating"]["alternateName"] == "disputed"
    assert review["reviewRating"]["ratingExplanation"] == "The notes say she saw drawings only."
    assert review["url"] == "a.html#about-claim-engine-in-london"
    assert review["itemReviewed"]["author"]["name"] == "Ada Lovelace"
    assert not missing(review) and not missing(review["reviewRating"])
    assert 'id="about-claim-engine-in-london"' in html


# --- TimelineJS, sitemap, feed, robots, canonical and Open Graph --------------------------------------


def test_timeline_json_is_timelinejs_format(seed_site: Path, seed) -> None:  # type: ignore[no-untyped-def]
    data = json.loads((seed_site / "timeline.json").read_text(encoding="utf-8"))
    _, index = seed
    events = data["events"]
    assert [e["unique_id"] for e in events] == [p.item.id for p in index.timeline]
    for event, placed in zip(events, index.timeline, strict=True):
        assert set(event) <= {"start_date", "end_date", "text", "unique_id"}
        assert event["start_date"]["year"] == int(placed.item.date.start[:4])
        assert all(isinstance(v, int) for v in event["start_date"].values())
        assert ("end_date" in event) == bool(placed.item.date.end)
        assert event["text"]["headline"] and 'href="articles/' in event["text"]["text"]
    ranged = next(e for e in events if e["unique_id"] == "ankara-talks")
    assert ranged["start_date"] == {"year": 2020, "month": 3, "day": 10} and ranged["end_date"] == {
        "year": 2020,
        "month": 3,
        "day": 13,
    }
    assert next(e for e in events if e["unique_id"] == "idlib-agreement-2018")["start_date"] == {"year": 2018}


def test_timeline_json_is_the_same_made_whole_or_from_the_entries_made_as_articles_were_read(
    seed_config: Config, published: Path
) -> None:
    """Its entries are made as each article is read (and kept by the build cache); made afresh, the same bytes."""
    from marginalia.export import timeline_json
    from marginalia.index import build_index

    config = replace(seed_config, site_url=SITE_URL)
    content, index, _ = prepared(config)
    assert index.timeline_entries and len(index.timeline_entries) == len(index.timeline)
    written = (published / "timeline.json").read_text(encoding="utf-8")
    assert timeline_json(index, config) == written
    afresh = build_index(content)  # no entries: each is made now
    assert not afresh.timeline_entries
    assert timeline_json(afresh, config) == written
    assert json.loads(written)["events"][0]["text"]["text"].count(SITE_URL) == 1  # links under site_url


def test_without_site_url_no_sitemap_feed_or_canonical(seed_site: Path) -> None:
    """Sitemaps and Atom need absolute URLs: without site_url there are none, and no canonical or og: tags."""
    assert not (seed_site / "sitemap.xml").exists() and not (seed_site / "feed.xml").exists()
    assert (seed_site / "robots.txt").read_text(encoding="utf-8") == "User-agent: *\nAllow: /\n"
    html = (seed_site / "index.html").read_text(encoding="utf-8")
    assert 'rel="canonical"' not in html and "og:" not in html and "application/atom+xml" not in html


def test_sitemap_lists_every_page_with_absolute_urls(published: Path) -> None:
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    root = ET.fromstring((published / "sitemap.xml").read_bytes())
    locs = [u.findtext("s:loc", namespaces=ns) for u in root.findall("s:url", ns)]
    pages = sorted(p.relative_to(published).as_posix() for p in published.rglob("*.html"))
    assert sorted(locs) == sorted(SITE_URL + ("" if p == "index.html" else p) for p in pages)
    article = next(u for u in root.findall("s:url", ns) if u.findtext("s:loc", namespaces=ns).endswith(f"{SEED}.html"))
    assert article.findtext("s:lastmod", namespaces=ns) == "2020-03-13"
    assert (published / "robots.txt").read_text(encoding="utf-8").endswith(f"\nSitemap: {SITE_URL}sitemap.xml\n")


def test_atom_feed(published: Path, seed) -> None:  # type: ignore[no-untyped-def]
    atom = "{http://www.w3.org/2005/Atom}"
    feed = ET.fromstring((published / "feed.xml").read_bytes())
    assert feed.tag == f"{atom}feed"
    # the newest of the example site's articles is the invented one of 2021-03-05
    assert feed.findtext(f"{atom}updated") == "2021-03-05T00:00:00Z"  # the newest article's date, not the build time
    assert feed.findtext(f"{atom}id") == SITE_URL
    assert feed.find(f"{atom}author/{atom}name") is not None
    entries = feed.findall(f"{atom}entry")
    assert len(entries) == len(seed[0].articles)
    newest_first = ["fixture-ceasefire-anniversary", "fixture-road-survey", SEED]
    assert [e.findtext(f"{atom}id") for e in entries] == [f"{SITE_URL}articles/{slug}.html" for slug in newest_first]
    entry = entries[-1]
    assert entry.find(f"{atom}link").get("href") == f"{SITE_URL}articles/{SEED}.html"
    assert entry.findtext(f"{atom}summary").startswith("Turkish and Russian military delegations")


def test_atom_feed_holds_the_newest_articles_only(seed, seed_config: Config) -> None:  # type: ignore[no-untyped-def]
    """On a site of many articles the feed has the newest FEED_ENTRIES, newest first."""
    content, _ = seed
    first = content.articles[0]
    many = [replace(first, slug=f"article-{i:03d}", date=f"2019-{i // 28 + 1:02d}-{i % 28 + 1:02d}") for i in range(80)]
    feed = ET.fromstring(export.atom_feed(replace(content, articles=many), replace(seed_config, site_url=SITE_URL)))
    atom = "{http://www.w3.org/2005/Atom}"
    ids = [entry.findtext(f"{atom}id") for entry in feed.findall(f"{atom}entry")]
    assert ids == [f"{SITE_URL}articles/article-{i:03d}.html" for i in range(79, 79 - export.FEED_ENTRIES, -1)]


def test_atom_feed_of_hostile_titles_is_well_formed(seed, seed_config: Config) -> None:  # type: ignore[no-untyped-def]
    """Markup, a CDATA end and characters XML cannot hold, in a title, byline, lede or the site's name:
    the feed still parses, the markup is text, and only what XML cannot hold (U+0001, U+FFFE) is left out."""
    content, _ = seed
    hostile = 'a <b>&amp; "c" ]]> d\x01e\ufffef'
    article = replace(content.articles[0], title=hostile, byline=hostile, lede=hostile)
    config = replace(seed_config, site_url=SITE_URL, site_name=hostile, site_description=hostile)
    feed = ET.fromstring(export.atom_feed(replace(content, articles=[article]), config))
    atom = "{http://www.w3.org/2005/Atom}"
    shown = 'a <b>& "c" ]]> def'  # the title is Markdown: &amp; is an ampersand
    assert feed.findtext(f"{atom}entry/{atom}title") == shown
    for path in ("title", "subtitle", "author/name", "entry/author/name", "entry/summary"):  # plain text
        found = feed.findtext("/".join(atom + tag for tag in path.split("/")))
        assert found == 'a <b>&amp; "c" ]]> def', path


def test_the_plain_text_of_a_title_is_what_its_page_shows() -> None:
    """A link the pages refuse (W507) stays text, as the page shows it, in the feed, the timeline and the
    JSON-LD; a link the pages make gives its words; the markup is gone, raw HTML is text."""
    assert export.plain("Talk at [the venue](ftp://host/x)") == "Talk at [the venue](ftp://host/x)"
    assert export.plain("See [the venue](https://host/x)") == "See the venue"
    assert export.plain("a *b* `c` <i>d</i>") == "a b c <i>d</i>"


def test_canonical_and_open_graph_from_site_url(published: Path) -> None:
    html = (published / "articles" / f"{SEED}.html").read_text(encoding="utf-8")
    assert f'<link rel="canonical" href="{SITE_URL}articles/{SEED}.html">' in html
    assert f'<meta property="og:url" content="{SITE_URL}articles/{SEED}.html">' in html
    assert '<meta property="og:type" content="article">' in html
    assert '<meta property="og:title" content="Joint coordination centers' in html
    assert f'<link rel="alternate" type="application/atom+xml" title="Marginalia" href="{SITE_URL}feed.xml">' in html
    home = (published / "index.html").read_text(encoding="utf-8")
    assert f'<link rel="canonical" href="{SITE_URL}">' in home and 'content="website"' in home


# --- Search ------------------------------------------------------------------------------------------


def test_search_attributes(seed_site: Path) -> None:
    entity = (seed_site / "entities" / "hulusi-akar.html").read_text(encoding="utf-8")
    assert '<h1 data-pagefind-weight="10" data-pagefind-meta="title:Hulusi Akar">' in entity
    assert 'data-pagefind-filter="Kind">person</span>' in entity
    article = (seed_site / "articles" / f"{SEED}.html").read_text(encoding="utf-8")
    assert 'data-pagefind-filter="Year:2020"' in article
    assert '<aside class="article-apparatus" aria-label="About this article" data-pagefind-ignore="all">' in article
    assert '<header class="site-header" data-pagefind-ignore="all">' in article
    # without JavaScript the search box is a link to the glossary
    assert '<div class="site-search" id="site-search"><a href="../glossary.html">' in article
    assert '<script src="../assets/search.js" defer></script>' in article
    assert "pagefind-ui.js" not in article  # search.js loads it when the search field is first focused
