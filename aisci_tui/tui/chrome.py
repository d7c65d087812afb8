"""The strip of view tabs (with the view's filter/sort state) and the ``/`` filter line."""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Input, Static

from aisci_tui.textsafe import clean


class ViewTabs(Static):
    """``0 Home  1 Research  2 Agents …`` with the current view highlighted; click a tab to switch."""

    DEFAULT_CSS = """
    ViewTabs { height: 1; padding: 0 1; background: $boost; text-wrap: nowrap; text-overflow: ellipsis; }
    """

    class Chosen(Message):
        def __init__(self, view_id: str) -> None:
            super().__init__()
            self.view_id = view_id

    def __init__(self, tabs: list[tuple[str, str]], *, id: str | None = None) -> None:
        super().__init__("", id=id, markup=False)
        self.tabs = tabs  # (view_id, title) in key order
        self.current = tabs[0][0] if tabs else ""
        self.state = ""  # "filter: foo · status: busy · sort: cpu ↓"
        self._spans: list[tuple[int, int, str]] = []

    def on_mount(self) -> None:
        self._render_tabs()

    def on_resize(self) -> None:
        self._render_tabs()

    def set_current(self, view_id: str, state: str) -> None:
        if (view_id, state) != (self.current, self.state):
            self.current, self.state = view_id, state
            self._render_tabs()

    def _render_tabs(self) -> None:
        """Full titles when they fit with the filter/sort state; else numbers for the other views."""
        width = self.content_size.width or 80
        text, spans = self._build(short=False)
        if text.cell_len > width and self.state:
            text, spans = self._build(short=True)
        self._spans = spans
        self.update(text)

    def _build(self, *, short: bool) -> tuple[Text, list[tuple[int, int, str]]]:
        text = Text()
        spans: list[tuple[int, int, str]] = []
        for n, (view_id, title) in enumerate(self.tabs):  # the keys: 0 Home … 6 Tree
            start = text.cell_len
            if view_id == self.current:
                text.append(f" {n} {title} ", style="bold reverse")
            else:
                text.append(f" {n} " if short else f" {n} {title} ")
            spans.append((start, text.cell_len, view_id))
        if self.state:
            text.append("  ")
            text.append(clean(self.state, 120), style="italic")
        return text, spans

    def on_click(self, event: events.Click) -> None:
        x = event.x - 1  # left padding
        for start, end, view_id in self._spans:
            if start <= x < end:
                self.post_message(self.Chosen(view_id))
                return


class FilterInput(Input):
    """The ``/`` filter line. Posts :class:`Applied` as the text changes and :class:`Closed` when done:
    Enter keeps the filter (an empty one closes the line), Escape clears it and closes."""

    DEFAULT_CSS = """
    FilterInput { height: 1; border: none; padding: 0 1; background: $boost; }
    FilterInput:focus { border: none; }
    FilterInput.hidden { display: none; }
    """

    BINDINGS = [Binding("escape", "cancel", "Clear filter", id="filter-cancel")]

    class Applied(Message):
        """The filter text is now ``text`` (empty: no filter)."""

        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    class Closed(Message):
        """The line is done with; the keyboard goes back to the view."""

    def open(self, text: str) -> None:
        self.value = text
        self.disabled = False
        self.remove_class("hidden")
        self.focus()

    def close(self) -> None:
        self.add_class("hidden")
        self.disabled = True

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.post_message(self.Applied(event.value))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if not event.value:
            self.close()
        self.post_message(self.Closed())

    def action_cancel(self) -> None:
        self.value = ""  # posts Applied("") through on_input_changed
        self.close()
        self.post_message(self.Closed())
