"""A DataTable whose rows are records kept by their owner.

Each shown row is a :class:`TableRow`: the ``DataTable`` row itself, carrying
the raw values, the cells (the very dict the table paints from), the value
the table is ordered by and the search text. The table keeps nothing else
per row, so a change is written once and costs what changed: a changed cell
repaints its own line, if in view; a row whose sort value changed is moved
to its place; rows come and go by key. Every column has a fixed width and
every row is one line high, so nothing is measured per row.

``DataTable`` has no public calls for moving one row, writing a cell without
repainting the whole table, or adding many rows at once; the private parts
used for that are named in :data:`TEXTUAL_INTERNALS`, and a test checks they
still exist.
"""

from __future__ import annotations

from bisect import insort
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from typing import Any, TypeVar, cast

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual._two_way_dict import TwoWayDict
from textual.cache import LRUCache
from textual.geometry import Region
from textual.strip import Strip
from textual.widgets import DataTable
from textual.widgets.data_table import ColumnKey, RowKey

from aisci_tui.store.query import Column, fit_columns
from aisci_tui.tui.widgets.tablerow import TableRow, cell_line, changed_cells

#: ``DataTable``'s private attributes and methods used here (tests/tui/test_table_rows.py checks them).
TEXTUAL_INTERNALS = (
    "_data",  # row key -> {column key: cell}: here, each record's own cells dict
    "_header_row_key",  # the key DataTable gives the header row when mapping a line to a row
    "_row_locations",  # row key <-> index: the order, written by :meth:`KeyedTable.resort`
    "_update_count",  # the render caches' generation
    "_require_update_dimensions",  # virtual size to be recomputed on idle
    "_update_dimensions",  # overridden: no measuring of cells
    "_get_offsets",  # overridden: one line per row
    "_render_cell",
    "_get_styles_to_render_cell",
    "_column_locations",
    "_show_hover_cursor",
    "_pseudo_class_state",  # a body cell drawn from its Text directly, keyed as DataTable keys it
    "_total_row_height",  # overridden: one line per row
    "_row_render_cache",
    "_cell_render_cache",
    "_row_renderable_cache",
    "_line_cache",
)
#: Render caches keyed on the update count (cleared when it moves; entries of written cells dropped).
_RENDER_CACHES = TEXTUAL_INTERNALS[-4:]
SCROLLBAR = 2
_BLANK = Text("")
#: More pending moves than this share of the rows: the order is rebuilt by one sort.
RESORT_SHARE = 0.125
_Key = TypeVar("_Key")


def _discard_where(cache: LRUCache[_Key, Any], hit: Callable[[_Key], bool]) -> None:
    for key in [k for k in cache.keys() if hit(k)]:  # noqa: SIM118 - an LRU cache, not a dict
        cache.discard(key)


class KeyedTable(DataTable):
    """Rows by key, cells written in place, columns fitted to the width."""

    DEFAULT_CSS = """
    KeyedTable { height: 1fr; }
    """

    def __init__(self, columns: Sequence[Column], *, id: str | None = None) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, id=id)
        self.specs = list(columns)
        #: Optional columns that some row has a value for (the others stay hidden).
        self.present: set[str] = set()
        #: Widest cell seen per column (for widths from content).
        self.widest: dict[str, int] = {}
        self.shown: list[tuple[Column, int]] = []
        self._labels: dict[str, str] = {}
        self.reverse = False
        #: Rows added or whose sort value changed since the last :meth:`resort`.
        self._pending: set[RowKey] = set()
        self._full_sort = False
        self._fitted_for = -1
        #: Cells written in place since the last paint, by row (their cached renderings are dropped).
        self._stale: dict[RowKey, set[str]] = {}
        #: How many times the table has painted (a view waits for the paint after a big change).
        self.paints = 0

    @property
    def records(self) -> dict[RowKey, TableRow]:
        """``rows``, typed as what they are: :meth:`add` is the only way in and takes TableRows."""
        return cast(dict[RowKey, TableRow], self.rows)

    # -- columns -------------------------------------------------------------------

    def fit(self, width: int, labels: Mapping[str, str] | None = None) -> bool:
        """Choose the columns for ``width`` cells (and header labels); rebuild them if anything changed."""
        labels = dict(labels or {})
        skip = [c.key for c in self.specs if c.optional and c.key not in self.present]
        shown = fit_columns(self.specs, max(0, width - SCROLLBAR), self.cell_padding, skip, self.widest)
        self._fitted_for = width
        if shown == self.shown and labels == self._labels and self.columns:
            return False
        same_columns = [c.key for c, _ in shown] == [c.key for c, _ in self.shown] and bool(self.columns)
        self.shown, self._labels = shown, labels
        if same_columns:
            for col, cells in shown:  # only widths or labels changed: no row is touched
                column = self.columns[ColumnKey(col.key)]
                column.width, column.label = cells, self._label(col)
            self._update_count += 1
            self._require_update_dimensions = True
            self.check_idle()
            self.refresh()
        else:
            self._set_columns()
        return True

    def _label(self, col: Column) -> Text:
        return Text(
            self._labels.get(col.key, col.label),
            no_wrap=True,
            overflow="ellipsis",
            justify="right" if col.numeric else "left",
        )

    def refit(self, force: bool = False) -> bool:
        width = self.size.width or (self.app.size.width if self.is_attached else 80)
        if width == self._fitted_for and self.columns and not force:
            return False
        return self.fit(width, self._labels)

    def on_resize(self) -> None:
        if self.shown:
            self.refit()

    def _set_columns(self) -> None:
        """Put the fitted columns in place; rows keep their cells (every column's are in them)."""
        selected = self.selected_key()
        rows = self.records
        records = [rows[row.key] for row in self.ordered_rows]
        self.clear(columns=True)
        for col, width in self.shown:
            self.add_column(self._label(col), width=width, key=col.key)
        self.add(records)
        self.resort(follow=False)
        self.select_key(selected)

    # -- rows ------------------------------------------------------------------------

    def add(self, records: Iterable[TableRow]) -> None:
        """Show ``records`` (placed by their sort values at the next :meth:`resort`)."""
        records = [r for r in records if r.key not in self.rows]
        if not records:
            return
        before = self._in_view()
        data, rows, places = self._data, self.rows, self._row_locations
        last = self._last()
        n = len(rows)
        for record in records:
            key = record.key
            for col, _ in self.shown:
                record.cells.setdefault(col.key, _BLANK)
            data[key] = record.cells  # type: ignore[assignment]
            rows[key] = record
            places[key] = n
            n += 1
            if last is None or self.reverse or record.sort < last.sort:
                self._pending.add(key)
            last = last if last is not None and last.sort > record.sort else record
        self._require_update_dimensions = True
        self._update_count += 1
        self.cursor_coordinate = self.cursor_coordinate  # valid again now that rows exist
        self.check_idle()
        self._refresh_if_moved(before)

    def _in_view(self) -> list[RowKey | None]:
        """The keys on the lines in view, top to bottom."""
        top = round(self.scroll_y)
        get = self._row_locations.get_key
        return [get(i) for i in range(top, top + (self.size.height or 1))]

    def _refresh_if_moved(self, before: list[RowKey | None]) -> None:
        """Repaint the table if the rows in view are not the ones that were (before an order change)."""
        if self._in_view() != before:
            self.refresh()

    def _last(self) -> TableRow | None:
        """The bottom row (while ascending, the largest sort value)."""
        if not self.rows or self.reverse or self._pending:
            return None
        key = self._row_locations.get_key(len(self.rows) - 1)
        return self.records.get(key) if key is not None else None

    def put(self, key: str, cells: Mapping[str, Text], sort_value: Any = 0) -> TableRow:
        """Show row ``key`` with ``cells``: added if new, else only what changed written; then sorted."""
        record = self.rows.get(RowKey(key))
        if record is None:
            record = TableRow.make(key, cells=dict(cells), sort=sort_value)
            self.add([record])
        else:
            assert isinstance(record, TableRow)
            self.write(record, changed_cells(record.cells, cells))
            if record.sort != sort_value:
                record.sort = sort_value
                self.moved(record)
        self.resort()
        return record

    def write(self, record: TableRow, changed: Mapping[str, Text]) -> None:
        """Write ``changed`` cells into ``record`` and repaint its line alone, if shown and in view."""
        if not changed:
            return
        record.cells.update(changed)
        record.search = None
        index = self._row_locations.get(record.key)
        if index is None or record.key not in self.rows:
            return
        self._stale.setdefault(record.key, set()).update(changed)
        y = index + (self.header_height if self.show_header else 0)
        line = Region(0, y, max(self.size.width, self.virtual_size.width), 1)
        if self.window_region.overlaps(line):
            self.refresh(line.translate(-self.scroll_offset))

    def moved(self, record: TableRow) -> None:
        """The sort value of a shown row changed: it moves at the next :meth:`resort`."""
        if record.key in self.rows:
            self._pending.add(record.key)

    def render_lines(self, crop: Region) -> list[Strip]:
        """Paint, first dropping render-cache entries that can no longer be hit.

        ``DataTable`` keys its row, cell and line caches on an update count, so
        after a change their older entries are never read again; left to the
        caches' size caps they would hold thousands of dead entries.
        """
        self.paints += 1
        if self._update_count != getattr(self, "_caches_at", None):
            self._caches_at = self._update_count
            for name in _RENDER_CACHES:
                getattr(self, name).clear()
            self._stale.clear()
        elif self._stale:
            self._purge()
        return super().render_lines(crop)

    def _purge(self) -> None:
        """Drop the cached renderings of the cells written since the last paint (and of their lines)."""
        stale, self._stale = self._stale, {}
        header = self.header_height if self.show_header else 0
        indexes = {i for i in (self._row_locations.get(k) for k in stale) if i is not None}
        lines = {i + header for i in indexes}
        _discard_where(self._cell_render_cache, lambda k: k[0] in stale and k[1] in stale[k[0]])
        _discard_where(self._row_render_cache, lambda k: k[0] in stale)
        _discard_where(self._line_cache, lambda k: k[0] in lines)
        _discard_where(self._row_renderable_cache, lambda k: k[1] in indexes)

    def _render_cell(
        self,
        row_index: int,
        column_index: int,
        base_style: Style,
        width: int,
        cursor: bool = False,
        hover: bool = False,
    ) -> list[list[Segment]]:
        """A body cell drawn straight from its one-line Text (what ``DataTable`` does through a
        padded, styled renderable and a general line splitter, at a fraction of the cost)."""
        row_key = self._row_locations.get_key(row_index) if row_index >= 0 else None
        column_key = self._column_locations.get_key(column_index) if column_index >= 0 else None
        cell = self._data[row_key].get(column_key) if row_key is not None and column_key is not None else None
        if (
            row_key is None
            or column_key is None
            or not isinstance(cell, Text)
            or row_index < self.fixed_rows
            or column_index < self.fixed_columns
        ):
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        key = (
            row_key,
            column_key,
            base_style,
            cursor,
            hover,
            self._show_hover_cursor,
            self._update_count,
            self._pseudo_class_state,
        )
        cache = self._cell_render_cache
        if key in cache:
            return cache[key]
        component, post = self._get_styles_to_render_cell(
            False,
            False,
            False,
            hover,
            cursor,
            self.show_cursor,
            self._show_hover_cursor,
            self.cursor_foreground_priority == "css",
            self.cursor_background_priority == "css",
        )
        pre = base_style + Style.from_meta({"row": row_index, "column": column_index}) + component
        line = cell_line(cell, self.app.console, self.app.console_options, width, self.cell_padding, pre, post)
        cache[key] = result = [line]
        return result

    def _update_dimensions(self, new_rows: Any) -> None:
        """Only the table's size: every column has a fixed width and every row is one line."""
        super()._update_dimensions(())

    def _get_offsets(self, y: int) -> tuple[RowKey, int]:
        """The row at line ``y``: every row is one line, so no list of line offsets is needed."""
        if self.show_header:
            if y < self.header_height:
                return self._header_row_key, y
            y -= self.header_height
        key = self._row_locations.get_key(y)
        if key is None:
            raise LookupError(f"no row at line {y}")
        return key, 0

    @property
    def _total_row_height(self) -> int:
        return len(self.rows)

    def drop(self, keys: Collection[str]) -> None:
        """Remove rows by key, in one pass over the order."""
        gone = {RowKey(k) for k in keys if k in self.rows}
        if not gone:
            return
        selected = self.selected_key()
        order = [k for k in self._ascending() if k not in gone]
        for key in gone:
            del self.rows[key]
            del self._data[key]
            self._pending.discard(key)
        self._place(order)
        self._require_update_dimensions = True
        self.cursor_coordinate = self.cursor_coordinate
        self.check_idle()
        self.refresh(layout=True)
        self.select_key(selected)

    def has(self, key: str) -> bool:
        return key in self.rows

    def keys(self) -> set[str]:
        return {k.value for k in self.rows if k.value is not None}

    def row_keys(self) -> list[str]:
        """Row keys in the order shown."""
        get = self._row_locations.get_key
        return [k.value for k in (get(i) for i in range(len(self.rows))) if k is not None and k.value is not None]

    def window(self, margin: int = 0) -> list[TableRow]:
        """The rows in view (and ``margin`` more on either side)."""
        top = max(0, round(self.scroll_y) - margin)
        height = (self.size.height or (self.app.size.height if self.is_attached else 24)) + 2 * margin
        get, rows = self._row_locations.get_key, self.records
        out = []
        for i in range(top, min(len(rows), top + height)):
            key = get(i)
            if key is not None:
                out.append(rows[key])
        return out

    def selected_key(self) -> str | None:
        if not self.row_count or not self.is_valid_row_index(self.cursor_row):
            return None
        key = self._row_locations.get_key(self.cursor_row)
        return key.value if key is not None else None

    def select_key(self, key: str | None) -> None:
        if key is None or key not in self.rows:
            return
        index = self.get_row_index(key)
        if index != self.cursor_row:
            self.move_cursor(row=index, animate=False)

    # -- order -----------------------------------------------------------------------

    def set_order(self, reverse: bool) -> None:
        """Every row's sort value changed (the sort column did): sort them all."""
        self.reverse = reverse
        self._full_sort = True
        self.resort()

    def _ascending(self) -> list[RowKey]:
        """Row keys from the smallest sort value up, as placed now."""
        get, n = self._row_locations.get_key, len(self._row_locations._forward)
        keys = [get(i) for i in range(n)]
        if self.reverse:
            keys.reverse()
        rows = self.rows
        return [k for k in keys if k in rows]

    def _place(self, ascending: list[RowKey]) -> None:
        order = ascending[::-1] if self.reverse else ascending
        self._row_locations = TwoWayDict(dict(zip(order, range(len(order)), strict=True)))
        self._update_count += 1

    def resort(self, follow: bool = True) -> bool:
        """Put rows added or changed since the last call in their places.

        The cursor stays on its row (``follow``), or goes to the top row.
        """
        if not self._pending and not self._full_sort:
            return False
        selected = self.selected_key() if follow else None
        rows = self.records
        before = self._in_view()

        def value(key: RowKey) -> Any:
            return rows[key].sort

        pending, self._pending = self._pending, set()
        if self._full_sort or len(pending) > RESORT_SHARE * len(rows):
            order = sorted(rows, key=value)
        else:
            order = [k for k in self._ascending() if k not in pending]
            for key in sorted(pending, key=value):
                insort(order, key, key=value)
        self._full_sort = False
        self._place(order)
        self._refresh_if_moved(before)
        if follow:
            self.select_key(selected)
        elif self.cursor_row:
            self.move_cursor(row=0, animate=False)
        return True
