"""Faults: a server killed and restarted again and again, a network that stalls, a slow screen.

The restart test runs ``aisci-tui serve`` as a child process on a fixed port
with a known seed and a fixed start time, so every incarnation of the server
sends the same events with the same ids, from the first one on. "Every event
exactly once" then means: the ids the client delivered are a gap-free prefix
of that deterministic stream (nothing lost), no id was delivered twice
(de-duplication held across ten history replays), and each event is
byte-for-byte the event the stream holds at that id.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aisci_tui.client import Client, ClientConfig, Credentials, SubscribeOptions, Subscription
from aisci_tui.protocol import Event, encode, from_obj
from aisci_tui.server import ProtocolServer, ServerConfig
from aisci_tui.server.simulator import Simulator
from aisci_tui.settings import Settings
from aisci_tui.sources.base import Ability, ConnectionState, Notice
from aisci_tui.store import Store
from tests.hardening.conftest import API_KEY, ServeProcess, TcpProxy, clean_env, free_port, until

SEED = 7
START = datetime(2026, 1, 1, tzinfo=UTC)
SESSIONS = 2
WARMUP = 30.0
RATE = 2_000
RESTARTS = 10
BACKOFF_CAP = 0.3


def deterministic_stream(count: int, warmup: float = WARMUP, sessions: int = SESSIONS) -> list[Event]:
    """The events ``serve --seed SEED --start START --warmup W --sessions N --rate R`` sends, in order."""
    sim = Simulator(seed=SEED, sessions=sessions, start=START, lively=True)  # serve is lively by default
    events = sim.advance(warmup)
    while len(events) < count:
        events += sim.advance(1.0)  # what the rate-paced feed does, one virtual second at a time
    return events


class Consumer:
    """Drains a client into a store, keeping every event and notice it yields."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self.store = Store()
        self.events: list[Event] = []
        self.notices: list[Notice] = []
        self.task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        async for item in self.client:
            if isinstance(item, Event):
                self.events.append(item)
                self.store.apply(item)
            else:
                self.notices.append(item)

    def states(self) -> list[ConnectionState]:
        return [n.state for n in self.notices if n.kind == "state" and n.state is not None]

    async def close(self) -> None:
        await self.client.aclose()
        await asyncio.wait_for(self.task, 10)


async def kill_and_restart(tmp_path: Path, restarts: int, step: int = 40) -> None:
    """SIGKILL ``aisci-tui serve`` mid-stream ``restarts`` times; check the client lost and repeated nothing."""
    log = tmp_path / "serve.log"
    server = ServeProcess(
        [
            "--seed",
            str(SEED),
            "--start",
            START.isoformat(),
            "--warmup",
            str(WARMUP),
            "--rate",
            str(RATE),
            "--sessions",
            str(SESSIONS),
            "--history-size",
            "500000",
            "-v",
            "--log-file",
            str(log),
        ],
        clean_env(AISCI_API_KEYS=API_KEY),
        free_port(),
    )
    server.start()
    client = Client(
        ClientConfig(
            url=server.url,
            credentials=Credentials(api_key=API_KEY),
            subscriptions=[Subscription(options=SubscribeOptions(include_history=True))],
            backoff_base=0.05,
            backoff_cap=BACKOFF_CAP,
            ping_interval=5.0,
            open_timeout=3.0,
            ack_timeout=3.0,
        )
    )
    consumer = Consumer(client)

    def subscribes() -> int:
        return log.read_text().count(": received subscribe ")

    try:
        reached = 0
        for cycle in range(1, restarts + 1):
            # let this incarnation take the subscription (the client is OPEN once authenticated, before
            # it subscribes, and events still queued from the last incarnation can make up the step)
            # and get past everything the previous ones sent, then kill it mid-stream
            await until(lambda c=cycle: subscribes() >= c, timeout=20, step=0.05, what=f"subscribe {cycle} logged")
            await until(lambda r=reached: len(consumer.events) >= r + step, timeout=60, what="new events")
            reached = len(consumer.events)
            server.kill()
            await until(lambda: client.state is not ConnectionState.OPEN, timeout=10, what="the drop noticed")
            server.start()
            await until(
                lambda c=cycle: client.stats.reconnects == c and client.state is ConnectionState.OPEN,
                timeout=20,
                what=f"reconnect {cycle}",
            )
        await until(lambda: subscribes() > restarts, timeout=20, step=0.05, what="the last subscribe logged")
        await until(lambda: len(consumer.events) >= reached + step, timeout=60, what="events after the last restart")
    finally:
        await consumer.close()
        server.stop()

    received = [e.id for e in consumer.events]
    assert len(received) == len(set(received)), "an event was delivered twice"
    stream = deterministic_stream(len(received))[: len(received)]
    assert received == [e.id for e in stream], "the delivered ids are not the gap-free prefix of the stream"
    assert [encode(e) for e in consumer.events] == [encode(e) for e in stream], "an event differs from what was sent"
    assert consumer.store.counters.duplicates == 0
    assert consumer.store.counters.applied + consumer.store.counters.stale == len(received)
    assert client.stats.duplicates > 0, "history replays after restarts were de-duplicated"

    states = consumer.states()
    assert states.count(ConnectionState.OPEN) == restarts + 1, "re-authenticated after every restart"
    drops = [n for n in consumer.notices if n.state is ConnectionState.RECONNECTING]
    assert len(drops) >= restarts
    assert all(n.retry_in is not None and 0 <= n.retry_in <= BACKOFF_CAP for n in drops), "backoff within its cap"
    text = log.read_text()
    assert text.count(": authenticated as ") == restarts + 1
    assert text.count(": received subscribe ") == restarts + 1, "resubscribed after every restart"
    assert API_KEY not in text


async def test_server_killed_and_restarted_ten_times_loses_and_repeats_nothing(tmp_path: Path):
    await kill_and_restart(tmp_path, RESTARTS)


def agent_event(n: int) -> Event:
    return from_obj(
        {
            "type": "agent_status",
            "id": f"stall-{n}",
            "timestamp": f"2026-03-01T10:00:{n % 60:02d}Z",
            "data": {"agent_id": f"agt-{n % 5}", "status": "busy"},
        }
    )  # type: ignore[return-value]


async def test_a_stalled_network_is_detected_by_ping_timeout_and_reconnected():
    async with ProtocolServer(ServerConfig(port=0, api_keys=(API_KEY,), simulate=False)) as server:
        async with TcpProxy(server.port) as proxy:
            client = Client(
                ClientConfig(
                    url=proxy.url(),
                    credentials=Credentials(api_key=API_KEY),
                    subscriptions=[Subscription(options=SubscribeOptions(include_history=True))],
                    ping_interval=0.2,
                    ping_timeout=0.2,
                    backoff_base=0.02,
                    backoff_cap=0.05,
                    open_timeout=2.0,
                )
            )
            consumer = Consumer(client)
            try:
                await client.ready()
                for n in range(10):
                    await server.publish(agent_event(n))
                await until(lambda: len(consumer.events) == 10, what="events before the stall")
                proxy.stall()  # nothing is forwarded any more; no socket is closed
                stalled = time.monotonic()
                for n in range(10, 20):
                    await server.publish(agent_event(n))
                await until(lambda: client.state is not ConnectionState.OPEN, timeout=5, what="the stall noticed")
                detected = time.monotonic() - stalled
                proxy.resume()
                await until(
                    lambda: client.stats.reconnects == 1 and len(consumer.events) == 20,
                    timeout=5,
                    what="reconnected with the missed events",
                )
                for n in range(20, 25):
                    await server.publish(agent_event(n))
                await until(lambda: len(consumer.events) == 25, what="events after the stall")
            finally:
                await consumer.close()
    drop = next(n for n in consumer.notices if n.state is ConnectionState.RECONNECTING)
    assert "ping" in drop.text
    assert detected < 0.2 + 0.2 + 0.3, f"a stall took {detected:.2f} s to notice (ping interval + timeout)"
    assert [e.id for e in consumer.events] == [f"stall-{n}" for n in range(25)], "nothing lost, nothing twice"
    assert proxy.connections == 2


class Tap:
    """Passes a client through to the dashboard and remembers the ids it handed over, in order."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self.label = client.label
        self.ids: list[str] = []

    async def __aiter__(self) -> Any:
        async for item in self.client:
            if isinstance(item, Event):
                self.ids.append(item.id)
            yield item

    async def aclose(self) -> None:
        await self.client.aclose()


def flood_server_and_client() -> tuple[ServeProcess, Client]:
    """A seeded server in another process sending 4,000 events/s, started; a client for it."""
    server = ServeProcess(
        [
            "--seed",
            str(SEED),
            "--start",
            START.isoformat(),
            "--warmup",
            "0",
            "--rate",
            "4000",
            "--sessions",
            "3",
            "--history-size",
            "500000",
        ],
        clean_env(AISCI_API_KEYS=API_KEY),
        free_port(),
    )
    server.start()
    client = Client(
        ClientConfig(
            url=server.url,
            credentials=Credentials(api_key=API_KEY),
            subscriptions=[Subscription(options=SubscribeOptions(include_history=True))],
            backoff_base=0.02,
            backoff_cap=0.1,
            ping_interval=1.0,
            ping_timeout=1.0,
        )
    )
    return server, client


class SlowScreen:
    """Makes every redraw of a view (a sync, or a catch-up of rows left for later) block for ``cost``
    seconds, and counts the redraws. Counting at the view, not the app's gate, catches a redraw from
    any path: a timer that ticks too fast, a per-event render, a second timer."""

    def __init__(self, view: Any, cost: float) -> None:
        self.view, self.cost, self.redraws = view, cost, 0
        self._sync, self._catch_up = view.sync, view.catch_up

        def slow(draw: Callable[..., None]) -> Callable[..., None]:
            def drawn(*args: Any, **kwargs: Any) -> None:
                self.redraws += 1
                time.sleep(self.cost)
                draw(*args, **kwargs)

            return drawn

        view.sync, view.catch_up = slow(self._sync), slow(self._catch_up)

    def undo(self) -> None:
        self.view.sync, self.view.catch_up = self._sync, self._catch_up


#: The dashboard's refresh rate in the slow-screen tests, low so that too many redraws stand out.
HZ = 4.0


async def redraw_rate(screen: SlowScreen, seconds: float = 1.5) -> tuple[int, float]:
    """Redraws of a screen that costs 20 ms each, far less than the refresh interval, while the flood
    goes on: (redraws, elapsed). A 150 ms redraw could not show a rate above the limit; this one can
    (up to ~50 a second if every change, or every batch of events, were drawn)."""
    screen.cost, screen.redraws = 0.02, 0
    started = time.monotonic()
    await asyncio.sleep(seconds)
    return screen.redraws, time.monotonic() - started


def check_redraw_rate(redraws: int, elapsed: float) -> None:
    assert redraws <= elapsed * HZ + 2, f"{redraws} redraws in {elapsed:.1f} s at {HZ:g} Hz: renders are not coalesced"
    assert redraws >= 1, f"no redraw in {elapsed:.1f} s while events kept arriving"


def in_flight(client: Client, store: Store) -> int:
    """Events read off the socket (``stats.received``, all frames, less the repeats) that are not
    in the store yet: whatever waits anywhere between socket and store, in the client or the app.
    Control frames (auth_ok, subscribed, pongs: a handful) count too, so this is an upper bound."""
    return client.stats.received - client.stats.duplicates - store.counters.received


#: Control frames a client reads besides events in these tests (auth_ok, subscribed, pongs), at most.
CONTROL_FRAMES = 10


async def test_a_slow_screen_never_grows_memory_and_never_loses_events(tmp_path: Path, monkeypatch):
    """A server in another process floods a dashboard whose every redraw blocks for 300 ms (longer
    than the 250 ms refresh interval).

    The client's queue (its bound lowered to 100 so the test reaches it in a second, even on a
    loaded machine) fills and
    reading stops, so TCP pushes back on the server: what was read off the socket but is not in the
    store never exceeds the queue's bound (an unbounded buffer anywhere, in the client or the app,
    would let it grow with the flood). Redraws stay at the refresh rate; what reached the store is
    the server's stream without a gap or a repeat, every event read; and the server still stops
    promptly on SIGTERM.
    """
    from aisci_tui.tui.app import DashboardApp

    bound = 100
    monkeypatch.setattr("aisci_tui.client.outlet.QUEUE_SIZE", bound)

    server, client = flood_server_and_client()
    tap = Tap(client)
    app = DashboardApp(tap, settings=Settings.model_construct(export_dir=tmp_path, refresh_hz=HZ))  # type: ignore[arg-type]
    waiting = 0
    blocked = False
    try:
        async with app.run_test(size=(120, 36)) as pilot:
            await until(lambda: client.state is ConnectionState.OPEN, timeout=15, what="connected")
            await pilot.press("2")
            screen = SlowScreen(app.current_view, 0.3)
            started = time.monotonic()
            while time.monotonic() - started < 1.0:
                waiting = max(waiting, in_flight(client, app.store))
                # the link's ``blocked`` flag is the only sign that a put found the queue full: the
                # 5 ms samples above can miss the moment it was full on a loaded machine
                blocked = blocked or (client._link is not None and client._link.blocked)
                await asyncio.sleep(0.005)
            elapsed = time.monotonic() - started
            read_while_slow = client.stats.received
            redraws, rate_elapsed = await redraw_rate(screen)
            screen.undo()
            stopping = time.monotonic()
            server.stop()  # SIGTERM: the flood ends, even with this client not reading
            stop_took = time.monotonic() - stopping
            await until(
                lambda: client.state is not ConnectionState.OPEN and in_flight(client, app.store) <= CONTROL_FRAMES,
                timeout=20,
                what="the queue drained",
            )
            await pilot.pause(0.2)
            counters = app.store.counters
            delivered = list(tap.ids)
    finally:
        await client.aclose()
        server.stop()
    print(
        f"slow screen: {read_while_slow} frames read in {elapsed:.1f} s, at most {waiting} waiting for the store, "
        f"reading paused: {blocked}; then {redraws} redraws in {rate_elapsed:.1f} s; "
        f"{len(delivered)} events in all, {client.stats.reconnects} reconnects"
    )
    assert server.proc is not None and server.proc.returncode != -9, "serve stopped on SIGTERM (was not killed)"
    assert stop_took < 9.5, f"the server took {stop_took:.1f} s to stop with a client that had stopped reading"
    assert blocked, "the flood really outran the screen: reading had to pause"
    assert waiting <= bound + CONTROL_FRAMES, f"{waiting} events waited between socket and store (bound {bound})"
    check_redraw_rate(redraws, rate_elapsed)
    assert len(delivered) == len(set(delivered)), "no event twice"
    stream = deterministic_stream(len(delivered), warmup=0.0, sessions=3)[: len(delivered)]
    assert delivered == [e.id for e in stream], "the store got the stream without a gap"
    assert counters.applied + counters.stale == len(delivered) and counters.duplicates == 0
    assert 0 <= client.stats.received - counters.received <= CONTROL_FRAMES, "every event read reached the store"


class DeliveringTap(Tap):
    """The same, for a client that hands items straight to the dashboard's store (``deliver_to``)."""

    abilities = frozenset({Ability.DELIVERY})
    dedupes_ids = True

    def defer_validation(self) -> None:
        self.client.defer_validation()

    def deliver_to(self, sink: Any) -> None:
        def tapped(item: Any) -> None:
            if isinstance(item, Event) or hasattr(item, "validate"):  # validated, or routed and deferred
                self.ids.append(item.id)
            sink(item)

        self.client.deliver_to(tapped)


async def test_a_slow_screen_with_direct_delivery_buffers_nothing_and_loses_nothing(tmp_path: Path):
    """The dashboard's own path: no queue between socket and store. With a screen whose every
    redraw blocks for 300 ms, each event read is in the store before the next frame is read (what
    was read but is not in the store is only the few control frames; a buffer anywhere would show),
    redraws stay at the refresh rate, and the store gets the server's stream without a gap or a
    repeat."""
    from aisci_tui.tui.app import DashboardApp

    server, client = flood_server_and_client()
    tap = DeliveringTap(client)
    app = DashboardApp(tap, settings=Settings.model_construct(export_dir=tmp_path, refresh_hz=HZ))  # type: ignore[arg-type]
    try:
        async with app.run_test(size=(120, 36)) as pilot:
            await until(lambda: client.state is ConnectionState.OPEN, timeout=15, what="connected")
            assert client.sink is not None and client.deferring and app.store.source_dedupes
            await pilot.press("2")
            screen = SlowScreen(app.current_view, 0.3)
            received_before = client.stats.received
            waiting = 0
            started = time.monotonic()
            while time.monotonic() - started < 1.0:
                waiting = max(waiting, in_flight(client, app.store))
                await asyncio.sleep(0.005)
            elapsed = time.monotonic() - started
            redraws, rate_elapsed = await redraw_rate(screen)
            read = client.stats.received - received_before  # over both phases: a loaded machine reads little
            screen.undo()
            stopping = time.monotonic()
            server.stop()
            stop_took = time.monotonic() - stopping
            await until(lambda: client.state is not ConnectionState.OPEN, timeout=20, what="the server gone")
            await pilot.pause(0.2)
            counters = app.store.counters
            delivered = list(tap.ids)
            app.store.settle()
    finally:
        await client.aclose()
        server.stop()
    print(
        f"slow screen, direct delivery: {read} frames read, at most {waiting} not in the store in {elapsed:.1f} s; "
        f"then {redraws} redraws in {rate_elapsed:.1f} s"
    )
    assert server.proc is not None and server.proc.returncode != -9, "serve stopped on SIGTERM (was not killed)"
    assert stop_took < 9.5, f"the server took {stop_took:.1f} s to stop"
    assert read > 0, "events kept arriving"
    assert waiting <= CONTROL_FRAMES, f"{waiting} events read but not in the store: something buffers them"
    check_redraw_rate(redraws, rate_elapsed)
    assert len(delivered) == len(set(delivered)), "no event twice"
    stream = deterministic_stream(len(delivered), warmup=0.0, sessions=3)[: len(delivered)]
    assert delivered == [e.id for e in stream], "the store got the stream without a gap"
    assert counters.received == len(delivered) == client.stats.events
    assert counters.duplicates == 0 and counters.invalid == 0
