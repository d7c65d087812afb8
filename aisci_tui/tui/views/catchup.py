""" "Since you last looked": what changed during a quiet spell, in a few lines."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from rich.text import Text

from aisci_tui.store.overview import Change
from aisci_tui.textsafe import clean
from aisci_tui.tui import format as fmt
from aisci_tui.tui.widgets.tones import Palette

#: How each kind of change is headed, and its tone, in the order shown.
KINDS = (
    ("failed", "failed experiments", "error"),
    ("warning", "warnings and errors", "warning"),
    ("best", "best-metric changes", "success"),
    ("phase", "phase changes", "primary"),
    ("new", "new experiments", "neutral"),
)
#: Names listed per kind before "and N more".
LISTED = 3


def catch_up_text(
    changes: Iterable[Change], since: datetime, now: datetime, p: Palette, width: int = 100
) -> Text | None:
    """The summary, or None when nothing notable changed."""
    by_kind: dict[str, list[Change]] = {}
    for change in changes:
        by_kind.setdefault(change.kind, []).append(change)
    if not by_kind:
        return None
    text = Text(end="")
    text.append("Since you last looked", p["accent"])
    text.append(
        f" ({fmt.clock_time(since, now)}, {fmt.duration((now - since).total_seconds())} ago)  Esc: dismiss", p["muted"]
    )
    label_w = max(len(f"{len(by_kind[k]):>4} {h}: ") for k, h, _ in KINDS if k in by_kind)
    for kind, heading, tone in KINDS:
        items = by_kind.get(kind)
        if not items:
            continue
        text.append("\n")
        text.append(f"{f'{len(items):>4} {heading}:':<{label_w}}", p[tone])
        names = _repeats(c.text for c in reversed(items))
        more = f" (and {len(names) - LISTED} more)" if len(names) > LISTED else ""
        line = "; ".join(clean(name, 200) + (f" ×{n}" if n > 1 else "") for name, n in names[:LISTED])
        room = max(10, width - label_w - len(more))
        text.append(line if len(line) <= room else line[: room - 1] + "…")
        text.append(more, p["muted"])
    return text


def _repeats(texts: Iterable[str]) -> list[tuple[str, int]]:
    """Each text once, in the order first seen, with how many times it came (the same warning again
    is named once)."""
    counts: dict[str, int] = {}
    for text in texts:
        counts[text] = counts.get(text, 0) + 1
    return list(counts.items())
