"""Research view: every session on one line each; Enter opens one session's progress in full."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Static

from aisci_tui.store import Changes, Store
from aisci_tui.store.query import Column, Row, SessionTally, agent_name
from aisci_tui.store.rows import export_value, renew, session_row
from aisci_tui.textsafe import clean
from aisci_tui.tui import format as fmt
from aisci_tui.tui.views.base import SessionChosen, ViewContext
from aisci_tui.tui.views.cells import cell, number_cell, progress_cell
from aisci_tui.tui.views.charts import session_charts
from aisci_tui.tui.views.session_page import session_detail
from aisci_tui.tui.views.table import TableView, empty_label
from aisci_tui.tui.widgets.table import KeyedTable


def eta_text(row: Row, now: datetime) -> str:
    progress = row.get("progress")
    if row.get("phase") == "done" or (isinstance(progress, int | float) and progress >= 1.0):
        return "finished"
    if row["_eta"] is not None:
        return fmt.countdown(row["_eta"], now)
    if row["remaining"] is not None:
        return f"in {fmt.duration(row['remaining'])}"
    return fmt.MISSING


#: Seconds between bringing the session counts up to date while the view is hidden.
TALLY_EVERY = 1.0


class ResearchView(TableView):
    VIEW_ID = "research"
    TITLE = "Research"
    FILTER_LABEL = None
    EMPTY = "No research session has reported progress yet."
    KIND = "sessions"
    LIVE = True
    EXPORT_EXTRA = ("session_id", "agents_total", "experiments_failed")

    COLUMNS: ClassVar[list[Column]] = [
        Column("title", "Session", 0, 0, min_width=16),
        Column("phase", "Phase", 18, 0),
        Column("progress", "Overall", 10, 0, numeric=True),
        Column("eta", "ETA", 12, 1),
        Column("agents", "Agents", 9, 1, numeric=True),
        Column("experiments", "Experiments", 11, 2, numeric=True),
        Column("session_id", "Id", 16, 3),
    ]

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open_selected", "Open session", id="view.open"),
        Binding("escape", "all_sessions", "All sessions", id="research.back"),
    ]

    DEFAULT_CSS = """
    ResearchView > #research-session { height: 1fr; padding: 0 1; display: none; }
    ResearchView.-session > #research-session { display: block; }
    ResearchView.-session > KeyedTable { display: none; }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._session_tally = SessionTally()
        self._changed_counts: set[str] = set()
        #: Sessions whose counts changed while hidden (their rows are rebuilt at the next sync).
        self._hidden_counts: set[str] = set()
        self._tally_due = 0.0
        self._tally_version = -1  # the store's version when the counts were last brought up to date
        self._session_sig: Any = None

    def compose(self) -> ComposeResult:
        yield KeyedTable(self.COLUMNS, id="research-table")
        yield empty_label()
        with VerticalScroll(id="research-session"):
            yield Static(id="research-session-body")

    # -- overview -------------------------------------------------------------------

    def update_view(self, store: Store, changes: Changes, ctx: ViewContext, full: bool) -> None:
        self._changed_counts = self._session_tally.update(store, changes, full) | self._hidden_counts
        self._hidden_counts = set()
        self._tally_due, self._tally_version = time.monotonic() + TALLY_EVERY, store.version
        super().update_view(store, changes, ctx, full)
        session_mode = ctx.session_id is not None
        if session_mode != self.has_class("-session"):
            ours = self._has_focus()
            self.set_class(session_mode, "-session")
            self.refresh_bindings()
            self.show_empty()
            if ours:  # keep the keyboard on what is shown: the panel (to scroll) or the table
                (self.query_one("#research-session") if session_mode else self.table).focus()
        if ctx.session_id is not None:
            self._show_session(store, changes, ctx, full)

    def warm(self, store: Store, ctx: ViewContext, budget: float) -> bool:
        """Also keep the session counts close to the store while hidden, so that a switch here
        recounts only what changed in the last second, not everything since the view was left."""
        busy = super().warm(store, ctx, budget)
        now = time.monotonic()
        if now >= self._tally_due and self._store in (None, store) and store.version != self._tally_version:
            self._tally_due, self._tally_version = now + TALLY_EVERY, store.version  # nothing new: no recount
            self._hidden_counts |= self._session_tally.update(store, Changes(), True)
        return busy

    def restyle(self) -> None:
        super().restyle()
        self.resync()  # the session panel too

    def _has_focus(self) -> bool:
        focused = self.screen.focused if self.is_attached else None
        return focused is None or focused is self.table or focused.parent is self

    def related(self, store: Store, changes: Changes) -> set[str]:
        return self._changed_counts

    def counts(self) -> str:
        return "" if self.has_class("-session") else super().counts()

    def empty_message(self) -> str | None:
        return None if self.has_class("-session") else super().empty_message()

    def build_row(self, store: Store, key: str, item: Any, ctx: ViewContext) -> Row:
        row = session_row(item, self._session_tally.counts(key))
        row["agents"] = row["agents_busy"]
        row["experiments"] = row["experiments_done"]
        row["_eta_text"] = eta_text(row, ctx.now)
        return row

    def refresh_live(self, row: Row, ctx: ViewContext) -> bool:
        return renew(row, "_eta_text", eta_text(row, ctx.now))

    def build_cells(self, row: Row, ctx: ViewContext) -> dict[str, Text]:
        p = self.palette
        failed = row["experiments_failed"]
        exps = Text(f"{row['experiments_done']} ✓", no_wrap=True, justify="right", end="")
        exps.append(f" {failed} ✖", p["error"] if failed else p["muted"])
        return {
            "title": cell(row["title"]),
            "phase": cell(fmt.words(clean(row["phase"], 60))),
            "progress": progress_cell(row["progress"], p),
            "eta": cell(row["_eta_text"]),
            "agents": number_cell(
                f"{0 if row['_eta_text'] == 'finished' else row['agents_busy']}/{row['agents_total']}"
            ),
            "experiments": exps,
            "session_id": cell(row["session_id"]),
        }

    def open_key(self, key: str) -> None:
        if self._ctx is not None and self._ctx.session_id is None:
            self.post_message(SessionChosen(key))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        session_mode = self.has_class("-session")
        if action == "all_sessions":
            return session_mode
        if action == "open_selected":
            return not session_mode
        return True

    def action_all_sessions(self) -> None:
        if self._ctx is not None and self._ctx.session_id is not None:
            self.post_message(SessionChosen(None))

    # -- one session ------------------------------------------------------------------------

    def _show_session(self, store: Store, changes: Changes, ctx: ViewContext, full: bool) -> None:
        sid = ctx.session_id
        if sid is None:
            return
        entity = store.sessions.get(sid)
        width = (self.size.width or self.app.size.width) - 5  # padding and the scroll bar
        sig = (sid, entity.event_id if entity else None, int(ctx.now.timestamp()), self.palette, width)
        if not full and sig == self._session_sig and not changes.agents and sid not in self._changed_counts:
            return
        self._session_sig = sig
        overview = ctx.overview
        charts = (
            session_charts(overview.sessions.get(sid), overview.points.get(sid), width, self.palette)
            if overview is not None and entity
            else None
        )
        body = (
            session_detail(entity, store, self._session_tally.counts(sid), self.palette, ctx.now, charts)
            if entity
            else Text(f"Waiting for progress of session {clean(sid, 200)}…", style=self.palette["muted"])
        )
        self.query_one("#research-session-body", Static).update(body)

    def export_rows(self) -> tuple[list[str], list[dict]]:
        ctx, store = self._ctx, self._store
        if ctx is None or ctx.session_id is None or store is None:
            return super().export_rows()
        entity = store.sessions.get(ctx.session_id)
        columns = ["section", "name", "status", "progress", "time", "detail"]
        if entity is None:
            return columns, []
        d = entity.data
        t = d.timeline
        rows: list[dict] = [
            {
                "section": "session",
                "name": d.title,
                "status": d.current_phase,
                "progress": d.overall_progress,
                "time": t.estimated_completion if t else None,
                "detail": d.session_id,
            },
            {
                "section": "phase",
                "name": d.current_phase,
                "status": None,
                "progress": d.phase_progress,
                "time": None,
                "detail": None,
            },
        ]
        rows += [
            {
                "section": "milestone",
                "name": m.name,
                "status": m.status,
                "progress": m.progress,
                "time": m.completed_at,
                "detail": None,
            }
            for m in d.milestones
        ]
        rows += [
            {
                "section": "activity",
                "name": agent_name(store, a.agent_id),
                "status": a.status,
                "progress": a.progress,
                "time": None,
                "detail": a.activity,
            }
            for a in d.activities
        ]
        return columns, [{k: export_value(v) for k, v in r.items()} for r in rows]
