"""The table views' shared keys: counts for the title, filters, sorting by any column, export, opening.

Rows themselves (records, syncs, pacing) are :class:`~aisci_tui.tui.views.rowset.RowSetView`'s.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.widgets import DataTable

from aisci_tui.protocol.kinds import BY_TABLE
from aisci_tui.protocol.models import Filters
from aisci_tui.store.query import Column
from aisci_tui.store.rows import export_value
from aisci_tui.tui.bindings import ROW_BINDINGS
from aisci_tui.tui.views.rowset import (
    CATCH_UP_SECONDS,
    ROWS_PER_SYNC,
    RowSetView,
    empty_label,
)
from aisci_tui.tui.views.sections import grid
from aisci_tui.tui.widgets.detail import DetailScreen

__all__ = ["CATCH_UP_SECONDS", "ROWS_PER_SYNC", "TableView", "empty_label"]


class TableView(RowSetView):
    """A view whose main content is a :class:`~aisci_tui.tui.widgets.table.KeyedTable` of store items."""

    DEFAULT_CSS = """
    TableView .view-empty { height: auto; padding: 1 2; color: $text-muted; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open_selected", "Open", id="view.open"),
        *ROW_BINDINGS,
    ]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.KIND and "EVENT_TYPES" not in cls.__dict__:  # the rows are the store table KIND's entities
            cls.EVENT_TYPES = (BY_TABLE[cls.KIND].type,)  # the event type the registry says fills it

    # -- counts --------------------------------------------------------------------------

    def counts(self) -> str:
        """``28 of 10,000 · 9 busy``: rows shown (of how many, when filters hide some) and the count."""
        if not self.ready():
            return ""
        shown, total = self.table.row_count, len(self.records)
        text = f"{shown:,}" if shown == total else f"{shown:,} of {total:,}"
        if self.COUNT:
            text += f" · {self._tally[self.COUNT[1]]:,} {self.COUNT[2]}"
        return text

    # -- filters, sort, export -------------------------------------------------------------

    def set_text_filter(self, text: str) -> None:
        self.text = text.strip()
        self._refilter()

    def cycle_filter(self) -> str:
        label = self.filters.advance()
        self._refilter()
        return label

    def server_filters(self) -> Filters | None:
        return self.filters.state.server

    def sort_columns(self) -> list[tuple[str, str]]:
        return [(c.key, c.label) for c in self.sortable()]

    def sortable(self) -> list[Column]:
        """The columns a sort can choose: those shown (all, before the table is fitted)."""
        shown = [col for col, _ in self.table.shown] if self.ready() else []
        return shown or list(self.COLUMNS)

    def _sort_label(self) -> str:
        col = self._column(self.sort_column)
        if col is None:
            return "sort: newest first" if self.reverse else "sort: arrival"
        return f"sort: {col.label.lower()} {'↓' if self.reverse else '↑'}"

    def sort_by(self, column: str | None) -> str:
        """Sort by ``column`` (None: arrival order); the column already chosen flips direction."""
        if column is not None and column == self.sort_column:
            return self.sort_reverse()
        return self._choose(column)

    def _choose(self, column: str | None) -> str:
        self.sort_column = column if self._column(column) else None
        col = self._column(self.sort_column)
        self.reverse = col.numeric if col else self.NEWEST_FIRST
        self._apply_sort()
        return self._sort_label()

    def sort_next(self) -> str:
        order = [None, *(c.key for c in self.sortable())]
        index = order.index(self.sort_column) if self.sort_column in order else 0
        return self._choose(order[(index + 1) % len(order)])

    def sort_reverse(self) -> str:
        self.reverse = not self.reverse
        self._apply_sort()
        return self._sort_label()

    def _sort_labels(self) -> dict[str, str]:
        col = self._column(self.sort_column)
        return {col.key: f"{col.label} {'↓' if self.reverse else '↑'}"} if col else {}

    def _apply_sort(self) -> None:
        for record in self.records.values():
            record.sort = self._sort_value(record)
        self._backlog.refile(lambda k: self.records[k].sort)
        if not self.ready():
            return
        self._fit_labels()
        self.table.set_order(self.reverse)

    def export_rows(self) -> tuple[list[str], list[dict]]:
        columns = [c.key for c in self.COLUMNS] + [
            k for k in self.EXPORT_EXTRA if k not in {c.key for c in self.COLUMNS}
        ]
        self._flush(live=True)
        keys = self.table.row_keys() if self.ready() else []
        return columns, [
            {c: export_value(self.records[k].values.get(c)) for c in columns} for k in keys if k in self.records
        ]

    # -- opening -------------------------------------------------------------------------

    def selected_key(self) -> str | None:
        return self.table.selected_key() if self.ready() else None

    def open_selected(self) -> None:
        key = self.selected_key()
        if key is not None:
            self.open_key(key)

    def open_key(self, key: str) -> None:
        """Open the detail of row ``key``."""

    def action_open_selected(self) -> None:
        self.open_selected()

    def action_show_row(self) -> None:
        """The highlighted row's every cell in full, however narrow its column."""
        key = self.selected_key()
        cells = self.cells_for(key) if key is not None else {}
        if cells:
            rows = [
                (c.label, Text(cells[c.key].plain, style=cells[c.key].style)) for c in self.COLUMNS if c.key in cells
            ]
            self.app.push_screen(DetailScreen(grid(rows, self.palette), "Row"))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.open_selected()

    def on_show(self) -> None:
        if self.ready() and not self.screen.focused:
            self.table.focus()

    def cells_for(self, key: str) -> Mapping[str, Text]:
        self._flush(live=True)
        record = self.records.get(key)
        return record.cells if record is not None else {}
