"""Whether what is on screen is live: the moment the connection was lost, and what to tell the user.

While the source is not connected the views are given the moment it was lost
as their clock, so nothing counts down as if it were live; a line in the body
says since when the rows are only what was known, or, after a fatal error
(a rejected credential), what happened and what to do. Plain Python.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from aisci_tui.sources.base import ConnectionState
from aisci_tui.store.records import Connection
from aisci_tui.textsafe import clean
from aisci_tui.tui.format import clock_time

_CREDENTIAL_WORDS = ("credential", "api key", "api_key", "token", "auth", "unauthor", "forbidden", "401", "403")


def is_credential_problem(text: str | None) -> bool:
    low = (text or "").lower()
    return any(word in low for word in _CREDENTIAL_WORDS)


def what_to_do(fatal: str) -> str:
    """One sentence of advice after a fatal error."""
    if is_credential_problem(fatal):
        return (
            "Check the credential (AISCI_API_KEY or AISCI_TOKEN, --token-file or --token-command) and start "
            "aisci-tui again; q quits and prints this on the shell."
        )
    return "Fix the cause and start aisci-tui again; q quits and prints this on the shell."


def why_reconnect_wont_help(fatal: str) -> str:
    if is_credential_problem(fatal):
        return "Reconnecting would not help: the server would be sent the same rejected credential."
    return "Reconnecting would not help: the connection stopped for good. " + what_to_do(fatal)


@dataclass(slots=True)
class Liveness:
    """Tracks the connection's state changes as the dashboard's timer sees them."""

    opens: int = 0  # the connection's openings (Connection.opens) as of the last update
    lost_at: datetime | None = None  # wall clock when the open connection was lost

    def update(self, conn: Connection, now: datetime) -> bool:
        """Take in the connection's state; True when going live or not live changed.

        Called on the dashboard's tick: the count of openings says what happened between two ticks
        (opened and already lost, or lost and already open again). What the server did not
        re-report once back is the store's to say (:meth:`Store.unreported`)."""
        reopened = conn.opens > max(self.opens, 1)
        self.opens = conn.opens
        if conn.state == ConnectionState.OPEN:
            if self.lost_at is not None or reopened:
                self.lost_at = None
                return True
            return False
        if conn.opens and self.lost_at is None:  # it was open once: now it is lost
            self.lost_at = now
            return True
        return False

    def clock(self, now: datetime) -> datetime:
        """The views' clock: frozen at the loss while not live."""
        return self.lost_at or now


def body_notice(conn: Connection, live: Liveness) -> tuple[str, str] | None:
    """(tone, text) for the line above the views, or None while live."""
    if conn.fatal:
        return "error", f"✖ {clean(conn.fatal, 300)}  {what_to_do(conn.fatal)}"
    if live.lost_at is not None:
        when = clock_time(live.lost_at, live.lost_at)
        state = {ConnectionState.RECONNECTING: "reconnecting", ConnectionState.CONNECTING: "connecting"}.get(
            conn.state, "not connected"
        )
        return "warning", (
            f"○ Not live since {when} ({state}): the rows are as of {when}, dimmed, "
            "and nothing counts down until the server is back."
        )
    return None
