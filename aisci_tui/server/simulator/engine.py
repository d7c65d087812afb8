"""A deterministic discrete-event simulation of AI research sessions.

Everything runs on virtual time: :meth:`Simulator.advance` processes the
scheduled actions of a time span and returns the events they produced, so the
same seed and start always give the same events (ids included). :meth:`run`
paces the same simulation in real time for the server.
"""

from __future__ import annotations

import asyncio
import hashlib
import heapq
import random
import secrets
from collections import deque
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

from aisci_tui.protocol.models import EVENT_MODELS, Event
from aisci_tui.protocol.phases import RESEARCH_PHASES as PHASES
from aisci_tui.server.simulator.ethics import assessment_payload
from aisci_tui.server.simulator.experiments import Experiment, new_experiment, results_payload
from aisci_tui.server.simulator.sysevents import system_payload
from aisci_tui.server.simulator.texts import CORE_ROLES, REPEATABLE_ROLES, ROLES, TOPICS, Topic
from aisci_tui.server.simulator.world import Agent, Session, Task, clamp, short_id

PHASE_SHARE = (0.12, 0.10, 0.12, 0.34, 0.17, 0.15)
RETIRE_AFTER = 600.0  # seconds agents of a finished session keep reporting
RISKY_WORDS = ("X-ray", "Credit", "Reward Model", "Fairness")
#: Lively pacing: every LIVELY_EVERY virtual seconds, each of experiment results, assessments
#: and system events not seen for LIVELY_GAP seconds gets one, so that a few seconds of live
#: stream show all five event types (realistic pacing has minutes between experiments).
LIVELY_EVERY = 2.0
LIVELY_GAP = 6.0


class Simulator:
    """Research sessions, their agents, experiments, assessments and system events."""

    def __init__(self, seed: int | None = None, sessions: int = 3, start: datetime | None = None, lively: bool = False):
        self.seed = seed if seed is not None else secrets.randbits(32)
        self.rng = random.Random(self.seed)
        self.start = (start or datetime.now(UTC)).astimezone(UTC)
        token = hashlib.sha256(f"{self.seed}|{self.start.isoformat()}".encode()).hexdigest()[:8]
        self._id_prefix = f"evt-{token}-"
        self._count = 0
        self.now = 0.0
        self._queue: list[tuple[float, int, Callable[[], None]]] = []
        self._seq = 0
        self._out: list[Event] = []
        self.sessions: list[Session] = []
        self._target_sessions = sessions
        self._topics = list(TOPICS)
        self.rng.shuffle(self._topics)
        for index in range(sessions):
            progress = clamp((index + self.rng.uniform(0.1, 0.8)) / sessions * 0.9)
            self._new_session(progress)
        self._at(self.rng.uniform(15, 45), self._system_event)
        #: Its own random stream, so that the realistic story is the same with lively pacing or without.
        self._lively_rng = random.Random(self.seed ^ 0x11FE11)
        self._last: dict[str, float] = {}
        if lively:
            self._at(LIVELY_EVERY, self._liven)

    # -- public API ---------------------------------------------------------

    @property
    def session_ids(self) -> list[str]:
        return [s.id for s in self.sessions]

    def advance(self, seconds: float) -> list[Event]:
        """Run ``seconds`` of virtual time; the events produced, in time order."""
        if seconds < 0:
            raise ValueError("cannot go back in time")
        target = self.now + seconds
        while self._queue and self._queue[0][0] <= target:
            when, _, action = heapq.heappop(self._queue)
            self.now = max(self.now, when)
            action()
        self.now = target
        out, self._out = self._out, []
        return out

    def next_due(self) -> float | None:
        """Virtual seconds until the next scheduled action."""
        return self._queue[0][0] - self.now if self._queue else None

    async def run(self, speed: float = 1.0, rate: float | None = None) -> AsyncIterator[Event]:
        """Yield events in real time: virtual time runs ``speed`` times faster than the clock,
        or, with ``rate``, events come at that many per second whatever their virtual times."""
        loop = asyncio.get_running_loop()
        if rate is None:
            t0, v0 = loop.time(), self.now
            while True:
                target = v0 + (loop.time() - t0) * speed
                for event in self.advance(max(0.0, target - self.now)):
                    yield event
                due = self.next_due()
                await asyncio.sleep(clamp((due if due is not None else 1.0) / speed, 0.001, 1.0))
        pending: deque[Event] = deque()
        t0, emitted = loop.time(), 0
        while True:
            owed = int((loop.time() - t0) * rate) - emitted
            if owed > rate:  # fell more than a second behind: do not try to catch up
                t0, emitted, owed = loop.time(), 0, 1
            for _ in range(owed):
                while not pending:
                    pending.extend(self.advance(1.0))
                yield pending.popleft()
                emitted += 1
            await asyncio.sleep(min(0.01, 1.0 / rate))

    # -- plumbing -------------------------------------------------------------

    def stamp(self, offset: float) -> str:
        moment = self.start + timedelta(seconds=offset)
        return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")

    def _at(self, delay: float, action: Callable[[], None]) -> None:
        self._seq += 1
        heapq.heappush(self._queue, (self.now + max(0.0, delay), self._seq, action))

    def _emit(self, kind: str, data: dict[str, Any]) -> None:
        self._count += 1
        self._last[kind] = self.now
        obj = {
            "type": kind,
            "id": f"{self._id_prefix}{self._count:07d}",
            "timestamp": self.stamp(self.now),
            "data": data,
        }
        self._out.append(EVENT_MODELS[kind].model_validate(obj))

    # -- sessions -------------------------------------------------------------

    def _new_session(self, progress: float) -> Session:
        rng = self.rng
        topic: Topic = self._topics[len(self.sessions) % len(self._topics)]
        total = rng.uniform(50, 120) * 60
        durations = [total * share * rng.uniform(0.8, 1.2) for share in PHASE_SHARE]
        elapsed = progress * sum(durations)
        phase, before = 0, 0.0
        while phase < len(PHASES) - 1 and before + durations[phase] <= elapsed:
            before += durations[phase]
            phase += 1
        started = self.now - elapsed
        done = [started + sum(durations[: i + 1]) if i < phase else None for i in range(len(PHASES))]
        session = Session(
            id=short_id(rng, "ses"),
            topic=topic,
            durations=durations,
            started=started,
            phase=phase,
            phase_started=started + before,
            milestone_done=done,
        )
        roles = list(CORE_ROLES)
        extra = [r for r in ROLES if r not in roles]
        for _ in range(rng.randint(4, 12) - len(roles)):
            roles.append(rng.choice(extra + list(REPEATABLE_ROLES)))
        counts: dict[str, int] = {}
        for role in roles:
            counts[role] = counts.get(role, 0) + 1
            name = role if counts[role] == 1 else f"{role} {counts[role]}"
            agent = Agent(
                id=short_id(rng, "agt"),
                name=name,
                role=role,
                session_id=session.id,
                started=started - rng.uniform(60, 3600),
                memory=rng.uniform(0.2, 0.5),
            )
            session.agents.append(agent)
            if phase in agent.phases and rng.random() < 0.8:
                self._start_task(session, agent, already=rng.uniform(0.0, 0.8))
            self._at(rng.uniform(0.0, 2.0), partial(self._agent_tick, session, agent))
        self.sessions.append(session)
        self._at(rng.uniform(0.0, 1.5), partial(self._progress_tick, session))
        if PHASES[phase] == "experimentation":
            self._at(rng.uniform(2, 10), partial(self._launch_experiment, session))
        return session

    def _progress_tick(self, s: Session) -> None:
        rng = self.rng
        while not s.done and s.phase_progress(self.now) >= 1.0:
            end = s.phase_started + s.durations[s.phase]
            s.milestone_done[s.phase] = end
            s.phase += 1
            s.phase_started = end
            if s.done:
                s.finished_at = end
            elif PHASES[s.phase] == "experimentation":
                self._at(rng.uniform(2, 10), lambda: self._launch_experiment(s))
            elif PHASES[s.phase] in ("experiment_design", "writing"):
                self._at(rng.uniform(5, 30), lambda: self._assess(s, s.id, "research_session"))
        self._emit("research_progress", s.payload(self.now, self.stamp))
        if s.done:
            self._at(rng.uniform(120, 300), self._replace_finished)
        else:
            self._at(rng.uniform(4, 8), lambda: self._progress_tick(s))

    def _replace_finished(self) -> None:
        if sum(1 for s in self.sessions if not s.done) < self._target_sessions:
            self._new_session(0.0)

    # -- agents ---------------------------------------------------------------

    def _start_task(self, s: Session, agent: Agent, already: float = 0.0, task: Task | None = None) -> None:
        rng = self.rng
        if task is None:
            duration = rng.uniform(30, 300)
            task = Task(
                id=short_id(rng, "task"),
                type=agent.task_type,
                description=agent.describe_task(rng, s.topic),
                started=self.now - already * duration,
                duration=duration,
            )
        agent.task = task
        agent.status = "busy"

    def _agent_tick(self, s: Session, agent: Agent) -> None:
        rng = self.rng
        now = self.now
        if s.finished_at is not None and now - s.finished_at > RETIRE_AFTER:
            agent.status, agent.task = "offline", None  # the session is over: sign off for good
            self._emit("agent_status", agent.payload(now, self.stamp))
            return
        if agent.status in ("error", "offline"):
            if now >= agent.recover_at:
                agent.status = "idle"
        elif agent.status == "busy" and agent.task is not None and agent.task.progress(now) >= 1.0:
            if rng.random() < 0.05:
                agent.tasks_failed += 1
            else:
                agent.tasks_done += 1
                agent.last_done = (agent.task.description, now)
            agent.task = None
            agent.status = "idle"
        if agent.status == "idle" and not s.done:
            wanted = 0.6 if s.phase in agent.phases else 0.03
            if rng.random() < wanted:
                self._start_task(s, agent)
        roll = rng.random()
        if agent.status not in ("error", "offline") and roll < 0.004:
            agent.error_count += 1
            agent.status = "error" if roll < 0.003 else "offline"
            agent.recover_at = now + (rng.uniform(20, 90) if agent.status == "error" else rng.uniform(60, 240))
            if agent.status == "error" and rng.random() < 0.25:
                self._at(rng.uniform(5, 20), lambda: self._assess(s, agent.id, "agent"))
        busy = agent.status == "busy"
        agent.cpu = clamp(rng.uniform(0.45, 0.97) if busy else rng.uniform(0.02, 0.15))
        agent.memory = clamp(agent.memory + rng.uniform(-0.04, 0.05 if busy else 0.02), 0.1, 0.95)
        agent.response_time = rng.uniform(0.8, 4.5) if busy else rng.uniform(0.2, 1.2)
        if agent.status != "offline":
            self._emit("agent_status", agent.payload(now, self.stamp))
        self._at(rng.uniform(5, 15), lambda: self._agent_tick(s, agent))

    # -- experiments, assessments, system -------------------------------------

    def _launch_experiment(self, s: Session) -> None:
        rng = self.rng
        if s.done or PHASES[s.phase] != "experimentation":
            return
        runners = [a for a in s.agents if a.role == "Experiment Runner" and a.status not in ("error", "offline")]
        if runners and s.running < 2 * len(runners):
            agent = rng.choice(runners)
            exp = new_experiment(rng, s, agent, self.now, (90, 900), ended=False)
            title, duration = exp.title, exp.duration
            s.running += 1
            if agent.status != "busy":
                task = Task(
                    id=short_id(rng, "task"),
                    type="training_run",
                    description=f"Running {title}",
                    started=self.now,
                    duration=duration,
                )
                self._start_task(s, agent, task=task)
            self._at(duration, lambda: self._finish_experiment(s, exp))
        self._at(rng.uniform(20, 90), lambda: self._launch_experiment(s))

    def _finish_experiment(self, s: Session, exp: Experiment) -> None:
        rng = self.rng
        s.running -= 1
        s.experiments_done += 1
        status = rng.choices(("completed", "partial", "failed"), (0.78, 0.08, 0.14))[0]
        self._emit("experiment_results", results_payload(rng, s.topic, exp, self.now, self.stamp, status))
        if status != "failed" and rng.random() < 0.6:
            self._at(rng.uniform(5, 40), lambda: self._assess(s, exp.id, "experiment"))

    def _assess(self, s: Session, resource_id: str, resource_type: str) -> None:
        risk = 0.12 if any(word in s.title for word in RISKY_WORDS) else 0.0
        data = assessment_payload(self.rng, resource_id, resource_type, s.id, self.now, self.stamp, risk)
        self._emit("ethical_assessment", data)

    def _system_event(self) -> None:
        active = [s.id for s in self.sessions if not s.done]
        self._emit("system_event", system_payload(self.rng, self.now, self.stamp, active))
        self._at(self.rng.uniform(240, 720), self._system_event)

    def _liven(self) -> None:
        """Lively pacing's extra events (deterministic: scheduled from virtual time zero)."""
        rng, now = self._lively_rng, self.now
        self._at(LIVELY_EVERY, self._liven)

        def stale(kind: str) -> bool:
            return now - self._last.get(kind, -LIVELY_GAP) >= LIVELY_GAP

        active = [s for s in self.sessions if not s.done] or self.sessions
        if not active:
            return
        s = active[int(rng.random() * len(active))]
        resource, resource_type = s.id, "research_session"
        if stale("experiment_results") and s.agents:
            agent = s.agents[int(rng.random() * len(s.agents))]
            exp = new_experiment(rng, s, agent, now, (60, 600), ended=True)
            status = rng.choices(("completed", "partial", "failed"), (0.78, 0.08, 0.14))[0]
            self._emit("experiment_results", results_payload(rng, s.topic, exp, now, self.stamp, status))
            resource, resource_type = exp.id, "experiment"
        if stale("ethical_assessment"):
            self._emit(
                "ethical_assessment", assessment_payload(rng, resource, resource_type, s.id, now, self.stamp, 0.0)
            )
        if stale("system_event"):
            self._emit("system_event", system_payload(rng, now, self.stamp, [a.id for a in active]))
