"""The strip of view tabs (with the view's filter/sort state) and the ``/`` filter input."""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Input, Static

from aisci_tui.textsafe import clean


class ViewTabs(Static):
    """``1 Research  2 Agents …`` with the current view highlighted; click a tab to switch."""

    DEFAULT_CSS = """
    ViewTabs { height: 1; padding: 0 1; background: $boost; }
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

    def set_current(self, view_id: str, state: str) -> None:
        if (view_id, state) != (self.current, self.state):
            self.current, self.state = view_id, state
            self._render_tabs()

    def _render_tabs(self) -> None:
        text = Text(no_wrap=True, overflow="ellipsis")
        self._spans = []
        for n, (view_id, title) in enumerate(self.tabs, start=1):
            start = text.cell_len
            label = f" {n} {title} "
            if view_id == self.current:
                text.append(label, style="bold reverse")
            else:
                text.append(label)
            self._spans.append((start, text.cell_len, view_id))
        if self.state:
            text.append("  ")
            text.append(clean(self.state, 120), style="italic")
        self.update(text)

    def on_click(self, event: events.Click) -> None:
        x = event.x - 1  # left padding
        for start, end, view_id in self._spans:
            if start <= x < end:
                self.post_message(self.Chosen(view_id))
                return


class FilterInput(Input):
    """The ``/`` filter line; Enter keeps the filter, Escape clears and hides it."""

    DEFAULT_CSS = """
    FilterInput { height: 1; border: none; padding: 0 1; background: $boost; }
    FilterInput:focus { border: none; }
    FilterInput.hidden { display: none; }
    """

    BINDINGS = [Binding("escape", "cancel", "Clear filter", id="filter-cancel")]

    class Cancelled(Message):
        pass

    def action_cancel(self) -> None:
        self.post_message(self.Cancelled())
