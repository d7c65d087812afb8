"""One agent / session / experiment / assessment in the store."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aisci_tui.protocol.fast import RawEvent
from aisci_tui.protocol.models import Event


@dataclass(slots=True, eq=False, repr=False)
class Entity:
    """The latest valid data for one agent / session / experiment / assessment.

    An update that arrived as a :class:`RawEvent` (only its routing fields read) waits
    in ``pending`` until the store's table is next read (or the store settles); then it
    is validated in full. A valid update becomes the entity's state; an invalid one is
    dropped (and counted by the store), and the entity keeps its last valid state. So an
    entity taken from a table holds validated data only; validation is lazy once, in the
    store, not again on each attribute.
    """

    key: str
    data: Any
    event_id: str | None
    timestamp: str | None
    arrived: float
    updates: int = 1
    #: The newest update, not validated yet, and when it arrived.
    pending: RawEvent | None = None
    pending_at: float = 0.0

    def __repr__(self) -> str:
        return f"Entity({self.key!r}, event_id={self.event_id!r}, updates={self.updates})"

    def commit(self, event: Event, arrived: float) -> None:
        """Make a validated event the entity's state."""
        self.data = event.data
        self.event_id = event.id
        self.timestamp = event.timestamp
        self.arrived = arrived
        self.updates += 1

    @property
    def valid(self) -> bool:
        """True when the entity has validated data (an unvalidated update may be waiting)."""
        return self.event_id is not None
