"""The real run folder in shared/reference (read in place, never copied)."""

from __future__ import annotations

from pathlib import Path

import pytest

from aisci_tui.sources.rundir import RunReader, find_runs
from tests.bridge.helpers import by_type, one
from tests.guide import SHARED, require_shared

EXPERIMENTS = SHARED / "reference" / "ai-scientist-v2-run" / "mid" / "experiments"
RUN = EXPERIMENTS / "2025-06-12_09-13-56_compositional_regularization_attempt_0"
STAGE1 = "stage_1_initial_implementation_1_preliminary"
STAGE2 = "stage_2_baseline_tuning_1_first_attempt"


@pytest.fixture(autouse=True, scope="module")
def _reference_run() -> None:
    """Skip without ../shared, but fail under CI (see tests/guide.py)."""
    require_shared(RUN, "the reference run folder")


@pytest.fixture(scope="module")
def scanned():
    reader = RunReader(RUN)
    return reader, reader.scan()


def test_stage_one_complete_and_stage_two_in_progress(scanned):
    reader, events = scanned
    s1, s2 = reader.stages
    assert (s1.name, s2.name) == (STAGE1, STAGE2)
    assert s1.complete and s1.has_checkpoint and not s1.failed
    assert not s2.complete and not s2.failed
    assert (s1.total_nodes, s1.buggy_nodes, s1.good_nodes) == (12, 4, 5)
    assert (s2.total_nodes, s2.buggy_nodes, s2.good_nodes) == (7, 2, 5)
    progress = one(events, "research_progress").data
    assert progress.phase_key == "stage_2" and progress.current_phase.startswith("Stage 2 baseline tuning")
    assert progress.phase_progress == pytest.approx(7 / 12)  # stage2_max_iters: 12
    assert progress.title.startswith("Compositional Regularization")
    assert {m.name: m.status for m in progress.milestones}["Stage 1: initial implementation"] == "completed"
    assert progress.timeline.started_at.startswith("2025-06-12")
    assert reader.take_notices() == [] and reader.problems == {}


def test_eighteen_experiments_one_per_node_id_and_the_best_metric(scanned):
    reader, events = scanned
    exps = {e.data.experiment_id: e.data for e in by_type(events, "experiment_results")}
    assert len(exps) == 18  # 19 journal entries: stage 2's node 0 is stage 1's best, copied
    best = exps["dbb2e4b14d0e4dc7bdab7c07fde30321"]
    assert best.is_best and best.hyperparam_name == "number of training epochs"
    metrics = best.results.metrics.model_extra
    assert metrics["validation loss [pair_sum] final"] == pytest.approx(0.6175)
    assert metrics["held-out combination accuracy [pair_diff] best"] == pytest.approx(0.1167)
    assert next(iter(metrics)) == "validation loss ↓ (mean of 3 datasets)"
    assert metrics["validation loss ↓ (mean of 3 datasets)"] == pytest.approx((0.3936 + 0.4489 + 0.6175) / 3)
    assert reader.stages[1].best_node_id == "dbb2e4b14d0e4dc7bdab7c07fde30321"
    assert "pair_sum:(final=0.6175" in reader.stages[1].best_metric
    stage1_best = exps["cf885d551804471eb04d283a23cde140"]
    assert stage1_best.is_best and [p["stage"] for p in stage1_best.stages] == [STAGE1, STAGE2]
    assert stage1_best.results.metrics.model_extra["validation loss ↓ (pair_sum)"] == pytest.approx(1.5635)
    statuses = [e.status for e in exps.values()]
    # good 5 + 5 (node 0 once), buggy 4 + 2, other: plots rejected, plots unchecked, the seed aggregate
    assert (statuses.count("completed"), statuses.count("failed"), statuses.count("partial")) == (9, 6, 3)
    assert {
        exps[i].verdict
        for i in (
            "8283f78754ef40cca6ce06a9b722e2a6",
            "a63b45f5dc724abeb74acfa336812d36",
            "065677fa520b4de7951ea42f044ecc31",
        )
    } == {"plots rejected", "plots not checked", "seed aggregate"}


def test_plots_are_found_on_disk_with_their_analyses(scanned):
    reader, events = scanned
    exps = [e.data for e in by_type(events, "experiment_results")]
    with_plots = [e for e in exps if e.results.visualizations]
    assert len(with_plots) == 11  # 7 in stage 1, 4 new in stage 2 (node 0 is stage 1's)
    for exp in with_plots:
        for viz in exp.results.visualizations:
            assert Path(viz.url.removeprefix("file://")).is_file() and viz.url.endswith(".png")
    agg = reader.plots("065677fa520b4de7951ea42f044ecc31")
    assert [p.path.name for p in agg] == ["pair_sum_val_loss_mean_se.png"] and agg[0].exists
    tree = reader.tree(STAGE1)
    root = tree.nodes["cf885d551804471eb04d283a23cde140"]
    assert root.is_best and len(root.children) == 4 and len(tree.roots) == 8
    assert all(p.exists and p.analysis for p in root.plots)
    carried = reader.tree(STAGE2).nodes["cf885d551804471eb04d283a23cde140"]
    assert carried.step == 0 and carried.label == "best of stage 1" and not carried.is_best


def test_configured_workers_and_the_run_listing(scanned):
    _, events = scanned
    names = sorted(e.data.name for e in by_type(events, "agent_status"))
    # bfts_config.yaml: agent.num_workers 4; the folders are ForkProcess-1, 2, 4 and 5 (one re-forked)
    assert names == ["Tree-search manager", "Worker 1", "Worker 2", "Worker 3", "Worker 4"]
    progress = one(events, "research_progress").data
    assert progress.workers == {"configured": 4, "folders": 4}
    runs = find_runs(EXPERIMENTS.parent)
    assert [r.name for r in runs] == [RUN.name] and runs[0].state == "stage 2 stalled"
    assert runs[0].last_change == pytest.approx(1749724872.3422937 + 893.1885177476099)  # not the unpacking


def test_the_runs_own_clock_not_the_unpacked_file_times(scanned):
    """The files were unpacked long after the run: elapsed comes from the folder stamp and node times."""
    reader, events = scanned
    clock = reader.run_clock
    assert not clock.files_trusted and not clock.writing and clock.stalled
    progress = one(events, "research_progress").data
    t = progress.timeline
    assert t.started_at == "2025-06-12T09:13:56.000Z"
    last = 1749724872.3422937 + 893.1885177476099  # the newest node end: ctime + exec_time
    assert t.time_elapsed == pytest.approx(last - 1749719636.0)  # 1 h 42 min, not months
    assert t.time_remaining is None and t.estimated_completion is None  # no ETA for a stopped run
    assert progress.run_state == "stalled"
    manager = next(e.data for e in by_type(events, "agent_status") if e.data.role == "manager")
    assert manager.status == "idle" and manager.health.last_heartbeat.startswith("2025-06-12T10:5")
    done = {m.name: m for m in progress.milestones}["Stage 1: initial implementation"]
    assert done.completed_at.startswith("2025-06-12T09:54")  # stage 2's first own node
    s1, s2 = reader.stages
    assert (s1.total_nodes, s1.buggy_nodes, s1.good_nodes) == (12, 4, 5)
    assert (s2.total_nodes, s2.buggy_nodes, s2.good_nodes) == (7, 2, 5)


async def test_watching_the_reference_run_on_the_dashboard(tmp_path):
    """`watch` on the unpacked reference run: its own elapsed time, counts, statuses, workers, no ETA."""
    import re
    import time

    from aisci_tui.settings import Settings
    from aisci_tui.sources.rundir import RunSource
    from aisci_tui.tui.run.apps import watch_app
    from tests.bridge.helpers import screen_text, wait_until

    settings = Settings.model_construct(export_dir=tmp_path / "out", refresh_hz=20.0)
    app = watch_app(RunSource(RUN, poll_interval=0.2, clock=time.time, watch=False), RUN, settings=settings)
    async with app.run_test(size=(120, 90)) as pilot:
        await wait_until(pilot, lambda: len(app.store.experiments) == 18, what="the run's 18 node ids")
        await pilot.press("1")
        await wait_until(pilot, lambda: "Elapsed" in screen_text(app), what="the session detail")
        text = screen_text(app)
        assert re.search(r"Elapsed +1h 42m", text)
        assert "9 completed, 6 failed, 18 in all" in text
        assert "4 configured (agent.num_workers), 4 worker folders" in text
        assert re.search(r"Remaining +— ", text) and not re.search(r"in \d+d \d\dh", text)  # no ETA at all
        assert "[stalled]" in text and "0 busy of 5" in text
        assert "Stage 1 initial implementation ✓ › ▶ Stage 2 baseline tuning" in text
        await pilot.press("3")
        _, rows = app.current_view.export_rows()
        statuses = [r["status"] for r in rows]
        assert (statuses.count("completed"), statuses.count("failed"), statuses.count("partial")) == (9, 6, 3)
        await pilot.press("6")
        await wait_until(pilot, lambda: "7 nodes: ✓ 5 good · ✖ 2 buggy" in screen_text(app), what="stage 2 line")
        assert "best: ★ validation loss ↓ 0.4867 (mean of 3 datasets)" in screen_text(app)
