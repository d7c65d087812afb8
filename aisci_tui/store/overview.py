"""The home screen's model: per-session summaries, what needs attention, and what changed.

Kept incrementally from the store's :class:`~aisci_tui.store.records.Changes`:
each update costs in proportion to what changed, never to the size of the
world. Time-based states (stale heartbeats, stalled sessions) are found by
walking entities ordered by their last update from the oldest end, so a check
costs in proportion to what is actually stale. Plain Python, no Textual.
"""

from __future__ import annotations

from collections import OrderedDict, deque
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from aisci_tui.protocol.kinds import TABLES
from aisci_tui.protocol.times import parse_time
from aisci_tui.store.records import Changes, LogEntry
from aisci_tui.store.state import Store
from aisci_tui.store.summaries import Attention, Change, Point, SessionLine, fold, metric_point, run_fields

#: A heartbeat older than this marks a working agent as stale (seconds).
STALE_HEARTBEAT = 180.0
#: An unfinished session with no progress update for this long is stalled (seconds).
STALLED_AFTER = 600.0
#: Notable changes kept for "since you last looked".
JOURNAL = 2000
#: Critical and error system events kept as attention items.
EVENT_ITEMS = 50

#: Attention ranks, most urgent first.
RANKS = {
    "critical": 0,
    "experiment": 1,
    "agent-error": 2,
    "non_compliant": 3,
    "error": 4,
    "stalled": 5,
    "review": 6,
    "heartbeat": 7,
}


def _epoch(stamp: str | None) -> float | None:
    moment = parse_time(stamp)
    return moment.timestamp() if moment is not None else None


def _fresh(stamp: str | None, at: float, window: float = 120.0) -> bool:
    """True unless the event says it happened more than ``window`` seconds before ``at`` (history)."""
    moment = _epoch(stamp)
    return moment is None or at - moment < window


@dataclass(slots=True)
class _Agent:
    session_id: str | None
    status: str
    name: str


class Overview:
    """Everything the home screen reads, updated from the store's changes."""

    def __init__(self) -> None:
        self._store: Store | None = None
        self.sessions: dict[str, SessionLine] = {}
        self._agents: dict[str, _Agent] = {}
        self._experiments: dict[str, tuple[str | None, str, float | None]] = {}
        #: Per session, the accuracy of each completed experiment (for the best so far).
        self._accuracy: dict[str, dict[str, float]] = {}
        #: Per session, each experiment as a point of its metric chart.
        self.points: dict[str, dict[str, Point]] = {}
        self._items: dict[tuple[str, str], Attention] = {}
        #: Working agents by last heartbeat (oldest first) and unfinished sessions by last update.
        self._heartbeats: OrderedDict[str, float] = OrderedDict()
        self._quiet: OrderedDict[str, float] = OrderedDict()
        self._events: deque[Attention] = deque(maxlen=EVENT_ITEMS)
        self.journal: deque[Change] = deque(maxlen=JOURNAL)
        self.version = 0
        self._sorted: tuple[tuple[int, str | None], list[Attention]] | None = None

    # -- input ---------------------------------------------------------------------

    def update(self, store: Store, changes: Changes, now: datetime) -> bool:
        """Take in what changed (everything, for a store not seen before). True if anything did."""
        at = now.timestamp()
        if store is not self._store:
            self.__init__()  # type: ignore[misc]
            self._store = store
            changes = Changes({table: set(store.table(table)) for table in TABLES}, log=list(store.log))
        before = self.version
        for kind, key in changes.removed:
            self._remove(kind, key)
        for key in changes.sessions:
            if (ent := store.sessions.get(key)) is not None:
                self._session(key, ent.data, ent.timestamp, at)
        for key in changes.agents:
            if (ent := store.agents.get(key)) is not None:
                self._agent(key, ent.data)
        for key in changes.experiments:
            if (ent := store.experiments.get(key)) is not None:
                self._experiment(key, ent.data, ent.timestamp, at)
        for key in changes.assessments:
            if (ent := store.assessments.get(key)) is not None:
                self._assessment(key, ent.data, ent.timestamp)
        for entry in changes.log:
            self._log(entry, at)
        if self._check_time(at):
            self.version += 1
        return self.version != before

    def _line(self, session_id: str) -> SessionLine:
        line = self.sessions.get(session_id)
        if line is None:
            line = self.sessions[session_id] = SessionLine(session_id, title=session_id)
        return line

    def _session(self, key: str, d, stamp_text: str | None, at: float) -> None:
        line = self._line(key)
        if line.phase is not None and d.current_phase != line.phase and d.current_phase and _fresh(stamp_text, at):
            self.journal.append(
                Change(at, "phase", f"{d.title or key}: {line.phase} → {d.current_phase}", ("session", key))
            )
        line.title = d.title or key
        line.phase, line.progress = d.current_phase, d.overall_progress
        t = d.timeline
        line.eta = t.estimated_completion if t else None
        line.remaining = t.time_remaining if t else None
        line.updated = stamp = _epoch(stamp_text) or at
        run_fields(line, d.model_extra or {})
        if d.overall_progress is not None and (not line.history or line.history[-1][1] != d.overall_progress):
            line.history.append((stamp, float(d.overall_progress)))
        self._quiet.pop(key, None)
        if line.finished:
            line.stalled = False
            self._items.pop(("session", key), None)
        else:
            self._quiet[key] = stamp
            if line.stalled:
                line.stalled = False
                self._items.pop(("session", key), None)
        self.version += 1

    def _agent(self, key: str, d) -> None:
        old = self._agents.get(key)
        if old is not None:
            self._count_agent(old, -1)
        new = _Agent(d.session_id, d.status, d.name or key)
        self._agents[key] = new
        self._count_agent(new, +1)
        self._items.pop(("agent", key), None)
        self._heartbeats.pop(key, None)
        since = _epoch(d.health.last_heartbeat) if d.health else None
        if d.status == "error":
            self._items[("agent", key)] = Attention(
                RANKS["agent-error"], "agent", key, "error", "Agent in error", new.name, since, d.session_id
            )
        elif d.status != "offline" and since is not None:
            self._heartbeats[key] = since
        self.version += 1

    def _count_agent(self, agent: _Agent, sign: int) -> None:
        if agent.session_id is None:
            return
        line = self._line(agent.session_id)
        line.agents_total += sign
        line.agents_busy += sign * (agent.status == "busy")
        line.agents_error += sign * (agent.status == "error")

    def _experiment(self, key: str, d, stamp: str | None, at: float) -> None:
        old = self._experiments.get(key)
        if old is not None:
            self._count_experiment(key, old, -1)
        metrics = d.results.metrics if d.results else None
        accuracy = metrics.accuracy if metrics is not None else None
        new = (d.session_id, d.status, accuracy if d.status == "completed" else None)
        self._experiments[key] = new
        self._count_experiment(key, new, +1)
        title = d.title or key
        fresh = _fresh(stamp, at)
        if old is None and fresh:
            self.journal.append(Change(at, "new", title, ("experiment", key)))
        if d.status == "failed":
            if (old is None or old[1] != "failed") and fresh:
                self.journal.append(Change(at, "failed", title, ("experiment", key)))
            since = _epoch((d.execution.completed_at if d.execution else None) or stamp)
            self._items[("experiment", key)] = Attention(
                RANKS["experiment"], "experiment", key, "error", "Experiment failed", title, since, d.session_id
            )
        else:
            self._items.pop(("experiment", key), None)
        if d.session_id is not None:
            points = self.points.setdefault(d.session_id, {})
            old_point = points.get(key)
            points[key] = metric_point(d, int(old_point.step) if old_point else len(points))
            self._best(d.session_id, at if fresh else None)
        self.version += 1

    def _count_experiment(self, key: str, exp: tuple[str | None, str, float | None], sign: int) -> None:
        sid, status, accuracy = exp
        if sid is None:
            return
        scores = self._accuracy.setdefault(sid, {})
        if sign < 0:
            scores.pop(key, None)
        elif accuracy is not None:
            scores[key] = accuracy
        line = self._line(sid)
        line.experiments_total += sign
        line.experiments_done += sign * (status == "completed")
        line.experiments_failed += sign * (status == "failed")

    def _best(self, session_id: str, at: float | None) -> None:
        line = self._line(session_id)
        best, which = None, None
        for key, acc in self._accuracy.get(session_id, {}).items():
            if best is None or acc > best:
                best, which = acc, key
        if best is not None and best != line.best and line.best is not None and at is not None:
            self.journal.append(
                Change(
                    at, "best", f"{line.title}: best accuracy {line.best:.3f} → {best:.3f}", ("experiment", which or "")
                )
            )
        line.best, line.best_experiment = best, which

    def _assessment(self, key: str, d, stamp: str | None) -> None:
        a = d.assessment
        self._items.pop(("assessment", key), None)
        since = _epoch((d.metadata.assessed_at if d.metadata else None) or stamp)
        name = f"{(d.resource_type or 'resource').replace('_', ' ')} {key}"
        if a.status == "non_compliant":
            self._items[("assessment", key)] = Attention(
                RANKS["non_compliant"],
                "assessment",
                key,
                "error",
                "Non-compliant",
                name,
                since,
                d.session_id,
                a.review_deadline,
            )
        elif a.human_review_required or a.status == "review_required":
            self._items[("assessment", key)] = Attention(
                RANKS["review"],
                "assessment",
                key,
                "warning",
                "Review required",
                name,
                since,
                d.session_id,
                a.review_deadline,
            )
        self.version += 1

    def _log(self, entry: LogEntry, at: float) -> None:
        if entry.severity not in ("critical", "error", "warning"):
            return
        title = entry.title or entry.kind
        if _fresh(entry.timestamp, at):
            self.journal.append(Change(at, "warning", f"{entry.severity}: {title}", ("event", str(entry.seq))))
        if entry.kind != "system_event" or entry.severity == "warning":
            return
        session = entry.event.session_id if entry.event is not None else None
        since = _epoch(entry.timestamp) or at
        self._events.append(
            Attention(
                RANKS[entry.severity], "event", str(entry.seq), "error", entry.severity.title(), title, since, session
            )
        )
        self.version += 1

    def _remove(self, kind: str, key: str) -> None:
        if kind == "agents" and (old := self._agents.pop(key, None)) is not None:
            self._count_agent(old, -1)
            self._items.pop(("agent", key), None)
            self._heartbeats.pop(key, None)
        elif kind == "experiments" and (old_exp := self._experiments.pop(key, None)) is not None:
            self._count_experiment(key, old_exp, -1)
            if old_exp[0] is not None:
                self.points.get(old_exp[0], {}).pop(key, None)
            self._items.pop(("experiment", key), None)
        elif kind == "assessments":
            self._items.pop(("assessment", key), None)
        elif kind == "sessions":
            self.sessions.pop(key, None)
            self._quiet.pop(key, None)
            self._items.pop(("session", key), None)
        self.version += 1

    def _check_time(self, at: float) -> bool:
        """Mark heartbeats gone stale and sessions gone quiet (oldest first, stopping at the first fresh)."""
        changed = False
        for key, beat in self._heartbeats.items():
            if at - beat < STALE_HEARTBEAT:
                break
            if ("agent", key) not in self._items:
                agent = self._agents[key]
                self._items[("agent", key)] = Attention(
                    RANKS["heartbeat"], "agent", key, "warning", "Heartbeat stale", agent.name, beat, agent.session_id
                )
                changed = True
        for key, updated in self._quiet.items():
            if at - updated < STALLED_AFTER:
                break
            line = self.sessions.get(key)
            if line is not None and not line.stalled:
                line.stalled = True
                self._items[("session", key)] = Attention(
                    RANKS["stalled"], "session", key, "warning", "Stalled", line.title, updated, key
                )
                changed = True
        return changed

    # -- output --------------------------------------------------------------------------

    def attention(self, session_id: str | None = None) -> list[Attention]:
        """What needs a person, most urgent first, newest first within a rank, the same thing repeated
        folded into one item with a count (:func:`~aisci_tui.store.summaries.fold`); worked out once per change."""
        memo = self._sorted
        if memo is not None and memo[0] == (self.version, session_id):
            return memo[1]
        items = [*self._items.values(), *self._events]
        if session_id is not None:
            items = [i for i in items if i.session_id in (session_id, None)]
        items.sort(key=lambda i: (i.rank, -(i.since or 0.0)))
        items = fold(items)
        self._sorted = ((self.version, session_id), items)
        return items

    def lines(self, session_id: str | None = None) -> list[SessionLine]:
        """Sessions, unfinished first, then by title."""
        lines = [line for key, line in self.sessions.items() if session_id in (None, key)]
        lines.sort(key=lambda s: (s.finished, s.title.casefold()))
        return lines

    def since(self, at: float) -> Iterator[Change]:
        """Notable changes seen after ``at`` (epoch seconds), oldest first."""
        for change in self.journal:
            if change.at > at:
                yield change
