"""Where the client's items go: a bounded queue its iterator drains, or a sink.

:class:`Outlet` is the consumer-facing half of
:class:`~aisci_tui.client.client.Client`: de-duplication and the session
filter, the queue with its back-pressure, and :meth:`Outlet.deliver_to`, which
hands items to a callback from the socket reader instead. The client supplies
``_start`` (the lifecycle task), ``config``, ``stats`` and the current link.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from aisci_tui.protocol import Event
from aisci_tui.protocol.fast import RawEvent
from aisci_tui.sources.base import Notice, Sink
from aisci_tui.store.dedupe import SeenIds
from aisci_tui.store.sessionrule import SessionRule

if TYPE_CHECKING:
    from aisci_tui.client.config import ClientConfig
    from aisci_tui.client.link import Link
    from aisci_tui.client.records import ClientStats

log = logging.getLogger("aisci_tui.client")

#: Items buffered between the socket and the consumer.
QUEUE_SIZE = 10_000
_END = object()


class Outlet:
    """Hands what the client reads to its consumer, once each, in order."""

    config: ClientConfig
    stats: ClientStats
    _link: Link | None
    #: Yield the four entity events as :class:`RawEvent` (validated later, by the store).
    deferring: bool = False
    #: Every event id is checked against the last ``dedupe_size`` ids before it is passed on.
    dedupes_ids = True

    def init_outlet(self, dedupe_size: int) -> None:
        self._seen = SeenIds(dedupe_size)
        self._session_rule = SessionRule(self.config.session_id)
        #: Id of the newest event the server sent; resuming asks for history after it.
        self.last_event_id: str | None = None
        self._queue: asyncio.Queue[object] = asyncio.Queue(QUEUE_SIZE)
        self._done = False
        #: Where items go instead of the queue, once :meth:`deliver_to` was called.
        self.sink: Sink | None = None

    def _start(self) -> None:
        raise NotImplementedError

    # -- the Source protocol --------------------------------------------------

    def __aiter__(self) -> Outlet:
        return self

    async def __anext__(self) -> Event | Notice:
        if self._done:
            raise StopAsyncIteration
        self._start()
        try:
            item = self._queue.get_nowait()
        except asyncio.QueueEmpty:
            item = await self._queue.get()
        if item is _END:
            self._done = True
            raise StopAsyncIteration
        self._count(item)
        return item  # type: ignore[return-value]

    def defer_validation(self) -> None:
        """From now on, pass agent, progress, experiment and assessment events on as
        :class:`~aisci_tui.protocol.fast.RawEvent` (only their routing fields read), for a
        consumer that validates each before showing it (the dashboard's store does)."""
        self.deferring = True

    def deliver_to(self, sink: Sink) -> None:
        """Pass every item to ``sink`` from the client's own tasks instead of queueing it.

        Items queued before the call are passed on first, so the order is kept;
        the iterator then only reports the end. ``sink`` must neither raise nor
        block: it runs inside the socket reader, so the time it takes is time
        the socket is not read (which is the back-pressure the queue gave).
        """
        while True:
            try:
                item = self._queue.get_nowait()
            except asyncio.QueueEmpty:
                break
            if item is _END:
                self._queue.put_nowait(item)
                break
            self._count(item)
            sink(item)  # type: ignore[arg-type]
        self.sink = sink

    def _count(self, item: object) -> None:
        if type(item) is RawEvent or isinstance(item, Event):
            self.stats.events += 1

    # -- output ---------------------------------------------------------------

    async def put(self, item: object) -> None:
        if self.sink is not None:
            self._count(item)
            self.sink(item)  # type: ignore[arg-type]
            return
        try:
            self._queue.put_nowait(item)  # the usual case: no need to wait
            return
        except asyncio.QueueFull:
            pass
        link = self._link
        if link is not None:
            link.blocked = True
        try:
            await self._queue.put(item)
        finally:
            if link is not None:
                link.blocked = False

    async def notice(self, kind: str, text: str, *, severity: str = "info", **fields: object) -> None:
        level = {"warning": logging.WARNING, "error": logging.ERROR}.get(severity, logging.INFO)
        log.log(level, "%s", text)
        await self.put(Notice(kind=kind, text=text, severity=severity, **fields))  # type: ignore[arg-type]

    async def invalid(self, reason: str) -> None:
        self.stats.invalid += 1
        await self.notice("invalid", f"Ignored an invalid frame: {reason}", severity="warning")

    def _accept(self, event: Event | RawEvent) -> bool:
        """False for a repeated id or another session's event (each counted)."""
        if not self._seen.add(event.id):
            self.stats.duplicates += 1
            return False
        self.last_event_id = event.id
        if self._session_rule.hides(event):
            self.stats.filtered += 1
            return False
        return True

    async def emit_event(self, event: Event | RawEvent) -> None:
        if not self._accept(event):
            return
        if self.sink is not None:
            self.stats.events += 1
            self.sink(event)
            return
        try:
            self._queue.put_nowait(event)  # the usual case, without another coroutine
        except asyncio.QueueFull:
            await self.put(event)

    def _put_nowait(self, item: object) -> None:
        if self.sink is not None and item is not _END:
            self._count(item)
            self.sink(item)  # type: ignore[arg-type]
            return
        while True:
            try:
                self._queue.put_nowait(item)
                return
            except asyncio.QueueFull:
                self._queue.get_nowait()  # the consumer is gone or far behind: drop the oldest

    def _end_queue(self) -> None:
        if not self._done:
            self._put_nowait(_END)

