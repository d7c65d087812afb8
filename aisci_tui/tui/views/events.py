"""Events view: system events, protocol errors and invalid frames as a log, newest first."""

from __future__ import annotations

from collections import deque
from datetime import datetime
from typing import Any, ClassVar

from rich.console import RenderableType
from rich.text import Text

from aisci_tui.protocol.times import parse_time
from aisci_tui.store import Changes, LogEntry, Store
from aisci_tui.store.query import ALL, Column, Row, severity_at_least
from aisci_tui.store.rows import log_row
from aisci_tui.store.sessionrule import hides
from aisci_tui.textsafe import clean
from aisci_tui.tui import format as fmt
from aisci_tui.tui.views.base import ViewContext
from aisci_tui.tui.views.cells import cell, number_cell
from aisci_tui.tui.views.sections import bullets, extras, grid, heading, paragraph, stack
from aisci_tui.tui.views.split import SplitView
from aisci_tui.tui.widgets.badges import SEVERITY, badge
from aisci_tui.tui.widgets.tones import Palette


class EventsView(SplitView):
    PREVIEW = False  # Enter shows one event in full
    VIEW_ID = "events"
    TITLE = "Events"
    FILTER_LABEL = "severity"
    EVENT_TYPES = ("system_event",)
    EMPTY = "No system events or errors so far."
    NEWEST_FIRST = True
    EXPORT_EXTRA = ("session_id", "seq")

    COLUMNS: ClassVar[list[Column]] = [
        Column("time", "Time", 8, 0),
        Column("severity", "Severity", 10, 0),
        Column("kind", "Type", 12, 2),
        Column("title", "Title", 0, 0, min_width=18),
        Column("description", "Description", 0, 1, min_width=16),
        Column("services", "Affected", 18, 4),
        Column("actions", "Actions required", 24, 5),
        Column("scheduled", "Scheduled", 16, 5),
        Column("duration", "Duration", 8, 5, numeric=True),
        Column("alternatives", "Alternatives", 20, 6),
    ]

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._entries: dict[str, LogEntry] = {}
        self._order: deque[str] = deque()

    def reset(self) -> None:
        super().reset()
        self._entries.clear()
        self._order.clear()

    def filter_states(self) -> list[Any]:
        return [ALL, severity_at_least("warning"), severity_at_least("error"), severity_at_least("critical")]

    def collect(self, store: Store, changes: Changes, full: bool) -> tuple[dict[str, Any], set[str]]:
        log = store.log
        oldest = log[0].seq if log else None
        if full:
            fresh = [e for e in log if str(e.seq) not in self.rows]
        else:
            fresh = [e for e in changes.log if oldest is not None and e.seq >= oldest]
        gone: set[str] = set()
        while self._order and (oldest is None or int(self._order[0]) < oldest):
            gone.add(self._order.popleft())
        updated = {}
        for entry in fresh:
            key = str(entry.seq)
            if key not in self._entries:
                self._order.append(key)
            self._entries[key] = entry
            updated[key] = entry
        for key in gone:
            self._entries.pop(key, None)
        return updated, gone

    def stamp(self, item: Any) -> Any:
        return item.seq

    def arrival_of(self, item: Any) -> float:
        return float(item.seq)

    def in_scope(self, key: str, row: Row, scope: Any, ctx: ViewContext) -> bool:
        return not hides(ctx.session_id, row["session_id"])

    def scope(self, store: Store, ctx: ViewContext) -> str | None:
        return ctx.session_id

    def build_row(self, store: Store, key: str, item: Any, ctx: ViewContext) -> Row:
        row = log_row(item)
        moment = parse_time(row["time"])
        if moment is None:  # errors and invalid frames carry no timestamp: use when we first saw them
            moment = ctx.now
            row["time"] = moment.isoformat().replace("+00:00", "Z")
        row["_time"] = moment
        return row

    def build_cells(self, row: Row, ctx: ViewContext) -> dict[str, Text]:
        p = self.palette
        scheduled = parse_time(row["scheduled"])
        return {
            "time": cell(fmt.clock_time(row["_time"], ctx.now)),
            "severity": badge(SEVERITY, row["severity"], p),
            "kind": cell(row["kind"]),
            "title": cell(row["title"]),
            "description": cell(row["description"] or ""),
            "services": cell(row["services"] or ""),
            "actions": cell(row["actions"] or ""),
            "scheduled": cell(fmt.clock_time(scheduled, ctx.now) if scheduled else row["scheduled"] or ""),
            "duration": number_cell(fmt.duration(row["duration"]) if row["duration"] is not None else ""),
            "alternatives": cell(row["alternatives"] or ""),
        }

    def render_detail(self, key: str, ctx: ViewContext) -> RenderableType:
        entry = self._entries.get(key)
        return log_detail(entry, self.palette, ctx.now) if entry is not None else Text("")


def log_detail(entry: LogEntry, p: Palette, now: datetime) -> RenderableType:
    """One log line in full: a system event's every field, or an error's code and details."""
    title = Text.assemble(badge(SEVERITY, entry.severity, p), (f"  {clean(entry.title, 500)}", "bold"))
    parts: list[RenderableType] = [title]
    moment = parse_time(entry.timestamp)
    ev = entry.event
    if ev is None:
        parts.append(
            grid(
                [("Kind", entry.kind), ("Code", entry.code), ("Time", fmt.clock_time(moment, now) if moment else None)],
                p,
            )
        )
        if entry.details:
            parts += [
                heading("Details", p),
                grid([(clean(k, 80), clean(str(v), 1000)) for k, v in list(entry.details.items())[:50]], p),
            ]
        return stack(parts)
    scheduled = parse_time(ev.scheduled_time)
    parts.append(
        grid(
            [
                ("Type", fmt.words(clean(ev.event_type, 60))),
                ("Time", fmt.clock_time(moment, now) if moment else entry.timestamp),
                ("Session", ev.session_id),
                (
                    "Scheduled",
                    f"{fmt.clock_time(scheduled, now)} ({fmt.countdown(scheduled, now)})"
                    if scheduled
                    else ev.scheduled_time,
                ),
                ("Estimated duration", fmt.duration(ev.estimated_duration)),
            ],
            p,
        )
    )
    parts += [heading("Description", p), paragraph(ev.description)]
    for label, items in (("Affected services", ev.affected_services), ("Actions required", ev.actions_required)):
        if items:
            parts += [heading(label, p), *bullets(items, label.lower(), 500)]
    if ev.alternatives:
        parts += [
            heading("Alternatives", p),
            grid(
                [
                    (clean(k, 80), fmt.flag(v) if isinstance(v, bool) else clean(str(v), 300))
                    for k, v in list(ev.alternatives.items())[:50]
                ],
                p,
            ),
        ]
    other = extras(ev)
    if other:
        parts += [heading("Other fields", p), grid(other, p)]
    return stack(parts)
