"""What the build keeps of each article once its own pages are written: the main process of a large
build holds it for every article, and the dev server between edits (bench/README.md, "Memory at 10,000
articles"). The caps are measured with tracemalloc, in bytes, not in time."""

from __future__ import annotations

import dataclasses
import gc
import sys
import tracemalloc
from pathlib import Path

import pytest

from marginalia.check import Contribution, Shared, SiteChecks
from marginalia.index import build_index, claims_index
from marginalia.live import LiveSite
from marginalia.live_search import SearchRefresh
from marginalia.model import Content, Entity, Location
from marginalia.pipeline import full_build

from .conftest import example_config


def test_a_built_article_keeps_of_its_mentions_only_which_entities_they_name(tmp_path: Path) -> None:
    _, built = full_build(example_config(tmp_path / "site"))
    read = [found.article for found in built.engine.found.values() if found.article is not None]
    assert read
    for article in read:
        named = [mention.entity for mention in article.mentions]
        assert named and len(named) == len(set(named))  # one mention per entity
        assert all(not m.spans and not m.selector.quote for m in article.mentions)
        assert len({id(m.where) for m in article.mentions}) == 1  # the file's, once
        assert not article.notes and not article.text
    mentioned = {ref.article.slug for refs in built.index.mentions.values() for ref in refs}
    assert mentioned == {article.slug for article in read}  # the index still has every snippet


def test_the_checks_across_articles_hold_at_most_3_kb_per_article() -> None:
    """10 claims and events, 11 entities, 2 sources an article: about what the benchmark's corpus has."""
    entities = {f"entity-{i}": Entity(f"entity-{i}", f"Entity {i}", "person") for i in range(50)}
    content = Content([], entities, {})
    contributions = []
    for n in range(300):
        path = Path(f"article-{n}.yml")
        items = [Shared("claim", f"claim-{n}-{i}", Location(path, 10 + i, 5), True, "2020-01-01") for i in range(5)]
        items += [
            Shared("event", f"event-{n}-{i}", Location(path, 40 + i, 5), True, "2020-01-01", f"{1700 + n}-{i + 1:02}",
                   frozenset({f"entity-{(n + i) % 50}"}))
            for i in range(5)
        ]  # fmt: skip
        ids = [(item.kind, item.id, item.where) for item in items]
        mentioned = tuple(f"entity-{(n + i) % 50}" for i in range(11))
        contributions.append(Contribution(f"article-{n}", "2020-01-01", [], ids, items, mentioned, (), True, True))
    checks = SiteChecks(content)
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for n, contribution in enumerate(contributions):
            checks.put(f"article-{n}.md", contribution)
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert not checks.problems()
    assert held / len(contributions) < 3_000, held / len(contributions)


def test_a_snippet_is_one_string_of_one_byte_a_character_and_reads_as_it_shows(tmp_path: Path) -> None:
    """An ellipsis (beyond Latin-1) in a string makes each of its characters two bytes: it is added when read."""
    _, built = full_build(example_config(tmp_path / "site"))
    refs = [ref for refs in built.index.mentions.values() for ref in refs]
    cut = [ref for ref in refs if ref.before.startswith("…") and ref.after.endswith("…")]
    assert cut
    for ref in cut:
        assert ref.before + ref.words + ref.after == f"…{ref.snippet}…"
        if ref.snippet.isascii():
            assert sys.getsizeof(ref.snippet) == sys.getsizeof("x" * len(ref.snippet))
    assert any(ref.snippet.isascii() for ref in cut)


def test_the_first_search_refresh_is_forked_once_the_dev_servers_memory_is_frozen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A collection after the fork would write to every object the refresh's process shares with the server,
    and that process would end up with a copy of all of them."""
    frozen_at_request: list[int] = []
    monkeypatch.setattr(
        SearchRefresh, "request", lambda self, snapshot: frozen_at_request.append(gc.get_freeze_count())
    )
    site = LiveSite(dataclasses.replace(example_config(tmp_path / "site"), search=True))
    site.search_later = True
    try:
        assert not site.rebuild().failed
    finally:
        site.close()
        gc.unfreeze()
    assert len(frozen_at_request) == 1 and frozen_at_request[0] > 0


def test_the_search_refresh_reads_the_claims_of_the_index_without_building_it(tmp_path: Path) -> None:
    _, built = full_build(example_config(tmp_path / "site"))
    parts = dict(built.engine.parts)
    claims = claims_index(built.content, parts).claims
    assert claims
    assert [(p.item, p.article) for p in claims] == [
        (p.item, p.article) for p in build_index(built.content, parts).claims
    ]


def test_an_entity_id_named_in_several_articles_from_the_build_cache_is_one_string(tmp_path: Path) -> None:
    """Each article's cache entry is a pickle of its own, which makes strings of its own."""
    config = example_config(tmp_path / "site")
    full_build(config, use_cache=True)
    _, built = full_build(config, use_cache=True)
    refs = [ref for refs in built.index.mentions.values() for ref in refs]
    by_value: dict[str, set[int]] = {}
    for ref in refs:
        by_value.setdefault(ref.entity, set()).add(id(ref.entity))
    several = [e for e, refs_of in built.index.mentions.items() if len({r.article.slug for r in refs_of}) > 1]
    assert several
    assert all(len(by_value[entity_id]) == 1 for entity_id in several)
