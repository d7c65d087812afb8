"""A run folder as a plain stream of events, for ``ProtocolServer(cfg, feed=...)`` (``serve --from-run``)."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

from aisci_tui.protocol.models import Event
from aisci_tui.sources.base import Notice
from aisci_tui.sources.rundir.source import RunSource

log = logging.getLogger("aisci_tui.rundir")


async def run_feed(
    run_dir: str | Path,
    *,
    poll_interval: float = 1.0,
    clock: Callable[[], float] = time.time,
    watch: bool = True,
    on_notice: Callable[[Notice], None] | None = None,
) -> AsyncIterator[Event]:
    """The events :class:`RunSource` finds, in order; its notices go to ``on_notice`` and the log."""
    source = RunSource(run_dir, poll_interval, clock=clock, watch=watch)
    try:
        async for item in source:
            if isinstance(item, Event):
                yield item
                continue
            level = logging.WARNING if item.severity in ("warning", "error") else logging.INFO
            log.log(level, "%s", item.text)
            if on_notice is not None:
                on_notice(item)
    finally:
        await source.aclose()
