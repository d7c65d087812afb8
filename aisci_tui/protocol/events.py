"""The five server events: agent status, research progress, experiment results, ethical
assessments and system events, with the values the guide names for their open enums.

Times stay strings on the wire; :func:`aisci_tui.protocol.times.parse_time`
turns them into datetimes where a view needs one.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from aisci_tui.protocol.envelope import Envelope, Model

# -- open enums: the values the guide names; other strings are still accepted ----

AGENT_STATUSES = ("busy", "idle", "error", "offline")
EXPERIMENT_STATUSES = ("completed", "failed", "partial")
ASSESSMENT_STATUSES = ("compliant", "review_required", "non_compliant")
RESOURCE_TYPES = ("experiment", "agent", "research_session")
ISSUE_SEVERITIES = ("low", "medium", "high")
ISSUE_CATEGORIES = ("bias", "privacy", "safety", "transparency")
SYSTEM_EVENT_TYPES = ("maintenance", "scale", "error", "update")
SEVERITIES = ("info", "warning", "error", "critical")
MILESTONE_STATUSES = ("completed", "in_progress", "pending")
FRAMEWORKS = (
    "utilitarian",
    "deontological",
    "virtue_ethics",
    "care_ethics",
    "justice_ethics",
    "precautionary",
)


# -- events -------------------------------------------------------------------


class CurrentTask(Model):
    id: str | None = None
    type: str | None = None
    progress: float | None = None
    started_at: str | None = None
    estimated_completion: str | None = None


class Performance(Model):
    cpu_usage: float | None = None
    memory_usage: float | None = None
    response_time: float | None = None
    success_rate: float | None = None


class Health(Model):
    last_heartbeat: str | None = None
    uptime: float | None = None
    error_count: int | None = None


class AgentStatusData(Model):
    agent_id: str
    name: str | None = None
    status: str
    #: Not in the guide's example; servers that know it let clients filter agents by session.
    session_id: str | None = None
    current_task: CurrentTask | None = None
    performance: Performance | None = None
    health: Health | None = None


class Activity(Model):
    agent_id: str | None = None
    activity: str | None = None
    progress: float | None = None
    status: str | None = None


class Milestone(Model):
    name: str
    status: str | None = None
    completed_at: str | None = None
    progress: float | None = None


class Timeline(Model):
    started_at: str | None = None
    estimated_completion: str | None = None
    time_elapsed: float | None = None
    time_remaining: float | None = None


class ResearchProgressData(Model):
    session_id: str
    title: str | None = None
    overall_progress: float | None = None
    current_phase: str | None = None
    phase_progress: float | None = None
    activities: list[Activity] = Field(default_factory=list)
    milestones: list[Milestone] = Field(default_factory=list)
    timeline: Timeline | None = None


class ExperimentMetrics(Model):
    """Known metrics are typed; any other metric name is kept as an extra field."""

    accuracy: float | None = None
    confidence_interval: list[float] | None = None
    sample_size: float | None = None
    effect_size: float | None = None


class Visualization(Model):
    type: str | None = None
    title: str | None = None
    url: str | None = None
    description: str | None = None


class DataMetadata(Model):
    columns: list[str] | None = None
    rows: int | None = None
    file_size: str | None = None


class ExperimentData(Model):
    raw_data_url: str | None = None
    processed_data_url: str | None = None
    metadata: DataMetadata | None = None


class ExperimentResultsBody(Model):
    summary: str | None = None
    key_findings: list[str] = Field(default_factory=list)
    metrics: ExperimentMetrics | None = None
    visualizations: list[Visualization] = Field(default_factory=list)
    data: ExperimentData | None = None


class ComputingResources(Model):
    cpu_time: float | None = None
    memory_peak: str | None = None
    gpu_usage: str | None = None


class Execution(Model):
    duration: float | None = None
    started_at: str | None = None
    completed_at: str | None = None
    agent_id: str | None = None
    computing_resources: ComputingResources | None = None


class QualityMetrics(Model):
    data_quality_score: float | None = None
    methodology_score: float | None = None
    reproducibility_score: float | None = None


class ExperimentResultsData(Model):
    experiment_id: str
    session_id: str | None = None
    title: str | None = None
    status: str
    results: ExperimentResultsBody | None = None
    execution: Execution | None = None
    quality_metrics: QualityMetrics | None = None


class FrameworkScore(Model):
    score: float | None = None
    weight: float | None = None
    assessment: str | None = None


class IdentifiedIssue(Model):
    severity: str | None = None
    category: str | None = None
    description: str | None = None
    recommendation: str | None = None
    auto_fixable: bool | None = None


class Assessment(Model):
    overall_score: float | None = None
    status: str | None = None
    confidence: float | None = None
    frameworks: dict[str, FrameworkScore] = Field(default_factory=dict)
    identified_issues: list[IdentifiedIssue] = Field(default_factory=list)
    recommendations: list[str] = Field(default_factory=list)
    human_review_required: bool | None = None
    auto_approved: bool | None = None
    review_deadline: str | None = None


class AssessmentMetadata(Model):
    assessed_by: str | None = None
    assessment_version: str | None = None
    assessment_duration: float | None = None
    assessed_at: str | None = None


class EthicalAssessmentData(Model):
    resource_id: str
    resource_type: str | None = None
    #: Not in the guide's example; lets clients filter assessments by session.
    session_id: str | None = None
    assessment: Assessment
    metadata: AssessmentMetadata | None = None


class SystemEventData(Model):
    event_type: str
    severity: str
    title: str | None = None
    description: str | None = None
    #: Not in the guide's example; set when an event concerns one session only.
    session_id: str | None = None
    affected_services: list[str] = Field(default_factory=list)
    scheduled_time: str | None = None
    estimated_duration: float | None = None
    actions_required: list[str] = Field(default_factory=list)
    alternatives: dict[str, Any] | None = None


class Event(Envelope):
    """Base of the five server events. Events always carry an ``id``."""

    id: str


class AgentStatus(Event):
    type: Literal["agent_status"] = "agent_status"
    data: AgentStatusData


class ResearchProgress(Event):
    type: Literal["research_progress"] = "research_progress"
    data: ResearchProgressData


class ExperimentResults(Event):
    type: Literal["experiment_results"] = "experiment_results"
    data: ExperimentResultsData


class EthicalAssessment(Event):
    type: Literal["ethical_assessment"] = "ethical_assessment"
    data: EthicalAssessmentData


class SystemEvent(Event):
    type: Literal["system_event"] = "system_event"
    data: SystemEventData
