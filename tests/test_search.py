"""The search index: Pagefind's bundles (entity pages; each year's articles and
their claims), the list search.js merges, and the bundles kept between builds."""

from __future__ import annotations

import asyncio
import dataclasses
import gzip
import json
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

import cbor2
import pytest

from marginalia import search
from marginalia.cache import cache_dir, search_dir
from marginalia.config import Config
from marginalia.model import Article
from marginalia.pipeline import _prepare, build
from tests.conftest import words

SCRIPTS = ("pagefind.js", "pagefind-ui.js", "pagefind-ui.css", "pagefind-worker.js", "wasm.en.pagefind")


@pytest.fixture(scope="module")
def seed(seed_config: Config):  # type: ignore[no-untyped-def]
    """Return the seed content and index."""
    prepared = _prepare(seed_config)
    return prepared.content, prepared.index


def entry(bundle: Path) -> dict:  # type: ignore[type-arg]
    return json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))


def files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_the_seed_site_has_a_bundle_of_entities_and_one_of_its_year(seed_site: Path, seed) -> None:  # type: ignore[no-untyped-def]
    """Pagefind (not this code) wrote the bundles: the entity pages in pagefind/, the articles of each
    year and their claims in pagefind/<year>/, which shards.json lists for search.js to merge."""
    content, index = seed
    bundle = seed_site / "pagefind"
    years = sorted({a.date[:4] for a in content.articles})
    assert years == ["2020", "2021"]  # the example site's articles: two of 2020, one of 2021
    assert json.loads((bundle / "shards.json").read_text(encoding="utf-8")) == years
    assert entry(bundle)["languages"]["en"]["page_count"] == len(content.entities)
    for year in years:
        articles = [a for a in content.articles if a.date.startswith(year)]
        claims = [c for c in index.claims if c.article.date.startswith(year)]
        assert entry(bundle / year)["languages"]["en"]["page_count"] == len(articles) + len(claims)
        for name in SCRIPTS:
            assert (bundle / name).is_file()
            assert not (bundle / year / name).exists()  # the primary bundle's scripts search the merged ones


def test_the_search_bundles_are_in_a_fixed_order(seed_site: Path) -> None:
    """Pagefind writes filter values in hash order; the build sorts them (see search.canonical_search_bundle)."""
    filters = sorted((seed_site / "pagefind").rglob("*.pf_filter"))
    assert {path.parent.parent.name for path in filters} == {"pagefind", "2020", "2021"}
    for path in filters:
        body = gzip.decompress(path.read_bytes())[len(b"pagefind_dcd") :]
        _, values = cbor2.loads(body)
        items = [cbor2.dumps(value) for value in values]
        assert items == sorted(items), path.name
        assert path.stem == f"en_{search._pagefind_name(body, 7)}"


def test_claims_are_records_of_their_article_s_bundle(seed, seed_site: Path) -> None:  # type: ignore[no-untyped-def]
    content, index = seed
    entities, year, later = search.shards(content, index, seed_site)
    assert (entities.key, entities.claims) == ("entities", [])
    assert entities.pages == [f"entities/{e}.html" for e in sorted(content.entities)]
    of_2020 = [a for a in content.articles if a.date.startswith("2020")]
    assert year.key == "2020" and year.pages == [f"articles/{a.slug}.html" for a in of_2020]
    assert year.claims == [c for c in index.claims if c.article in of_2020]
    assert later.key == "2021" and [c.article for c in later.claims] == [content.articles[0]]
    ids = sorted(c.item.id for c in year.claims + later.claims)
    assert ids == sorted(c.item.id for c in index.claims)  # each claim in exactly one bundle
    records = {p.item.id: search.claim_record(p, content) for p in year.claims + later.claims}
    seed_claim = records["joint-patrols-from-march-15"]  # of the article of March 2020
    assert seed_claim["url"] == "/claims/2020-03.html#claim-joint-patrols-from-march-15"
    assert seed_claim["filters"]["Type"] == ["claim"]
    assert seed_claim["filters"]["Status"] == ["reported"] and seed_claim["filters"]["Year"] == ["2020"]
    disputed = records["fixture-twelve-checkpoints"]  # of the invented article of April 2020
    assert disputed["url"] == "/claims/2020-04.html#claim-fixture-twelve-checkpoints"
    assert disputed["filters"]["Status"] == ["disputed"] and disputed["filters"]["Year"] == ["2020"]
    assert records["fixture-highway-closed-all-year"]["filters"]["Year"] == ["2021"]
    fragments = {urlsplit(r["url"]).fragment for r in records.values()}
    assert fragments == {f"claim-{p.item.id}" for p in index.claims}


def article(slug: str, date: str) -> Article:
    return Article(slug=slug, title=slug, date=date, body="", source_path=Path(f"{slug}.md"))


def test_a_year_of_many_articles_is_split_into_runs_of_months(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search, "SHARD_ARTICLES", 3)
    dates = ["2019-05-01", "2020-01-02", "2020-01-03", "2020-02-01", "2020-03-01", "2020-03-02", "2020-11-30"]
    articles = [article(f"a{i}", date) for i, date in enumerate(dates)]
    keys = search.shard_keys(articles)
    # 2019 holds one article; 2020 holds six, in runs of whole months of at most three: Jan-Feb, Mar-Nov
    assert keys == {
        "a0": "2019",
        "a1": "2020-01",
        "a2": "2020-01",
        "a3": "2020-01",
        "a4": "2020-03",
        "a5": "2020-03",
        "a6": "2020-03",
    }


def test_a_month_larger_than_a_bundle_stays_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search, "SHARD_ARTICLES", 2)
    articles = [article(f"a{i}", f"2020-06-0{i + 1}") for i in range(3)] + [article("b", "2020-07-01")]
    assert search.shard_keys(articles) == {"a0": "2020-06", "a1": "2020-06", "a2": "2020-06", "b": "2020-07"}


@pytest.fixture
def made(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record the key of every bundle Pagefind is asked to make."""
    keys: list[str] = []
    original = search._pagefind_bundles

    async def bundles(site_dir, todo, put):  # type: ignore[no-untyped-def]
        keys.extend(shard.key for shard in todo)
        await original(site_dir, todo, put)

    monkeypatch.setattr(search, "_pagefind_bundles", bundles)
    return keys


@pytest.fixture
def years(project):  # type: ignore[no-untyped-def]
    """A project with an article in 2019 and two in 2020, built with search and the cache."""
    project.article("old", "Ada saw London.\n", "mentions:\n  - {entity: ada, quote: Ada}\n", date="2019-02-01")
    project.article("new", "London grew.\n", "mentions:\n  - {entity: london, quote: London}\n", date="2020-03-13")
    project.article("newer", "The engine ran.\n", "mentions:\n  - {entity: engine, quote: engine}\n", date="2020-04-01")
    config = dataclasses.replace(project.config, search=True)
    build(config, use_cache=True)
    return project, config


def test_a_build_takes_unchanged_bundles_from_the_cache(years, made: list[str], tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """An article of 2020 edited: Pagefind makes the bundle of 2020 and no other, and the site's
    search index is, byte for byte, the one a build from scratch makes."""
    project, config = years
    site = config.site_dir / "pagefind"
    assert json.loads((site / "shards.json").read_text(encoding="utf-8")) == ["2019", "2020"]
    before = files(site)
    (search_dir(config) / ".memo.pickle.99999").write_bytes(b"left by a killed build")
    (search_dir(config) / "pages.pickle").write_bytes(b"the memo of an earlier version")
    project.article(
        "newer", "The engine ran all night.\n", "mentions:\n  - {entity: engine, quote: engine}\n", date="2020-04-01"
    )
    build(config, use_cache=True)
    assert made == ["2020"]
    after = files(site)
    changed = {name for name in after if after[name] != before.get(name)}
    assert changed and all(name.startswith("2020/") for name in changed)
    fresh = dataclasses.replace(config, site_dir=tmp_path / "scratch" / "site")
    build(fresh)
    assert files(fresh.site_dir / "pagefind") == after
    # the previous bundle of 2020 is dropped, the memo a killed build left half written, and an old memo
    assert sorted(p.name for p in search_dir(config).iterdir() if not p.is_dir()) == ["memo.pickle"]
    assert len([p for p in search_dir(config).iterdir() if p.is_dir()]) == 3


def test_an_unchanged_site_asks_pagefind_for_nothing(years, made: list[str], monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """Nor does it read a page again: each is linked from the previous site, and the digest of
    what Pagefind reads of it is kept with its inode, size and time."""
    project, config = years
    before = files(config.site_dir / "pagefind")
    read: list[str] = []
    monkeypatch.setattr(search, "searchable", lambda page: read.append(page) or page)
    build(config, use_cache=True)
    assert made == [] and read == []
    assert files(config.site_dir / "pagefind") == before


@pytest.fixture
def records(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record the id of every claim whose search record is made."""
    ids: list[str] = []
    original = search.claim_record

    def record(placed, content):  # type: ignore[no-untyped-def]
        ids.append(placed.item.id)
        return original(placed, content)

    monkeypatch.setattr(search, "claim_record", record)
    return ids


def test_only_the_records_of_a_changed_article_are_made_again(  # type: ignore[no-untyped-def]
    project, made: list[str], records: list[str], tmp_path: Path
) -> None:
    """The digest of an unchanged article's claims is kept in the memo, under the site key and the
    article's content hash; a claim whose status changed remakes its bundle, as a fresh build makes it."""
    claim = "claims:\n  - {{id: {0}, quote: {1}, status: {2}, sources: [notes]}}\n"
    project.article("old", "Ada saw London.\n", claim.format("saw", "Ada saw London", "reported"), date="2019-02-01")
    project.article("new", "London grew.\n", claim.format("grew", "London grew", "reported"), date="2020-03-13")
    project.article("newer", "The engine ran.\n", claim.format("ran", "engine ran", "reported"), date="2020-04-01")
    config = dataclasses.replace(project.config, search=True)
    build(config, use_cache=True)
    assert sorted(made) == ["2019", "2020", "entities"]
    assert sorted(records) == ["grew", "ran", "saw"], "once each: for the digests, and then for Pagefind"
    made.clear()
    records.clear()
    build(config, use_cache=True)
    assert made == [] and records == [], "nothing changed: no record is made, not even for a digest"
    project.article("new", "London grew.\n", claim.format("grew", "London grew", "disputed"), date="2020-03-13")
    build(config, use_cache=True)
    assert made == ["2020"]
    # for the digest of its bundle; then, for Pagefind, every record of the bundle
    assert records == ["grew", "ran", "grew"]
    fresh = dataclasses.replace(config, site_dir=tmp_path / "scratch" / "site")
    build(fresh)
    assert files(fresh.site_dir / "pagefind") == files(config.site_dir / "pagefind")


def test_a_glossary_change_remakes_the_entity_bundle(years, made: list[str]) -> None:  # type: ignore[no-untyped-def]
    project, config = years
    glossary = (project.content / "entities.yml").read_text(encoding="utf-8")
    project.write("entities.yml", glossary.replace("Wrote the first", "Published the first"))
    build(config, use_cache=True)
    # Ada's page; not the article that mentions Ada, though its card now says so: cards are not searched
    assert made == ["entities"]
    made.clear()
    project.write("entities.yml", glossary.replace("name: London", "name: Londinium"))
    build(config, use_cache=True)
    # London's page, and the article of 2020 that mentions London: it is found by the names of its entities
    assert made == ["entities", "2020"]


def test_a_build_without_the_cache_keeps_no_bundles(years, made: list[str], monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """It reads each page once, for Pagefind: without a cache there is nothing to digest it for."""
    project, config = years
    read: list[str] = []
    original = search.searchable
    monkeypatch.setattr(search, "searchable", lambda page: read.append(page) or original(page))
    build(config, use_cache=False)
    assert sorted(made) == ["2019", "2020", "entities"]
    assert len(read) == 3 + 3  # the articles and the entity pages
    assert not cache_dir(config).exists()
    assert json.loads((config.site_dir / "pagefind" / "shards.json").read_text(encoding="utf-8")) == ["2019", "2020"]


def test_a_site_without_entities_makes_its_first_year_the_primary_bundle(project) -> None:  # type: ignore[no-untyped-def]
    project.write("entities.yml", "[]\n")
    project.write("sources.yml", "[]\n")
    project.article("old", "Plain words.\n", date="2019-02-01")
    project.article("new", "More words.\n", date="2020-03-13")
    config = dataclasses.replace(project.config, search=True)
    build(config)
    bundle = config.site_dir / "pagefind"
    assert json.loads((bundle / "shards.json").read_text(encoding="utf-8")) == ["2020"]
    assert entry(bundle)["languages"]["en"]["page_count"] == 1  # the article of 2019
    assert (bundle / "pagefind-ui.js").is_file() and (bundle / "2020" / "pagefind-entry.json").is_file()


def pagefind_bundle(folder: Path, pages: list[str], whole: bool) -> dict[str, bytes]:
    """Return the bundle Pagefind makes of PAGES of FOLDER: from the files themselves if WHOLE,
    else from what `searchable` keeps of each."""
    from pagefind.index import IndexConfig
    from pagefind.service import PagefindService

    async def make() -> dict[str, bytes]:
        service = await PagefindService().launch()
        try:
            index = await service.create_index(IndexConfig(force_language=search.LANGUAGE))
            if whole:
                for page in pages:
                    await index.add_html_file(source_path=page, content=(folder / page).read_text(encoding="utf-8"))
            else:
                for page in pages:
                    text = search.searchable((folder / page).read_text(encoding="utf-8"))
                    await index.add_html_file(url=f"/{page}", content=text)
            return {file["path"]: file["content"] for file in await index.get_files()}
        finally:
            await service.close()

    with ThreadPoolExecutor(max_workers=1) as pool:  # Playwright's event loop may be running in this thread
        return search.canonical_search_bundle(pool.submit(asyncio.run, make()).result())


@pytest.mark.parametrize("kind", ["articles", "entities"])
def test_pagefind_indexes_what_searchable_keeps_as_it_indexes_the_page(seed_site: Path, kind: str) -> None:
    pages = sorted(p.relative_to(seed_site).as_posix() for p in (seed_site / kind).glob("*.html"))
    whole = pagefind_bundle(seed_site, pages, whole=True)
    assert pagefind_bundle(seed_site, pages, whole=False) == whole
    assert len(whole) > 10


def test_searchable_leaves_out_scripts_and_ignored_elements() -> None:
    page = (
        '<html><head><script type="application/ld+json">{"a": "<b>"}</script></head><body>'
        '<main><h1>Kept</h1><section data-pagefind-ignore="all"><section><p>nested</p></section>gone</section>'
        '<p>The attribute data-pagefind-ignore="all" in a sentence stays.</p>'
        '<img src="x.png" data-pagefind-ignore="all"><div data-pagefind-ignore>index mode: Pagefind reads its headings</div>'
        "<p>after</p></main></body></html>"
    )
    assert search.searchable(page) == (
        "<html><head></head><body><main><h1>Kept</h1>"
        '<p>The attribute data-pagefind-ignore="all" in a sentence stays.</p>'
        "<div data-pagefind-ignore>index mode: Pagefind reads its headings</div>"
        "<p>after</p></main></body></html>"
    )


def test_searchable_keeps_a_page_whose_ignored_element_does_not_close() -> None:
    page = '<main><section data-pagefind-ignore="all"><p>never closed</p></main>'
    assert search.searchable(page) == page


def test_an_entity_page_s_facts_are_separate_words(seed_site: Path) -> None:
    """Pagefind joins the text of adjacent elements it sees no boundary between (<dt>Wikidata</dt><dd>Q43</dd>
    read "wikidataq43"): a search for Q43, or for a source's first word, must find the entity page."""
    found = words(seed_site / search.SEARCH_DIR)
    assert {"q43", "wikidata", "joint"} <= found
    assert not {word for word in found if word.startswith(("wikidataq", "sourcesjoint", "sourcjoint", "calledakar"))}


def test_a_year_is_split_into_runs_of_about_the_same_size(monkeypatch: pytest.MonkeyPatch) -> None:
    """Ten articles, one a month, in bundles of about four: three runs of 4, 3 and 3 (not 4, 4 and 2)."""
    monkeypatch.setattr(search, "SHARD_ARTICLES", 4)
    articles = [article(f"a{i}", f"2020-{i + 1:02}-01") for i in range(10)]
    runs: dict[str, int] = {}
    for key in search.shard_keys(articles).values():
        runs[key] = runs.get(key, 0) + 1
    assert runs == {"2020-01": 4, "2020-05": 3, "2020-08": 3}


def test_only_the_main_content_of_a_page_is_indexed(seed_site: Path) -> None:
    """The skip link before the header once started every entity's excerpt ("Skip to content Hulusi
    Akar person..."): base.html marks <main> as what Pagefind indexes, in every bundle."""
    bundles = [
        seed_site / search.SEARCH_DIR,
        *(p.parent for p in (seed_site / search.SEARCH_DIR).glob("*/pagefind-entry.json")),
    ]
    assert len(bundles) == 3
    for bundle in bundles:
        assert "skip" not in words(bundle), bundle.name
    assert {"hulusi", "akar"} <= words(bundles[0])  # the entity pages' own words are there


def _bundle(filter_body: bytes) -> dict[str, bytes]:
    """Return a Pagefind bundle of one filter, Kind, whose index file holds FILTER_BODY."""
    meta = cbor2.dumps(["1.5.2", [["en_1111111", 9]], [], [["Kind", "en_2222222"]], [], []])
    entry = {"version": "1.5.2", "languages": {"en": {"hash": "en_3333333333", "wasm": "en", "page_count": 1}}}
    return {
        "pagefind-entry.json": json.dumps(entry).encode(),
        "pagefind.en_3333333333.pf_meta": gzip.compress(b"pagefind_dcd" + meta),
        "filter/en_2222222.pf_filter": gzip.compress(b"pagefind_dcd" + filter_body),
    }


def test_a_filter_index_is_sorted_and_named_after_its_new_content() -> None:
    files = search.canonical_search_bundle(_bundle(cbor2.dumps(["Kind", [["place", [0]], ["event", [0]]]])))
    (name,) = (name for name in files if name.startswith("filter/"))
    body = gzip.decompress(files[name])[len(b"pagefind_dcd") :]
    assert cbor2.loads(body) == ["Kind", [["event", [0]], ["place", [0]]]]
    assert name == f"filter/en_{search._pagefind_name(body, 7)}.pf_filter"


def test_a_filter_index_not_written_as_pagefind_writes_is_left_as_it_is(capsys: pytest.CaptureFixture[str]) -> None:
    """An index in a CBOR encoding the sort would not write back byte for byte (here 1 in two bytes) is not rewritten."""
    unsorted = cbor2.dumps(["Kind", [["place", [0]], ["event", [1]]]])
    odd = unsorted.replace(b"\x81\x01", b"\x81\x18\x01")
    assert odd != unsorted and cbor2.loads(odd) == cbor2.loads(unsorted)
    bundle = _bundle(odd)
    assert search.canonical_search_bundle(bundle) == bundle
    assert "left in the order Pagefind wrote it" in capsys.readouterr().err


def test_a_bundle_s_pages_and_records_go_to_pagefind_in_one_write(
    seed, seed_site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """A write to Pagefind's pipe and a wait for it per page and record took most of the Python side of
    the search index on a big site: a bundle's requests go in one write, besides one each to make its
    index, fetch its files and drop it. The bundles are the same."""
    content, index = seed
    site = tmp_path / "site"
    shutil.copytree(seed_site, site, ignore=shutil.ignore_patterns("pagefind"))
    writes: list[int] = []
    original = asyncio.StreamWriter.write

    def write(self: asyncio.StreamWriter, data: bytes) -> None:
        writes.append(len(data))
        original(self, data)

    monkeypatch.setattr(asyncio.StreamWriter, "write", write)
    search.index_search(site, content, index)
    bundles = len(search.shards(content, index, site))
    assert bundles == 3
    assert len(writes) <= 4 * bundles < len(content.articles) + len(content.entities) + len(index.claims)
    assert files(site / "pagefind") == files(seed_site / "pagefind")


def test_a_bundle_that_cannot_be_written_stops_the_search_index(
    seed, seed_site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """Bundles are written while Pagefind makes the next: a failed write (a full disk) is not lost on the way."""
    content, index = seed
    site = tmp_path / "site"
    shutil.copytree(seed_site, site, ignore=shutil.ignore_patterns("pagefind"))

    def full(folder: Path, files: dict[str, bytes], whole: bool) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(search, "_write_bundle", full)
    with pytest.raises(OSError, match="No space left on device"):
        search.index_search(site, content, index)
    assert not (site / "pagefind" / "shards.json").exists()
