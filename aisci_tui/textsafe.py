"""Make text from a server or a run folder safe to put on a terminal.

Everything that came from outside is data: no Rich markup is interpreted
(callers wrap the result in ``rich.text.Text``, never in markup), and no
control character reaches the terminal. C0/C1 controls, ESC-introduced
sequences (CSI, OSC including OSC 8 links and OSC 52 clipboard writes, DCS…)
and bidirectional overrides are removed or replaced by a visible stand-in.
"""

from __future__ import annotations

import re

#: Shown in place of a character that may not reach the terminal.
REPLACEMENT = "\N{REPLACEMENT CHARACTER}"
ELLIPSIS = "\N{HORIZONTAL ELLIPSIS}"

# ESC sequences: CSI … final, OSC/DCS/PM/APC/SOS … (BEL | ST), two-byte ESC x.
_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]?"
    r"|\x1b[\]PX^_][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x9b[0-?]*[ -/]*[@-~]?"
    r"|[\x90\x9d\x9e\x9f][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[ -~]?"
)
# C0 controls except tab/newline, DEL, C1 controls, bidi embeddings/overrides/isolates,
# zero-width and line/paragraph separators that confuse terminals.
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]")
_NEEDS_WORK = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]")

#: Default cap for text shown in a single cell or line.
DEFAULT_LIMIT = 2_000


def clean(value: object, limit: int | None = DEFAULT_LIMIT, *, newlines: bool = False) -> str:
    """A printable version of ``value``: escapes stripped, controls replaced, length capped.

    With ``newlines=False`` (cells, titles) line breaks and tabs become spaces.
    A string longer than ``limit`` is cut and ends with an ellipsis; the full
    text stays in the store for detail views and exports.
    """
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    if limit is not None and len(text) > limit * 4:
        text = text[: limit * 4]  # bound the work done on hostile input before scanning it
    if _NEEDS_WORK.search(text):
        text = _ESCAPES.sub(REPLACEMENT, text)
        text = _CONTROLS.sub(REPLACEMENT, text)
    if not newlines:
        text = text.replace("\n", " ").replace("\t", " ").replace("\r", " ")
    if limit is not None and len(text) > limit:
        text = text[: max(0, limit - 1)] + ELLIPSIS
    return text


def is_clean(text: str) -> bool:
    """True when ``text`` holds nothing that :func:`clean` would remove (tabs/newlines allowed)."""
    return _NEEDS_WORK.search(text) is None
