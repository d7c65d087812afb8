"""State of the simulated research world: sessions, agents, tasks.

Times are virtual seconds since the simulator's start (negative = before it).
Each state object renders its own event payload.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aisci_tui.protocol.phases import DONE
from aisci_tui.protocol.phases import RESEARCH_PHASES as PHASES
from aisci_tui.server.simulator.texts import MILESTONES, ROLES, SECTIONS, Topic

Stamp = Callable[[float], str]


def clamp(value: float, low: float = 0.0, high: float = 1.0) -> float:
    return max(low, min(high, value))


def short_id(rng: random.Random, prefix: str) -> str:
    return f"{prefix}-{rng.getrandbits(40):010x}"


@dataclass(slots=True)
class Task:
    id: str
    type: str
    description: str
    started: float
    duration: float

    def progress(self, now: float) -> float:
        return clamp((now - self.started) / self.duration)


@dataclass(slots=True)
class Agent:
    id: str
    name: str
    role: str
    session_id: str
    started: float
    status: str = "idle"
    task: Task | None = None
    error_count: int = 0
    tasks_done: int = 0
    tasks_failed: int = 0
    cpu: float = 0.1
    memory: float = 0.3
    response_time: float = 0.8
    recover_at: float = 0.0
    last_done: tuple[str, float] | None = None  # (description, when)

    @property
    def task_type(self) -> str:
        return ROLES[self.role][0]

    @property
    def phases(self) -> tuple[int, ...]:
        return ROLES[self.role][1]

    def describe_task(self, rng: random.Random, topic: Topic) -> str:
        template = rng.choice(ROLES[self.role][2])
        return template.format(
            kw=rng.choice(topic.keywords),
            n=rng.choice((40, 120, 250, 600)),
            i=rng.randint(1, 5),
            method=topic.method,
            baseline=rng.choice(topic.baselines),
            dataset=rng.choice(topic.datasets),
            hparam=rng.choice(topic.hparams),
            section=rng.choice(SECTIONS),
        )

    def success_rate(self) -> float:
        return round((self.tasks_done + 19) / (self.tasks_done + self.tasks_failed + 20), 3)

    def payload(self, now: float, stamp: Stamp) -> dict[str, Any]:
        data: dict[str, Any] = {
            "agent_id": self.id,
            "name": self.name,
            "status": self.status,
            "session_id": self.session_id,
            "performance": {
                "cpu_usage": round(self.cpu, 3),
                "memory_usage": round(self.memory, 3),
                "response_time": round(self.response_time, 2),
                "success_rate": self.success_rate(),
            },
            "health": {
                "last_heartbeat": stamp(now),
                "uptime": int(now - self.started),
                "error_count": self.error_count,
            },
        }
        if self.task is not None and self.status == "busy":
            t = self.task
            data["current_task"] = {
                "id": t.id,
                "type": t.type,
                "description": t.description,
                "progress": round(t.progress(now), 3),
                "started_at": stamp(t.started),
                "estimated_completion": stamp(t.started + t.duration),
            }
        return data


@dataclass(slots=True)
class Session:
    id: str
    topic: Topic
    durations: list[float]  # planned seconds per phase
    started: float
    phase: int
    phase_started: float
    milestone_done: list[float | None]
    agents: list[Agent] = field(default_factory=list)
    running: int = 0  # experiments in flight
    experiments_done: int = 0
    finished_at: float | None = None

    @property
    def title(self) -> str:
        return self.topic.title

    @property
    def phase_name(self) -> str:
        return PHASES[self.phase] if self.phase < len(PHASES) else DONE

    @property
    def done(self) -> bool:
        return self.phase >= len(PHASES)

    def phase_progress(self, now: float) -> float:
        if self.done:
            return 1.0
        return clamp((now - self.phase_started) / self.durations[self.phase])

    def overall(self, now: float) -> float:
        if self.done:
            return 1.0
        return (self.phase + self.phase_progress(now)) / len(PHASES)

    def payload(self, now: float, stamp: Stamp) -> dict[str, Any]:
        pp = self.phase_progress(now)
        overall = round(self.overall(now), 4)
        milestones: list[dict[str, Any]] = []
        for i, name in enumerate(MILESTONES):
            done_at = self.milestone_done[i]
            if done_at is not None:
                milestones.append({"name": name, "status": "completed", "completed_at": stamp(done_at)})
            elif i == self.phase:
                milestones.append({"name": name, "status": "in_progress", "progress": round(pp, 4)})
            else:
                milestones.append({"name": name, "status": "pending"})
        activities: list[dict[str, Any]] = []
        for agent in self.agents:
            if agent.status == "busy" and agent.task is not None and len(activities) < 4:
                activities.append(
                    {
                        "agent_id": agent.id,
                        "activity": agent.task.description,
                        "progress": round(agent.task.progress(now), 3),
                        "status": "in_progress",
                    }
                )
        recent = [(a, done) for a in self.agents if (done := a.last_done) and now - done[1] < 60]
        if recent:
            latest, (activity, _) = max(recent, key=lambda pair: pair[1][1])
            activities.append(
                {
                    "agent_id": latest.id,
                    "activity": activity,
                    "progress": 1.0,
                    "status": "completed",
                }
            )
        end = self.finished_at if self.finished_at is not None else now
        elapsed = max(0.0, end - self.started)
        remaining = elapsed * (1 - overall) / overall if overall > 0 else sum(self.durations)
        return {
            "session_id": self.id,
            "title": self.title,
            "overall_progress": overall,
            "current_phase": self.phase_name,
            "phase_progress": round(pp, 4),
            "activities": activities,
            "milestones": milestones,
            "timeline": {
                "started_at": stamp(self.started),
                "estimated_completion": stamp(end + remaining),
                "time_elapsed": int(round(elapsed)),
                "time_remaining": int(round(remaining)),
            },
        }
