"""Home's counts say what its lines show: the same thing repeated is one line with a count, a stale
session is not running."""

from __future__ import annotations

from datetime import timedelta

from textual.widgets import OptionList

from aisci_tui.sources.base import ConnectionState, Notice
from aisci_tui.store import Store, resync
from aisci_tui.tui.views.home import HomeView
from tests.tui.harness import NOW, Harness, agent, event, experiment, render_plain


def lines(view: HomeView) -> list[str]:
    box = view.query_one("#home-list", OptionList)
    return [render_plain(box.get_option_at_index(i).prompt, 240).rstrip("\n") for i in range(box.option_count)]


def said(severity: str, title: str, minutes_ago: float):
    at = NOW - timedelta(minutes=minutes_ago)
    return event("system_event", {"event_type": "error", "severity": severity, "title": title}, at=at)


def session(key: str, title: str, share: float, phase: str, minutes_ago: float = 0.0):
    data = {"session_id": key, "title": title, "overall_progress": share, "current_phase": phase}
    return event("research_progress", data, at=NOW - timedelta(minutes=minutes_ago))


def crash(minutes_ago: float):
    """The simulator's repeated critical event: another id, the same title, minutes apart."""
    return said("critical", "Experiment scheduler restarted after a crash", minutes_ago)


async def test_the_same_thing_repeated_is_one_line_with_a_count_and_goes_to_the_newest():
    store = Store()
    store.feed(
        [
            event(
                "research_progress", {"session_id": "ses-1", "title": "Pruning study", "overall_progress": 0.4}, at=NOW
            ),
            *(crash(m) for m in (30, 25, 21, 17, 12, 9, 6, 3, 0.2)),
            said("error", "GPU node gpu-07 stopped responding", 1),
            experiment(
                "exp-1",
                "failed",
                title="Seed sweep",
                session_id="ses-1",
                execution={"completed_at": (NOW - timedelta(minutes=4)).isoformat()},
            ),
            agent("agt-1", "error", name="Worker", session_id="ses-1"),  # two agents of one name: two things
            agent("agt-2", "error", name="Worker", session_id="ses-1"),
        ]
    )
    newest = str(next(e.seq for e in reversed(store.log) if "scheduler" in (e.title or "")))
    view = HomeView()
    app = Harness(view, store)
    async with app.run_test(size=(80, 24)) as pilot:
        app.sync(full=True)
        await pilot.pause()
        text = lines(view)
        head = next(t for t in text if t.startswith("Needs attention"))
        assert head == "Needs attention  13 (5 lines)", head
        start = text.index(head)
        items = [t for t in text[start + 1 :] if t[:1] in "✖▲"][:5]
        crashes = [t for t in items if "scheduler restarted" in t]
        assert len(crashes) == 1 and "×9" in crashes[0] and crashes[0].endswith("12s"), crashes
        assert any("Seed sweep" in t for t in items), "the failed experiment is not buried under repeats"
        assert sum("Agent in error" in t for t in items) == 2, "agents in error never fold"
        assert any("gpu-07" in t for t in items)
        box = view.query_one("#home-list", OptionList)
        box.focus()
        box.highlighted = text.index(crashes[0])
        await pilot.press("enter")
        await pilot.pause()
        assert app.went == [("event", newest)], "the folded line goes where its newest one goes"


async def test_a_stale_session_is_counted_as_stale_not_running():
    clock = [1000.0]
    store = Store(clock=lambda: clock[0])
    store.note(Notice("state", state=ConnectionState.OPEN))
    store.feed(
        [
            session("ses-1", "Gone study", 0.3, "analysis", 2),
            session("ses-2", "Kept study", 0.5, "writing", 2),
            session("ses-3", "Done study", 1.0, "done", 2),
        ]
    )
    store.note(Notice("state", state=ConnectionState.RECONNECTING, text="Connection lost (close code 1006)."))
    clock[0] += 5
    store.note(Notice("state", state=ConnectionState.OPEN))
    clock[0] += 1
    store.feed([session("ses-2", "Kept study", 0.55, "writing")])
    clock[0] += resync.RESYNC_GRACE + 1  # the server had its grace to re-report: ses-1 and ses-3 did not come back
    store.resync()
    view = HomeView()
    app = Harness(view, store, now=NOW)
    async with app.run_test(size=(120, 36)) as pilot:
        app.sync(full=True)
        await pilot.pause()
        text = lines(view)
        assert text[0] == "Sessions  3 · 1 running · 2 stale", text[0]
        marks = [t[:1] for t in text[1:4]]
        assert sorted(marks) == ["?", "?", "●"], text[1:4]


def test_since_you_last_looked_names_a_repeated_warning_once_with_its_count():
    from aisci_tui.store.overview import Overview
    from aisci_tui.tui.views.catchup import catch_up_text
    from aisci_tui.tui.widgets.tones import Palette

    store = Store()
    store.feed([crash(m) for m in (1.5, 1.0, 0.5)] + [said("error", "GPU node gpu-07 stopped responding", 0.2)])
    model = Overview()
    model.update(store, store.take_changes(), NOW)
    text = catch_up_text(model.since(0.0), NOW - timedelta(minutes=10), NOW, Palette.plain(), width=160)
    assert text is not None
    line = next(t for t in text.plain.splitlines() if "warnings and errors" in t)
    assert line.startswith("   4 warnings and errors:"), line
    assert line.count("scheduler restarted") == 1 and "crash ×3" in line, line
