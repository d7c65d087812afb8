"""The registry of entity kinds: the one place that says what an entity event is.

An entity event updates one thing the dashboard keeps (an agent, a research
session, an experiment, an assessed resource); a newer update of the same thing
replaces the older. Each :class:`EntityKind` names the event type, its model,
the field of ``data`` that names the thing, the store table it is kept in, how
many of them the store keeps by default, and the field that links it to a
research session. Everything that needs any of this reads it from here: the
routing decoder (:mod:`aisci_tui.protocol.fast`), the store's tables, limits
and change sets, the server's coalescing of throttled updates, and the run
folder feed.

System events are events but not entities: each one is news of its own, kept
in the store's log, never replaced.
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass
from typing import Any

from aisci_tui.protocol.models import AgentStatus, EthicalAssessment, Event, ExperimentResults, ResearchProgress


@dataclass(frozen=True, slots=True)
class EntityKind:
    #: The envelope ``type`` on the wire.
    type: str
    #: The pydantic model of the whole event.
    model: builtins.type[Event]  # (``type`` alone is the field above)
    #: The field of ``data`` that names the entity (its key in the store table).
    key: str
    #: The store's table: ``Store.<table>``, ``Changes.<table>``, ``StoreLimits.<table>``, ``[history] <table>``.
    table: str
    #: How many entities of this kind the store keeps by default (the oldest go first).
    limit: int
    #: The field of ``data`` naming the research session the entity belongs to.
    session: str = "session_id"
    #: A field of ``data`` whose changes the store keeps per entity (bounded by ``agent_history``).
    tracked: str | None = None

    def key_of(self, data: Any) -> Any:
        """The entity key of an event's validated ``data``."""
        return getattr(data, self.key)


ENTITY_KINDS: tuple[EntityKind, ...] = (
    EntityKind("agent_status", AgentStatus, "agent_id", "agents", 5_000, tracked="status"),
    EntityKind("research_progress", ResearchProgress, "session_id", "sessions", 500),
    EntityKind("experiment_results", ExperimentResults, "experiment_id", "experiments", 5_000),
    EntityKind("ethical_assessment", EthicalAssessment, "resource_id", "assessments", 5_000),
)

#: Entity kinds by event type, and by store table.
BY_TYPE: dict[str, EntityKind] = {k.type: k for k in ENTITY_KINDS}
BY_TABLE: dict[str, EntityKind] = {k.table: k for k in ENTITY_KINDS}
#: The store's tables, in registry order.
TABLES: tuple[str, ...] = tuple(BY_TABLE)
