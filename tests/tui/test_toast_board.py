"""Notifications go up and come down on the refresh tick, and critical ones stay until dismissed."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from textual.widgets import Static

from aisci_tui.settings import Settings
from aisci_tui.tui.app import DashboardApp
from tests.tui.conftest import ListSource, wait_for
from tests.tui.harness import event


def toasts_on_screen(app: DashboardApp) -> list[str]:
    """The titles of the notifications drawn in the corner (what a person sees there)."""
    slots = app.query("#corner .notice").results(Static)
    return [
        str(slot.render()).split("\n", 1)[0]
        for slot in slots
        if slot.region.height and slot.region.x < app.size.width  # empty slots stand off the screen
    ]


def critical(title: str) -> object:
    now = datetime.now(UTC)
    return event("system_event", {"event_type": "alert", "severity": "critical", "title": title}, at=now)


async def test_a_critical_event_stays_on_screen_until_dismissed_with_x(tmp_path):
    app = DashboardApp(
        ListSource([critical("GPU node lost")], hold=True), settings=Settings.model_construct(export_dir=tmp_path)
    )
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await wait_for(pilot, lambda: "CRITICAL: GPU node lost" in toasts_on_screen(app), what="the critical toast")
        app.board.clock = lambda: time.monotonic() + 3600.0  # an hour later, by the clock that takes toasts down
        await pilot.pause(0.3)
        assert toasts_on_screen(app) == ["CRITICAL: GPU node lost"], "it stays until dismissed"
        drawn = str(app.query_one("#notice-2", Static).render())
        assert drawn.splitlines()[-1] == "x or a click: dismiss", drawn
        await pilot.press("x")
        await wait_for(pilot, lambda: not toasts_on_screen(app), what="the toast dismissed")
        assert not app.board.shown


async def test_a_notification_goes_up_and_comes_down_on_a_refresh_tick(tmp_path):
    ticks: list[float] = []
    app = DashboardApp(
        ListSource([], hold=True), settings=Settings.model_construct(export_dir=tmp_path, refresh_hz=2.0)
    )
    tick = app._tick

    def counted() -> None:
        ticks.append(time.monotonic())
        tick()

    app._tick = counted  # type: ignore[method-assign]
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await wait_for(pilot, lambda: len(ticks) >= 2, what="two ticks")
        seen = len(ticks)
        app.notify("Saved out/screen.svg", title="Screenshot", timeout=1.0)
        await pilot.pause(0.05)
        assert len(ticks) > seen or not toasts_on_screen(app), "up before the next tick"
        await wait_for(pilot, lambda: "Screenshot" in toasts_on_screen(app), what="the toast up")
        assert len(ticks) > seen, "it went up on a tick"
        up = len(ticks)
        await wait_for(pilot, lambda: not toasts_on_screen(app), timeout=4.0, what="the toast down")
        assert len(ticks) - up >= 2, "down on the first tick after its second (2 Hz: the second or third)"


def test_at_most_three_are_up_and_one_that_stays_outlives_passing_ones():
    from aisci_tui.tui.toastboard import ToastBoard

    board = ToastBoard(clock=lambda: 100.0)
    board.raise_("queue restored", title="CRITICAL: scheduler restarted", severity="error", timeout=0, markup=False)
    for n in range(4):
        board.raise_(f"disk {80 + n}%", title=f"Disk warning {n}", severity="warning", timeout=None, markup=False)
    board.tick()
    assert [note.title for note in board.shown] == ["CRITICAL: scheduler restarted", "Disk warning 2", "Disk warning 3"]
    board.clock = lambda: 106.0  # past the default five seconds
    board.tick()
    assert [note.title for note in board.shown] == ["CRITICAL: scheduler restarted"]


async def test_a_click_on_a_notification_dismisses_them(tmp_path):
    app = DashboardApp(
        ListSource([critical("GPU node lost")], hold=True), settings=Settings.model_construct(export_dir=tmp_path)
    )
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, lambda: toasts_on_screen(app) == ["CRITICAL: GPU node lost"], what="the toast")
        await pilot.click("#notice-2")
        await wait_for(pilot, lambda: not toasts_on_screen(app), what="the toast dismissed by a click")
