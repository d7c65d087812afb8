"""Realistic event streams, encoded once, for every benchmark to replay.

Payloads come from the project's own research simulator. A live run is
mostly agent heartbeats, with the large experiment and assessment events
rare; a stream built only from that would flatter the pipeline, so the
stream mixes the five types in fixed shares (:data:`MIX`) by drawing from
per-type pools of simulated payloads. Entity ids are re-drawn over a fixed
population (:class:`Population`), and every frame gets a fresh id and a
later timestamp, so the store sees inserts and updates and never drops one
as a duplicate or as stale.
"""

from __future__ import annotations

import hashlib
import os
import random
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path

import orjson

#: Share of each event type in the stream.
MIX = (
    ("agent_status", 0.55),
    ("research_progress", 0.15),
    ("experiment_results", 0.15),
    ("ethical_assessment", 0.10),
    ("system_event", 0.05),
)

T0 = datetime(2025, 1, 1, 12, 0, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Population:
    agents: int = 500
    experiments: int = 50


def _cache_file(seed: int, per_type: int, sessions: int) -> Path:
    """Where pools are kept between runs; the name changes whenever the simulator's code does."""
    import aisci_tui.server.simulator as package

    digest = hashlib.sha256(f"{seed}/{per_type}/{sessions}".encode())
    for source in sorted(Path(package.__file__).parent.glob("*.py")):
        digest.update(source.read_bytes())
    return Path(tempfile.gettempdir()) / f"aisci-bench-pools-{digest.hexdigest()[:16]}.json"


@lru_cache(maxsize=4)
def simulated_pools(seed: int = 7, per_type: int = 50, sessions: int = 8) -> dict[str, tuple[dict, ...]]:
    """At least ``per_type`` simulated payloads of each event type (envelopes as plain dicts).

    System events are rare in a simulated run, so a few of them (one in six of
    ``per_type``) are enough. Simulating takes a second, so the result is kept
    in a cache file in the temporary directory.
    """
    cache = _cache_file(seed, per_type, sessions)
    try:
        return {t: tuple(p) for t, p in orjson.loads(cache.read_bytes()).items()}
    except (OSError, orjson.JSONDecodeError, AttributeError):
        pass
    pools = _simulate(seed, per_type, sessions)
    try:
        partial = cache.with_suffix(f".{os.getpid()}.part")
        partial.write_bytes(orjson.dumps(pools))
        partial.replace(cache)
    except OSError:
        pass
    return {t: tuple(p) for t, p in pools.items()}


def _simulate(seed: int, per_type: int, sessions: int) -> dict[str, list[dict]]:
    from aisci_tui.protocol.codec import to_obj
    from aisci_tui.server.simulator import Simulator

    sim = Simulator(seed=seed, sessions=sessions, start=T0)
    pools: dict[str, list[dict]] = {t: [] for t, _ in MIX}
    cap = per_type * 40
    need = {t: per_type for t in pools} | {"system_event": max(1, per_type // 6)}
    while any(len(pools[t]) < need[t] for t in pools):
        for event in sim.advance(10.0):
            pool = pools[event.type]
            if len(pool) < cap:
                pool.append(to_obj(event))
        if sim.now > 200_000:
            raise RuntimeError("the simulator produced too few events of some type")
    return pools


def _stamp(i: int) -> str:
    return (T0 + timedelta(milliseconds=i + 1)).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _rekey(kind: str, data: dict, rng: random.Random, pop: Population) -> dict:
    data = dict(data)
    if kind == "agent_status":
        n = rng.randrange(pop.agents)
        data["agent_id"] = f"agent-{n:04d}"
        data["name"] = f"Agent {n:04d} ({data.get('name') or 'agent'})"
    elif kind == "experiment_results":
        data["experiment_id"] = f"exp-{rng.randrange(pop.experiments):03d}"
    elif kind == "ethical_assessment":
        data["resource_id"] = f"exp-{rng.randrange(pop.experiments):03d}"
        data["resource_type"] = "experiment"
    return data


def iter_objects(n: int, *, seed: int = 7, population: Population | None = None, start: int = 0) -> Iterator[dict]:
    """``n`` event envelopes in stream order; ids and timestamps continue from ``start``."""
    pools = simulated_pools()
    pop = population or Population()
    rng = random.Random(seed * 1_000_003 + start)
    types = [t for t, _ in MIX]
    weights = [w for _, w in MIX]
    for i in range(start, start + n):
        kind = rng.choices(types, weights)[0]
        base = rng.choice(pools[kind])
        yield {
            "type": kind,
            "id": f"bench-{seed}-{i:09d}",
            "timestamp": _stamp(i),
            "data": _rekey(kind, base["data"], rng, pop),
        }


def iter_frames(n: int, **kwargs: object) -> Iterator[bytes]:
    """The same stream as :func:`iter_objects`, each envelope as one UTF-8 frame."""
    dumps = orjson.dumps
    for obj in iter_objects(n, **kwargs):  # type: ignore[arg-type]
        yield dumps(obj)


def stream(n: int, *, seed: int = 7, population: Population | None = None) -> list[bytes]:
    """``n`` pre-encoded event frames (one event per frame)."""
    return list(iter_frames(n, seed=seed, population=population))


def batched(frames: list[bytes], size: int) -> list[bytes]:
    """The same events packed ``size`` to a ``batch`` frame (the project's batching format)."""
    out = []
    for k in range(0, len(frames), size):
        events = b",".join(frames[k : k + size])
        out.append(
            b'{"type":"batch","id":"bench-batch-%d","timestamp":"%s","data":{"subscription_id":"sub_bench",'
            b'"events":[%s]}}' % (k, _stamp(k).encode(), events)
        )
    return out


def size_summary(frames: list[bytes]) -> dict[str, int]:
    """Mean frame size per event type, in bytes."""
    sums: dict[str, list[int]] = {}
    for f in frames:
        sums.setdefault(orjson.loads(f)["type"], []).append(len(f))
    return {t: round(sum(v) / len(v)) for t, v in sorted(sums.items())}


def population_summary(frames: list[bytes]) -> dict[str, int]:
    """How many distinct agents, sessions and experiments a stream mentions."""
    agents, sessions, experiments = set(), set(), set()
    for f in frames:
        obj = orjson.loads(f)
        data = obj["data"]
        if obj["type"] == "agent_status":
            agents.add(data["agent_id"])
        elif obj["type"] == "research_progress":
            sessions.add(data["session_id"])
        elif obj["type"] == "experiment_results":
            experiments.add(data["experiment_id"])
    return {"agents": len(agents), "sessions": len(sessions), "experiments": len(experiments)}
