"""The bottom-right corner where notifications show: a few fixed slots, filled in place.

Nothing is mounted or removed when a notification comes or goes: a slot's text, tone and
display change, so the change is drawn in the screen update of the moment it is made (the
refresh tick), with no layout of new widgets afterwards.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.containers import Container
from textual.message import Message
from textual.widgets import Static

#: At most this many notifications are up at once (the newest).
SLOTS = 3
TONES = ("information", "warning", "error")


@dataclass(frozen=True, slots=True)
class Note:
    """One notification as shown: title, message (literal text) and severity."""

    title: str
    message: Text
    severity: str


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
        display: none;
        width: 60;
        max-width: 50%;
        height: auto;
        margin-top: 1;
        padding: 0 1;
        background: $panel;
        border-left: outer $primary;
    }
    Corner > .notice.-warning { border-left: outer $warning; }
    Corner > .notice.-error { border-left: outer $error; }
    Corner > .notice.-up { display: block; }
    """

    class Dismissed(Message):
        """A notification was clicked: take them all down."""

    def compose(self) -> ComposeResult:
        for n in range(SLOTS):
            yield Static(id=f"notice-{n}", classes="notice", markup=False)

    def show(self, notes: Sequence[Note]) -> None:
        """Fill the slots with ``notes`` (the newest ``SLOTS`` of them), empty the rest."""
        shown = list(notes)[-SLOTS:]
        for n, slot in enumerate(self.query(".notice").results(Static)):
            note = shown[n] if n < len(shown) else None
            slot.set_class(note is not None, "-up")
            for tone in TONES:
                slot.set_class(note is not None and note.severity == tone, f"-{tone}")
            if note is not None:
                slot.update(Text.assemble((note.title, "bold"), "\n", note.message) if note.title else note.message)

    def on_click(self, event: events.Click) -> None:
        event.stop()
        self.post_message(self.Dismissed())
