"""One drill-down: Enter opens the highlighted row's detail the same way in every view, Esc goes back
and clears what Enter set, and a new row's detail opens scrolled to its top."""

from __future__ import annotations

from aisci_tui.tui.app import DashboardApp
from aisci_tui.tui.views.split import SplitView
from tests.tui.conftest import ListSource, wait_for
from tests.tui.harness import Harness, experiment
from tests.tui.test_links import world


async def test_enter_and_esc_read_the_same_in_every_view(settings):
    app = DashboardApp(ListSource(world(), hold=True), settings=settings)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(
            pilot, lambda: app.store.experiments and app.store.assessments and app.store.log, what="every kind of row"
        )
        for key, view_id in (("2", "agents"), ("3", "experiments"), ("4", "ethics"), ("5", "events")):
            await pilot.press(key)
            view = app.current_view
            assert isinstance(view, SplitView) and view.VIEW_ID == view_id
            await wait_for(pilot, lambda v=view: v.selected_key() is not None, what=f"a row in {view_id}")
            view.table.focus()
            await pilot.press("enter")
            await pilot.pause()
            assert view.is_open and not view.table.display and app.focused is view.pane, view_id
            assert view.pane.scroll_y == 0
            await pilot.press("escape")
            await pilot.pause()
            assert not view.is_open and app.focused is view.table, view_id
        await pilot.press("1")
        app.current_view.table.focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.session_id is not None, what="the session opened")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.session_id is None, what="Esc clears the session Enter chose")


async def test_a_new_rows_detail_opens_at_its_top():
    from aisci_tui.tui.views.experiments import ExperimentsView

    long = {"results": {"summary": "line\n" * 40, "key_findings": [f"finding {i}" for i in range(40)]}}
    view = ExperimentsView()
    app = Harness(view)
    async with app.run_test(size=(170, 30)) as pilot:
        app.feed(
            experiment("e1", "completed", title="First", **long), experiment("e2", "completed", title="Second", **long)
        )
        app.sync()
        await pilot.pause()
        view.pane.scroll_end(animate=False)
        await pilot.pause()
        assert view.pane.scroll_y > 0
        view.table.focus()
        await pilot.press("down")
        await pilot.pause()
        assert view.pane.scroll_y == 0
