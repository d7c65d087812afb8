"""`aisci-tui watch` through the dashboard (Pilot): a written run folder, followed live."""

from __future__ import annotations

import pytest

from aisci_tui.settings import Settings
from aisci_tui.sources.rundir import RunReader, RunSource
from aisci_tui.tui.run.apps import watch_app
from aisci_tui.tui.run.images import MAX_IMAGE_BYTES, ImageSupport, drawable
from aisci_tui.tui.run.view import TreeView
from tests.bridge.helpers import Clock, screen_text, wait_until
from tests.bridge.runwriter import BROKEN_PNG, PNG, mid_run

SIZE = (150, 44)


def make_app(run, tmp_path, **kw):
    settings = Settings.model_construct(export_dir=tmp_path / "out", refresh_hz=20.0)
    source = RunSource(run.path, poll_interval=0.05, clock=Clock(), watch=False)
    return watch_app(source, run.path, settings=settings, **kw)


def tree_view(app) -> TreeView:
    return app.query_one(TreeView)


async def test_stage_counts_best_metric_tree_and_plot_text(tmp_path):
    run = mid_run(tmp_path)
    s2 = run.stages[1]
    best = s2.best
    app = make_app(run, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: len(app.store.experiments) == 8, what="the run's eight node ids")
        # the standard views show the run like a live session
        # (Home's latest events may name the stage before its session line is drawn)
        await wait_until(
            pilot,
            lambda: "Stage 2 baseline tuning" in screen_text(app) and "Toy Idea: Does It Work?" in screen_text(app),
            what="the phase and the run's title",
        )
        await pilot.press("3")
        columns, rows = app.current_view.export_rows()
        assert len(rows) == 8 and {r["status"] for r in rows} == {"completed", "failed", "partial"}

        await pilot.press("6")
        view = tree_view(app)
        await wait_until(pilot, lambda: view.tree.node_ids, what="the tree")
        text = screen_text(app)
        assert "Stage 2 baseline tuning (1 first attempt)" in text and "stage 2 of 2" in text
        assert "4 nodes: ✓ 2 good · ✖ 1 buggy · ◐ 1 other" in text  # as stage_progress.json counts them
        assert "best: ★ validation loss ↓ 1.1 (mean of 2 datasets)" in text
        # parent → children as written in node2parent; the copied stage-1 best is the root
        ids = [n["id"] for n in s2.nodes]
        assert view.tree.node_ids == ids
        root = view.tree.root.children[0]
        assert root.data == ids[0] and [c.data for c in root.children] == [ids[1], ids[2]]
        assert [c.data for c in root.children[1].children] == [ids[3]]
        assert view.tree.label_of(best).startswith(
            "★  1 improve · tuning: learning rate · validation loss ↓ 1.1 (mean of 2 datasets)"
        ) and "best" in view.tree.label_of(best)
        assert view.tree.label_of(ids[2]).startswith("✖  2 improve · tuning: batch size · IndexError")
        assert view.tree.label_of(ids[0]).startswith("✓  0 best of stage 1")
        assert view.tree.label_of(ids[3]).startswith("◐  3")
        # the best node is highlighted first; its plots are described in words
        await wait_until(pilot, lambda: view.tree.highlighted_id == best, what="the best node highlighted")
        pane = view.pane.text()
        plot = s2.node(best)["plot_paths"][0]
        assert "Plots are described, not drawn" in pane
        assert str((run.root / plot).relative_to(run.path)) in pane and f"{len(PNG)} B, 1×1 px" in pane
        assert f"Plot 0 of {best[:6]} looks fine." in pane
        assert "Metric: validation loss ↓ 1.1 (mean of 2 datasets)" in pane  # the same text as the tree line
        assert "validation loss [pair_sum]  0.6" in pane and "validation loss [pair_diff]  1.6" in pane
        # other nodes: a buggy one has no plots
        await pilot.press("down")
        await wait_until(pilot, lambda: view.tree.highlighted_id == ids[2], what="cursor on the buggy node")
        assert "IndexError" in view.pane.text() and "No plots for this node." in view.pane.text()
        # stage 1 with [
        await pilot.press("left_square_bracket")
        await wait_until(pilot, lambda: "Stage 1 initial implementation" in screen_text(app), what="stage 1")
        assert len(view.tree.node_ids) == 5 and view.pinned
        assert "5 nodes: ✓ 2 good · ✖ 2 buggy · ◐ 1 other" in screen_text(app)  # the seed aggregate is not good
        columns, rows = view.export_rows()
        assert len(rows) == 5 and sum(r["best"] for r in rows) == 1 and "parent_id" in columns


async def test_follows_the_run_as_it_is_written(tmp_path):
    run = mid_run(tmp_path)
    s2 = run.stages[1]
    app = make_app(run, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("6")
        view = tree_view(app)
        await wait_until(pilot, lambda: len(view.tree.node_ids) == 4, what="stage 2's tree")
        rebuilds = view.tree.rebuilds
        new = s2.add_node(parent=s2.nodes[1]["id"], loss=0.05, hyperparam="dropout")
        s2.write()
        await wait_until(pilot, lambda: new in view.tree.node_ids, what="the new node")
        assert view.tree.rebuilds == rebuilds, "a new node is added in place, not by rebuilding the tree"
        assert view.tree.label_of(new).startswith("★") and "tuning: dropout" in view.tree.label_of(new)
        assert not view.tree.label_of(s2.nodes[1]["id"]).startswith("★"), "the old best lost its star"
        assert "5 nodes: ✓ 3 good" in screen_text(app)
        # a new stage: the view moves on to it because no stage was picked
        s2.checkpoint()
        s3 = run.stage(3)
        s3.add_node(copy_of=s2.node(new))
        s3.write()
        await wait_until(pilot, lambda: "Stage 3 creative research" in screen_text(app), what="stage 3")
        assert view.tree.node_ids == [new]


async def test_text_filter_keeps_matches_and_their_ancestors(tmp_path):
    run = mid_run(tmp_path)
    ids = [n["id"] for n in run.stages[1].nodes]
    app = make_app(run, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("6")
        view = tree_view(app)
        await wait_until(pilot, lambda: len(view.tree.node_ids) == 4, what="stage 2's tree")
        await pilot.press("slash", *"index")
        await wait_until(pilot, lambda: view.tree.node_ids == [ids[0], ids[2]], what="the filtered tree")
        await pilot.press("escape")
        await wait_until(pilot, lambda: len(view.tree.node_ids) == 4, what="the whole tree again")


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # textual-image uses a Pillow API on its way out
async def test_images_are_drawn_only_for_safe_files_inside_the_run(tmp_path):
    from textual_image.widget import HalfcellImage  # a dependency of the package: never skipped

    run = mid_run(tmp_path)
    s2 = run.stages[1]
    best, root = s2.best, s2.nodes[0]["id"]
    (run.root / s2.node(root)["plot_paths"][0]).write_bytes(BROKEN_PNG)
    app = make_app(run, tmp_path, images=ImageSupport(HalfcellImage, "half-cell blocks"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("6")
        view = tree_view(app)
        await wait_until(pilot, lambda: view.tree.highlighted_id == best, what="the best node")
        await wait_until(pilot, lambda: view.pane.images_shown == 1, what="the plot drawn")
        assert len(app.query(HalfcellImage)) == 1
        await pilot.press("up")
        await wait_until(pilot, lambda: view.tree.highlighted_id == root, what="the root node")
        await wait_until(pilot, lambda: "could not be decoded" in screen_text(app), what="the broken plot described")
        assert not app.query(HalfcellImage) and view.pane.images_shown == 0


def test_only_image_files_inside_the_run_and_small_enough_are_drawable(tmp_path):
    """What decides whether a plot is drawn, without any image library."""
    run = mid_run(tmp_path)
    plot = run.root / run.stages[1].node(run.stages[1].best)["plot_paths"][0]
    assert drawable(plot, run.path) is None, "a plot inside the run is drawable"
    outside = tmp_path / "elsewhere.png"
    outside.write_bytes(PNG)
    assert drawable(outside, run.path) == "outside the run folder"
    (run.path / "link.png").symlink_to(outside)
    assert drawable(run.path / "link.png", run.path) == "outside the run folder", "a link out of the run"
    assert drawable(run.path / "idea.json", run.path) == "not an image file"
    assert drawable(run.path / "missing.png", run.path) == "not on this machine"
    big = run.path / "big.png"
    with open(big, "wb") as fh:
        fh.truncate(MAX_IMAGE_BYTES + 1)
    assert drawable(big, run.path) == "too large to draw"


async def test_tree_view_matches_the_bridge_tree(tmp_path):
    """The tree rebuilt from the store has the shape the bridge reads from node2parent."""
    from aisci_tui.store import Store
    from aisci_tui.tui.run import searchtree

    run = mid_run(tmp_path)
    reader = RunReader(run.path, clock=Clock())
    store = Store()
    store.feed(reader.scan())
    for summary in searchtree.stages(store, run.name):
        ours = searchtree.stage_tree(store, summary.key)
        theirs = reader.tree(summary.key.stage)
        assert [(d, n.id) for d, n in ours.walk()] == [(d, n.id) for d, n in theirs.walk()]
        assert ours.best_id == theirs.best_id
        info = next(s for s in reader.stages if s.name == summary.key.stage)
        assert (summary.total, summary.buggy, summary.good) == (info.total_nodes, info.buggy_nodes, info.good_nodes)
