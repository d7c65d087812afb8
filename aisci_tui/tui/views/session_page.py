"""A research session's own page: progress bars, phase trail, review and cost, activities, timeline."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rich.console import RenderableType
from rich.style import Style
from rich.table import Table
from rich.text import Text

from aisci_tui.protocol.phases import DONE, RESEARCH_PHASES
from aisci_tui.protocol.times import parse_time
from aisci_tui.store import Entity, Store
from aisci_tui.store.query import SessionCounts, agent_name
from aisci_tui.textsafe import clean
from aisci_tui.tui import format as fmt
from aisci_tui.tui.views.sections import capped, extras, grid, heading, more_note, stack
from aisci_tui.tui.widgets.badges import MILESTONE, badge
from aisci_tui.tui.widgets.bars import labelled_bar
from aisci_tui.tui.widgets.tones import Palette

#: The phases a session goes through, in order (others are shown as they come).
PHASES = (*RESEARCH_PHASES, DONE)
BAR = 30


def _phase_strip(current: str | None, p: Palette, trail: Any = None, index: Any = None) -> Text:
    """``literature review ✓ › … › ▶ experimentation › analysis › …`` for the known phases.

    A session that names its own pipeline (``phase_trail`` and ``phase_index``, as a
    run folder does: Stage 1 … Stage 4 › summaries › … › done) shows that one.
    """
    text = Text(end="")
    if isinstance(trail, list) and trail and all(isinstance(t, str) for t in trail):
        phases: tuple[str, ...] = tuple(trail)
        at = index if isinstance(index, int) and not isinstance(index, bool) and 0 <= index < len(phases) else None
        if at is None:
            text.append(fmt.words(clean(current, 80)), "bold")
            text.append("  (" + " › ".join(clean(t, 40) for t in phases) + ")", p["muted"])
            return text
    elif current in PHASES:
        phases, at = PHASES, PHASES.index(current)
    else:
        text.append(fmt.words(clean(current, 80)), "bold")
        return text
    for i, phase in enumerate(phases):
        if i:
            text.append(" › ", p["muted"])
        name = clean(phase, 60) if phases is not PHASES else fmt.words(phase)
        if i < at:
            text.append(f"{name} ✓", p["success"])
        elif i == at:
            text.append(f"▶ {name}", p["primary"] + Style(bold=True))
        else:
            text.append(name, p["muted"])
    return text


#: Extra fields of a run folder's progress shown in their own rows rather than under "Other fields".
_SHOWN_EXTRAS = frozenset({"phase_trail", "phase_index", "review", "cost", "workers"})


def review_and_cost(d: Any, p: Palette) -> list[RenderableType]:
    """The reviewer's decision and overall score, the total cost, then the cost per model.

    The cost comes from ``token_tracker.json``, written only after plot aggregation:
    before that there is no cost yet, which is said rather than shown as $0.
    """
    extra = d.model_extra or {}
    review, cost, workers = extra.get("review"), extra.get("cost"), extra.get("workers")
    rows: list[tuple[str, RenderableType]] = []
    if isinstance(workers, dict) and isinstance(workers.get("configured"), int):
        folders = workers.get("folders")
        rows.append(
            (
                "Workers",
                f"{workers['configured']} configured (agent.num_workers)"
                + (f", {folders} worker folders" if isinstance(folders, int) else ""),
            )
        )
    if isinstance(review, dict):
        decision = clean(str(review.get("decision") or "no decision"), 40)
        overall = review.get("overall")
        score = f" · overall {overall:g}" if isinstance(overall, int | float) else ""
        rows.append(("Review", Text(f"{decision}{score}", style="bold")))
    models: list[tuple[str, Any]] = []
    if isinstance(cost, dict):
        total = cost.get("total_usd")
        if isinstance(total, int | float) and not isinstance(total, bool):
            rows.append(("Cost", Text(f"${total:,.2f} in all", style="bold")))
            by_model = cost.get("models")
            models = list(by_model.items()) if isinstance(by_model, dict) else []
        else:
            rows.append(("Cost", Text(clean(str(cost.get("note") or "no cost reported yet"), 200), style=p["muted"])))
    if not rows:
        return []
    parts: list[RenderableType] = [grid(rows, p)]
    if models:
        table = Table.grid(padding=(0, 2))
        for _ in range(3):
            table.add_column(no_wrap=True)
        for model, usage in models[:20]:
            usage = usage if isinstance(usage, dict) else {}
            usd = usage.get("usd")
            given = usage.get("tokens")
            tokens = given if isinstance(given, dict) else {}
            counts = " · ".join(
                f"{clean(str(k), 20)} {v:,}"
                for k, v in list(tokens.items())[:6]
                if isinstance(v, int) and not isinstance(v, bool)
            )
            table.add_row(
                Text(clean(str(model), 60)),
                Text(f"${usd:,.2f}" if isinstance(usd, int | float) else "—", justify="right"),
                Text(counts, style=p["muted"]),
            )
        parts += [heading("Cost by model", p), table]
    return parts


def session_detail(
    entity: Entity,
    store: Store,
    counts: SessionCounts | None,
    p: Palette,
    now: datetime,
    charts: RenderableType | None = None,
) -> RenderableType:
    """A session's progress: bars, phase, milestones, activities per agent, timeline."""
    d = entity.data
    bar_style, empty = p["primary"], p["muted"]
    parts: list[RenderableType] = [
        Text(clean(d.title or d.session_id, 300), style="bold", end=""),
        Text(f"{clean(d.session_id, 200)}   Esc: all sessions", style=p["muted"], end=""),
        grid(
            [
                ("Overall", labelled_bar(d.overall_progress, BAR, bar_style, empty)),
                (
                    "Phase",
                    _phase_strip(
                        d.current_phase,
                        p,
                        (d.model_extra or {}).get("phase_trail"),
                        (d.model_extra or {}).get("phase_index"),
                    ),
                ),
                (
                    fmt.words(clean(d.current_phase, 60)) if d.current_phase else "Phase progress",
                    labelled_bar(d.phase_progress, BAR, bar_style, empty),
                ),
            ],
            p,
        ),
    ]
    parts += review_and_cost(d, p)
    counts = counts or SessionCounts()
    done = d.current_phase == "done" or (d.overall_progress is not None and d.overall_progress >= 1.0)
    parts.append(
        grid(
            [
                ("Agents", f"{0 if done else counts.agents_busy} busy of {counts.agents_total}"),
                (
                    "Experiments",
                    f"{counts.experiments_done} completed, {counts.experiments_failed} failed, "
                    f"{counts.experiments_total} in all",
                ),
            ],
            p,
        )
    )
    if charts is not None:
        parts += [heading("Charts", p), charts]

    parts.append(heading("Milestones", p))
    shown, hidden = capped(d.milestones)
    table = Table.grid(padding=(0, 2))
    for _ in range(3):
        table.add_column(no_wrap=True)
    for m in shown:
        mark = Text.assemble(badge(MILESTONE, m.status, p, symbol_only=True), f" {clean(m.name, 200)}")
        done = parse_time(m.completed_at)
        if m.status == "completed":
            when = Text(
                f"{fmt.clock_time(done, now)} ({fmt.age(done, now)})" if done else clean(m.completed_at, 60) or "done",
                style=p["muted"],
            )
        elif m.progress is not None:
            when = labelled_bar(m.progress, 16, bar_style, empty)
        else:
            when = Text(fmt.words(clean(m.status, 40)), style=p["muted"])
        table.add_row(mark, when)
    parts.append(table if shown else Text("—"))
    if note := more_note(hidden, "milestones"):
        parts.append(note)

    parts.append(heading("Activities", p))
    shown, hidden = capped(d.activities)
    table = Table.grid(padding=(0, 2))
    table.add_column(no_wrap=True, max_width=28)
    table.add_column(no_wrap=True)
    table.add_column(overflow="fold")
    for a in shown:
        who = Text(clean(agent_name(store, a.agent_id) or "—", 60), style="bold")
        progress = labelled_bar(a.progress, 12, bar_style, empty)
        what = Text(clean(a.activity, 500) or "—")
        status = a.status
        if done and status in ("in_progress", "running", "active", "busy"):
            status = "ended"  # the session is over: nothing of it is still in progress
        if status:
            what.append(f"  [{fmt.words(clean(status, 40))}]", p["muted"])
        table.add_row(who, progress, what)
    parts.append(table if shown else Text("No activities reported", style=p["muted"]))
    if note := more_note(hidden, "activities"):
        parts.append(note)

    t = d.timeline
    if t is not None:
        started, due = parse_time(t.started_at), parse_time(t.estimated_completion)
        # a finished session's "estimated completion" is when it finished: never "overdue"; while running,
        # Elapsed is counted from Started on the same clock, so the two agree
        finished = d.current_phase == "done" or (d.overall_progress is not None and d.overall_progress >= 1.0)
        # a run that stopped or stalled is not running now: its elapsed time is its own (the run's clock)
        halted = (d.model_extra or {}).get("run_state") in ("stalled", "stopped", "failed")
        counting = started is not None and not (finished or halted)
        elapsed = max(0.0, (now - started).total_seconds()) if counting and started is not None else t.time_elapsed
        parts += [
            heading("Timeline", p),
            grid(
                [
                    (
                        "Started",
                        f"{fmt.clock_time(started, now)} ({fmt.age(started, now)})" if started else t.started_at,
                    ),
                    ("Elapsed", fmt.duration(elapsed)),
                    *(
                        [
                            (
                                "Finished",
                                f"{fmt.clock_time(due, now)} ({fmt.age(due, now)})" if due else t.estimated_completion,
                            )
                        ]
                        if finished
                        else [
                            ("Remaining", fmt.duration(t.time_remaining)),
                            ("Estimated completion", fmt.eta(due, now) if due else t.estimated_completion),
                        ]
                    ),
                    *extras(t),
                ],
                p,
            ),
        ]
    other = [(k, v) for k, v in extras(d) if k.split(".", 1)[0] not in _SHOWN_EXTRAS]
    if other:
        parts += [heading("Other fields", p), grid(other, p)]
    return stack(parts)
