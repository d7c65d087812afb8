"""The table layer: one record per row, work per change, counts, sorting by any column, widths from content."""

from __future__ import annotations

import random
from datetime import timedelta

from rich.style import Style
from textual.widgets import DataTable
from textual.widgets.data_table import RowKey

from aisci_tui.settings import Settings
from aisci_tui.store import Changes, Store
from aisci_tui.store.query import SessionTally, session_counts
from aisci_tui.tui.app import DashboardApp
from aisci_tui.tui.views.agents import AgentsView
from aisci_tui.tui.widgets import table as table_widget
from aisci_tui.tui.widgets.detail import DetailScreen
from aisci_tui.tui.widgets.sortmenu import SortMenu
from aisci_tui.tui.widgets.table import KeyedTable
from tests.tui.conftest import ListSource
from tests.tui.harness import (
    NOW,
    Harness,
    agent,
    cell,
    experiment,
    iso,
    progress,
    shown,
    static_text,
)


def beat(seconds_ago: float) -> dict:
    return {"last_heartbeat": iso(NOW - timedelta(seconds=seconds_ago)), "uptime": 60, "error_count": 0}


def test_the_private_parts_of_datatable_the_table_relies_on_still_exist():
    table = DataTable()
    missing = [name for name in table_widget.TEXTUAL_INTERNALS if not hasattr(table, name)]
    assert missing == []
    assert "_get_offsets" in vars(KeyedTable) and "_update_dimensions" in vars(KeyedTable)


async def test_each_row_is_one_record_that_the_table_paints_from():
    view = AgentsView()
    app = Harness(view)
    async with app.run_test(size=(140, 20)) as pilot:
        app.feed(agent("a1", "busy", name="Alpha", performance={"cpu_usage": 0.4}), agent("a2", "idle", name="Beta"))
        app.sync()
        await pilot.pause()
        record = view.records["a1"]
        assert view.table.rows[RowKey("a1")] is record  # the table's row is the record
        assert view.table._data[RowKey("a1")] is record.cells  # and its cells are the record's, not a copy
        assert view.rows["a1"] is record.values
        app.feed(agent("a1", "busy", name="Alpha", performance={"cpu_usage": 0.7}))
        app.sync()
        await pilot.pause()
        assert view.records["a1"] is record and record.cells["cpu"].plain == "70%" == cell(view, "a1", "cpu")


async def test_an_unchanged_row_is_not_rendered_again_and_a_changed_one_only_in_its_changed_cells():
    view = AgentsView()
    app = Harness(view)
    async with app.run_test(size=(140, 30)) as pilot:
        app.feed(
            *(
                agent(f"a{i:02}", "busy", name=f"Agent {i}", health=beat(5), performance={"cpu_usage": i / 100})
                for i in range(40)
            )
        )
        app.sync()
        await pilot.pause()
        cache = view.table._cell_render_cache
        before = {k: cache.get(k) for k in cache.keys()}  # noqa: SIM118 - an LRU cache, not a dict
        app.feed(agent("a03", "busy", name="Agent 3", health=beat(5), performance={"cpu_usage": 0.99}))
        app.sync()
        await pilot.pause()
        rendered = {
            (k[0].value, k[1].value)
            for k in cache.keys()  # noqa: SIM118
            if cache.get(k) is not before.get(k)
        }
        assert rendered == {("a03", "cpu")}  # one line, and in it only the changed cell
        assert cell(view, "a03", "cpu") == "99%"


async def test_counts_in_the_title_follow_updates_and_filters():
    view = AgentsView()
    app = Harness(view)
    async with app.run_test(size=(140, 20)) as pilot:
        app.feed(agent("a1", "busy"), agent("a2", "idle"), agent("a3", "busy"))
        app.sync()
        await pilot.pause()
        assert view.counts() == "3 · 2 busy"
        app.feed(agent("a3", "error"))
        app.sync()
        assert view.counts() == "3 · 1 busy"
        view.cycle_filter()  # busy only
        assert view.counts() == "1 of 3 · 1 busy"
        app.feed(agent("a2", "busy"), agent("a4", "idle"))
        app.sync()
        assert view.counts() == "2 of 4 · 2 busy" and shown(view) == ["a1", "a2"]


async def test_the_dashboard_title_shows_the_counts():
    items = [agent("a1", "busy"), agent("a2", "idle"), progress("s1", title="Run")]
    app = DashboardApp(ListSource(items, hold=True), settings=Settings(refresh_hz=20), clock=lambda: NOW)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.press("2")
        for _ in range(50):
            await pilot.pause(0.02)
            if "2 · 1 busy" in app._tabs.state:
                break
        assert "2 · 1 busy" in app._tabs.state


def test_session_tally_matches_a_full_count_after_every_change():
    rng = random.Random(3)
    store = Store()
    tally = SessionTally()
    tally.update(store, store.take_changes(), True)
    for step in range(300):
        kind = rng.random()
        sid = f"s{rng.randrange(4)}"
        if kind < 0.5:
            store.feed([agent(f"a{rng.randrange(30)}", rng.choice(["busy", "idle"]), session_id=sid)])
        elif kind < 0.8:
            store.feed(
                [experiment(f"e{rng.randrange(20)}", rng.choice(["completed", "failed", "partial"]), session_id=sid)]
            )
        else:
            acts = [{"agent_id": f"a{rng.randrange(30)}", "activity": "x"} for _ in range(rng.randrange(3))]
            store.feed([progress(sid, activities=acts)])
        changed = tally.update(store, store.take_changes(), False)
        full = session_counts(store)
        assert {s: tally.counts(s) for s in full} == full, step
        assert changed <= set(full)


async def test_sort_by_any_column_in_two_keys_and_again_to_reverse():
    items = [
        agent(f"a{i}", "busy", name=f"Agent {n}", performance={"cpu_usage": cpu})
        for i, (n, cpu) in enumerate([("C", 0.2), ("A", 0.9), ("B", 0.5)])
    ]
    app = DashboardApp(ListSource(items, hold=True), settings=Settings(refresh_hz=20), clock=lambda: NOW)
    async with app.run_test(size=(160, 30)) as pilot:
        await pilot.press("2")
        view = app.current_view
        for _ in range(50):
            await pilot.pause(0.02)
            if view.table.row_count == 3:
                break
        await pilot.press("s")
        assert isinstance(app.screen, SortMenu)
        keys = [k for k, _ in view.sort_columns()]
        await pilot.press(str(keys.index("cpu") + 1))
        await pilot.pause()
        assert not isinstance(app.screen, SortMenu)
        assert view.sort_column == "cpu" and shown(view) == ["a1", "a2", "a0"]  # largest first
        await pilot.press("s", str(keys.index("cpu") + 1))  # the same column again: reversed
        await pilot.pause()
        assert shown(view) == ["a0", "a2", "a1"] and "cpu ↑" in app.view_state["agents"]["sort"]
        await pilot.press("s", "1")  # the first column: by name
        await pilot.pause()
        assert shown(view) == ["a1", "a2", "a0"]


async def test_widths_follow_content_and_a_cut_cell_is_a_key_away():
    long_task = "literature_search_over_the_whole_corpus"
    view = AgentsView()
    app = Harness(view)
    async with app.run_test(size=(200, 20)) as pilot:
        app.feed(
            agent("a1", "busy", name="Scout", current_task={"type": long_task, "progress": 0.5}),
            agent("a2", "idle", name="Writer of papers"),
        )
        app.sync()
        await pilot.pause()
        widths = {col.key: width for col, width in view.table.shown}
        assert widths["name"] <= len("Writer of papers") + 2  # no wider than its longest value (or label)
        assert widths["task"] >= len(long_task)  # not cut while there is room
        assert long_task in app.export_screenshot().replace("&#160;", " ")

    narrow = AgentsView()
    app = Harness(narrow)
    name = "An agent with a name far too long for any column " * 2
    async with app.run_test(size=(90, 20)) as pilot:
        app.feed(agent("a1", "busy", name=name.strip()))
        app.sync()
        await pilot.pause()
        assert name.strip() not in app.export_screenshot().replace("&#160;", " ")  # cut in the table
        await pilot.press("v")
        await pilot.pause()
        assert isinstance(app.screen, DetailScreen)
        assert name.split()[0] in static_text(app.screen.query_one(".detail-body"), 300)


async def test_a_body_cell_is_drawn_exactly_as_datatable_draws_it():
    view = AgentsView()
    app = Harness(view)
    async with app.run_test(size=(160, 20)) as pilot:
        app.feed(
            agent(
                "a1",
                "busy",
                name="Alpha",
                current_task={"type": "literature_search", "progress": 0.4},
                performance={"cpu_usage": 0.4},
                health=beat(45),
            ),
            agent("a2", "hibernating", name="B" * 60),
            agent("a3", "offline"),
        )
        app.sync()
        await pilot.pause()
        table = view.table
        widths = [column.get_render_width(table) for column in table.ordered_columns]
        compared = 0
        for row in range(table.row_count):
            for column, width in enumerate(widths):
                for cursor in (False, True):
                    table._cell_render_cache.clear()
                    ours = table._render_cell(row, column, Style(bgcolor="black"), width, cursor)
                    table._cell_render_cache.clear()
                    theirs = DataTable._render_cell(table, row, column, Style(bgcolor="black"), width, cursor)
                    assert ours == theirs, (row, column, cursor)
                    compared += 1
        assert compared == 3 * len(widths) * 2


def test_session_tally_catches_up_on_a_full_pass_by_event_id_without_recounting_the_rest():
    store = Store()
    tally = SessionTally()
    store.feed([agent(f"a{i}", "busy", session_id=f"s{i % 3}") for i in range(9)] + [progress("s0"), progress("s1")])
    tally.update(store, store.take_changes(), True)
    store.feed([agent("a0", "idle", session_id="s0"), experiment("e1", "failed", session_id="s2")])
    store.take_changes()  # seen by another view: this tally never gets these changes
    recounted: list[str] = []
    original = tally._recount
    tally._recount = lambda st, sid: recounted.append(sid) or original(st, sid)  # type: ignore[method-assign]
    changed = tally.update(store, Changes(), True)
    assert changed == {"s0", "s2"} and sorted(recounted) == ["s0", "s2"]
    assert {s: tally.counts(s) for s in session_counts(store)} == session_counts(store)


async def test_a_hidden_view_builds_its_rows_ahead_and_draws_them_when_shown():
    items = [agent(f"a{i:03}", "busy", name=f"Agent {i}") for i in range(300)]
    app = DashboardApp(ListSource(items, hold=True), settings=Settings(refresh_hz=20), clock=lambda: NOW)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.press("1")
        hidden = app.views["agents"]
        for _ in range(100):
            await pilot.pause(0.02)
            if len(hidden.records) == 300:
                break
        assert len(hidden.records) == 300 and hidden.table.row_count == 0  # values built, nothing drawn
        assert hidden.records["a007"].values["name"] == "Agent 7"
        await pilot.press("2")
        for _ in range(100):
            await pilot.pause(0.02)
            if hidden.table.row_count == 300 and not hidden.behind():
                break
        assert shown(hidden)[:3] == ["a000", "a001", "a002"] and cell(hidden, "a000", "name") == "Agent 0"
        assert all(cell(hidden, k, "status") == "● busy" for k in shown(hidden))
