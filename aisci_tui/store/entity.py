"""One agent / session / experiment / assessment in the store, validated on read."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aisci_tui.protocol.fast import RawEvent
from aisci_tui.protocol.models import Event


class Entity:
    """The latest valid data for one agent / session / experiment / assessment.

    An update that arrived as a :class:`RawEvent` (only its routing fields read) waits
    in ``pending`` until ``data``, ``event_id``, ``timestamp``, ``arrived`` or
    ``updates`` is read, or the store settles; then it is validated in full. A
    valid update becomes the entity's state; an invalid one is dropped (and
    counted by the store), and the entity keeps its last valid state.
    """

    __slots__ = ("key", "_data", "_event_id", "_timestamp", "_arrived", "_updates", "pending", "pending_at",
                 "_settle")

    def __init__(self, key: str, data: Any, event_id: str | None, timestamp: str | None, arrived: float,
                 updates: int = 1) -> None:
        self.key = key
        self._data = data
        self._event_id = event_id
        self._timestamp = timestamp
        self._arrived = arrived
        self._updates = updates
        #: The newest update, not validated yet, and when it arrived.
        self.pending: RawEvent | None = None
        self.pending_at = 0.0
        self._settle: Callable[[Entity], None] | None = None

    def __repr__(self) -> str:
        return f"Entity({self.key!r}, event_id={self.event_id!r}, updates={self.updates})"

    def commit(self, event: Event, arrived: float) -> None:
        """Make a validated event the entity's state."""
        self._data = event.data
        self._event_id = event.id
        self._timestamp = event.timestamp
        self._arrived = arrived
        self._updates += 1

    def _resolve(self) -> None:
        if self.pending is not None and self._settle is not None:
            self._settle(self)

    @property
    def valid(self) -> bool:
        """True when the entity has validated data (an unvalidated update may be waiting)."""
        return self._event_id is not None

    @property
    def data(self) -> Any:
        if self.pending is not None:
            self._resolve()
        return self._data

    @property
    def event_id(self) -> str | None:
        if self.pending is not None:
            self._resolve()
        return self._event_id

    @property
    def timestamp(self) -> str | None:
        if self.pending is not None:
            self._resolve()
        return self._timestamp

    @property
    def arrived(self) -> float:
        if self.pending is not None:
            self._resolve()
        return self._arrived

    @property
    def updates(self) -> int:
        if self.pending is not None:
            self._resolve()
        return self._updates
