"""An agent's status history as a row of coloured symbols, and as a timeline."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from rich.table import Table
from rich.text import Text

from aisci_tui.protocol.times import parse_time
from aisci_tui.textsafe import clean
from aisci_tui.tui.format import age, clock_time
from aisci_tui.tui.widgets.badges import AGENT, lookup
from aisci_tui.tui.widgets.tones import Palette


def status_sparkline(history: Iterable[tuple[str | None, str]], palette: Palette, width: int = 60) -> Text:
    """One symbol per status change, oldest first, the newest ``width`` kept."""
    items = list(history)[-width:]
    text = Text(end="")
    for _, status in items:
        symbol, _, tone = lookup(AGENT, status)
        text.append(symbol, palette[tone])
    return text


def status_timeline(
    history: Iterable[tuple[str | None, str]], palette: Palette, now: datetime, limit: int = 20
) -> Table:
    """The most recent status changes, newest first: time, age, status."""
    table = Table.grid(padding=(0, 2))
    table.add_column(no_wrap=True)
    table.add_column(no_wrap=True)
    table.add_column(no_wrap=True)
    for stamp, status in reversed(list(history)[-limit:]):
        moment = parse_time(stamp)
        symbol, word, tone = lookup(AGENT, status)
        when = clock_time(moment, now) if moment else clean(stamp, 40) or "—"
        table.add_row(
            Text(when), Text(age(moment, now), style=palette["muted"]), Text(f"{symbol} {word}", palette[tone])
        )
    return table
