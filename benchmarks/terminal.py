"""Benchmark 4: what the dashboard costs when idle, and what it writes to the terminal.

The real ``aisci-tui`` command runs on a 120x40 pty (TERM=xterm-256color),
connected through its own client to the load generator. Every byte it writes
to the terminal is counted; its CPU is read from the kernel. Runs:

* idle: connected and subscribed, no events: CPU share of one core.
* 100 events/s with default settings, with ``--refresh-hz 2``, and with the
  hidden ``--naive-render`` (a redraw per event), to show what coalescing buys.

The first seconds (connect, first full paint) are left out of every window.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time

from benchmarks import frames as framegen
from benchmarks import project
from benchmarks.harness import ROOT, LoadProcess, Result, cpu_seconds
from benchmarks.pty_app import PtyApp

WARMUP = 3.0


def app_env(config_home: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AISCI_", "TEXTUAL", "COLORTERM"))}
    env.update(
        TERM="xterm-256color", AISCI_API_KEY=project.BENCH_KEY, XDG_CONFIG_HOME=config_home, PYTHONUNBUFFERED="1"
    )
    env.pop("NO_COLOR", None)
    return env


def _window(app: PtyApp, t0: float, t1: float, cpu: float, rate: float | None) -> dict[str, float]:
    span = t1 - t0
    return {
        "seconds": round(span, 2),
        "bytes_per_s": round(app.bytes_between(t0, t1) / span),
        "frames_per_s": round(app.frames_between(t0, t1) / span, 1),
        "frames_per_whole_second_max": app.max_frames_per_whole_second(t0, t1),
        "frames_in_any_1s_max": app.max_frames_in_any_second(t0, t1),
        "cpu_share_of_core": round(cpu / span, 4),
        "cpu_ms_per_1000_events": round(cpu / (span * rate) * 1e6, 1) if rate else 0.0,
    }


async def _cpu_over(app: PtyApp, t0: float, t1: float) -> float:
    """CPU seconds the app used between two moments still to come."""
    await asyncio.sleep(max(0.0, t0 - time.monotonic()))
    cpu0 = cpu_seconds(app.pid)
    await asyncio.sleep(max(0.0, t1 - time.monotonic()))
    return cpu_seconds(app.pid) - cpu0


async def one_run(
    frames: list[bytes], rate: float, seconds: float, flags: list[str], *, warmup: float = WARMUP, idle: float = 0.0
) -> dict[str, dict[str, float]]:
    """Start the dashboard, let it settle; optionally measure it idle; then stream and measure.

    The load generator holds the stream back ``warmup + idle`` seconds after the
    subscription, so the idle window is the connected dashboard with nothing arriving.
    """
    out: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="aisci-bench-cfg-") as cfg:
        async with LoadProcess(frames, rate=rate, hold=warmup + idle, end_marker=False) as load:
            argv = [sys.executable, "-m", "aisci_tui", "--url", load.url, *flags]
            app = PtyApp(argv, app_env(cfg), cwd=str(ROOT))
            app.start()
            try:
                subscribed = (await load.next_event("subscribed", timeout=30))["t"]
                if idle:
                    t0 = subscribed + warmup
                    cpu = await _cpu_over(app, t0, t0 + idle)
                    out["idle"] = _window(app, t0, t0 + idle, cpu, None)
                start = (await load.next_event("stream_start", timeout=30 + idle))["t"]
                t0 = start + min(1.0, seconds / 2)
                cpu = await _cpu_over(app, t0, t0 + seconds)
                if not app.alive():
                    raise RuntimeError("the dashboard exited early: " + app.output()[-300:].decode(errors="replace"))
                out["load"] = _window(app, t0, t0 + seconds, cpu, rate)
            finally:
                await asyncio.to_thread(app.stop)
    return out


async def run(quick: bool = False) -> Result:
    res = Result("terminal")
    idle_s, load_s, warmup = (1.0, 1.0, 1.0) if quick else (30.0, 20.0, WARMUP)
    rate = 100.0
    stream = framegen.stream(int(rate * (load_s + 10)))
    runs = {
        "default (10 Hz)": [],
        "--refresh-hz 2": ["--refresh-hz", "2"],
        "--naive-render": ["--naive-render"],
    }
    if quick:  # the smoke run only needs each code path once
        runs = {"default (10 Hz)": [], "--naive-render": ["--naive-render"]}
    for label, flags in runs.items():
        measured = await one_run(
            stream, rate, load_s, flags, warmup=warmup, idle=idle_s if label.startswith("default") else 0.0
        )
        res.numbers[label] = measured["load"]
        if "idle" in measured:
            res.numbers["idle"] = measured["idle"]
    idle = res.numbers["idle"]
    res.check(f"idle {idle_s:g} s: CPU share of one core", idle["cpu_share_of_core"] * 100, "<=", 1.0, "%")
    for label, hz in (("default (10 Hz)", 10), ("--refresh-hz 2", 2)):
        if label in res.numbers:
            res.check(
                f"100 ev/s, {label}: frames per second (max)",
                res.numbers[label]["frames_per_whole_second_max"],
                "<=",
                hz,
                "frames",
            )
    default = res.numbers["default (10 Hz)"]["bytes_per_s"]
    res.check("100 ev/s, default settings: terminal bytes", default / 1024, "<=", 64, "KB/s")
    naive = res.numbers["--naive-render"]["bytes_per_s"]
    res.check(
        "100 ev/s: naive per-event redraw / default bytes",
        naive / max(1, default),
        ">=",
        1.0,
        "ratio",
        note="what coalescing buys",
    )
    if "--refresh-hz 2" in res.numbers:
        slow = res.numbers["--refresh-hz 2"]["bytes_per_s"]
        res.check("100 ev/s: --refresh-hz 2 / default bytes", slow / max(1, default), "<=", 1.0, "ratio")
        res.notes.append(
            f"--refresh-hz 2 writes {slow / 1024:.1f} KB/s, the default {default / 1024:.1f} KB/s, "
            f"naive per-event redraw {naive / 1024:.1f} KB/s"
        )
    if not quick:
        busy = (await one_run(framegen.stream(2000 * 15), 2000.0, 10.0, []))["load"]
        res.numbers["2000 ev/s (pty)"] = busy
        res.notes.append(
            f"on a real pty at 2,000 ev/s: {busy['cpu_ms_per_1000_events']} ms CPU per 1,000 events, "
            f"{busy['cpu_share_of_core'] * 100:.0f}% of a core, {busy['bytes_per_s'] / 1024:.1f} KB/s"
        )
    return res
