"""Control messages: authentication, subscriptions, acknowledgements, ping, errors and batches."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import AliasChoices, Field

from aisci_tui.protocol.envelope import Envelope, Model

# -- auth -------------------------------------------------------------------


class AuthData(Model):
    token: str | None = None
    api_key: str | None = None

    def __repr__(self) -> str:  # never show credentials, even in a debugger
        return "AuthData(<redacted>)"

    __str__ = __repr__


class Auth(Envelope):
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
    type: Literal["auth_response"] = "auth_response"
    data: AuthResponseData


class TokenRefreshData(Model):
    expires_at: str | None = None
    expires_in: float | None = None
    reason: str | None = None


class TokenRefreshRequired(Envelope):
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
        default=None, validation_alias=AliasChoices("include_history", "includeHistory")
    )
    batch_size: int | None = Field(default=None, ge=1, validation_alias=AliasChoices("batch_size", "batchSize"))
    throttle_ms: int | None = Field(default=None, ge=0, validation_alias=AliasChoices("throttle_ms", "throttleMs"))
    batch_events: bool | None = Field(default=None, validation_alias=AliasChoices("batch_events", "batchEvents"))
    batch_interval_ms: int | None = Field(
        default=None, ge=0, validation_alias=AliasChoices("batch_interval_ms", "batchIntervalMs")
    )


class SubscribeData(Model):
    events: list[str]
    filters: Filters | None = None
    options: SubscribeOptions | None = None
    require_ack: bool | None = None


class Subscribe(Envelope):
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
    type: Literal["subscription_response"] = "subscription_response"
    data: SubscriptionResponseData


class UnsubscribeData(Model):
    subscription_id: str | None = None
    events: list[str] | None = None
    all: bool | None = None


class Unsubscribe(Envelope):
    type: Literal["unsubscribe"] = "unsubscribe"
    data: UnsubscribeData


class AckData(Model):
    original_id: str
    status: str | None = None


class Ack(Envelope):
    type: Literal["ack"] = "ack"
    data: AckData


class Ping(Envelope):
    type: Literal["ping"] = "ping"
    data: dict[str, Any] | None = None


class Pong(Envelope):
    type: Literal["pong"] = "pong"
    data: dict[str, Any] | None = None


class ErrorData(Model):
    code: str
    message: str = ""
    details: dict[str, Any] | None = None
    retry_after: float | None = Field(default=None, ge=0)
    correlation_id: str | None = None


class Error(Envelope):
    type: Literal["error"] = "error"
    data: ErrorData


# -- batches (not defined by the guide; see README "Protocol notes") -----------


class BatchData(Model):
    subscription_id: str | None = None
    events: list[Any]


class Batch(Envelope):
    """Several events in one frame: ``{"type": "batch", "data": {"events": [envelope, ...]}}``."""

    type: Literal["batch"] = "batch"
    data: BatchData


#: Every server event; the entity events among them are in :mod:`aisci_tui.protocol.kinds`.
