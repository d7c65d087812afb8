"""The store's plain records: its limits, counters, connection state, log lines and changes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aisci_tui.protocol.kinds import BY_TABLE, TABLES
from aisci_tui.protocol.models import SystemEventData
from aisci_tui.sources.base import ConnectionState


def _cap(default: int, minimum: int) -> Any:
    return field(default=default, metadata={"minimum": minimum})


def _table_cap(table: str) -> Any:
    return _cap(BY_TABLE[table].limit, 1)


@dataclass(frozen=True, slots=True)
class StoreLimits:
    """History caps: one per store table (its default from the registry of entity kinds, in its
    order), then the others. Oldest entries go first when a cap is reached. The settings'
    ``[history]`` section is derived from these fields, with each field's ``minimum`` as the
    smallest value it accepts. (tests/protocol/test_kinds.py checks the tables are the registry's.)"""

    agents: int = _table_cap("agents")
    sessions: int = _table_cap("sessions")
    experiments: int = _table_cap("experiments")
    assessments: int = _table_cap("assessments")
    log: int = _cap(2_000, 10)
    #: Per entity, the changes of its tracked field (agents: their status).
    agent_history: int = _cap(60, 1)
    #: Event ids remembered to drop repeats (a resumed connection resends recent history).
    dedupe: int = _cap(200_000, 1_000)


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


def _table_sets() -> dict[str, set[str]]:
    return {table: set() for table in TABLES}


@dataclass(slots=True)
class Changes:
    """What changed since the previous :meth:`Store.take_changes`.

    ``tables[t]`` holds the keys changed in table ``t``, also readable as ``changes.<t>``
    (``changes.agents``); ``removed`` the (table, key) pairs evicted."""

    tables: dict[str, set[str]] = field(default_factory=_table_sets)
    removed: set[tuple[str, str]] = field(default_factory=set)
    log: list[LogEntry] = field(default_factory=list)
    connection: bool = False

    def __getattr__(self, name: str) -> set[str]:
        if name != "tables":  # (unset only while being built or copied)
            try:
                return self.tables[name]
            except KeyError:
                pass
        raise AttributeError(name)

    def __bool__(self) -> bool:
        return bool(any(self.tables.values()) or self.removed or self.log or self.connection)


@dataclass(slots=True)
class Counters:
    """What the store did with what it was given (the status line and the summary read these)."""

    #: Events given to :meth:`Store.apply`.
    received: int = 0
    #: Validated updates that became an entity's state, and system events logged.
    applied: int = 0
    #: Events whose id was seen before (when the source does not drop repeats itself).
    duplicates: int = 0
    #: Updates older than the entity's newest.
    stale: int = 0
    #: Events of another session than the one watched.
    filtered: int = 0
    #: Frames or updates that failed validation (each logged with its reason).
    invalid: int = 0
    #: Errors the server reported.
    errors: int = 0
    #: Messages of a type this version does not know.
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
    #: Times the state became OPEN (from another state): a reader that looks now and then can tell
    #: it opened, or dropped and opened again, between two looks.
    opens: int = 0
    fatal: str | None = None
    warnings: list[str] = field(default_factory=list)
    #: With several servers: (label, state, attempt, retry_in) of each, as the source last said.
    endpoints: list[tuple[str, ConnectionState, int, float | None]] | None = None

    def endpoint_of(self, key: str | None) -> tuple[str, ConnectionState] | None:
        """With several servers, the label and state of the one ``key``'s ``LABEL/`` prefix names."""
        if self.endpoints and key is not None:
            for label, state, *_ in self.endpoints:
                if key.startswith(label + "/"):
                    return label, state
        return None

    def is_live(self, key: str | None = None) -> bool:
        """Whether what ``key`` names is live: with several servers, whether the one its ``LABEL/``
        prefix names is open; otherwise (or for a key of no server) whether the connection is."""
        endpoint = self.endpoint_of(key)
        if endpoint is not None:
            return endpoint[1] == ConnectionState.OPEN
        return self.state == ConnectionState.OPEN
