"""Smoke runs of every benchmark (``--quick``): they run, and their numbers make sense.

No budget and no timing is asserted here; `python -m benchmarks` is where budgets
are judged. These runs use real loopback sockets, real processes and a real pty.
"""

from __future__ import annotations

import math

import orjson
import pytest

pytestmark = pytest.mark.timeout(120)


def _finite_positive(value: float) -> bool:
    return isinstance(value, int | float) and math.isfinite(value) and value > 0


def _checks(res) -> dict[str, float]:
    assert res.error is None, res.error
    assert res.checks, "a benchmark that checks nothing"
    return {c.name: c.value for c in res.checks}


async def test_ingest_pipelines_all_see_every_event() -> None:
    from benchmarks import ingest
    from benchmarks.guide_client import GUIDE

    res = await ingest.run(quick=True)
    checks = _checks(res)
    rates = res.numbers["events_per_s_best"]
    assert {"raw_orjson", "ours"} <= set(rates)
    assert ("guide_client" in rates) == GUIDE.exists()
    assert all(_finite_positive(r) for r in rates.values())
    assert all(_finite_positive(v) for v in checks.values())
    assert set(res.numbers["frame_bytes_by_type"]) == {
        "agent_status",
        "research_progress",
        "experiment_results",
        "ethical_assessment",
        "system_event",
    }


async def test_dashboard_under_load_receives_everything_and_answers_keys() -> None:
    from benchmarks import dashboard

    res = await dashboard.run(quick=True)
    _checks(res)
    n = res.numbers
    assert n["received"] == n["events"] > 0
    assert n["refreshes"] > 0 and n["refreshes_in_any_1s_max"] > 0
    assert n["key_presses"] >= 1
    assert 0 < n["key_painted_ms_max"] < 5000  # 5000 would mean the key was never handled
    assert 0 <= n["max_lag_s"] < 60
    assert _finite_positive(n["cpu_ms_per_1000_events"])


async def test_memory_children_apply_every_event() -> None:
    from benchmarks import memory

    res = await memory.run(quick=True)
    _checks(res)
    n = res.numbers["events"]
    for label in ("store", "app"):
        m = res.numbers[label]
        assert m["accepted"] == n and 0 < m["applied"] <= n
        assert m["agents"] <= 500 and m["experiments"] <= 50
        assert _finite_positive(m["peak_rss_mb"])
        assert max(m["rss_mb"]) == n
        assert m["peak_rss_mb"] >= max(m["rss_mb"].values()) * 0.9


async def test_terminal_counts_bytes_and_frames_on_a_pty() -> None:
    from benchmarks import terminal

    res = await terminal.run(quick=True)
    _checks(res)
    idle = res.numbers["idle"]
    assert 0 <= idle["cpu_share_of_core"] < 1
    for label in ("default (10 Hz)", "--naive-render"):
        m = res.numbers[label]
        assert m["bytes_per_s"] > 0, label
        assert m["frames_per_s"] > 0, label


async def test_rundir_scans_count_reads_and_see_changes() -> None:
    from benchmarks import rundir

    res = await rundir.run(quick=True)
    _checks(res)
    large = res.numbers["100 nodes"]
    assert large["full_scan_events"] > 100
    assert large["full_scan_files_read"] >= 1
    assert large["journal_change_files_read"] >= 1
    live = res.numbers["live"]
    assert live["change_to_store_s"] and max(live["change_to_store_s"]) < 10  # 10 s is the give-up time


async def test_scale_world_reaches_every_view_and_answers_keys() -> None:
    from benchmarks import scale

    res = await scale.run(quick=True, dwell=0.2)  # the figures need not be steady here, only taken
    checks = _checks(res)
    assert all(math.isfinite(v) and v >= 0 for v in checks.values())
    for world in ("200 agents", "1000 agents"):
        m = res.numbers[world]
        assert set(m["views"]) == {"research", "agents", "experiments", "ethics", "events"}
        assert m["views"]["agents"]["rows_shown"] == m["agents"]  # every agent drawn
        assert m["updates_delivered"] > 0
        assert all(v["sort_ms"] < 10_000 and v["switch_ms"] < 10_000 for v in m["views"].values())  # answered


def test_command_line_writes_table_and_json(tmp_path, capsys) -> None:
    from benchmarks.run import main

    out = tmp_path / "result.json"
    code = main(["--quick", "--only", "startup", "--out", str(out)])
    assert code == 0
    printed = capsys.readouterr().out
    assert "[startup]" in printed and "aisci-tui --help" in printed
    report = orjson.loads(out.read_bytes())
    assert report["quick"] is True and report["machine"]["cores"]
    (startup,) = report["results"]
    assert startup["error"] is None
    assert isinstance(startup["numbers"]["aisci-tui --help"]["imports"]["textual"], bool)
    assert all(_finite_positive(x) for x in startup["numbers"]["demo first frame s"])
    assert {c["name"] for c in startup["checks"]} >= {
        "aisci-tui --help: wall time (median)",
        "aisci-tui demo: first frame (median)",
    }
