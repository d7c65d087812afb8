"""Status badges that read without colour: a symbol, a word and a tone.

Unknown values are shown as the raw word in a neutral tone, never dropped.
"""

from __future__ import annotations

from rich.text import Text

from aisci_tui.textsafe import clean
from aisci_tui.tui.widgets.tones import Palette

Badge = tuple[str, str, str]  # symbol, word, tone

AGENT: dict[str, Badge] = {
    "busy": ("●", "busy", "success"),
    "idle": ("○", "idle", "primary"),
    "error": ("✖", "error", "error"),
    "offline": ("◌", "offline", "muted"),
}
EXPERIMENT: dict[str, Badge] = {
    "completed": ("✓", "completed", "success"),
    "failed": ("✖", "failed", "error"),
    "partial": ("◐", "partial", "warning"),
    "running": ("▶", "running", "primary"),
}
ASSESSMENT: dict[str, Badge] = {
    "compliant": ("✓", "compliant", "success"),
    "review_required": ("⚠", "review required", "warning"),
    "non_compliant": ("✖", "non-compliant", "error"),
    "not_assessed": ("–", "not assessed", "muted"),
}
SEVERITY: dict[str, Badge] = {
    "info": ("ℹ", "info", "primary"),
    "warning": ("⚠", "warning", "warning"),
    "error": ("✖", "error", "error"),
    "critical": ("‼", "critical", "error"),
}
ISSUE: dict[str, Badge] = {
    "low": ("▪", "low", "muted"),
    "medium": ("▲", "medium", "warning"),
    "high": ("✖", "high", "error"),
}
MILESTONE: dict[str, Badge] = {
    "completed": ("✓", "completed", "success"),
    "in_progress": ("◐", "in progress", "primary"),
    "pending": ("○", "pending", "muted"),
}
UNKNOWN_SYMBOL = "?"


def lookup(table: dict[str, Badge], value: str | None) -> Badge:
    """The badge for ``value``; an unknown value keeps its own (cleaned) word."""
    if value is None:
        return ("·", "—", "muted")
    known = table.get(value)
    if known is not None:
        return known
    return (UNKNOWN_SYMBOL, clean(value, 40), "neutral")


def badge(table: dict[str, Badge], value: str | None, palette: Palette, *, symbol_only: bool = False) -> Text:
    """``"● busy"`` in the tone's style."""
    symbol, word, tone = lookup(table, value)
    return Text(
        symbol if symbol_only else f"{symbol} {word}", style=palette[tone], end="", no_wrap=True, overflow="ellipsis"
    )


def tone_of(table: dict[str, Badge], value: str | None) -> str:
    return lookup(table, value)[2]
