"""pydantic v2 models for every message in the WebSocket integration guide.

Lenient where the real world is messy: unknown fields are kept (``extra="allow"``)
and enum-like fields are plain strings, so a value this version does not know
(a new agent status, say) survives decoding and can be shown as the raw word.
Strict where it matters: identity fields are required, numbers must be finite,
and a field of the wrong type is rejected with a precise reason.

Times stay strings on the wire; :func:`aisci_tui.protocol.times.parse_time`
turns them into datetimes where a view needs one.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field


class Model(BaseModel):
    """Base of every protocol model: keeps unknown fields, rejects NaN/Infinity."""

    model_config = ConfigDict(extra="allow", allow_inf_nan=False, populate_by_name=True)


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


# -- envelope ---------------------------------------------------------------


class Meta(Model):
    version: str | None = None
    source: str | None = None
    correlation_id: str | None = None


class Envelope(Model):
    """Every message: ``type``, ``id``, ``timestamp``, ``data`` and optional ``meta``."""

    TYPE: ClassVar[str] = ""

    type: str
    id: str | None = None
    timestamp: str | None = None
    data: Any = None
    meta: Meta | None = None


class UnknownMessage(Envelope):
    """A well-formed envelope whose ``type`` this version does not know."""

    data: Any = None


# -- auth -------------------------------------------------------------------


class AuthData(Model):
    token: str | None = None
    api_key: str | None = None

    def __repr__(self) -> str:  # never show credentials, even in a debugger
        return "AuthData(<redacted>)"

    __str__ = __repr__


class Auth(Envelope):
    TYPE: ClassVar[str] = "auth"
    type: Literal["auth"] = "auth"
    data: AuthData


class AuthErrorDetail(Model):
    code: str
    message: str = ""


class AuthResponseData(Model):
    status: str
    session_id: str | None = None
    user_id: str | None = None
    permissions: list[str] | None = None
    expires_at: str | None = None
    error: AuthErrorDetail | None = None


class AuthResponse(Envelope):
    TYPE: ClassVar[str] = "auth_response"
    type: Literal["auth_response"] = "auth_response"
    data: AuthResponseData


class TokenRefreshData(Model):
    expires_at: str | None = None
    expires_in: float | None = None
    reason: str | None = None


class TokenRefreshRequired(Envelope):
    TYPE: ClassVar[str] = "token_refresh_required"
    type: Literal["token_refresh_required"] = "token_refresh_required"
    data: TokenRefreshData = Field(default_factory=TokenRefreshData)


# -- subscriptions ------------------------------------------------------------


class DateRange(Model):
    start: str | None = None
    end: str | None = None


class Filters(Model):
    session_id: str | None = None
    agent_ids: list[str] | None = None
    severity: list[str] | None = None
    status: list[str] | None = None
    date_range: DateRange | None = None
    custom_filters: dict[str, Any] | None = None


class SubscribeOptions(Model):
    include_history: bool | None = Field(
        None, validation_alias=AliasChoices("include_history", "includeHistory")
    )
    batch_size: int | None = Field(None, ge=1, validation_alias=AliasChoices("batch_size", "batchSize"))
    throttle_ms: int | None = Field(None, ge=0, validation_alias=AliasChoices("throttle_ms", "throttleMs"))
    batch_events: bool | None = Field(
        None, validation_alias=AliasChoices("batch_events", "batchEvents")
    )
    batch_interval_ms: int | None = Field(
        None, ge=0, validation_alias=AliasChoices("batch_interval_ms", "batchIntervalMs")
    )


class SubscribeData(Model):
    events: list[str]
    filters: Filters | None = None
    options: SubscribeOptions | None = None
    require_ack: bool | None = None


class Subscribe(Envelope):
    TYPE: ClassVar[str] = "subscribe"
    type: Literal["subscribe"] = "subscribe"
    data: SubscribeData


class SubscriptionResponseData(Model):
    status: str
    subscription_id: str | None = None
    subscribed_events: list[str] | None = None
    active_filters: dict[str, Any] | None = None
    estimated_events_per_minute: float | None = None
    retention_hours: float | None = None


class SubscriptionResponse(Envelope):
    TYPE: ClassVar[str] = "subscription_response"
    type: Literal["subscription_response"] = "subscription_response"
    data: SubscriptionResponseData


class UnsubscribeData(Model):
    subscription_id: str | None = None
    events: list[str] | None = None
    all: bool | None = None


class Unsubscribe(Envelope):
    TYPE: ClassVar[str] = "unsubscribe"
    type: Literal["unsubscribe"] = "unsubscribe"
    data: UnsubscribeData


class AckData(Model):
    original_id: str
    status: str | None = None


class Ack(Envelope):
    TYPE: ClassVar[str] = "ack"
    type: Literal["ack"] = "ack"
    data: AckData


class Ping(Envelope):
    TYPE: ClassVar[str] = "ping"
    type: Literal["ping"] = "ping"
    data: dict[str, Any] | None = None


class Pong(Envelope):
    TYPE: ClassVar[str] = "pong"
    type: Literal["pong"] = "pong"
    data: dict[str, Any] | None = None


class ErrorData(Model):
    code: str
    message: str = ""
    details: dict[str, Any] | None = None
    retry_after: float | None = Field(None, ge=0)
    correlation_id: str | None = None


class Error(Envelope):
    TYPE: ClassVar[str] = "error"
    type: Literal["error"] = "error"
    data: ErrorData


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
    TYPE: ClassVar[str] = "agent_status"
    type: Literal["agent_status"] = "agent_status"
    data: AgentStatusData


class ResearchProgress(Event):
    TYPE: ClassVar[str] = "research_progress"
    type: Literal["research_progress"] = "research_progress"
    data: ResearchProgressData


class ExperimentResults(Event):
    TYPE: ClassVar[str] = "experiment_results"
    type: Literal["experiment_results"] = "experiment_results"
    data: ExperimentResultsData


class EthicalAssessment(Event):
    TYPE: ClassVar[str] = "ethical_assessment"
    type: Literal["ethical_assessment"] = "ethical_assessment"
    data: EthicalAssessmentData


class SystemEvent(Event):
    TYPE: ClassVar[str] = "system_event"
    type: Literal["system_event"] = "system_event"
    data: SystemEventData


# -- batches (not defined by the guide; see README "Protocol notes") -----------


class BatchData(Model):
    subscription_id: str | None = None
    events: list[Any]


class Batch(Envelope):
    """Several events in one frame: ``{"type": "batch", "data": {"events": [envelope, ...]}}``."""

    TYPE: ClassVar[str] = "batch"
    type: Literal["batch"] = "batch"
    data: BatchData


#: Every server event; the entity events among them are in :mod:`aisci_tui.protocol.kinds`.
EVENT_MODELS: dict[str, type[Event]] = {
    m.TYPE: m for m in (AgentStatus, ResearchProgress, ExperimentResults, EthicalAssessment, SystemEvent)
}
EVENT_TYPES: tuple[str, ...] = tuple(EVENT_MODELS)

MESSAGE_MODELS: dict[str, type[Envelope]] = {
    m.TYPE: m
    for m in (
        Auth,
        AuthResponse,
        TokenRefreshRequired,
        Subscribe,
        SubscriptionResponse,
        Unsubscribe,
        Ack,
        Ping,
        Pong,
        Error,
        Batch,
    )
} | EVENT_MODELS


def session_of(event: Envelope) -> str | None:
    """The research session an event belongs to, if it names one."""
    data = event.data
    return getattr(data, "session_id", None)
