"""Agents view through the harness: keyed rows, filters, sort, export, detail screen, hostile text, speed."""

from __future__ import annotations

import time
from datetime import timedelta

from aisci_tui.store import Store, StoreLimits
from aisci_tui.tui.views.agents import AgentsView
from tests.tui.harness import NOW, Harness, agent, cell, iso, progress, shown, static_text


def beat(seconds_ago: float) -> dict:
    return {"last_heartbeat": iso(NOW - timedelta(seconds=seconds_ago)), "uptime": 3600, "error_count": 0}


async def test_rows_appear_update_in_place_and_disappear_by_key():
    view = AgentsView()
    app = Harness(view, Store(StoreLimits(agents=3)))
    async with app.run_test(size=(140, 30)) as pilot:
        app.feed(agent("a1", "busy", name="Alpha", performance={"cpu_usage": 0.4}), agent("a2", "idle", name="Beta"))
        app.sync()
        await pilot.pause()
        assert shown(view) == ["a1", "a2"]
        assert cell(view, "a1", "status") == "● busy" and cell(view, "a1", "cpu") == "40%"
        row_before = view.table.rows["a1"]

        app.feed(agent("a1", "error", name="Alpha", performance={"cpu_usage": 0.9}))
        app.sync()
        await pilot.pause()
        assert view.table.rows["a1"] is row_before  # same row object: updated, not rebuilt
        assert cell(view, "a1", "status") == "✖ error" and cell(view, "a1", "cpu") == "90%"

        # the store keeps three agents: two more push the oldest (a1) out, and its row goes
        app.feed(agent("a3", "offline"), agent("a4", "busy"))
        app.sync()
        await pilot.pause()
        assert set(shown(view)) == {"a2", "a3", "a4"}
        assert cell(view, "a3", "status") == "◌ offline"
        assert "a1" not in view.rows


async def test_unknown_status_is_shown_as_its_raw_word():
    view = AgentsView()
    app = Harness(view)
    async with app.run_test(size=(120, 20)) as pilot:
        app.feed(agent("a1", "hibernating"))
        app.sync()
        await pilot.pause()
        assert cell(view, "a1", "status") == "? hibernating"


async def test_stale_heartbeat_gets_a_marker_and_ages_with_the_clock():
    view = AgentsView()
    app = Harness(view)
    async with app.run_test(size=(140, 20)) as pilot:
        app.feed(agent("fresh", health=beat(5)), agent("old", health=beat(45)))
        app.sync()
        await pilot.pause()
        assert cell(view, "fresh", "heartbeat") == "5s"
        assert cell(view, "old", "heartbeat") == "! 45s"
        warning = view.palette["warning"]
        assert view.table.get_cell("old", "heartbeat").style == warning
        # time passes with no new events: the age moves on and turns stale
        app.now = NOW + timedelta(seconds=30)
        app.sync()
        await pilot.pause()
        assert cell(view, "fresh", "heartbeat") == "! 35s"


async def test_filter_cycle_text_filter_and_server_filters():
    view = AgentsView()
    app = Harness(view)
    async with app.run_test(size=(120, 24)) as pilot:
        app.feed(
            agent("a1", "busy", name="Literature Scout"),
            agent("a2", "idle", name="Paper Writer"),
            agent("a3", "error", name="Plot Generator"),
            agent("a4", "offline", name="Scout Two"),
        )
        app.sync()
        await pilot.pause()
        assert view.server_filters() is None
        labels = []
        for expected in (["a1"], ["a2"], ["a3"], ["a4"], ["a1", "a2", "a3", "a4"]):
            labels.append(view.cycle_filter())
            await pilot.pause()
            assert shown(view) == expected
        assert labels == ["status: busy", "status: idle", "status: error", "status: offline", "all"]
        view.cycle_filter()
        assert view.server_filters().status == ["busy"]
        view.cycle_filter(), view.cycle_filter(), view.cycle_filter(), view.cycle_filter()

        view.set_text_filter("SCOUT")
        await pilot.pause()
        assert shown(view) == ["a1", "a4"]
        view.set_text_filter("offline")  # matches the status column's word too
        assert shown(view) == ["a4"]
        # a new agent that matches appears while the filter is on; one that does not stays hidden
        app.feed(agent("a5", "offline", name="Z"), agent("a6", "busy", name="Y"))
        app.sync()
        await pilot.pause()
        assert shown(view) == ["a4", "a5"]
        view.set_text_filter("")
        assert len(shown(view)) == 6


async def test_sort_next_and_reverse_keep_the_highlighted_agent():
    view = AgentsView()
    app = Harness(view)
    async with app.run_test(size=(160, 24)) as pilot:
        app.feed(
            *(
                agent(f"a{i}", "busy", name=f"Agent {c}", performance={"cpu_usage": cpu})
                for i, (c, cpu) in enumerate([("C", 0.2), ("A", 0.9), ("B", None), ("D", 0.5)])
            )
        )
        app.sync()
        await pilot.pause()
        assert view.sort_next() == "sort: name ↑"
        assert shown(view) == ["a1", "a2", "a0", "a3"]
        assert view.sort_reverse() == "sort: name ↓"
        assert shown(view) == ["a3", "a0", "a2", "a1"]
        view.table.select_key("a0")
        labels = [view.sort_next() for _ in range(4)]
        assert labels[-1] == "sort: cpu ↓"  # numeric columns start with the largest
        assert shown(view) == ["a1", "a3", "a0", "a2"]  # missing value last
        assert view.table.selected_key() == "a0"
        assert str(view.table.columns["cpu"].label) == "CPU ↓"
        view.sort_reverse()
        assert shown(view) == ["a0", "a3", "a1", "a2"]  # still last when reversed
        # an update that changes the sort value moves the row
        app.feed(agent("a2", "busy", name="Agent B", performance={"cpu_usage": 0.01}))
        app.sync()
        await pilot.pause()
        assert shown(view)[0] == "a2"
        assert view.table.selected_key() == "a0"


async def test_export_rows_are_full_untruncated_values_of_the_shown_rows():
    view = AgentsView()
    app = Harness(view)
    long_name = "Research agent " + "x" * 500
    async with app.run_test(size=(100, 24)) as pilot:
        app.feed(
            agent(
                "a1",
                "busy",
                name=long_name,
                current_task={"type": "data_analysis", "progress": 0.5},
                performance={"cpu_usage": 0.45},
                health=beat(40),
            ),
            agent("a2", "idle", name="Other"),
        )
        app.sync()
        await pilot.pause()
        view.cycle_filter()  # busy only
        columns, rows = view.export_rows()
        assert columns[:3] == ["name", "status", "task"] and "agent_id" in columns and "uptime" in columns
        assert len(rows) == 1
        row = rows[0]
        assert row["name"] == long_name and row["task"] == "data_analysis" and row["progress"] == 0.5
        assert row["cpu"] == 0.45 and row["heartbeat"] == 40.0 and row["stale"] is True
        assert not any(k.startswith("_") for k in row)
        assert cell(view, "a1", "name") != long_name  # the cell holds a capped copy


async def test_enter_opens_the_agent_detail_in_place_which_follows_updates_and_esc_goes_back():
    view = AgentsView()
    app = Harness(view)
    async with app.run_test(size=(120, 40)) as pilot:
        app.feed(
            agent("a1", "idle", name="Scout"),
            agent(
                "a2",
                "busy",
                name="Runner",
                session_id="s1",
                current_task={"id": "t9", "type": "training_run", "progress": 0.3},
                health=beat(3),
                extra_field="kept",
            ),
        )
        app.feed(agent("a2", "error", name="Runner", session_id="s1", health=beat(1)))
        app.sync()
        await pilot.pause()
        view.table.focus()
        assert not view.pane.display, "no preview beside the agents table"
        await pilot.press("down", "enter")
        await pilot.pause()
        assert view.is_open and view.pane.display and not view.table.display and app.focused is view.pane
        body = static_text(view.pane.query_one(".detail-body"))
        assert "Runner" in body and "✖ error" in body and "Session" in body and "s1" in body
        assert "Status history (2 changes)" in body and "●✖" in body
        app.feed(agent("a2", "idle", name="Runner", session_id="s1"))
        app.sync()
        await pilot.pause()
        assert "Status history (3 changes)" in static_text(view.pane.query_one(".detail-body"))
        await pilot.press("escape")
        await pilot.pause()
        assert not view.is_open and view.table.display and app.focused is view.table


async def test_session_scope_hides_only_agents_of_other_sessions():
    view = AgentsView()
    app = Harness(view, session_id="s1")
    async with app.run_test(size=(120, 24)) as pilot:
        app.feed(agent("a1", session_id="s1"), agent("b1", session_id="s2"), agent("c1"))
        app.sync()
        await pilot.pause()
        assert shown(view) == ["a1", "c1"]  # c1 names no session: shown (the session rule)
        app.feed(progress("s1", activities=[{"agent_id": "c1", "activity": "plotting"}]))
        app.sync()
        await pilot.pause()
        assert shown(view) == ["a1", "c1"]
        app.session_id = None
        app.sync(full=True)
        await pilot.pause()
        assert shown(view) == ["a1", "b1", "c1"]


async def test_columns_collapse_at_80_columns():
    view = AgentsView()
    app = Harness(view)
    async with app.run_test(size=(80, 24)) as pilot:
        app.feed(agent("a1"))
        app.sync()
        await pilot.pause()
        narrow = [c.key for c, _ in view.table.shown]
        assert narrow[:2] == ["name", "status"] and "heartbeat" in narrow and "uptime" not in narrow
        assert sum(w + 2 for _, w in view.table.shown) <= 80
        app.view.styles.width = 200
        await pilot.resize_terminal(200, 24)
        await pilot.pause()
        assert len(view.table.shown) == len([c for c in AgentsView.COLUMNS if not c.optional])
        assert cell(view, "a1", "status") == "● busy"


async def test_hostile_text_is_shown_literally():
    view = AgentsView()
    app = Harness(view)
    async with app.run_test(size=(120, 24)) as pilot:
        app.feed(
            agent("a1", name="[bold red]x[/]", current_task={"type": "\x1b]52;c;ZXZpbA==\x07steal"}),
            agent("a2", name="\x1b[2J\x1b[31mred\u202ereversed"),
        )
        app.sync()
        await pilot.pause()
        assert cell(view, "a1", "name") == "[bold red]x[/]"
        assert "\x1b" not in cell(view, "a1", "task") and cell(view, "a1", "task").endswith("steal")
        assert "\x1b" not in cell(view, "a2", "name") and "\u202e" not in cell(view, "a2", "name")
        svg = app.export_screenshot()
        assert "[bold red]x[/]" in svg.replace("&#160;", " ")


async def test_500_agents_sync_in_a_few_milliseconds():
    """Timed in CPU seconds of this thread (``time.thread_time``): the work a sync does, which other
    processes loading the machine do not inflate as they do wall time. The wall-clock figures are
    the benchmarks' (``python -m benchmarks``)."""
    view = AgentsView()
    app = Harness(view)
    async with app.run_test(size=(160, 40)) as pilot:
        app.feed(
            *(
                agent(
                    f"a{i:03}",
                    "busy",
                    name=f"Agent {i}",
                    health=beat(i % 20),
                    performance={"cpu_usage": (i % 97) / 100},
                )
                for i in range(500)
            )
        )
        app.sync()
        await pilot.pause()
        assert view.table.row_count == 500
        for _ in range(5):
            view.sort_next()  # by cpu, so updates also move rows

        async def median_sync(advance_clock: bool) -> float:
            timings = []
            for tick in range(9):
                app.feed(
                    *(
                        agent(
                            f"a{i:03}",
                            "busy",
                            name=f"Agent {i}",
                            health=beat(i % 20),
                            performance={"cpu_usage": ((i + tick) % 89) / 100},
                        )
                        for i in range(tick, 500, 50)
                    )
                )
                if advance_clock:  # every heartbeat age on screen changes
                    app.now += timedelta(seconds=1)
                start = time.thread_time()
                app.sync()
                timings.append(time.thread_time() - start)
                await pilot.pause()
            return sorted(timings)[len(timings) // 2]

        typical = await median_sync(advance_clock=False)
        worst = await median_sync(advance_clock=True)
        assert typical < 0.010, f"10 of 500 agents changed: median sync {typical * 1000:.1f} ms"
        assert worst < 0.040, f"every heartbeat age changed: median sync {worst * 1000:.1f} ms"
        assert [cell(view, k, "cpu") for k in shown(view)[:1]] != ["—"]
        start = time.thread_time()
        app.sync(full=True)
        assert time.thread_time() - start < 0.1


async def test_the_busy_count_follows_the_rows_a_filter_takes_out_and_brings_back():
    view = AgentsView()
    app = Harness(view)
    async with app.run_test(size=(120, 24)) as pilot:
        app.feed(agent("a1", "busy"), agent("a2", "busy"), agent("a3", "idle"))
        app.sync()
        await pilot.pause()
        assert view.counts() == "3 · 2 busy"
        assert view.cycle_filter() == "status: busy"
        await pilot.pause()
        assert view.counts() == "2 of 3 · 2 busy"
        assert view.cycle_filter() == "status: idle"
        await pilot.pause()
        assert view.counts() == "1 of 3 · 0 busy"
