"""The sort menu: every column of the view, each a key away (``s`` then ``3`` sorts by the third)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from aisci_tui.tui.bindings import SORT_KEYS, SORT_MENU_BINDINGS


class SortMenu(ModalScreen[str | None]):
    """Choose the column to sort by; dismissed with its key, ``""`` for arrival order, or None."""

    DEFAULT_CSS = """
    SortMenu { align: center middle; }
    SortMenu > Vertical { width: 44; height: auto; max-height: 90%; border: round $primary;
                          background: $surface; padding: 0 1; }
    SortMenu .sort-hint { color: $text-muted; height: auto; }
    SortMenu OptionList { height: auto; max-height: 20; border: none; }
    """

    BINDINGS: ClassVar[list[BindingType]] = SORT_MENU_BINDINGS

    def __init__(self, columns: Sequence[tuple[str, str]], current: str | None, reverse: bool) -> None:
        """``columns``: (key, label) of each column in display order."""
        super().__init__()
        self.columns = list(columns)[: len(SORT_KEYS)]
        self.current = current
        self.reverse = reverse

    def compose(self) -> ComposeResult:
        options = [Option(Text("·  arrival order"), id="")]
        for n, (key, label) in enumerate(self.columns):
            line = Text(f"{SORT_KEYS[n]}  {label}")
            if key == self.current:
                line.append(f"  {'↓' if self.reverse else '↑'} (again: reverse)", "bold")
            options.append(Option(line, id=key))
        with Vertical():
            yield Static(Text("Sort by: press a column's key, or Enter", end=""), classes="sort-hint")
            yield OptionList(*options, id="sort-options")

    def on_mount(self) -> None:
        menu = self.query_one(OptionList)
        keys = [key for key, _ in self.columns]
        menu.highlighted = keys.index(self.current) + 1 if self.current in keys else 0
        menu.focus()

    def action_pick(self, index: int) -> None:
        if 0 <= index < len(self.columns):
            self.dismiss(self.columns[index][0])

    def action_close(self) -> None:
        self.dismiss(None)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id or "")
