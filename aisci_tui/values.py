"""Two small helpers every layer uses on values from outside: cut text short, read a finite number."""

from __future__ import annotations

import math
from typing import Any

ELLIPSIS = "\N{HORIZONTAL ELLIPSIS}"


def shorten(value: Any, limit: int = 64) -> str:
    """``str(value)``, cut to at most ``limit`` characters, the last one an ellipsis when cut."""
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + ELLIPSIS


def finite(value: Any) -> float | None:
    """A finite float, or None for anything else (NaN, infinity, huge integers, strings, booleans…)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if math.isfinite(number) else None
