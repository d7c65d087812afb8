"""A scrollable pane that shows one renderable (a detail)."""

from __future__ import annotations

from rich.console import RenderableType
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static


class DetailPane(VerticalScroll):
    """The detail of the highlighted row, beside or under a list."""

    DEFAULT_CSS = """
    DetailPane { border: round $panel-lighten-2; padding: 0 1; height: 1fr; }
    DetailPane:focus { border: round $primary; }
    """

    def __init__(self, placeholder: str = "", *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.placeholder = placeholder

    def compose(self) -> ComposeResult:
        yield Static(Text(self.placeholder), classes="detail-body")

    def show(self, renderable: RenderableType) -> None:
        self.query_one(".detail-body", Static).update(renderable)
