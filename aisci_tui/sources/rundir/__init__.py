"""The AI-Scientist-v2 run-folder bridge: a run's files as protocol events.

>>> reader = RunReader("experiments/2025-06-12_09-13-56_idea_attempt_0")
>>> events = reader.scan()          # everything new since the last scan
>>> reader.tree("stage_1_initial_implementation_1_preliminary")
>>> src = RunSource(run_dir)        # the same, followed live, as a Source
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from aisci_tui.sources.rundir.layout import RUN_NAME, looks_like_run, parse_run_name
from aisci_tui.sources.rundir.model import PlotInfo, RunInfo, StageInfo, StageTree, TreeNode
from aisci_tui.sources.rundir.reader import RunReader
from aisci_tui.sources.rundir.source import RunSource

__all__ = [
    "PlotInfo",
    "RunInfo",
    "RunReader",
    "RunSource",
    "StageInfo",
    "StageTree",
    "TreeNode",
    "classify",
    "find_runs",
    "run_info",
]


def _is_single_run(path: Path) -> bool:
    if RUN_NAME.match(path.name) or (path / "idea.json").is_file():
        return True
    return (path / "logs").is_dir() and not (path / "experiments").is_dir()


def classify(path: str | Path) -> str | None:
    """``"run"`` for a run folder, ``"runs"`` for a folder of runs (``experiments/`` or its parent), else None."""
    base = Path(path).expanduser()
    try:
        if not base.is_dir():
            return None
        if _is_single_run(base):
            return "run"
        if base.name == "experiments" or (base / "experiments").is_dir():
            return "runs"
        if any(looks_like_run(p) for p in base.iterdir()):
            return "runs"
    except OSError:
        return None
    return None


def find_runs(path: str | Path) -> list[RunInfo]:
    """Runs at ``path`` (a run folder, an ``experiments/`` folder or the folder holding it), newest first."""
    base = Path(path).expanduser()
    try:
        if not base.is_dir():
            return []
        if _is_single_run(base):
            candidates = [base]
        else:
            parent = base / "experiments" if (base / "experiments").is_dir() else base
            candidates = [p for p in sorted(parent.iterdir()) if looks_like_run(p)]
    except OSError:
        return []
    runs = [run_info(p) for p in candidates]
    runs.sort(key=lambda r: (r.started_at.timestamp() if r.started_at else 0.0, r.last_change or 0.0), reverse=True)
    return runs


def run_info(run_dir: str | Path) -> RunInfo:
    """Read one run folder once and summarise it."""
    reader = RunReader(run_dir)
    reader.scan()
    started, idea, attempt = parse_run_name(reader.session_id)
    clock = reader.run_clock
    if clock is not None and clock.started is not None:  # the folder's stamp in the zone the run used
        started = datetime.fromtimestamp(clock.started).astimezone()
    status = reader.status
    if status is None:
        state, phase, overall = "unreadable", None, None
    elif status.failed:
        state, phase, overall = "failed", status.phase, status.overall
    elif status.finished:
        state, phase, overall = "finished", status.phase, status.overall
    else:
        where = f"stage {status.phase_key[6:]}" if status.phase_key.startswith("stage_") else status.phase_key
        doing = "stalled" if clock is not None and clock.stalled else "in progress"
        state, phase, overall = f"{where} {doing}", status.phase, status.overall
    return RunInfo(
        path=reader.run_dir,
        name=reader.session_id,
        idea=idea,
        attempt=attempt,
        started_at=started,
        title=reader.title if status is not None else None,
        state=state,
        phase=phase,
        overall_progress=overall,
        last_change=clock.latest if clock is not None else None,  # the run's clock, not file times
        finished=bool(status and status.finished),
        failed=bool(status and status.failed),
        problems=[f"{k}: {v}" for k, v in reader.problems.items()],
        extra={"stages": [s.name for s in reader.stages]},
    )
