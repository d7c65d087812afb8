"""Benchmark 7: a lab-sized world at interactive speed.

A world of 100 research sessions, 10,000 agents and 5,000 experiments (and
the same at 1,000 agents, to show how cost grows) is delivered to the real
dashboard (headless, ``run_test`` at 120x40) by an in-process source; then
200 agent updates a second arrive, spread over the whole population. On every
view in turn, measured:

* view switch: the view key sent through the driver as terminal input, until
  the first screen update written while the new view is current;
* CPU: this process's share of one core over a few seconds on the view, with
  the updates flowing and no key pressed;
* filter keystroke: with the ``/`` box open, one character typed, until the
  first screen update written after the view applied the new text;
* sort: the sort keys (menu, then a column), until the first screen update
  written after the view re-sorted;
* RSS after everything, and the kernel's high-water mark.

Each world runs in a fresh process so memory figures are its own. Budgets
(10,000 agents): each paint within 200 ms, CPU at most 20% of a core on any
view, RSS at most 300 MB. The 1,000-agent run is the baseline in the same
run: the ratio says how cost grows with the world (1.0 would be flat).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import time
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson

from benchmarks.harness import ROOT, Result, cpu_seconds, peak_rss_mb, rss_mb

T0 = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
VIEWS = (("2", "agents"), ("3", "experiments"), ("4", "ethics"), ("5", "events"), ("1", "research"))
PHASES = ("literature_review", "hypothesis_generation", "experiment_design", "experimentation", "analysis")
TASKS = ("literature_search", "code_generation", "experiment_run", "plot_review", "paper_writing")
STATUSES = ("busy", "busy", "busy", "idle", "error")


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


class World:
    """Envelopes for a world of ``sessions``, ``agents`` and ``experiments``, and a stream of agent updates."""

    def __init__(self, sessions: int, agents: int, experiments: int, seed: int = 5) -> None:
        self.sessions, self.agents, self.experiments = sessions, agents, experiments
        self.rng = random.Random(seed)
        self.n = 0

    def _envelope(self, kind: str, data: dict[str, Any]) -> dict[str, Any]:
        self.n += 1
        return {"type": kind, "id": f"w-{self.n}", "timestamp": _iso(T0 + timedelta(milliseconds=self.n)), "data": data}

    def agent(self, i: int, beat: datetime) -> dict[str, Any]:
        rng = self.rng
        return self._envelope(
            "agent_status",
            {
                "agent_id": f"agent-{i:05}",
                "name": f"{TASKS[i % len(TASKS)].split('_')[0].title()} worker {i}",
                "status": STATUSES[rng.randrange(len(STATUSES))],
                "session_id": f"ses-{i % self.sessions:03}",
                "current_task": {"id": f"task-{i}", "type": TASKS[i % len(TASKS)], "progress": rng.random()},
                "performance": {
                    "cpu_usage": rng.random(),
                    "memory_usage": rng.random(),
                    "response_time": rng.random() * 2,
                    "success_rate": rng.random(),
                },
                "health": {"last_heartbeat": _iso(beat), "error_count": rng.randrange(3), "uptime": 3600 + i},
            },
        )

    def world(self) -> list[dict[str, Any]]:
        out = []
        for s in range(self.sessions):
            out.append(
                self._envelope(
                    "research_progress",
                    {
                        "session_id": f"ses-{s:03}",
                        "title": f"Idea {s}: sparse attention for small data",
                        "current_phase": PHASES[s % len(PHASES)],
                        "overall_progress": (s % 97) / 100,
                        "phase_progress": 0.5,
                        "timeline": {
                            "started_at": _iso(T0),
                            "time_elapsed": 3600,
                            "estimated_completion": _iso(T0 + timedelta(hours=5)),
                        },
                    },
                )
            )
        for i in range(self.agents):
            out.append(self.agent(i, T0))
        for e in range(self.experiments):
            out.append(
                self._envelope(
                    "experiment_results",
                    {
                        "experiment_id": f"exp-{e:05}",
                        "title": f"Ablation {e} of the attention window",
                        "status": ("completed", "completed", "failed", "partial")[e % 4],
                        "session_id": f"ses-{e % self.sessions:03}",
                        "results": {
                            "summary": "Accuracy rose with the window.",
                            "metrics": {"accuracy": (e % 89) / 100},
                        },
                        "execution": {"agent_id": f"agent-{e % self.agents:05}", "duration": 60 + e % 900},
                    },
                )
            )
        return out


class WorldSource:
    """Delivers the world at once, then ``rate`` agent updates a second until closed."""

    label = "scale benchmark"

    def __init__(self, world: World, rate: float, clock: Callable[[], datetime]) -> None:
        self.world, self.rate, self.clock = world, rate, clock
        self.delivered = 0
        self.updates = 0
        self._closed = asyncio.Event()

    async def __aiter__(self) -> AsyncIterator[object]:
        from aisci_tui.protocol import from_obj

        for n, envelope in enumerate(self.world.world()):
            yield from_obj(envelope)
            self.delivered += 1
            if n % 500 == 0:
                await asyncio.sleep(0)
        tick = 0.05
        per_tick = self.rate * tick
        owed = 0.0
        next_at = time.monotonic()
        rng = self.world.rng
        while not self._closed.is_set():
            owed += per_tick
            while owed >= 1:
                owed -= 1
                yield from_obj(self.world.agent(rng.randrange(self.world.agents), self.clock()))
                self.updates += 1
            next_at += tick
            await asyncio.sleep(max(0.0, next_at - time.monotonic()))

    async def aclose(self) -> None:
        self._closed.set()


async def _until(check: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        await asyncio.sleep(0.01)
    return False


def _send(app: Any, key: str, character: str | None = None) -> None:
    from textual import events

    event = events.Key(key, character if character is not None else (key if len(key) == 1 else None))
    event.set_sender(app)
    app._driver.send_message(event)


def _sort_keys(app: Any) -> list[str]:
    """The keys that sort the current view by a column: the sort menu and its first column, where there is one."""
    from aisci_tui.tui import bindings

    return ["s", bindings.SORT_KEYS[1]] if hasattr(bindings, "SORT_KEYS") else ["s"]


async def _timed(
    app: Any,
    displays: list[float],
    send: Callable[[], None],
    done: Callable[[], bool],
    marks: list[float],
    timeout: float = 10.0,
) -> tuple[float, float]:
    """Seconds from ``send()`` to the first screen update written after ``done()`` held (``marks``
    holds the time the view finished the work, set by a wrapper), and the CPU seconds meanwhile."""
    marks.clear()
    t0, c0 = time.monotonic(), cpu_seconds()
    send()
    if not await _until(lambda: done() and bool(marks), timeout):
        return timeout, cpu_seconds() - c0
    finished = marks[-1]
    await _until(lambda: any(t >= finished for t in displays[-5:]), timeout)
    index = next((i for i, t in enumerate(displays) if t >= finished), None)
    if index is None:
        return timeout, cpu_seconds() - c0
    return displays[index] - t0, app._bench_cpus[index] - c0


async def _measure_view(
    app: Any, key: str, view_id: str, displays: list[float], views: list[str], dwell: float
) -> dict[str, Any]:
    """Switch to one view, let it fill, then its CPU share, a filter keystroke and a sort."""
    view = app.views[view_id]
    figures: dict[str, Any] = {}
    first = len(displays)
    t0, c0 = time.monotonic(), cpu_seconds()
    _send(app, key)
    await _until(lambda: any(views[i] == view_id for i in range(first, len(displays))), 10)
    index = next((i for i in range(first, len(displays)) if views[i] == view_id), None)
    figures["switch_ms"] = round(((displays[index] if index is not None else t0 + 10) - t0) * 1000, 1)
    figures["switch_cpu_ms"] = round(((app._bench_cpus[index] if index is not None else cpu_seconds()) - c0) * 1000, 1)
    # a paced sync draws what is in view first and the rest on the next ticks: until then the
    # view is filling, not steady
    behind = getattr(view, "behind", lambda: False)
    await _until(lambda: not behind(), 30)
    figures["complete_s"] = round(time.monotonic() - t0, 2)
    await asyncio.sleep(min(0.5, dwell))  # settled; a shorter dwell (a smoke run) settles for less
    cpu0, w0 = cpu_seconds(), time.monotonic()
    await asyncio.sleep(dwell)
    figures["cpu_share"] = round((cpu_seconds() - cpu0) / (time.monotonic() - w0), 3)

    marks: list[float] = []
    for name in ("set_text_filter", "sort_by", "sort_next"):
        method = getattr(view, name, None)
        if method is None:
            continue

        def wrapped(*args: Any, _m: Any = method, **kwargs: Any) -> Any:
            result = _m(*args, **kwargs)
            marks.append(time.monotonic())
            return result

        setattr(view, name, wrapped)
    if view_id != "research":
        _send(app, "slash", "/")
        await asyncio.sleep(0.3)
        ms, cpu = await _timed(app, displays, lambda: _send(app, "7", "7"), lambda: view.text == "7", marks)
        figures["filter_key_ms"], figures["filter_key_cpu_ms"] = round(ms * 1000, 1), round(cpu * 1000, 1)
        ms, cpu = await _timed(app, displays, lambda: _send(app, "backspace"), lambda: view.text == "", marks)
        figures["filter_clear_ms"], figures["filter_clear_cpu_ms"] = round(ms * 1000, 1), round(cpu * 1000, 1)
        _send(app, "escape")
        await asyncio.sleep(0.3)
    keys = _sort_keys(app)
    for extra in keys[:-1]:
        _send(app, extra)
        await asyncio.sleep(0.3)
    before = view.sort_column
    ms, cpu = await _timed(app, displays, lambda: _send(app, keys[-1]), lambda: view.sort_column != before, marks)
    figures["sort_ms"], figures["sort_cpu_ms"] = round(ms * 1000, 1), round(cpu * 1000, 1)
    for name in ("set_text_filter", "sort_by", "sort_next"):
        view.__dict__.pop(name, None)
    figures["rows_shown"] = view.table.row_count if hasattr(view, "table") else None
    return figures


async def measure(agents: int, experiments: int, sessions: int, rate: float, dwell: float) -> dict[str, Any]:
    from aisci_tui.client.gctune import tune_for_ingest
    from aisci_tui.settings import HistoryCaps, Settings
    from aisci_tui.tui.app import DashboardApp

    base = datetime.now(UTC)
    started = time.monotonic()

    def clock() -> datetime:
        return T0 + timedelta(hours=1) + timedelta(seconds=time.monotonic() - started)

    world = World(sessions, agents, experiments)
    source = WorldSource(world, rate, clock)
    caps = HistoryCaps(agents=max(agents, 5_000), experiments=max(experiments, 5_000), sessions=max(500, sessions))
    app = DashboardApp(source, settings=Settings(refresh_hz=10, history=caps), clock=clock)  # type: ignore[arg-type]
    displays: list[float] = []
    views: list[str] = []
    cpus: list[float] = []
    app._bench_cpus = cpus  # type: ignore[attr-defined]
    original = app._display

    def counting(screen: object, renderable: object) -> None:
        if renderable is not None and not app._batch_count:
            displays.append(time.monotonic())
            cpus.append(cpu_seconds())
            switcher = getattr(app, "_switcher", None)
            views.append(switcher.current if switcher is not None else "")
        original(screen, renderable)  # type: ignore[arg-type]

    app._display = counting  # type: ignore[method-assign]
    tune_for_ingest()
    total = sessions + agents + experiments
    out: dict[str, Any] = {
        "sessions": sessions,
        "agents": agents,
        "experiments": experiments,
        "updates_per_s": rate,
        "views": {},
    }
    async with app.run_test(size=(120, 40)):
        await _until(lambda: source.delivered >= total and len(app.store.agents) >= agents, 120)
        out["load_s"] = round(time.monotonic() - started, 2)
        for key, view_id in VIEWS:
            out["views"][view_id] = await _measure_view(app, key, view_id, displays, views, dwell)
            await asyncio.sleep(min(0.5, dwell))
        out["updates_delivered"] = source.updates
        out["rss_mb"] = round(rss_mb(), 1)
    out["peak_rss_mb"] = round(peak_rss_mb(), 1)
    out["wall_s"] = round((datetime.now(UTC) - base).total_seconds(), 1)
    return out


def child(argv: list[str]) -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--agents", type=int, required=True)
    p.add_argument("--experiments", type=int, required=True)
    p.add_argument("--sessions", type=int, required=True)
    p.add_argument("--rate", type=float, default=200.0)
    p.add_argument("--dwell", type=float, default=4.0)
    args = p.parse_args(argv)
    from benchmarks.harness import quiet_project_logs

    quiet_project_logs()
    out = asyncio.run(measure(args.agents, args.experiments, args.sessions, args.rate, args.dwell))
    sys.stdout.write(orjson.dumps(out).decode() + "\n")


async def _measure(agents: int, experiments: int, sessions: int, dwell: float) -> dict[str, Any]:
    args = [
        sys.executable,
        "-m",
        "benchmarks.scale",
        "--agents",
        str(agents),
        "--experiments",
        str(experiments),
        "--sessions",
        str(sessions),
        "--dwell",
        str(dwell),
    ]
    proc = await asyncio.create_subprocess_exec(
        *args, cwd=str(ROOT), stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await proc.communicate()
    if proc.returncode != 0:
        raise RuntimeError(f"scale child failed: {err.decode(errors='replace')[-600:]}")
    return orjson.loads(out.splitlines()[-1])


def _worst(m: dict[str, Any], field: str) -> float:
    return max((v.get(field, 0.0) for v in m["views"].values()), default=0.0)


async def run(quick: bool = False, dwell: float | None = None) -> Result:
    """``dwell``: seconds on each view for its CPU share (default 1 with ``quick``, else 4)."""
    res = Result("scale")
    worlds = [(200, 100, 10), (1_000, 500, 20)] if quick else [(1_000, 500, 100), (10_000, 5_000, 100)]
    dwell = dwell if dwell is not None else 1.0 if quick else 4.0
    measured = []
    for agents, experiments, sessions in worlds:
        m = await _measure(agents, experiments, sessions, dwell)
        res.numbers[f"{agents} agents"] = m
        measured.append(m)
    small, big = measured
    label = f"scale {big['agents']:,} agents"
    res.check(f"{label}: view switch painted (max)", _worst(big, "switch_ms"), "<=", 200, "ms")
    res.check(f"{label}: filter keystroke painted (max)", _worst(big, "filter_key_ms"), "<=", 200, "ms")
    res.check(f"{label}: sort painted (max)", _worst(big, "sort_ms"), "<=", 200, "ms")
    res.check(f"{label}: CPU on the busiest view", _worst(big, "cpu_share") * 100, "<=", 20, "% core")
    res.check(f"{label}: peak RSS", big["peak_rss_mb"], "<=", 300, "MB")
    for field in ("cpu_share", "filter_key_ms", "sort_ms", "switch_ms"):
        base = max(1e-3, _worst(small, field))
        res.numbers[f"growth_{field}"] = round(_worst(big, field) / base, 2)
    res.notes.append(
        f"CPU spent until painted at {big['agents']:,} agents (worst view; wall time is this plus "
        f"waiting for a core on a loaded machine): switch {_worst(big, 'switch_cpu_ms')} ms, filter "
        f"keystroke {_worst(big, 'filter_key_cpu_ms')} ms, sort {_worst(big, 'sort_cpu_ms')} ms"
    )
    per_view = "; ".join(f"{v} {f['cpu_share'] * 100:.0f}%" for v, f in big["views"].items())
    res.notes.append(f"CPU per view at {big['agents']:,} agents: {per_view}")
    per_view = "; ".join(f"{v} {f['cpu_share'] * 100:.0f}%" for v, f in small["views"].items())
    res.notes.append(f"CPU per view at {small['agents']:,} agents: {per_view}")
    res.notes.append(
        "growth 1k → 10k agents (worst view): "
        + ", ".join(f"{k.removeprefix('growth_')} ×{v}" for k, v in res.numbers.items() if k.startswith("growth_"))
    )
    return res


if __name__ == "__main__":
    child(sys.argv[1:])
