"""Home lays out to its real width as soon as it is shown, though it was first drawn while hidden."""

from __future__ import annotations

from datetime import timedelta

from textual.widgets import OptionList

from aisci_tui.tui.app import DashboardApp
from tests.tui.conftest import ListSource, wait_for
from tests.tui.harness import NOW, event


def screen_row(app: DashboardApp, y: int) -> str:
    """Row ``y`` of the screen as rendered now."""
    strips = app.screen._compositor.render_strips()
    return "".join(segment.text for segment in strips[y]).rstrip()


async def test_home_shown_after_another_view_uses_the_whole_width_at_once(settings):
    items = [
        event(
            "research_progress",
            {"session_id": f"ses-{i}", "title": f"Study {i}", "overall_progress": 0.3, "current_phase": "analysis"},
            at=NOW - timedelta(seconds=5),
        )
        for i in range(2)
    ]
    # a clock that stands still and a store that stays quiet: nothing else would redraw Home
    app = DashboardApp(ListSource(items, hold=True), settings=settings, clock=lambda: NOW)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.press("2")  # Home is drawn while the Agents view is shown
        await wait_for(pilot, lambda: len(app.store.sessions) == 2, what="the sessions")
        await pilot.pause(0.3)
        await pilot.press("0")
        await pilot.pause(0.05)
        box = app.views["home"].query_one("#home-list", OptionList)
        widths = [box.get_option_at_index(i).prompt.cell_len for i in (1, 2)]
        assert widths == [118, 118], widths
        row = screen_row(app, box.region.y + 1)  # the first session line, under its heading
        assert row.startswith("● Study 0") and "analysis" in row and len(row) > 90, row
