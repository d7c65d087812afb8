"""Events per second over a sliding window, in constant memory."""

from __future__ import annotations

import time
from collections.abc import Callable


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
