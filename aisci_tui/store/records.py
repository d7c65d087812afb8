"""The store's plain records: its limits, counters, connection state, log lines and changes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aisci_tui.protocol.models import SystemEventData
from aisci_tui.sources.base import ConnectionState


@dataclass(frozen=True, slots=True)
class StoreLimits:
    """History caps. Oldest entries go first when a cap is reached."""

    agents: int = 5_000
    sessions: int = 500
    experiments: int = 5_000
    assessments: int = 5_000
    log: int = 2_000
    agent_history: int = 60
    dedupe: int = 200_000


@dataclass(slots=True)
class LogEntry:
    """One line of the event log: a system event, a protocol error or an invalid frame."""

    seq: int
    arrived: float
    kind: str  # "system_event" | "error" | "invalid" | "info" | "unknown"
    severity: str
    title: str
    timestamp: str | None = None
    event: SystemEventData | None = None
    code: str | None = None
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Changes:
    """What changed since the previous :meth:`Store.take_changes`."""

    agents: set[str] = field(default_factory=set)
    sessions: set[str] = field(default_factory=set)
    experiments: set[str] = field(default_factory=set)
    assessments: set[str] = field(default_factory=set)
    removed: set[tuple[str, str]] = field(default_factory=set)
    log: list[LogEntry] = field(default_factory=list)
    connection: bool = False

    def __bool__(self) -> bool:
        return bool(
            self.agents or self.sessions or self.experiments or self.assessments
            or self.removed or self.log or self.connection
        )


@dataclass(slots=True)
class Counters:
    received: int = 0
    applied: int = 0
    duplicates: int = 0
    stale: int = 0
    filtered: int = 0
    invalid: int = 0
    errors: int = 0
    unknown: int = 0
    #: Updates replaced by a newer one of the same entity before anyone read them: never shown,
    #: so never validated, and counted neither as applied nor as invalid.
    superseded: int = 0
    by_type: dict[str, int] = field(default_factory=dict)


@dataclass(slots=True)
class Connection:
    state: ConnectionState = ConnectionState.CLOSED
    attempt: int = 0
    retry_in: float | None = None
    retry_at: float | None = None
    last_event_at: float | None = None
    fatal: str | None = None
    warnings: list[str] = field(default_factory=list)


KINDS = ("agents", "sessions", "experiments", "assessments")
