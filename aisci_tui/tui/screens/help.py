"""The ``?`` screen: every key that works right now, generated from the binding table."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from rich.table import Table
from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import ActiveBinding, Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static


@dataclass(frozen=True, slots=True)
class HelpRow:
    key: str
    title: str
    where: str  # "Dashboard", the view's title, "Table" or "Everywhere"
    binding_id: str = ""  # what the [keymap] table of the config file calls it


#: Words for Textual's own bindings that would otherwise show as bare action names.
_TEXTUAL_WORDS = {"command_palette": "Open the command palette"}


def help_rows(app: App[Any], active: Mapping[str, ActiveBinding], order: list[str | None]) -> list[HelpRow]:
    """Rows for ``active`` bindings: the app's first (in ``order``), then the view's, then the rest."""
    from aisci_tui.tui.bindings import explain
    from aisci_tui.tui.views.base import StoreView

    rank = {binding_id: n for n, binding_id in enumerate(order)}
    groups: dict[int, list[tuple[int, HelpRow]]] = {0: [], 1: [], 2: []}
    seen: set[tuple[str, str]] = set()
    for key, item in active.items():
        binding, node = item.binding, item.node
        if not binding.description or not item.enabled or (binding.action, key) in seen:
            continue
        seen.add((binding.action, key))
        if node is app:
            group, where = 0, "Dashboard"
        elif isinstance(node, StoreView):
            group, where = 1, node.TITLE
        else:
            group, where = 2, "Everywhere" if isinstance(node, Screen) else "Table"
        title = explain(binding)[0] if binding.tooltip else _TEXTUAL_WORDS.get(binding.action, binding.description)
        row = HelpRow(app.get_key_display(binding.with_key(key)), title, where, binding.id or "")
        groups[group].append((rank.get(binding.id, len(rank)), row))
    groups[0].sort(key=lambda pair: pair[0])
    return [row for group in (0, 1, 2) for _, row in groups[group]]


def help_table(rows: list[HelpRow]) -> Table:
    """One line per key, under a heading per place (Dashboard, the view, the table, everywhere)."""
    table = Table(box=None, expand=True, show_header=False, pad_edge=False)
    table.add_column("Key", no_wrap=True, style="bold", min_width=8)
    table.add_column("Does", ratio=1)
    table.add_column("Keymap id", no_wrap=True, style="dim")
    where = None
    for row in rows:
        if row.where != where:
            where = row.where
            if table.row_count:
                table.add_row("", "", "")
            table.add_row(Text(where, style="bold underline"), "", Text("keymap id" if row.binding_id else ""))
        table.add_row(Text(row.key), Text(row.title), Text(row.binding_id))
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

    def on_mount(self) -> None:
        self.query_one(VerticalScroll).focus()  # arrows, PgDn and End scroll at once, no Tab first

    def action_dismiss_help(self) -> None:
        self.dismiss(None)
