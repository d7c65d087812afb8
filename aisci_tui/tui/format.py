"""Pure formatting helpers for the dashboard: durations, ages, percentages, sizes, times.

Plain Python (no Textual, no Rich) so they are cheap to test. Every helper
accepts ``None`` (and other junk a server may send) and returns
:data:`MISSING` instead of raising.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Concatenate, ParamSpec

P = ParamSpec("P")

#: Shown where a value is absent or unreadable.
MISSING = "—"


def _number(value: object) -> float | None:
    """A finite float for ints/floats (not bools), else None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _of_number(render: Callable[Concatenate[float, P], str]) -> Callable[Concatenate[object, P], str]:
    """``render`` given a finite number; :data:`MISSING` for anything else (None, bools, NaN, text)."""

    @functools.wraps(render)
    def show(value: object, /, *args: P.args, **kwargs: P.kwargs) -> str:
        num = _number(value)
        return MISSING if num is None else render(num, *args, **kwargs)

    return show


def fraction(value: object) -> float | None:
    """A 0..1 value clamped into range (for bars), or None."""
    number = _number(value)
    if number is None:
        return None
    return min(1.0, max(0.0, number))


@_of_number
def percent(number: float, digits: int = 0) -> str:
    """``0.456`` → ``"46%"``; the raw value is shown even outside 0..1 (``1.5`` → ``"150%"``)."""
    return f"{number * 100:.{digits}f}%"


@_of_number
def duration(number: float) -> str:
    """A compact duration: ``"45s"``, ``"12m 05s"``, ``"3h 20m"``, ``"2d 04h"``."""
    sign = "-" if number < 0 else ""
    total = int(round(abs(number)))
    days, rest = divmod(total, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, secs = divmod(rest, 60)
    if days:
        text = f"{days}d {hours:02d}h"
    elif hours:
        text = f"{hours}h {minutes:02d}m"
    elif minutes:
        text = f"{minutes}m {secs:02d}s"
    else:
        text = f"{secs}s"
    return sign + text


def seconds_between(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return (end - start).total_seconds()


def age(moment: datetime | None, now: datetime) -> str:
    """How long ago ``moment`` was: ``"12s ago"``; a future moment reads ``"in 5s"``."""
    return _span(seconds_between(moment, now), "{} ago", "in {}")


def countdown(deadline: datetime | None, now: datetime) -> str:
    """Time left until ``deadline``: ``"in 6d 23h"``, or ``"overdue by 2h 00m"``."""
    return _span(seconds_between(now, deadline), "in {}", "overdue by {}")


def _span(delta: float | None, ahead: str, behind: str) -> str:
    """``delta`` seconds as a duration, put in ``ahead`` when it is not negative, else in ``behind``."""
    if delta is None:
        return MISSING
    return (behind if delta < 0 else ahead).format(duration(abs(delta)))


def clock_time(moment: datetime | None, now: datetime | None = None) -> str:
    """``"14:05:09"`` for a moment on the same UTC day as ``now``, else ``"2026-01-02 14:05"``."""
    if moment is None:
        return MISSING
    moment = moment.astimezone(UTC)
    if now is not None and moment.date() == now.astimezone(UTC).date():
        return moment.strftime("%H:%M:%S")
    return moment.strftime("%Y-%m-%d %H:%M")


def eta(moment: datetime | None, now: datetime) -> str:
    """When something will finish: ``"14:05:09 (in 1h 20m)"``."""
    if moment is None:
        return MISSING
    return f"{clock_time(moment, now)} ({countdown(moment, now)})"


@_of_number
def size(number: float) -> str:
    """``2_300_000`` → ``"2.3 MB"`` (decimal units, like the guide's ``"2.3MB"``)."""
    value = abs(number)
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if value < 1000 or unit == "TB":
            break
        value /= 1000
    sign = "-" if number < 0 else ""
    return f"{sign}{value:.0f} {unit}" if unit == "B" else f"{sign}{value:.1f} {unit}"


@_of_number
def number(num: float, digits: int = 2) -> str:
    """A metric value: integers as integers, others to at most ``digits`` decimals (``0.94``, ``1.562``)."""
    if num.is_integer() and abs(num) < 1e15:
        return f"{int(num):,}"
    if abs(num) >= 1000:
        return f"{num:,.0f}"
    if abs(num) < 0.01:
        return f"{num:.{digits}g}"
    return f"{num:.{digits}f}".rstrip("0").rstrip(".")


@_of_number
def fixed(num: float, digits: int = 2) -> str:
    """A number with exactly ``digits`` decimals, so a column of them lines up."""
    return f"{num:.{digits}f}"


@_of_number
def seconds(num: float) -> str:
    """A response time in seconds: ``1.2`` → ``"1.20s"``, ``0.0042`` → ``"4ms"``."""
    if abs(num) < 1:
        return f"{num * 1000:.0f}ms"
    return f"{num:.2f}s"


@_of_number
def count(num: float) -> str:
    return f"{int(num):,}"


def flag(value: object) -> str:
    """``True`` → ``"yes"``, ``False`` → ``"no"``, anything else → :data:`MISSING`."""
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return MISSING


def words(value: str | None) -> str:
    """A protocol word for people: ``"review_required"`` → ``"review required"``."""
    if not value:
        return MISSING
    return value.replace("_", " ")
