"""The ``?`` screen: every key that works right now, generated from the binding table."""

from __future__ import annotations

from dataclasses import dataclass

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static


@dataclass(frozen=True, slots=True)
class HelpRow:
    key: str
    title: str
    text: str
    where: str  # "Dashboard", the view's title, "Table" or "Everywhere"
    binding_id: str = ""  # what the [keymap] table of the config file calls it


def help_table(rows: list[HelpRow]) -> Table:
    table = Table(box=None, expand=True, show_header=True, header_style="bold", pad_edge=False)
    table.add_column("Key", no_wrap=True, style="bold")
    table.add_column("Does")
    table.add_column("Where", no_wrap=True, style="dim")
    table.add_column("Keymap id", no_wrap=True, style="dim")
    for row in rows:
        does = Text(row.title)
        if row.text and row.text != row.title:
            does.append(f" — {row.text}", style="dim")
        table.add_row(Text(row.key), does, Text(row.where), Text(row.binding_id))
    return table


class HelpScreen(ModalScreen[None]):
    """Lists the keys; Escape, ``?`` or ``q`` close it."""

    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > Vertical {
        width: 90%;
        max-width: 110;
        height: 90%;
        border: round $primary;
        background: $surface;
        padding: 0 1;
    }
    HelpScreen #help-title { text-style: bold; padding-bottom: 1; }
    HelpScreen #help-foot { color: $text-muted; padding-top: 1; }
    """

    BINDINGS = [
        Binding("escape,question_mark,q", "dismiss_help", "Close", id="help-close"),
    ]

    def __init__(self, rows: list[HelpRow], *, config_hint: str = "") -> None:
        super().__init__()
        self.rows = rows
        self.config_hint = config_hint

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text("Keys"), id="help-title")
            with VerticalScroll():
                yield Static(help_table(self.rows), id="help-table")
            hint = "Escape closes this screen. ctrl+p opens the command palette."
            if self.config_hint:
                hint += f" {self.config_hint}"
            yield Static(Text(hint), id="help-foot")

    def action_dismiss_help(self) -> None:
        self.dismiss(None)
