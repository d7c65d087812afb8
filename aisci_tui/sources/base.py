"""What every source of events gives the store and the dashboard.

A *source* is an async iterator that yields validated :class:`Event` envelopes
and :class:`Notice` items (connection-state changes, protocol errors, invalid
frames). The WebSocket client, a JSONL recording and the run-directory bridge
are all sources; the store and the dashboard do not care which one they have.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from enum import IntEnum, StrEnum
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


class Ability(StrEnum):
    """What a source can do besides being iterated and closed, each with the methods it brings.

    A source says which it has in its ``abilities`` (a frozenset); the dashboard and
    the commands ask :func:`abilities_of` and never probe for methods.
    """

    #: ``pause()``, ``resume()``, ``toggle_pause()``, ``paused``, ``speed``, ``set_speed(speed)`` (a replay)
    PAUSE = "pause"
    #: ``seek(seconds)``, ``seek_start()``, ``seek_end()`` (a replay)
    SEEK = "seek"
    #: ``set_filters(events, filters)`` and ``subscribe(events, filters)``: the server filters
    NARROWING = "narrowing"
    #: ``defer_validation()``, ``deliver_to(sink)`` and ``dedupes_ids`` (see :class:`DeliveringSource`)
    DELIVERY = "delivery"
    #: ``reconnect_now()``
    RECONNECT = "reconnect"
    #: ``defer_validation(strict=True)``: each deferred event also says whether the strict check
    #: passed it (``RawEvent.conforms``), from the same parse that routed it
    STRICT = "strict"


NO_ABILITIES: frozenset[Ability] = frozenset()


def abilities_of(source: object) -> frozenset[Ability]:
    """The abilities ``source`` declares (none, for a source that declares nothing)."""
    return getattr(source, "abilities", NO_ABILITIES)


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

    async def subscribe(self, events: list[str], filters: Filters | None = None) -> object: ...


@runtime_checkable
class ReconnectableSource(Source, Protocol):
    async def reconnect_now(self) -> None: ...


class PassThrough:
    """Base of a source that wraps another (recording it, filtering it).

    Subclasses define ``_run``, the async generator of what they pass on. The
    wrapped source's controls (pause, seek, narrowing, reconnecting) stay usable
    through the wrapper: it declares the wrapped source's abilities and forwards
    their methods. Delivery (deferred validation, a sink) is never forwarded: a
    wrapper receives validated items through its own iteration.
    """

    def __init__(self, source: Source) -> None:
        self.source = source

    @property
    def label(self) -> str:
        return self.source.label

    @property
    def abilities(self) -> frozenset[Ability]:
        return abilities_of(self.source) - {Ability.DELIVERY}

    @property
    def stats(self) -> Any:
        """The wrapped source's counts, for the summary ``events`` prints (None if it keeps none)."""
        return getattr(self.source, "stats", None)

    def __aiter__(self) -> AsyncIterator[SourceItem]:
        return self._run()

    def _run(self) -> AsyncIterator[SourceItem]:
        raise NotImplementedError

    async def aclose(self) -> None:
        await self.source.aclose()

    # -- the wrapped source's controls, for the abilities it declares ----------------

    def pause(self) -> None:
        self.source.pause()  # type: ignore[attr-defined]

    def resume(self) -> None:
        self.source.resume()  # type: ignore[attr-defined]

    def toggle_pause(self) -> None:
        self.source.toggle_pause()  # type: ignore[attr-defined]

    @property
    def paused(self) -> bool:
        return self.source.paused  # type: ignore[attr-defined]

    @property
    def speed(self) -> float:
        return self.source.speed  # type: ignore[attr-defined]

    def set_speed(self, speed: float) -> None:
        self.source.set_speed(speed)  # type: ignore[attr-defined]

    def seek(self, seconds: float) -> None:
        self.source.seek(seconds)  # type: ignore[attr-defined]

    def seek_start(self) -> None:
        self.source.seek_start()  # type: ignore[attr-defined]

    def seek_end(self) -> None:
        self.source.seek_end()  # type: ignore[attr-defined]

    async def set_filters(self, events: list[str] | None, filters: Filters | None) -> None:
        await self.source.set_filters(events, filters)  # type: ignore[attr-defined]

    async def subscribe(self, events: list[str], filters: Filters | None = None) -> Any:
        return await self.source.subscribe(events, filters)  # type: ignore[attr-defined]

    async def reconnect_now(self) -> None:
        await self.source.reconnect_now()  # type: ignore[attr-defined]
