"""Pagefind's service client as the search index drives it (see search.py): imported only once Pagefind is known
to be installed."""

from __future__ import annotations

import asyncio
import base64
import json
from typing import Any

from pagefind.service import PagefindService


class PromptService(PagefindService):
    """Pagefind's service client, taking each answer as soon as it comes: the stock
    one naps 0.1 s before each (minutes, on a site with thousands of claims),
    cannot read an answer over 2 MiB (the bundle, on a big site), and keeps
    every answer. It also sends a bundle's requests at once (`post`): the stock
    one formats each request for its debug log, logging off or not, and waits
    for the pipe after each."""

    async def _wait_for_responses(self) -> None:
        stdout = self._backend.stdout
        assert stdout is not None
        buffer = bytearray()
        while True:
            chunk = await stdout.read(1 << 16)
            if not chunk:
                self._fail("Pagefind stopped before answering")
                return
            searched = len(buffer)
            buffer += chunk
            while (comma := buffer.find(b",", searched)) >= 0:
                self._answer(bytes(buffer[:comma]))
                del buffer[: comma + 1]
                searched = 0

    def _answer(self, message: bytes) -> None:
        response = json.loads(base64.b64decode(message))
        if not isinstance(response, dict):
            return
        payload = response.get("payload") or {}
        # Popped: the stock client keeps every answer, a whole bundle among them, until it closes.
        future = self._responses.pop(response.get("message_id"), None)  # type: ignore[arg-type]
        if future is None:
            if payload.get("type") == "Error":
                self._fail(f"Pagefind: {payload.get('message')}")
        elif not future.done():
            if payload.get("type") == "Error":
                future.set_exception(RuntimeError(f"Pagefind: {payload.get('message')}"))
            else:
                future.set_result(payload)  # type: ignore[arg-type]  # Pagefind's typed responses are dicts

    def _fail(self, message: str) -> None:
        for future in self._responses.values():
            if not future.done():
                future.set_exception(RuntimeError(message))

    def reserve(self, count: int) -> int:
        """Return the first of COUNT message ids kept for requests encoded elsewhere (see `post`)."""
        self._message_id += count
        return self._message_id - count + 1

    async def post(self, first: int, count: int, requests: bytes) -> list[dict[str, Any]]:
        """Send REQUESTS, the COUNT encoded requests of the ids from FIRST; return their answers."""
        assert self._backend.stdin is not None
        futures = [self._loop.create_future() for _ in range(count)]
        self._responses.update(zip(range(first, first + count), futures, strict=True))  # type: ignore[arg-type]
        self._backend.stdin.write(requests)
        await self._backend.stdin.drain()
        return list(await asyncio.gather(*futures))
