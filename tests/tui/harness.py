"""A tiny app that mounts one view, feeds it a store and syncs it the way the dashboard does."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

from textual.app import App, ComposeResult

from aisci_tui.protocol import from_obj
from aisci_tui.protocol.models import Event
from aisci_tui.store import Store
from aisci_tui.tui.views.base import GoTo, SessionChosen, StoreView, ViewContext

NOW = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
_ids = itertools.count(1)


def iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def event(kind: str, data: dict[str, Any], *, at: datetime | None = None, msg_id: str | None = None) -> Event:
    """A validated event built by hand (timestamps move forward so later events win)."""
    n = next(_ids)
    stamp = at or (NOW - timedelta(hours=1) + timedelta(milliseconds=n))
    return from_obj({"type": kind, "id": msg_id or f"t-{n}", "timestamp": iso(stamp), "data": data})


def agent(agent_id: str, status: str = "busy", **data: Any) -> Event:
    return event("agent_status", {"agent_id": agent_id, "status": status, **data})


def experiment(experiment_id: str, status: str = "completed", **data: Any) -> Event:
    return event("experiment_results", {"experiment_id": experiment_id, "status": status, **data})


def assessment(resource_id: str, **assessment_fields: Any) -> Event:
    extra = assessment_fields.pop("data", {})
    return event("ethical_assessment", {"resource_id": resource_id, "assessment": assessment_fields, **extra})


def progress(session_id: str, **data: Any) -> Event:
    return event("research_progress", {"session_id": session_id, **data})


def system(severity: str = "info", event_type: str = "update", **data: Any) -> Event:
    return event("system_event", {"event_type": event_type, "severity": severity, **data})


class Harness(App[None]):
    """Mounts ``view``; :meth:`sync` applies what changed in ``store`` like the dashboard's timer."""

    def __init__(
        self, view: StoreView, store: Store | None = None, *, session_id: str | None = None, now: datetime = NOW
    ) -> None:
        super().__init__()
        self.view = view
        self.store = store or Store()
        self.session_id = session_id
        self.now = now
        self.chosen: list[str | None] = []
        self.went: list[tuple[str, str]] = []  # (kind, key) of every GoTo a view posted

    def compose(self) -> ComposeResult:
        yield self.view

    def context(self) -> ViewContext:
        return ViewContext(session_id=self.session_id, now=self.now, refresh_hz=10.0)

    def feed(self, *events: Event) -> None:
        self.store.feed(events)

    def sync(self, *, full: bool = False) -> None:
        changes = self.store.take_changes()
        with self.batch_update():
            self.view.sync(self.store, changes, self.context(), full=full)

    def on_go_to(self, message: GoTo) -> None:
        self.went.append((message.kind, message.key))

    def on_session_chosen(self, message: SessionChosen) -> None:
        self.chosen.append(message.session_id)
        self.session_id = message.session_id
        self.sync(full=True)


def cell(view: Any, key: str, column: str) -> str:
    """The plain text of one cell as the table holds it."""
    return view.table.get_cell(key, column).plain


def shown(view: Any) -> list[str]:
    """Row keys in the order the table shows them."""
    return view.table.row_keys()


def render_plain(renderable: Any, width: int = 100) -> str:
    """What a renderable looks like as plain text."""
    import io

    from rich.console import Console

    console = Console(width=width, record=True, color_system=None, file=io.StringIO())
    console.print(renderable)
    return console.export_text()


def static_text(widget: Any, width: int = 100) -> str:
    """The plain text of a Static's current content."""
    return render_plain(widget.content, width)
