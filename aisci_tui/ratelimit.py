"""The one token bucket: the client's for what it sends, the server's for what each connection receives."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


class TokenBucket:
    """``rate`` tokens per second, at most ``burst`` saved up; ``rate <= 0`` means no limit.

    :meth:`take` spends a token if there is one (the server drops what comes too
    fast); :meth:`acquire` waits for one (the client slows down), and
    :meth:`pause` stops it for a while (the server said RATE_LIMITED)."""

    def __init__(self, rate: float, burst: int, clock: Clock = time.monotonic):
        self.rate = rate
        self.burst = max(1, int(burst))
        self._clock = clock
        self._tokens = float(self.burst)
        self._updated = clock()
        self._paused_until = float("-inf")

    def pause(self, seconds: float) -> None:
        """Give out nothing for ``seconds``."""
        self._paused_until = max(self._paused_until, self._clock() + max(0.0, seconds))

    def try_acquire(self) -> float:
        """Take a token and return 0, or take nothing and return how long to wait."""
        now = self._clock()
        wait = self._refill(now)
        if wait is not None:
            return wait
        if self._tokens >= 1.0 - 1e-9:  # tolerate float rounding of the refill
            self._tokens = max(0.0, self._tokens - 1.0)
            return 0.0
        return (1.0 - self._tokens) / self.rate

    def take(self) -> bool:
        """Spend one token if there is one."""
        return self.try_acquire() == 0.0

    def retry_after(self) -> float:
        """Seconds until the next token is available (taking nothing)."""
        wait = self._refill(self._clock())
        if wait is not None:
            return wait
        return max(0.0, (1.0 - self._tokens) / self.rate)

    def _refill(self, now: float) -> float | None:
        """Add the tokens earned since the last look; the wait instead while paused (0 if unlimited)."""
        if now < self._paused_until:
            return self._paused_until - now
        if self.rate <= 0:
            return 0.0
        self._tokens = min(float(self.burst), self._tokens + (now - self._updated) * self.rate)
        self._updated = now
        return None

    async def acquire(self, sleep: Sleep = asyncio.sleep) -> float:
        """Wait until a token is available and take it; returns the total time waited."""
        waited = 0.0
        while (wait := self.try_acquire()) > 0:
            waited += wait
            await sleep(wait)
        return waited
