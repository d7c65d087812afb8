"""Unknown message types and unknown enum values are shown as such: the raw word, a neutral tone.

Over the real server and client: never dropped silently, never a crash, never
mistaken for an invalid frame.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from aisci_tui.client import Client, ClientConfig, Credentials, SubscribeOptions, Subscription
from aisci_tui.protocol import Event, from_obj
from aisci_tui.server import ProtocolServer, ServerConfig
from aisci_tui.settings import Settings
from tests.hardening.conftest import API_KEY, clean_env, cli, until
from tests.rendered import record_toasts

STAMP = "2026-03-01T10:00:00Z"
UNKNOWN_FRAME = json.dumps(
    {"type": "agent_heartbeat", "id": "hb-1", "timestamp": STAMP, "data": {"agent_id": "agt-new", "beats": 3}}
)


def odd_events() -> list[Event]:
    """One event of each type whose enum-like fields hold values this version has never heard of."""

    def ev(kind: str, n: int, data: dict) -> Event:
        return from_obj({"type": kind, "id": f"odd-{n}", "timestamp": STAMP, "data": data})  # type: ignore[return-value]

    return [
        ev(
            "research_progress",
            1,
            {
                "session_id": "ses-odd",
                "title": "Odd session",
                "current_phase": "dreaming",
                "overall_progress": 0.5,
                "milestones": [{"name": "M", "status": "blocked"}],
            },
        ),
        ev(
            "agent_status",
            2,
            {"agent_id": "agt-odd", "name": "Odd agent", "status": "hibernating", "session_id": "ses-odd"},
        ),
        ev(
            "experiment_results",
            3,
            {"experiment_id": "exp-odd", "session_id": "ses-odd", "title": "Odd experiment", "status": "superposed"},
        ),
        ev(
            "ethical_assessment",
            4,
            {
                "resource_id": "exp-odd",
                "resource_type": "dataset",
                "session_id": "ses-odd",
                "assessment": {
                    "status": "pending_council",
                    "overall_score": 0.5,
                    "frameworks": {"stoicism": {"score": 0.5, "weight": 1.0}},
                    "identified_issues": [{"severity": "extreme", "category": "astrology"}],
                },
            },
        ),
        ev("system_event", 5, {"event_type": "solar_flare", "severity": "cataclysm", "title": "Odd system event"}),
    ]


@pytest.fixture
async def server() -> AsyncIterator[ProtocolServer]:
    async with ProtocolServer(ServerConfig(port=0, api_keys=(API_KEY,), simulate=False)) as srv:
        yield srv


def client_of(server: ProtocolServer) -> Client:
    return Client(
        ClientConfig(
            url=server.url,
            credentials=Credentials(api_key=API_KEY),
            subscriptions=[Subscription(options=SubscribeOptions(include_history=True))],
            backoff_base=0.05,
            backoff_cap=0.1,
        )
    )


async def test_the_dashboard_shows_unknown_types_and_values_as_their_raw_words(server, tmp_path: Path):
    from aisci_tui.tui.app import DashboardApp
    from aisci_tui.tui.widgets.tones import Palette

    client = client_of(server)
    app = DashboardApp(client, settings=Settings.model_construct(export_dir=tmp_path, refresh_hz=30.0))
    toasts = record_toasts(app)
    async with app.run_test(size=(160, 40)) as pilot:
        await until(lambda: client.state.name == "OPEN" and server.stats.get("subscriptions", 0) >= 1, what="ready")
        assert await server.inject_raw(UNKNOWN_FRAME) == 1
        for event in odd_events():
            await server.publish(event)
        store = app.store
        await until(lambda: store.counters.unknown == 1 and store.counters.applied == 5, what="all five and one")
        assert store.counters.invalid == 0, "an unknown type is not an invalid frame"
        assert client.stats.invalid == 0
        palette = Palette.of(app.views["agents"])

        await app.run_action("show_view('events')")
        await pilot.pause(0.1)
        events = app.views["events"]
        rows = {row["kind"]: row for row in events.rows.values()}
        assert "agent_heartbeat" in rows["unknown"]["title"] and rows["unknown"]["severity"] == "info"
        assert rows["solar_flare"]["severity"] == "cataclysm"
        key = next(k for k, r in events.rows.items() if r["kind"] == "solar_flare")
        severity = events.table.get_cell(key, "severity")
        assert severity.plain == "? cataclysm" and severity.style == palette["neutral"]

        expected = {
            "agents": ("agt-odd", "status", "? hibernating"),
            "experiments": ("exp-odd", "status", "? superposed"),
            "ethics": ("exp-odd", "status", "? pending_council"),
        }
        for view_id, (key, column, shown) in expected.items():
            await app.run_action(f"show_view('{view_id}')")
            await pilot.pause(0.1)
            view = app.views[view_id]
            cell = view.table.get_cell(key, column)
            assert cell.plain == shown, f"{view_id} shows the raw word"
            assert cell.style == palette["neutral"], f"{view_id} shows it in the neutral tone"
        await app.run_action("show_view('research')")
        await pilot.pause(0.1)
        assert app.views["research"].rows["ses-odd"]["phase"] == "dreaming"
        assert app.is_running
        assert not [t for t in toasts if t["title"] == "Display problem"], "no view failed to update"


async def test_the_events_command_prints_unknown_values_and_names_unknown_types(server):
    proc = await asyncio.create_subprocess_exec(
        *cli("events", "--url", server.url, "--limit", "5", "--format", "text"),
        env=clean_env(AISCI_API_KEY=API_KEY),
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        await until(lambda: server.stats.get("subscriptions", 0) >= 1, timeout=20, what="subscribed")
        await server.inject_raw(UNKNOWN_FRAME)
        for event in odd_events():
            await server.publish(event)
        out, err = await asyncio.wait_for(proc.communicate(), 20)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    text, errors = out.decode(), err.decode()
    assert proc.returncode == 0, errors
    for word in ("hibernating", "superposed", "pending_council", "cataclysm", "solar_flare"):
        assert word in text
    assert "Unknown message type 'agent_heartbeat'" in errors
    assert json.loads(errors.strip().splitlines()[-1])["invalid"] == 0
