"""msgspec Structs mirroring the five event models, for timing only (msgspec is optional)."""

from typing import Any, Union

import msgspec
from msgspec import Struct


class CurrentTask(Struct):
    id: str | None = None
    type: str | None = None
    progress: float | None = None
    started_at: str | None = None
    estimated_completion: str | None = None


class AgentData(Struct):
    agent_id: str
    status: str
    name: str | None = None
    session_id: str | None = None
    current_task: CurrentTask | None = None
    performance: dict[str, float | None] | None = None
    health: dict[str, Any] | None = None


class Activity(Struct):
    agent_id: str | None = None
    activity: str | None = None
    progress: float | None = None
    status: str | None = None


class Milestone(Struct):
    name: str
    status: str | None = None
    completed_at: str | None = None
    progress: float | None = None


class ProgressData(Struct):
    session_id: str
    title: str | None = None
    overall_progress: float | None = None
    current_phase: str | None = None
    phase_progress: float | None = None
    activities: list[Activity] = []
    milestones: list[Milestone] = []
    timeline: dict[str, Any] | None = None


class Results(Struct):
    summary: str | None = None
    key_findings: list[str] = []
    metrics: dict[str, Any] | None = None
    visualizations: list[dict[str, str | None]] = []
    data: dict[str, Any] | None = None


class ExperimentData(Struct):
    experiment_id: str
    status: str
    session_id: str | None = None
    title: str | None = None
    results: Results | None = None
    execution: dict[str, Any] | None = None
    quality_metrics: dict[str, float | None] | None = None


class Framework(Struct):
    score: float | None = None
    weight: float | None = None
    assessment: str | None = None


class Issue(Struct):
    severity: str | None = None
    category: str | None = None
    description: str | None = None
    recommendation: str | None = None
    auto_fixable: bool | None = None


class Assessment(Struct):
    overall_score: float | None = None
    status: str | None = None
    confidence: float | None = None
    frameworks: dict[str, Framework] = {}
    identified_issues: list[Issue] = []
    recommendations: list[str] = []
    human_review_required: bool | None = None
    auto_approved: bool | None = None
    review_deadline: str | None = None


class EthicsData(Struct):
    resource_id: str
    assessment: Assessment
    resource_type: str | None = None
    session_id: str | None = None
    metadata: dict[str, Any] | None = None


class SystemData(Struct):
    event_type: str
    severity: str
    title: str | None = None
    description: str | None = None
    session_id: str | None = None
    affected_services: list[str] = []
    scheduled_time: str | None = None
    estimated_duration: float | None = None
    actions_required: list[str] = []
    alternatives: dict[str, Any] | None = None


def _event(tag: str, data: type) -> type:
    return msgspec.defstruct(
        tag,
        [("id", str), ("data", data), ("timestamp", str | None, None), ("meta", dict | None, None)],
        tag=tag,
        tag_field="type",
    )


def decoder():
    """A decoder of any of the five events from JSON bytes or text."""
    events = (
        _event("agent_status", AgentData),
        _event("research_progress", ProgressData),
        _event("experiment_results", ExperimentData),
        _event("ethical_assessment", EthicsData),
        _event("system_event", SystemData),
    )
    return msgspec.json.Decoder(Union[events]).decode  # noqa: UP007  (a union built from a tuple)
