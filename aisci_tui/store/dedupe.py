"""A bounded set of message ids: remembers the newest ``capacity`` ids."""

from __future__ import annotations

from collections import deque


class SeenIds:
    """Insertion-ordered set with a size cap; the oldest id is forgotten first."""

    __slots__ = ("capacity", "_order", "_ids")

    def __init__(self, capacity: int = 100_000) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self.capacity = capacity
        self._order: deque[str] = deque()
        self._ids: set[str] = set()

    def add(self, msg_id: str) -> bool:
        """Remember ``msg_id``; False if it was already remembered."""
        if msg_id in self._ids:
            return False
        self._ids.add(msg_id)
        self._order.append(msg_id)
        if len(self._order) > self.capacity:
            self._ids.discard(self._order.popleft())
        return True

    def __contains__(self, msg_id: object) -> bool:
        return msg_id in self._ids

    def __len__(self) -> int:
        return len(self._ids)
