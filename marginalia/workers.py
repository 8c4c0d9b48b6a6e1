"""The build's worker processes: a pool of forked processes, and this one, working through chunks of items.

Workers are forked, so they share the parent's state as it was at the fork:
SHARED holds what they need, set just before the pool starts. The glossary's
entities travel between the processes by id (`_send_entity`).
"""

from __future__ import annotations

import functools
import gc
import multiprocessing
import os
import pickle
from collections.abc import Callable, Iterator
from multiprocessing.reduction import ForkingPickler
from typing import Any

from .model import Entity

PARALLEL_FROM = 64
"""Fewer articles than this are built in one process: starting workers would cost more."""


SHARED: dict[str, Any] = {}


def count(jobs: int, articles: int) -> int:
    """Return how many processes to use for a site of ARTICLES articles."""
    if articles < PARALLEL_FROM or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    if jobs:
        return jobs
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def in_workers(
    function: Callable[[list[Any]], list[Any]], items: list[Any], workers: int, chunk: int = 64, **shared: Any
) -> Iterator[Any]:
    """Yield FUNCTION's results over ITEMS, in order, computed in chunks of at most CHUNK by WORKERS processes.

    This process is one of them: one process fewer is one copy fewer of what
    this one holds (a forked process soon copies every memory page whose
    objects it touches, if only to count references). The forked processes
    take the chunks from the first on, this one from the last back, each
    claiming a chunk before working on it, until they meet: however long each
    chunk takes, none is left waiting for the other.
    """
    SHARED.clear()
    SHARED.update(shared)
    gc.freeze()  # what exists now is not garbage: collections need not scan it (nor, in a worker, copy its pages)
    try:
        size = max(1, min(chunk, len(items) // (workers * 8)))
        chunks = [items[i : i + size] for i in range(0, len(items), size)]
        if workers <= 1:
            for part in chunks:
                yield from _run_chunk(function, part)
            return
        done: list[list[Any]] = [[] for _ in chunks]
        context = multiprocessing.get_context("fork")
        SHARED["claimed"] = context.Array("b", len(chunks))  # chunk i taken: by this process or a forked one
        with context.Pool(workers - 1) as pool:
            elsewhere = pool.imap(functools.partial(_run_claimed, function), enumerate(chunks))
            for i in reversed(range(len(chunks))):
                if _claim(i):
                    done[i] = _run_chunk(function, chunks[i])
            for i, results in enumerate(elsewhere):
                if results is not None:
                    done[i] = results
        for results in done:
            yield from results
    finally:
        gc.unfreeze()
        SHARED.clear()


def _claim(i: int) -> bool:
    """Claim chunk I for the calling process; False if another process has it."""
    claimed = SHARED["claimed"]
    with claimed.get_lock():
        if claimed[i]:
            return False
        claimed[i] = 1
        return True


def _run_claimed(function: Callable[[list[Any]], list[Any]], task: tuple[int, list[Any]]) -> list[Any] | None:
    """Return FUNCTION's results over the chunk of TASK (its index, its items); None if it was claimed already."""
    i, chunk = task
    return _run_chunk(function, chunk) if _claim(i) else None


def _run_chunk(function: Callable[[list[Any]], list[Any]], chunk: list[Any]) -> list[Any]:
    """Return FUNCTION's results over CHUNK, then collect the garbage it left.

    Only the young objects are looked at (what survives is never scanned
    again): automatic collections are paused for the whole build, in this
    process and in the forked ones alike, and this is the only collection.
    """
    results = function(chunk)
    gc.collect(1)
    return results


def _send_entity(entity: Entity) -> str | tuple[Any, ...]:
    """Pickle a glossary entity, between the build's processes, as its id.

    Every article's results name its entities; sent whole, each would arrive
    as a copy (about 1 KB per article, to unpickle and then throw away). Both
    ends hold the same glossary, forked. An entity that is not the glossary's
    own is sent whole.
    """
    content = SHARED.get("content")
    if content is not None and content.entities.get(entity.id) is entity:
        return _glossary_entity, (entity.id,)
    return entity.__reduce_ex__(pickle.HIGHEST_PROTOCOL)


def _glossary_entity(entity_id: str) -> Entity:
    return SHARED["content"].entities[entity_id]  # type: ignore[no-any-return]


ForkingPickler.register(Entity, _send_entity)
