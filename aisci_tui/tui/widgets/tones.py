"""Colour tones from the running theme, as Rich styles for cells and renderables.

Views and screens declare one component class per tone (``tone--success``…)
styled with Textual theme variables, so 16-colour and light themes work and a
theme change restyles everything. :class:`Palette` turns them into Rich styles.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from rich.style import Style

#: Tone name → Textual theme variable (None: the text's own colour).
TONE_VARIABLES: dict[str, str | None] = {
    "success": "text-success",
    "warning": "text-warning",
    "error": "text-error",
    "primary": "text-primary",
    "accent": "text-accent",
    "muted": None,  # dimmed, since theme colours carry no alpha
    "neutral": None,
}

COMPONENT_CLASSES: set[str] = {f"tone--{name}" for name in TONE_VARIABLES}


def tone_css(selector: str) -> str:
    """CSS giving each tone component class of ``selector`` its theme colour."""
    rules = [f"{selector} > .tone--{name} {{ color: ${var}; }}" for name, var in TONE_VARIABLES.items() if var]
    rules.append(f"{selector} > .tone--muted {{ text-style: dim; }}")
    rules.append(f"{selector} > .tone--warning {{ text-style: bold; }}")
    rules.append(f"{selector} > .tone--error {{ text-style: bold; }}")
    return "\n".join(rules)


class _Styled(Protocol):
    def get_component_rich_style(self, *names: str, partial: bool = False, default: Style | None = None) -> Style: ...


class Palette:
    """Rich styles by tone name; unknown tones are unstyled."""

    def __init__(self, styles: Mapping[str, Style] | None = None) -> None:
        self._styles = dict(styles or {})

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Palette) and self._styles == other._styles

    __hash__ = None  # type: ignore[assignment]

    def __getitem__(self, tone: str | None) -> Style:
        return self._styles.get(tone or "", Style.null())

    @classmethod
    def plain(cls) -> Palette:
        """No colours at all; the words and symbols still say everything."""
        return cls()

    @classmethod
    def of(cls, widget: _Styled) -> Palette:
        """The tones of a widget that declares the ``tone--*`` component classes."""
        styles = {
            name: widget.get_component_rich_style(f"tone--{name}", partial=True, default=Style.null())
            for name in TONE_VARIABLES
        }
        return cls(styles)
