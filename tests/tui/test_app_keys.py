"""Every dashboard key, driven with Textual's pilot against the real simulator server and client."""

from __future__ import annotations

import csv
import json
import re

from aisci_tui.protocol.models import AgentStatusData
from aisci_tui.sources.base import ConnectionState
from aisci_tui.tui.app import DashboardApp
from aisci_tui.tui.bindings import APP_BINDINGS, VIEW_IDS
from aisci_tui.tui.chrome import FilterInput, ViewTabs
from aisci_tui.tui.screens import ExportDialog, HelpScreen
from tests.rendered import status_shown
from tests.tui.conftest import KEY, Tap, make_client, wait_for


def live(app: DashboardApp) -> bool:
    return app.store.connection.state == ConnectionState.OPEN and len(app.store.agents) > 0


async def test_number_keys_switch_views_and_each_view_is_synced(sim_server, settings):
    app = DashboardApp(make_client(sim_server), settings=settings)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, lambda: live(app), what="live data")
        tabs = app.query_one("#tabs", ViewTabs)
        for n, view_id in enumerate(VIEW_IDS):
            before = app.gate.syncs  # the sync count: a view can look the same after a sync, so only it says one ran
            await pilot.press(str(n))
            assert app.current_view.VIEW_ID == view_id
            assert tabs.current == view_id
            await wait_for(pilot, lambda b=before: app.gate.syncs > b, what=f"sync of {view_id}")
        await pilot.press("2")
        columns, rows = app.current_view.export_rows()
        assert rows, "the agents view shows the agents in the store"
        assert "● open" in status_shown(app)


async def test_slash_filters_rows_enter_keeps_escape_clears(sim_server, settings):
    app = DashboardApp(make_client(sim_server), settings=settings)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, lambda: len(app.store.agents) >= 3, what="agents")
        await pilot.press("2")
        await pilot.pause(0.1)
        name = next(e.data.name for e in app.store.agents.values() if e.data.name)
        target = max(re.findall(r"[A-Za-z0-9]+", name), key=len)  # letters and digits type as themselves
        box = app.query_one("#filter-input", FilterInput)
        await pilot.press("slash")
        assert app.focused is box and not box.has_class("hidden")
        await pilot.press(*target)
        await pilot.press("enter")
        assert app.focused is not box
        await pilot.pause(0.15)
        _, rows = app.current_view.export_rows()
        assert rows and all(target.lower() in json.dumps(row).lower() for row in rows)
        assert "filter: " + target in app.query_one("#tabs", ViewTabs).state
        await pilot.press("slash", "escape")
        await pilot.pause(0.15)
        assert box.has_class("hidden") and box.value == ""
        _, rows = app.current_view.export_rows()
        assert len(rows) > 1


async def test_f_cycles_the_filter_and_narrows_the_subscription(busy_server, settings):
    tap = Tap(make_client(busy_server))
    app = DashboardApp(tap, settings=settings)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, lambda: live(app), what="live data")
        await pilot.press("2")
        await pilot.press("f")
        label = app.query_one("#tabs", ViewTabs).state
        wanted = app.current_view.server_filters()
        assert wanted is not None and wanted.status, label
        await wait_for(
            pilot,
            lambda: any(r.spec.filters and r.spec.filters.status == wanted.status for r in tap.inner.records),
            what="re-subscription",
        )
        await pilot.pause(0.3)
        mark = len(tap.items)
        await wait_for(
            pilot,
            lambda: sum(isinstance(i.data, AgentStatusData) for i in tap.items[mark:] if hasattr(i, "data")) >= 2,
            timeout=6,
            what="agent events after",
        )
        after = [i.data.status for i in tap.items[mark:] if isinstance(getattr(i, "data", None), AgentStatusData)]
        assert set(after) <= set(wanted.status), after
        other_types = {i.type for i in tap.items[mark:] if hasattr(i, "type") and i.type != "agent_status"}
        assert other_types, "other event types keep flowing while the agents view filters"
        for _ in range(6):  # cycling all the way round goes back to no filter
            if app.current_view.server_filters() is None:
                break
            await pilot.press("f")
        assert app.current_view.server_filters() is None
        await wait_for(
            pilot,
            lambda: all(not (r.spec.filters and r.spec.filters.status) for r in tap.inner.records),
            what="filter removed",
        )


async def test_s_and_shift_s_sort_and_show_the_order(sim_server, settings):
    app = DashboardApp(make_client(sim_server), settings=settings)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, lambda: live(app), what="live data")
        await pilot.press("2", "s", "1")  # the sort menu, then its first column
        first = app.view_state["agents"]["sort"]
        assert first.startswith("sort")
        await pilot.press("S")
        second = app.view_state["agents"]["sort"]
        assert second != first and second in app.query_one("#tabs", ViewTabs).state


async def test_p_freezes_the_screen_while_the_store_keeps_growing(busy_server, settings):
    app = DashboardApp(make_client(busy_server), settings=settings)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, lambda: live(app), what="live data")
        await pilot.press("2")
        await pilot.pause(0.2)
        await pilot.press("p")
        assert "PAUSED" in status_shown(app)
        # Toasts float above the dashboard and critical ones must show even while paused;
        # compare the dashboard itself.
        app.clear_notifications()
        await pilot.pause(0.1)
        frozen = app.export_screenshot()
        # beside the screenshots, the sync count: the screen staying still could also be a sync that drew the same
        syncs, version = app.gate.syncs, app.store.version
        await wait_for(pilot, lambda: app.store.version > version + 20, what="events while paused")
        await pilot.pause(0.2)
        app.clear_notifications()
        await pilot.pause(0.05)
        assert app.export_screenshot() == frozen
        assert app.gate.syncs == syncs
        await pilot.press("p")
        await wait_for(pilot, lambda: app.gate.syncs > syncs, what="catch-up sync")
        await pilot.pause(0.1)
        assert "PAUSED" not in status_shown(app)
        assert app.export_screenshot() != frozen


async def test_r_reconnects_now(sim_server, settings):
    tap = Tap(make_client(sim_server))
    app = DashboardApp(tap, settings=settings)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, lambda: live(app), what="live data")
        opened = tap.states().count(ConnectionState.OPEN)
        await pilot.press("r")
        await wait_for(pilot, lambda: tap.states().count(ConnectionState.OPEN) > opened, what="second open")
        assert ConnectionState.RECONNECTING in tap.states()
        assert app.store.connection.state == ConnectionState.OPEN


async def test_e_exports_json_and_csv_without_credentials(sim_server, settings):
    app = DashboardApp(make_client(sim_server), settings=settings)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, lambda: live(app), what="live data")
        await pilot.press("2")
        await pilot.pause(0.15)
        await pilot.press("e")
        assert isinstance(app.screen, ExportDialog)
        await pilot.press("j")
        await wait_for(pilot, lambda: app.last_export is not None, what="json export")
        doc = json.loads(app.last_export.read_text())
        assert doc["view"] == "agents" and doc["rows"] and doc["columns"]
        assert app.last_export.parent == settings.export_dir
        json_path = app.last_export
        await pilot.press("e", "c")
        await wait_for(pilot, lambda: app.last_export != json_path, what="csv export")
        with app.last_export.open(newline="") as fh:
            table = list(csv.reader(fh))
        assert table[0] == doc["columns"] and len(table) > 1
        await pilot.press("e", "escape")
        assert not isinstance(app.screen, ExportDialog)
        for path in settings.export_dir.iterdir():
            assert KEY not in path.read_text()


async def test_ctrl_s_saves_an_svg_without_credentials(sim_server, settings):
    app = DashboardApp(make_client(sim_server), settings=settings)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: live(app), what="live data")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.last_screenshot is not None, what="screenshot")
        svg = open(app.last_screenshot, encoding="utf-8").read()
        assert svg.lstrip().startswith("<svg") and "Agents" in svg
        assert KEY not in svg


async def test_question_mark_lists_every_binding_and_follows_the_keymap(sim_server, settings):
    settings.keymap = {"pause": "space"}
    app = DashboardApp(make_client(sim_server), settings=settings)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: live(app), what="live data")
        await pilot.press("question_mark")  # on Home: only the keys that do something there
        home_ids = {row.binding_id for row in app.screen.rows}
        assert "cycle-filter" not in home_ids and "sort" not in home_ids and "pause" in home_ids
        await pilot.press("escape")
        await pilot.press("2")
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        ids = {row.binding_id: row for row in app.screen.rows}
        for binding in APP_BINDINGS:
            assert binding.id in ids, binding.id
        assert ids["pause"].key == "space"
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)
        await pilot.press("space")
        assert app.paused
        await pilot.press("p")
        assert app.paused, "p no longer pauses once remapped"


async def test_palette_offers_dashboard_and_textual_commands(sim_server, settings):
    from textual.system_commands import SystemCommandsProvider

    from aisci_tui.tui.palette import DashboardCommands

    assert DashboardCommands in DashboardApp.COMMANDS
    assert any(
        c is SystemCommandsProvider or getattr(c, "__name__", "") == "get_system_commands_provider"
        for c in DashboardApp.COMMANDS
    )
    app = DashboardApp(make_client(sim_server), settings=settings)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, lambda: live(app), what="live data")
        await pilot.press("ctrl+p")
        await pilot.press(*"pause")
        await pilot.pause(0.4)
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.paused, what="pause from the palette")


async def test_q_quits(sim_server, settings):
    app = DashboardApp(make_client(sim_server), settings=settings)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: live(app), what="live data")
        await pilot.press("q")
        await pilot.pause(0.1)
        assert not app.is_running
    assert app.return_code == 0


async def test_opening_a_session_narrows_header_and_subscription_escape_goes_back(sim_server, settings):
    tap = Tap(make_client(sim_server))
    app = DashboardApp(tap, settings=settings)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, lambda: live(app) and len(app.store.sessions) >= 2, what="sessions")
        await pilot.press("1")
        await pilot.pause(0.1)
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.session_id is not None, what="a chosen session")
        chosen = app.session_id
        assert f"({chosen})" in status_shown(app)
        await wait_for(
            pilot,
            lambda: any(r.spec.filters and r.spec.filters.session_id == chosen for r in tap.inner.records),
            what="session subscription",
        )
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.session_id is None, what="back to all sessions")
        await wait_for(
            pilot,
            lambda: all(not (r.spec.filters and r.spec.filters.session_id) for r in tap.inner.records),
            what="session filter removed",
        )
