"""What a running dashboard shows, read from the widgets it drew (not from their private state)."""

from __future__ import annotations

from typing import Any

from textual.css.query import NoMatches
from textual.widgets import Static

from aisci_tui.tui.header import StatusLine


def status_shown(app: Any) -> str:
    """The status area as drawn: its main line, then the banner lines ("" before it is mounted)."""
    try:
        line = app.query_one("#status", StatusLine)
        main = str(line.query_one("#status-main", Static).content)
        banner = str(line.query_one("#status-banner", Static).content)
    except NoMatches:
        return ""
    return f"{main}\n{banner}" if banner else main


def record_toasts(app: Any) -> list[dict[str, Any]]:
    """Every notification the app raises from now on (message, title, severity, timeout), in order."""
    seen: list[dict[str, Any]] = []
    original = app.notify

    def notify(message, *, title="", severity="information", timeout=None, markup=True):  # type: ignore[no-untyped-def]
        seen.append({"message": message, "title": title, "severity": severity, "timeout": timeout})
        original(message, title=title, severity=severity, timeout=timeout, markup=markup)

    app.notify = notify
    return seen
