"""A server restarted with another world: a session it replaced (same title, new id) is not shown twice."""

from __future__ import annotations

from aisci_tui.server import ProtocolServer, ServerConfig
from aisci_tui.sources.base import ConnectionState
from aisci_tui.store import resync
from aisci_tui.tui.app import DashboardApp
from tests.tui.conftest import KEY, make_client, wait_for
from tests.tui.harness import render_plain

#: With seed 11 and with seed 99 the simulator's second session has this title (under another id).
SHARED = "Curriculum Learning for Low-Resource Machine Translation"


def home_lines(app: DashboardApp) -> list[str]:
    box = app.views["home"].query_one("#home-list")
    return [render_plain(box.get_option_at_index(i).prompt, 200) for i in range(box.option_count)]


async def test_a_session_replaced_after_a_restart_is_folded_into_its_replacement(settings, monkeypatch):
    monkeypatch.setattr(resync, "RESYNC_GRACE", 1.0)
    first = ProtocolServer(ServerConfig(port=0, api_keys=(KEY,), seed=11, speed=2.0, sessions=2))
    await first.start()
    port = int(first.url.rsplit(":", 1)[1].split("/")[0])
    app = DashboardApp(make_client(first), settings=settings)
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_for(pilot, lambda: len(app.store.sessions) == 2, what="the first world's sessions")
        (old,) = [k for k, e in app.store.sessions.items() if e.data.title == SHARED]
        other = next(k for k in app.store.sessions if k != old)
        old_agents = [k for k, e in app.store.agents.items() if e.data.session_id == old]
        assert old_agents
        await first.aclose()
        await wait_for(pilot, lambda: app.store.connection.state != ConnectionState.OPEN, what="the loss")
        again = ProtocolServer(ServerConfig(port=port, api_keys=(KEY,), seed=99, speed=2.0, sessions=2))
        await again.start()
        try:
            await wait_for(pilot, lambda: old in app.store.replaced, timeout=15, what="the replacement")
            new = app.store.replaced[old].by
            assert new != old and app.store.sessions[new].data.title == SHARED
            assert old not in app.store.sessions and other in app.store.sessions
            assert any(f"({old}) replaced by {new}" in e.title for e in app.store.log)
            app.gate.request_full()
            await pilot.pause(0.3)
            lines = home_lines(app)
            shared = [line for line in lines if "Curriculum Learning" in line and line[:2] in ("● ", "? ")]
            assert len(shared) == 1 and shared[0].startswith("● "), lines[:8]
            # a session the new world has no replacement for is still shown, as stale
            assert any(line.startswith("? ") and "stale" in line for line in lines), lines[:8]
            await pilot.press("1")
            await wait_for(pilot, lambda: new in app.current_view.table.row_keys(), what="the research rows")
            keys = list(app.current_view.table.row_keys())
            assert old not in keys and other in keys
            titles = [app.store.sessions[k].data.title for k in keys]
            assert titles.count(SHARED) == 1, titles
            await pilot.press("2")  # the old world's agents say whose they were
            view = app.current_view
            await wait_for(pilot, lambda: all(k in view.rows for k in old_agents), what="the agents")
            await wait_for(
                pilot,
                lambda: all(view.rows[k]["session"] == f"{SHARED} (replaced)" for k in old_agents),
                what="the replaced session named so in its agents' rows",
            )
            assert all(view.cells_for(k)["status"].plain == "? stale" for k in old_agents)
        finally:
            await again.aclose()
