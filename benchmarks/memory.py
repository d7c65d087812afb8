"""Benchmark 3: memory stays bounded over a million events.

Each measurement runs in a fresh process (``python -m benchmarks.memory``) so
nothing else shares its heap. The app runs with the collector and allocator
settings the dashboard command applies (``client/gctune.py``); the store runs
without them, as a library user would have it. Events are decoded from frames on the fly (as
the client would) and applied to a Store, or pumped through the headless
dashboard. RSS is read every 100k events; peak RSS is the kernel's high-water
mark for the process. Two populations: the realistic one (500 agents, 50
experiments) and a hostile one where every event names a new entity, so only
the history caps keep memory in check.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import AsyncIterator, Iterator

import orjson

from benchmarks import frames as framegen
from benchmarks.harness import ROOT, Result, peak_rss_mb, rss_mb

CHECK_EVERY = 100_000
BASE = 5_000


def _stamp(i: int) -> str:
    ms = i + 1
    s, ms = divmod(ms, 1000)
    m, s = divmod(s, 60)
    h, m = divmod(m, 60)
    d, h = divmod(h + 12, 24)
    return f"2025-01-{1 + d:02d}T{h:02d}:{m:02d}:{s:02d}.{ms:03d}Z"


def frames(n: int, unbounded: bool) -> Iterator[bytes]:
    """``n`` frames, each with a fresh id and a later timestamp (and a new entity if ``unbounded``)."""
    base = list(framegen.iter_objects(min(n, BASE)))
    dumps = orjson.dumps
    for i in range(n):
        obj = dict(base[i % len(base)])
        obj["id"] = f"mem-{i:09d}"
        obj["timestamp"] = _stamp(i)
        if unbounded:
            data = dict(obj["data"])
            for key in ("agent_id", "session_id", "experiment_id", "resource_id"):
                if key in data:
                    data[key] = f"{key[:3]}-{i:09d}"
            obj["data"] = data
        yield dumps(obj)


def through_store(n: int, unbounded: bool, every: int = CHECK_EVERY) -> dict[str, object]:
    from aisci_tui.protocol import decode
    from aisci_tui.store import Store

    store = Store()
    marks: dict[int, float] = {0: rss_mb()}
    for i, frame in enumerate(frames(n, unbounded), 1):
        store.apply(decode(frame))  # type: ignore[arg-type]
        if i % every == 0 or i == n:
            marks[i] = rss_mb()
    c = store.counters
    return {
        "rss_mb": marks,
        "applied": c.applied,
        "accepted": c.applied + c.superseded,
        "agents": len(store.agents),
        "experiments": len(store.experiments),
        "log": len(store.log),
    }


class FrameSource:
    """Decodes frames as the client does for the dashboard and yields them (a Source for the app).

    Entity events are routed and kept as text until the store validates them
    (``protocol.fast.route``, what the client does once the dashboard asks it
    to defer validation); everything else is decoded in full.
    """

    label = "memory benchmark"

    def __init__(self, n: int, unbounded: bool, every: int = CHECK_EVERY) -> None:
        self.n, self.unbounded, self.every = n, unbounded, every
        self.marks: dict[int, float] = {0: rss_mb()}

    async def __aiter__(self) -> AsyncIterator[object]:
        from aisci_tui.protocol import decode
        from aisci_tui.protocol.fast import route

        for i, frame in enumerate(frames(self.n, self.unbounded), 1):
            text = frame.decode()
            yield route(text) or decode(text)
            if i % self.every == 0 or i == self.n:
                self.marks[i] = rss_mb()

    async def aclose(self) -> None:
        return None


async def through_app(n: int, unbounded: bool, every: int = CHECK_EVERY) -> dict[str, object]:
    from aisci_tui.client.gctune import steady_heap, tune_for_ingest
    from aisci_tui.tui.app import DashboardApp

    source = FrameSource(n, unbounded, every)
    app = DashboardApp(source)  # type: ignore[arg-type]
    steady_heap()  # the process set-up of the dashboard command (commands/dashboard.py)
    tune_for_ingest()
    async with app.run_test(size=(120, 40)):
        while app.store.counters.received < n:
            await asyncio.sleep(0.2)
            if app.store.connection.fatal:
                raise RuntimeError(app.store.connection.fatal)
        await asyncio.sleep(0.3)  # one more render of the final state
        c = app.store.counters
        # accepted: validated and applied, or replaced by a newer update before anything read it
        out = {
            "rss_mb": source.marks,
            "applied": c.applied,
            "accepted": c.applied + c.superseded,
            "agents": len(app.store.agents),
            "experiments": len(app.store.experiments),
            "log": len(app.store.log),
        }
    return out


def child(argv: list[str]) -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--mode", choices=("store", "app"), required=True)
    p.add_argument("--events", type=int, required=True)
    p.add_argument("--unbounded", action="store_true")
    p.add_argument("--every", type=int, default=CHECK_EVERY)
    args = p.parse_args(argv)
    if args.mode == "store":
        out = through_store(args.events, args.unbounded, args.every)
    else:
        out = asyncio.run(through_app(args.events, args.unbounded, args.every))
    out["peak_rss_mb"] = peak_rss_mb()
    sys.stdout.write(orjson.dumps(out, option=orjson.OPT_NON_STR_KEYS).decode() + "\n")


async def _measure(mode: str, n: int, unbounded: bool, every: int) -> dict:
    args = [sys.executable, "-m", "benchmarks.memory", "--mode", mode, "--events", str(n), "--every", str(every)]
    if unbounded:
        args.append("--unbounded")
    proc = await asyncio.create_subprocess_exec(
        *args, cwd=str(ROOT), stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await proc.communicate()
    if proc.returncode != 0:
        raise RuntimeError(f"memory child failed: {err.decode(errors='replace')[-400:]}")
    result = orjson.loads(out.splitlines()[-1])
    result["rss_mb"] = {int(k): round(v, 1) for k, v in result["rss_mb"].items()}
    return result


async def run(quick: bool = False) -> Result:
    res = Result("memory")
    n, early = (20_000, 10_000) if quick else (1_000_000, 200_000)
    step = 10_000 if quick else CHECK_EVERY
    cases = [("store", False), ("store", True), ("app", False)] if not quick else [("store", False), ("app", False)]
    for mode, unbounded in cases:
        label = f"{mode}{' (every event a new entity)' if unbounded else ''}"
        m = await _measure(mode, n, unbounded, step)
        marks = m["rss_mb"]
        after_early, after_all = marks[early], marks[max(marks)]
        m["rss_ratio_end_to_early"] = round(after_all / after_early, 3)
        res.numbers[label] = m
        res.check(f"memory {label}: peak RSS", m["peak_rss_mb"], "<=", 300, "MB")
        res.check(
            f"memory {label}: RSS {n // 1000}k / {early // 1000}k", m["rss_ratio_end_to_early"], "<=", 1.1, "ratio"
        )
    res.numbers["events"] = n
    res.numbers["check_every"] = step
    return res


if __name__ == "__main__":
    child(sys.argv[1:])
