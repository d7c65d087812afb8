"""What the dashboard would write to the terminal, and checks on it."""

from __future__ import annotations

import html
import re
from typing import Any

from tests.hardening.hostile import FORBIDDEN_OUTPUT

#: Escape sequences Textual itself writes for a frame: SGR colours/attributes, cursor moves and
#: OSC 8 hyperlinks (``ESC ] 8 ; params ; URL ESC \``). Anything else came from data.
_OWN_SEQUENCES = re.compile(
    r"\x1b\[[0-9;]*[mHK]"
    r"|\x1b\]8;[^;\x1b\x07]*;[!-~]*\x1b\\"
)


def terminal_output(app: Any) -> str:
    """The bytes a full repaint of the current screen sends to the terminal (as Textual writes them)."""
    update = app.screen._compositor.render_full_update()
    return update.render_segments(app.console)


def screen_text(app: Any) -> str:
    """The visible characters of the current screen, row by row (from the SVG screenshot)."""
    svg = app.export_screenshot()
    rows: dict[str, list[str]] = {}
    for y, chunk in re.findall(r'<text [^>]*?y="([\d.]+)"[^>]*>(.*?)</text>', svg):
        rows.setdefault(y, []).append(html.unescape(chunk).replace("\xa0", " "))
    return "\n".join("".join(parts) for _, parts in sorted(rows.items(), key=lambda kv: float(kv[0])))


def foreign_sequences(output: str) -> list[str]:
    """Escape sequences and control characters in ``output`` that Textual did not put there itself."""
    rest = _OWN_SEQUENCES.sub("", output)
    found = [m.group(0)[:24] for m in re.finditer(r"\x1b.{0,8}|[\x00-\x08\x0b-\x1f\x7f-\x9f]", rest)]
    found += [s for s in FORBIDDEN_OUTPUT if s in output]
    found += [
        ch for ch in ("\u202e", "\u202d", "\u2066", "\u2067", "\u2068", "\u2069", "\u200b", "\ufeff") if ch in rest
    ]
    return found


def links_in(output: str) -> list[str]:
    """Targets of the OSC 8 hyperlinks in ``output`` (the empty target that ends a link left out)."""
    return [t for t in re.findall(r"\x1b\]8;[^;\x1b\x07]*;([^\x1b\x07]*)\x1b\\", output) if t]
