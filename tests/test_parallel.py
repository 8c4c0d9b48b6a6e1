"""A site large enough to be built by several processes is the site one process builds."""

from __future__ import annotations

import dataclasses
import pickle
from multiprocessing.reduction import ForkingPickler
from pathlib import Path

import pytest

from marginalia import pipeline, workers
from marginalia.model import Content, Entity
from marginalia.pipeline import build


def files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@pytest.fixture
def large(project):  # type: ignore[no-untyped-def]
    """A project with more articles than one process builds alone, one of them with a warning."""
    for n in range(workers.PARALLEL_FROM + 6):
        body = f"Ada saw the engine in London, day {n}.\n" + ("Ada Lovelace came back.\n" if n == 7 else "")
        mentions = "mentions:\n  - {entity: ada, quote: Ada, occurrence: 1}\n  - {entity: engine, quote: engine}\n"
        if n % 3:
            mentions += "  - {entity: london, quote: London}\n"
        claims = f"claims:\n  - {{id: c{n}, quote: day {n}, status: reported, sources: [notes]}}\n"
        project.article(f"a{n:03}", body, mentions + claims, date=f"2020-{1 + n % 12:02}-{1 + n % 28:02}")
    return dataclasses.replace(project.config, search=False)


@pytest.mark.parametrize("jobs", [2, 3])
def test_workers_build_the_site_one_process_builds(large, tmp_path: Path, jobs: int) -> None:
    one = dataclasses.replace(large, site_dir=tmp_path / "one" / "site")
    many = dataclasses.replace(large, site_dir=tmp_path / "many" / "site")
    serial = build(one, jobs=1)
    parallel = build(many, jobs=jobs)
    assert workers.count(jobs, workers.PARALLEL_FROM + 6) == jobs
    assert files(many.site_dir) == files(one.site_dir)
    assert parallel.warnings == serial.warnings
    assert parallel.warnings  # the unannotated "Ada Lovelace" in a007


def test_a_glossary_entity_crosses_between_processes_as_its_id() -> None:
    """Each article's results name its entities: sent whole, each would arrive as a copy."""
    ada = Entity("ada", "Ada Lovelace", "person", description="Mathematician. " * 100)
    workers.SHARED["content"] = Content([], {"ada": ada}, {})
    try:
        sent = bytes(ForkingPickler.dumps([ada, ada]))
        assert len(sent) < 200  # the description alone is 1,500 characters
        received = pickle.loads(sent)  # noqa: S301 - made just above
        assert received[0] is ada and received[1] is ada
        namesake = dataclasses.replace(ada, name="Another Ada")  # not the glossary's own: sent whole
        assert pickle.loads(bytes(ForkingPickler.dumps(namesake))).name == "Another Ada"  # noqa: S301
    finally:
        workers.SHARED.clear()


def test_what_workers_send_back_names_the_glossary_s_own_entities(large) -> None:  # type: ignore[no-untyped-def]
    """Not copies: the index and the pages compare entities by identity, and copies would cost memory."""
    prepared = pipeline._prepare(large, jobs=2)
    glossary = prepared.content.entities
    parts = [found.part for found in prepared.articles if found.part is not None]
    assert len(parts) == workers.PARALLEL_FROM + 6
    named = [
        e for part in parts for e in [*part.entities, *(e for p in [*part.claims, *part.events] for e in p.entities)]
    ]
    assert named and all(entity is glossary[entity.id] for entity in named)
