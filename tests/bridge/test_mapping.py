"""Run folders written in upstream's format map to the right protocol events."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from aisci_tui.sources.rundir import RunReader, find_runs
from tests.bridge.helpers import Clock, by_type, one
from tests.bridge.runwriter import (
    RunWriter,
    early_run,
    failed_run,
    finished_run,
    mid_run,
    set_mtime,
)


def experiments(events):
    return {e.data.experiment_id: e.data for e in by_type(events, "experiment_results")}


def test_mid_run_progress_names_stage_two_with_an_estimated_phase_progress(tmp_path):
    run = mid_run(tmp_path)
    reader = RunReader(run.path)
    progress = one(reader.scan(), "research_progress").data
    assert progress.session_id == run.name
    assert progress.title == "Toy Idea: Does It Work?"
    assert progress.current_phase == "Stage 2 baseline tuning (1 first attempt)"
    assert progress.phase_key == "stage_2"
    assert progress.phase_progress == pytest.approx(4 / 6)
    assert progress.phase_progress_estimated is True
    assert progress.overall_progress == pytest.approx(0.2 + 0.2 * 4 / 6, abs=1e-3)
    states = {m.name: m.status for m in progress.milestones}
    assert states["Stage 1: initial implementation"] == "completed"
    assert states["Stage 2: baseline tuning"] == "in_progress"
    assert states["Stage 3: creative research"] == "pending"
    assert states["Write-up"] == "pending" and states["Review"] == "pending"
    done = next(m for m in progress.milestones if m.status == "completed")
    # stage 1 ended when stage 2's first node of its own was made (the run's clock, not checkpoint.pkl's time)
    first_own = run.stages[1].nodes[1]["ctime"]
    assert done.completed_at.startswith(time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(first_own)))
    assert progress.timeline.started_at.startswith("2025-06-12T09:13:56")
    assert progress.timeline.time_elapsed > 0
    # stage_progress.json's counts: node 0 of stage 2 counted there too; the seed aggregate is neither
    assert progress.nodes == {"total": 9, "buggy": 3, "good": 4}


def test_phase_progress_is_clamped_when_a_stage_runs_past_its_limit(tmp_path):
    run = mid_run(tmp_path, max_iters={1: 4, 2: 2, 3: 3, 4: 3})
    progress = one(RunReader(run.path).scan(), "research_progress").data
    assert progress.phase_progress == 1.0
    assert progress.overall_progress <= 0.4


def test_every_node_becomes_one_experiment_with_its_tags(tmp_path):
    run = mid_run(tmp_path)
    s1, s2 = run.stages
    exps = experiments(RunReader(run.path).scan())
    # 9 journal entries, 8 node ids: stage 2's node 0 is stage 1's best, one experiment in both trees
    assert len(s1.nodes) + len(s2.nodes) == 9 and len(exps) == 8

    draft = s1.nodes[1]
    first = exps[draft["id"]]
    assert first.status == "completed" and first.is_best is True
    assert first.results.summary == "Ran at step 1."
    assert first.results.metrics.model_extra["validation loss [pair_sum] final"] == 1.5
    assert first.results.metrics.model_extra["held-out accuracy [pair_sum] best"] == 0.1
    assert first.results.main_metric["name"] == "validation loss"
    assert next(iter(first.results.metrics.model_extra)) == "validation loss ↓ (pair_sum)"
    assert first.results.key_findings[0] == "Curves converge."
    assert first.execution.duration == pytest.approx(13.5)
    viz = first.results.visualizations
    assert len(viz) == 1 and viz[0].url.startswith("file:///") and viz[0].url.endswith("plot_0.png")
    assert Path(viz[0].url.removeprefix("file://")).is_file()
    assert viz[0].description.startswith("Plot 0 of")

    buggy = exps[s1.nodes[0]["id"]]
    assert buggy.status == "failed" and buggy.exc_type == "KeyError" and buggy.results.visualizations == []
    assert buggy.results.metrics.model_extra == {}

    seed = exps[s1.nodes[3]["id"]]
    assert seed.is_seed_node is True and seed.parent_id == draft["id"] and seed.status == "completed"
    agg = exps[s1.nodes[4]["id"]]
    assert agg.is_seed_agg_node is True and agg.title.endswith("seed aggregation")
    assert agg.status == "partial" and agg.verdict == "seed aggregate"  # is_buggy_plots never set

    # the stage-1 best node copied into stage 2: one experiment, in both stages' trees
    copy = exps[draft["id"]]
    assert copy.stage == s1.folder and copy.main_stage == 1 and copy.step == 1
    assert [(p["stage"], p["step"], p["parent_id"]) for p in copy.stages] == [
        (s1.folder, 1, None),
        (s2.folder, 0, None),
    ]
    assert copy.stages[1]["label"] == "best of stage 1"
    tuned = exps[s2.nodes[1]["id"]]
    assert tuned.hyperparam_name == "learning rate" and tuned.parent_id == draft["id"]
    assert tuned.results.metrics.model_extra["validation loss [pair_diff] final"] == pytest.approx(1.6)
    assert tuned.results.metrics.model_extra["validation loss ↓ (mean of 2 datasets)"] == pytest.approx(1.1)
    partial = exps[s2.nodes[3]["id"]]
    assert partial.status == "partial" and partial.parent_id == s2.nodes[2]["id"]
    assert partial.verdict == "plots rejected"


def test_only_plot_files_that_exist_are_visualizations(tmp_path):
    run = RunWriter(tmp_path)
    s1 = run.stage(1)
    nid = s1.add_node(plots=2)
    s1.write()
    first = run.logs / "experiment_results" / f"experiment_{nid}_proc_1000" / "plot_0.png"
    first.unlink()
    reader = RunReader(run.path)
    exp = experiments(reader.scan())[nid]
    assert [v.title for v in exp.results.visualizations] == ["plot 1"]
    plots = reader.plots(nid)
    assert [(p.path.name, p.exists) for p in plots] == [("plot_0.png", False), ("plot_1.png", True)]
    assert all(p.analysis for p in plots)


def test_search_tree_comes_from_node2parent_with_best_and_buggy_marked(tmp_path):
    run = mid_run(tmp_path)
    s1, s2 = run.stages
    reader = RunReader(run.path)
    reader.scan()
    tree = reader.tree(s2.folder)
    assert tree is reader.tree(s2.folder.removeprefix("stage_"))
    base = s2.nodes[0]["id"]
    assert tree.roots == [base]
    assert tree.nodes[base].children == [s2.nodes[1]["id"], s2.nodes[2]["id"]]
    assert tree.nodes[s2.nodes[2]["id"]].is_buggy and tree.nodes[s2.nodes[2]["id"]].children == [s2.nodes[3]["id"]]
    assert tree.nodes[s2.nodes[1]["id"]].is_best and tree.best_id == s2.nodes[1]["id"]
    assert [d for d, _ in tree.walk()] == [0, 1, 1, 2]
    assert tree.nodes[s2.nodes[3]["id"]].label == "debug · tuning: batch size"
    assert tree.nodes[base].label == "best of stage 1"
    t1 = reader.tree(s1.folder)
    assert len(t1.roots) == 3 and t1.nodes[s1.nodes[1]["id"]].children == [s1.nodes[3]["id"], s1.nodes[4]["id"]]
    assert t1.nodes[s1.nodes[1]["id"]].plots[0].exists
    assert t1.nodes[s1.nodes[0]["id"]].label == "draft"  # not the plan every node starts with
    assert t1.nodes[s1.nodes[4]["id"]].label == "seed aggregation"
    assert reader.tree("stage_9_nothing_1_x") is None


def test_stage_infos_count_nodes_and_know_what_is_complete(tmp_path):
    run = mid_run(tmp_path)
    reader = RunReader(run.path)
    reader.scan()
    s1, s2 = reader.stages
    assert (s1.total_nodes, s1.buggy_nodes, s1.good_nodes) == (5, 2, 2)
    assert s1.complete and s1.has_checkpoint and not s1.failed
    assert not s2.complete and s2.max_iters == 6 and s2.best_node_id == run.stages[1].best
    assert s2.best_metric.startswith("Metrics(")


def test_early_run_is_in_stage_one_and_workers_are_listed(tmp_path):
    run = early_run(tmp_path, workers=3)
    events = RunReader(run.path).scan()
    progress = one(events, "research_progress").data
    assert progress.phase_key == "stage_1"
    assert progress.phase_progress == pytest.approx(2 / 4)
    agents = {e.data.agent_id: e.data for e in by_type(events, "agent_status")}
    assert sorted(a.name for a in agents.values()) == ["Tree-search manager", "Worker 1", "Worker 2", "Worker 3"]
    assert len(progress.activities) == 4
    exps = experiments(events)
    assert sorted(e.status for e in exps.values()) == ["failed", "partial"]  # plots not checked: not good


def test_a_folder_with_only_an_idea_is_starting_stage_one(tmp_path):
    run = RunWriter(tmp_path, workers=0)
    progress = one(RunReader(run.path).scan(), "research_progress").data
    assert progress.phase_key == "stage_1" and progress.current_phase.endswith("(starting)")
    assert progress.overall_progress == 0.0


def test_next_stage_is_starting_once_the_previous_has_its_checkpoint(tmp_path):
    run = mid_run(tmp_path)
    run.stages[1].checkpoint()
    progress = one(RunReader(run.path).scan(), "research_progress").data
    assert progress.phase_key == "stage_3"
    assert {m.name: m.status for m in progress.milestones}["Stage 2: baseline tuning"] == "completed"


def test_workers_are_busy_only_while_their_files_are_newer_than_the_journal(tmp_path):
    run = mid_run(tmp_path, timeout=600)
    journal = run.stages[1].path / "journal.json"
    t = journal.stat().st_mtime
    run.worker(1, when=t + 5)  # wrote code after the last step: running
    run.worker(2, when=t - 5)  # nothing since the last step: waiting
    clock = Clock(t + 60)
    reader = RunReader(run.path, clock=clock)
    agents = {e.data.name: e.data for e in by_type(reader.scan(), "agent_status")}
    assert agents["Worker 1"].status == "busy" and agents["Worker 1"].current_task.type == "experiment"
    assert agents["Worker 2"].status == "idle" and agents["Worker 2"].current_task is None
    manager = agents["Tree-search manager"]
    assert manager.status == "busy" and manager.current_task.id == run.stages[1].folder
    assert manager.health.error_count == 3 and manager.performance.success_rate == pytest.approx(4 / 9)

    clock.now = t + 5 + 601  # longer than exec.timeout without a change
    changed = {e.data.name: e.data.status for e in by_type(reader.scan(), "agent_status")}
    assert changed == {"Worker 1": "idle", "Tree-search manager": "idle"}


def test_stall_warning_once_after_the_execution_timeout(tmp_path):
    run = mid_run(tmp_path, timeout=600)
    reader = RunReader(run.path, clock=Clock(run.tick() + 10))
    assert not [e for e in by_type(reader.scan(), "system_event") if e.data.severity == "warning"]
    reader.clock = Clock(run.tick() + 700)
    stalls = [e for e in by_type(reader.scan(), "system_event") if e.data.severity == "warning"]
    assert len(stalls) == 1 and "exec.timeout = 600 s" in stalls[0].data.description
    assert stalls[0].data.title == "No progress for over 10 min"
    assert not by_type(reader.scan(), "system_event")  # said once


def test_new_stage_and_failure_system_events(tmp_path):
    run = failed_run(tmp_path)
    events = RunReader(run.path).scan()
    systems = [e.data for e in by_type(events, "system_event")]
    assert [s.severity for s in systems] == ["info", "error"]
    assert systems[0].title == "Started Stage 1 initial implementation (1 preliminary)"
    assert systems[1].event_type == "error" and "no working implementation" in systems[1].title
    progress = one(events, "research_progress").data
    assert progress.phase_key == "failed" and progress.run_state == "failed"
    assert {m.name: m.status for m in progress.milestones}["Stage 1: initial implementation"] == "failed"
    manager = next(e.data for e in by_type(events, "agent_status") if e.data.name == "Tree-search manager")
    assert manager.status == "offline"


def test_post_tree_search_phases_in_order_with_rising_progress(tmp_path):
    run = mid_run(tmp_path)
    run.stages[1].checkpoint()
    for main in (3, 4):
        stage = run.stage(main)
        stage.add_node(loss=0.4)
        stage.write()
    run.stages[-1].checkpoint()
    reader = RunReader(run.path)
    seen = []
    steps = [
        lambda: None,
        run.summaries,
        run.figures,
        run.token_tracker,
        lambda: run.citations(5),
        run.latex,
        run.pdf,
        lambda: run.review(ethical=False),
    ]
    for step in steps:
        step()
        progress = one(reader.scan(), "research_progress").data
        seen.append((progress.phase_key, progress.overall_progress, progress.phase_progress))
    keys = [k for k, _, _ in seen]
    assert keys == ["summarising", "plotting", "plotting", "citations", "citations", "write-up", "review", "done"]
    overall = [o for _, o, _ in seen]
    assert overall == sorted(overall) and overall[0] == pytest.approx(0.8) and overall[-1] == 1.0
    assert seen[4][2] == pytest.approx(5 / 20)  # citation rounds, an estimate
    assert seen[-1][2] == 1.0


def test_finished_run_reports_the_end_and_the_reviewers_ethics_flag(tmp_path):
    run = finished_run(tmp_path, ethical=True)
    events = RunReader(run.path).scan()
    finished = [e.data for e in by_type(events, "system_event") if e.data.title == "Run finished"]
    assert len(finished) == 1 and "Accept" in finished[0].description and "overall score 6" in finished[0].description
    ethics = one(events, "ethical_assessment").data
    assert ethics.assessment.status == "review_required"
    assert ethics.assessment.human_review_required is True
    assert ethics.assessment.frameworks == {}
    assert ethics.metadata.assessed_by == "llm_reviewer" and ethics.source == "review_text.txt"
    assert ethics.ethical_concerns is True and "not a six-framework" in ethics.note
    agents = [e.data for e in by_type(events, "agent_status")]
    assert {a.status for a in agents} == {"offline"}
    progress = one(events, "research_progress").data
    assert progress.run_state == "finished" and progress.tokens["prompt"] == 160_000
    assert all(m.status == "completed" for m in progress.milestones)


def test_ethics_is_not_assessed_until_the_review_then_no_concerns(tmp_path):
    run = mid_run(tmp_path)
    reader = RunReader(run.path)
    before = one(reader.scan(), "ethical_assessment").data
    assert before.assessment.status == "not_assessed" and before.metadata.assessed_by is None
    run.review(ethical=False)
    after = one(reader.scan(), "ethical_assessment").data
    assert after.assessment.status == "no_concerns_flagged" and after.ethical_concerns is False


def test_ethics_flag_is_found_in_a_review_that_is_not_clean_json(tmp_path):
    run = mid_run(tmp_path)
    run.review(raw='Review follows {"Decision": "Accept", "Ethical Concerns": true, ')
    ethics = one(RunReader(run.path).scan(), "ethical_assessment").data
    assert ethics.assessment.status == "review_required"
    run.review(ethical=None)
    ethics = one(RunReader(run.path).scan(), "ethical_assessment").data
    assert ethics.assessment.status == "not_assessed" and "no readable" in ethics.note


def test_rescanning_unchanged_files_emits_nothing_and_a_restart_repeats_the_ids(tmp_path):
    run = mid_run(tmp_path)
    clock = Clock(time.time())
    first = RunReader(run.path, clock=clock).scan()
    reader = RunReader(run.path, clock=clock)
    again = reader.scan()
    assert [e.id for e in again] == [e.id for e in first]
    assert [e.timestamp for e in again] == [e.timestamp for e in first]
    assert reader.scan() == []
    assert len({e.id for e in first}) == len(first)


def test_a_new_node_emits_only_what_changed(tmp_path):
    run = mid_run(tmp_path)
    clock = Clock(time.time())
    reader = RunReader(run.path, clock=clock)
    before = {e.id for e in reader.scan()}
    s2 = run.stages[1]
    nid = s2.add_node(parent=s2.nodes[0]["id"], hyperparam="epochs", loss=0.3)
    s2.write()
    after = reader.scan()
    assert not {e.id for e in after} & before
    exps = experiments(after)
    # the new node, and the old best which is not the best any more
    assert set(exps) == {nid, s2.nodes[1]["id"]}
    assert exps[nid].is_best is True
    assert one(after, "research_progress").data.nodes["total"] == 10


def test_nan_metrics_and_odd_types_do_not_break_the_mapping(tmp_path):
    run = RunWriter(tmp_path)
    s1 = run.stage(1)
    nid = s1.add_node(loss=float("nan"), vlm=["first", "", "second"])
    s1.nodes[0]["exec_time"] = float("inf")
    s1.nodes[0]["step"] = "seven"
    s1.nodes.append("not a node")
    s1.nodes.append({"id": "x" * 32, "is_buggy": None, "metric": "broken", "plot_paths": "nope"})
    (s1.path / "notes").mkdir(parents=True, exist_ok=True)
    (s1.path / "journal.json").write_text(json.dumps({"nodes": s1.nodes, "node2parent": ["wrong"]}))
    reader = RunReader(run.path)
    exps = experiments(reader.scan())
    exp = exps[nid]
    assert "validation loss [pair_sum] final" not in exp.results.metrics.model_extra
    assert exp.results.metrics.model_extra["held-out accuracy [pair_sum] final"] == 0.1
    assert exp.results.key_findings[:2] == ["first", "second"]
    assert exp.execution.duration is None and exp.step is None
    assert exps["x" * 32].status == "partial"
    assert reader.take_notices() == []


def test_find_runs_lists_runs_newest_first_with_their_state(tmp_path):
    failed_run(tmp_path, name="2025-06-10_08-00-00_old_idea_attempt_0")
    mid_run(tmp_path, name="2025-06-12_09-13-56_toy_idea_attempt_1")
    finished_run(tmp_path, name="2025-06-11_10-00-00_done_idea_attempt_0")
    (tmp_path / "experiments" / "notes.txt").write_text("not a run")
    (tmp_path / "experiments" / "scratch").mkdir()
    for where in (tmp_path, tmp_path / "experiments"):
        runs = find_runs(where)
        assert [r.name for r in runs] == [
            "2025-06-12_09-13-56_toy_idea_attempt_1",
            "2025-06-11_10-00-00_done_idea_attempt_0",
            "2025-06-10_08-00-00_old_idea_attempt_0",
        ]
        assert [r.state for r in runs] == ["stage 2 stalled", "finished", "failed"]  # its nodes are old
        assert runs[0].attempt == 1 and runs[0].idea == "toy_idea" and runs[0].title.startswith("Toy Idea")
    single = find_runs(tmp_path / "experiments" / "2025-06-11_10-00-00_done_idea_attempt_0")
    assert len(single) == 1 and single[0].finished
    assert find_runs(tmp_path / "missing") == []


def test_worker_folders_under_any_numbered_run_are_found(tmp_path):
    run = early_run(tmp_path, workers=0)
    other = run.path / "1-run" / "process_ForkProcess-7"
    other.mkdir(parents=True)
    set_mtime(other, time.time())
    agents = {e.data.name: e.data for e in by_type(RunReader(run.path).scan(), "agent_status")}
    assert sorted(agents) == ["Tree-search manager", "Worker 1"]  # no num_workers: one per folder
    assert agents["Worker 1"].folder == "process_ForkProcess-7"
