"""What every source of events gives the store and the dashboard.

A *source* is an async iterator that yields validated :class:`Event` envelopes
and :class:`Notice` items (connection-state changes, protocol errors, invalid
frames). The WebSocket client, a JSONL recording and the run-directory bridge
are all sources; the store and the dashboard do not care which one they have.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any, Protocol, runtime_checkable

from aisci_tui.protocol.fast import RawEvent
from aisci_tui.protocol.models import Event, Filters


class ConnectionState(IntEnum):
    """The guide's connection states, with its numbering."""

    CONNECTING = 0
    OPEN = 1
    CLOSING = 2
    CLOSED = 3
    RECONNECTING = 4
    ERROR = 5


@dataclass(slots=True)
class Notice:
    """Something a person should know that is not an event.

    kind:
      ``state``   connection state changed (``state`` is set; ``attempt`` and
                  ``retry_in`` while reconnecting)
      ``error``   the server sent an ``error`` message or auth failed (``code`` set)
      ``invalid`` a frame could not be decoded (``text`` says why)
      ``unknown`` a well-formed message of a type this version does not know
                  (``details["type"]`` is its raw word)
      ``info``    anything else worth a line in the log
    """

    kind: str
    text: str = ""
    code: str | None = None
    severity: str = "info"
    state: ConnectionState | None = None
    attempt: int = 0
    retry_in: float | None = None
    fatal: bool = False
    details: dict[str, Any] = field(default_factory=dict)


SourceItem = Event | Notice


@runtime_checkable
class Source(Protocol):
    @property
    def label(self) -> str:
        """Where the data comes from, for the header (a URL, a path, a file name)."""

    def __aiter__(self) -> AsyncIterator[SourceItem]: ...

    async def aclose(self) -> None: ...


#: Takes one item; must neither raise nor block (the dashboard's ``Pump.feed`` qualifies). An entity
#: event may come as a :class:`~aisci_tui.protocol.fast.RawEvent`, validated when first read.
Sink = Callable[[SourceItem | RawEvent], None]


@runtime_checkable
class DeliveringSource(Source, Protocol):
    """A source that can hand each item to a callback from its own task.

    After ``deliver_to(sink)`` every item the iterator would have yielded is
    passed to ``sink`` instead, in the same order, as soon as it is read; the
    iterator then yields nothing more and only ends when the source ends. A
    consumer that applies items at once (the dashboard's store) saves a queue
    hand-off per item, and a slow sink slows the reading of the source rather
    than growing a buffer.

    ``dedupes_ids`` is True when the source already drops every repeated event
    id (within the same window as the store), so the store need not check again.
    """

    dedupes_ids: bool

    def deliver_to(self, sink: Sink) -> None: ...


@runtime_checkable
class FilterableSource(Source, Protocol):
    """A source that can narrow what it sends (the WebSocket client re-subscribes)."""

    async def set_filters(self, events: list[str] | None, filters: Filters | None) -> None: ...


@runtime_checkable
class ReconnectableSource(Source, Protocol):
    async def reconnect_now(self) -> None: ...


class PassThrough:
    """Base of a source that wraps another (recording it, filtering it).

    Subclasses define ``_run``, the async generator of what they pass on. The
    wrapped source's controls (pause, seek, reconnect_now, set_filters, ...)
    stay reachable through attribute access. Deferred validation and delivery
    to a sink are looked up on the class by the dashboard's ``Pump``, so they
    are never forwarded: a wrapper receives validated items through its own
    iteration unless it says otherwise.
    """

    #: Attribute names that are the wrapper's own and never forwarded.
    OWN: tuple[str, ...] = ("source",)

    def __init__(self, source: Source) -> None:
        self.source = source

    @property
    def label(self) -> str:
        return self.source.label

    def __aiter__(self) -> AsyncIterator[SourceItem]:
        return self._run()

    def _run(self) -> AsyncIterator[SourceItem]:
        raise NotImplementedError

    async def aclose(self) -> None:
        await self.source.aclose()

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or name in self.OWN:
            raise AttributeError(name)
        return getattr(self.source, name)
