"""Which rows a paced sync draws now and which wait: those in or near the view go first.

Positions come from the table's order (a shown row's index) and, for rows
not shown yet, from the sort values at the edges of the windows in view, so
choosing costs one look per changed row, never a sort of the whole table.
"""

from __future__ import annotations

import heapq
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aisci_tui.tui.views.table import TableView
    from aisci_tui.tui.widgets.table import TableRow

#: Seconds one drawn row costs, until a view has measured its own.
ROW_COST = 50e-6


def defer(view: TableView, dirty: set[str], carried: list[str], limit: int,
          budget: float | None = None) -> dict[str, None]:
    """The rows of ``dirty`` to leave for later, oldest first: all but those in or near the view
    (at the top, around the scroll position and around the cursor) and ``limit`` more (first
    those ``carried`` over from earlier syncs, then in display order). With a ``budget`` in
    seconds, as many more as the view's measured cost per row allows."""
    if budget is not None:
        limit = max(limit, int(budget / max(1e-7, getattr(view, "row_cost", ROW_COST))))
    if len(dirty) <= limit:
        return {}
    table = view.table
    records = view.records
    reach = max(table.size.height, view.app.size.height if view.is_attached else 0) + 5  # a screen and a bit
    shown = table.row_count
    top = round(table.scroll_y)
    cursor = table.cursor_row if shown else 0
    spans = [(0, reach), (top - reach, top + reach), (cursor - reach, cursor + reach)]
    places = table._row_locations
    reverse = table.reverse

    def before(a: Any, b: Any) -> bool:  # a comes first on screen
        return a > b if reverse else a < b

    def value_at(index: int) -> Any:
        key = places.get_key(index)
        return table.rows[key].sort if key is not None else None  # type: ignore[attr-defined]

    # the windows as ranges of sort values (None: open towards the end of the table)
    ranges: list[tuple[Any, Any]] = []
    room = 0
    for lo, hi in spans:
        lo, hi = max(0, lo), min(shown, hi)
        if hi >= shown:  # the window reaches the end of the table: rows beyond it fill what is left
            room = max(room, reach - max(0, shown - lo))
        if lo < hi or hi >= shown:
            ranges.append((value_at(lo) if 0 < lo < shown else None, value_at(hi - 1) if hi < shown else None))
    near: set[str] = set()
    open_ended: list[TableRow] = []
    for key in dirty:
        index = places.get(key) if table.has(key) else None
        if index is not None:
            if index < reach or abs(index - top) < reach or abs(index - cursor) < reach:
                near.add(key)
            continue
        record = records.get(key)
        if record is None:
            continue
        for first, last in ranges:
            if first is not None and before(record.sort, first):
                continue
            if last is None:
                if view._wanted(record, view._ctx):  # type: ignore[arg-type]
                    open_ended.append(record)
                break
            if before(record.sort, last):
                if view._wanted(record, view._ctx):  # type: ignore[arg-type]
                    near.add(key)
                break
    if open_ended and room > 0:
        pick = heapq.nlargest if reverse else heapq.nsmallest
        near.update(r.id for r in pick(room, open_ended, key=lambda r: r.sort))
    waiting = [k for k in carried if k not in near]
    old = set(carried)

    shown_first, absent = [], []
    for key in dirty:
        if key in old or key in near:
            continue
        (shown_first if table.has(key) else absent).append(key)
    shown_first.sort(key=places.get)  # type: ignore[arg-type]
    absent.sort(key=lambda k: records[k].sort, reverse=reverse)  # in display order
    fresh = shown_first + absent
    queue = waiting + fresh
    return dict.fromkeys(queue[limit:])
