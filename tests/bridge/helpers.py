"""Small helpers shared by the bridge tests."""

from __future__ import annotations

from tests.bridge.runwriter import BASE_TIME


class Clock:
    """A settable clock for time-based states (busy/idle, stalled)."""

    def __init__(self, now: float = BASE_TIME + 10_000) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def by_type(events, kind):
    return [e for e in events if e.type == kind]


def one(events, kind):
    found = by_type(events, kind)
    assert len(found) == 1, f"expected one {kind}, got {len(found)}"
    return found[0]
