"""The home screen: a line per session, what needs attention (ranked, aged), the latest events; Enter goes there."""

from __future__ import annotations

from datetime import timedelta

from textual.widgets import OptionList

from aisci_tui.server.simulator import Simulator
from aisci_tui.sources.base import ConnectionState, Notice
from aisci_tui.store import Store
from aisci_tui.store.overview import Overview
from aisci_tui.tui.app import DashboardApp
from aisci_tui.tui.views.home import HomeView
from tests.tui.conftest import START, make_client, wait_for
from tests.tui.harness import (
    NOW,
    Harness,
    agent,
    assessment,
    event,
    experiment,
    progress,
    render_plain,
    system,
)


def lines(view: HomeView) -> list[str]:
    box = view.query_one("#home-list", OptionList)
    return [render_plain(box.get_option_at_index(i).prompt, 240).rstrip("\n") for i in range(box.option_count)]


def live(app: DashboardApp) -> bool:
    return app.store.connection.state == ConnectionState.OPEN and len(app.store.sessions) >= 2


async def test_home_is_the_first_view_and_enter_opens_the_session(sim_server, settings):
    app = DashboardApp(make_client(sim_server), settings=settings)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, lambda: live(app), what="live sessions")
        view = app.current_view
        assert view.VIEW_ID == "home"
        await wait_for(
            pilot,
            lambda: sum(k == "session" for k, _ in view._targets.values()) == len(app.store.sessions),
            what="a line per session",
        )
        text = lines(view)
        assert text[0].startswith("Sessions")
        assert any(t.startswith("Needs attention") for t in text)
        assert any(t.startswith("Latest events") for t in text)
        titles = {e.data.title for e in app.store.sessions.values()}
        box = view.query_one("#home-list", OptionList)
        first = box.highlighted
        assert first is not None and any(title[:20] in text[first] for title in titles)
        await pilot.press("enter")
        await wait_for(
            pilot,
            lambda: app.current_view.VIEW_ID == "research" and app.session_id is not None,
            what="the session opened",
        )
        title = app.store.sessions[app.session_id].data.title
        assert title[:20] in text[first]
        await pilot.press("0")
        assert app.current_view.VIEW_ID == "home"


async def test_needs_attention_is_ranked_aged_and_each_line_goes_to_its_thing():
    store = Store()
    later = NOW - timedelta(minutes=5)
    store.feed(
        [
            progress("ses-1", title="Pruning study", overall_progress=0.5, current_phase="analysis"),
            agent(
                "agt-ok",
                "busy",
                name="Steady Agent",
                session_id="ses-1",
                health={"last_heartbeat": (NOW - timedelta(seconds=5)).isoformat()},
            ),
            agent("agt-bad", "error", name="Broken Agent", session_id="ses-1"),
            experiment(
                "exp-1",
                "failed",
                title="Seed sweep",
                session_id="ses-1",
                execution={"completed_at": (NOW - timedelta(minutes=20)).isoformat()},
            ),
            experiment(
                "exp-2", "completed", title="Baseline", session_id="ses-1", results={"metrics": {"accuracy": 0.81}}
            ),
            assessment(
                "exp-2",
                status="non_compliant",
                review_deadline=(NOW + timedelta(days=2)).isoformat(),
                data={"resource_type": "experiment", "session_id": "ses-1"},
            ),
            system("critical", "outage", title="Storage is full", session_id="ses-1"),
        ]
    )
    view = HomeView()
    app = Harness(view, store, now=later + timedelta(minutes=5))
    async with app.run_test(size=(120, 36)) as pilot:
        app.sync(full=True)
        await pilot.pause()
        text = lines(view)
        start = next(i for i, t in enumerate(text) if t.startswith("Needs attention"))
        items = [t for t in text[start + 1 :] if t[:1] in "✖▲"]
        assert [t.split("  ")[0].strip("✖▲ ") for t in items][:4] == [
            "Critical",
            "Experiment failed",
            "Agent in error",
            "Non-compliant",
        ]
        assert "Seed sweep" in items[1] and "20m" in items[1]
        assert "experiment Baseline" in items[3] and "due 2d" in items[3]
        session = next(t for t in text if "Pruning study" in t)
        assert "1✓" in session and "1✖" in session and "best 0.810" in session and "1 erroring" in session
        box = view.query_one("#home-list", OptionList)
        box.focus()
        box.highlighted = text.index(items[1])
        await pilot.press("enter")
        await pilot.pause()
        assert app.went == [("experiment", "exp-1")]


async def test_nothing_to_attend_to_is_said_in_words():
    store = Store()
    store.feed(
        [
            event(
                "research_progress",
                {"session_id": "ses-1", "title": "Quiet study", "overall_progress": 0.2, "current_phase": "analysis"},
                at=NOW - timedelta(seconds=30),
            )
        ]
    )
    view = HomeView()
    app = Harness(view, store)
    async with app.run_test(size=(80, 24)) as pilot:
        app.sync(full=True)
        await pilot.pause()
        assert not any(t.startswith("Nothing needs attention") for t in lines(view)), "no all-clear unless live"
        assert any(t.startswith("Nothing reported so far needs attention") for t in lines(view))
        store.note(Notice("state", state=ConnectionState.OPEN))
        app.sync(full=True)
        await pilot.pause()
        assert any(t.startswith("Nothing needs attention") for t in lines(view))
        app.now = NOW + timedelta(minutes=15)  # no progress for a quarter of an hour: stalled
        app.sync()
        await pilot.pause()
        assert any(t.startswith("▲ Stalled") and "Quiet study" in t for t in lines(view))


def test_the_overview_kept_from_changes_equals_one_built_at_once():
    sim = Simulator(seed=3, start=START)
    store = Store()
    kept = Overview()
    for minute in range(1, 31):
        store.feed(sim.advance(60))
        kept.update(store, store.take_changes(), START + timedelta(minutes=minute))
    fresh = Overview()
    fresh.update(store, store.take_changes(), START + timedelta(minutes=30))

    def summary(o: Overview):
        return {
            k: (
                s.agents_busy,
                s.agents_total,
                s.agents_error,
                s.experiments_done,
                s.experiments_failed,
                s.best,
                s.phase,
            )
            for k, s in o.sessions.items()
        }

    assert summary(kept) == summary(fresh)
    assert [(a.kind, a.key) for a in kept.attention()] == [(a.kind, a.key) for a in fresh.attention()]
    assert any(len(s.history) > 3 for s in kept.sessions.values()), "progress history builds up over time"


async def test_keys_that_show_work_and_the_help_screen_scrolls_without_tab(sim_server, settings):
    from textual.containers import VerticalScroll

    from aisci_tui.tui.screens import HelpScreen

    app = DashboardApp(make_client(sim_server), settings=settings)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: live(app), what="live sessions")
        for view_id in ("home", "research", "agents", "experiments", "ethics", "events"):
            await pilot.press(str(["home", "research", "agents", "experiments", "ethics", "events"].index(view_id)))
            await pilot.pause()
            shown = {b.binding.action for b in app.screen.active_bindings.values() if b.binding.show and b.enabled}
            assert ("cycle_filter" in shown) == (app.current_view.FILTER_LABEL is not None), view_id
            footer = app.screen.query_one("Footer")
            ends = {k.key: k.region.right for k in footer.query("FooterKey")}
            assert 0 < ends.get("question_mark", 0) <= 80 and 0 < ends.get("q", 0) <= 80, (
                f"? and q stay in the 80-column footer on {view_id}: {ends}"
            )
        await pilot.press("1", "enter")  # one session in full: Esc is offered too
        await wait_for(pilot, lambda: app.session_id is not None, what="a session")
        await pilot.pause()
        ends = {k.key: k.region.right for k in app.screen.query_one("Footer").query("FooterKey")}
        assert "escape" in ends and 0 < ends.get("q", 0) <= 80, ends
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        scroll = app.screen.query_one(VerticalScroll)
        assert app.screen.focused is scroll
        await pilot.press("end")
        await pilot.pause()
        assert scroll.scroll_y == scroll.max_scroll_y > 0
