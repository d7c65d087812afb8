"""Server and run-folder text reaches the terminal literally, through every widget that shows it.

One headless run of the real dashboard gets, in every string field of every
event type, each kind of hostile text: Rich markup, CSI/OSC/DCS escapes (clear
screen, window title, OSC 8 links, OSC 52 clipboard writes), C0/C1 controls,
bidi overrides and zero-width characters. It also gets them as the source label,
as error, invalid-frame and warning notices (toasts, status line, events log)
and as a fatal error. For each of the six views, each detail screen or pane and
the chosen session's header, the test takes what a full repaint would write
to the terminal and checks that nothing but Textual's own colour, cursor and
hyperlink sequences is in it, that markup is shown as typed, and that the
visible words around the hostile parts survive.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from aisci_tui.protocol import Event, from_obj
from aisci_tui.settings import Settings
from aisci_tui.sources.base import ConnectionState, Notice
from aisci_tui.tui.views.split import SplitView
from aisci_tui.tui.widgets.links import safe_url
from tests.hardening.conftest import ListSource
from tests.hardening.hostile import NASTY, NASTY_TEXT
from tests.hardening.screen import foreign_sequences, links_in, screen_text, terminal_output
from tests.hardening.test_fuzz_dashboard import Errors

SIZE = (230, 60)
TREE_STAGE = "stage_2_baseline_tuning_1_first_attempt"
STAMP = "2026-03-01T10:00:{:02d}Z"


def hostile_events(n: int, text: str) -> list[Event]:
    """One entity of every kind whose every string is ``text`` (ids too, except the session's)."""
    session = f"ses-{n}"
    v = f"{text} #{n}"

    def ev(kind: str, data: dict[str, Any]) -> Event:
        return from_obj({"type": kind, "id": f"{kind}-{n}", "timestamp": STAMP.format(n % 60), "data": data})

    return [
        ev(
            "research_progress",
            {
                "session_id": session,
                "title": v,
                "current_phase": v,
                "overall_progress": 0.4,
                "phase_progress": 0.5,
                "activities": [{"agent_id": f"{text}-a{n}", "activity": v, "progress": 0.5, "status": v}],
                "milestones": [{"name": v, "status": v, "completed_at": v}],
                "timeline": {"started_at": v, "estimated_completion": v},
            },
        ),
        ev(
            "agent_status",
            {
                "agent_id": f"{text}-a{n}",
                "name": v,
                "status": v,
                "session_id": session,
                "current_task": {"id": v, "type": v, "progress": 0.3, "started_at": v, "estimated_completion": v},
                "performance": {"cpu_usage": 0.5},
                "health": {"last_heartbeat": v, "error_count": 1},
                v: v,
            },
        ),
        ev(
            "experiment_results",
            {
                "experiment_id": f"{text}-x{n}",
                "session_id": session,
                "title": v,
                "status": v,
                # the tree view's tags (a run-folder node): every experiment is a node of one stage
                "stage": TREE_STAGE,
                "node_id": f"{text}-n{n}",
                "parent_id": None,
                "step": n,
                "is_best": True,
                "exc_type": v,
                "results": {
                    "summary": v,
                    "key_findings": [v, v],
                    "metrics": {"accuracy": 0.9, "confidence_interval": [0.8, 0.95], v: 0.5},
                    "visualizations": [
                        {"type": v, "title": v, "url": text, "description": v},
                        {"type": "plot", "title": v, "url": f"https://example.org/{n}.png"},
                    ],
                    "data": {"raw_data_url": text, "metadata": {"columns": [v], "file_size": v}},
                },
                "execution": {
                    "duration": 12.5,
                    "agent_id": f"{text}-a{n}",
                    "started_at": v,
                    "computing_resources": {"memory_peak": v, "gpu_usage": v},
                },
                "quality_metrics": {"data_quality_score": 0.7},
            },
        ),
        ev(
            "ethical_assessment",
            {
                "resource_id": f"{text}-x{n}",
                "resource_type": v,
                "session_id": session,
                "assessment": {
                    "overall_score": 0.6,
                    "status": v,
                    "confidence": 0.8,
                    "frameworks": {v: {"score": 0.5, "weight": 1.0, "assessment": v}},
                    "identified_issues": [
                        {"severity": v, "category": v, "description": v, "recommendation": v, "auto_fixable": False}
                    ],
                    "recommendations": [v],
                    "human_review_required": True,
                    "review_deadline": v,
                },
                "metadata": {"assessed_by": v, "assessment_version": v, "assessed_at": v},
            },
        ),
        ev(
            "system_event",
            {
                "event_type": v,
                "severity": "warning",
                "title": v,
                "description": v,
                "session_id": session,
                "affected_services": [v],
                "scheduled_time": v,
                "actions_required": [v],
                "alternatives": {v: v},
            },
        ),
    ]


def hostile_stream() -> list[Any]:
    items: list[Any] = [
        Notice("error", text=NASTY, code=NASTY_TEXT["osc 52 clipboard"], severity="warning", details={NASTY: NASTY}),
        Notice("info", text=NASTY, severity="warning"),  # a warning line in the status bar
        Notice("invalid", text=f"Ignored an invalid frame: {NASTY}", severity="warning"),
    ]
    items += hostile_events(0, NASTY)
    for n, text in enumerate(NASTY_TEXT.values(), start=1):
        items += hostile_events(n, text)
    items.append(Notice("state", state=ConnectionState.ERROR, fatal=True, text=NASTY, severity="error"))
    return items


def check_screen(app: Any, where: str, *, literal: bool = True) -> str:
    output = terminal_output(app)
    assert foreign_sequences(output) == [], f"{where}: escape or control characters from data reached the terminal"
    for target in links_in(output):
        assert safe_url(target) == target and "etc/passwd" not in target, f"{where}: unsafe link {target!r}"
    text = screen_text(app)
    if literal:
        assert NASTY_TEXT["markup"] in text, f"{where}: markup was not shown as typed"
    return text


def key_with(view: Any, needle: str) -> str | None:
    """A row of a table view whose values mention ``needle``."""
    for key, row in getattr(view, "rows", {}).items():
        if any(isinstance(v, str) and needle in v for v in row.values()):
            return key
    return None


async def check_tree_detail(app: Any, view: Any, pilot: Any) -> None:
    """The tree view's detail is its node pane, beside the tree: open it on the node whose every
    field is the whole hostile string (each session's experiment is a stage of its own; step to it)."""
    wanted = f"{NASTY}-n0"
    for _ in range(len(NASTY_TEXT) + 1):
        check_screen(app, "tree view", literal=False)  # labels are shortened; the pane shows them whole
        if view.tree.node_ids == [wanted]:
            break
        view.action_stage(-1)  # the view starts on the last stage; ses-0 sorts first
        await pilot.pause(0.05)
    assert view.tree.node_ids == [wanted], "the tree view shows the hostile stage"
    view.tree.focus()
    await pilot.pause(0.05)
    assert view.tree.highlighted_id == wanted, "its node is highlighted"
    view.open_selected()
    await pilot.pause(0.1)
    assert app.focused is view.pane, "the node's detail pane took the focus"
    detail = check_screen(app, "tree detail")
    assert "ValueError" not in detail and NASTY_TEXT["markup link"] in detail, "tree detail shows markup as text"


async def test_hostile_text_is_shown_literally_everywhere(tmp_path: Path):
    from aisci_tui.tui.app import DashboardApp
    from aisci_tui.tui.run.view import dashboard_views

    items = hostile_stream()
    settings = Settings.model_construct(export_dir=tmp_path, refresh_hz=30.0)
    app = DashboardApp(ListSource(items, label=NASTY), settings=settings, views=dashboard_views())
    errors = Errors()  # what the dashboard logs as an error: a view that failed to draw, say
    logging.getLogger("aisci_tui").addHandler(errors)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        for _ in range(300):
            if app.pump.items >= len(items):
                break
            await pilot.pause(0.01)
        await pilot.pause(0.1)

        first = check_screen(app, "first screen with toasts")
        assert "Server error" in first, "the error toast is on screen"
        assert "BEGIN" in first and "END" not in first.split("BEGIN")[0][-5:]

        seen_views = []
        for view_id, view in app.views.items():
            await app.run_action(f"show_view('{view_id}')")
            await pilot.pause(0.05)
            text = check_screen(app, f"{view_id} view", literal=view_id not in ("home", "tree"))
            seen_views.append(view_id)
            if view_id in ("agents", "experiments", "ethics", "events"):
                assert "invoice" in text and "gpj.exe" in text, f"{view_id}: words around a bidi override survive"
            if view_id in ("home", "research"):
                continue  # an overview without details; Research's Enter chooses a session: checked below
            if view_id == "tree":
                await check_tree_detail(app, view, pilot)
                continue
            key = key_with(view, "BEGIN")
            assert key is not None, f"{view_id}: a row holds the hostile text"
            view.table.select_key(key)
            view.open_selected()
            await pilot.pause(0.1)
            if isinstance(view, SplitView):  # experiments, ethics: the detail is the pane beside the table
                assert app.focused is view.pane, f"{view_id}: the detail pane took the focus"
            else:
                assert len(app.screen_stack) > 1, f"{view_id}: a detail screen opened"
            detail = check_screen(app, f"{view_id} detail")
            assert NASTY_TEXT["markup link"] in detail, f"{view_id} detail shows markup links as text"
            while len(app.screen_stack) > 1:
                app.pop_screen()
            await pilot.pause(0.02)
        assert seen_views == ["home", "research", "agents", "experiments", "ethics", "events", "tree"]

        await app.run_action("show_view('research')")
        research = app.views["research"]
        research.table.select_key("ses-0")
        research.open_selected()  # chooses the session: its title goes to the status line
        await pilot.pause(0.1)
        header = check_screen(app, "session chosen")
        assert app.session_id == "ses-0"
        assert header.count(NASTY_TEXT["markup"]) >= 2, "the session title in the header and panel is literal"

        await app.run_action("help")
        await pilot.pause(0.05)
        check_screen(app, "help screen", literal=False)
        assert app.is_running
    logging.getLogger("aisci_tui").removeHandler(errors)
    assert errors.records == [], "nothing was logged as an error"
