"""Benchmark 6: the run-folder bridge on a large synthetic run.

A run folder in upstream's layout (written by the test suite's ``RunWriter``)
with one stage whose journal.json holds 2,000 nodes, each with a result folder
and a plot. Measured:

* scans: the first full scan, a rescan of an unchanged folder, and rescans
  after one small file and after the journal changed. Files opened for reading
  are counted (a number that does not depend on machine speed), and the
  small-change rescan is compared between a 200-node and a 2,000-node run: if
  rescans cost O(changed files), the ratio stays near 1.
* latency: ``RunSource`` (file notifications plus its poll) feeding a Store;
  a node is appended and the journal rewritten as upstream does; time until
  the store has the new event.
* idle: CPU of this process while ``RunSource`` watches the unchanged run.
"""

from __future__ import annotations

import asyncio
import builtins
import json
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.harness import Result, cpu_seconds


class OpenCounter:
    """Counts the files the bridge opens for reading, and their bytes."""

    def __init__(self) -> None:
        from aisci_tui.sources.rundir import files

        self.module = files
        self.opened: list[str] = []
        self.bytes = 0

    def __enter__(self) -> OpenCounter:
        def counting_open(path: Any, *args: Any, **kwargs: Any) -> Any:
            fh = builtins.open(path, *args, **kwargs)
            self.opened.append(str(path))
            try:
                self.bytes += Path(path).stat().st_size
            except OSError:
                pass
            return fh

        self.module.open = counting_open  # type: ignore[attr-defined]
        return self

    def __exit__(self, *exc: object) -> None:
        del self.module.open  # type: ignore[attr-defined]


def build_run(root: Path, nodes: int) -> tuple[Any, Any]:
    """A run with one stage of ``nodes`` nodes (as upstream writes them); returns (run, stage) writers.

    Every file is dated an hour back, as in a run written a while ago: the bridge re-reads
    files changed within the file system's clock grain until they settle, and that is
    measured where a change is made, not everywhere.
    """
    from tests.bridge.runwriter import RunWriter

    run = RunWriter(root, max_iters={1: nodes + 10, 2: 12, 3: 12, 4: 18})
    stage = run.stage(1)
    previous = None
    for k in range(nodes):
        previous = stage.add_node(buggy=k % 5 == 4, parent=previous if k % 3 else None, loss=1.0 + (k % 17) / 10)
    stage.write()
    past = time.time() - 3600
    for path in [run.path, *run.path.rglob("*")]:
        os.utime(path, (past, past))
    return run, stage


def _timed_scan(reader: Any) -> tuple[float, int, int, int]:
    with OpenCounter() as counter:
        t0 = time.perf_counter()
        events = reader.scan()
        seconds = time.perf_counter() - t0
    return seconds, len(events), len(counter.opened), counter.bytes


def scans(root: Path, nodes: int, repeats: int) -> dict[str, Any]:
    from aisci_tui.sources.rundir import RunReader

    run, stage = build_run(root, nodes)
    reader = RunReader(run.path)
    full = _timed_scan(reader)
    idle = [_timed_scan(reader) for _ in range(repeats)]
    small = []
    for k in range(repeats):
        (stage.path / "notes" / "stage_progress.json").write_text(
            json.dumps(
                {
                    "stage": "1_initial_implementation_1_preliminary",
                    "total_nodes": nodes,
                    "good_nodes": nodes,
                    "buggy_nodes": 0,
                    "best_metric": "None",
                    "current_findings": f"step {k}",
                }
            )
        )
        small.append(_timed_scan(reader))
    stage.add_node(loss=0.5)
    stage.write()
    journal = _timed_scan(reader)
    return {
        "nodes": nodes,
        "journal_bytes": (stage.path / "journal.json").stat().st_size,
        "full_scan_s": round(full[0], 4),
        "full_scan_events": full[1],
        "full_scan_files_read": full[2],
        "idle_rescan_s": round(statistics.median(s for s, *_ in idle), 5),
        "idle_rescan_files_read": max(n for _, _, n, _ in idle),
        "small_change_rescan_s": round(statistics.median(s for s, *_ in small), 5),
        "small_change_files_read": max(n for _, _, n, _ in small),
        "journal_change_rescan_s": round(journal[0], 4),
        "journal_change_events": journal[1],
        "journal_change_files_read": journal[2],
        "journal_change_bytes_read": journal[3],
    }


async def latency_and_idle(
    root: Path, nodes: int, changes: int, idle_s: float, settle: float = 1.5, quiet: float = 3.0
) -> dict[str, Any]:
    """Time changes into the store, then CPU while nothing changes (``quiet`` s after the last write)."""
    from aisci_tui.sources.rundir import RunSource
    from aisci_tui.store import Store

    run, stage = build_run(root, nodes)
    source = RunSource(run.path)
    store = Store()
    first_scan = asyncio.Event()

    async def pump() -> None:
        async for item in source:
            store.feed([item])
            if store.counters.received and not first_scan.is_set():
                first_scan.set()

    task = asyncio.create_task(pump())
    try:
        await asyncio.wait_for(first_scan.wait(), 60)
        await asyncio.sleep(settle)  # let the first scan's events all arrive
        delays = []
        for _ in range(changes):
            before = store.counters.applied
            stage.add_node(loss=0.4)
            t0 = time.monotonic()
            stage.write()
            while store.counters.applied == before and time.monotonic() - t0 < 10:
                await asyncio.sleep(0.005)
            delays.append(time.monotonic() - t0)
            await asyncio.sleep(settle)  # more than the notifier's debounce, so changes stay apart
        await asyncio.sleep(quiet)  # the files written last have settled
        cpu0, t0 = cpu_seconds(), time.monotonic()
        await asyncio.sleep(idle_s)
        idle_cpu = (cpu_seconds() - cpu0) / (time.monotonic() - t0)
    finally:
        await source.aclose()
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    return {
        "change_to_store_s": [round(d, 3) for d in delays],
        "idle_cpu_share": round(idle_cpu, 4),
        "watching_with_notifications": source.watching or None,
    }


async def run(quick: bool = False) -> Result:
    res = Result("rundir")
    big, small_run = (100, 10) if quick else (2000, 200)
    repeats = 2 if quick else 7
    with tempfile.TemporaryDirectory(prefix="aisci-bench-run-") as tmp:
        large = await asyncio.to_thread(scans, Path(tmp) / "large", big, repeats)
        little = await asyncio.to_thread(scans, Path(tmp) / "small", small_run, repeats)
        live = await latency_and_idle(
            Path(tmp) / "live",
            big,
            1 if quick else 5,
            1.0 if quick else 20.0,
            0.6 if quick else 1.5,
            0.5 if quick else 3.0,
        )
    res.numbers[f"{big} nodes"] = large
    res.numbers[f"{small_run} nodes"] = little
    res.numbers["live"] = live
    growth = large["small_change_rescan_s"] / max(1e-6, little["small_change_rescan_s"])
    res.numbers["small_change_rescan_ratio"] = round(growth, 2)
    res.check(f"rundir {big} nodes: change to store (max)", max(live["change_to_store_s"]), "<=", 1.0, "s")
    res.check(f"rundir {big} nodes: idle watching CPU share", live["idle_cpu_share"] * 100, "<=", 1.0, "%")
    res.check("rundir: files read after one small file changed", large["small_change_files_read"], "<=", 1, "files")
    res.check("rundir: files read when nothing changed", large["idle_rescan_files_read"], "<=", 0, "files")
    res.check(
        f"rundir: small-change rescan {big} / {small_run} nodes",
        growth,
        "<=",
        2.0,
        "ratio",
        note="O(changed files) keeps this near 1; O(run) would make it ~10",
    )
    return res
