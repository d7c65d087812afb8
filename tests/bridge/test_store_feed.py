"""Bridge events feed the store: tables fill, restarts are duplicates, replays rebuild the same state."""

from __future__ import annotations

import subprocess
import sys

from aisci_tui.sources.record import Recorder
from aisci_tui.sources.replay import ReplaySource
from aisci_tui.sources.rundir import RunReader
from aisci_tui.store import Store
from tests.bridge.helpers import Clock
from tests.bridge.runwriter import finished_run, mid_run


def test_events_fill_the_store_tables(tmp_path):
    run = mid_run(tmp_path)
    reader = RunReader(run.path, clock=Clock(run.tick() + 10))  # while the run is being written
    store = Store(session_id=run.name)
    store.feed(reader.scan())
    store.feed(reader.take_notices())
    assert list(store.sessions) == [run.name]
    assert len(store.experiments) == 8  # node 0 of stage 2 is stage 1's best
    assert sorted(store.agents) == sorted([f"{run.name}/manager", f"{run.name}/worker-1", f"{run.name}/worker-2"])
    assert list(store.assessments) == [run.name]
    titles = [e.title for e in store.log if e.kind == "system_event"]
    assert titles == [f"Started {s.label}" for s in reader.stages]
    assert store.counters.stale == 0 and store.counters.filtered == 0 and store.counters.duplicates == 0
    session = store.sessions[run.name].data
    assert session.current_phase.startswith("Stage 2") and session.phase_key == "stage_2"


def test_a_restarted_reader_adds_only_duplicates_and_updates_apply(tmp_path):
    run = mid_run(tmp_path)
    clock = Clock(0)
    store = Store()
    first = RunReader(run.path, clock=clock).scan()
    store.feed(first)
    applied = store.counters.applied
    restarted = RunReader(run.path, clock=clock)
    store.feed(restarted.scan())
    assert store.counters.duplicates == len(first) and store.counters.applied == applied
    s2 = run.stages[1]
    nid = s2.add_node(parent=s2.nodes[0]["id"], loss=0.01)
    s2.write()
    store.take_changes()
    store.feed(restarted.scan())
    changes = store.take_changes()
    assert nid in changes.experiments and run.name in changes.sessions
    assert store.counters.stale == 0
    assert store.experiments[nid].data.is_best is True
    assert store.sessions[run.name].data.nodes["total"] == 10


async def test_a_replayed_recording_rebuilds_the_same_store(tmp_path):
    run = finished_run(tmp_path / "run", ethical=True)
    events = RunReader(run.path).scan()
    live = Store()
    live.feed(events)
    path = tmp_path / "rec.jsonl"
    with Recorder(path) as rec:
        for n, ev in enumerate(events):
            rec.write(ev, arrival=100.0 + n / 1000)
    replayed = Store()
    replayed.feed([i async for i in ReplaySource(path, speed=float("inf"), stay_open=False)])
    assert replayed.snapshot() == live.snapshot()
    assert replayed.assessments[run.name].data.assessment.status == "review_required"


def test_the_bridge_imports_no_textual():
    code = (
        "import sys\n"
        "import aisci_tui.sources.rundir, aisci_tui.sources.replay, aisci_tui.sources.record\n"
        "assert not [m for m in sys.modules if m == 'textual' or m.startswith('textual.')], 'textual imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
