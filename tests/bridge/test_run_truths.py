"""What a run folder written like upstream's says, through the store, `events` and the dashboard.

Each trap is one of upstream's own behaviours (see tests/bridge/runwriter.py): a
stage with no good node whose best_node_id.txt names a node that is not good;
node 0 copied across stages; unchecked plots and seed aggregates; a copied run
whose file times are all "now"; a finished run with its review and cost; more
worker folders than workers.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time

import pytest

from aisci_tui.settings import Settings
from aisci_tui.sources.rundir import RunReader, RunSource
from aisci_tui.store import Store
from aisci_tui.store.query import session_counts
from aisci_tui.store.rows import experiment_row
from aisci_tui.tui.run import searchtree
from aisci_tui.tui.run.apps import watch_app
from aisci_tui.tui.run.view import TreeView
from tests.bridge.helpers import Clock, cli_env, screen_text, wait_until
from tests.bridge.runwriter import FINISHED_AFTER, finished_run, mid_run, no_good_run

START = 1_749_719_636.0  # 2025-06-12 09:13:56 UTC, the writer's folder stamp
KEY = "run-truths-key-7Jd2"


def stored(run, clock=None) -> tuple[RunReader, Store]:
    reader = RunReader(run.path, clock=clock or Clock(run.tick() + 10))
    store = Store()
    store.feed(reader.scan())
    return reader, store


def progress_json(stage) -> dict:
    return json.loads((stage.path / "notes" / "stage_progress.json").read_text())


# -- through the store ---------------------------------------------------------------------


def test_no_good_node_means_no_best_even_when_best_node_id_names_one(tmp_path):
    run = no_good_run(tmp_path)
    s1 = run.stages[0]
    named = (s1.path / "best_node_id.txt").read_text()
    assert named and s1.node(named)["is_buggy_plots"] is True  # save_run's only_good=False pick
    reader, store = stored(run)
    assert reader.stages[0].best_node_id is None and reader.stages[0].best_metric is None
    assert not any(e.data.model_extra["is_best"] for e in store.experiments.values())
    summary = searchtree.stages(store, None)[0]
    assert (summary.good, summary.buggy, summary.other, summary.best_id) == (0, 1, 2, None)
    tree = searchtree.stage_tree(store, summary.key)
    assert tree.best_id is None and not any(n.is_best for n in tree.nodes.values())
    assert one_progress(store).model_extra["best_metric"] is None


def test_the_best_is_the_node_best_metric_names_not_the_metric_winner(tmp_path):
    """get_best_node asks an LLM: its pick (written as best_metric) wins over the lowest loss."""
    from tests.bridge.runwriter import RunWriter

    run = RunWriter(tmp_path)
    s1 = run.stage(1)
    lowest = s1.add_node(loss=0.2)
    chosen = s1.add_node(loss=0.9)
    s1.add_node(buggy_plots=True, loss=0.1)  # the lowest of all, but not good
    s1.write(best=chosen, best_file=lowest)  # the two LLM calls disagree, as they may
    reader, store = stored(run)
    assert reader.stages[0].best_node_id == chosen
    assert [k for k, e in store.experiments.items() if e.data.model_extra["is_best"]] == [chosen]
    # without a readable best_metric: best_node_id.txt if good, else the metric comparison
    notes = s1.path / "notes" / "stage_progress.json"
    notes.write_text(notes.read_text().replace('"best_metric": "Metrics(', '"best_metric": "Unreadable('))
    reader, _ = stored(run)
    assert reader.stages[0].best_node_id == lowest
    (s1.path / "best_node_id.txt").write_text(s1.nodes[2]["id"])  # a node that is not good
    reader, _ = stored(run)
    assert reader.stages[0].best_node_id == lowest  # the lowest loss among the good ones


def one_progress(store):
    (entity,) = store.sessions.values()
    return entity.data


def test_node_zero_is_one_experiment_in_both_trees_and_counted_once(tmp_path):
    run = mid_run(tmp_path)
    s1, s2 = run.stages
    carried = s2.nodes[0]
    assert carried["id"] == s1.best and carried["ctime"] == s1.node(s1.best)["ctime"]
    _, store = stored(run)
    assert len(store.experiments) == 8  # 9 journal entries
    keys = [s.key for s in searchtree.stages(store, None)]
    assert all(carried["id"] in searchtree.stage_tree(store, k).nodes for k in keys)
    counts = session_counts(store)[run.name]
    assert (counts.experiments_total, counts.experiments_done, counts.experiments_failed) == (
        8,
        3,
        3,
    )  # good: the draft, its seed run, the tuned node


def test_every_count_agrees_with_stage_progress_json(tmp_path):
    run = finished_run(tmp_path)
    reader, store = stored(run)
    by_stage = {s.key.stage: s for s in searchtree.stages(store, None)}
    for stage, info in zip(run.stages, reader.stages, strict=True):
        written = progress_json(stage)
        summary = by_stage[stage.folder]
        assert (summary.total, summary.good, summary.buggy) == (
            written["total_nodes"],
            written["good_nodes"],
            written["buggy_nodes"],
        ), stage.folder
        assert (info.total_nodes, info.good_nodes, info.buggy_nodes) == (summary.total, summary.good, summary.buggy)
        tree = reader.tree(stage.folder)
        glyphs = [n.status for n in tree.nodes.values()]
        assert (glyphs.count("completed"), glyphs.count("failed")) == (summary.good, summary.buggy)
    agg = next(e for e in store.experiments.values() if e.data.model_extra["is_seed_agg_node"])
    assert agg.data.status == "partial"


def test_one_metric_text_in_tree_detail_and_table(tmp_path):
    run = mid_run(tmp_path)
    reader, store = stored(run)
    tuned = run.stages[1].nodes[1]["id"]
    node = reader.tree(run.stages[1].folder).nodes[tuned]
    assert node.metric == "validation loss ↓ 1.1 (mean of 2 datasets)"
    key = next(s.key for s in searchtree.stages(store, None) if s.key.stage == run.stages[1].folder)
    assert searchtree.stage_tree(store, key).nodes[tuned].metric == node.metric
    row = experiment_row(store.experiments[tuned], store)
    assert row["metric"] == pytest.approx(1.1) and row["metric_name"] == "validation loss ↓ (mean of 2 datasets)"


def test_labels_say_what_differs_not_the_shared_plan(tmp_path):
    run = mid_run(tmp_path)
    reader, _ = stored(run)
    labels = [n.label for t in reader.trees().values() for n in t.nodes.values()]
    assert not any("Synthetic toy task" in label for label in labels)
    assert {
        "draft",
        "seed run",
        "seed aggregation",
        "best of stage 1",
        "improve · tuning: learning rate",
        "debug · tuning: batch size",
    } <= set(labels)


def test_a_copied_run_keeps_its_own_clock(tmp_path):
    run = mid_run(tmp_path)
    run.copied()  # every file time is now
    _, store = stored(run, clock=time.time)
    progress = one_progress(store)
    assert progress.timeline.started_at == "2025-06-12T09:13:56.000Z"
    assert progress.timeline.time_elapsed == pytest.approx(run.newest_node_end - START)
    assert progress.timeline.time_remaining is None and progress.timeline.estimated_completion is None
    assert progress.model_extra["run_state"] == "stalled"
    manager = store.agents[f"{run.name}/manager"].data
    assert manager.status == "idle" and manager.health.last_heartbeat.startswith("2025-06-12")
    done = next(m for m in progress.milestones if m.status == "completed")
    assert done.completed_at.startswith("2025-06-12")


def test_a_run_written_now_has_a_near_eta_and_is_busy(tmp_path):
    run = mid_run(tmp_path)
    _, store = stored(run, clock=Clock(run.tick() + 30))
    t = one_progress(store).timeline
    assert t.time_remaining is not None and 0 < t.time_remaining < 10 * t.time_elapsed
    assert store.agents[f"{run.name}/manager"].data.status == "busy"


def test_a_copied_finished_run_says_seven_hours_with_review_and_cost(tmp_path):
    run = finished_run(tmp_path)
    run.copied()
    _, store = stored(run, clock=time.time)
    progress = one_progress(store)
    t = progress.timeline
    assert t.time_elapsed == pytest.approx(FINISHED_AFTER) and t.time_remaining == 0.0
    assert t.estimated_completion.startswith("2025-06-12T16:30:56")
    assert progress.model_extra["run_state"] == "finished"
    assert progress.model_extra["review"] == {"decision": "Accept", "overall": 6.0, "ethical_concerns": False}
    cost = progress.model_extra["cost"]
    assert cost["total_usd"] == pytest.approx(2.375) and set(cost["models"]) == {
        "gpt-4o-2024-11-20",
        "o1-preview-2024-09-12",
    }
    assert not [e for e in store.log if e.kind == "system_event" and "No progress" in (e.title or "")]


def test_no_cost_during_the_tree_search_is_not_zero(tmp_path):
    _, store = stored(mid_run(tmp_path))
    cost = one_progress(store).model_extra["cost"]
    assert cost["total_usd"] is None and "no cost yet" in cost["note"]


def test_configured_workers_not_one_per_folder(tmp_path):
    run = mid_run(tmp_path, workers=2)
    run.reforked(3)  # ForkProcess-3, 4, 5
    _, store = stored(run)
    workers = sorted(a.data.name for a in store.agents.values() if a.data.model_extra.get("role") == "worker")
    assert workers == ["Worker 1", "Worker 2"]
    assert one_progress(store).model_extra["workers"] == {"configured": 2, "folders": 5}


# -- through `serve --from-run` and `events` -----------------------------------------------


def test_events_from_a_served_copied_finished_run(tmp_path):
    """`events` asks for no history, so the run is written (and copied) once it listens."""
    folder = tmp_path / "experiments" / "2025-06-12_09-13-56_toy_idea_attempt_0"
    folder.mkdir(parents=True)
    env = cli_env(tmp_path) | {"AISCI_API_KEYS": KEY}
    server = subprocess.Popen(
        [sys.executable, "-m", "aisci_tui", "serve", "--port", "0", "--from-run", str(folder), "--poll", "0.2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    try:
        line = server.stdout.readline()
        url = re.search(r"Serving (ws://127\.0\.0\.1:\d+/ws)", line)
        assert url, line
        listener = subprocess.Popen(
            [sys.executable, "-m", "aisci_tui", "events", "--url", url.group(1), "--duration", "8"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=cli_env(tmp_path) | {"AISCI_API_KEY": KEY},
            cwd=tmp_path,
        )
        time.sleep(2.5)
        run = finished_run(tmp_path)
        run.copied()
        stdout, _ = listener.communicate(timeout=30)
    finally:
        server.terminate()
        server.wait(20)
    out = subprocess.CompletedProcess([], 0, stdout, "")
    events = [json.loads(x) for x in out.stdout.splitlines() if x.startswith("{")]
    exps = {e["data"]["experiment_id"]: e["data"] for e in events if e["type"] == "experiment_results"}
    ids = {n["id"] for s in run.stages for n in s.nodes}
    assert set(exps) == ids  # one per node id, though node 0 of stages 2–4 is in two journals
    progress = [e["data"] for e in events if e["type"] == "research_progress"][-1]
    assert progress["timeline"]["time_elapsed"] == pytest.approx(FINISHED_AFTER)
    assert progress["review"]["decision"] == "Accept" and progress["cost"]["total_usd"] == pytest.approx(2.375)
    assert progress["phase_trail"][progress["phase_index"]] == "done"
    assert progress["workers"]["configured"] == 2
    for stage in run.stages:  # one best per stage, and the counts of stage_progress.json
        written = progress_json(stage)
        here = [(d, p) for d in exps.values() for p in d["stages"] if p["stage"] == stage.folder]
        assert [d["node_id"] for d, p in here if p["is_best"]] == [stage.best]
        statuses = [d["status"] for d, _ in here]
        assert (len(here), statuses.count("completed"), statuses.count("failed")) == (
            written["total_nodes"],
            written["good_nodes"],
            written["buggy_nodes"],
        )


# -- through the dashboard -----------------------------------------------------------------


def app_for(run, tmp_path, clock):
    settings = Settings.model_construct(export_dir=tmp_path / "out", refresh_hz=20.0)
    return watch_app(RunSource(run.path, poll_interval=0.05, clock=clock, watch=False), run.path, settings=settings)


async def test_dashboard_shows_the_finished_runs_review_cost_and_own_trail(tmp_path):
    run = finished_run(tmp_path)
    run.copied()
    app = app_for(run, tmp_path, time.time)
    async with app.run_test(size=(150, 60)) as pilot:
        await pilot.press("1")  # Research: the run's session in full
        await wait_until(pilot, lambda: "Cost by model" in screen_text(app), what="the session detail")
        text = screen_text(app)
        assert "Accept · overall 6" in text and "$2.38 in all" in text and "o1-preview-2024-09-12" in text
        assert "Stage 1 initial implementation ✓" in text and "review ✓" in text and "▶ done" in text
        assert "literature review" not in text
        assert re.search(r"Elapsed +7h 17m", text) and "overdue" not in text
        assert "2 configured (agent.num_workers)" in text


async def test_dashboard_tree_of_a_stage_without_a_good_node(tmp_path):
    run = no_good_run(tmp_path)
    app = app_for(run, tmp_path, Clock(run.tick() + 10))
    async with app.run_test(size=(150, 44)) as pilot:
        await pilot.press("1")
        await wait_until(pilot, lambda: "Cost" in screen_text(app), what="the session")
        assert "no cost yet" in screen_text(app) and "$0" not in screen_text(app)
        await pilot.press("6")
        view = app.query_one(TreeView)
        await wait_until(pilot, lambda: len(view.tree.node_ids) == 3, what="the tree")
        text = screen_text(app)
        assert "3 nodes: ✓ 0 good · ✖ 1 buggy · ◐ 2 other   best: no good node yet" in text
        assert not any(view.tree.label_of(n).startswith("★") for n in view.tree.node_ids)
        rejected = (run.stages[0].path / "best_node_id.txt").read_text()
        assert "plots rejected" in view.tree.label_of(rejected)


@pytest.mark.parametrize("viewer", ["UTC", "Asia/Kolkata", "America/New_York", "Pacific/Auckland"])
def test_the_folder_stamp_is_read_in_the_zone_the_run_used(monkeypatch, viewer):
    """The name is the running machine's local time; the viewer may be anywhere."""
    from aisci_tui.sources.rundir.clock import folder_stamp

    monkeypatch.setenv("TZ", viewer)
    time.tzset()
    try:
        first_node = START + 8 * 60  # upstream's first node, 8 minutes after the folder was made (UTC)
        assert folder_stamp("2025-06-12_09-13-56_idea_attempt_0", first_node) == START
        # made in Paris in summer (UTC+2): 09:13:56 there is 07:13:56 UTC
        assert folder_stamp("2025-06-12_09-13-56_idea_attempt_0", START - 2 * 3600 + 600) == START - 2 * 3600
        # a half-hour zone is placed within half an hour (whole hours are tried first)
        india = folder_stamp("2025-06-12_09-13-56_idea_attempt_0", START - 5.5 * 3600 + 600)
        assert abs(india - (START - 5.5 * 3600)) <= 1800
    finally:
        monkeypatch.undo()
        time.tzset()
