"""Which rows a paced sync draws now and which wait: those in or near the view go first.

Positions come from the table's order (a shown row's index) and, for rows
not shown yet, from the sort values at the edges of the windows in view, so
choosing costs one look per changed row, never a sort of the whole table.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aisci_tui.tui.views.base import ViewContext
    from aisci_tui.tui.views.rowset import RowSetView

#: Seconds one drawn row costs, until a view has measured its own.
ROW_COST = 50e-6


def defer(
    view: RowSetView, ctx: ViewContext, dirty: set[str], carried: list[str], limit: int, budget: float | None = None
) -> dict[str, None]:
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

    def value_at(index: int) -> Any:
        key = places.get_key(index)
        return table.records[key].sort if key is not None else None

    # the windows as ranges of sort values (None: open towards the end of the table)
    ranges: list[tuple[Any, Any]] = []
    room = 0
    for lo, hi in spans:
        lo, hi = max(0, lo), min(shown, hi)
        if hi >= shown:  # the window reaches the end of the table: rows beyond it fill what is left
            room = max(room, reach - max(0, shown - lo))
        if lo < hi or hi >= shown:
            ranges.append((value_at(lo) if 0 < lo < shown else None, value_at(hi - 1) if hi < shown else None))
    present = {k.value: k for k in table.rows}  # the shown rows' keys by their str
    shown_dirty = {k: i for k in dirty & present.keys() if (i := places.get(present[k])) is not None}  # their places
    near = {k for k, i in shown_dirty.items() if i < reach or abs(i - top) < reach or abs(i - cursor) < reach}
    # rows not shown yet, in display order: a window's rows are a slice of them, found by bisection
    order = sorted((k for k in dirty - present.keys() if k in records), key=lambda k: records[k].sort, reverse=reverse)
    values = [records[k].sort for k in order]
    ascending = values[::-1] if reverse else values

    def place(value: Any) -> int:  # where a row with this sort value goes among them
        return len(ascending) - bisect_right(ascending, value) if reverse else bisect_left(ascending, value)

    for first, last in ranges:
        start = place(first) if first is not None else 0
        if last is None:  # open towards the end: the first rows that would be shown fill what is left
            taken = 0
            for key in order[start:]:
                if taken >= room:
                    break
                if view._wanted(records[key], ctx):
                    near.add(key)
                    taken += 1
        else:
            near.update(k for k in order[start : place(last)] if view._wanted(records[k], ctx))
    waiting = [k for k in carried if k not in near]
    old = set(carried)
    shown_first = sorted((k for k in shown_dirty if k not in old and k not in near), key=shown_dirty.__getitem__)
    fresh = shown_first + [k for k in order if k not in old and k not in near]
    queue = waiting + fresh
    return dict.fromkeys(queue[limit:])
