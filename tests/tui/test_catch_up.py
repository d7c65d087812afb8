""" "Since you last looked": a key after a quiet spell, or the terminal's focus coming back, says what changed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from textual import events
from textual.widgets import Static

from aisci_tui.sources.base import ConnectionState
from aisci_tui.tui.app import DashboardApp
from tests.tui.conftest import make_client, wait_for
from tests.tui.harness import event, render_plain


class Clock:
    """The dashboard's wall clock, moved on by hand."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset


def stamp(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def panel(app: DashboardApp) -> str:
    return render_plain(app.query_one("#home-catchup", Static).content, 160)


async def away(app: DashboardApp, pilot, clock: Clock, minutes: float) -> None:
    """Time passes; meanwhile an experiment fails and a session changes phase; the dashboard redraws."""
    clock.offset += timedelta(minutes=minutes)
    now = clock()
    sid = next(iter(app.store.sessions))
    app.store.apply(
        event(
            "experiment_results",
            {
                "experiment_id": f"exp-away-{minutes}",
                "session_id": sid,
                "title": "Learning-rate sweep",
                "status": "failed",
            },
            at=now,
        )
    )
    app.store.apply(
        event(
            "research_progress",
            {
                "session_id": sid,
                "title": "Changed study",
                "current_phase": f"phase_after_{minutes:g}",
                "overall_progress": 0.5,
            },
            at=now + timedelta(seconds=1),
        )
    )
    before = app.gate.syncs  # the sync count: what the home view shows need not change, so only it says it redrew
    await wait_for(pilot, lambda: app.gate.syncs > before + 1, what="a redraw")


async def test_a_key_after_a_quiet_spell_shows_what_changed_until_dismissed(sim_server, settings):
    clock = Clock()
    settings.catch_up_minutes = 10
    app = DashboardApp(make_client(sim_server), settings=settings, clock=clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(
            pilot,
            lambda: app.store.connection.state == ConnectionState.OPEN and app.store.sessions,
            what="live sessions",
        )
        home = app.views["home"]
        await pilot.press("down")
        await away(app, pilot, clock, 3)  # a short spell: nothing is said
        await pilot.press("down")
        assert not home.has_class("-catchup")
        await away(app, pilot, clock, 11)
        await pilot.press("down")
        assert home.has_class("-catchup")
        text = panel(app)
        assert text.startswith("Since you last looked")
        assert "1 failed experiments: Learning-rate sweep" in text
        assert "phase changes" in text and "phase_after_11" in text
        assert "→ phase_after_3" not in text, "changes from before the spell are not repeated"
        await pilot.press("escape")
        assert not home.has_class("-catchup")


async def test_the_terminal_regaining_focus_shows_what_changed_while_away(sim_server, settings):
    clock = Clock()
    app = DashboardApp(make_client(sim_server), settings=settings, clock=clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(
            pilot,
            lambda: app.store.connection.state == ConnectionState.OPEN and app.store.sessions,
            what="live sessions",
        )
        home = app.views["home"]
        app.post_message(events.AppBlur())
        await pilot.pause()
        await away(app, pilot, clock, 25)
        assert not home.has_class("-catchup")
        app.post_message(events.AppFocus())
        await wait_for(pilot, lambda: home.has_class("-catchup"), what="the catch-up")
        assert "failed experiments: Learning-rate sweep" in panel(app)
