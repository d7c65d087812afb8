"""Home's lines: a session's summary fitted to the width, an attention item, ages.

Plain functions from the :class:`~aisci_tui.store.overview.Overview`'s records to rich
``Text``; :class:`~aisci_tui.tui.views.home.HomeView` puts them on the screen.
"""

from __future__ import annotations

from datetime import datetime

from rich.style import Style
from rich.text import Text

from aisci_tui.protocol.times import parse_time
from aisci_tui.store.overview import Attention, SessionLine
from aisci_tui.textsafe import clean
from aisci_tui.tui import format as fmt
from aisci_tui.tui.widgets.bars import bar
from aisci_tui.tui.widgets.plot import resample, sparkline
from aisci_tui.tui.widgets.tones import Palette

SPARK = 12


def fit(text: Text, width: int) -> Text:
    text.no_wrap = True
    text.overflow = "ellipsis"
    text.truncate(width, overflow="ellipsis")
    return text


#: The fields of a session line: (name, width, priority); lower priorities stay longer when narrow.
#: ``cost`` is there only beside a run folder's line; a run's best widens on wide screens (:func:`field_widths`).
SESSION_FIELDS = (
    ("progress", 15, 0),
    ("phase", 18, 2),
    ("eta", 12, 1),
    ("agents", 10, 5),  # " 5/10 busy"
    ("experiments", 8, 4),
    ("best", 10, 3),
    ("cost", 11, 3),
    ("spark", SPARK, 6),
    ("state", 10, 1),
)
TITLE_MIN = 20
#: From this width a run's best shows its metric's name (``validation loss ↓ 0.4867``), not only ``↓ 0.4867``.
WIDE_BEST, WIDE = 28, 160


def field_widths(width: int, runs: bool = False) -> dict[str, int]:
    """Each field's width; beside a run's line the phase gives a cell to the cost (room at 120 columns)."""
    sizes = {name: size for name, size, _ in SESSION_FIELDS}
    if runs:
        sizes["phase"] -= 1
        if width >= WIDE:
            sizes["best"] = WIDE_BEST
    return sizes


def session_fields(width: int, runs: bool = False) -> list[str]:
    """The fields that fit beside a title of at least :data:`TITLE_MIN` cells, in display order.

    Most important first, each taken if it still fits; ``runs``: a run folder's line is shown (its cost).
    """
    budget = width - 2 - max(TITLE_MIN, width // 4)
    sizes = field_widths(width, runs)
    kept: set[str] = set()
    for name, _, _ in sorted(SESSION_FIELDS, key=lambda f: f[2]):
        if sizes[name] + 2 > budget or (name == "cost" and not runs):
            continue
        kept.add(name)
        budget -= sizes[name] + 2
    return [name for name, _, _ in SESSION_FIELDS if name in kept]


def best_text(best: tuple[str, bool], width: int) -> str:
    """A run's best in ``width`` cells: the tree's text, then without its dataset scope, then the short form
    (``↓ 0.4867``, ``0 good yet``)."""
    text, found = best
    head = text.rpartition(" (")[0] if text.endswith(")") and " (" in text else text
    if found:
        words = head.split()
        short = " ".join(words[-2:]) if len(words) > 1 and words[-2] in ("↓", "↑") else words[-1] if words else ""
    else:
        short = "0 good yet" if text == "no good node yet" else text
    return next((t for t in (text, head, short) if len(t) <= width), short)


def cost_text(line: SessionLine) -> str:
    """``$12.34``; ``no cost yet`` until token_tracker.json is written (after plot aggregation)."""
    return f"${line.cost_usd:,.2f}" if line.cost_usd is not None else "no cost yet"


def session_text(
    line: SessionLine,
    width: int,
    now: datetime,
    p: Palette,
    *,
    live: bool = True,
    stale: bool = False,
    runs: bool = False,
    best: tuple[str, bool] | None = None,
) -> Text:
    """``● Title  ███░░ 78%  analysis  ETA 16m  4/8 busy  1✓ 1✖  best 0.626  ▂▃▅▇``, fields dropped to fit.

    ``best``: a run folder's stage best as the tree says it (:func:`~aisci_tui.tui.run.view.stage_best`),
    shown instead of the best accuracy; ``runs``: a run's line is on the screen (room for its cost).
    """
    if stale:  # not reported again since the server came back: it may be gone
        mark, tone, state = "?", "muted", "stale"
    elif line.finished:
        mark, tone, state = "✓", "success", "finished"
    elif line.agents_error:
        mark, tone, state = "✖", "error", f"{line.agents_error} erroring"
    elif line.stalled:
        mark, tone, state = "⏸", "warning", "stalled"
    else:
        mark, tone, state = "●", "primary", ""
    names = session_fields(width, runs)
    widths = field_widths(width, runs)
    parts: dict[str, Text] = {}
    if "progress" in names:
        progress = bar(line.progress, 10, p["primary"], p["muted"])
        progress.append(f" {fmt.percent(line.progress):>4}")
        parts["progress"] = progress
    parts["phase"] = Text(fmt.words(clean(line.phase, 40)) or "—")
    if line.finished:
        eta = ""  # a finished session has no ETA
    elif not live:
        eta = "ETA —"  # nothing counts down while the server is away
    else:
        due = parse_time(line.eta)
        left = fmt.countdown(due, now) if due else f"in {fmt.duration(line.remaining)}" if line.remaining else "—"
        eta = f"ETA {left.removeprefix('in ')}"
    parts["eta"] = Text(eta)
    busy = 0 if line.finished else line.agents_busy
    parts["agents"] = Text(f"{busy:>2}/{line.agents_total} busy")
    exps = Text(f"{line.experiments_done:>2}✓ ", end="")
    exps.append(f"{line.experiments_failed}✖", p["error"] if line.experiments_failed else p["muted"])
    parts["experiments"] = exps
    if best is not None:
        parts["best"] = Text(clean(best_text(best, widths["best"]), 200), style=p["success" if best[1] else "muted"])
    else:
        parts["best"] = Text(
            f"best {line.best:.3f}" if line.best is not None else "best —",
            style=p["success"] if line.best is not None else p["muted"],
        )
    parts["cost"] = Text(cost_text(line) if line.run else "", style=p["muted"] if line.cost_usd is None else Style())
    if "spark" in names:
        parts["spark"] = sparkline(resample(list(line.history), SPARK), SPARK, low=0.0, high=1.0, style=p["accent"])
    parts["state"] = Text(state, style=p[tone])
    title_w = width - 2 - sum(widths[n] + 2 for n in names)
    text = Text(end="", no_wrap=True)
    text.append(f"{mark} ", p[tone] + Style(bold=True))
    text.append(f"{clean(line.title, 200)[:title_w]:<{title_w}}", Style(bold=not line.finished))
    for name in names:
        part = parts[name]
        part.truncate(widths[name], overflow="ellipsis", pad=True)
        text.append("  ")
        text.append_text(part)
    return fit(text, width)


def ago(since: float | None, now: datetime) -> str:
    """A short age: ``42s``, ``25m``, ``3h 05m``, ``2d 4h`` (blank when unknown)."""
    if since is None:
        return ""
    seconds = max(0, int(now.timestamp() - since))
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m"
    if seconds < 86400:
        return f"{seconds // 3600}h {seconds % 3600 // 60:02d}m"
    return f"{seconds // 86400}d {seconds % 86400 // 3600}h"


def attention_text(item: Attention, name: str, session: str, width: int, now: datetime, p: Palette) -> Text:
    """``✖ Experiment failed  Ablation …  Session  12m`` (and ``due in 2d 3h`` for assessments); a folded
    line says how many it stands for: ``✖ Critical  Scheduler restarted  ×9  12s``."""
    symbol = "✖" if item.tone == "error" else "▲"
    text = Text(end="", no_wrap=True)
    text.append(f"{symbol} {item.what:<18.18}", p[item.tone] + Style(bold=item.tone == "error"))
    tail = Text(end="")
    if item.deadline:
        due = parse_time(item.deadline)
        tail.append(
            f"  {'due ' + fmt.countdown(due, now).removeprefix('in ') if due else clean(item.deadline, 30):<14.14}",
            p["warning"],
        )
    elif width >= 100:
        tail.append(" " * 16)
    if session and width >= 100:
        tail.append(f"  {clean(session, 200)[:22]:<22}", p["muted"])
    elif width >= 100:
        tail.append(" " * 24)
    tail.append(f"  {ago(item.since, now):>7}", p["muted"])
    room = max(8, width - text.cell_len - tail.cell_len - 1)
    times = f"  ×{item.count}" if item.count > 1 else ""  # the same thing repeated: ages are the newest's
    label = clean(name, 300)[: max(1, room - len(times))]
    text.append(f" {label}")
    text.append(times, p[item.tone] + Style(bold=True))
    text.append(" " * (room - len(label) - len(times)))
    text.append_text(tail)
    return fit(text, width)
