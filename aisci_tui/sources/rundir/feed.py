"""A run folder as a plain stream of events, for ``ProtocolServer(cfg, feed=...)`` (``serve --from-run``).

The server keeps the last ``history_size`` events for clients that connect
later (``include_history``). A run that goes on for days publishes more than
that, and the oldest events would fall out: an experiment last updated on the
first day would be missing for a laptop that connects on the third. So the
feed publishes the latest event of each agent, session, experiment and
assessment again before it would drop out of the history. The copy has the
same id, so clients that already have it drop it as a duplicate.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

from aisci_tui.protocol.kinds import BY_TYPE
from aisci_tui.protocol.models import Event
from aisci_tui.sources.base import Notice, Source
from aisci_tui.sources.rundir.source import RunSource

log = logging.getLogger("aisci_tui.rundir")


class Refresher:
    """Which published events are about to leave a history of ``history_size`` events."""

    def __init__(self, history_size: int) -> None:
        self.limit = int(history_size * 0.8)
        self.count = 0
        self.latest: dict[tuple[str, str], tuple[int, Event]] = {}
        self._next_check = self.limit

    def published(self, event: Event) -> None:
        self.count += 1
        kind = BY_TYPE.get(event.type)
        key = str(getattr(event.data, kind.key, None) if kind else event.id)
        self.latest[(event.type, key)] = (self.count, event)

    def due(self) -> list[Event]:
        """Events to publish again now (oldest first); checked every quarter of the limit.

        Nothing when the run has more items than the history can hold anyway.
        """
        if self.limit <= 0 or self.count < self._next_check or len(self.latest) > self.limit:
            return []
        self._next_check = self.count + max(1, self.limit // 4)
        old = [(seq, e) for seq, e in self.latest.values() if self.count - seq >= self.limit]
        return [e for _, e in sorted(old, key=lambda item: item[0])]


async def run_feed(
    run_dir: str | Path,
    *,
    poll_interval: float = 1.0,
    clock: Callable[[], float] = time.time,
    watch: bool = True,
    history_size: int = 0,
    on_notice: Callable[[Notice], None] | None = None,
    source: Source | None = None,
) -> AsyncIterator[Event]:
    """The events :class:`RunSource` finds, in order; its notices go to ``on_notice`` and the log.

    With ``history_size`` (the server's), events about to leave the history are published again.
    ``source``: another source of run events to publish instead (every run of a folder: ``FleetSource``).
    """
    source = source if source is not None else RunSource(run_dir, poll_interval, clock=clock, watch=watch)
    refresher = Refresher(history_size)
    try:
        async for item in source:
            if isinstance(item, Event):
                yield item
                refresher.published(item)
                for again in refresher.due():
                    yield again
                    refresher.published(again)
                continue
            level = logging.WARNING if item.severity in ("warning", "error") else logging.INFO
            log.log(level, "%s", item.text)
            if on_notice is not None:
                on_notice(item)
    finally:
        await source.aclose()
