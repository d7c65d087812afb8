"""Store entities as table rows: one function per table, and values as exports write them.

Plain Python (no Textual, no Rich); see :mod:`aisci_tui.store.query` for what a row is.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from aisci_tui.protocol.times import parse_time
from aisci_tui.store.entity import Entity
from aisci_tui.store.query import Row, SessionCounts, agent_name
from aisci_tui.store.records import LogEntry
from aisci_tui.store.state import Store

#: Ethical-issue severities, least to most severe.
ISSUE_RANK = {"low": 0, "medium": 1, "high": 2}
#: Heartbeats older than this many seconds are stale.
STALE_AFTER = 30.0
#: Reported and computed ethics totals further apart than this are flagged.
TOTAL_TOLERANCE = 0.01


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
        "_since": -beat.timestamp() if beat else None,  # sorts as the age does, without changing with time
    }


def renew(row: Row, field: str, value: Any) -> bool:
    """Set ``row[field]`` to ``value``; True if that changed it."""
    changed = row.get(field) != value
    row[field] = value
    return changed


def refresh_heartbeat(row: Row, now: datetime) -> bool:
    """Update a row's heartbeat age for a new ``now``; True if it changed."""
    age = heartbeat_age(row.get("_beat"), now)
    if not renew(row, "heartbeat", age):
        return False
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
    mismatch = total is not None and _is_number(a.overall_score) and abs(total - a.overall_score) > TOTAL_TOLERANCE
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
