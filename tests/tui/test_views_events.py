"""Events view: system events, errors and invalid frames as a bounded log, newest first."""

from __future__ import annotations

import time

from aisci_tui.sources.base import Notice
from aisci_tui.store import Store, StoreLimits
from aisci_tui.tui.views.events import EventsView
from tests.tui.harness import Harness, cell, shown, static_text, system

MAINTENANCE = {
    "title": "System Maintenance Scheduled",
    "description": "Scheduled maintenance will affect agent services",
    "affected_services": ["agent_service", "research_orchestrator"],
    "scheduled_time": "2026-01-02T02:00:00Z",
    "estimated_duration": 1800,
    "actions_required": ["Save all active research sessions", "Export critical experiment results"],
    "alternatives": {"continue_offline": True, "use_backup_agents": False},
}


async def test_entries_are_appended_newest_first_and_every_field_has_a_place():
    view = EventsView()
    app = Harness(view)
    async with app.run_test(size=(240, 30)) as pilot:
        app.feed(system("warning", "maintenance", **MAINTENANCE))
        app.sync()
        await pilot.pause()
        first = shown(view)
        assert len(first) == 1
        key = first[0]
        assert cell(view, key, "severity") == "⚠ warning" and cell(view, key, "kind") == "maintenance"
        assert cell(view, key, "title") == "System Maintenance Scheduled"
        assert cell(view, key, "services") == "agent_service, research_orchestrator"
        assert cell(view, key, "actions").startswith("Save all active research sessions, Export")
        assert cell(view, key, "scheduled") == "2026-01-02 02:00" and cell(view, key, "duration") == "30m 00s"
        assert cell(view, key, "alternatives") == "continue_offline=True, use_backup_agents=False"
        row_before = view.table.rows[key]
        app.feed(system("info", "scale", title="Scaled up"))
        app.store.note(Notice(kind="error", text="Too many requests", code="RATE_LIMITED", severity="error"))
        app.store.note(Notice(kind="invalid", text="not valid JSON: unexpected character"))
        app.sync()
        await pilot.pause()
        keys = shown(view)
        assert len(keys) == 4 and keys[-1] == key and view.table.rows[key] is row_before
        assert [cell(view, k, "title") for k in keys[:3]] == [
            "not valid JSON: unexpected character",
            "Too many requests",
            "Scaled up",
        ]
        assert cell(view, keys[1], "kind") == "RATE_LIMITED" and cell(view, keys[1], "severity") == "✖ error"
        assert cell(view, keys[1], "time") == "12:00:00"  # no timestamp: when the view first saw it
        columns, rows = view.export_rows()
        assert {"time", "severity", "title", "description", "services", "actions", "alternatives"} <= set(columns)
        assert rows[-1]["description"] == MAINTENANCE["description"]
        assert rows[-1]["time"].startswith("2026-01-01T")


async def test_the_log_is_bounded_like_the_store():
    view = EventsView()
    app = Harness(view, Store(StoreLimits(log=50)))
    async with app.run_test(size=(120, 30)) as pilot:
        for batch in range(4):
            app.feed(*(system("info", title=f"event {batch}-{i}") for i in range(30)))
            app.sync()
            await pilot.pause()
        assert view.table.row_count == 50
        assert cell(view, shown(view)[0], "title") == "event 3-29"
        assert cell(view, shown(view)[-1], "title") == "event 2-10"
        assert len(view.rows) == 50


async def test_severity_filter_cycle_and_text_filter():
    view = EventsView()
    app = Harness(view)
    async with app.run_test(size=(120, 30)) as pilot:
        app.feed(
            system("info", title="i"),
            system("warning", title="w"),
            system("error", title="e"),
            system("critical", title="c"),
            system("mystery", title="m"),
        )
        app.sync()
        await pilot.pause()
        titles = lambda: [cell(view, k, "title") for k in shown(view)]  # noqa: E731
        assert titles() == ["m", "c", "e", "w", "i"]
        assert cell(view, shown(view)[0], "severity") == "? mystery"
        assert view.cycle_filter() == "severity: ≥warning"
        assert titles() == ["c", "e", "w"]
        assert view.server_filters().severity == ["warning", "error", "critical"]
        assert view.cycle_filter() == "severity: ≥error"
        assert titles() == ["c", "e"]
        assert view.cycle_filter() == "severity: critical"
        assert titles() == ["c"]
        assert view.cycle_filter() == "all"
        view.set_text_filter("W")
        assert titles() == ["w"]


async def test_enter_opens_the_full_entry():
    view = EventsView()
    app = Harness(view)
    async with app.run_test(size=(120, 40)) as pilot:
        app.feed(system("critical", "error", **{**MAINTENANCE, "title": "Outage", "description": "D" * 300}))
        app.sync()
        await pilot.pause()
        view.table.focus()
        await pilot.press("enter")
        await pilot.pause()
        assert view.is_open and not view.table.display
        text = static_text(view.pane.query_one(".detail-body"), 110)
        assert "‼ critical  Outage" in text and "D" * 100 in text and "Export critical experiment results" in text
        assert "continue_offline" in text and "yes" in text and "30m 00s" in text
        await pilot.press("escape")
        await pilot.pause()
        assert not view.is_open and view.table.display


async def test_session_scope_keeps_global_events():
    view = EventsView()
    app = Harness(view, session_id="s1")
    async with app.run_test(size=(120, 30)) as pilot:
        app.feed(system(title="global"), system(title="mine", session_id="s1"), system(title="other", session_id="s2"))
        app.sync()
        await pilot.pause()
        assert sorted(cell(view, k, "title") for k in shown(view)) == ["global", "mine"]


async def test_hostile_event_text_is_literal_and_fast():
    view = EventsView()
    app = Harness(view)
    async with app.run_test(size=(160, 30)) as pilot:
        app.feed(
            system(
                "warning",
                title="[bold red]x[/]\x1b[2J",
                description="\x1b]8;;http://e\x07" + "z" * 600_000,
                actions_required=[f"act {i}" for i in range(100_000)],
            )
        )
        start = time.perf_counter()
        app.sync()
        await pilot.pause()
        assert time.perf_counter() - start < 2.0
        key = shown(view)[0]
        assert cell(view, key, "title").startswith("[bold red]x[/]") and "\x1b" not in cell(view, key, "title")
        assert "\x1b" not in cell(view, key, "description") and len(cell(view, key, "description")) <= 200


async def test_an_empty_table_says_why():
    view = EventsView()
    app = Harness(view)
    async with app.run_test(size=(120, 30)) as pilot:
        app.sync()
        await pilot.pause()
        label = view.query_one(".view-empty")
        assert label.display and "No system events" in static_text(label)
        app.feed(system("info", title="hello"))
        app.sync()
        await pilot.pause()
        assert not label.display
        view.cycle_filter()  # ≥warning hides the only entry
        await pilot.pause()
        assert label.display and "Nothing matches the filters" in static_text(label)
