"""Text progress and score bars (eighth-block precision), with optional labels."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text

from aisci_tui.tui.format import fraction, percent

_PARTIAL = " ▏▎▍▌▋▊▉"
FULL = "█"
EMPTY = "░"


def bar_cells(value: object, width: int) -> tuple[str, str]:
    """The filled and empty parts of a bar ``width`` cells wide (unknown value: all empty)."""
    width = max(0, width)
    frac = fraction(value)
    if frac is None:
        return "", EMPTY * width
    eighths = round(frac * width * 8)
    full, part = divmod(eighths, 8)
    filled = FULL * full + (_PARTIAL[part] if part and full < width else "")
    return filled, EMPTY * (width - len(filled))


def bar(value: object, width: int, style: Style | str = "", empty_style: Style | str = "") -> Text:
    filled, empty = bar_cells(value, width)
    text = Text(end="")
    text.append(filled, style)
    text.append(empty, empty_style)
    return text


def score_tone(score: object, good: float = 0.8, fair: float = 0.6) -> str:
    """success ≥ ``good``, warning ≥ ``fair``, else error; muted when unknown."""
    frac = fraction(score)
    if frac is None:
        return "muted"
    if frac >= good:
        return "success"
    if frac >= fair:
        return "warning"
    return "error"


def labelled_bar(
    value: object, width: int, style: Style | str = "", empty_style: Style | str = "", *, digits: int = 0
) -> Text:
    """``"██████░░░░  62%"``: a bar followed by the percentage."""
    text = bar(value, width, style, empty_style)
    text.append(f" {percent(value, digits):>{4 + (digits + 1 if digits else 0)}}")
    return text
