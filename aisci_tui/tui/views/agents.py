"""Agents view: every agent in a sortable table; Enter opens its detail screen."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text

from aisci_tui.store import Store
from aisci_tui.store.query import ALL, Column, Row, status_state
from aisci_tui.store.sessionrule import hides
from aisci_tui.store.rows import agent_row, refresh_heartbeat
from aisci_tui.tui import format as fmt
from aisci_tui.tui.views.base import ViewContext
from aisci_tui.tui.views.cells import cell, number_cell, progress_cell
from aisci_tui.tui.views.table import TableView
from aisci_tui.tui.widgets.badges import AGENT, badge


class AgentsView(TableView):
    VIEW_ID = "agents"
    TITLE = "Agents"
    FILTER_LABEL = "status"
    EVENT_TYPES = ("agent_status",)
    EMPTY = "No agent has reported its status yet."
    KIND = "agents"
    LIVE = True
    COUNT = ("status", "busy", "busy")
    EXPORT_EXTRA = ("agent_id", "session_id", "stale")

    COLUMNS: ClassVar[list[Column]] = [
        Column("name", "Name", 0, 0, min_width=18),
        Column("status", "Status", 10, 0),
        Column("task", "Task", 16, 2),
        Column("progress", "Progress", 10, 1, numeric=True),
        Column("cpu", "CPU", 5, 1, numeric=True),
        Column("memory", "Mem", 5, 2, numeric=True),
        Column("response", "Resp", 6, 3, numeric=True),
        Column("success", "Success", 7, 3, numeric=True),
        Column("heartbeat", "Heartbeat", 9, 1, numeric=True, sort_by="_since"),
        Column("errors", "Errors", 6, 3, numeric=True),
        Column("uptime", "Uptime", 8, 4, numeric=True),
    ]

    def filter_states(self) -> list[Any]:
        return [ALL, status_state("busy"), status_state("idle"), status_state("error"), status_state("offline")]

    def scope(self, store: Store, ctx: ViewContext) -> frozenset[str] | None:
        return ctx.session_id or None

    def in_scope(self, key: str, row: Row, scope: Any, ctx: ViewContext) -> bool:
        return scope is None or not hides(scope, row["session_id"])

    def build_row(self, store: Store, key: str, item: Any, ctx: ViewContext) -> Row:
        return agent_row(item, ctx.now)

    def refresh_live(self, row: Row, ctx: ViewContext) -> bool:
        before = fmt.duration(row["heartbeat"])
        return refresh_heartbeat(row, ctx.now) and fmt.duration(row["heartbeat"]) != before

    def live_cells(self, row: Row, ctx: ViewContext) -> dict[str, Text]:
        p = self.palette
        if row["heartbeat"] is None:
            return {"heartbeat": number_cell(fmt.MISSING, p["muted"])}
        if row["stale"]:
            return {"heartbeat": number_cell(f"! {fmt.duration(row['heartbeat'])}", p["warning"])}
        return {"heartbeat": number_cell(fmt.duration(row["heartbeat"]))}

    def build_cells(self, row: Row, ctx: ViewContext) -> dict[str, Text]:
        p = self.palette
        beat = self.live_cells(row, ctx)["heartbeat"]
        errors = row["errors"]
        return {
            "name": cell(row["name"]),
            "status": badge(AGENT, row["status"], p),
            "task": cell(row["task"] if row["task"] is not None else fmt.MISSING),
            "progress": progress_cell(row["progress"], p),
            "cpu": number_cell(fmt.percent(row["cpu"])),
            "memory": number_cell(fmt.percent(row["memory"])),
            "response": number_cell(fmt.seconds(row["response"])),
            "success": number_cell(fmt.percent(row["success"])),
            "heartbeat": beat,
            "errors": number_cell(fmt.count(errors), p["warning"] if isinstance(errors, int) and errors > 0 else ""),
            "uptime": number_cell(fmt.duration(row["uptime"])),
        }

    def open_key(self, key: str) -> None:
        from aisci_tui.tui.views.agent_detail import AgentDetailScreen

        if self._store is not None and key in self._store.agents:
            first = self._store
            # the app's store, which a replay that goes back in time replaces
            self.app.push_screen(AgentDetailScreen(lambda: getattr(self.app, "store", first), key, clock=self.now))
