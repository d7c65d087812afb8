"""A run folder: an experiment links to its tree node (stage shown, node highlighted) and its chart has the nodes."""

from __future__ import annotations

from textual.widgets import Static

from aisci_tui.settings import Settings
from aisci_tui.sources.rundir import RunSource
from aisci_tui.tui.run.apps import watch_app
from aisci_tui.tui.run.view import TreeView
from aisci_tui.tui.views.base import GoTo
from tests.bridge.helpers import Clock, wait_until
from tests.bridge.runwriter import mid_run
from tests.tui.harness import render_plain


async def test_an_experiment_goes_to_its_tree_node_and_the_session_charts_its_nodes(tmp_path):
    run = mid_run(tmp_path)
    settings = Settings.model_construct(export_dir=tmp_path / "out", refresh_hz=20.0)
    app = watch_app(RunSource(run.path, poll_interval=0.05, clock=Clock(), watch=False), run.path, settings=settings)
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_until(
            pilot,
            lambda: (
                len({e.data.model_extra.get("stage") for e in app.store.experiments.values()}) >= 2
                and any(e.data.status == "failed" for e in app.store.experiments.values())
            ),
            what="the run's nodes in two stages, some buggy",
        )
        tagged = {k: e.data.model_extra.get("stage") for k, e in app.store.experiments.items()}
        first_stage = min(tagged.values())
        key = next(k for k, s in tagged.items() if s == first_stage)
        app.post_message(GoTo("node", key))
        tree = app.query_one(TreeView)
        await wait_until(
            pilot,
            lambda: app.current_view is tree and tree.stage is not None and tree.stage.stage == first_stage,
            what="the node's stage",
        )
        await wait_until(
            pilot,
            lambda: (
                (node := tree.shown.nodes.get(tree.tree.highlighted_id or "")) is not None and node.experiment_id == key
            ),
            what="the node highlighted",
        )
        sid = next(iter(app.store.sessions))
        app.post_message(GoTo("session", sid))
        body = app.query_one("#research-session-body", Static)
        await wait_until(
            pilot, lambda: "of every experiment by step" in render_plain(body.content, 130), what="the metric chart"
        )
        text = render_plain(body.content, 130)
        assert "best so far" in text and "failed / buggy" in text, "buggy nodes are marked"
