"""Terminal plots drawn with block and braille characters: sparklines and line charts.

One set of series feeds both the home screen's sparklines and the charts, so a
line in the small picture is the same line in the large one. Plain Rich text:
each cell is a braille character holding a 2×4 grid of dots.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from rich.style import Style
from rich.text import Text

_BLOCKS = "▁▂▃▄▅▆▇█"
#: Braille dot bits by (column, row) inside one cell.
_DOTS = ((0x01, 0x02, 0x04, 0x40), (0x08, 0x10, 0x20, 0x80))


def _finite(values: Sequence[float | None]) -> list[float]:
    return [v for v in values if v is not None and math.isfinite(v)]


def sparkline(
    values: Sequence[float | None],
    width: int,
    *,
    low: float | None = None,
    high: float | None = None,
    style: Style | str = "",
) -> Text:
    """The newest ``width`` values as block heights (blank where a value is missing)."""
    values = list(values)[-width:] if width > 0 else []
    seen = _finite(values)
    text = Text(end="", no_wrap=True)
    if not seen:
        return text
    lo = min(seen) if low is None else low
    hi = max(seen) if high is None else high
    span = hi - lo
    chars = []
    for v in values:
        if v is None or not math.isfinite(v):
            chars.append(" ")
        else:
            level = 0 if span <= 0 else round((min(max(v, lo), hi) - lo) / span * (len(_BLOCKS) - 1))
            chars.append(_BLOCKS[level])
    text.append("".join(chars), style)
    return text


def resample(points: Sequence[tuple[float, float]], width: int) -> list[float | None]:
    """The last value in each of ``width`` equal slices of the points' x range (None: no point yet)."""
    if not points or width <= 0:
        return []
    x0, x1 = points[0][0], points[-1][0]
    if x1 <= x0:
        return [points[-1][1]]
    out: list[float | None] = [None] * width
    for x, y in points:
        out[min(width - 1, int((x - x0) / (x1 - x0) * width))] = y
    last = None
    for i, v in enumerate(out):  # carry the last value over empty slices (a step line)
        if v is None:
            out[i] = last
        last = out[i]
    return out


@dataclass(slots=True)
class Series:
    """One line or set of marks on a chart."""

    label: str
    points: list[tuple[float, float]]
    style: Style | str = ""
    line: bool = True  # False: marks only
    mark: str | None = None  # a character drawn at each point instead of braille dots


@dataclass(slots=True)
class Chart:
    """A line chart of several series over shared axes, drawn in ``width`` × ``height`` cells."""

    series: list[Series] = field(default_factory=list)
    y_label: str = ""
    x_label: str = ""
    y_range: tuple[float, float] | None = None

    def bounds(self) -> tuple[float, float, float, float] | None:
        xs = [x for s in self.series for x, _ in s.points]
        ys = [y for s in self.series for _, y in s.points if math.isfinite(y)]
        if not xs or not ys:
            return None
        y0, y1 = self.y_range or (min(ys), max(ys))
        if y1 <= y0:
            y0, y1 = y0 - 0.5, y1 + 0.5
        x0, x1 = min(xs), max(xs)
        if x1 <= x0:
            x1 = x0 + 1
        # huge values: widening by 0.5 may change nothing, and a span may overflow
        if not all(math.isfinite(d) and d > 0 for d in (y1 - y0, x1 - x0)):
            return None
        return x0, x1, y0, y1

    def render(self, width: int, height: int, *, axis_style: Style | str = "dim") -> list[Text]:
        """The chart as ``height`` lines: a y axis with its labels, the plot, an x axis and a legend."""
        bounds = self.bounds()
        if bounds is None or width < 12 or height < 4:
            return [Text("No data to plot yet.", style=axis_style)]
        x0, x1, y0, y1 = bounds
        if not (0 < x1 - x0 < math.inf and 0 < y1 - y0 < math.inf):  # equal huge values, or a span past float
            return [Text("These values are too large to plot.", style=axis_style)]
        label_w = max(len(_num(y0)), len(_num(y1))) + 1
        cols, rows = width - label_w - 1, height - 2
        dots = [[0] * cols for _ in range(rows)]
        owner: list[list[Style | str]] = [[""] * cols for _ in range(rows)]
        marks: dict[tuple[int, int], tuple[str, Style | str]] = {}

        def place(x: float, y: float) -> tuple[int, int]:
            px = round((x - x0) / (x1 - x0) * (cols * 2 - 1))
            py = round((y1 - min(max(y, y0), y1)) / (y1 - y0) * (rows * 4 - 1))
            return px, py

        def dot(px: int, py: int, style: Style | str) -> None:
            c, r = px // 2, py // 4
            if 0 <= c < cols and 0 <= r < rows:
                dots[r][c] |= _DOTS[px % 2][py % 4]
                owner[r][c] = style

        for s in self.series:
            pts = [place(x, y) for x, y in s.points if math.isfinite(y)]
            if s.mark is not None:
                for px, py in pts:
                    marks[(py // 4, px // 2)] = (s.mark, s.style)
                continue
            for (ax, ay), (bx, by) in itertools.pairwise(pts) if s.line else ():
                steps = max(abs(bx - ax), abs(by - ay), 1)
                for i in range(steps + 1):
                    dot(round(ax + (bx - ax) * i / steps), round(ay + (by - ay) * i / steps), s.style)
            for px, py in pts:
                dot(px, py, s.style)

        lines: list[Text] = []
        for r in range(rows):
            label = _num(y1) if r == 0 else _num(y0) if r == rows - 1 else ""
            line = Text(f"{label:>{label_w}}┤" if label else " " * label_w + "│", style=axis_style, no_wrap=True)
            for c in range(cols):
                if (r, c) in marks:
                    char, style = marks[(r, c)]
                    line.append(char, style)
                elif dots[r][c]:
                    line.append(chr(0x2800 + dots[r][c]), owner[r][c])
                else:
                    line.append(" ")
            lines.append(line)
        left, right = _num(x0), _num(x1)
        axis = Text(" " * label_w + "└" + "─" * cols, style=axis_style, no_wrap=True)
        lines.append(axis)
        ticks = Text(" " * (label_w + 1) + left, style=axis_style, no_wrap=True)
        middle = f" {self.x_label} " if self.x_label else ""
        gap = cols - len(left) - len(right)
        ticks.append(f"{middle:^{max(0, gap)}}"[: max(0, gap)] + right)
        lines.append(ticks)
        return lines


def legend(series: Sequence[Series]) -> Text:
    text = Text(no_wrap=True)
    for s in series:
        if text:
            text.append("   ")
        text.append(s.mark or "⣿", s.style)
        text.append(f" {s.label}")
    return text


def _num(value: float) -> str:
    if abs(value) >= 1000:
        return f"{value:.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}".rstrip("0").rstrip(".")
    return f"{value:.2f}".rstrip("0").rstrip(".") if value else "0"
