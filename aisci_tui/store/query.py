"""Store entities as table rows: extraction, filtering, sorting and column fitting.

Plain Python (no Textual, no Rich): the dashboard's views turn these rows into
cells, and exports write them as they are. A row is a ``dict`` from column key
to a raw value (a string straight from the server, a number, a bool or None);
keys starting with ``_`` are helpers for the view and never exported.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from aisci_tui.protocol.models import FRAMEWORKS, Filters
from aisci_tui.protocol.times import parse_time
from aisci_tui.store.state import Entity, LogEntry, Store

#: Event severities, least to most severe.
SEVERITY_RANK = {"info": 0, "warning": 1, "error": 2, "critical": 3}
#: Ethical-issue severities, least to most severe.
ISSUE_RANK = {"low": 0, "medium": 1, "high": 2}
#: The six ethical frameworks in the guide's order.
FRAMEWORK_NAMES = FRAMEWORKS
#: Heartbeats older than this many seconds are stale.
STALE_AFTER = 30.0
#: Reported and computed ethics totals further apart than this are flagged.
TOTAL_TOLERANCE = 0.01

Row = dict[str, Any]


# -- columns --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Column:
    """One table column. ``width`` 0 makes it flexible: it takes the space left over."""

    key: str
    label: str
    width: int = 10
    priority: int = 0  # 0 is always shown; higher numbers are dropped first when narrow
    numeric: bool = False  # numeric columns sort descending first
    min_width: int = 10  # for flexible columns
    optional: bool = False  # shown only once some row has a value for it


def fit_columns(
    columns: Sequence[Column], available: int, padding: int = 1, skip: Iterable[str] = ()
) -> list[tuple[Column, int]]:
    """The columns that fit in ``available`` cells, in their original order, with widths.

    Priority-0 columns are always kept; others are added from the lowest
    priority number up until one does not fit. Flexible columns share what is
    left. Columns named in ``skip`` are left out.
    """
    pad = 2 * padding
    skipped = set(skip)
    columns = [c for c in columns if c.key not in skipped]

    def need(col: Column) -> int:
        return (col.width or col.min_width) + pad

    chosen = {i for i, c in enumerate(columns) if c.priority == 0}
    used = sum(need(columns[i]) for i in chosen)
    for i in sorted(range(len(columns)), key=lambda i: columns[i].priority):
        if i in chosen:
            continue
        if used + need(columns[i]) > available:
            break  # a less important column never takes the place of a more important one
        chosen.add(i)
        used += need(columns[i])
    flexible = [i for i in chosen if not columns[i].width]
    spare = max(0, available - used)
    out: list[tuple[Column, int]] = []
    for i, col in enumerate(columns):
        if i not in chosen:
            continue
        width = col.width
        if not width:
            width = col.min_width + spare // len(flexible) + (1 if flexible.index(i) < spare % len(flexible) else 0)
        out.append((col, width))
    return out


# -- sorting and matching ---------------------------------------------------------


def sort_key(value: Any, reverse: bool = False) -> tuple[int, int, Any]:
    """A key that orders numbers before words and puts missing values last in either direction."""
    missing = value is None or (isinstance(value, float) and math.isnan(value))
    if missing:
        return (0 if reverse else 1, 0, 0)
    present = 1 if reverse else 0
    if isinstance(value, bool):
        return (present, 0, float(value))
    if isinstance(value, int | float):
        return (present, 0, float(value))
    if isinstance(value, datetime):
        return (present, 0, value.timestamp())
    if isinstance(value, Mapping | list | tuple | set | frozenset):
        return (present, 0, float(len(value)))
    return (present, 1, str(value).casefold())


def search_text(parts: Iterable[str]) -> str:
    """What the ``/`` filter looks in: the shown texts, case-folded."""
    return "\x00".join(parts).casefold()


def matches(haystack: str, needle: str) -> bool:
    """Case-insensitive substring match; an empty needle matches everything."""
    return not needle or needle.casefold() in haystack


# -- filter cycles ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FilterState:
    """One step of a view's ``f`` cycle: rows whose ``field`` is in ``values`` (None: every row)."""

    label: str
    field: str = "status"
    values: frozenset[str] | None = None
    server: Filters | None = None
    prefix: str | None = None  # shown before the label instead of the cycle's name

    def accepts(self, row: Mapping[str, Any]) -> bool:
        if self.values is None:
            return True
        value = row.get(self.field)
        if isinstance(value, set | frozenset | list | tuple):
            return any(v in self.values for v in value)
        return value in self.values


def status_state(name: str, *values: str, label: str | None = None) -> FilterState:
    """Rows with one of ``values`` as status; the server can apply it as a status filter."""
    vals = values or (name,)
    return FilterState(label or name, "status", frozenset(vals), Filters(status=list(vals)))


def severity_at_least(minimum: str, label: str | None = None, field_name: str = "severity") -> FilterState:
    """Rows at or above ``minimum`` event severity (a server-side severity filter too)."""
    floor = SEVERITY_RANK[minimum]
    vals = [s for s, rank in SEVERITY_RANK.items() if rank >= floor]
    text = label or (minimum if minimum == "critical" else f"≥{minimum}")
    return FilterState(text, field_name, frozenset(vals), Filters(severity=vals))


ALL = FilterState("all")


@dataclass(slots=True)
class FilterCycle:
    """The states ``f`` steps through; the first is normally :data:`ALL`."""

    name: str
    states: Sequence[FilterState]
    index: int = 0

    @property
    def state(self) -> FilterState:
        return self.states[self.index]

    @property
    def label(self) -> str:
        state = self.state
        return "all" if state.values is None else f"{state.prefix or self.name}: {state.label}"

    def advance(self) -> str:
        self.index = (self.index + 1) % len(self.states)
        return self.label


# -- helpers over the store ---------------------------------------------------------------


def agent_name(store: Store, agent_id: str | None) -> str | None:
    """The agent's display name from the store, else its id."""
    if not agent_id:
        return None
    entity = store.agents.get(agent_id)
    if entity is not None and entity.data.name:
        return entity.data.name
    return agent_id


def session_agent_ids(store: Store, session_id: str) -> set[str]:
    """Agents of a session: those naming it, and those in its activities."""
    ids = {key for key, ent in store.agents.items() if ent.data.session_id == session_id}
    session = store.sessions.get(session_id)
    if session is not None:
        ids.update(a.agent_id for a in session.data.activities if a.agent_id)
    return ids


@dataclass(slots=True)
class SessionCounts:
    agents_busy: int = 0
    agents_total: int = 0
    experiments_done: int = 0
    experiments_failed: int = 0
    experiments_total: int = 0
    agent_ids: set[str] = field(default_factory=set)


def session_scope(store: Store, session_id: str | None) -> tuple[str, frozenset[str]] | None:
    """The chosen session and the ids of its agents (None when no session is chosen)."""
    if not session_id:
        return None
    return session_id, frozenset(session_agent_ids(store, session_id))


def session_counts(store: Store) -> dict[str, SessionCounts]:
    """Agents busy/total and experiments done/failed per session, in one pass."""
    out: dict[str, SessionCounts] = {sid: SessionCounts() for sid in store.sessions}
    for sid, ent in store.sessions.items():
        out[sid].agent_ids.update(a.agent_id for a in ent.data.activities if a.agent_id)
    for key, ent in store.agents.items():
        sid = ent.data.session_id
        if sid is not None:
            out.setdefault(sid, SessionCounts()).agent_ids.add(key)
    for counts in out.values():
        for key in counts.agent_ids:
            agent = store.agents.get(key)
            if agent is None:
                continue
            counts.agents_total += 1
            counts.agents_busy += agent.data.status == "busy"
    for ent in store.experiments.values():
        sid = ent.data.session_id
        if sid is None:
            continue
        counts = out.setdefault(sid, SessionCounts())
        counts.experiments_total += 1
        counts.experiments_done += ent.data.status == "completed"
        counts.experiments_failed += ent.data.status == "failed"
    return out


# -- rows --------------------------------------------------------------------------


def heartbeat_age(beat: datetime | None, now: datetime) -> float | None:
    """Seconds since the last heartbeat (0 for a heartbeat stamped in the future)."""
    if beat is None:
        return None
    return max(0.0, (now - beat).total_seconds())


def agent_row(entity: Entity, now: datetime) -> Row:
    data = entity.data
    task, perf, health = data.current_task, data.performance, data.health
    beat = parse_time(health.last_heartbeat) if health else None
    age = heartbeat_age(beat, now)
    return {
        "name": data.name or data.agent_id,
        "agent_id": data.agent_id,
        "status": data.status,
        "session_id": data.session_id,
        "task": task.type if task else None,
        "progress": task.progress if task else None,
        "cpu": perf.cpu_usage if perf else None,
        "memory": perf.memory_usage if perf else None,
        "response": perf.response_time if perf else None,
        "success": perf.success_rate if perf else None,
        "heartbeat": age,
        "stale": age is not None and age > STALE_AFTER,
        "errors": health.error_count if health else None,
        "uptime": health.uptime if health else None,
        "_beat": beat,
    }


def refresh_heartbeat(row: Row, now: datetime) -> bool:
    """Update a row's heartbeat age for a new ``now``; True if it changed."""
    age = heartbeat_age(row.get("_beat"), now)
    if age == row["heartbeat"]:
        return False
    row["heartbeat"] = age
    row["stale"] = age is not None and age > STALE_AFTER
    return True


#: Extra metric names a bridge may use for an experiment's main metric, in order of preference.
MAIN_METRIC_NAMES = ("main_metric", "metric", "value", "score")


def main_metric(metrics: Any) -> tuple[str | None, float | None]:
    """The experiment's headline metric: accuracy, else a named main metric, else the first numeric extra."""
    if metrics is None:
        return None, None
    if metrics.accuracy is not None:
        return "accuracy", metrics.accuracy
    extra = metrics.model_extra or {}
    for name in MAIN_METRIC_NAMES:
        value = extra.get(name)
        if _is_number(value):
            return name, value
    for name, value in extra.items():
        if _is_number(value):
            return name, value
    return None, None


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def experiment_tags(data: Any) -> list[str]:
    """Short labels for the run-folder bridge's node tags (ablation, hyper-parameter, seed…)."""
    extra = data.model_extra or {}
    tags = []
    if extra.get("ablation_name"):
        tags.append(f"ablation: {extra['ablation_name']}")
    if extra.get("hyperparam_name"):
        tags.append(f"hyper-parameter: {extra['hyperparam_name']}")
    if extra.get("is_seed_agg_node"):
        tags.append("seed aggregate")
    elif extra.get("is_seed_node"):
        tags.append("seed")
    if isinstance(extra.get("tags"), list):
        tags.extend(str(t) for t in extra["tags"][:20])
    return tags


def experiment_row(entity: Entity, store: Store) -> Row:
    data = entity.data
    results, execution = data.results, data.execution
    metric_name, metric = main_metric(results.metrics if results else None)
    agent_id = execution.agent_id if execution else None
    extra = data.model_extra or {}
    return {
        "title": data.title or data.experiment_id,
        "experiment_id": data.experiment_id,
        "status": data.status,
        "metric": metric,
        "metric_name": metric_name,
        "duration": execution.duration if execution else None,
        "agent": agent_name(store, agent_id),
        "agent_id": agent_id,
        "session_id": data.session_id,
        "stage": extra.get("stage"),
        "step": extra.get("step"),
        "tags": ", ".join(experiment_tags(data)) or None,
        "exc_type": extra.get("exc_type"),
    }


def weighted_total(frameworks: Mapping[str, Any]) -> tuple[float, float] | None:
    """(Σ score·weight, Σ weight) over the frameworks that carry both, or None."""
    total = weights = 0.0
    seen = False
    for fw in frameworks.values():
        if _is_number(fw.score) and _is_number(fw.weight):
            total += fw.score * fw.weight
            weights += fw.weight
            seen = True
    return (total, weights) if seen else None


def resource_name(store: Store, resource_type: str | None, resource_id: str) -> str | None:
    """The title or name of an assessed resource, when the store knows it."""
    tables = {"experiment": store.experiments, "agent": store.agents, "research_session": store.sessions}
    for kind, table in tables.items():
        if resource_type not in (None, kind):
            continue
        entity = table.get(resource_id)
        if entity is not None:
            name = getattr(entity.data, "title", None) or getattr(entity.data, "name", None)
            if name:
                return name
    return None


def assessment_row(entity: Entity) -> Row:
    data = entity.data
    a = data.assessment
    meta = data.metadata
    computed = weighted_total(a.frameworks)
    total = computed[0] if computed else None
    mismatch = (
        total is not None and _is_number(a.overall_score) and abs(total - a.overall_score) > TOTAL_TOLERANCE
    )
    severities = {i.severity for i in a.identified_issues if i.severity}
    worst = max(severities, key=lambda s: ISSUE_RANK.get(s, -1), default=None)
    return {
        "resource": data.resource_id,
        "type": data.resource_type,
        "status": a.status,
        "score": a.overall_score,
        "computed": total,
        "mismatch": mismatch,
        "confidence": a.confidence,
        "issues": len(a.identified_issues),
        "worst": worst,
        "severity": frozenset(severities),
        "review": a.human_review_required,
        "deadline": a.review_deadline,
        "assessed_by": meta.assessed_by if meta else None,
        "session_id": data.session_id,
        "_deadline": parse_time(a.review_deadline),
    }


def _joined(values: Iterable[Any]) -> str | None:
    text = ", ".join(str(v) for v in values)
    return text or None


def log_row(entry: LogEntry) -> Row:
    event = entry.event
    kind = event.event_type if event is not None else (entry.code or entry.kind)
    alternatives = None
    if event is not None and event.alternatives:
        alternatives = _joined(f"{k}={v}" for k, v in event.alternatives.items())
    return {
        "time": entry.timestamp,
        "severity": entry.severity,
        "kind": kind,
        "title": entry.title,
        "description": event.description if event is not None else _details_text(entry.details),
        "services": _joined(event.affected_services) if event is not None else None,
        "actions": _joined(event.actions_required) if event is not None else None,
        "scheduled": event.scheduled_time if event is not None else None,
        "duration": event.estimated_duration if event is not None else None,
        "alternatives": alternatives,
        "session_id": event.session_id if event is not None else None,
        "seq": entry.seq,
    }


def _details_text(details: Mapping[str, Any]) -> str | None:
    return _joined(f"{k}: {v}" for k, v in list(details.items())[:20])


def session_row(entity: Entity, counts: SessionCounts | None) -> Row:
    data = entity.data
    timeline = data.timeline
    counts = counts or SessionCounts()
    return {
        "title": data.title or data.session_id,
        "session_id": data.session_id,
        "phase": data.current_phase,
        "progress": data.overall_progress,
        "eta": timeline.estimated_completion if timeline else None,
        "remaining": timeline.time_remaining if timeline else None,
        "agents_busy": counts.agents_busy,
        "agents_total": counts.agents_total,
        "experiments_done": counts.experiments_done,
        "experiments_failed": counts.experiments_failed,
        "_eta": parse_time(timeline.estimated_completion) if timeline else None,
    }


def export_value(value: Any) -> Any:
    """A JSON-able version of a row value."""
    if isinstance(value, set | frozenset):
        return sorted(str(v) for v in value)
    if isinstance(value, datetime):
        return value.isoformat()
    return value
