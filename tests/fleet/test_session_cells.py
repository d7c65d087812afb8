"""The Session cell of the Agents, Experiments and Ethics rows names the server when there are several."""

from __future__ import annotations

from aisci_tui.server import ProtocolServer, ServerConfig
from aisci_tui.tui.app import DashboardApp
from tests.client.conftest import API_KEY
from tests.fleet.sources import fleet_source
from tests.tui.conftest import make_client
from tests.waiting import app_until

#: The same seed on both servers: the same sessions, titles and ids on each (the ids are told apart by prefix).
WORLD = dict(port=0, api_keys=(API_KEY,), seed=11, speed=2.0, sessions=2)


async def session_cells(app: DashboardApp, pilot) -> dict[str, list[tuple[str | None, str]]]:
    """Per table view, (session id, Session cell) of every row that names a session."""
    out: dict[str, list[tuple[str | None, str]]] = {}
    for key in "234":
        await pilot.press(key)
        view = app.current_view
        await app_until(pilot, lambda v=view: len(v.rows) > 0, what=f"rows in {view.VIEW_ID}")
        await pilot.pause(0.3)
        out[view.VIEW_ID] = [(view.rows[k].get("session_id"), view.rows[k]["session"]) for k in view.rows]
    return out


async def test_two_servers_rows_name_their_server_and_one_server_rows_do_not(settings, monkeypatch):
    monkeypatch.setenv("AISCI_API_KEY", API_KEY)
    async with ProtocolServer(ServerConfig(**WORLD)) as a, ProtocolServer(ServerConfig(**WORLD)) as b:
        source = fleet_source([a.url, b.url])
        app = DashboardApp(source, settings=settings)
        async with app.run_test(size=(200, 40)) as pilot:
            store = app.store
            await app_until(
                pilot,
                lambda: len(store.sessions) == 4 and store.experiments and store.assessments,
                timeout=10,
                what="both worlds",
            )
            titles = {e.data.title for e in store.sessions.values()}
            assert len(titles) == 2, "both servers have the same sessions: only the server tells them apart"
            cells = await session_cells(app, pilot)
            for view_id, rows in cells.items():
                named = [(sid, cell) for sid, cell in rows if sid]
                assert named, view_id
                for sid, cell in named:
                    endpoint = store.connection.endpoint_of(sid)
                    assert endpoint is not None, sid
                    title = store.sessions[sid].data.title
                    assert cell == f"{endpoint[0]} · {title}", (view_id, sid, cell)
                servers = {store.connection.endpoint_of(sid)[0] for sid, _ in named}  # type: ignore[index]
                assert len(servers) == 2, (view_id, servers)
        await source.aclose()

    async with ProtocolServer(ServerConfig(**WORLD)) as one:
        app = DashboardApp(make_client(one, key=API_KEY), settings=settings)
        async with app.run_test(size=(200, 40)) as pilot:
            store = app.store
            await app_until(
                pilot,
                lambda: len(store.sessions) == 2 and store.experiments and store.assessments,
                timeout=10,
                what="one world",
            )
            cells = await session_cells(app, pilot)
            for view_id, rows in cells.items():
                named = [(sid, cell) for sid, cell in rows if sid]
                assert named, view_id
                assert all(cell == store.sessions[sid].data.title for sid, cell in named), (view_id, named[:3])


async def test_an_agent_from_the_guide_literal_peer_names_that_server(settings, monkeypatch, guide_peer):
    """The guide's server, beside ours: its agents' Session cells name it, ours name ours."""
    from datetime import UTC, datetime

    from tests.peers.fixtures import PEER_KEY

    monkeypatch.setenv("AISCI_API_KEY", PEER_KEY)
    now = datetime.now(UTC).isoformat().replace("+00:00", "Z")
    async with ProtocolServer(ServerConfig(**{**WORLD, "api_keys": (PEER_KEY,), "sessions": 1})) as ours:
        source = fleet_source([ours.url, guide_peer.url])
        app = DashboardApp(source, settings=settings)
        async with app.run_test(size=(200, 40)) as pilot:
            await app_until(pilot, lambda: guide_peer.stats["subscriptions"] >= 1, timeout=10, what="the peer")
            progress = {"session_id": "ses-g", "title": "Guide study", "overall_progress": 0.5}
            await guide_peer.publish({"type": "research_progress", "id": "g-1", "timestamp": now, "data": progress})
            agent = {"agent_id": "agt-g", "status": "busy", "session_id": "ses-g"}
            await guide_peer.publish({"type": "agent_status", "id": "g-2", "timestamp": now, "data": agent})
            store = app.store
            label_guide = f"127.0.0.1:{guide_peer.url.rsplit(':', 1)[1].split('/')[0]}"
            await app_until(pilot, lambda: f"{label_guide}/agt-g" in store.agents, timeout=10, what="the peer's agent")
            await pilot.press("2")
            view = app.current_view
            await app_until(pilot, lambda: f"{label_guide}/agt-g" in view.rows, what="its row")
            await pilot.pause(0.3)
            assert view.rows[f"{label_guide}/agt-g"]["session"] == f"{label_guide} · Guide study"
            ours_rows = [r for k, r in view.rows.items() if not k.startswith(label_guide) and r.get("session_id")]
            assert ours_rows and all(r["session"].startswith("127.0.0.1:") for r in ours_rows)
            assert all(not r["session"].startswith(label_guide) for r in ours_rows)
        await source.aclose()
