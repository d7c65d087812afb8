"""A rescan costs what changed, not the size of the run; plot changes are still seen.

An idle rescan looks at a handful of files and folders; plot files are checked
in full only when the journal or a folder holding the result folders changes,
when notifications name them, or at the safety-net interval.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import time
from pathlib import Path

import pytest

from aisci_tui.sources.rundir import RunReader, RunSource
from aisci_tui.sources.rundir import files as files_mod
from tests.bridge.helpers import by_type
from tests.bridge.runwriter import RunWriter
from tests.bridge.test_source import Collector, is_experiment


def _run(root: Path, nodes: int) -> tuple[RunWriter, list[str]]:
    """A run written an hour ago (so every file has settled), one stage of ``nodes`` nodes with plots."""
    run = RunWriter(root, max_iters={1: nodes + 5, 2: 4, 3: 3, 4: 3})
    stage = run.stage(1)
    ids = [stage.add_node(loss=1.0 + k / 100) for k in range(nodes)]
    stage.write()
    past = time.time() - 3600
    for path in [run.path, *run.path.rglob("*")]:
        os.utime(path, (past, past))
    return run, ids


def _plot(run: RunWriter, nid: str) -> Path:
    return next((run.logs / "experiment_results").glob(f"experiment_{nid}_proc_*")) / "plot_0.png"


def _visuals(events, exp_id: str) -> list[str] | None:
    for event in by_type(events, "experiment_results"):
        if event.data.experiment_id == exp_id:
            return [v.title for v in event.data.results.visualizations]
    return None


class _StatCounter:
    """Counts the ``stat`` calls of the reader's file cache (every look at a path goes through it)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        real = files_mod.FileCache.stat

        def counting(cache, path):
            self.count += 1
            return real(cache, path)

        monkeypatch.setattr(files_mod.FileCache, "stat", counting)


def test_an_idle_rescan_looks_at_the_same_few_paths_whatever_the_run_size(tmp_path, monkeypatch):
    looks = {}
    for nodes in (10, 150):
        run, _ = _run(tmp_path / str(nodes), nodes)
        reader = RunReader(run.path)
        first = reader.scan()
        assert len(by_type(first, "experiment_results")) == nodes
        counter = _StatCounter(monkeypatch)
        assert reader.scan() == [] and reader.scan() == []
        looks[nodes] = counter.count
        monkeypatch.undo()
    assert looks[10] == looks[150], f"stat calls per idle rescan grew with the run: {looks}"
    assert looks[150] < 100


def test_a_deleted_plot_is_seen_when_named_at_the_safety_net_or_with_a_new_result_folder(tmp_path):
    run, ids = _run(tmp_path, 6)
    reader = RunReader(run.path, plot_recheck=3600)
    reader.scan()
    exp = ids[2]

    _plot(run, ids[2]).unlink()
    assert reader.scan() == [], "not named and nothing else changed: left to the safety net"
    events = reader.scan(changed={_plot(run, ids[2]).parent / "plot_0.png"})
    assert _visuals(events, exp) == [] and not reader.plots(ids[2])[0].exists

    shutil.rmtree(_plot(run, ids[3]).parent)  # the folder goes: its parent's mtime changes
    events = reader.scan()
    assert _visuals(events, ids[3]) == []

    _plot(run, ids[4]).unlink()
    reader.plot_recheck = 0.0
    assert _visuals(reader.scan(), ids[4]) == [], "the safety-net check finds it"
    assert reader.scan() == []


def test_a_plot_that_appears_after_the_journal_named_it_is_seen_on_the_next_scan(tmp_path):
    run, ids = _run(tmp_path, 3)
    plot = _plot(run, ids[1])
    plot.unlink()
    reader = RunReader(run.path, plot_recheck=3600)
    assert _visuals(reader.scan(), ids[1]) == []
    assert reader.scan() == []
    plot.write_bytes(b"\x89PNG")
    assert _visuals(reader.scan(), ids[1]) == ["plot 0"]
    assert reader.plots(ids[1])[0].exists


def test_an_unchanged_stage_is_not_rebuilt_but_a_changed_one_is(tmp_path):
    run, ids = _run(tmp_path, 4)
    second = run.stage(2)
    second.add_node(loss=0.3)
    second.write()
    reader = RunReader(run.path)
    reader.scan()
    tree_one, tree_two = reader.tree(run.stages[0].folder), reader.tree(second.folder)
    second.add_node(loss=0.2)
    second.write()
    events = reader.scan()
    exps = {e.data.experiment_id for e in by_type(events, "experiment_results")}
    assert exps == {second.nodes[1]["id"]} | (
        {second.nodes[0]["id"]} if second.best != second.nodes[0]["id"] else set()
    )
    assert reader.tree(run.stages[0].folder) is tree_one, "stage 1's tree was kept"
    assert reader.tree(second.folder) is not tree_two and len(reader.tree(second.folder).nodes) == 2
    progress = by_type(events, "research_progress")
    assert progress and progress[0].data.model_extra["nodes"]["total"] == 6


async def test_a_notification_about_a_deleted_plot_reaches_the_store_side_quickly(tmp_path):
    run, ids = _run(tmp_path, 5)
    source = RunSource(run.path, poll_interval=30.0)
    source.reader.plot_recheck = 3600
    seen = Collector(source)
    try:
        exp = ids[1]
        await seen.wait_for(is_experiment(exp), timeout=5)
        deadline = time.monotonic() + 5
        while not source.watching and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        if not source.watching:
            pytest.skip("file notifications do not work here")
        await asyncio.sleep(0.2)
        _plot(run, ids[1]).unlink()
        gone = await seen.wait_for(lambda i: is_experiment(exp)(i) and not i.data.results.visualizations, timeout=4)
        assert gone.data.results.key_findings, "the analysis text stays; only the missing image goes"
    finally:
        await seen.close()
