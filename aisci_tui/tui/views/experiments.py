"""Experiments view: results in a list, the highlighted one in full in a detail pane."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

from aisci_tui.protocol.times import parse_time
from aisci_tui.store import Changes, Store
from aisci_tui.store.query import ALL, Column, Row, agent_name, status_state
from aisci_tui.store.rows import experiment_row
from aisci_tui.textsafe import clean
from aisci_tui.tui import format as fmt
from aisci_tui.tui.views.base import ViewContext
from aisci_tui.tui.views.cells import cell, number_cell
from aisci_tui.tui.views.sections import bullets, capped, extras, grid, heading, more_note, paragraph, stack
from aisci_tui.tui.views.split import SESSION_COLUMN, SessionSplitView
from aisci_tui.tui.widgets.badges import EXPERIMENT, badge
from aisci_tui.tui.widgets.bars import labelled_bar, score_tone
from aisci_tui.tui.widgets.links import link
from aisci_tui.tui.widgets.tones import Palette


class ExperimentsView(SessionSplitView):
    VIEW_ID = "experiments"
    TITLE = "Experiments"
    FILTER_LABEL = "status"
    EMPTY = "No experiment results yet."
    KIND = "experiments"
    COUNT = ("status", "failed", "failed")
    EXPORT_EXTRA = ("experiment_id", "metric_name", "agent_id", "session_id", "exc_type", "summary")
    PLACEHOLDER = "Highlight an experiment to see its results."

    COLUMNS: ClassVar[list[Column]] = [
        Column("title", "Title", 0, 0, min_width=20),
        Column("status", "Status", 11, 0),
        Column("metric", "Metric", 9, 1, numeric=True),
        Column("duration", "Duration", 8, 1, numeric=True),
        Column("agent", "Agent", 16, 3),
        SESSION_COLUMN,
        Column("stage", "Stage", 14, 2, optional=True),
        Column("step", "Step", 5, 4, numeric=True, optional=True),
        Column("tags", "Tags", 16, 4, optional=True),
    ]

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._by_agent: dict[str | None, set[str]] = {}  # agent id -> experiments that named it

    def filter_states(self) -> list[Any]:
        return [ALL, status_state("completed"), status_state("failed"), status_state("partial")]

    def related(self, store: Store, changes: Changes) -> set[str]:
        rows = self.rows
        return {
            k
            for a in changes.agents
            for k in self._by_agent.get(a, ())
            if k in rows and rows[k]["agent_id"] == a and rows[k]["agent"] != agent_name(store, a)
        } | super().related(store, changes)

    def build_row(self, store: Store, key: str, item: Any, ctx: ViewContext) -> Row:
        row = experiment_row(item, store)
        self._by_agent.setdefault(row["agent_id"], set()).add(key)  # checked on use, so never stale
        results = item.data.results
        row["summary"] = results.summary if results else None
        row["session"] = self.session_label(store, key, row["session_id"], ctx)
        return row

    def build_cells(self, row: Row, ctx: ViewContext) -> dict[str, Text]:
        p = self.palette
        metric = row["metric"]
        return {
            "title": cell(row["title"]),
            "status": badge(EXPERIMENT, row["status"], p),
            "metric": number_cell(_metric_cell(metric, row.get("metric_name"))),
            "duration": number_cell(fmt.duration(row["duration"])),
            "agent": cell(row["agent"] or fmt.MISSING),
            "session": cell(row["session"] or fmt.MISSING),
            "stage": cell(row["stage"] if row["stage"] is not None else fmt.MISSING),
            "step": number_cell(clean(row["step"], 10) if row["step"] is not None else fmt.MISSING),
            "tags": cell(row["tags"] or ""),
        }

    def render_detail(self, key: str, ctx: ViewContext) -> RenderableType:
        store = self._store
        entity = store.experiments.get(key) if store else None
        if store is None or entity is None:
            return Text("This experiment is no longer in the store.")
        return experiment_detail(entity.data, store, self.palette, ctx.now)


def experiment_detail(d: Any, store: Store, p: Palette, now: datetime) -> RenderableType:
    """Everything an experiment_results event carries, sanitised and capped."""
    results, execution, quality = d.results, d.execution, d.quality_metrics
    title = Text.assemble((clean(d.title or d.experiment_id, 300), "bold"), "  ", badge(EXPERIMENT, d.status, p))
    agent_id = execution.agent_id if execution else None
    parts: list[RenderableType] = [
        title,
        grid(
            [
                ("Experiment id", d.experiment_id),
                ("Session", d.session_id),
                ("Agent", f"{agent_name(store, agent_id)} ({agent_id})" if agent_id else None),
            ],
            p,
        ),
    ]

    parts += [heading("Summary", p), paragraph(results.summary if results else None)]

    findings = results.key_findings if results else []
    parts.append(heading(f"Key findings ({len(findings):,})", p))
    parts += bullets(findings, "findings (export has them all)", 1000) or [Text("—")]

    parts += [heading("Metrics", p), _metrics(results.metrics if results else None, p)]

    visuals = results.visualizations if results else []
    if visuals:
        parts.append(heading(f"Visualizations ({len(visuals):,})", p))
        shown, hidden = capped(visuals)
        for v in shown:
            line = link(v.title or v.url or "untitled", v.url, p["accent"])
            if v.type:
                line.append(f"  [{clean(v.type, 40)}]", p["muted"])
            parts.append(line)
            if v.description:
                parts.append(Text(f"  {clean(v.description, 500)}", style=p["muted"], end=""))
        if note := more_note(hidden, "visualizations"):
            parts.append(note)

    data = results.data if results else None
    if data is not None:
        meta = data.metadata
        columns = meta.columns if meta and meta.columns else []
        col_text, col_hidden = capped(columns)
        parts += [
            heading("Data", p),
            grid(
                [
                    (
                        "Raw data",
                        link(data.raw_data_url, data.raw_data_url, p["accent"]) if data.raw_data_url else None,
                    ),
                    (
                        "Processed",
                        link(data.processed_data_url, data.processed_data_url, p["accent"])
                        if data.processed_data_url
                        else None,
                    ),
                    (
                        "Columns",
                        ", ".join(str(c) for c in col_text) + (f" … (+{col_hidden:,})" if col_hidden else "")
                        if columns
                        else None,
                    ),
                    ("Rows", fmt.count(meta.rows) if meta else None),
                    ("File size", meta.file_size if meta else None),
                ],
                p,
            ),
        ]

    if execution is not None:
        res = execution.computing_resources
        started, done = parse_time(execution.started_at), parse_time(execution.completed_at)
        parts += [
            heading("Execution", p),
            grid(
                [
                    ("Duration", fmt.duration(execution.duration)),
                    ("Started", fmt.clock_time(started, now) if started else execution.started_at),
                    ("Completed", fmt.clock_time(done, now) if done else execution.completed_at),
                    ("CPU time", fmt.duration(res.cpu_time) if res else None),
                    ("Memory peak", res.memory_peak if res else None),
                    ("GPU usage", res.gpu_usage if res else None),
                    *extras(res),
                    *extras(execution),
                ],
                p,
            ),
        ]

    if quality is not None:
        parts.append(heading("Quality", p))
        parts.append(
            grid(
                [
                    (label, labelled_bar(value, 20, p[score_tone(value)], p["muted"]))
                    for label, value in (
                        ("Data quality", quality.data_quality_score),
                        ("Methodology", quality.methodology_score),
                        ("Reproducibility", quality.reproducibility_score),
                    )
                ]
                + [
                    (k, labelled_bar(v, 20, p[score_tone(v)], p["muted"]) if _num(v) else v)
                    for k, v in (quality.model_extra or {}).items()
                ],
                p,
            )
        )

    other = extras(d)
    if other:
        parts += [heading("Run details", p), grid(other, p)]
    return stack(parts)


def _num(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _metrics(metrics: Any, p: Palette) -> RenderableType:
    if metrics is None:
        return Text("—")
    rows: list[tuple[str, RenderableType | str | None]] = []
    if metrics.accuracy is not None:
        acc = Text(fmt.number(metrics.accuracy, 3))
        ci = metrics.confidence_interval
        if ci and len(ci) == 2:
            acc.append(f"  (confidence interval {fmt.fixed(ci[0], 3)} – {fmt.fixed(ci[1], 3)})", p["muted"])
        rows.append(("Accuracy", acc))
    elif metrics.confidence_interval:
        rows.append(("Confidence interval", " – ".join(fmt.fixed(v, 3) for v in metrics.confidence_interval[:2])))
    rows.append(("Sample size", fmt.count(metrics.sample_size)))
    rows.append(("Effect size", fmt.number(metrics.effect_size, 3)))
    extra = list((metrics.model_extra or {}).items())
    shown, hidden = capped(extra)
    for name, value in shown:
        rows.append((clean(name, 80), fmt.number(value, 4) if _num(value) else clean(str(value), 200)))
    table: Table = grid(rows, p)
    if hidden:
        return stack([table, more_note(hidden, "metrics")])
    return table


def _metric_cell(value: Any, name: Any) -> str:
    """The value, with the direction when the metric's name carries one (``validation loss ↓ (…)``)."""
    if value is None:
        return fmt.MISSING
    arrow = next((a for a in ("↓", "↑") if isinstance(name, str) and f" {a}" in name), "")
    return f"{fmt.number(value, 3)} {arrow}".rstrip()
