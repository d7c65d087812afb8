"""Notifications that come and go on the refresh tick, and ones that stay until dismissed.

Textual shows a notification by mounting a widget after the screen update in which it was
raised, and takes it down on a timer of its own: two or three more screen updates each time,
outside the refresh rate the dashboard keeps (``--refresh-hz``); and a timeout of 0 there means
gone before it is drawn. The board holds what is raised until the next tick, and then fills the
:class:`~aisci_tui.tui.widgets.corner.Corner`'s slots in place, in that tick's screen update; a
notification comes down on the first tick after its time. A timeout of 0 means it stays until
dismissed (``x``, or a click). At most :data:`~aisci_tui.tui.widgets.corner.SLOTS` are up: a
newer one takes the place of the oldest, lasting ones last.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from rich.errors import MarkupError
from rich.text import Text
from textual.notifications import SeverityLevel

from aisci_tui.tui.widgets.corner import SLOTS, Corner, Note

#: Seconds a notification lasts when the caller says nothing (as Textual's default).
DEFAULT_TIMEOUT = 5.0


@dataclass(eq=False, slots=True)
class _Up:
    note: Note
    lasts: float | None  # seconds; None: until dismissed
    until: float | None = None  # the board's clock, once up


def _body(message: str, markup: bool) -> Text:
    if markup:
        try:
            return Text.from_markup(message)
        except MarkupError:
            pass
    return Text(message)


class ToastBoard:
    """The app's notifications; :meth:`tick` runs on every refresh tick."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.corner: Corner | None = None
        self._waiting: list[_Up] = []
        self._up: list[_Up] = []
        self._drawn: list[Note] | None = None

    def raise_(self, message: str, *, title: str, severity: str, timeout: float | None, markup: bool) -> None:
        """Put a notification up at the next tick; ``timeout`` 0: until dismissed, None: the default."""
        lasts = DEFAULT_TIMEOUT if timeout is None else max(0.0, timeout)
        note = Note(title, _body(message, markup), severity, stays=lasts == 0)
        self._waiting.append(_Up(note, None if note.stays else lasts))

    @property
    def shown(self) -> list[Note]:
        """What is up now, oldest first."""
        return [up.note for up in self._up]

    def tick(self) -> None:
        """Take down what is due, put up what is waiting, and draw the corner if that changed it."""
        now = self.clock()
        up = [u for u in self._up if u.until is None or u.until > now]
        for new in self._waiting:
            new.until = None if new.lasts is None else now + new.lasts
            up.append(new)
        self._waiting = []
        while len(up) > SLOTS:  # the oldest passing one goes first, then the oldest lasting one
            up.remove(next((u for u in up if u.lasts is not None), up[0]))
        self._up = up
        self._draw()

    def dismiss_all(self) -> int:
        """Take every notification down now, and drop the waiting ones; how many there were."""
        count = len(self._up) + len(self._waiting)
        self._waiting.clear()
        self._up.clear()
        self._draw()
        return count

    def _draw(self) -> None:
        notes = self.shown
        if self.corner is not None and notes != self._drawn:
            self._drawn = notes
            self.corner.show(notes)


class Notifying:
    """Mixed into the app: every notification goes through its :class:`ToastBoard`."""

    board: ToastBoard

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Up and down on the refresh tick; ``timeout`` 0: until dismissed."""
        self.board.raise_(message, title=title, severity=severity, timeout=timeout, markup=markup)

    def clear_notifications(self) -> None:
        self.board.dismiss_all()

    def action_dismiss_notifications(self) -> None:
        self.board.dismiss_all()

    def on_corner_dismissed(self) -> None:
        self.board.dismiss_all()
