"""A DataTable kept in step with keyed rows: add, update changed cells, remove, sort.

The owner hands in cells per row key; only cells that differ are written, and
only that row is repainted (column widths are fixed by :meth:`KeyedTable.fit`,
so a new value never moves other rows); rows come and go by key, and rows are
re-sorted only when a row was added or its sort value changed. The highlighted row stays on the same
key through sorts and removals. Columns collapse to fit the width.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rich.text import Text
from textual.geometry import Region
from textual.strip import Strip
from textual.widgets import DataTable
from textual.widgets.data_table import ColumnKey, RowKey

from aisci_tui.store.query import Column, fit_columns

#: ``DataTable``'s render caches keyed on its update count (see :meth:`KeyedTable.render_lines`).
_RENDER_CACHES = ("_row_render_cache", "_cell_render_cache", "_row_renderable_cache", "_line_cache")
#: Removing more rows than this at once rebuilds the table instead (``remove_row`` is O(rows)).
BULK_REMOVE = 64
SCROLLBAR = 2


class KeyedText(Text):
    """The first cell of a row, which knows its row's key (sorting looks it up)."""

    __slots__ = ("row_key",)


def same(a: Text | None, b: Text | None) -> bool:
    if a is None or b is None:
        return a is b
    return a.plain == b.plain and a.style == b.style and a.spans == b.spans


class KeyedTable(DataTable):
    """Rows by key, cells diffed on update, columns fitted to the width."""

    DEFAULT_CSS = """
    KeyedTable { height: 1fr; }
    """

    def __init__(self, columns: Sequence[Column], *, id: str | None = None) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, id=id)
        self.specs = list(columns)
        #: Optional columns that some row has a value for (the others stay hidden).
        self.present: set[str] = set()
        self.shown: list[tuple[Column, int]] = []
        self._labels: dict[str, str] = {}
        self._cells: dict[str, dict[str, Text]] = {}
        self._sort_values: dict[str, Any] = {}
        self.reverse = False
        self._dirty_order = False
        self._fitted_for = -1
        #: Sort value of the bottom row while the order is ascending (a larger new one is appended in place).
        self._tail: Any = _MISSING
        self._caches_at = -1

    # -- columns -------------------------------------------------------------------

    def fit(self, width: int, labels: Mapping[str, str] | None = None) -> bool:
        """Choose the columns for ``width`` cells (and header labels); rebuild if anything changed."""
        labels = dict(labels or {})
        skip = [c.key for c in self.specs if c.optional and c.key not in self.present]
        shown = fit_columns(self.specs, max(0, width - SCROLLBAR), self.cell_padding, skip)
        if shown == self.shown and labels == self._labels and self.columns:
            return False
        self.shown, self._labels, self._fitted_for = shown, labels, width
        self._rebuild(columns=True)
        return True

    def refit(self, force: bool = False) -> bool:
        width = self.size.width or (self.app.size.width if self.is_attached else 80)
        if width == self._fitted_for and self.columns and not force:
            return False
        return self.fit(width, self._labels)

    def on_resize(self) -> None:
        if self.shown:
            self.refit()

    def _rebuild(self, *, columns: bool = False) -> None:
        selected = self.selected_key()
        order = [k for k in self.row_keys() if k in self._cells]
        self.clear(columns=columns)
        if columns or not self.columns:
            for col, width in self.shown:
                label = Text(self._labels.get(col.key, col.label), no_wrap=True, overflow="ellipsis",
                             justify="right" if col.numeric else "left")
                self.add_column(label, width=width, key=col.key)
        for key in order:
            self._add(key)
        self._dirty_order = True
        self.resort()
        self.select_key(selected)

    # -- rows ------------------------------------------------------------------------

    def _add(self, key: str) -> None:
        cells = self._cells[key]
        values = [cells.get(col.key, Text("")) for col, _ in self.shown]
        if values:
            values[0] = self._keyed(key, values[0])
        self.add_row(*values, key=key)

    @staticmethod
    def _keyed(key: str, cell: Text) -> KeyedText:
        keyed = KeyedText(cell.plain, style=cell.style, justify=cell.justify, no_wrap=True, overflow="ellipsis",
                          end="", spans=list(cell.spans))
        keyed.row_key = key
        return keyed

    def put(self, key: str, cells: Mapping[str, Text], sort_value: Any) -> None:
        """Show row ``key`` with ``cells``: added if new, else only changed cells rewritten."""
        old = self._cells.get(key)
        if old is None:
            self._sort_values[key] = sort_value
            self._cells[key] = dict(cells)
            self._add(key)
            if self._tail is not _MISSING and not self.reverse and sort_value >= self._tail:
                self._tail = sort_value  # it belongs at the bottom, where it was added
            else:
                self._dirty_order = True
            return
        if sort_value != self._sort_values.get(key, _MISSING):
            self._sort_values[key] = sort_value
            self._dirty_order = True
        first = self.shown[0][0].key if self.shown else None
        changed: dict[str, Text] = {}
        for col, _ in self.shown:
            new = cells.get(col.key)
            if new is None or same(old.get(col.key), new):
                continue
            changed[col.key] = self._keyed(key, new) if col.key == first else new
        old.update(cells)
        if changed:
            self._write(key, changed)

    def render_lines(self, crop: Region) -> list[Strip]:
        """Paint, first dropping render-cache entries that can no longer be hit.

        ``DataTable`` keys its row, cell and line caches on an update count that
        every change bumps, so after a change the older entries are never read
        again; they used to stay until each cache's size cap (10,000 cells,
        1,000 lines) pushed them out, which made a busy dashboard grow for its
        first few million events.
        """
        if self._update_count != self._caches_at:
            self._caches_at = self._update_count
            for name in _RENDER_CACHES:
                cache = getattr(self, name, None)  # Textual's private names: skip any that go away
                if cache is not None:
                    cache.clear()
        return super().render_lines(crop)

    def _update_dimensions(self, new_rows: Any) -> None:
        """Only the table's size: every column has a fixed width and every row is one line,
        so measuring each new row's cells (what ``DataTable`` does here) could change nothing."""
        super()._update_dimensions(())

    def _write(self, key: str, changed: Mapping[str, Text]) -> None:
        """Write cells of row ``key`` and repaint that row alone, if it is in view.

        ``DataTable.update_cell`` repaints the whole table for every cell; here
        the widths cannot change (every column has a fixed width) and every row
        is one line high, so the row's line is all that needs drawing again.
        """
        row_key = RowKey(key)
        data = self._data[row_key]
        for column, value in changed.items():
            data[ColumnKey(column)] = value
        self._update_count += 1  # the table's render caches are keyed on this count
        index = self._row_locations.get(row_key)
        if index is None:
            return
        y = index + (self.header_height if self.show_header else 0)
        row = Region(0, y, max(self.size.width, self.virtual_size.width), 1)
        if self.window_region.overlaps(row):
            self.refresh(row.translate(-self.scroll_offset))

    def drop(self, keys: Sequence[str]) -> None:
        """Remove rows by key (a big removal rebuilds the table once instead)."""
        present = [k for k in keys if k in self._cells]
        if not present:
            return
        selected = self.selected_key()
        for key in present:
            del self._cells[key]
            self._sort_values.pop(key, None)
        if len(present) > BULK_REMOVE:
            self._rebuild()
        else:
            for key in present:
                self.remove_row(key)
        self.select_key(selected)

    def has(self, key: str) -> bool:
        return key in self._cells

    def keys(self) -> set[str]:
        return set(self._cells)

    def row_keys(self) -> list[str]:
        """Row keys in the order shown."""
        return [row.key.value for row in self.ordered_rows if row.key.value is not None]

    def selected_key(self) -> str | None:
        if not self.row_count or not self.is_valid_row_index(self.cursor_row):
            return None
        return self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value

    def select_key(self, key: str | None) -> None:
        if key is None or key not in self._cells:
            return
        index = self.get_row_index(key)
        if index != self.cursor_row:
            self.move_cursor(row=index, animate=False)

    # -- order -----------------------------------------------------------------------

    def set_order(self, values: Mapping[str, Any], reverse: bool) -> None:
        """New sort values for every row (after the sort column changed)."""
        self._sort_values = {k: values.get(k) for k in self._cells}
        self.reverse = reverse
        self._dirty_order = True
        self.resort()

    def resort(self, follow: bool = True) -> bool:
        """Sort if a row was added or a sort value changed since the last sort.

        The cursor stays on its row (``follow``), or on the top row when the
        table has just been filled.
        """
        if not self._dirty_order or not self.shown or not self.row_count:
            return False
        self._dirty_order = False
        selected = self.selected_key() if follow else None
        values = self._sort_values
        first = self.shown[0][0].key
        self.sort(first, key=lambda cell: values.get(cell.row_key), reverse=self.reverse)
        self._tail = max(values.values()) if values and not self.reverse else _MISSING
        if follow:
            self.select_key(selected)
        elif self.cursor_row:
            self.move_cursor(row=0, animate=False)
        return True


_MISSING = object()
