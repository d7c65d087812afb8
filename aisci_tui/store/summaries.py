"""The home screen's records: a session's summary line, an attention item, a notable change, a chart point.

What :class:`~aisci_tui.store.overview.Overview` keeps and the views read; plain data, no Textual.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field, replace

#: Progress samples kept per session for its sparkline and chart.
HISTORY = 240


def finished(phase: str | None, progress: float | None) -> bool:
    """A session that reports phase ``done`` or complete progress."""
    return phase == "done" or (isinstance(progress, int | float) and progress >= 1.0)


@dataclass(slots=True)
class SessionLine:
    """One session as the home screen shows it."""

    session_id: str
    title: str = ""
    phase: str | None = None
    progress: float | None = None
    eta: str | None = None
    remaining: float | None = None
    updated: float | None = None  # epoch seconds of the last progress event
    agents_busy: int = 0
    agents_total: int = 0
    agents_error: int = 0
    experiments_done: int = 0
    experiments_failed: int = 0
    experiments_total: int = 0
    best: float | None = None
    best_experiment: str | None = None
    stalled: bool = False
    #: A run folder's session (its progress counts tree nodes): its best is the stage's best node's metric.
    run: bool = False
    stage: str | None = None  # the run's current stage folder
    cost_usd: float | None = None  # the run's total cost, once token_tracker.json is written
    cost_note: str | None = None  # why there is no cost yet
    #: (epoch seconds, overall progress), oldest first.
    history: deque[tuple[float, float]] = field(default_factory=lambda: deque(maxlen=HISTORY))

    @property
    def finished(self) -> bool:
        return finished(self.phase, self.progress)


@dataclass(frozen=True, slots=True)
class Attention:
    """One thing that needs a person, with where to go to see it."""

    rank: int
    kind: str  # "experiment" | "agent" | "assessment" | "event" | "session"
    key: str
    tone: str  # "error" | "warning"
    what: str  # "Experiment failed"
    text: str  # the thing's name
    since: float | None  # epoch seconds
    session_id: str | None = None
    deadline: str | None = None  # an assessment's review deadline
    #: How many items this line stands for: the same thing repeated, folded (:func:`fold`);
    #: ``key`` and ``since`` are then the newest one's.
    count: int = 1

    @property
    def same(self) -> tuple[str, int, str, str, str | None]:
        """What makes two items the same thing again: kind, severity, what happened, to what, in which session."""
        return self.kind, self.rank, self.what, self.text, self.session_id


#: The kinds whose items fold when the same thing happens again: a system event of the same severity
#: and title, an experiment of the same title failing again in the same session. An agent, an
#: assessment and a session are each one thing, and never fold.
FOLDING = frozenset({"event", "experiment"})


def fold(items: list[Attention]) -> list[Attention]:
    """``items`` (most urgent first, newest first within a rank) with the same thing repeated on one line.

    A folded line takes the place of its first item, so it ranks as its most urgent, newest one, and
    it goes where that one goes; its ``count`` says how many it stands for."""
    out: list[Attention] = []
    first: dict[tuple[str, int, str, str, str | None], int] = {}
    for item in items:
        if item.kind not in FOLDING:
            out.append(item)
            continue
        at = first.setdefault(item.same, len(out))
        if at == len(out):
            out.append(item)
        else:
            out[at] = replace(out[at], count=out[at].count + item.count)
    return out


@dataclass(frozen=True, slots=True)
class Change:
    """A notable change, for "since you last looked"."""

    at: float  # epoch seconds (the dashboard's wall clock when it was seen)
    kind: str  # "new" | "failed" | "best" | "phase" | "warning"
    text: str
    target: tuple[str, str]  # (kind, key)


@dataclass(frozen=True, slots=True)
class Point:
    """One experiment (a tree node, for a run folder) on a session's metric chart."""

    step: float
    value: float | None  # None: no metric (a buggy node, or not evaluated)
    failed: bool
    stage: str
    metric: str
    lower_is_better: bool | None


def metric_point(d, ordinal: int) -> Point:
    """The experiment's main metric (a run's node metric, else accuracy), its step and stage."""
    extra = d.model_extra or {}
    results = d.results
    main = (results.model_extra or {}).get("main_metric") if results is not None else None
    value, name, lower = None, "accuracy", None
    if isinstance(main, dict) and isinstance(main.get("value"), int | float):
        value, name = float(main["value"]), str(main.get("name") or "metric")
        lower = main.get("lower_is_better") if isinstance(main.get("lower_is_better"), bool) else None
    elif results is not None and results.metrics is not None and results.metrics.accuracy is not None:
        value = float(results.metrics.accuracy)
    step = extra.get("step")
    return Point(
        float(step) if isinstance(step, int | float) else float(ordinal),
        value,
        d.status == "failed",
        str(extra.get("stage") or ""),
        name,
        lower,
    )


def run_fields(line: SessionLine, extra: dict) -> None:
    """What a run folder's progress adds: its node counts, current stage and cost (as the bridge sends them)."""
    line.run = isinstance(extra.get("nodes"), dict)
    stage, cost = extra.get("stage"), extra.get("cost")
    line.stage = stage if isinstance(stage, str) and stage else None
    total = cost.get("total_usd") if isinstance(cost, dict) else None
    if isinstance(total, int | float) and not isinstance(total, bool) and total == total:  # (not NaN)
        line.cost_usd = float(total)
    else:
        line.cost_usd = None
    note = cost.get("note") if isinstance(cost, dict) else None
    line.cost_note = note if isinstance(note, str) and note else None
