"""Two real servers behind one dashboard (Pilot): one killed and restarted, the other stays live."""

from __future__ import annotations

import asyncio

from aisci_tui.sources.fanin import FanIn
from aisci_tui.tui.app import DashboardApp
from tests.client.conftest import API_KEY, running
from tests.fleet.sources import fleet_source
from tests.fleet.test_fanin import port_of, progress
from tests.rendered import status_shown
from tests.waiting import app_until


def status(app: DashboardApp) -> str:
    return status_shown(app)


def home_lines(app: DashboardApp) -> list[str]:
    from textual.widgets import OptionList

    box = app.query_one("#home-list", OptionList)
    return [str(box.get_option_at_index(i).prompt) for i in range(box.option_count)]


async def test_one_dashboard_two_servers_one_killed_and_restarted(settings, monkeypatch):
    monkeypatch.setenv("AISCI_API_KEY", API_KEY)
    async with running() as a:
        b_running = running()
        b = await b_running.__aenter__()
        port_b = port_of(b.url)
        label_a, label_b = f"127.0.0.1:{port_of(a.url)}", f"127.0.0.1:{port_b}"
        await a.publish(progress("ses-1", "writing", "a-1"))
        await b.publish(progress("ses-1", "analysis", "b-1"))  # the same session id on both servers
        source = fleet_source([a.url, b.url])
        assert isinstance(source, FanIn)
        app = DashboardApp(source, settings=settings)
        sa, sb = f"{label_a}/ses-1", f"{label_b}/ses-1"
        async with app.run_test(size=(160, 40)) as pilot:
            await app_until(pilot, lambda: {sa, sb} <= set(app.store.sessions), what="both sessions, apart")
            await app_until(pilot, lambda: status(app).startswith("● 2/2 open"), what="2/2 open")
            assert "not live" not in status(app)
            await b_running.__aexit__(None, None, None)  # B is killed
            await app_until(pilot, lambda: status(app).startswith("● 1/2 open"), what="1/2 open")
            assert f"{label_b} not live" in status(app) and label_a not in status(app).split("  ")[0]
            await a.publish(progress("ses-1", "experimentation", "a-2"))
            await app_until(
                pilot, lambda: app.store.sessions[sa].data.current_phase == "experimentation", what="A still live"
            )
            assert app.store.sessions[sb].data.current_phase == "analysis"  # B's data kept, not cleared
            await app_until(
                pilot,
                lambda: any(sb in t and "not live" in t for t in home_lines(app)),
                what="B's session marked not live on the home screen",
            )
            assert not any(sa in t and "not live" in t for t in home_lines(app))
            async with running(port=port_b) as b2:
                await b2.publish(progress("ses-1", "writing", "b-2"))
                await app_until(pilot, lambda: status(app).startswith("● 2/2 open"), timeout=15, what="2/2 open again")
                await app_until(
                    pilot, lambda: app.store.sessions[sb].data.current_phase == "writing", what="B live again"
                )
                assert "not live" not in status(app)
                await pilot.press("1")  # the research view shows both sessions, each named with its server
                await asyncio.sleep(0.2)
                await app_until(
                    pilot,
                    lambda: {sa, sb} <= set(app.current_view.table.row_keys()),
                    what="both rows in the research view",
                )
        await source.aclose()
