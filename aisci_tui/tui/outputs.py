"""Writing what is on screen to files: ``e`` (JSON/CSV export of the view) and ``ctrl+s`` (SVG)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from aisci_tui.tui.export import ExportError, write_export
from aisci_tui.tui.screens import ExportDialog

if TYPE_CHECKING:
    from textual.notifications import SeverityLevel

    from aisci_tui.settings import Settings
    from aisci_tui.tui.views.base import StoreView

log = logging.getLogger("aisci_tui.tui")


class OutputActions:
    """Mixed into the app; needs ``current_view``, ``settings`` and ``clock``."""

    settings: Settings
    clock: Callable[[], datetime]
    last_export: Path | None = None

    if TYPE_CHECKING:

        @property
        def current_view(self) -> StoreView: ...

    last_screenshot: str | None = None

    def action_export(self) -> None:
        view = self.current_view
        self.push_screen(  # type: ignore[attr-defined]
            ExportDialog(view.TITLE, str(self.settings.export_path)), self._export_chosen
        )

    def _export_chosen(self, fmt: str | None) -> None:
        if fmt:
            self.action_export_as(fmt)

    def action_export_as(self, fmt: str) -> None:
        view = self.current_view
        try:
            columns, rows = view.export_rows()
            path = write_export(self.settings.export_path, fmt, view.VIEW_ID, columns, rows, self.clock())
        except ExportError as exc:
            self._say(str(exc), "Export failed", "error")
            return
        except Exception as exc:
            log.exception("export of the %s view failed", view.VIEW_ID)
            self._say(f"The {view.TITLE} view could not be exported ({type(exc).__name__}).", "Export failed", "error")
            return
        self.last_export = path
        self._say(f"{len(rows)} rows → {path}", "Exported")

    def action_save_svg(self) -> None:
        directory = self.settings.export_path
        try:
            directory.mkdir(parents=True, exist_ok=True)
            path = self.save_screenshot(path=str(directory))  # type: ignore[attr-defined]
        except OSError as exc:
            self._say(
                f"Could not save the screenshot in {directory}: {exc.strerror or exc}.", "Screenshot failed", "error"
            )
            return
        self.last_screenshot = path
        self._say(f"Saved {path}", "Screenshot")

    def _say(self, text: str, title: str, severity: SeverityLevel = "information") -> None:
        """A notification whose text (paths, server words) is shown literally."""
        self.notify(text, title=title, severity=severity, markup=False)  # type: ignore[attr-defined]
