"""Server-side subscription filters.

Each published event is reduced once to :class:`Facts` (the few values filters
look at); a :class:`Matcher` built from a subscription's ``filters`` then decides
in a handful of set lookups. A filter only applies to event types that carry
the value it names:

- ``session_id``: ``data.session_id``; events without one (most system events)
  reach everyone.
- ``agent_ids``: ``agent_status.agent_id``, ``experiment_results.execution.agent_id``,
  and ``ethical_assessment.resource_id`` when the resource is an agent.
  Session-wide events (research progress, system events) always pass.
- ``severity``: ``system_event.severity``; for ``ethical_assessment`` any
  identified issue's severity.
- ``status``: agent, experiment and assessment status.
- ``date_range``: the event timestamp, ``start`` and ``end`` inclusive.
- ``custom_filters.confidence_threshold``: assessment confidence at least this;
  ``custom_filters.include_visualizations: false`` strips experiment plots.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aisci_tui.protocol.models import Event, Filters
from aisci_tui.protocol.times import parse_time


@dataclass(frozen=True, slots=True)
class Facts:
    type: str
    session_id: str | None
    agent_ids: frozenset[str] | None  # None: not about particular agents
    severities: frozenset[str] | None
    status: str | None
    timestamp: datetime | None
    confidence: float | None


def facts_of(event: Event) -> Facts:
    data = event.data
    kind = event.type
    agents: frozenset[str] | None = None
    severities: frozenset[str] | None = None
    status: str | None = None
    confidence: float | None = None
    if kind == "agent_status":
        agents = frozenset({data.agent_id})
        status = data.status
    elif kind == "experiment_results":
        status = data.status
        agent = data.execution.agent_id if data.execution else None
        agents = frozenset({agent}) if agent else frozenset()
    elif kind == "ethical_assessment":
        status = data.assessment.status
        confidence = data.assessment.confidence
        severities = frozenset(i.severity for i in data.assessment.identified_issues if i.severity)
        if data.resource_type == "agent":
            agents = frozenset({data.resource_id})
    elif kind == "system_event":
        severities = frozenset({data.severity})
    return Facts(
        type=kind,
        session_id=getattr(data, "session_id", None),
        agent_ids=agents,
        severities=severities,
        status=status,
        timestamp=parse_time(event.timestamp),
        confidence=confidence,
    )


class FilterError(ValueError):
    """A filter value that cannot be applied; ``field`` names it."""

    def __init__(self, field: str, reason: str):
        super().__init__(f"{field}: {reason}")
        self.field = field


class Matcher:
    """Decides whether an event's :class:`Facts` pass a subscription's filters."""

    def __init__(self, filters: Filters | None):
        f = filters or Filters()
        self.session_id = f.session_id
        self.agent_ids = frozenset(f.agent_ids) if f.agent_ids is not None else None
        self.severity = frozenset(f.severity) if f.severity is not None else None
        self.status = frozenset(f.status) if f.status is not None else None
        self.start = self.end = None
        if f.date_range is not None:
            self.start = self._time("date_range.start", f.date_range.start)
            self.end = self._time("date_range.end", f.date_range.end)
            if self.start and self.end and self.start > self.end:
                raise FilterError("date_range", "start is after end")
        custom = f.custom_filters or {}
        threshold = custom.get("confidence_threshold")
        if threshold is not None and (
            isinstance(threshold, bool) or not isinstance(threshold, int | float) or not math.isfinite(threshold)
        ):
            raise FilterError("custom_filters.confidence_threshold", "must be a number")
        self.confidence = float(threshold) if threshold is not None else None
        visual = custom.get("include_visualizations", True)
        if not isinstance(visual, bool):
            raise FilterError("custom_filters.include_visualizations", "must be true or false")
        self.strip_visualizations = not visual

    @staticmethod
    def _time(name: str, value: str | None) -> datetime | None:
        if value is None:
            return None
        parsed = parse_time(value)
        if parsed is None:
            raise FilterError(name, "is not an ISO-8601 time")
        return parsed

    def matches(self, facts: Facts) -> bool:
        if self.session_id is not None and facts.session_id is not None:
            if facts.session_id != self.session_id:
                return False
        if self.agent_ids is not None and facts.agent_ids is not None:
            if not facts.agent_ids & self.agent_ids:
                return False
        if self.severity is not None and facts.severities is not None:
            if not facts.severities & self.severity:
                return False
        if self.status is not None and facts.status is not None:
            if facts.status not in self.status:
                return False
        if self.start is not None or self.end is not None:
            ts = facts.timestamp
            if ts is None:
                return False
            if self.start is not None and ts < self.start:
                return False
            if self.end is not None and ts > self.end:
                return False
        if self.confidence is not None and facts.type == "ethical_assessment":
            if facts.confidence is None or facts.confidence < self.confidence:
                return False
        return True


def active_filters(filters: Filters | None) -> dict[str, Any]:
    """The filters as echoed back in ``subscription_response.active_filters``."""
    if filters is None:
        return {}
    return filters.model_dump(mode="json", exclude_none=True)
