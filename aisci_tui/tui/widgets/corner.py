"""The bottom-right corner where notifications show: a few fixed slots, filled in place.

Nothing is mounted, removed, resized or restyled through classes when a notification comes or
goes: a slot of fixed size gets its text and its tone, and an empty one stands off the screen to
the right (hiding it would change its size, and with that lay the screen out once more), so the
change is drawn in the screen update of the moment it is made (the refresh tick) and no other.
A message longer than the slot's lines is cut; the Events view and Home's latest events have it
whole.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.color import Color
from textual.containers import Container
from textual.message import Message
from textual.widgets import Static

#: At most this many notifications are up at once (the newest).
SLOTS = 3
#: An empty slot stands this far to the right, past any screen's edge.
OFF_SCREEN = 1000
#: Lines in a slot (its height in the CSS below).
LINES = 4
DISMISS_HINT = "x or a click: dismiss"


@dataclass(frozen=True, slots=True)
class Note:
    """One notification as shown: title, message (literal text) and severity."""

    title: str
    message: Text
    severity: str
    #: It stays until dismissed: its last line says how.
    stays: bool = False


class Corner(Container):
    """Notifications, newest at the bottom; a click on one dismisses them all."""

    DEFAULT_CSS = """
    Corner {
        layer: notices;
        dock: bottom;
        width: 1fr;
        height: auto;
        align: right bottom;
        visibility: hidden;
        margin-bottom: 1;
    }
    Corner > .notice {
        visibility: visible;
        offset-x: 1000;
        width: 60;
        max-width: 50%;
        height: 4;  /* LINES */
        margin-top: 1;
        padding: 0 1;
        background: $panel;
        border-left: outer $primary;
    }
    """

    class Dismissed(Message):
        """A notification was clicked: take them all down."""

    def compose(self) -> ComposeResult:
        for n in range(SLOTS):
            yield Static(id=f"notice-{n}", classes="notice", markup=False)

    def show(self, notes: Sequence[Note]) -> None:
        """Fill the slots with ``notes`` (the newest ``SLOTS``, newest at the bottom), hide the rest."""
        shown = list(notes)[-SLOTS:]
        slots = list(self.query(".notice").results(Static))
        first = len(slots) - len(shown)
        tones = self.app.theme_variables
        for n, slot in enumerate(slots):
            note = shown[n - first] if n >= first else None
            slot.styles.offset = (0, 0) if note is not None else (OFF_SCREEN, 0)
            if note is None:
                continue
            tone = {"warning": "warning", "error": "error"}.get(note.severity, "primary")
            slot.styles.border_left = ("outer", Color.parse(tones.get(tone, "ansi_blue")))
            slot.update(self._body(note, slot.content_region.width or slot.size.width), layout=False)

    def _body(self, note: Note, width: int) -> Text:
        """The title, the message cut to the lines left, and for a lasting one how to dismiss it."""
        width = max(10, width)
        title = Text(note.title, style="bold").wrap(self.app.console, width)[: LINES - 1] if note.title else []
        rows = LINES - len(title) - (1 if note.stays else 0)
        lines = [*title, *note.message.wrap(self.app.console, width)[:rows]]
        if note.stays:
            lines.append(Text(DISMISS_HINT, style="dim"))
        return Text("\n").join(lines)

    def on_click(self, event: events.Click) -> None:
        event.stop()
        self.post_message(self.Dismissed())
