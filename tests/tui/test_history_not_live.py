"""History a server replays on subscribe is neither counted in the live rate nor raised as toasts."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from aisci_tui.protocol import from_obj
from aisci_tui.protocol.models import Event
from aisci_tui.server import ProtocolServer, ServerConfig
from aisci_tui.sources.base import ConnectionState
from aisci_tui.tui.app import DashboardApp
from tests.rendered import status_shown
from tests.tui.conftest import KEY, make_client, wait_for
from tests.tui.harness import iso

HISTORY = 600


def system_event(n: int, at: datetime, severity: str, title: str) -> Event:
    return from_obj(
        {
            "type": "system_event",
            "id": f"h-{n}",
            "timestamp": iso(at),
            "data": {"event_type": "update", "severity": severity, "title": title},
        }
    )


def rate_shown(app: DashboardApp) -> float:
    text = status_shown(app)
    found = re.search(r"([\d.]+) ev/s", text)
    assert found, text
    return float(found.group(1))


async def test_history_replay_is_not_the_live_rate_and_raises_no_toast(settings):
    """A server with a minute of history (critical events among it) and a slow live trickle."""
    config = ServerConfig(port=0, api_keys=(KEY,), seed=11, speed=0.05, sessions=1, history_size=HISTORY + 400)
    async with ProtocolServer(config) as server:
        now = datetime.now(UTC)
        # the last minute before we connect, oldest first, critical ones among them
        for n in range(HISTORY):
            severity = "critical" if n % 50 == 0 else "warning"
            await server.publish(
                system_event(n, now - timedelta(seconds=60) + timedelta(milliseconds=90 * n), severity, f"Old news {n}")
            )
        app = DashboardApp(make_client(server), settings=settings)
        async with app.run_test(size=(120, 36)) as pilot:
            await wait_for(
                pilot,
                lambda: (
                    app.store.connection.state == ConnectionState.OPEN
                    and app.store.counters.by_type.get("system_event", 0) >= HISTORY
                ),
                what="the replay",
            )
            await pilot.pause(1.2)  # a completed second of the rate window has passed
            app.gate.request_full()
            await pilot.pause(0.2)
            assert rate_shown(app) < 5.0, "the replay burst is not the live rate"
            assert not app.board.shown, [n.title for n in app.board.shown]
            events = app.views["events"]
            assert events is not None and len(app.store.log) >= min(HISTORY, app.store.log.maxlen or HISTORY)
