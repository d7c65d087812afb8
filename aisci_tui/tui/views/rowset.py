"""The rows of a table view: one record per row, kept from the store's changes and shown by key.

A view says where its items come from (:meth:`RowSetView.collect`), how an
item becomes a row of raw values (:meth:`RowSetView.build_row`) and how a row
becomes cells (:meth:`RowSetView.build_cells`). This class keeps one
:class:`TableRow` per item (values, cells, sort value, search text, stamp),
rebuilds only those whose item changed, decides which are shown (session
scope, ``f`` filter, ``/`` text) and shows them in a :class:`KeyedTable`.
Time-dependent cells are brought up to date only for the rows in view.

A paced sync (the dashboard's) draws the rows in or near the view first and
at most :data:`ROWS_PER_SYNC` others; the rest wait for :meth:`catch_up`
(which draws for up to :data:`CATCH_UP_SECONDS`), so a view switch or a burst
never holds a key press for long.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.css.query import NoMatches
from textual.widgets import Static
from textual.widgets.data_table import RowKey

from aisci_tui.store import Changes, Store
from aisci_tui.store.query import (
    ALL,
    Column,
    FilterCycle,
    Row,
    SessionTally,
    matches,
    search_text,
    sort_key,
)
from aisci_tui.tui.views.base import StoreView, ViewContext
from aisci_tui.tui.views.pacing import ROW_COST, Backlog, choose, enqueue
from aisci_tui.tui.widgets.table import KeyedTable
from aisci_tui.tui.widgets.tablerow import TableRow, changed_cells

#: In a paced sync, rows built beyond those in or near the view; the others wait for the next syncs
#: (longest waiting first, so under any rate every row is drawn within rows / ROWS_PER_SYNC syncs).
ROWS_PER_SYNC = 60
#: How long one :meth:`RowSetView.catch_up` may draw waiting rows for (at least ROWS_PER_SYNC of them).
CATCH_UP_SECONDS = 0.03


def empty_label() -> Static:
    """The line that says why a table is empty (hidden until it is)."""
    label = Static(classes="view-empty")
    label.display = False
    return label


class RowValues(Mapping[str, Row]):
    """The rows' raw values by key (a read-only view of the records)."""

    def __init__(self, records: dict[str, TableRow]) -> None:
        self._records = records

    def __getitem__(self, key: str) -> Row:
        return self._records[key].values

    def __iter__(self) -> Any:
        return iter(self._records)

    def __len__(self) -> int:
        return len(self._records)


class RowSetView(StoreView):
    """A view whose main content is a :class:`KeyedTable` of store items (sorting, filters and
    opening are added by :class:`~aisci_tui.tui.views.table.TableView`)."""

    COLUMNS: ClassVar[Sequence[Column]] = ()
    #: Store table the rows come from ("agents", "experiments", …).
    KIND: ClassVar[str] = ""
    #: Extra row fields written by :meth:`export_rows` (ids and the like).
    EXPORT_EXTRA: ClassVar[tuple[str, ...]] = ()
    #: Rows have time-dependent cells: :meth:`refresh_live` runs on every sync for the rows in view.
    LIVE: ClassVar[bool] = False
    #: Newest first when no column is chosen for sorting.
    NEWEST_FIRST: ClassVar[bool] = False
    #: Shown while the store has nothing for this view.
    EMPTY: ClassVar[str] = "Nothing has arrived yet."
    #: The title's extra count: (row field, value, word), e.g. ("status", "busy", "busy") → "· 9 busy".
    COUNT: ClassVar[tuple[str, str, str] | None] = None

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.filters = FilterCycle(self.FILTER_LABEL or "filter", self.filter_states())
        self.text = ""
        self.sort_column: str | None = None
        self.reverse = self.NEWEST_FIRST
        #: One record per row, shown or not.
        self.records: dict[str, TableRow] = {}
        self.rows = RowValues(self.records)
        self._next_arrival = 0
        self._scope: Any = None
        #: Rows whose values are current but whose cells wait for a later sync.
        self._backlog = Backlog()
        #: Of the shown rows, how many have each value of the COUNT field.
        self._tally: Counter[Any] = Counter()
        #: Seconds one drawn row took at the last sync that drew many (paces catch_up).
        self.row_cost = ROW_COST
        self._table: KeyedTable | None = None
        #: Seconds a catch_up may spend drawing (None: ROWS_PER_SYNC rows at most).
        self._budget: float | None = None
        #: Session membership (up to date while a session is chosen).
        self.sessions = SessionTally()
        self._sessions_current = False

    # -- for subclasses ---------------------------------------------------------------

    def filter_states(self) -> Sequence[Any]:
        return [ALL]

    def collect(self, store: Store, changes: Changes, full: bool) -> tuple[dict[str, Any], set[str]]:
        """Items to (re)build as ``{key: item}``, and keys that are gone."""
        table = store.table(self.KIND)
        records = self.records
        if full:
            updated = {k: e for k, e in table.items() if (r := records.get(k)) is None or r.stamp != e.event_id}
            gone = records.keys() - table.keys()
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

    def session_scope(self, ctx: ViewContext) -> tuple[str, frozenset[str]] | None:
        """The chosen session and the ids of its agents (None when no session is chosen)."""
        return (ctx.session_id, self.sessions.agent_ids(ctx.session_id)) if ctx.session_id else None

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
        if not self.records:
            return self.EMPTY
        return "Nothing matches the filters in use (f cycles the filter, / edits the text filter)."

    def show_empty(self) -> None:
        message = self.empty_message()
        for label in self.query(".view-empty").results(Static):
            label.display = message is not None
            if message is not None:
                label.update(Text(message))

    def _sort_labels(self) -> dict[str, str]:
        """Header labels in place of the columns' own (a sorting view marks its sort column)."""
        return {}

    def _fit_labels(self) -> None:
        table = self.table
        table.fit(table.size.width or (self.app.size.width if self.is_attached else 80), self._sort_labels())

    @property
    def table(self) -> KeyedTable:
        if self._table is None:
            self._table = self.query_one(KeyedTable)
        return self._table

    def ready(self) -> bool:
        try:
            _ = self.table
        except NoMatches:
            return False
        return True

    def stamp_of(self, key: str | None) -> Hashable:
        record = self.records.get(key) if key is not None else None
        return record.stamp if record is not None else None

    def restyle(self) -> None:
        if self._ctx is None or not self.ready():
            return
        self._backlog.clear()
        for record in self.records.values():
            self._draw(record, self._ctx)
        self._show(list(self.records), self._ctx)

    def reset(self) -> None:
        self.records.clear()
        self._backlog.clear()
        self._tally.clear()
        if self.ready():
            self.table.drop(list(self.table.keys()))

    def update_view(self, store: Store, changes: Changes, ctx: ViewContext, full: bool) -> None:
        table = self.table
        if not table.columns:
            table.reverse = self.reverse
            self._fit_labels()
        updated, gone = self.collect(store, changes, full)
        for key in gone:
            self._forget(key)
        for key in self.related(store, changes) - updated.keys():
            if key in self.records:
                updated[key] = self._item(store, key)
        fresh = [k for k, item in updated.items() if item is not None and k not in self.records]
        if not full:  # a full pass already walks the store in its order
            fresh.sort(key=lambda k: (self.arrival_of(updated[k]), k))
        for key in fresh:
            self.records[key] = TableRow.make(key, arrival=self._next_arrival)
            self._next_arrival += 1
        count = self.COUNT[0] if self.COUNT else None
        built: list[str] = []
        for key, item in updated.items():
            if item is None:
                continue
            record = self.records[key]
            counted = count if count is not None and table.has(key) else None
            if counted is not None:
                self._tally[record.values.get(counted)] -= 1
            record.values = self.build_row(store, key, item, ctx)
            record.stamp = self.stamp(item)
            if counted is not None:
                self._tally[record.values.get(counted)] += 1
            self._place(record)
            built.append(key)
        backlog = self._backlog
        enqueue(self, built)
        if ctx.session_id is not None:  # who belongs to the chosen session, kept from the changes
            self.sessions.update(store, changes, full or not self._sessions_current)
        self._sessions_current = ctx.session_id is not None
        scope = self.scope(store, ctx)
        rescope = scope != self._scope
        self._scope = scope
        if self._paced and not self.text:  # the text filter searches every row's cells
            draw = choose(self, ctx, backlog, ROWS_PER_SYNC, self._budget)
        else:
            draw = set(backlog)
        backlog.discard(draw)
        self._note_optional(draw)
        started, grown = time.perf_counter(), False
        for key in draw:
            record = self.records[key]
            if self.LIVE and key not in updated:  # built at an earlier sync: ages to now
                self.refresh_live(record.values, ctx)
            grown = self._draw(record, ctx) or grown
        if len(draw) >= 20:
            self.row_cost = (time.perf_counter() - started) / len(draw)
        if grown:
            table.refit(force=True)
        if self.LIVE:
            for record in table.window():
                if record.id not in draw and self.refresh_live(record.values, ctx):
                    table.write(record, changed_cells(record.cells, self.live_cells(record.values, ctx)))
        everything = rescope or (full and not self._paced)
        self._show(self.records.keys() if everything else draw | gone, ctx, backlog)
        if full and self._paced and self._budget is None:
            backlog.hold(table.paints)

    def behind(self) -> bool:
        return bool(self._backlog)

    def warm(self, store: Store, ctx: ViewContext, budget: float) -> bool:
        """While hidden: build the values of rows not seen yet, for up to ``budget`` seconds.

        Their cells wait (as a paced sync's do), so when the view is shown only
        what is in view is drawn at once. True if there was something to do.
        """
        if not self.KIND or not self.ready() or self._store not in (None, store):
            return False
        items = store.table(self.KIND)
        if len(self.records) >= len(items):
            return False
        end = time.perf_counter() + budget
        for key, item in items.items():
            if key in self.records:
                continue
            self.records[key] = record = TableRow.make(key, arrival=self._next_arrival)
            self._next_arrival += 1
            record.values = self.build_row(store, key, item, ctx)
            record.stamp = self.stamp(item)
            record.sort = self._sort_value(record)
            self._backlog.add(key, record.sort)
            if time.perf_counter() > end:
                break
        return True

    def catch_up(self) -> None:
        """Draw rows a paced sync left for later, for up to :data:`CATCH_UP_SECONDS`."""
        if self._backlog and self._store is not None and self._ctx is not None and self.ready():
            if self._backlog.held(self.table.paints):  # what is in view is painted before more is drawn
                return
            self._paced, self._budget = True, CATCH_UP_SECONDS
            try:
                self.update_view(self._store, Changes(), self._ctx, False)
            finally:
                self._paced, self._budget = False, None

    def _flush(self, live: bool = False) -> None:
        """Draw every row left for later (before something looks at all rows' cells); with ``live``,
        bring every row's time-dependent values and cells up to date too, not only those in view."""
        ctx = self._ctx
        if self._store is None or ctx is None or not self.ready():
            return
        if self._backlog:
            self.update_view(self._store, Changes(), ctx, False)
        if live and self.LIVE:
            for record in self.records.values():
                if self.refresh_live(record.values, ctx):
                    self.table.write(record, changed_cells(record.cells, self.live_cells(record.values, ctx)))

    def _note_optional(self, keys: set[str]) -> None:
        """Reveal optional columns once some row has a value for them."""
        table = self.table
        missing = [c.key for c in self.COLUMNS if c.optional and c.key not in table.present]
        if not missing or not keys:
            return
        found = {c for c in missing if any(self.records[k].values.get(c) not in (None, "") for k in keys)}
        if found:
            table.present |= found
            table.refit(force=True)

    def _item(self, store: Store, key: str) -> Any:
        return store.table(self.KIND).get(key) if self.KIND else None

    def _forget(self, key: str) -> None:
        self.records.pop(key, None)  # its row, if shown, goes at the next _show
        self._backlog.discard([key])

    def _draw(self, record: TableRow, ctx: ViewContext) -> bool:
        """Build the cells of ``record`` (written in place if shown); True if a column's widest cell grew."""
        cells = self.build_cells(record.values, ctx)
        table = self.table
        widest, grown = table.widest, False
        for name, text in cells.items():
            if text.cell_len > widest.get(name, 0):
                widest[name] = text.cell_len
                grown = True
        table.write(record, changed_cells(record.cells, cells))
        return grown

    def _place(self, record: TableRow) -> None:
        """Bring the record's sort value up to date (a shown row moves at the next resort)."""
        value = self._sort_value(record)
        if value != record.sort:
            record.sort = value
            self.table.moved(record)

    def _haystack(self, record: TableRow) -> str:
        """What the ``/`` filter searches in a row (built when first needed)."""
        if record.search is None:
            cells = record.cells
            record.search = search_text(cells[c.key].plain for c in self.COLUMNS if c.key in cells)
        return record.search

    def _wanted(self, record: TableRow, ctx: ViewContext) -> bool:
        return (
            self.in_scope(record.id, record.values, self._scope, ctx)
            and self.filters.state.accepts(record.values)
            and (not self.text or matches(self._haystack(record), self.text))
        )

    def _column(self, key: str | None) -> Column | None:
        return next((c for c in self.COLUMNS if c.key == key), None)

    def _sort_value(self, record: TableRow) -> Any:
        col = self._column(self.sort_column)
        if col is None:
            return record.arrival
        return (sort_key(record.values.get(col.sort_by or col.key), self.reverse), record.arrival)

    def _show(self, keys: Iterable[str], ctx: ViewContext, later: Any = frozenset()) -> None:
        """Show the wanted rows among ``keys`` and take the others out (rows in ``later`` wait)."""
        table = self.table
        filled = table.row_count > 0
        drop, add = [], []
        count = self.COUNT[0] if self.COUNT else None
        for key in keys:
            record = self.records.get(key)
            present = table.has(key)
            if record is None:
                if present:
                    drop.append(key)
                continue
            if key in later and not present:
                continue
            wanted = self._wanted(record, ctx)
            if wanted and not present:
                add.append(record)
            elif present and not wanted:
                drop.append(key)
        if count is not None:
            for key in drop:
                self._tally[table.records[RowKey(key)].values.get(count)] -= 1
            self._tally.update(r.values.get(count) for r in add)
        table.drop(drop)
        table.add(add)
        table.resort(follow=filled)
        self.show_empty()

    def _refilter(self) -> None:
        if self._ctx is not None and self.is_mounted and self.ready():
            self._flush()
            self._show(list(self.records), self._ctx)
