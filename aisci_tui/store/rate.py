"""Events per second over a sliding window, in constant memory, and which events are live."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from aisci_tui.protocol.times import parse_time


class RateMeter:
    """Counts hits in one-second buckets over the last ``window`` seconds."""

    __slots__ = ("window", "clock", "_buckets", "_latest")

    def __init__(self, window: int = 5, clock: Callable[[], float] = time.monotonic) -> None:
        self.window = window
        self.clock = clock
        self._buckets = [0] * window
        self._latest = int(clock())

    def _advance(self, second: int) -> None:
        gap = second - self._latest
        if gap <= 0:
            return
        for step in range(1, min(gap, self.window) + 1):
            self._buckets[(self._latest + step) % self.window] = 0
        self._latest = second

    def hit(self, now: float | None = None) -> None:
        second = int(self.clock() if now is None else now)
        self._advance(second)
        if second > self._latest - self.window:
            self._buckets[second % self.window] += 1

    def per_second(self, now: float | None = None) -> float:
        """Average rate over the completed seconds of the window."""
        second = int(self.clock() if now is None else now)
        self._advance(second)
        done = sum(self._buckets) - self._buckets[second % self.window]
        return done / max(1, self.window - 1)


#: How far a server's clock may run behind ours before its live events look like history.
SKEW_TOLERANCE = 2.0
#: The longest a history replay is taken to last after the connection opens.
REPLAY_AT_MOST = 10.0


def _utc_now() -> datetime:
    return datetime.now(UTC)


class Liveness:
    """Whether an event is live or part of the history a server replays on subscribe.

    The connection's opening (the state notice sent just before subscribing) starts a replay.
    While it lasts, an event stamped earlier than that moment, less :data:`SKEW_TOLERANCE`, is
    history. The replay ends at the first event stamped later (history comes oldest first, so
    whatever follows is live) or :data:`REPLAY_AT_MOST` seconds after opening, whichever is
    first; after that every event is live.

    Why these two ends and not one: a rule on timestamps alone fails when the server's clock
    runs behind ours by more than the tolerance (every live event would be stamped "before we
    subscribed" forever), and one relative to the newest timestamp seen fails because a replay
    arrives in time order, each event the newest so far. Bounding the replay by arrival caps
    the damage of a slow clock at a few seconds of under-counting; a server clock running
    ahead only lets the tail of the replay count as live, as everything did before. Events
    without a readable timestamp are live; so is everything before any connection opened
    (sources that never say so, such as a list in a test).
    """

    __slots__ = ("wall", "tolerance", "at_most", "_cutoff", "_until")

    def __init__(
        self,
        wall: Callable[[], datetime] = _utc_now,
        *,
        tolerance: float = SKEW_TOLERANCE,
        at_most: float = REPLAY_AT_MOST,
    ) -> None:
        self.wall = wall
        self.tolerance = tolerance
        self.at_most = at_most
        self._cutoff: datetime | None = None  # events stamped before this are history
        self._until: datetime | None = None  # the replay ends by this arrival time

    def opened(self) -> None:
        """A connection opened and is about to subscribe: a replay may follow."""
        now = self.wall()
        self._cutoff = now - timedelta(seconds=self.tolerance)
        self._until = now + timedelta(seconds=self.at_most)

    @property
    def replaying(self) -> bool:
        if self._until is not None and self.wall() > self._until:
            self._cutoff = self._until = None
        return self._cutoff is not None

    def is_live(self, timestamp: str | None) -> bool:
        """The verdict for an event stamped ``timestamp`` arriving now (changes nothing)."""
        if not self.replaying:
            return True
        moment = parse_time(timestamp)
        return moment is None or self._cutoff is None or moment >= self._cutoff

    def observe(self, timestamp: str | None) -> bool:
        """:meth:`is_live`, ending the replay at the first event stamped after it began."""
        live = self.is_live(timestamp)
        if live and self._cutoff is not None and parse_time(timestamp) is not None:
            self._cutoff = self._until = None
        return live
