"""Common machinery of the table views: rows by key, filters, sort, export.

A subclass says where its items come from (:meth:`TableView.collect`), how an
item becomes a row of raw values (:meth:`TableView.build_row`) and how a row
becomes cells (:meth:`TableView.build_cells`). This class keeps the rows,
rebuilds only those whose item changed, decides which are shown (session
scope, ``f`` filter, ``/`` text) and hands them to a :class:`KeyedTable`.

A paced sync (the dashboard's) draws the rows in or near the view first and
at most :data:`ROWS_PER_SYNC` others; the rest wait for :meth:`catch_up` on
the next ticks, so a view switch or a burst never holds a key press for long.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.css.query import NoMatches
from textual.widgets import DataTable, Static

from aisci_tui.protocol.models import Filters
from aisci_tui.store import Changes, Store
from aisci_tui.store.query import ALL, Column, FilterCycle, Row, matches, search_text, sort_key
from aisci_tui.store.rows import export_value
from aisci_tui.tui.views.base import StoreView, ViewContext
from aisci_tui.tui.widgets.table import KeyedTable

#: In a paced sync, rows built beyond those in or near the view; the others wait for the next syncs
#: (longest waiting first, so under any rate every row is drawn within rows / ROWS_PER_SYNC syncs).
ROWS_PER_SYNC = 60


def empty_label() -> Static:
    """The line that says why a table is empty (hidden until it is)."""
    label = Static(classes="view-empty")
    label.display = False
    return label


class TableView(StoreView):
    """A view whose main content is a :class:`KeyedTable` of store items."""

    COLUMNS: ClassVar[Sequence[Column]] = ()
    #: Store table the rows come from ("agents", "experiments", …).
    KIND: ClassVar[str] = ""
    #: Extra row fields written by :meth:`export_rows` (ids and the like).
    EXPORT_EXTRA: ClassVar[tuple[str, ...]] = ()
    #: Rows have time-dependent cells: :meth:`refresh_live` runs on every sync.
    LIVE: ClassVar[bool] = False
    #: Newest first when no column is chosen for sorting.
    NEWEST_FIRST: ClassVar[bool] = False
    #: Shown while the store has nothing for this view.
    EMPTY: ClassVar[str] = "Nothing has arrived yet."

    DEFAULT_CSS = """
    TableView .view-empty { height: auto; padding: 1 2; color: $text-muted; }
    """

    BINDINGS: ClassVar[list[Binding]] = [
        Binding("enter", "open_selected", "Open", id="view.open"),
    ]

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.filters = FilterCycle(self.FILTER_LABEL or "filter", self.filter_states())
        self.text = ""
        self.sort_column: str | None = None
        self.reverse = self.NEWEST_FIRST
        self.rows: dict[str, Row] = {}
        self._cells: dict[str, dict[str, Text]] = {}
        self._search: dict[str, str] = {}
        self._stamps: dict[str, Hashable] = {}
        self._arrival: dict[str, int] = {}
        self._next_arrival = 0
        self._scope: Any = None
        #: Rows whose values are current but whose cells and table row wait for a later sync (oldest first).
        self._later: dict[str, None] = {}

    # -- for subclasses ---------------------------------------------------------------

    def filter_states(self) -> Sequence[Any]:
        return [ALL]

    def collect(self, store: Store, changes: Changes, full: bool) -> tuple[dict[str, Any], set[str]]:
        """Items to (re)build as ``{key: item}``, and keys that are gone."""
        table = store.table(self.KIND)
        if full:
            updated = {k: e for k, e in table.items() if self._stamps.get(k) != e.event_id}
            gone = set(self.rows) - table.keys()
        else:
            changed = getattr(changes, self.KIND)
            updated = {k: table[k] for k in changed if k in table}
            gone = {k for kind, k in changes.removed if kind == self.KIND} | (changed - table.keys())
        return updated, gone

    def stamp(self, item: Any) -> Hashable:
        """What changes when an item changes (an entity's event id)."""
        return item.event_id

    def arrival_of(self, item: Any) -> float:
        """Orders items first seen in the same sync (an entity's arrival time)."""
        return item.arrived

    def build_row(self, store: Store, key: str, item: Any, ctx: ViewContext) -> Row:
        raise NotImplementedError

    def build_cells(self, row: Row, ctx: ViewContext) -> dict[str, Text]:
        raise NotImplementedError

    def scope(self, store: Store, ctx: ViewContext) -> Any:
        """What decides which rows belong to the chosen session (None: no session chosen).

        Compared between syncs: when it changes every row is checked again, so
        it should change only when membership can (e.g. an agent joined).
        """
        return None

    def in_scope(self, key: str, row: Row, scope: Any, ctx: ViewContext) -> bool:
        return scope is None or key in scope

    def refresh_live(self, row: Row, ctx: ViewContext) -> bool:
        """Update time-dependent values of ``row`` for ``ctx.now``; True if any shown text changed."""
        return False

    def live_cells(self, row: Row, ctx: ViewContext) -> dict[str, Text]:
        """The cells :meth:`refresh_live` can change (by default all of them)."""
        return self.build_cells(row, ctx)

    def related(self, store: Store, changes: Changes) -> set[str]:
        """Keys of rows that show something from another table that changed (e.g. an agent's name)."""
        return set()

    # -- building ---------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield KeyedTable(self.COLUMNS, id=f"{self.VIEW_ID}-table")
        yield empty_label()

    def empty_message(self) -> str | None:
        """Why the table is empty (nothing yet, or nothing passes the filters), or None."""
        if self.table.row_count:
            return None
        if not self.rows:
            return self.EMPTY
        return "Nothing matches the filters in use (f cycles the filter, / edits the text filter)."

    def show_empty(self) -> None:
        message = self.empty_message()
        for label in self.query(".view-empty").results(Static):
            label.display = message is not None
            if message is not None:
                label.update(Text(message))

    @property
    def table(self) -> KeyedTable:
        return self.query_one(KeyedTable)

    def ready(self) -> bool:
        try:
            self.table
        except NoMatches:
            return False
        return True

    def restyle(self) -> None:
        if self._ctx is None or not self.ready():
            return
        self._later.clear()
        for key in self.rows:
            self._restyle_row(key, self._ctx)
        self._show(list(self.rows), self._ctx, changed=self.rows.keys())

    def reset(self) -> None:
        for table in (self.rows, self._cells, self._search, self._stamps, self._arrival):
            table.clear()
        self._later.clear()
        if self.ready():
            self.table.drop(list(self.table.keys()))

    def update_view(self, store: Store, changes: Changes, ctx: ViewContext, full: bool) -> None:
        table = self.table
        if not table.columns:
            table.reverse = self.reverse
            self._fit_labels()
        updated, gone = self.collect(store, changes, full)
        dirty: set[str] = set()
        for key in gone:
            self._forget(key)
        for key in self.related(store, changes) - updated.keys():
            if key in self.rows:
                updated[key] = self._item(store, key)
        fresh = [k for k, item in updated.items() if item is not None and k not in self._arrival]
        if not full:  # a full pass already walks the store in its order
            fresh.sort(key=lambda k: (self.arrival_of(updated[k]), k))
        for key in fresh:
            self._arrival[key] = self._next_arrival
            self._next_arrival += 1
        for key, item in updated.items():
            if item is None:
                continue
            self.rows[key] = self.build_row(store, key, item, ctx)
            self._stamps[key] = self.stamp(item)
            dirty.add(key)
        carried, self._later = list(self._later), {}
        waited = set(carried)
        dirty |= waited
        self._note_optional(dirty)
        scope = self.scope(store, ctx)
        rescope = scope != self._scope
        self._scope = scope
        later = self._defer(dirty, carried, ctx) if self._paced else {}
        dirty.difference_update(later)
        for key in dirty:
            if self.LIVE and key in waited and key not in updated:  # built at an earlier sync: ages to now
                self.refresh_live(self.rows[key], ctx)
            self._restyle_row(key, ctx)
        live: dict[str, dict[str, Text]] = {}
        if self.LIVE:
            for key, row in self.rows.items():
                if key not in dirty and key not in later and self.refresh_live(row, ctx):
                    live[key] = self.live_cells(row, ctx)
                    self._cells[key] = {**self._cells[key], **live[key]}
                    self._search.pop(key, None)
                    dirty.add(key)
        self._later = later
        self._show(self.rows.keys() if full or rescope else dirty | set(gone), ctx, dirty, gone, live, later)

    def _defer(self, dirty: set[str], carried: list[str], ctx: ViewContext) -> dict[str, None]:
        """The rows of ``dirty`` a paced sync leaves for later, oldest first: all but those in or
        near the view (at the top, around the scroll position and around the cursor) and
        :data:`ROWS_PER_SYNC` more (first those ``carried`` over from earlier syncs, then in
        display order)."""
        if len(dirty) <= ROWS_PER_SYNC or self.text:  # the text filter searches every row's cells
            return {}
        table = self.table
        order = [k for k in self.rows if table.has(k) or (k in dirty and self._wanted(k, ctx))]
        order.sort(key=self._sort_value, reverse=self.reverse)
        place = {k: i for i, k in enumerate(order)}
        reach = max(table.size.height, self.app.size.height if self.is_attached else 0) + 5  # a screen and a bit
        top = round(table.scroll_y)
        cursor = place.get(table.selected_key() or "", 0)

        def near(key: str) -> bool:
            at = place.get(key)
            return at is not None and (at < reach or abs(at - top) < reach or abs(at - cursor) < reach)

        waiting = [k for k in carried if not near(k)]
        old = set(carried)
        fresh = sorted((place.get(k, len(order)), k) for k in dirty if k not in old and not near(k))
        queue = waiting + [k for _, k in fresh]
        return dict.fromkeys(queue[ROWS_PER_SYNC:])

    def behind(self) -> bool:
        return bool(self._later)

    def catch_up(self) -> None:
        """Draw some of the rows a paced sync left for later (from the last sync's store and time)."""
        if self._later and self._store is not None and self._ctx is not None and self.ready():
            self._paced = True
            try:
                self.update_view(self._store, Changes(), self._ctx, False)
            finally:
                self._paced = False

    def _flush(self) -> None:
        """Draw every row left for later (before something that looks at all rows' cells)."""
        if self._later and self._store is not None and self._ctx is not None and self.ready():
            self.update_view(self._store, Changes(), self._ctx, False)

    def _note_optional(self, keys: set[str]) -> None:
        """Reveal optional columns once some row has a value for them."""
        table = self.table
        missing = [c.key for c in self.COLUMNS if c.optional and c.key not in table.present]
        if not missing or not keys:
            return
        found = {c for c in missing if any(self.rows[k].get(c) not in (None, "") for k in keys)}
        if found:
            table.present |= found
            table.refit(force=True)

    def _item(self, store: Store, key: str) -> Any:
        return store.table(self.KIND).get(key) if self.KIND else None

    def _forget(self, key: str) -> None:
        for table in (self.rows, self._cells, self._search, self._stamps, self._arrival):
            table.pop(key, None)
        self._later.pop(key, None)

    def _restyle_row(self, key: str, ctx: ViewContext) -> None:
        self._cells[key] = self.build_cells(self.rows[key], ctx)
        self._search.pop(key, None)

    def _haystack(self, key: str) -> str:
        """What the ``/`` filter searches in row ``key`` (built when first needed)."""
        text = self._search.get(key)
        if text is None:
            cells = self._cells[key]
            text = self._search[key] = search_text(cells[c.key].plain for c in self.COLUMNS if c.key in cells)
        return text

    def _wanted(self, key: str, ctx: ViewContext) -> bool:
        row = self.rows.get(key)
        if row is None:
            return False
        return (
            self.in_scope(key, row, self._scope, ctx)
            and self.filters.state.accepts(row)
            and (not self.text or matches(self._haystack(key), self.text))
        )

    def _sort_value(self, key: str) -> Any:
        arrival = self._arrival.get(key, 0)
        if self.sort_column is None:
            return arrival
        return (sort_key(self.rows[key].get(self.sort_column), self.reverse), arrival)

    def _show(self, keys: Any, ctx: ViewContext, changed: Any = frozenset(), gone: Any = frozenset(),
              live: Mapping[str, dict[str, Text]] | None = None, later: Any = frozenset()) -> None:
        """Put the wanted rows among ``keys`` in the table and take the others out.

        Rows not in ``changed`` that are already shown are left alone; ``live``
        holds rows where only time-dependent cells changed (only those are compared);
        rows in ``later`` are left as they are until a later sync.
        """
        table = self.table
        live = live or {}
        filled = table.row_count > 0
        drop = [k for k in gone if table.has(k)]
        for key in keys:
            if key in gone or key in later:
                continue
            present = table.has(key)
            if self._wanted(key, ctx):
                if present and key not in changed:
                    continue
                cells = live.get(key) if present else None
                table.put(key, cells or self._cells[key], self._sort_value(key))
            elif present:
                drop.append(key)
        table.drop(drop)
        table.resort(follow=filled)
        self.show_empty()

    def _refilter(self) -> None:
        if self._ctx is not None and self.is_mounted and self.ready():
            self._flush()
            self._show(list(self.rows), self._ctx)

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

    def _sortable(self) -> list[str]:
        shown = [col.key for col, _ in self.table.shown] if self.ready() else []
        return shown or [c.key for c in self.COLUMNS]

    def _column(self, key: str | None) -> Column | None:
        return next((c for c in self.COLUMNS if c.key == key), None)

    def _sort_label(self) -> str:
        col = self._column(self.sort_column)
        if col is None:
            return "sort: newest first" if self.reverse else "sort: arrival"
        return f"sort: {col.label.lower()} {'↓' if self.reverse else '↑'}"

    def sort_next(self) -> str:
        order = [None, *self._sortable()]
        index = order.index(self.sort_column) if self.sort_column in order else 0
        self.sort_column = order[(index + 1) % len(order)]
        col = self._column(self.sort_column)
        self.reverse = col.numeric if col else self.NEWEST_FIRST
        self._apply_sort()
        return self._sort_label()

    def sort_reverse(self) -> str:
        self.reverse = not self.reverse
        self._apply_sort()
        return self._sort_label()

    def _fit_labels(self) -> None:
        col = self._column(self.sort_column)
        labels = {col.key: f"{col.label} {'↓' if self.reverse else '↑'}"} if col else {}
        table = self.table
        table.fit(table.size.width or (self.app.size.width if self.is_attached else 80), labels)

    def _apply_sort(self) -> None:
        if not self.ready():
            return
        table = self.table
        self._fit_labels()
        table.set_order({k: self._sort_value(k) for k in table.keys()}, reverse=self.reverse)

    def export_rows(self) -> tuple[list[str], list[dict]]:
        columns = [c.key for c in self.COLUMNS] + [k for k in self.EXPORT_EXTRA if k not in {c.key for c in self.COLUMNS}]
        self._flush()
        keys = self.table.row_keys() if self.ready() else []
        return columns, [{c: export_value(self.rows[k].get(c)) for c in columns} for k in keys if k in self.rows]

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

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.open_selected()

    def on_show(self) -> None:
        if self.ready() and not self.screen.focused:
            self.table.focus()

    def cells_for(self, key: str) -> Mapping[str, Text]:
        self._flush()
        return self._cells.get(key, {})
