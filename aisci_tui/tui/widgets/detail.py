"""A scrollable pane and a modal screen that show one renderable (a detail)."""

from __future__ import annotations

from typing import ClassVar

from rich.console import RenderableType
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
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


class DetailScreen(ModalScreen[None]):
    """A renderable in a scrollable box over the dashboard. Escape closes."""

    DEFAULT_CSS = """
    DetailScreen { align: center middle; }
    DetailScreen > Vertical {
        width: 90%; max-width: 110; height: 90%;
        border: round $primary; background: $surface; padding: 0 1;
    }
    DetailScreen .detail-hint { color: $text-muted; height: 1; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "close", "Close", id="detail.close")]

    def __init__(self, renderable: RenderableType, title: str = "") -> None:
        super().__init__()
        self.renderable = renderable
        self.box_title = title

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = self.box_title
            with VerticalScroll():
                yield Static(self.renderable, classes="detail-body")
            yield Static(Text("Esc: close   ↑↓ PgUp PgDn: scroll"), classes="detail-hint")

    def on_mount(self) -> None:
        self.query_one(VerticalScroll).focus()

    def action_close(self) -> None:
        self.dismiss()
