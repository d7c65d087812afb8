"""Agents view: every agent in a sortable table; Enter opens its detail, Esc goes back."""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any, ClassVar

from rich.console import RenderableType
from rich.text import Text

from aisci_tui.store import Store
from aisci_tui.store.query import ALL, Column, Row, status_state
from aisci_tui.store.rows import agent_row, refresh_heartbeat, renew
from aisci_tui.tui import format as fmt
from aisci_tui.tui.views.agent_detail import agent_detail
from aisci_tui.tui.views.base import ViewContext
from aisci_tui.tui.views.cells import cell, number_cell, progress_cell
from aisci_tui.tui.views.split import SESSION_COLUMN, SessionSplitView
from aisci_tui.tui.widgets.badges import AGENT, badge


class AgentsView(SessionSplitView):
    PREVIEW = False  # the table needs the width; Enter shows the detail
    VIEW_ID = "agents"
    TITLE = "Agents"
    FILTER_LABEL = "status"
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
        SESSION_COLUMN,
    ]

    def filter_states(self) -> list[Any]:
        return [ALL, status_state("busy"), status_state("idle"), status_state("error"), status_state("offline")]

    def build_row(self, store: Store, key: str, item: Any, ctx: ViewContext) -> Row:
        row = agent_row(item, ctx.now)
        row["session"] = self.session_label(store, key, row["session_id"], ctx)
        # not reported again since the server came back: it may be gone, so it is not shown as busy
        row["_gone"] = store.unreported(key, item.arrived)
        return row

    def refresh_live(self, row: Row, ctx: ViewContext) -> bool:
        before = fmt.duration(row["heartbeat"])
        store, gone = self._store, False
        if store is not None and (ent := store.agents.get(row["agent_id"])):
            gone = store.unreported(ent.key, ent.arrived)
        changed = renew(row, "_gone", gone)
        return (refresh_heartbeat(row, ctx.now) and fmt.duration(row["heartbeat"]) != before) or changed

    def live_cells(self, row: Row, ctx: ViewContext) -> dict[str, Text]:
        p = self.palette
        status = cell("? stale", p["muted"]) if row.get("_gone") else badge(AGENT, row["status"], p)
        if row["heartbeat"] is None:
            return {"heartbeat": number_cell(fmt.MISSING, p["muted"]), "status": status}
        if row["stale"]:
            return {"heartbeat": number_cell(f"! {fmt.duration(row['heartbeat'])}", p["warning"]), "status": status}
        return {"heartbeat": number_cell(fmt.duration(row["heartbeat"])), "status": status}

    def build_cells(self, row: Row, ctx: ViewContext) -> dict[str, Text]:
        p = self.palette
        beat = self.live_cells(row, ctx)["heartbeat"]
        errors = row["errors"]
        return {
            "name": cell(row["name"]),
            "session": cell(row["session"] or fmt.MISSING),
            "status": self.live_cells(row, ctx)["status"],
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

    def render_detail(self, key: str, ctx: ViewContext) -> RenderableType:
        store = self._store
        if store is None:
            return Text("")
        return agent_detail(store, key, self.palette, ctx.now)

    def detail_signature(self, key: str | None, ctx: ViewContext) -> Hashable:
        return (key, self.stamp_of(key), int(ctx.now.timestamp()))  # heartbeat ages move on
