"""Benchmark 5: start-up time of the command line and of the demo dashboard.

``--help`` runs are timed as whole processes (spawn to exit), the median of
several, next to the bare interpreter (``python -c pass``) measured in the
same run as a baseline. A separate run checks that Textual was never
imported. ``aisci-tui demo`` runs on a 120x40 pty; its first frame is the
moment the tab bar first appears in what it wrote.
"""

from __future__ import annotations

import asyncio
import statistics
import subprocess
import sys
import tempfile
import time

import orjson

from benchmarks.harness import ROOT, Result
from benchmarks.pty_app import PtyApp
from benchmarks.terminal import app_env

FIRST_FRAME_MARK = b"1 Research"

_MODULES_PROBE = """
import sys
sys.argv = {argv!r}
try:
    from aisci_tui.cli import main
    main()
except SystemExit:
    pass
heavy = ("textual", "aisci_tui.server", "aisci_tui.client.client", "websockets", "pydantic")
print("\\n" + __import__("json").dumps({{m: m in sys.modules for m in heavy}}))
"""


def command() -> list[str]:
    # this checkout's code, whatever version of the package is installed
    return [sys.executable, "-m", "aisci_tui"]


def time_process(argv: list[str], repeats: int) -> list[float]:
    out = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT, check=False, timeout=60)
        out.append(time.perf_counter() - t0)
    return out


def imported_modules(args: list[str]) -> dict[str, bool]:
    code = _MODULES_PROBE.format(argv=["aisci-tui", *args])
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, cwd=ROOT, timeout=60, check=False)
    return orjson.loads(proc.stdout.strip().splitlines()[-1])


async def demo_first_frame(timeout: float = 20.0) -> float:
    with tempfile.TemporaryDirectory(prefix="aisci-bench-cfg-") as cfg:
        app = PtyApp([*command(), "demo", "--seed", "1"], app_env(cfg), cwd=str(ROOT))
        app.start()
        try:
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                seen = app.first_time_containing(FIRST_FRAME_MARK)
                if seen is not None:
                    return seen - app.started
                if not app.alive():
                    raise RuntimeError("demo exited: " + app.output()[-300:].decode(errors="replace"))
                await asyncio.sleep(0.02)
            raise TimeoutError("the demo showed no frame")
        finally:
            await asyncio.to_thread(app.stop)


async def run(quick: bool = False) -> Result:
    res = Result("startup")
    repeats = 2 if quick else 9
    base = time_process([sys.executable, "-c", "pass"], repeats)
    cases = {"aisci-tui --help": ["--help"], "aisci-tui events --help": ["events", "--help"]}
    res.numbers["python -c pass (median s)"] = round(statistics.median(base), 3)
    for label, args in cases.items():
        times = time_process([*command(), *args], repeats)
        med = statistics.median(times)
        modules = imported_modules(args)
        res.numbers[label] = {
            "median_s": round(med, 3),
            "min_s": round(min(times), 3),
            "vs_bare_python": round(med / statistics.median(base), 2),
            "imports": modules,
        }
        res.check(f"{label}: wall time (median)", med, "<=", 0.3, "s")
        res.check(f"{label}: Textual imported", float(modules["textual"]), "<=", 0, "bool")
    firsts = [await demo_first_frame() for _ in range(1 if quick else 5)]
    res.numbers["demo first frame s"] = [round(x, 3) for x in firsts]
    res.check("aisci-tui demo: first frame (median)", statistics.median(firsts), "<=", 1.5, "s")
    return res
