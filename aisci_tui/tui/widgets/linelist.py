"""An option list of one-line prompts that repaints only the lines whose text changed.

The home screen redraws its lists on every refresh tick while events arrive;
``OptionList.set_options`` repaints the whole widget each time, which costs
terminal bytes in proportion to the screen. When the list keeps its shape
(the same targets, line for line), only the changed prompts are replaced and
only their lines refreshed.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.widgets import OptionList
from textual.widgets.option_list import Option


def _same(a: object, b: object) -> bool:
    return (
        isinstance(a, Text) and isinstance(b, Text) and a.plain == b.plain and a.spans == b.spans and a.style == b.style
    )


class LineList(OptionList):
    """``OptionList`` with :meth:`show`, which replaces a list of one-line options in place."""

    def show(self, options: Sequence[Option]) -> None:
        current = self.options
        shape = [(o.id, o.disabled) for o in options]
        if shape != [(o.id, o.disabled) for o in current]:
            self.set_options(options)
            return
        changed = [
            i for i, (old, new) in enumerate(zip(current, options, strict=True)) if not _same(old.prompt, new.prompt)
        ]
        if not changed:
            return
        for i in changed:
            current[i]._set_prompt(options[i].prompt)
        self._option_render_cache.clear()  # one-line prompts: the line layout is unchanged
        lines = self._index_to_line
        if any(i not in lines for i in changed):  # not laid out yet (never shown): draw it all when it is
            self.refresh()
            return
        for i in changed:
            self.refresh_line(lines[i])
