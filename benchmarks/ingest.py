"""Benchmark 1: ingest throughput against two baselines on the same stream, in the same run.

Every pipeline connects to the same load generator, which floods the same
pre-encoded frames after ``subscribe`` and ends with a marker frame. Rate is
events / (marker received - server started writing), both on the system-wide
monotonic clock. Runs are interleaved (a, b, ours, a, b, ours, ...) so a
burst of load from elsewhere hits every pipeline alike; the best run of each
is compared.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import time
import warnings
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import orjson
import websockets

from benchmarks import decoders, serverload
from benchmarks import frames as framegen
from benchmarks.guide_client import GuideMissing, load_guide_client
from benchmarks.harness import ROOT, LoadProcess, Result
from benchmarks.loadgen import END_TYPE

EVENT_TYPES = ("agent_status", "research_progress", "experiment_results", "ethical_assessment", "system_event")
AUTH = orjson.dumps({"type": "auth", "id": "msg_a", "timestamp": "2025-01-01T00:00:00Z", "data": {"token": "bench"}})
SUBSCRIBE = orjson.dumps(
    {"type": "subscribe", "id": "msg_s", "timestamp": "2025-01-01T00:00:00Z", "data": {"events": list(EVENT_TYPES)}}
)

Pipeline = Callable[[str, int], Awaitable[int]]


@asynccontextmanager
async def subscribed(url: str) -> AsyncIterator[websockets.ClientConnection]:
    """A bare websockets connection that has sent auth and a subscription to all five types."""
    async with websockets.connect(url) as ws:
        await ws.send(AUTH.decode())
        await ws.send(SUBSCRIBE.decode())
        yield ws


async def raw_orjson(url: str, expected: int) -> int:
    """Baseline (a): a bare websockets receive loop with ``orjson.loads``."""
    n = 0
    async with subscribed(url) as ws:
        async for message in ws:
            obj = orjson.loads(message)
            if obj["type"] == END_TYPE:
                break
            n += 1
    return n - 2  # auth_response and subscription_response


async def guide_client(url: str, expected: int) -> int:
    """Baseline (b): the guide's ``AIScientistWebSocket`` with one no-op handler per type."""
    cls = load_guide_client()
    client = cls(url, "bench-token")
    client.logger.setLevel(logging.CRITICAL)
    done = asyncio.Event()

    def noop(data: object) -> None:
        return None

    for kind in EVENT_TYPES:
        client.on(kind, noop)
    client.on(END_TYPE, lambda data: done.set())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        await client.connect()
        await client.subscribe(events=list(EVENT_TYPES))
        await done.wait()
    client.max_reconnect_attempts = 0
    await client.close()
    return expected


async def codec_store(url: str, expected: int) -> int:
    """The engine without the client: receive, ``codec.decode``, ``Store.apply``."""
    from aisci_tui.protocol import codec
    from aisci_tui.protocol.models import Event, UnknownMessage
    from aisci_tui.store import Store

    store = Store()
    async with subscribed(url) as ws:
        async for message in ws:
            msg = codec.decode(message)
            if isinstance(msg, Event):
                store.apply(msg)
            elif isinstance(msg, UnknownMessage) and msg.type == END_TYPE:
                break
    return store.counters.applied


async def client_store(url: str, expected: int) -> int:
    """The dashboard's pipeline: the project's Client feeding a Store through the dashboard's Pump.

    ``Pump.run`` as the dashboard runs it: the client defers validation to the
    store and hands each item to the store from its socket reader; the collector
    is tuned as the dashboard command tunes it. The run ends at the end-marker
    frame (an unknown message type, which reaches the store as a notice).
    At the end every entity is read once (``Store.settle``), as a view showing it
    would, so each update that was kept is validated in full inside the timing.
    Returns the events accepted: validated and applied, or replaced by a newer
    update of the same entity before anyone read them.
    """
    from aisci_tui.client.gctune import tune_for_ingest, untune
    from aisci_tui.store import Store
    from aisci_tui.tui.ingest import Pump
    from benchmarks import project

    store = Store()
    client = project.make_client(url)
    ended = asyncio.Event()

    def on_notice(notice: object) -> None:
        if getattr(notice, "kind", "") == "unknown" and notice.details.get("type") == END_TYPE:  # type: ignore[attr-defined]
            ended.set()

    pump = Pump(client, store, on_notice=on_notice)
    counters = store.counters
    old = tune_for_ingest()  # as the dashboard and events commands do
    runner = asyncio.create_task(pump.run())
    try:
        finished = asyncio.create_task(ended.wait())
        await asyncio.wait({runner, finished}, return_when=asyncio.FIRST_COMPLETED)
        finished.cancel()
        if runner.done():
            runner.result()
            raise RuntimeError("the client ended before the end marker")
        store.settle()
    finally:
        untune(old)
        await client.aclose()
        await asyncio.gather(runner, return_exceptions=True)
    if counters.invalid:
        raise AssertionError(f"{counters.invalid} valid events were counted invalid")
    return counters.applied + counters.superseded


async def events_command(url: str, expected: int) -> int:
    """The real ``aisci-tui events`` command (a process of its own) writing JSON lines to a pipe.

    It validates every event before printing it. This process reads the pipe in large chunks
    (as ``jq`` or ``tee`` would) and counts the lines; the run is timed to the process's exit.
    """
    from benchmarks import project

    env = {**os.environ, "AISCI_API_KEY": project.BENCH_KEY}
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "aisci_tui",
        "events",
        "--url",
        url,
        "--limit",
        str(expected),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
        cwd=str(ROOT),
        env=env,
        limit=1 << 20,
    )
    assert proc.stdout is not None
    lines = 0
    while chunk := await proc.stdout.read(1 << 20):
        lines += chunk.count(b"\n")
    code = await proc.wait()
    if code != 0:
        raise RuntimeError(f"aisci-tui events exited with {code}")
    return lines


async def client_only(url: str, expected: int) -> int:
    """Diagnostic: the project's Client alone, its items dropped (no store)."""
    from aisci_tui.protocol.models import Event
    from benchmarks import project

    client = project.make_client(url)
    n = 0
    try:
        async for item in client:
            if isinstance(item, Event):
                n += 1
                if n >= expected:
                    break
    finally:
        await client.aclose()
    return n


async def lazy_prototype(url: str, expected: int) -> int:
    """Diagnostic: a sketch of lazy validation, to size that design before anyone builds it.

    Receive, ``orjson.loads``, de-duplicate by id, keep the latest raw event per
    entity; then validate with the pydantic models only those latest events, as
    a view would when it shows them. Not a product pipeline: no notices, no store.
    """
    from aisci_tui.protocol import codec
    from aisci_tui.protocol.kinds import BY_TYPE
    from aisci_tui.store import SeenIds

    seen = SeenIds(200_000)
    latest: dict[tuple[str, object], dict] = {}
    n = 0
    async with subscribed(url) as ws:
        async for message in ws:
            obj = orjson.loads(message)
            kind = obj.get("type")
            if kind == END_TYPE:
                break
            if kind not in EVENT_TYPES or not isinstance(obj.get("id"), str) or not seen.add(obj["id"]):
                continue
            data = obj.get("data")
            entity = BY_TYPE.get(kind)
            key = data.get(entity.key) if entity and isinstance(data, dict) else obj["id"]
            latest[(kind, key)] = obj
            n += 1
    for obj in latest.values():
        codec.from_obj(obj)
    return n


def _cpu_with_children() -> float:
    """This process's CPU seconds plus those of its children that have exited (the events command;
    the load generator runs until the end, so it never counts)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


async def _timed(load: LoadProcess, pipeline: Pipeline, expected: int) -> tuple[float, int, float]:
    cpu0 = _cpu_with_children()
    task = asyncio.create_task(pipeline(load.url, expected))
    starting = asyncio.create_task(load.next_event("stream_start"))
    await asyncio.wait({task, starting}, return_when=asyncio.FIRST_COMPLETED)
    if task.done() and not starting.done():
        starting.cancel()
        task.result()  # raises what went wrong
        raise RuntimeError("the pipeline finished before the stream started")
    start = starting.result()
    got = await asyncio.wait_for(task, 300)
    end = time.monotonic()
    return end - start["t"], got, _cpu_with_children() - cpu0


async def run(quick: bool = False, repeats: int | None = None) -> Result:
    from benchmarks import project

    n = 5_000 if quick else 100_000
    repeats = repeats or (1 if quick else 5)
    res = Result("ingest")
    stream = framegen.stream(n)
    res.numbers["events"] = n
    res.numbers["mean_frame_bytes"] = round(sum(map(len, stream)) / n)
    res.numbers["frame_bytes_by_type"] = framegen.size_summary(stream[:2_000])
    res.numbers["frames_from"] = project.FRAMES_FROM
    res.numbers["population"] = framegen.population_summary(stream)

    pipelines: dict[str, Pipeline] = {"raw_orjson": raw_orjson}
    try:
        load_guide_client()
        pipelines["guide_client"] = guide_client
    except GuideMissing as exc:
        res.notes.append(f"baseline (b) skipped: {exc}")
    pipelines["diag_codec_store"] = codec_store
    if project.has_client():
        pipelines["ours"] = client_store
        if not quick:
            pipelines["diag_client_only"] = client_only
            pipelines["events"] = events_command
            pipelines["diag_lazy_validation_sketch"] = lazy_prototype
    else:
        res.notes.append("the project's Client is not available; 'ours' is the codec+store engine")

    runs: dict[str, list[float]] = {k: [] for k in pipelines}
    cpu: dict[str, list[float]] = {k: [] for k in pipelines}
    async with LoadProcess(stream) as load:
        for _ in range(repeats):
            for name, pipe in pipelines.items():
                seconds, got, used = await _timed(load, pipe, n)
                if got != n:
                    raise AssertionError(f"{name} saw {got} of {n} events")
                runs[name].append(n / seconds)
                cpu[name].append(used / n * 1e6)
    best = {k: max(v) for k, v in runs.items()}
    res.numbers["events_per_s_best"] = {k: round(v) for k, v in best.items()}
    res.numbers["events_per_s_all"] = {k: [round(x) for x in v] for k, v in runs.items()}
    res.numbers["cpu_us_per_event_median"] = {k: round(sorted(v)[len(v) // 2], 2) for k, v in cpu.items()}
    ours = best.get("ours", best["diag_codec_store"])
    res.numbers["decode_us_per_frame"] = decoders.measure(stream[: 2_000 if quick else 30_000])
    res.numbers["project_server_events_per_s"] = await serverload.measure(500 if quick else 50_000)
    res.check("ingest / raw receive+orjson (a)", ours / best["raw_orjson"], ">=", 0.5, "ratio")
    if "guide_client" in best:
        res.check("ingest / guide's Python client (b)", ours / best["guide_client"], ">=", 1.0, "ratio")
    if "events" in best:
        res.check(
            "`events` to a pipe / raw receive+orjson (a)", best["events"] / best["raw_orjson"], ">=", 0.5, "ratio"
        )
        if "guide_client" in best:
            res.check(
                "`events` to a pipe / guide's Python client (b)",
                best["events"] / best["guide_client"],
                ">=",
                1.0,
                "ratio",
            )
    per_event = res.numbers["cpu_us_per_event_median"]
    mine = per_event.get("ours", per_event["diag_codec_store"])
    res.notes.append(
        "by CPU per event (robust to load elsewhere): ours "
        + f"{mine} us, "
        + ", ".join(
            f"{k} {per_event[k]} us (ratio {per_event[k] / mine:.2f})"
            for k in ("raw_orjson", "guide_client")
            if k in per_event
        )
    )
    return res
