"""A session's charts: overall progress over time, and the metric of every experiment by step.

The metric chart draws each stage's experiments (a run folder's tree nodes) as
dots in the stage's colour, the best so far as a line, and failed (buggy) ones
as ``✖`` on the bottom edge when they have no metric. The data are the
overview's, the same the home screen's sparklines come from.
"""

from __future__ import annotations

from collections.abc import Mapping

from rich.console import Group
from rich.text import Text

from aisci_tui.store.overview import Point, SessionLine
from aisci_tui.textsafe import clean
from aisci_tui.tui.widgets.plot import Chart, Series, legend
from aisci_tui.tui.widgets.tones import Palette

STAGE_TONES = ("primary", "accent", "warning", "success")


def progress_chart(line: SessionLine, width: int, height: int, p: Palette) -> Group:
    """Overall progress (%) by minutes since the first sample."""
    history = list(line.history)
    start = history[0][0] if history else 0.0
    series = [Series("overall progress", [((t - start) / 60, v * 100) for t, v in history], p["primary"])]
    chart = Chart(series, x_label="minutes", y_range=(0.0, 100.0))
    title = Text("Overall progress, %", style=p["accent"])
    return Group(title, *chart.render(width, height, axis_style=p["muted"]))


def metric_series(points: Mapping[str, Point], p: Palette) -> tuple[list[Series], str]:
    """Per-stage dots, the best-so-far line and failed marks; steps laid end to end stage after stage."""
    stages: dict[str, list[Point]] = {}
    for point in points.values():
        stages.setdefault(point.stage, []).append(point)
    lower = next((pt.lower_is_better for pt in points.values() if pt.lower_is_better is not None), False)
    name = next((pt.metric for pt in points.values() if pt.value is not None), "metric")
    series: list[Series] = []
    placed: list[tuple[float, Point]] = []
    offset = 0.0
    for n, (stage, pts) in enumerate(sorted(stages.items())):
        pts.sort(key=lambda pt: pt.step)
        xs = [(offset + pt.step - pts[0].step, pt) for pt in pts]
        placed += xs
        offset = xs[-1][0] + 1
        label = clean(stage.removeprefix("stage_"), 40) or "experiments"
        series.append(
            Series(
                label,
                [(x, pt.value) for x, pt in xs if pt.value is not None and not pt.failed],
                p[STAGE_TONES[n % len(STAGE_TONES)]],
                line=False,
                mark="•",
            )
        )
    best: list[tuple[float, float]] = []
    current: float | None = None
    for x, pt in sorted(placed, key=lambda xp: xp[0]):
        if pt.value is None or pt.failed:
            continue
        if current is None or (pt.value < current if lower else pt.value > current):
            if current is not None:
                best.append((x, current))  # a step up (or down): the best so far changes here
            current = pt.value
        best.append((x, current))
    if best:
        series.append(Series("best so far", best, p["success"]))
    values = [pt.value for _, pt in placed if pt.value is not None]
    floor = min(values) if values else 0.0
    failed = [(x, pt.value if pt.value is not None else floor) for x, pt in placed if pt.failed]
    if failed:
        series.append(Series("failed / buggy", failed, p["error"], line=False, mark="✖"))
    return series, name


def metric_chart(points: Mapping[str, Point], width: int, height: int, p: Palette) -> Group:
    series, name = metric_series(points, p)
    title = Text(f"{clean(name, 60)} of every experiment by step", style=p["accent"])
    chart = Chart(series, x_label="step")
    lines = chart.render(width, height - 1, axis_style=p["muted"])
    return Group(title, *lines, legend(series))


def session_charts(
    line: SessionLine | None, points: Mapping[str, Point] | None, width: int, p: Palette
) -> Group | None:
    """Both charts side by side when wide, one above the other when not (None: nothing to draw)."""
    parts = []
    if line is not None and len(line.history) >= 2:
        parts.append(progress_chart(line, width if width < 120 else width // 2 - 2, 9, p))
    if points and any(pt.value is not None or pt.failed for pt in points.values()):
        parts.append(metric_chart(points, width if width < 120 else width // 2 - 2, 11, p))
    if not parts:
        return None
    if len(parts) == 2 and width >= 120:
        from rich.table import Table

        table = Table.grid(padding=(0, 3))
        table.add_column()
        table.add_column()
        table.add_row(*parts)
        return Group(table)
    return Group(*parts)
