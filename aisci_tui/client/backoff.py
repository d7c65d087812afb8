"""Exponential backoff with full jitter."""

from __future__ import annotations

import random
from typing import Protocol


class UniformRandom(Protocol):
    def uniform(self, a: float, b: float) -> float: ...


class Backoff:
    """Delay before retry ``attempt`` (0-based): ``uniform(0, min(cap, base * 2**attempt))``."""

    def __init__(self, base: float = 1.0, cap: float = 30.0, rng: UniformRandom | None = None):
        if base < 0 or cap < 0:
            raise ValueError("backoff base and cap must not be negative")
        self.base = base
        self.cap = cap
        self.rng = rng or random.Random()

    def ceiling(self, attempt: int) -> float:
        """The largest delay retry ``attempt`` may wait."""
        if attempt >= 64:  # 2**64 * base is past any cap; avoid float overflow
            return self.cap
        return min(self.cap, self.base * (2**attempt))

    def delay(self, attempt: int) -> float:
        return self.rng.uniform(0.0, self.ceiling(max(0, attempt)))
