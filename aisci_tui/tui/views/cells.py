"""Building table cells from row values: sanitised, single-line, ellipsised."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text

from aisci_tui.textsafe import clean
from aisci_tui.tui.format import MISSING, fraction, percent
from aisci_tui.tui.widgets.bars import bar, score_tone
from aisci_tui.tui.widgets.tones import Palette

#: Longest text kept in a cell; the rest is in the detail view and the export.
CELL_LIMIT = 200


def cell(value: object, style: Style | str = "", *, right: bool = False) -> Text:
    """Server text (or any value) as a one-line cell; never interpreted as markup."""
    text = value if isinstance(value, str) and value == MISSING else clean(value, CELL_LIMIT)
    return Text(
        text or MISSING, style=style, no_wrap=True, overflow="ellipsis", justify="right" if right else "left", end=""
    )


def number_cell(text: str, style: Style | str = "") -> Text:
    return cell(text, style, right=True)


def progress_cell(value: object, palette: Palette, width: int = 5) -> Text:
    """``"███▌░ 70%"``: a small bar and the percentage (just a dash when unknown)."""
    if fraction(value) is None:
        return number_cell(MISSING, palette["muted"])
    text = bar(value, width, palette["primary"], palette["muted"])
    text.append(f" {percent(value):>4}")
    text.no_wrap = True
    text.overflow = "ellipsis"
    return text


def score_cell(value: object, palette: Palette) -> Text:
    """A 0..1 score as ``0.85`` in a tone by its band."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return number_cell(MISSING, palette["muted"])
    return number_cell(f"{value:.2f}", palette[score_tone(value)])
