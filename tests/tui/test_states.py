"""States never contradict: a finished session has no ETA, nothing overdue, nothing in progress, no busy agent;
Started … ago and Elapsed agree; Ethics' Weighted says something other than Score; intervals keep their digits."""

from __future__ import annotations

from datetime import timedelta

from textual.widgets import Static

from aisci_tui.tui.views.research import ResearchView
from tests.tui.harness import NOW, Harness, agent, iso, progress, static_text


def session(sid: str, *, done: bool, started_ago: float, elapsed: float) -> object:
    return progress(
        sid,
        title="Study",
        overall_progress=1.0 if done else 0.5,
        current_phase="done" if done else "analysis",
        activities=[{"agent_id": "agt-1", "activity": "Writing up", "progress": 0.4, "status": "in_progress"}],
        timeline={
            "started_at": iso(NOW - timedelta(seconds=started_ago)),
            "time_elapsed": elapsed,
            "time_remaining": 600,
            "estimated_completion": iso(NOW - timedelta(minutes=5)),
        },
    )


async def detail(events: list, sid: str) -> str:
    view = ResearchView()
    app = Harness(view, session_id=sid)
    async with app.run_test(size=(120, 60)) as pilot:
        app.feed(*events)
        app.sync(full=True)
        await pilot.pause()
        return static_text(view.query_one("#research-session-body", Static), 118)


async def test_a_finished_session_has_no_eta_nothing_overdue_in_progress_or_busy():
    text = await detail(
        [agent("agt-1", "busy", session_id="s1"), session("s1", done=True, started_ago=7200, elapsed=3600)], "s1"
    )
    assert "overdue" not in text and "in progress" not in text.lower()
    assert "0 busy of 1" in text and "[ended]" in text
    assert "Estimated completion" not in text and "Remaining" not in text
    assert any(x.strip().startswith("Finished") for x in text.splitlines())


async def test_started_ago_and_elapsed_agree_while_running():
    text = await detail([session("s2", done=False, started_ago=3725, elapsed=3000)], "s2")
    started = next(x for x in text.splitlines() if x.strip().startswith("Started"))
    elapsed = next(x for x in text.splitlines() if x.strip().startswith("Elapsed"))
    assert "(1h 02m ago)" in started and elapsed.split(None, 1)[1].strip() == "1h 02m", (started, elapsed)
