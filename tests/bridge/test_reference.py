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


def test_nineteen_experiments_and_the_best_metric(scanned):
    reader, events = scanned
    exps = {e.data.experiment_id: e.data for e in by_type(events, "experiment_results")}
    assert len(exps) == 12 + 7
    best = exps["s2.1-dbb2e4b14d0e4dc7bdab7c07fde30321"]
    assert best.is_best and best.hyperparam_name == "number of training epochs"
    metrics = best.results.metrics.model_extra
    assert metrics["validation loss [pair_sum] final"] == pytest.approx(0.6175)
    assert metrics["held-out combination accuracy [pair_diff] best"] == pytest.approx(0.1167)
    assert reader.stages[1].best_node_id == "dbb2e4b14d0e4dc7bdab7c07fde30321"
    assert "pair_sum:(final=0.6175" in reader.stages[1].best_metric
    stage1_best = exps["s1.1-cf885d551804471eb04d283a23cde140"]
    assert stage1_best.is_best and stage1_best.results.metrics.model_extra["validation loss"] == pytest.approx(1.5635)
    statuses = [e.status for e in exps.values()]
    assert statuses.count("failed") == 6 and statuses.count("partial") == 1


def test_plots_are_found_on_disk_with_their_analyses(scanned):
    reader, events = scanned
    exps = [e.data for e in by_type(events, "experiment_results")]
    with_plots = [e for e in exps if e.results.visualizations]
    assert len(with_plots) == 12  # 7 in stage 1, 5 in stage 2
    for exp in with_plots:
        for viz in exp.results.visualizations:
            assert Path(viz.url.removeprefix("file://")).is_file() and viz.url.endswith(".png")
    agg = reader.plots("065677fa520b4de7951ea42f044ecc31")
    assert [p.path.name for p in agg] == ["pair_sum_val_loss_mean_se.png"] and agg[0].exists
    tree = reader.tree(STAGE1)
    root = tree.nodes["cf885d551804471eb04d283a23cde140"]
    assert root.is_best and len(root.children) == 4 and len(tree.roots) == 8
    assert all(p.exists and p.analysis for p in root.plots)


def test_workers_and_the_run_listing(scanned):
    reader, events = scanned
    names = sorted(e.data.name for e in by_type(events, "agent_status"))
    assert names == ["Tree-search manager", "Worker 1", "Worker 2", "Worker 4", "Worker 5"]
    runs = find_runs(EXPERIMENTS.parent)
    assert [r.name for r in runs] == [RUN.name] and runs[0].state == "stage 2 in progress"
