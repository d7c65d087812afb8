"""pydantic v2 models for every message in the WebSocket integration guide, in one namespace.

The models live by family: the envelope and the base of every model in
:mod:`~aisci_tui.protocol.envelope`, control messages (auth, subscriptions, acks,
ping, errors, batches) in :mod:`~aisci_tui.protocol.control`, and the five server
events in :mod:`~aisci_tui.protocol.events`. This module holds all of them, and the
tables from a message type to its model.
"""

from __future__ import annotations

from aisci_tui.protocol.control import *  # noqa: F403
from aisci_tui.protocol.control import (
    Ack,
    Auth,
    AuthResponse,
    Batch,
    Error,
    Ping,
    Pong,
    Subscribe,
    SubscriptionResponse,
    TokenRefreshRequired,
    Unsubscribe,
)
from aisci_tui.protocol.envelope import *  # noqa: F403
from aisci_tui.protocol.envelope import Envelope
from aisci_tui.protocol.events import *  # noqa: F403
from aisci_tui.protocol.events import (
    AgentStatus,
    EthicalAssessment,
    Event,
    ExperimentResults,
    ResearchProgress,
    SystemEvent,
)

EVENT_MODELS: dict[str, type[Event]] = {
    m.TYPE: m for m in (AgentStatus, ResearchProgress, ExperimentResults, EthicalAssessment, SystemEvent)
}
EVENT_TYPES: tuple[str, ...] = tuple(EVENT_MODELS)

#: The control messages (everything that is not an event), by envelope type with the events.
_CONTROL_MODELS: tuple[type[Envelope], ...] = (
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
MESSAGE_MODELS: dict[str, type[Envelope]] = {m.TYPE: m for m in _CONTROL_MODELS} | EVENT_MODELS


def session_of(event: Envelope) -> str | None:
    """The research session an event belongs to, if it names one."""
    data = event.data
    return getattr(data, "session_id", None)
