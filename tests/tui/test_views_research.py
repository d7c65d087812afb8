"""Research view: the session overview, choosing a session, and one session's progress in full."""

from __future__ import annotations

from datetime import timedelta

from aisci_tui.tui.views.research import ResearchView
from tests.tui.harness import NOW, Harness, agent, cell, experiment, iso, progress, shown, static_text

CLIMATE = {
    "title": "Climate Change Impact Study",
    "overall_progress": 0.45,
    "current_phase": "experimentation",
    "phase_progress": 0.30,
    "activities": [
        {"agent_id": "a1", "activity": "Running climate simulations", "progress": 0.80, "status": "in_progress"},
        {"agent_id": "ghost", "activity": "Unknown agent's work", "progress": 0.1},
    ],
    "milestones": [
        {"name": "Data Collection Complete", "status": "completed", "completed_at": iso(NOW - timedelta(minutes=30))},
        {"name": "Experiment Design", "status": "in_progress", "progress": 0.60},
        {"name": "Paper Draft", "status": "pending"},
    ],
    "timeline": {
        "started_at": iso(NOW - timedelta(hours=2)),
        "estimated_completion": iso(NOW + timedelta(hours=6)),
        "time_elapsed": 7200,
        "time_remaining": 21600,
    },
}


async def test_overview_has_one_line_per_session_with_counts():
    view = ResearchView()
    app = Harness(view)
    async with app.run_test(size=(160, 30)) as pilot:
        app.feed(
            progress("s1", **CLIMATE),
            progress("s2", title="Second", overall_progress=0.9, current_phase="quantum_meditation"),
            agent("a1", "busy", name="Alpha", session_id="s1"),
            agent("a2", "idle", session_id="s1"),
            experiment("e1", "completed", session_id="s1"),
            experiment("e2", "failed", session_id="s1"),
        )
        app.sync()
        await pilot.pause()
        assert shown(view) == ["s1", "s2"]
        assert cell(view, "s1", "title") == "Climate Change Impact Study"
        assert cell(view, "s1", "phase") == "experimentation"
        assert cell(view, "s1", "progress").endswith("45%")
        assert cell(view, "s1", "eta") == "in 6h 00m"
        assert cell(view, "s1", "agents") == "1/2"
        assert cell(view, "s1", "experiments") == "1 ✓ 1 ✖"
        assert cell(view, "s2", "phase") == "quantum meditation"  # an unknown phase, as its words
        assert cell(view, "s2", "eta") == "—"
        # an agent changing status updates the count of its session's line
        app.feed(agent("a2", "busy", session_id="s1"))
        app.sync()
        await pilot.pause()
        assert cell(view, "s1", "agents") == "2/2"
        app.now = NOW + timedelta(hours=1)
        app.sync()
        await pilot.pause()
        assert cell(view, "s1", "eta") == "in 5h 00m"
        assert view.sort_next() == "sort: session ↑"
        view.sort_next()
        assert view.sort_next() == "sort: overall ↓"
        assert shown(view) == ["s2", "s1"]
        view.set_text_filter("climate")
        assert shown(view) == ["s1"]
        assert view.cycle_filter() == "all" and view.server_filters() is None
        columns, rows = view.export_rows()
        assert rows == [
            {
                **{c: rows[0][c] for c in columns},
                "title": "Climate Change Impact Study",
                "session_id": "s1",
                "progress": 0.45,
                "agents_total": 2,
            }
        ]


async def test_enter_chooses_a_session_and_escape_goes_back():
    view = ResearchView()
    app = Harness(view)
    async with app.run_test(size=(140, 50)) as pilot:
        app.feed(
            progress("s1", **CLIMATE),
            progress("s2", title="Second"),
            agent("a1", "busy", name="Climate Modeller", session_id="s1"),
            experiment("e1", "completed", session_id="s1"),
        )
        app.sync()
        await pilot.pause()
        view.table.focus()
        await pilot.press("enter")
        await pilot.pause()
        assert app.chosen == ["s1"]
        assert view.has_class("-session") and not view.table.display
        assert app.focused is view.query_one("#research-session")  # arrow keys scroll the panel
        body = view.query_one("#research-session-body")
        text = static_text(body, 140)
        for needle in (
            "Climate Change Impact Study",
            "Overall",
            "45%",
            "▶ experimentation",
            "literature review ✓",
            "30%",
            "✓ Data Collection Complete",
            "11:30:00 (30m 00s ago)",
            "◐ Experiment Design",
            "60%",
            "○ Paper Draft",
            "Climate Modeller",
            "Running climate simulations",
            "80%",
            "[in progress]",
            "ghost",
            "Started",
            "10:00:00 (2h 00m ago)",
            "Elapsed",
            "2h 00m",
            "Remaining",
            "6h 00m",
            "18:00:00 (in 6h 00m)",
            "1 busy of 1",
            "1 completed, 0 failed",
        ):
            assert needle in text, needle
        columns, rows = view.export_rows()
        assert columns == ["section", "name", "status", "progress", "time", "detail"]
        assert [r["section"] for r in rows] == [
            "session",
            "phase",
            "milestone",
            "milestone",
            "milestone",
            "activity",
            "activity",
        ]
        assert rows[5]["name"] == "Climate Modeller" and rows[5]["detail"] == "Running climate simulations"
        # the session moves on: the panel follows
        app.feed(progress("s1", **{**CLIMATE, "current_phase": "analysis", "overall_progress": 0.7}))
        app.sync()
        await pilot.pause()
        assert "▶ analysis" in static_text(body, 140)
        await pilot.press("escape")
        await pilot.pause()
        assert app.chosen == ["s1", None]
        assert not view.has_class("-session") and view.table.display
        assert app.focused is view.table


async def test_a_session_not_seen_yet_and_unknown_phases():
    view = ResearchView()
    app = Harness(view, session_id="later")
    async with app.run_test(size=(120, 40)) as pilot:
        app.feed(progress("other", title="Other"))
        app.sync()
        await pilot.pause()
        body = view.query_one("#research-session-body")
        assert "Waiting for progress of session later" in static_text(body)
        app.feed(
            progress(
                "later",
                title="[b]Later[/b]",
                current_phase="peer_review_\x1b[31m",
                milestones=[{"name": "M", "status": "blocked"}],
                extra_note="kept",
            )
        )
        app.sync()
        await pilot.pause()
        text = static_text(body, 120)
        assert "[b]Later[/b]" in text and "peer review" in text and "\x1b" not in text
        assert "? M" in text and "blocked" in text
        assert "Other fields" in text and "extra_note" in text and "kept" in text


async def test_the_session_panel_follows_new_experiments_of_its_session():
    view = ResearchView()
    app = Harness(view, session_id="s1")
    async with app.run_test(size=(120, 40)) as pilot:
        app.feed(progress("s1", title="One"))
        app.sync()
        await pilot.pause()
        body = view.query_one("#research-session-body")
        for n in range(1, 4):  # one experiment per tick, nothing else changes
            app.feed(experiment(f"e{n}", "completed", session_id="s1"))
            app.sync()
            await pilot.pause()
            assert f"{n} completed, 0 failed, {n} in all" in static_text(body)


def test_a_finished_session_says_finished_not_overdue():
    from datetime import UTC, datetime

    from aisci_tui.tui.views.research import eta_text

    now = datetime(2026, 1, 1, tzinfo=UTC)
    past = datetime(2025, 12, 31, tzinfo=UTC)
    assert eta_text({"phase": "done", "progress": 1.0, "_eta": past, "remaining": 0}, now) == "finished"
    assert eta_text({"phase": "writing", "progress": 1.0, "_eta": past, "remaining": 0}, now) == "finished"
    assert eta_text({"phase": "writing", "progress": 0.9, "_eta": past, "remaining": 0}, now) != "finished"
