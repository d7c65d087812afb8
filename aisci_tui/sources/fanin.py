"""Several servers as one source: one :class:`~aisci_tui.client.Client` per endpoint, fanned in.

Each endpoint keeps its own connection, credentials, de-duplication and state;
:class:`FanIn` only merges what they yield, so the store and every view take
it like any other source. On the way in each event is tagged with its
endpoint's label:

- ``meta.endpoint`` always names it (``events`` prints that);
- with ``prefix_ids`` (the dashboard), every id that names a thing (a session,
  an agent, an experiment, an assessed resource, and the agent of an activity
  or of an execution) becomes ``LABEL/ID``, so two servers' ``ses-1`` are two
  sessions, each row says where it comes from, and the one session rule
  (:mod:`aisci_tui.store.sessionrule`) applies to tagged ids as to any others.

Connection states are summed up: the fan-in reports one state (open while any
endpoint is open) with ``details["endpoints"]``, each endpoint's label, state,
attempt and retry delay, for the status line. A down endpoint never stops the
others; a fatal error of one (bad credentials, say) is reported as an error
naming it, and only ends the whole when every endpoint has ended.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from aisci_tui import exitcodes
from aisci_tui.protocol.codec import encode, from_obj
from aisci_tui.protocol.errors import ProtocolError
from aisci_tui.protocol.fast import RawEvent
from aisci_tui.protocol.models import Event, Filters
from aisci_tui.sources.base import ConnectionState, Notice, Sink, SourceItem

#: The field of an envelope's ``meta`` that names the endpoint an event came from.
META_FIELD = "endpoint"
#: Between an endpoint's label and an id of that endpoint: ``lab-a/ses-1``.
SEPARATOR = "/"
#: Fields of ``data`` naming a thing; prefixed with the endpoint when ids are tagged.
ID_FIELDS = ("session_id", "agent_id", "experiment_id", "resource_id")
#: Nested objects of ``data`` whose ``agent_id`` is tagged too (a list of them, or one).
NESTED_AGENTS = ("activities", "execution")
_QUEUE_SIZE = 10_000
_END = object()
#: A summed-up state: the first of these any endpoint is in (all in ERROR: ERROR).
_PRECEDENCE = (
    ConnectionState.OPEN,
    ConnectionState.RECONNECTING,
    ConnectionState.CONNECTING,
    ConnectionState.CLOSING,
    ConnectionState.CLOSED,
)


def tagged(label: str, value: str) -> str:
    return f"{label}{SEPARATOR}{value}"


def local_id(label: str, value: str | None) -> str | None:
    """An id as the endpoint ``label`` knows it: untagged if it is tagged with ``label``, else as given
    (an id tagged with another endpoint's label then names nothing on this one)."""
    head = label + SEPARATOR
    if value is not None and value.startswith(head):
        return value[len(head) :]
    return value


def local_filters(label: str, filters: Filters | None) -> Filters | None:
    """``filters`` with the ids this endpoint's own (session, agents) untagged."""
    if filters is None:
        return None
    update: dict[str, Any] = {}
    if filters.session_id is not None:
        update["session_id"] = local_id(label, filters.session_id)
    if filters.agent_ids:
        update["agent_ids"] = [local_id(label, a) for a in filters.agent_ids]
    return filters.model_copy(update=update) if update else filters


def tag_object(obj: dict[str, Any], label: str, *, ids: bool) -> None:
    """Tag a decoded envelope in place: ``meta.endpoint``, and with ``ids`` every naming id."""
    meta = obj.get("meta")
    if meta is None:
        meta = obj["meta"] = {}
    if isinstance(meta, dict):
        meta[META_FIELD] = label
    data = obj.get("data")
    if not ids or not isinstance(data, dict):
        return
    _prefix(data, label, ID_FIELDS)
    for name in NESTED_AGENTS:
        nested = data.get(name)
        for item in nested if isinstance(nested, list) else [nested]:
            if isinstance(item, dict):
                _prefix(item, label, ("agent_id",))


def _prefix(obj: dict[str, Any], label: str, names: Sequence[str]) -> None:
    for name in names:
        value = obj.get(name)
        if isinstance(value, str):
            obj[name] = tagged(label, value)


def tag_raw(raw: RawEvent, label: str, *, ids: bool) -> RawEvent:
    """A routed event tagged with its endpoint (its text rewritten, still unvalidated)."""
    obj = orjson.loads(raw.text)  # the router checked the syntax of the whole frame
    tag_object(obj, label, ids=ids)
    key, session = raw.key, raw.session_id
    if ids:
        key = tagged(label, key)
        session = tagged(label, session) if session is not None else None
    return RawEvent(raw.type, raw.id, raw.timestamp, key, session, orjson.dumps(obj).decode())


def tag_event(event: Event, label: str, *, ids: bool) -> Event:
    """A validated event tagged with its endpoint (validated again, as the same models read it)."""
    obj = orjson.loads(encode(event))
    tag_object(obj, label, ids=ids)
    msg = from_obj(obj)
    return msg if isinstance(msg, Event) else event


@dataclass(slots=True)
class Endpoint:
    """One server of a fan-in: its label (a profile name, or host:port) and its client."""

    label: str
    client: Any
    state: ConnectionState = ConnectionState.CLOSED
    attempt: int = 0
    retry_in: float | None = None
    fatal: Notice | None = None
    ended: bool = False
    told: str | None = None  # the reason for the drop last put in the log (until it opens again)


class FanIn:
    """Several clients as one source (see the module's docstring)."""

    dedupes_ids = True  # each client drops its own repeats; two endpoints' events are never the same event

    def __init__(self, endpoints: Sequence[tuple[str, Any]], *, prefix_ids: bool = True) -> None:
        if len({label for label, _ in endpoints}) != len(endpoints):
            raise ValueError("endpoint labels must be unique")
        self.endpoints = [Endpoint(label, client) for label, client in endpoints]
        self.prefix_ids = prefix_ids
        self.label = ", ".join(e.label for e in self.endpoints)
        self.fatal: Notice | None = None
        self.exit_code = exitcodes.OK
        self._defer = False
        self._sink: Sink | None = None
        #: What the iterator yields when no sink was given; _drain keeps it under _QUEUE_SIZE.
        self._queue: asyncio.Queue[object] = asyncio.Queue()
        self._tasks: list[asyncio.Task[None]] = []
        self._closing = False

    def __repr__(self) -> str:
        return f"FanIn({self.label!r})"

    # -- the Source protocol, with deferred validation and delivery -------------

    def defer_validation(self) -> None:
        self._defer = True

    def deliver_to(self, sink: Sink) -> None:
        self._sink = sink

    async def __aiter__(self) -> AsyncIterator[SourceItem]:
        for endpoint in self.endpoints:
            endpoint.client.defer_validation()  # tagging rewrites the frame; validation comes after
            if self._sink is not None:
                endpoint.client.deliver_to(self._take(endpoint))
            self._tasks.append(asyncio.create_task(self._drain(endpoint), name=f"aisci-fanin {endpoint.label}"))
        try:
            while True:
                item = await self._queue.get()
                if item is _END:
                    return
                yield item  # type: ignore[misc]
        finally:
            await self._stop_tasks()

    async def _drain(self, endpoint: Endpoint) -> None:
        """Iterate one client: with a sink it only reports its end; without, it yields what to queue."""
        take, queue = self._take(endpoint), self._queue
        try:
            async for item in endpoint.client:
                take(item)
                while queue.qsize() >= _QUEUE_SIZE:  # the consumer is behind: stop reading this client
                    await asyncio.sleep(0.01)
        finally:
            endpoint.ended = True
            if all(e.ended for e in self.endpoints):
                self._ending()

    def _ending(self) -> None:
        fatal = [e.fatal for e in self.endpoints if e.fatal is not None]
        if fatal and len(fatal) == len(self.endpoints) and not self._closing:
            first = fatal[0]
            self.exit_code = int(first.details.get("exit_code", exitcodes.ERROR))
            self.fatal = Notice(
                kind="state",
                state=ConnectionState.ERROR,
                severity="error",
                fatal=True,
                text="Every server failed: "
                + "; ".join(f"{e.label}: {e.fatal.text}" for e in self.endpoints if e.fatal),
                details={"exit_code": self.exit_code},
            )
            self._emit(self.fatal)
        self._put(_END)

    def _take(self, endpoint: Endpoint) -> Sink:
        label, ids = endpoint.label, self.prefix_ids

        def take(item: object) -> None:
            if type(item) is RawEvent:
                out: object = tag_raw(item, label, ids=ids)
                if not self._defer:
                    try:
                        out = out.validate()  # type: ignore[attr-defined]
                    except ProtocolError as exc:
                        out = Notice(
                            "invalid", text=f"{label}: Ignored an invalid frame: {exc.reason}", severity="warning"
                        )
            elif isinstance(item, Event):
                out = tag_event(item, label, ids=ids)
            elif isinstance(item, Notice):
                self._notice(endpoint, item)
                return
            else:
                out = item
            self._emit(out)

        return take

    def _notice(self, endpoint: Endpoint, notice: Notice) -> None:
        label = endpoint.label
        if notice.kind == "state" and notice.state is not None:
            endpoint.state, endpoint.attempt, endpoint.retry_in = notice.state, notice.attempt, notice.retry_in
            if notice.state is ConnectionState.OPEN:
                endpoint.told = None
            if notice.fatal:
                endpoint.fatal = notice
                self._emit(
                    Notice(
                        "error",
                        text=f"{label}: {notice.text}",
                        code=notice.code,
                        severity="error",
                        details={META_FIELD: label},
                    )
                )
            elif notice.text and notice.state is ConnectionState.RECONNECTING and notice.text != endpoint.told:
                # why this server is not live, once (not again at each retry for the same reason: a
                # server down overnight would fill the log); the status line counts the attempts
                endpoint.told = notice.text
                self._emit(Notice("info", text=f"{label}: {notice.text}", severity="info", details={META_FIELD: label}))
            self._emit(self.summary())
            return
        text = f"{label}: {notice.text}" if notice.text else label
        self._emit(
            Notice(
                notice.kind,
                text=text,
                code=notice.code,
                severity=notice.severity,
                details={**notice.details, META_FIELD: label},
            )
        )

    def summary(self) -> Notice:
        """The summed-up connection state, each endpoint's in ``details["endpoints"]``."""
        states = [e.state for e in self.endpoints]
        state = next((s for s in _PRECEDENCE if s in states), ConnectionState.ERROR)
        down = next((e for e in self.endpoints if e.state is not ConnectionState.OPEN), None)
        opened = states.count(ConnectionState.OPEN)
        return Notice(
            kind="state",
            state=state,
            text=f"{opened}/{len(states)} open",
            attempt=down.attempt if down else 0,
            retry_in=down.retry_in if down else None,
            severity="info" if down is None else "warning",
            details={"endpoints": [(e.label, e.state, e.attempt, e.retry_in) for e in self.endpoints]},
        )

    def _emit(self, item: object) -> None:
        if self._sink is not None:
            self._sink(item)  # type: ignore[arg-type]
        else:
            self._put(item)

    def _put(self, item: object) -> None:
        self._queue.put_nowait(item)  # unbounded: _drain waits for room instead of dropping

    # -- controls ----------------------------------------------------------------

    @property
    def stats(self) -> Any:
        """The clients' counters, summed."""
        from aisci_tui.client.records import ClientStats

        total = ClientStats()
        for endpoint in self.endpoints:
            stats = endpoint.client.stats
            for name in total.__slots__:
                setattr(total, name, getattr(total, name) + getattr(stats, name))
        return total

    async def set_filters(self, events: list[str] | None, filters: Filters | None) -> None:
        await asyncio.gather(
            *(e.client.set_filters(events, local_filters(e.label, filters)) for e in self.endpoints if not e.ended),
            return_exceptions=True,
        )

    async def subscribe(self, events: list[str], filters: Filters | None = None) -> None:
        await asyncio.gather(
            *(e.client.subscribe(events, local_filters(e.label, filters)) for e in self.endpoints if not e.ended),
            return_exceptions=True,
        )

    async def reconnect_now(self) -> None:
        """Reconnect the endpoints that are down now, or every one when none is."""
        down = [e for e in self.endpoints if e.state is not ConnectionState.OPEN and not e.ended]
        for endpoint in down or self.endpoints:
            await endpoint.client.reconnect_now()

    async def aclose(self) -> None:
        if self._closing:
            return
        self._closing = True
        await asyncio.gather(*(e.client.aclose() for e in self.endpoints), return_exceptions=True)
        await self._stop_tasks()
        self._put(_END)

    async def _stop_tasks(self) -> None:
        tasks, self._tasks = self._tasks, []
        for task in tasks:
            if not task.done():
                task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
