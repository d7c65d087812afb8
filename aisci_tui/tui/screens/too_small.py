"""Shown instead of the dashboard while the terminal is below the minimum size."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static


class TooSmallScreen(Screen[None]):
    """Tells the user the size needed; the app pops it when the terminal grows."""

    DEFAULT_CSS = """
    TooSmallScreen { align: center middle; }
    TooSmallScreen > Static { width: auto; height: auto; text-align: center; }
    """

    BINDINGS = [Binding("q", "app.quit", "Quit", id="too-small-quit")]

    def __init__(self, min_width: int, min_height: int) -> None:
        super().__init__()
        self.min_width = min_width
        self.min_height = min_height

    def compose(self) -> ComposeResult:
        yield Static(self._message(), id="too-small-text")

    def _message(self) -> Text:
        width, height = self.app.size
        text = Text("Terminal too small\n", style="bold")
        text.append(f"{width}×{height}; the dashboard needs at least {self.min_width}×{self.min_height}.\n")
        text.append("Make the window larger, or press q to quit.")
        return text

    def on_resize(self) -> None:
        self.query_one("#too-small-text", Static).update(self._message())
