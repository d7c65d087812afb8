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
    env.update(TERM="xterm-256color", AISCI_API_KEY=project.BENCH_KEY, XDG_CONFIG_HOME=config_home,
               PYTHONUNBUFFERED="1")
    env.pop("NO_COLOR", None)
    return env


async def one_run(frames: list[bytes], rate: float | None, seconds: float, flags: list[str],
                  warmup: float = WARMUP) -> dict[str, float]:
    """Start the dashboard, let it settle, stream, and measure over ``seconds``."""
    with tempfile.TemporaryDirectory(prefix="aisci-bench-cfg-") as cfg:
        async with LoadProcess(frames, rate=rate, hold=warmup, end_marker=False) as load:
            argv = [sys.executable, "-m", "aisci_tui", "--url", load.url, *flags]
            app = PtyApp(argv, app_env(cfg), cwd=str(ROOT))
            app.start()
            try:
                start = (await load.next_event("stream_start", timeout=30))["t"]
                t0 = start + (min(1.0, seconds / 2) if rate else 0.0)
                await asyncio.sleep(max(0.0, t0 - time.monotonic()))
                cpu0 = cpu_seconds(app.pid)
                await asyncio.sleep(seconds)
                t1 = time.monotonic()
                cpu = cpu_seconds(app.pid) - cpu0
                if not app.alive():
                    raise RuntimeError("the dashboard exited early: " + app.output()[-300:].decode(errors="replace"))
            finally:
                await asyncio.to_thread(app.stop)
    span = t1 - t0
    written = app.bytes_between(t0, t1)
    return {
        "seconds": round(span, 2),
        "bytes_per_s": round(written / span),
        "frames_per_s": round(app.frames_between(t0, t1) / span, 1),
        "frames_in_any_1s_max": app.max_frames_in_any_second(t0, t1),
        "cpu_share_of_core": round(cpu / span, 4),
        "cpu_ms_per_1000_events": round(cpu / (span * rate) * 1e6, 1) if rate else 0.0,
    }


async def run(quick: bool = False) -> Result:
    res = Result("terminal")
    idle_s, load_s, warmup = (1.0, 1.0, 1.0) if quick else (30.0, 20.0, WARMUP)
    rate = 100.0
    stream = framegen.stream(int(rate * (load_s + 10)))
    idle = await one_run([], None, idle_s, [], warmup)
    res.numbers["idle"] = idle
    res.check("idle 30 s: CPU share of one core" if not quick else "idle: CPU share of one core",
              idle["cpu_share_of_core"] * 100, "<=", 1.0, "%")
    runs = {
        "default (10 Hz)": [],
        "--refresh-hz 2": ["--refresh-hz", "2"],
        "--naive-render": ["--naive-render"],
    }
    if quick:  # the smoke run only needs each code path once
        runs = {"default (10 Hz)": [], "--naive-render": ["--naive-render"]}
    for label, flags in runs.items():
        res.numbers[label] = await one_run(stream, rate, load_s, flags, warmup)
    default = res.numbers["default (10 Hz)"]["bytes_per_s"]
    res.check("100 ev/s, default settings: terminal bytes", default / 1024, "<=", 64, "KB/s")
    naive = res.numbers["--naive-render"]["bytes_per_s"]
    res.check("100 ev/s: naive per-event redraw / default bytes", naive / max(1, default), ">=", 1.0, "ratio",
              note="what coalescing buys")
    if "--refresh-hz 2" in res.numbers:
        slow = res.numbers["--refresh-hz 2"]["bytes_per_s"]
        res.check("100 ev/s: --refresh-hz 2 / default bytes", slow / max(1, default), "<=", 1.0, "ratio")
        res.notes.append(f"--refresh-hz 2 writes {slow / 1024:.1f} KB/s, the default {default / 1024:.1f} KB/s, "
                         f"naive per-event redraw {naive / 1024:.1f} KB/s")
    if not quick:
        busy = await one_run(framegen.stream(2000 * 15), 2000.0, 10.0, [])
        res.numbers["2000 ev/s (pty)"] = busy
        res.notes.append(f"on a real pty at 2,000 ev/s: {busy['cpu_ms_per_1000_events']} ms CPU per 1,000 events, "
                         f"{busy['cpu_share_of_core'] * 100:.0f}% of a core, {busy['bytes_per_s'] / 1024:.1f} KB/s")
    return res
