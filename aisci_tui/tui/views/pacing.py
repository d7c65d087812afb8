"""Which rows a paced sync draws now and which wait: those in or near the view go first.

The rows waiting are kept in a :class:`Backlog` between syncs: oldest first
(so none starves) and by sort value (so the waiting rows that would land in
a window in view are a slice, found by bisection). Positions of shown rows
come from the table's order. Choosing costs a look per row in view and per
row drawn, never a pass over the waiting rows or a sort of the table.
"""

from __future__ import annotations

import time
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from textual.widgets.data_table import RowKey

if TYPE_CHECKING:
    from aisci_tui.tui.views.base import ViewContext
    from aisci_tui.tui.views.rowset import RowSetView

#: Seconds one drawn row costs, until a view has measured its own.
ROW_COST = 50e-6
#: After a full paced sync (a view switch), drawing more rows waits this long at most for the table to paint.
PAINT_FIRST_SECONDS = 0.25


class Backlog:
    """Keys of rows whose cells wait for a later sync: oldest first, and filed by sort value."""

    def __init__(self) -> None:
        self._queue: dict[str, None] = {}
        #: The same keys from the smallest sort value up, the values beside them, and each key's value.
        self._keys: list[str] = []
        self._values: list[Any] = []
        self._filed: dict[str, Any] = {}
        #: After a full sync: the table's paint count then, and when (more rows wait for a paint).
        self._hold: tuple[int, float] | None = None

    def __len__(self) -> int:
        return len(self._queue)

    def __bool__(self) -> bool:
        return bool(self._queue)

    def __contains__(self, key: object) -> bool:
        return key in self._queue

    def __iter__(self) -> Iterator[str]:
        return iter(self._queue)

    def add(self, key: str, value: Any) -> None:
        """Queue ``key`` (at the end, unless it already waits) and file it under sort ``value``."""
        self._queue[key] = None
        if key in self._filed:
            if self._filed[key] == value:
                return
            self._unfile(key)
        i = bisect_left(self._values, value)
        self._keys.insert(i, key)
        self._values.insert(i, value)
        self._filed[key] = value

    def discard(self, keys: Iterable[str]) -> None:
        keys = [k for k in keys if k in self._queue]
        for key in keys:
            del self._queue[key]
        if len(keys) > 64 and len(keys) > len(self._keys) // 8:  # many: one pass instead of many shifts
            gone = set(keys)
            for key in keys:
                del self._filed[key]
            kept = [(k, v) for k, v in zip(self._keys, self._values, strict=True) if k not in gone]
            self._keys, self._values = [k for k, _ in kept], [v for _, v in kept]
        else:
            for key in keys:
                self._unfile(key)

    def _unfile(self, key: str) -> None:
        i = bisect_left(self._values, self._filed.pop(key))
        while self._keys[i] != key:  # equal sort values (rows keep them unique, but be sure)
            i += 1
        del self._keys[i]
        del self._values[i]

    def refile(self, value_of: Any) -> None:
        """Every sort value changed (a new sort column): file all keys again."""
        pairs = sorted(((value_of(k), k) for k in self._queue), key=lambda p: p[0])
        self._values, self._keys = [v for v, _ in pairs], [k for _, k in pairs]
        self._filed = {k: v for v, k in pairs}

    def clear(self) -> None:
        self.__init__()  # type: ignore[misc]

    def hold(self, paints: int) -> None:
        """A full sync is done: the rows still waiting are drawn once the table has painted
        (its paint count has moved on from ``paints``) or after :data:`PAINT_FIRST_SECONDS`."""
        self._hold = (paints, time.monotonic()) if self._queue else None

    def held(self, paints: int) -> bool:
        if self._hold is not None:
            at, since = self._hold
            if paints == at and time.monotonic() - since < PAINT_FIRST_SECONDS:
                return True
            self._hold = None
        return False

    def oldest(self, count: int, skip: set[str]) -> list[str]:
        """Up to ``count`` keys, oldest first, leaving out those in ``skip``."""
        out: list[str] = []
        if count <= 0:
            return out
        for key in self._queue:
            if key not in skip:
                out.append(key)
                if len(out) >= count:
                    break
        return out

    def place(self, value: Any, reverse: bool) -> int:
        """Where a row with sort ``value`` goes among the filed keys, in display order."""
        values = self._values
        return len(values) - bisect_right(values, value) if reverse else bisect_left(values, value)

    def in_order(self, start: int, stop: int | None, reverse: bool) -> Iterator[str]:
        """The filed keys from display position ``start`` to ``stop`` (None: to the end)."""
        keys, n = self._keys, len(self._keys)
        stop = n if stop is None else min(stop, n)
        if reverse:
            return (keys[n - 1 - i] for i in range(start, stop))
        return (keys[i] for i in range(start, stop))


def enqueue(view: RowSetView, keys: list[str]) -> None:
    """Put rows whose values were just built in the view's backlog. Those already waiting keep
    their turn; new ones join shown rows first, by position, then the others in display order."""
    backlog, table, records = view._backlog, view.table, view.records
    if view._paced and not view.text:
        places = table._row_locations
        waiting = [k for k in keys if k in backlog]
        new = [k for k in keys if k not in backlog]
        shown = sorted((k for k in new if table.has(k)), key=lambda k: places.get(RowKey(k)) or 0)
        hidden = sorted((k for k in new if not table.has(k)), key=lambda k: records[k].sort, reverse=table.reverse)
        keys = waiting + shown + hidden
    for key in keys:
        backlog.add(key, records[key].sort)


def choose(view: RowSetView, ctx: ViewContext, backlog: Backlog, limit: int, budget: float | None = None) -> set[str]:
    """The keys of ``backlog`` to draw now: those in or near the view (at the top, around the
    scroll position and around the cursor) and ``limit`` more, oldest first. With a ``budget``
    in seconds, as many more as the view's measured cost per row allows."""
    if budget is not None:
        limit = max(limit, int(budget / max(1e-7, getattr(view, "row_cost", ROW_COST))))
    if len(backlog) <= limit:
        return set(backlog)
    table = view.table
    records = view.records
    reach = max(table.size.height, view.app.size.height if view.is_attached else 0) + 5  # a screen and a bit
    shown = table.row_count
    top = round(table.scroll_y)
    cursor = table.cursor_row if shown else 0
    spans = [(0, reach), (top - reach, top + reach), (cursor - reach, cursor + reach)]
    places = table._row_locations
    reverse = table.reverse
    near: set[str] = set()

    def value_at(index: int) -> Any:
        key = places.get_key(index)
        return table.records[key].sort if key is not None else None

    # shown rows in the windows that wait (the same lines as the windows below, by position)
    for lo, hi in ((0, reach), (top - reach + 1, top + reach), (cursor - reach + 1, cursor + reach)):
        for i in range(max(0, lo), min(shown, hi)):
            row_key = places.get_key(i)
            if row_key is not None and (name := row_key.value) is not None and name in backlog:
                near.add(name)
    # the windows as ranges of sort values (None: open towards the end of the table)
    ranges: list[tuple[Any, Any]] = []
    room = 0
    for lo, hi in spans:
        lo, hi = max(0, lo), min(shown, hi)
        if hi >= shown:  # the window reaches the end of the table: rows beyond it fill what is left
            room = max(room, reach - max(0, shown - lo))
        if lo < hi or hi >= shown:
            ranges.append((value_at(lo) if 0 < lo < shown else None, value_at(hi - 1) if hi < shown else None))
    # rows not shown yet that would land in a window: a slice of the backlog by sort value
    for first, last in ranges:
        start = backlog.place(first, reverse) if first is not None else 0
        if last is None:  # open towards the end: the first rows that would be shown fill what is left
            taken = 0
            for key in backlog.in_order(start, None, reverse):
                if taken >= room:
                    break
                if not table.has(key) and view._wanted(records[key], ctx):
                    near.add(key)
                    taken += 1
        else:
            stop = backlog.place(last, reverse)
            near.update(
                k for k in backlog.in_order(start, stop, reverse) if not table.has(k) and view._wanted(records[k], ctx)
            )
    return near | set(backlog.oldest(limit, near))
