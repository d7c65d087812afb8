"""The WebSocket client: one connection at a time, reconnected until told to stop.

:class:`Client` is a :class:`~aisci_tui.sources.base.Source`: iterate it to get
validated, de-duplicated events and :class:`Notice` items. A background task
owns the connection lifecycle (connect, authenticate, subscribe, keep alive,
back off and reconnect); the iterator only drains its queue, so a slow
consumer slows the reading of the socket rather than growing memory. A
consumer that applies items at once can take them without the queue
(:meth:`~aisci_tui.client.outlet.Outlet.deliver_to`).
"""

from __future__ import annotations

import asyncio
import logging
import ssl
import time
from collections.abc import Awaitable, Callable

from websockets.asyncio.client import ClientConnection, connect

from aisci_tui import exitcodes
from aisci_tui.client.backoff import Backoff, UniformRandom
from aisci_tui.client.config import ClientConfig, Subscription, redact_url, tls_context
from aisci_tui.client.errors import ClientClosed, Closing, Fatal, LinkDrop, LinkLost, SubscriptionError
from aisci_tui.client.failures import classify
from aisci_tui.client.link import Link
from aisci_tui.client.outlet import Outlet
from aisci_tui.client.protocol import ProtocolHandler
from aisci_tui.client.reader import TextTagging, read
from aisci_tui.client.records import ClientStats, SubscriptionRecord
from aisci_tui.protocol import EVENT_TYPES
from aisci_tui.protocol.models import Event, Filters, SubscribeOptions
from aisci_tui.ratelimit import TokenBucket
from aisci_tui.sources.base import Ability, ConnectionState, Notice, Sink

log = logging.getLogger("aisci_tui.client")


class Client:
    """A reconnecting client of the AI-Scientist-v2 WebSocket protocol.

    It owns two parts and calls them: :attr:`protocol` (what each message means,
    the requests it sends) and :attr:`outlet` (where events and notices go).
    """

    abilities = frozenset({Ability.NARROWING, Ability.DELIVERY, Ability.RECONNECT, Ability.STRICT})
    #: The outlet drops every repeated event id (see :class:`~aisci_tui.sources.base.DeliveringSource`).
    dedupes_ids = True

    def __init__(
        self,
        config: ClientConfig,
        *,
        clock: Callable[[], float] = time.monotonic,
        rng: UniformRandom | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ):
        if config.credentials is None:
            raise ValueError("ClientConfig.credentials is required")
        self.config = config
        self.label = redact_url(config.url)
        self.state = ConnectionState.CLOSED
        self.stats = ClientStats()
        #: The notice that ended the client, if something did.
        self.fatal: Notice | None = None
        self.exit_code = exitcodes.OK
        self.records = [SubscriptionRecord(s) for s in config.subscriptions]
        self.bucket = TokenBucket(config.send_rate, config.send_burst, clock)
        self._sleep = sleep
        self._backoff = Backoff(config.backoff_base, config.backoff_cap, rng)
        self.outlet = Outlet(config, self.stats, self._start)
        self.protocol = ProtocolHandler(config, self.stats, self.bucket, self.outlet, self.label)
        self._runner: asyncio.Task[None] | None = None
        self._link: Link | None = None
        self._ready = asyncio.Event()
        self._wake = asyncio.Event()
        self._opened_once = False
        #: The last connection ended on a frame over ``max_frame`` (the reader says so): the next
        #: one asks for no history, or the server would send that frame again and again.
        self.skip_history = False
        self._closing = False

    def __repr__(self) -> str:
        return f"Client({self.label!r}, state={self.state.name})"

    # -- the Source protocol --------------------------------------------------

    async def __aenter__(self) -> Client:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    def __aiter__(self) -> Client:
        return self

    async def __anext__(self) -> Event | Notice:
        return await self.outlet.next()

    def defer_validation(self, *, strict: bool = False) -> None:
        """From now on, pass agent, progress, experiment and assessment events on as
        :class:`~aisci_tui.protocol.fast.RawEvent` (only their routing fields read), for a
        consumer that validates each before showing it (the dashboard's store does).

        ``strict``: the same parse also runs the strict check, and each ``RawEvent`` says in
        ``conforms`` whether it passed (``aisci-tui events`` then prints its text as it came);
        from the next connection on, text frames are kept as the bytes that came, so a
        ``RawEvent``'s ``text`` is bytes (see :mod:`aisci_tui.client.reader`).
        """
        self.outlet.deferring = True
        if strict:
            from aisci_tui.protocol.strict import route_checked

            self.outlet.router = route_checked
            self.outlet.raw_text = True

    def deliver_to(self, sink: Sink) -> None:
        """Pass every item to ``sink`` instead of queueing it (see :meth:`Outlet.deliver_to`)."""
        self.outlet.deliver_to(sink)

    @property
    def sink(self) -> Sink:
        return self.outlet.sink

    @property
    def deferring(self) -> bool:
        return self.outlet.deferring

    @property
    def last_event_id(self) -> str | None:
        return self.outlet.last_event_id

    # -- public API -------------------------------------------------------------

    async def subscribe(
        self,
        events: list[str],
        filters: Filters | None = None,
        options: SubscribeOptions | None = None,
        require_ack: bool = False,
    ) -> str:
        """Subscribe (now, and again after every reconnect); returns the subscription id.

        Raises :class:`SubscriptionError` if the server refuses, :class:`AckTimeout`
        if no answer or ack comes within ``ack_timeout``, :class:`ClientClosed`
        if the client stops first.
        """
        record = SubscriptionRecord(Subscription(list(events), filters, options, require_ack))
        while True:
            link = await self._wait_ready()
            try:
                await self.protocol.subscribe_on(link, record, resume=False)
            except LinkLost:
                continue
            if link.ended or link is not self._link:
                continue  # the next connection did not see this record yet: subscribe there
            self.records.append(record)
            assert record.public_id is not None
            return record.public_id

    async def unsubscribe(self, subscription_id: str, events: list[str] | None = None) -> None:
        """Stop a subscription, or only some of its event types."""
        for record in self.records:
            if subscription_id in (record.public_id, record.server_id):
                await self._unsubscribe_record(record, events)
                return
        raise ValueError(f"no subscription with id {subscription_id!r}")

    async def set_filters(self, events: list[str] | None, filters: Filters | None) -> None:
        """Replace every subscription by one with these events and filters."""
        old = list(self.records)
        if events is None:
            events = list(dict.fromkeys(e for r in old for e in r.spec.events)) or list(EVENT_TYPES)
        options = old[0].spec.options if old else None
        for record in old:
            try:
                await self._unsubscribe_record(record, None)
            except SubscriptionError as exc:
                self.outlet.notice("error", exc.text, severity="warning", code=exc.code)
        await self.subscribe(events, filters, options)

    async def ready(self) -> None:
        """Wait until connected, authenticated and subscribed; :class:`ClientClosed` if it stops first."""
        await self._wait_ready()

    async def reconnect_now(self) -> None:
        """Drop the current connection (if any) and connect again without waiting."""
        if self._link is not None:
            self._link.finish(LinkDrop("Reconnecting as asked.", requested=True))
        self._wake.set()

    async def aclose(self) -> None:
        """Close the connection and end the iteration (CLOSING, then CLOSED)."""
        if self._closing:
            return
        self._closing = True
        runner = self._runner
        if runner is not None and not runner.done():
            self._state_nowait(ConnectionState.CLOSING)
            runner.cancel()
            await asyncio.gather(runner, return_exceptions=True)
        if self.state is not ConnectionState.ERROR:
            self._state_nowait(ConnectionState.CLOSED)
        self.outlet.end()

    async def set_state(
        self,
        state: ConnectionState,
        *,
        text: str = "",
        attempt: int = 0,
        retry_in: float | None = None,
        severity: str = "info",
    ) -> None:
        self.state = state
        log.info("%s %s%s", state.name, self.label, f": {text}" if text else "")
        self.outlet.deliver(
            Notice(kind="state", state=state, text=text, attempt=attempt, retry_in=retry_in, severity=severity)
        )

    def _state_nowait(self, state: ConnectionState) -> None:
        self.state = state
        log.info("%s %s", state.name, self.label)
        self.outlet.deliver(Notice(kind="state", state=state))

    # -- lifecycle ------------------------------------------------------------------

    def _start(self) -> None:
        if self._runner is None and not self._closing:
            self._runner = asyncio.create_task(self._run(), name=f"aisci-client {self.label}")

    async def _wait_ready(self) -> Link:
        self._start()
        while True:
            runner = self._runner
            if self._closing or runner is None or runner.done():
                raise ClientClosed("the client is closed")
            link = self._link
            if self._ready.is_set() and link is not None and not link.ended:
                return link
            ready = asyncio.ensure_future(self._ready.wait())
            await asyncio.wait({ready, runner}, return_when=asyncio.FIRST_COMPLETED)
            ready.cancel()

    async def _run(self) -> None:
        try:
            await self._lifecycle()
        except Fatal as fatal:
            await self._fail(fatal)
        except Exception as exc:
            log.exception("the client stopped on an unexpected error")
            await self._fail(Fatal(f"Internal error in the client ({type(exc).__name__}); see the log."))
        finally:
            self._ready.clear()
            if not self._closing:
                self.outlet.end()

    async def _fail(self, fatal: Fatal) -> None:
        self.exit_code = fatal.exit_code
        self.state = ConnectionState.ERROR
        self.fatal = Notice(
            kind="state",
            state=ConnectionState.ERROR,
            text=fatal.text,
            code=fatal.code,
            severity="error",
            fatal=True,
            details={"exit_code": fatal.exit_code},
        )
        log.error("%s", fatal.text)
        self.outlet.deliver(self.fatal)

    async def _lifecycle(self) -> None:
        """Connect, serve, back off and reconnect until closed; raises :class:`Fatal` to stop."""
        cfg = self.config
        failures = 0  # failed attempts in a row
        context = await self._startup()
        while not self._closing:
            await self.set_state(ConnectionState.CONNECTING, attempt=failures + 1)
            try:
                ws = await connect(
                    cfg.url,
                    ssl=context,
                    max_size=cfg.max_frame,
                    open_timeout=cfg.open_timeout,
                    ping_interval=None,
                    close_timeout=2.0,
                    user_agent_header="aisci-tui",
                    create_connection=TextTagging if self.outlet.raw_text else ClientConnection,
                )
            except Exception as exc:
                failure = classify(exc, self.label)
                if not failure.transient:
                    raise Fatal(failure.text, failure.exit_code) from None
                outcome: LinkDrop | Closing = LinkDrop(failure.text)
            else:
                outcome = await self._serve(ws)
            if isinstance(outcome, Closing):
                await self.set_state(ConnectionState.CLOSED, text=outcome.text)
                return
            if outcome.opened and not outcome.escalate:
                failures = 0
            else:
                failures += 1
                if cfg.max_attempts is not None and failures >= cfg.max_attempts:
                    raise Fatal(
                        f"Gave up after {failures} failed attempt{'s' * (failures > 1)} to connect "
                        f"to {self.label}. Last: {outcome.text}",
                        exitcodes.GAVE_UP,
                    )
            delay = 0.0 if outcome.requested else self._backoff.delay(max(0, failures - 1))
            if outcome.retry_after:
                delay = max(delay, min(outcome.retry_after, cfg.backoff_cap))
            await self.set_state(
                ConnectionState.RECONNECTING,
                text=outcome.text,
                attempt=failures + 1,
                retry_in=delay,
                severity="warning",
            )
            await self._pause(delay)

    async def _startup(self) -> ssl.SSLContext | None:
        """Warnings worth a line before connecting, and the TLS context for wss:// URLs."""
        cfg = self.config
        assert cfg.credentials is not None
        for warning in cfg.credentials.warnings:
            self.outlet.notice("info", warning, severity="warning")
        try:
            context = tls_context(cfg)
        except (OSError, ssl.SSLError) as exc:
            reason = getattr(exc, "strerror", None) or type(exc).__name__
            raise Fatal(f"Could not load the CA file {cfg.ca_file}: {reason}.", exitcodes.TLS_FAILED) from None
        if context is not None and cfg.insecure:
            self.outlet.notice(
                "info",
                "Certificate verification is off (--insecure): anyone on the network "
                "path could read or change this connection.",
                severity="warning",
            )
        return context

    async def _serve(self, ws: ClientConnection) -> LinkDrop | Closing:
        """Run one connection until it ends; returns why, or raises :class:`Fatal`."""
        link = Link(ws, self.bucket, self._sleep)
        self._link = link
        resume = self._opened_once
        reason: BaseException = LinkDrop("Connection lost.")
        try:
            link.spawn(read(self, link), "aisci-reader")
            link.spawn(self._setup(link, resume), "aisci-setup")
            reason = await asyncio.shield(link.end)
        finally:
            self._ready.clear()
            graceful = self._closing or isinstance(reason, Closing)
            await link.shutdown(graceful=graceful)
            self._link = None
        if isinstance(reason, Fatal):
            raise reason
        if isinstance(reason, Closing):
            return reason
        drop = reason if isinstance(reason, LinkDrop) else LinkDrop("Connection lost.")
        drop.opened = link.opened
        return drop

    async def _setup(self, link: Link, resume: bool) -> None:
        await self.protocol.authenticate(link)
        link.opened = True
        self._opened_once = True
        if resume:
            self.stats.reconnects += 1
        await self.set_state(ConnectionState.OPEN)
        link.spawn(self._ping(link), "aisci-ping")
        skip_history, self.skip_history = self.skip_history, False
        for record in list(self.records):
            try:
                await self.protocol.subscribe_on(link, record, resume=resume, skip_history=skip_history)
            except SubscriptionError as exc:
                self.outlet.notice("error", exc.text, severity="warning", code=exc.code, details=exc.details)
                if not isinstance(exc, TimeoutError) and record in self.records:
                    self.records.remove(record)
        self._ready.set()

    async def _ping(self, link: Link) -> None:
        interval = self.config.ping_interval
        timeout = self.config.ping_timeout or interval
        while True:
            await asyncio.sleep(interval)
            link.rx.clear()
            await link.send(self.protocol.make_ping())
            try:
                await asyncio.wait_for(link.rx.wait(), timeout)
            except TimeoutError:
                if link.blocked:
                    continue  # we are not reading, so silence proves nothing
                raise LinkDrop(f"No answer to a ping within {timeout:g} s; the link looks dead.") from None

    async def _pause(self, delay: float) -> None:
        """Wait ``delay`` seconds (with the injected sleep) or until :meth:`reconnect_now`."""
        self._wake.clear()
        sleeper = asyncio.ensure_future(self._sleep(delay))
        waker = asyncio.ensure_future(self._wake.wait())
        try:
            await asyncio.wait({sleeper, waker}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            sleeper.cancel()
            waker.cancel()

    async def _unsubscribe_record(self, record: SubscriptionRecord, events: list[str] | None) -> None:
        remaining = [e for e in record.spec.events if events is not None and e not in events]
        if remaining:
            record.spec.events = remaining
        elif record in self.records:
            self.records.remove(record)
        link = record.link
        if link is None or link.ended or link is not self._link or record.server_id is None:
            return  # that subscription died with its connection
        try:
            await self.protocol.unsubscribe_on(link, record.server_id, None if not remaining else events)
        except LinkLost:
            pass
