"""Clickable terminal hyperlinks (OSC 8) for URLs a server sends, made safe first.

Only ``http``, ``https`` and ``file`` URLs become links, and only when they
hold nothing but printable ASCII (no spaces, controls or escapes), since the
URL itself is written inside a terminal escape sequence. The visible text is
always sanitised; anything else is shown as plain text.
"""

from __future__ import annotations

import re

from rich.style import Style
from rich.text import Text

from aisci_tui.textsafe import clean

_SAFE_URL = re.compile(r"(?i)(?:https?://[!-~]+|file:/[!-~]*)")
MAX_URL = 2048


def safe_url(url: object) -> str | None:
    """``url`` if it may be put in a hyperlink escape, else None."""
    if not isinstance(url, str) or len(url) > MAX_URL:
        return None
    if not _SAFE_URL.fullmatch(url) or "\\" in url:
        return None
    return url


def link(label: object, url: object, style: Style | str = "", limit: int = 200) -> Text:
    """``label`` (sanitised) as a hyperlink to ``url`` when the URL is safe, else plain text."""
    text = clean(label if label not in (None, "") else url, limit)
    target = safe_url(url)
    base = Style.parse(style) if isinstance(style, str) else style
    if target is None:
        return Text(text, style=base, end="")
    return Text(text, style=base + Style(link=target, underline=True), end="")
