"""An agent's detail: everything the last agent_status event said, plus its status history."""

from __future__ import annotations

from datetime import datetime

from rich.console import RenderableType
from rich.text import Text

from aisci_tui.protocol.times import parse_time
from aisci_tui.store import Store
from aisci_tui.store.rows import STALE_AFTER, heartbeat_age
from aisci_tui.textsafe import clean
from aisci_tui.tui import format as fmt
from aisci_tui.tui.views.sections import extras, grid, heading, stack
from aisci_tui.tui.widgets.badges import AGENT, badge
from aisci_tui.tui.widgets.bars import labelled_bar
from aisci_tui.tui.widgets.sparkline import status_sparkline, status_timeline
from aisci_tui.tui.widgets.tones import Palette


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
        parts.append(
            grid(
                [
                    ("Type", task.type),
                    ("Task id", task.id),
                    ("Progress", bar(task.progress)),
                    (
                        "Started",
                        f"{fmt.clock_time(started, now)} ({fmt.age(started, now)})" if started else task.started_at,
                    ),
                    ("Estimated completion", fmt.eta(due, now) if due else task.estimated_completion),
                    *extras(task),
                ],
                palette,
            )
        )

    parts.append(heading("Performance", palette))
    parts.append(
        grid(
            [
                ("CPU", bar(perf.cpu_usage if perf else None)),
                ("Memory", bar(perf.memory_usage if perf else None)),
                ("Response time", fmt.seconds(perf.response_time if perf else None)),
                ("Success rate", bar(perf.success_rate if perf else None)),
                *extras(perf),
            ],
            palette,
        )
    )

    parts.append(heading("Health", palette))
    beat = parse_time(health.last_heartbeat) if health else None
    beat_age = heartbeat_age(beat, now)
    beat_text = Text(fmt.clock_time(beat, now) if beat else clean(health.last_heartbeat if health else None) or "—")
    if beat_age is not None:
        stale = beat_age > STALE_AFTER
        beat_text.append(
            f"  ({'! stale, ' if stale else ''}{fmt.duration(beat_age)} ago)",
            palette["warning"] if stale else palette["muted"],
        )
    parts.append(
        grid(
            [
                ("Last heartbeat", beat_text),
                ("Uptime", fmt.duration(health.uptime if health else None)),
                ("Error count", fmt.count(health.error_count if health else None)),
                *extras(health),
            ],
            palette,
        )
    )

    history = store.agent_history.get(agent_id, ())
    parts.append(heading(f"Status history ({len(history)} changes)", palette))
    parts.append(status_sparkline(history, palette))
    parts.append(status_timeline(history, palette, now))

    other = extras(d)
    if other:
        parts.append(heading("Other fields", palette))
        parts.append(grid(other, palette))
    parts.append(heading("Last event", palette))
    parts.append(
        grid(
            [
                ("Event id", entity.event_id),
                ("Timestamp", entity.timestamp),
                ("Updates received", fmt.count(entity.updates)),
            ],
            palette,
        )
    )
    return stack(parts)
