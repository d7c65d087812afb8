"""Renderables shared by the detail screens and panes: headings, key/value grids, capped lists.

Everything from the server is cleaned and wrapped in ``Text``; long texts and
lists are capped so a hostile event cannot freeze the screen (the export has
the full values).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from pydantic import BaseModel
from rich.console import Group, RenderableType
from rich.style import Style
from rich.table import Table
from rich.text import Text

from aisci_tui.textsafe import clean
from aisci_tui.tui.widgets.tones import Palette

#: Longest text shown in a detail view.
TEXT_LIMIT = 5_000
#: Most list items shown in a detail view.
LIST_LIMIT = 50


def stack(parts: Iterable[RenderableType | None]) -> Group:
    """Renderables one under another (texts made to end their line)."""
    items = []
    for part in parts:
        if part is None:
            continue
        if isinstance(part, Text):
            part.end = "\n"
        items.append(part)
    return Group(*items)


def heading(title: str, palette: Palette) -> Text:
    return Text(f"\n{title}", style=palette["primary"] + Style(bold=True), end="")


def paragraph(value: object, limit: int = TEXT_LIMIT, style: Style | str = "") -> Text:
    """A long server text, cleaned, line breaks kept, capped with a note of what was left out."""
    if value is None or value == "":
        return Text("—", style=style, end="")
    raw = value if isinstance(value, str) else str(value)
    text = Text(clean(raw, limit, newlines=True), style=style, end="")
    if len(raw) > limit:
        text.append(f"\n… {len(raw) - limit + 1:,} more characters (export has the full text)", "italic")
    return text


def grid(rows: Iterable[tuple[str, RenderableType | str | None]], palette: Palette) -> Table:
    """Label/value rows; string values are server text and get cleaned."""
    table = Table.grid(padding=(0, 2))
    table.add_column(style=palette["muted"], no_wrap=True)
    table.add_column(overflow="fold")
    for label, value in rows:
        if value is None or isinstance(value, str):
            value = Text(clean(value, 500) or "—")
        table.add_row(Text(label), value)
    return table


def capped(items: Sequence[Any], limit: int = LIST_LIMIT) -> tuple[Sequence[Any], int]:
    """The first ``limit`` items and how many were left out."""
    return items[:limit], max(0, len(items) - limit)


def more_note(hidden: int, what: str) -> Text | None:
    return Text(f"… and {hidden:,} more {what}", style="italic", end="") if hidden else None


def bullets(items: Sequence[Any], what: str, limit: int) -> list[Text]:
    """One ``• item`` line per item (server text, cleaned to ``limit`` characters), capped, and a
    :func:`more_note` naming ``what`` was left out; empty for no items."""
    shown, hidden = capped(items)
    lines = [Text(f"• {clean(item, limit)}", end="") for item in shown]
    if note := more_note(hidden, what):
        lines.append(note)
    return lines


def extras(model: BaseModel | None, prefix: str = "") -> list[tuple[str, str]]:
    """Fields a server sent that the protocol does not name (kept by the models), flattened."""
    out: list[tuple[str, str]] = []
    if model is None:
        return out
    for name, value in list((model.model_extra or {}).items())[:LIST_LIMIT]:
        label = clean(f"{prefix}{name}", 80)
        if isinstance(value, dict):
            for sub, inner in list(value.items())[:LIST_LIMIT]:
                out.append((clean(f"{label}.{sub}", 80), clean(_plain(inner), 300)))
        else:
            out.append((label, clean(_plain(value), 300)))
    return out


def _plain(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(_plain(v) for v in value[:LIST_LIMIT]) + (" …" if len(value) > LIST_LIMIT else "")
    return str(value)
