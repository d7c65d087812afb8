"""The agent detail screen: everything the last agent_status event said, plus its status history."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import ClassVar

from rich.console import RenderableType
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from aisci_tui.protocol.times import parse_time
from aisci_tui.store import Store
from aisci_tui.store.rows import STALE_AFTER, heartbeat_age
from aisci_tui.textsafe import clean
from aisci_tui.tui import format as fmt
from aisci_tui.tui.views.sections import stack, extras, grid, heading
from aisci_tui.tui.widgets.badges import AGENT, badge
from aisci_tui.tui.widgets.bars import labelled_bar
from aisci_tui.tui.widgets.sparkline import status_sparkline, status_timeline
from aisci_tui.tui.widgets.tones import COMPONENT_CLASSES, Palette, tone_css

#: How often the open screen looks for a newer event about its agent (seconds).
POLL = 0.5


def agent_detail(store: Store, agent_id: str, palette: Palette, now: datetime) -> RenderableType:
    """The whole detail as one renderable (also used by tests and screenshots)."""
    entity = store.agents.get(agent_id)
    if entity is None:
        return Text(f"Agent {clean(agent_id, 200)} is no longer in the store.", style=palette["muted"])
    d = entity.data
    task, perf, health = d.current_task, d.performance, d.health
    title = Text.assemble((clean(d.name or d.agent_id, 200), "bold"), "  ", badge(AGENT, d.status, palette))
    parts: list[RenderableType] = [
        title,
        grid([("Agent id", d.agent_id), ("Session", d.session_id)], palette),
    ]

    def bar(value: object) -> Text:
        return labelled_bar(value, 20, palette["primary"], palette["muted"])

    parts.append(heading("Current task", palette))
    if task is None:
        parts.append(Text("No current task", style=palette["muted"]))
    else:
        started = parse_time(task.started_at)
        due = parse_time(task.estimated_completion)
        parts.append(grid([
            ("Type", task.type), ("Task id", task.id), ("Progress", bar(task.progress)),
            ("Started", f"{fmt.clock_time(started, now)} ({fmt.age(started, now)})" if started else task.started_at),
            ("Estimated completion", fmt.eta(due, now) if due else task.estimated_completion),
            *extras(task),
        ], palette))

    parts.append(heading("Performance", palette))
    parts.append(grid([
        ("CPU", bar(perf.cpu_usage if perf else None)),
        ("Memory", bar(perf.memory_usage if perf else None)),
        ("Response time", fmt.seconds(perf.response_time if perf else None)),
        ("Success rate", bar(perf.success_rate if perf else None)),
        *extras(perf),
    ], palette))

    parts.append(heading("Health", palette))
    beat = parse_time(health.last_heartbeat) if health else None
    beat_age = heartbeat_age(beat, now)
    beat_text = Text(fmt.clock_time(beat, now) if beat else clean(health.last_heartbeat if health else None) or "—")
    if beat_age is not None:
        stale = beat_age > STALE_AFTER
        beat_text.append(f"  ({'! stale, ' if stale else ''}{fmt.duration(beat_age)} ago)",
                         palette["warning"] if stale else palette["muted"])
    parts.append(grid([
        ("Last heartbeat", beat_text),
        ("Uptime", fmt.duration(health.uptime if health else None)),
        ("Error count", fmt.count(health.error_count if health else None)),
        *extras(health),
    ], palette))

    history = store.agent_history.get(agent_id, ())
    parts.append(heading(f"Status history ({len(history)} changes)", palette))
    parts.append(status_sparkline(history, palette))
    parts.append(status_timeline(history, palette, now))

    other = extras(d)
    if other:
        parts.append(heading("Other fields", palette))
        parts.append(grid(other, palette))
    parts.append(heading("Last event", palette))
    parts.append(grid([("Event id", entity.event_id), ("Timestamp", entity.timestamp),
                       ("Updates received", fmt.count(entity.updates))], palette))
    return stack(parts)


class AgentDetailScreen(ModalScreen[None]):
    """Shows one agent; follows new events about it while open. Escape closes."""

    COMPONENT_CLASSES: ClassVar[set[str]] = COMPONENT_CLASSES
    DEFAULT_CSS = """
    AgentDetailScreen { align: center middle; }
    AgentDetailScreen > Vertical {
        width: 90%; max-width: 110; height: 90%;
        border: round $primary; background: $surface; padding: 0 1;
    }
    AgentDetailScreen #agent-detail-hint { color: $text-muted; height: 1; }
    """ + tone_css("AgentDetailScreen")

    BINDINGS: ClassVar[list[Binding]] = [
        Binding("escape", "close", "Close", id="agent_detail.close"),
    ]

    def __init__(self, store: Callable[[], Store], agent_id: str, *, clock: Callable[[], datetime]) -> None:
        """``store`` returns the store to show: a replay that goes back in time replaces it."""
        super().__init__()
        self.get_store = store
        self.agent_id = agent_id
        self.clock = clock
        self._shown: tuple[int, int] = (-1, -1)

    def compose(self) -> ComposeResult:
        with Vertical():
            with VerticalScroll(id="agent-detail-scroll"):
                yield Static(id="agent-detail-body")
            yield Static(Text("Esc: close   ↑↓ PgUp PgDn: scroll"), id="agent-detail-hint")

    def on_mount(self) -> None:
        self.refresh_detail()
        self.set_interval(POLL, self.refresh_detail)
        self.query_one("#agent-detail-scroll").focus()

    def refresh_detail(self) -> None:
        store = self.get_store()
        shown = (id(store), store.version)
        if shown == self._shown:
            return
        self._shown = shown
        body = agent_detail(store, self.agent_id, Palette.of(self), self.clock())
        self.query_one("#agent-detail-body", Static).update(body)

    def action_close(self) -> None:
        self.dismiss()
