"""The line above the views while they are not live (or after a fatal error), in words."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static


class NotLiveLine(Static):
    """Shows ``(tone, text)`` from :func:`aisci_tui.tui.liveness.body_notice`, or hides for None."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes, markup=False)
        self._shown: tuple[str, str] | None = None

    def show(self, notice: tuple[str, str] | None) -> bool:
        """Show or hide the notice; True while one is shown."""
        self.set_class(notice is None, "hidden")
        if notice is not None and notice != self._shown:
            self._shown = notice
            self.set_class(notice[0] == "error", "-error")
            self.update(Text(notice[1]))
        return notice is not None
