"""Notifications that come and go on the refresh tick, and ones that stay until dismissed.

Textual shows a notification the moment it is raised and takes it down on a timer of its own:
each is a screen update of its own, outside the refresh rate the dashboard keeps (``--refresh-hz``),
and a notification raised with a timeout of 0 is gone before it is drawn. The board holds what is
raised until the next tick, puts it up in that tick's screen update, and takes it down on the first
tick after its time. A timeout of 0 means it stays until dismissed (``x``, or a click on it).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual.notifications import Notification, Notify, SeverityLevel

if TYPE_CHECKING:
    from textual.app import App

#: Textual's own notification internals the board uses (a test checks they still exist).
APP_INTERNALS = ("_notifications", "_unnotify", "_refresh_notifications")
#: Seconds a notification lasts when the caller says nothing (Textual's default).
DEFAULT_TIMEOUT = 5.0
#: Textual is told a notification lasts this much longer than the board keeps it up, so that
#: Textual's timer never takes it down between two ticks.
SLACK = 5.0
#: What Textual is told of a notification that stays until dismissed (a year).
STAYS = 365 * 86_400.0


@dataclass(eq=False, slots=True)
class _Up:
    notification: Notification
    until: float | None  # the board's clock; None: until dismissed


class ToastBoard:
    """The app's notifications; :meth:`tick` runs on every refresh tick."""

    def __init__(self, app: App[Any], clock: Callable[[], float] = time.time) -> None:
        self.app = app
        self.clock = clock
        self._waiting: list[_Up] = []
        self._up: list[_Up] = []

    def raise_(self, message: str, *, title: str, severity: SeverityLevel, timeout: float | None, markup: bool) -> None:
        """Put a notification up at the next tick; ``timeout`` 0: until dismissed, None: the default."""
        lasts = DEFAULT_TIMEOUT if timeout is None else max(0.0, timeout)
        stays = lasts == 0
        note = Notification(message, title, severity, STAYS if stays else lasts + SLACK, markup=markup)
        self._waiting.append(_Up(note, None if stays else lasts))

    @property
    def shown(self) -> list[Notification]:
        """What is up now (dismissed ones excluded), oldest first."""
        known = self.app._notifications
        return [up.notification for up in self._up if up.notification in known]

    def tick(self) -> None:
        """Take down what is due and put up what is waiting, in this tick's screen update."""
        now = self.clock()
        known = self.app._notifications
        due = [up for up in self._up if up.until is not None and up.until <= now]
        for up in due:
            self.app._unnotify(up.notification, refresh=False)
        self._up = [up for up in self._up if up not in due and up.notification in known]
        waiting, self._waiting = self._waiting, []
        for up in waiting:
            if up.until is not None:
                up.until += now  # its time runs from when it is put up
            up.notification.raised_at = time.time()  # Textual's clock, for its own timer
            self._up.append(up)
            self.app.post_message(Notify(up.notification))
        if due and not waiting:
            self.app._refresh_notifications()

    def dismiss_all(self) -> int:
        """Take every notification down now, and drop the waiting ones; how many there were."""
        count = len(self.shown) + len(self._waiting)
        self._waiting.clear()
        self._up.clear()
        self.app.clear_notifications()
        return count
