"""Choose a run from an ``experiments/`` folder: newest first, with its state; Enter opens it."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Footer, Static

from aisci_tui.sources.rundir import RunInfo, find_runs
from aisci_tui.textsafe import clean

COLUMNS = (
    ("started", "Started"),
    ("idea", "Idea"),
    ("attempt", "Try"),
    ("state", "State"),
    ("progress", "Progress"),
    ("changed", "Last change"),
    ("title", "Title"),
)


def _age(seconds: float) -> str:
    seconds = max(0.0, seconds)
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds / size:.0f} {unit} ago"
    return "just now"


def run_cells(run: RunInfo, now: float) -> list[Text]:
    """One row of the list, every value cleaned (folder names and titles are data)."""
    tone = "red" if run.failed else "green" if run.finished else "yellow"
    progress = f"{run.overall_progress * 100:.0f}%" if run.overall_progress is not None else "—"
    started = run.started_at.strftime("%Y-%m-%d %H:%M") if run.started_at else "—"
    changed = _age(now - run.last_change) if run.last_change is not None else "—"
    problems = f" ({len(run.problems)} unreadable files)" if run.problems else ""
    return [
        Text(started),
        Text(clean(run.idea, 40)),
        Text(str(run.attempt) if run.attempt is not None else "—", justify="right"),
        Text(clean(run.state, 40) + problems, style=tone),
        Text(progress, justify="right"),
        Text(changed),
        Text(clean(run.title or run.name, 90)),
    ]


class RunPicker(App[Path | None]):
    """Lists the runs under ``folder``; exits with the chosen run's path (None: quit)."""

    TITLE = "aisci-tui watch"
    CSS = """
    #picker-head { height: auto; padding: 0 1; }
    #runs { height: 1fr; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", "Open run", id="picker.open"),
        Binding("r", "rescan", "Rescan", id="picker.rescan"),
        Binding("q,escape", "quit_picker", "Quit", id="picker.quit"),
    ]

    def __init__(
        self,
        folder: Path,
        *,
        theme: str | None = None,
        finder: Callable[[Path], list[RunInfo]] = find_runs,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__()
        self.folder = folder
        self.runs: list[RunInfo] = []
        self.finder = finder
        self.clock = clock
        self._theme_name = theme

    def compose(self) -> ComposeResult:
        yield Static(Text(f"Reading the runs in {clean(str(self.folder), 200)} …"), id="picker-head")
        table: DataTable[Text] = DataTable(id="runs", cursor_type="row", zebra_stripes=True)
        for key, label in COLUMNS:
            table.add_column(label, key=key)
        yield table
        yield Footer()

    def on_mount(self) -> None:
        if self._theme_name:
            from aisci_tui.themes import load_themes, user_theme_dir

            themes, _ = load_themes([user_theme_dir()])
            for theme in themes.values():
                self.register_theme(theme)
            if self._theme_name in self.available_themes:
                self.theme = self._theme_name
        self.query_one(DataTable).focus()
        self.action_rescan()

    def action_rescan(self) -> None:
        self.run_worker(self._scan, thread=True, exclusive=True, group="scan", name="scan runs")

    def _scan(self) -> None:
        runs = self.finder(self.folder)
        self.call_from_thread(self.show_runs, runs)

    def show_runs(self, runs: list[RunInfo]) -> None:
        table = self.query_one(DataTable)
        chosen = self.chosen_path()
        self.runs = runs
        table.clear()
        now = self.clock()
        for run in runs:
            table.add_row(*run_cells(run, now), key=str(run.path))
        head = self.query_one("#picker-head", Static)
        if runs:
            when = datetime.fromtimestamp(now).strftime("%H:%M:%S")
            head.update(
                Text(
                    f"{len(runs)} runs in {clean(str(self.folder), 200)}, newest first "
                    f"(read at {when}). Enter opens the highlighted run."
                )
            )
            paths = [str(r.path) for r in runs]
            if chosen is not None and str(chosen) in paths:
                table.move_cursor(row=paths.index(str(chosen)))
        else:
            head.update(Text(f"No AI-Scientist-v2 runs in {clean(str(self.folder), 200)} yet; r reads it again."))

    def chosen_path(self) -> Path | None:
        table = self.query_one(DataTable)
        if not self.runs or table.cursor_row is None or not 0 <= table.cursor_row < len(self.runs):
            return None
        return self.runs[table.cursor_row].path

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    def action_open(self) -> None:
        path = self.chosen_path()
        if path is not None:
            self.exit(path)

    def action_quit_picker(self) -> None:
        self.exit(None)
