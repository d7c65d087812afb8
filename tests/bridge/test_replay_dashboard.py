"""Record a live session through the dashboard, replay it, and drive a replay with its keys (Pilot)."""

from __future__ import annotations

import os
import stat
from datetime import UTC, datetime

from aisci_tui.client import Client, ClientConfig, Credentials, SubscribeOptions, Subscription
from aisci_tui.commands.recording import with_recording
from aisci_tui.protocol.codec import from_obj
from aisci_tui.protocol.times import parse_time
from aisci_tui.server import ProtocolServer, ServerConfig
from aisci_tui.server.simulator import Simulator
from aisci_tui.settings import Settings
from aisci_tui.sources.record import Recorder, RecordingSource
from aisci_tui.sources.replay import ReplaySource, load_lines
from aisci_tui.sources.rundir import RunSource
from aisci_tui.store import Store
from aisci_tui.tui.app import DashboardApp
from aisci_tui.tui.run.apps import replay_app, watch_app
from tests.bridge.helpers import screen_text, wait_until
from tests.bridge.runwriter import mid_run

KEY = "replay-test-key-Zq81mP4x"
SIZE = (140, 40)


def settings_in(tmp_path) -> Settings:
    return Settings.model_construct(export_dir=tmp_path / "out", refresh_hz=20.0)


def ended(store: Store) -> bool:
    return any(e.details.get("replay") == "end" for e in store.log)


async def test_record_a_live_session_then_replay_it_to_the_same_state(tmp_path):
    path = tmp_path / "live.jsonl"
    config = ServerConfig(port=0, api_keys=(KEY,), seed=21, speed=60.0, sessions=2, warmup=1800.0)
    async with ProtocolServer(config) as server:
        client = Client(
            ClientConfig(
                url=server.url,
                credentials=Credentials(api_key=KEY),
                subscriptions=[Subscription(options=SubscribeOptions(include_history=True))],
                backoff_base=0.05,
                backoff_cap=0.2,
                open_timeout=3.0,
                ack_timeout=3.0,
            )
        )
        source = with_recording(client, path)  # what --record does
        assert isinstance(source, RecordingSource)
        live = DashboardApp(source, settings=settings_in(tmp_path))
        async with live.run_test(size=SIZE) as pilot:
            history = len(server.hub.history)
            await wait_until(
                pilot,
                lambda: live.store.counters.received >= history + 40,
                timeout=15,
                what="the history and a stretch of live events",
            )
            assert len(live.store.experiments) >= 2 and len(live.store.agents) >= 5
            await source.aclose()
            await pilot.pause(0.1)
            live_state = live.store.snapshot()
            applied = live.store.counters.applied
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    raw = path.read_bytes()
    assert KEY.encode() not in raw
    assert len(raw.splitlines()) == live.store.counters.received  # every accepted envelope, once

    replayed = replay_app(ReplaySource(path, speed=1000.0), settings=settings_in(tmp_path))
    async with replayed.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: ended(replayed.store), what="the end of the recording")
        assert replayed.store.snapshot() == live_state
        assert replayed.store.counters.applied == applied
        assert "▶ live.jsonl" in screen_text(replayed)


def write_recording(path, minutes: float = 10.0) -> list:
    """A seeded simulation recorded with arrival times equal to the event times (one event every few s)."""
    sim = Simulator(seed=9, sessions=2, start=datetime(2026, 3, 1, 9, tzinfo=UTC))
    events = sim.advance(minutes * 60)
    with Recorder(path) as rec:
        for event in events:
            rec.write(event, arrival=parse_time(event.timestamp).timestamp())
    return events


def state_at(path, seconds: float) -> dict:
    """The store after every event of the recording up to ``seconds`` in."""
    store = Store()
    store.feed(from_obj(line.envelope) for line in load_lines(path) if line.offset <= seconds)
    return store.snapshot()


def recorded_replay(tmp_path) -> tuple:
    """A seeded simulation recorded to ``sim.jsonl``, and a replay app playing it at real speed."""
    path = tmp_path / "sim.jsonl"
    write_recording(path)
    source = ReplaySource(path, speed=1.0)
    return path, source, replay_app(source, settings=settings_in(tmp_path))


async def test_replay_keys_pause_seek_rewind_and_speed(tmp_path):
    path, source, app = recorded_replay(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: source.loaded, what="the recording loaded")
        ids = {b.binding.id for b in app.screen.active_bindings.values()}
        assert {"replay-pause", "replay-back", "replay-forward", "replay-start", "replay-end", "view-tree"} <= ids
        helped = {row.binding_id for row in app.help_rows()}
        assert {"replay-pause", "replay-slower", "replay-faster", "view-tree"} <= helped
        await pilot.press("space")
        assert source.paused
        await pilot.press("dollar_sign")
        full = state_at(path, source.duration)
        await wait_until(pilot, lambda: app.store.snapshot() == full, what="everything after End")
        first_store = app.store
        await pilot.press("circumflex_accent")
        start = state_at(path, 0.0)
        await wait_until(
            pilot,
            lambda: app.store is not first_store and app.store.snapshot() == start,
            what="a fresh store after Start",
        )
        assert app.store.counters.applied < first_store.counters.applied
        await pilot.press("full_stop")
        await wait_until(pilot, lambda: app.store.snapshot() == state_at(path, 60.0), what="one minute in")
        await pilot.press("full_stop", "full_stop", "comma")
        await wait_until(pilot, lambda: app.store.snapshot() == state_at(path, 120.0), what="two minutes in")
        assert source.position == 120.0 and "⏸ sim.jsonl 2:00/" in screen_text(app)
        await pilot.press("plus", "plus", "minus")
        assert source.speed == 2.0
        await pilot.press("space")
        assert not source.paused
        await wait_until(pilot, lambda: source.position > 120.5, what="playing again")


async def test_replay_keys_are_hidden_when_the_source_cannot_seek(tmp_path):
    run = mid_run(tmp_path)
    app = watch_app(RunSource(run.path, poll_interval=0.05, watch=False), run.path, settings=settings_in(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause(0.1)
        ids = {b.binding.id for b in app.screen.active_bindings.values()}
        assert "view-tree" in ids and not any(i and i.startswith("replay-") for i in ids)
        await pilot.press("space")  # nothing happens, nothing breaks
        assert app.is_running and not app.paused


async def test_an_open_agent_detail_follows_a_rewind(tmp_path):
    path, source, app = recorded_replay(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: source.loaded, what="the recording loaded")
        await pilot.press("space", "dollar_sign")
        full, start = state_at(path, source.duration), state_at(path, 0.0)
        await wait_until(pilot, lambda: app.store.snapshot() == full, what="everything after End")
        later = sorted(set(full["agents"]) - set(start["agents"]))
        assert later, "the recording has agents that appear after its start"
        agent_id = later[0]
        await pilot.press("2")
        await pilot.pause(0.2)
        app.current_view.open_key(agent_id)
        await wait_until(
            pilot,
            lambda: (
                "no longer in the store" not in screen_text(app)
                and full["agents"][agent_id]["name"] in screen_text(app)
            ),
            what="the agent's details",
        )
        # back to the start, where this agent has not appeared yet (the modal screen keeps the
        # replay keys from the app, so the action is called as the command palette would)
        app.action_replay_start()
        await wait_until(pilot, lambda: "no longer in the store" in screen_text(app), what="the detail follows")
