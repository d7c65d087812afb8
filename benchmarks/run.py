"""Run the benchmarks, print a table, write ``benchmarks/results/latest.json``.

python -m benchmarks            # full run (several minutes)
python -m benchmarks --quick    # smoke run: same code paths, small sizes, seconds
python -m benchmarks --only ingest,startup
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import os
import platform
import subprocess
import sys
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path

import orjson

from benchmarks.harness import ROOT, Result, load_average, quiet_project_logs, short_number

#: name -> module; each module has ``async def run(quick: bool) -> Result``.
BENCHMARKS = {
    "ingest": "benchmarks.ingest",
    "dashboard": "benchmarks.dashboard",
    "memory": "benchmarks.memory",
    "terminal": "benchmarks.terminal",
    "startup": "benchmarks.startup",
    "rundir": "benchmarks.rundir",
    "scale": "benchmarks.scale",
}

DEFAULT_OUT = ROOT / "benchmarks" / "results" / "latest.json"


def machine() -> dict[str, object]:
    """What the numbers were measured on."""
    import pydantic
    import textual
    import websockets

    model = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError):
        mem = 0.0
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, timeout=5
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        commit = ""
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "memory_gb": round(mem, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "websockets": websockets.__version__,
        "pydantic": pydantic.VERSION,
        "textual": textual.__version__,
        "commit": commit,
    }


def table(results: list[Result]) -> str:
    lines = [f"{'budget':<52} {'measured':>10}    {'limit':<8} {'unit':<10} verdict", "-" * 96]
    for res in results:
        lines.append(f"[{res.name}]" + (f"  ERROR: {res.error}" if res.error else ""))
        lines.extend(c.row() for c in res.checks)
        lines.extend(f"  note: {n}" for n in res.notes)
    return "\n".join(lines)


def markdown(report: dict) -> str:
    """The budget table of a JSON report, as Markdown (for RESULTS.md)."""
    m = report["machine"]
    lines = [
        f"Run {report['started']} on {m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB, {m['os']}; "
        f"Python {m['python']}, websockets {m['websockets']}, pydantic {m['pydantic']}, "
        f"textual {m['textual']}; commit {m['commit']}. Load average (1/5/15 min) before "
        f"{'/'.join(f'{x:.1f}' for x in report['load_average_before'])}, after "
        f"{'/'.join(f'{x:.1f}' for x in report['load_average_after'])}.",
        "",
        "| benchmark | budget | measured | limit | verdict |",
        "| --- | --- | ---: | ---: | --- |",
    ]
    for res in report["results"]:
        if res["error"]:
            lines.append(f"| {res['name']} | could not run: {res['error']} | | | |")
        for c in res["checks"]:
            verdict = "met" if c["met"] else "**missed**"
            lines.append(
                f"| {res['name']} | {c['name']} | {short_number(c['value'])} {c['unit']} | "
                f"{c['op']} {short_number(c['limit'])} | {verdict} |"
            )
    return "\n".join(lines)


async def run_one(name: str, quick: bool) -> Result:
    module = importlib.import_module(BENCHMARKS[name])
    started = time.monotonic()
    try:
        res: Result = await module.run(quick=quick)
    except Exception as exc:  # one broken benchmark must not hide the others' numbers
        res = Result(name, error=f"{type(exc).__name__}: {exc}")
        res.notes.append(traceback.format_exc(limit=6).strip().splitlines()[-1])
    res.numbers["seconds"] = round(time.monotonic() - started, 1)
    return res


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks", description="aisci-tui performance benchmarks.")
    p.add_argument("--quick", action="store_true", help="smoke mode: small sizes, no budgets enforced")
    p.add_argument("--only", default="", help="comma-separated subset: " + ",".join(BENCHMARKS))
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where to write the JSON result")
    p.add_argument(
        "--markdown",
        metavar="JSON",
        type=Path,
        help="print the budget table of an earlier JSON result as Markdown, and run nothing",
    )
    args = p.parse_args(argv)
    if args.markdown:
        print(markdown(orjson.loads(args.markdown.read_bytes())))
        return 0
    names = [n.strip() for n in args.only.split(",") if n.strip()] or list(BENCHMARKS)
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        p.error(f"unknown benchmark {unknown[0]!r}; choose from {', '.join(BENCHMARKS)}")

    quiet_project_logs()
    load_before = load_average()
    started = datetime.now(UTC)
    results = []
    for name in names:
        print(f"running {name} ...", file=sys.stderr, flush=True)
        results.append(asyncio.run(run_one(name, args.quick)))
    report = {
        "started": started.isoformat(timespec="seconds"),
        "quick": args.quick,
        "machine": machine(),
        "load_average_before": load_before,
        "load_average_after": load_average(),
        "results": [r.to_json() for r in results],
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(orjson.dumps(report, option=orjson.OPT_INDENT_2))
    print(table(results))
    print(f"\nload average before {load_before}, after {report['load_average_after']}; wrote {args.out}")
    if any(r.error for r in results):
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
