"""Several endpoints as one source: each its own connection, credentials and state.

:class:`MultiSource` runs one source per endpoint (a :class:`~aisci_tui.client.Client`
each) and passes on what they yield in arrival order. Every event is passed on
once, even when two servers send the same id, with the endpoint it came from in
``meta.endpoint`` (the first endpoint to send it). Notices name their endpoint;
a fatal one ends only that endpoint, and the whole source ends when every
endpoint has.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from dataclasses import replace
from typing import Any

from aisci_tui.protocol.models import Event, Meta
from aisci_tui.sources.base import Ability, Notice, Source, SourceItem, abilities_of
from aisci_tui.store.dedupe import SeenIds

_DONE = object()


def with_endpoint(event: Event, endpoint: str) -> Event:
    """``event`` with ``meta.endpoint`` set to the endpoint it came from."""
    meta = event.meta.model_copy(update={"endpoint": endpoint}) if event.meta is not None else Meta(endpoint=endpoint)
    return event.model_copy(update={"meta": meta})


class _Totals:
    """The endpoints' counters added up, for the summary ``events`` prints."""

    def __init__(self, sources: Sequence[Source], duplicates: list[int]) -> None:
        self._sources = sources
        self._duplicates = duplicates

    def summary(self) -> dict[str, int]:
        total = {"received": 0, "events": 0, "invalid": 0, "duplicates": self._duplicates[0], "reconnects": 0}
        for source in self._sources:
            stats = getattr(source, "stats", None)
            if stats is not None:
                for key, value in stats.summary().items():
                    total[key] += value
        total["events"] -= self._duplicates[0]  # repeats across endpoints were not passed on
        return total


class MultiSource:
    """One source over several endpoints."""

    abilities = frozenset({Ability.RECONNECT})

    def __init__(self, sources: Sequence[Source], dedupe_size: int = 100_000) -> None:
        self.sources = list(sources)
        self.label = " + ".join(s.label for s in self.sources)
        self._seen = SeenIds(dedupe_size)
        self._duplicates = [0]
        self.stats = _Totals(self.sources, self._duplicates)
        self._tasks: list[asyncio.Task[None]] = []

    async def __aiter__(self) -> AsyncIterator[SourceItem]:
        queue: asyncio.Queue[Any] = asyncio.Queue(10_000)

        async def pump(source: Source) -> None:
            try:
                async for item in source:
                    await queue.put((source, item))
            finally:
                await queue.put((source, _DONE))

        self._tasks = [asyncio.create_task(pump(s), name=f"aisci-multi {s.label}") for s in self.sources]
        running = len(self._tasks)
        while running:
            source, item = await queue.get()
            if item is _DONE:
                running -= 1
                continue
            if isinstance(item, Event):
                if not self._seen.add(item.id):
                    self._duplicates[0] += 1
                    continue
                yield with_endpoint(item, source.label)
            elif isinstance(item, Notice):
                text = f"{source.label}: {item.text}" if item.text else item.text
                details = {**item.details, "endpoint": source.label}
                if item.fatal and running > 1:  # the others go on
                    yield replace(item, text=text, details=details, fatal=False, severity="error")
                else:
                    yield replace(item, text=text, details=details)
            else:
                yield item

    async def reconnect_now(self) -> None:
        for source in self.sources:
            if Ability.RECONNECT in abilities_of(source):
                await source.reconnect_now()  # type: ignore[attr-defined]

    async def aclose(self) -> None:
        await asyncio.gather(*(s.aclose() for s in self.sources), return_exceptions=True)
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
