"""A :class:`~aisci_tui.tui.widgets.table.KeyedTable` row and its cells: the record the table
paints from, which of its cells a change touches, and how one cell becomes its line on screen."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any

from rich.console import Console, ConsoleOptions
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.widgets.data_table import Row, RowKey


@dataclass(eq=False)
class TableRow(Row):
    """One row: what the table shows and everything its owner knows about it."""

    values: dict[str, Any] = field(default_factory=dict)
    cells: dict[str, Text] = field(default_factory=dict)
    #: What the table is ordered by (totally ordered and unique among rows).
    sort: Any = 0
    #: What the ``/`` filter searches (None until first needed).
    search: str | None = None
    #: Changes whenever the item behind the row changes (an event id).
    stamp: Hashable = None
    #: Order of first arrival.
    arrival: int = 0

    @classmethod
    def make(cls, key: str, **fields: Any) -> TableRow:
        return cls(RowKey(key), 1, **fields)

    @property
    def id(self) -> str:
        return self.key.value or ""


def same(a: Text | None, b: Text | None) -> bool:
    if a is None or b is None:
        return a is b
    return a.plain == b.plain and a.style == b.style and a.spans == b.spans


def changed_cells(old: Mapping[str, Text], new: Mapping[str, Text]) -> dict[str, Text]:
    return {k: v for k, v in new.items() if not same(old.get(k), v)}


def cell_line(
    cell: Text, console: Console, options: ConsoleOptions, width: int, pad: int, pre: Style, post: Style
) -> list[Segment]:
    """A one-line cell as ``DataTable`` paints it (cropped or justified to ``width`` less
    ``pad`` on each side, padded, styled with ``pre`` and ``post``), without its general
    renderable and line-splitting path."""
    inner = max(0, width - 2 * pad)
    lines = cell.wrap(
        console,
        inner,
        justify=cell.justify or options.justify or "default",
        overflow=cell.overflow or options.overflow or "fold",
        tab_size=cell.tab_size or console.tab_size or 8,
        no_wrap=True,
    )
    body = Segment.adjust_line_length(list(Text("\n").join(lines).render(console, end="")), inner)
    segments = [Segment(" " * pad), *body, Segment(" " * pad)] if pad else body
    return Segment.adjust_line_length(list(Segment.apply_style(segments, pre, post)), width, style=pre + post)
