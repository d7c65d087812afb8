"""Ask which format to export the current view in."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static


class ExportDialog(ModalScreen[str | None]):
    """Dismisses with ``"json"``, ``"csv"`` or None (cancelled)."""

    DEFAULT_CSS = """
    ExportDialog { align: center middle; }
    ExportDialog > Vertical {
        width: 52;
        height: auto;
        border: round $primary;
        background: $surface;
        padding: 0 1;
    }
    ExportDialog Horizontal { height: auto; align-horizontal: center; padding-top: 1; }
    ExportDialog Button { margin: 0 1; min-width: 10; }
    """

    BINDINGS = [
        Binding("j", "choose('json')", "JSON", id="export-json"),
        Binding("c", "choose('csv')", "CSV", id="export-csv"),
        Binding("escape", "choose(None)", "Cancel", id="export-cancel"),
    ]

    def __init__(self, view_title: str, directory: str) -> None:
        super().__init__()
        self.view_title = view_title
        self.directory = directory

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(f"Export the {self.view_title} view", style="bold"))
            yield Static(Text(f"into {self.directory}", style="dim"))
            with Horizontal():
                yield Button("JSON (j)", id="json", variant="primary")
                yield Button("CSV (c)", id="csv")
                yield Button("Cancel", id="cancel")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(None if event.button.id == "cancel" else event.button.id)

    def action_choose(self, fmt: str | None) -> None:
        self.dismiss(fmt)
