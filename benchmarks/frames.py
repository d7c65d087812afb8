"""Realistic event streams, encoded once, for every benchmark to replay.

The shapes and sizes follow the guide's examples (all five event types); ids
cycle over a fixed population of agents, sessions and experiments so the store
sees the mix of inserts and updates a live run produces. Timestamps only move
forward, so nothing is dropped as stale.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import orjson

#: Share of each event type in the stream (agent heartbeats dominate a live run).
MIX = (
    ("agent_status", 0.55),
    ("research_progress", 0.15),
    ("experiment_results", 0.15),
    ("ethical_assessment", 0.10),
    ("system_event", 0.05),
)

PHASES = ("literature_review", "ideation", "experimentation", "analysis", "writing")
STATUSES = ("busy", "idle", "busy", "busy", "error", "offline")
TASKS = ("data_analysis", "simulation", "literature_search", "code_execution", "plotting")
FRAMEWORKS = ("utilitarian", "deontological", "virtue_ethics", "care_ethics", "justice_ethics", "precautionary")


@dataclass(frozen=True, slots=True)
class Population:
    agents: int = 500
    sessions: int = 10
    experiments: int = 50


class _Clock:
    def __init__(self, start: datetime, step_ms: int = 1) -> None:
        self.t = start
        self.step = timedelta(milliseconds=step_ms)

    def tick(self) -> str:
        self.t += self.step
        return self.t.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _iso(t: datetime) -> str:
    return t.isoformat(timespec="seconds").replace("+00:00", "Z")


def _agent(rng: random.Random, pop: Population, now: datetime) -> dict:
    n = rng.randrange(pop.agents)
    return {
        "agent_id": f"agent_{n:04d}",
        "name": f"Research Agent {n:04d}",
        "status": rng.choice(STATUSES),
        "session_id": f"session_{n % pop.sessions:03d}",
        "current_task": {
            "id": f"task_{rng.randrange(10**6):06d}",
            "type": rng.choice(TASKS),
            "progress": round(rng.random(), 3),
            "started_at": _iso(now - timedelta(minutes=rng.randrange(90))),
            "estimated_completion": _iso(now + timedelta(minutes=rng.randrange(90))),
        },
        "performance": {
            "cpu_usage": round(rng.random(), 3),
            "memory_usage": round(rng.random(), 3),
            "response_time": round(rng.uniform(0.1, 5), 2),
            "success_rate": round(rng.uniform(0.6, 1), 3),
        },
        "health": {"last_heartbeat": _iso(now), "uptime": rng.randrange(86400 * 3), "error_count": rng.randrange(9)},
    }


def _progress(rng: random.Random, pop: Population, now: datetime) -> dict:
    s = rng.randrange(pop.sessions)
    done = round(rng.random(), 3)
    return {
        "session_id": f"session_{s:03d}",
        "title": f"Study {s}: effect of curriculum ordering on small transformer generalisation",
        "overall_progress": done,
        "current_phase": rng.choice(PHASES),
        "phase_progress": round(rng.random(), 3),
        "activities": [
            {
                "agent_id": f"agent_{rng.randrange(pop.agents):04d}",
                "activity": rng.choice(("Running ablation sweep", "Summarising related work", "Plotting results")),
                "progress": round(rng.random(), 3),
                "status": "in_progress",
            }
            for _ in range(2)
        ],
        "milestones": [
            {"name": "Literature review", "status": "completed", "completed_at": _iso(now - timedelta(hours=2))},
            {"name": "Experiment design", "status": "in_progress", "progress": round(rng.random(), 2)},
            {"name": "Paper draft", "status": "pending"},
        ],
        "timeline": {
            "started_at": _iso(now - timedelta(hours=3)),
            "estimated_completion": _iso(now + timedelta(hours=5)),
            "time_elapsed": 10800,
            "time_remaining": 18000,
        },
    }


def _experiment(rng: random.Random, pop: Population, now: datetime) -> dict:
    e = rng.randrange(pop.experiments)
    acc = round(rng.uniform(0.5, 0.99), 3)
    return {
        "experiment_id": f"exp_{e:04d}",
        "session_id": f"session_{e % pop.sessions:03d}",
        "title": f"Ablation {e}: learning-rate warm-up length",
        "status": rng.choice(("completed", "completed", "failed", "partial")),
        "results": {
            "summary": "Longer warm-up improves validation loss on the small model but not the large one",
            "key_findings": [
                f"Validation loss fell by {rng.uniform(1, 9):.1f}% with 2k warm-up steps",
                f"Correlation with batch size: r = {rng.uniform(-1, 1):.2f}",
                "Statistical significance: p < 0.01",
            ],
            "metrics": {
                "accuracy": acc,
                "confidence_interval": [round(acc - 0.03, 3), round(acc + 0.03, 3)],
                "sample_size": rng.randrange(100, 20000),
                "effect_size": round(rng.random(), 3),
            },
            "visualizations": [
                {
                    "type": "time_series",
                    "title": "Validation loss per step",
                    "url": f"https://example.invalid/viz/exp_{e:04d}_loss.png",
                    "description": "Loss curves for each warm-up length",
                },
                {
                    "type": "scatter_plot",
                    "title": "Final loss against warm-up",
                    "url": f"https://example.invalid/viz/exp_{e:04d}_scatter.png",
                    "description": "One point per seed",
                },
            ],
            "data": {
                "raw_data_url": f"https://example.invalid/data/exp_{e:04d}_raw.csv",
                "processed_data_url": f"https://example.invalid/data/exp_{e:04d}.json",
                "metadata": {"columns": ["step", "loss", "lr"], "rows": 3650, "file_size": "2.3MB"},
            },
        },
        "execution": {
            "duration": rng.randrange(60, 4000),
            "started_at": _iso(now - timedelta(minutes=20)),
            "completed_at": _iso(now),
            "agent_id": f"agent_{rng.randrange(pop.agents):04d}",
            "computing_resources": {"cpu_time": 1800, "memory_peak": "4.5GB", "gpu_usage": "30%"},
        },
        "quality_metrics": {
            "data_quality_score": round(rng.random(), 2),
            "methodology_score": round(rng.random(), 2),
            "reproducibility_score": round(rng.random(), 2),
        },
    }


def _assessment(rng: random.Random, pop: Population, now: datetime) -> dict:
    e = rng.randrange(pop.experiments)
    return {
        "resource_id": f"exp_{e:04d}",
        "resource_type": "experiment",
        "session_id": f"session_{e % pop.sessions:03d}",
        "assessment": {
            "overall_score": round(rng.random(), 3),
            "status": rng.choice(("compliant", "review_required", "non_compliant")),
            "confidence": round(rng.random(), 3),
            "frameworks": {
                f: {"score": round(rng.random(), 2), "weight": 0.2, "assessment": "Weighs benefit against risk"}
                for f in FRAMEWORKS
            },
            "identified_issues": [
                {
                    "severity": rng.choice(("low", "medium", "high")),
                    "category": rng.choice(("bias", "privacy", "safety", "transparency")),
                    "description": "Evaluation set drawn from a single source",
                    "recommendation": "Add a held-out set from a second source",
                    "auto_fixable": False,
                }
            ],
            "recommendations": ["Document preprocessing", "Report seeds", "Release the evaluation code"],
            "human_review_required": rng.random() < 0.2,
            "auto_approved": rng.random() < 0.7,
            "review_deadline": _iso(now + timedelta(days=7)),
        },
        "metadata": {
            "assessed_by": "ethical_framework_agent",
            "assessment_version": "2.1",
            "assessment_duration": 45,
            "assessed_at": _iso(now),
        },
    }


def _system(rng: random.Random, pop: Population, now: datetime) -> dict:
    return {
        "event_type": rng.choice(("maintenance", "scale", "error", "update")),
        "severity": rng.choice(("info", "info", "warning", "error", "critical")),
        "title": "GPU node pool scaled",
        "description": "Two GPU nodes were added to the experiment pool",
        "affected_services": ["agent_service", "research_orchestrator"],
        "scheduled_time": _iso(now + timedelta(hours=1)),
        "estimated_duration": 1800,
        "actions_required": ["Save all active research sessions"],
        "alternatives": {"continue_offline": True, "use_backup_agents": False},
    }


_BUILDERS = {
    "agent_status": _agent,
    "research_progress": _progress,
    "experiment_results": _experiment,
    "ethical_assessment": _assessment,
    "system_event": _system,
}


def event_objects(n: int, *, seed: int = 7, population: Population | None = None) -> list[dict]:
    """``n`` event envelopes (plain dicts) in the stream's order."""
    rng = random.Random(seed)
    pop = population or Population()
    clock = _Clock(datetime(2025, 1, 1, 12, 0, tzinfo=UTC))
    types = [t for t, _ in MIX]
    weights = [w for _, w in MIX]
    kinds = rng.choices(types, weights, k=n)
    out = []
    for i, kind in enumerate(kinds):
        stamp = clock.tick()
        now = clock.t
        out.append(
            {
                "type": kind,
                "id": f"msg_{seed:x}_{i:08d}",
                "timestamp": stamp,
                "data": _BUILDERS[kind](rng, pop, now),
                "meta": {"version": "1.0", "source": "benchmark"},
            }
        )
    return out


def encode_frames(objs: list[dict]) -> list[bytes]:
    """Each envelope as the UTF-8 text of one WebSocket message."""
    return [orjson.dumps(o) for o in objs]


def stream(n: int, *, seed: int = 7, population: Population | None = None) -> list[bytes]:
    """``n`` pre-encoded event frames (one event per frame)."""
    return encode_frames(event_objects(n, seed=seed, population=population))


def distinct_stream(base: list[bytes], n: int) -> list[bytes]:
    """``n`` frames cycling over ``base``, each with a fresh id and a later timestamp.

    Edits the encoded text in place, so a long stream costs no extra JSON work and
    the store neither dedupes nor drops any of them as stale.
    """
    t0 = datetime(2025, 1, 1, 12, 0, tzinfo=UTC)
    out = []
    for i in range(n):
        frame = base[i % len(base)]
        start = frame.index(b'"id":"msg_') + 10
        end = frame.index(b'"', start)
        prefix = frame[start:end].rsplit(b"_", 1)[0]
        frame = frame[:start] + prefix + b"_" + b"%09d" % i + frame[end:]
        ts = frame.index(b'"timestamp":"') + 13
        stamp = (t0 + timedelta(milliseconds=i + 1)).isoformat(timespec="milliseconds")[:23] + "Z"
        out.append(frame[:ts] + stamp.encode() + frame[ts + 24 :])
    return out


def size_summary(frames: list[bytes]) -> dict[str, float]:
    """Mean frame size per event type, in bytes."""
    sums: dict[str, list[int]] = {}
    for f in frames:
        t = orjson.loads(f)["type"]
        sums.setdefault(t, []).append(len(f))
    return {t: round(sum(v) / len(v)) for t, v in sorted(sums.items())}
