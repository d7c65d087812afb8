"""Where the client's items go: always to one callback, a bounded queue's unless told otherwise.

:class:`Outlet` is the part of :class:`~aisci_tui.client.client.Client` that
hands what it reads to its consumer, once each, in order: de-duplication and
the session rule (:meth:`Outlet.accept`), then :meth:`Outlet.deliver` to the
sink. The sink is a :class:`QueueSink`, which the client's async iterator
drains, until :meth:`Outlet.deliver_to` replaces it by the consumer's own
callback. The socket reader waits (:meth:`Outlet.room`) while the queue is
full, so a slow consumer slows the reading rather than growing memory.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING

from aisci_tui.protocol import Event
from aisci_tui.protocol.fast import RawEvent, route
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


def _is_event(item: object) -> bool:
    return type(item) is RawEvent or isinstance(item, Event)


class QueueSink:
    """A sink that keeps items for the async iterator; ``full`` once ``QUEUE_SIZE`` wait."""

    def __init__(self) -> None:
        self.limit = QUEUE_SIZE
        self._items: deque[object] = deque()
        self._arrived = asyncio.Event()
        self._room = asyncio.Event()
        self._room.set()
        self.full = False

    def __call__(self, item: object) -> None:
        self._items.append(item)
        self._arrived.set()
        if len(self._items) >= self.limit:
            self.full = True
            self._room.clear()

    async def get(self) -> object:
        items = self._items
        while not items:
            self._arrived.clear()
            await self._arrived.wait()
        item = items.popleft()
        if self.full and len(items) < self.limit:
            self.full = False
            self._room.set()
        return item

    def take_all(self) -> list[object]:
        """Everything waiting, oldest first (the queue is then empty)."""
        items = list(self._items)
        self._items.clear()
        self.full = False
        self._room.set()
        return items

    async def room(self) -> None:
        await self._room.wait()


class Outlet:
    """Hands what the client reads to its consumer, once each, in order."""

    #: Every event id is checked against the last ``dedupe_size`` ids before it is passed on.
    dedupes_ids = True

    def __init__(self, config: ClientConfig, stats: ClientStats, start: Callable[[], None]) -> None:
        self.config = config
        self.stats = stats
        self._start = start
        self._seen = SeenIds(config.dedupe_size)
        self._session_rule = SessionRule(config.session_id)
        #: Id of the newest event the server sent; resuming asks for history after it.
        self.last_event_id: str | None = None
        self.queue = QueueSink()
        #: Where every item goes: the queue, or the consumer's callback after :meth:`deliver_to`.
        self.sink: Sink = self.queue
        #: Pass the four entity events on as :class:`RawEvent` (validated later, by the store).
        self.deferring = False
        #: What reads a frame's routing fields when deferring (:func:`~aisci_tui.protocol.fast.route`,
        #: or :func:`~aisci_tui.protocol.strict.route_checked`, which also runs the strict check).
        self.router: Callable[[str | bytes], RawEvent | None] = route
        #: Keep text frames as the bytes that came (a routed event's ``text`` is then bytes); read
        #: on connecting (see :mod:`aisci_tui.client.reader`).
        self.raw_text = False
        self._done = False
        self._ended = False

    # -- the consumer's side ----------------------------------------------------

    async def next(self) -> Event | Notice:
        """The next item for the async iterator; StopAsyncIteration once the client ended."""
        if self._done:
            raise StopAsyncIteration
        self._start()
        item = await self.queue.get()
        if item is _END:
            self._done = True
            raise StopAsyncIteration
        if _is_event(item):
            self.stats.events += 1
        return item  # type: ignore[return-value]

    def deliver_to(self, sink: Sink) -> None:
        """Pass every item to ``sink`` from the client's own tasks instead of queueing it.

        Items queued before the call are passed on first, so the order is kept;
        the iterator then only reports the end. ``sink`` must neither raise nor
        block: it runs inside the socket reader, so the time it takes is time
        the socket is not read (which is the back-pressure the queue gave).
        """
        waiting = self.queue.take_all()
        self.sink = sink
        for item in waiting:
            self.deliver(item)  # type: ignore[arg-type]

    # -- the client's side ------------------------------------------------------

    def deliver(self, item: Event | RawEvent | Notice) -> None:
        """Pass ``item`` on (the end marker stays in the queue, for the iterator)."""
        sink = self.sink
        if sink is self.queue or item is _END:
            self.queue(item)
            return
        if type(item) is RawEvent or isinstance(item, Event):
            self.stats.events += 1
        sink(item)

    def accept(self, event: Event | RawEvent) -> bool:
        """False for a repeated id or another session's event (each counted)."""
        if not self._seen.add(event.id):
            self.stats.duplicates += 1
            return False
        self.last_event_id = event.id
        if self._session_rule.hides(event):
            self.stats.filtered += 1
            return False
        return True

    def event(self, event: Event | RawEvent) -> None:
        if self.accept(event):
            self.deliver(event)

    def notice(self, kind: str, text: str, *, severity: str = "info", **fields: object) -> None:
        level = {"warning": logging.WARNING, "error": logging.ERROR}.get(severity, logging.INFO)
        log.log(level, "%s", text)
        self.deliver(Notice(kind=kind, text=text, severity=severity, **fields))  # type: ignore[arg-type]

    def invalid(self, reason: str) -> None:
        self.stats.invalid += 1
        self.notice("invalid", f"Ignored an invalid frame: {reason}", severity="warning")

    async def room(self, link: Link | None) -> None:
        """Wait while the queue is full (the consumer is behind); the link says it is not reading."""
        if not self.queue.full:
            return
        if link is not None:
            link.blocked = True
        try:
            await self.queue.room()
        finally:
            if link is not None:
                link.blocked = False

    def end(self) -> None:
        if not self._ended:
            self._ended = True
            self.deliver(_END)  # type: ignore[arg-type]
