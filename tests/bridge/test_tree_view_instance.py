"""The tree view reaches the dashboard as a configured instance, not a class made at run time."""

from __future__ import annotations

from aisci_tui.settings import Settings
from aisci_tui.sources.rundir import RunSource
from aisci_tui.tui.run.apps import watch_app
from aisci_tui.tui.run.images import ImageSupport
from aisci_tui.tui.run.view import TreeView, dashboard_views
from tests.bridge.helpers import Clock
from tests.bridge.runwriter import mid_run


def test_dashboard_views_carry_a_configured_tree_view(tmp_path):
    images = ImageSupport(None, "text")
    view = dashboard_views(images, tmp_path)[-1]
    assert type(view) is TreeView  # an instance of the one class, no subclass
    assert (view.images, view.plot_root, view.id) == (images, tmp_path, "tree")
    assert dashboard_views()[-1] is not dashboard_views()[-1]  # a fresh view per dashboard


async def test_the_app_mounts_the_view_it_was_given(tmp_path):
    run = mid_run(tmp_path)
    settings = Settings.model_construct(export_dir=tmp_path / "out", refresh_hz=20.0)
    app = watch_app(RunSource(run.path, poll_interval=0.05, clock=Clock(), watch=False), run.path, settings=settings)
    given = app.view_classes[-1]
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("6")
        await pilot.pause()
        assert app.query_one(TreeView) is given is app.current_view
        assert given.plot_root == run.path
