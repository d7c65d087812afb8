"""Lenient timestamp parsing: the wire keeps strings, views ask for datetimes."""

from __future__ import annotations

from datetime import UTC, datetime


def parse_time(value: str | None) -> datetime | None:
    """An aware datetime for an ISO-8601 string, or None for anything unreadable."""
    if not value or not isinstance(value, str) or len(value) > 64:
        return None
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def seconds_since(value: str | None, now: datetime | None = None) -> float | None:
    parsed = parse_time(value)
    if parsed is None:
        return None
    return ((now or datetime.now(UTC)) - parsed).total_seconds()
