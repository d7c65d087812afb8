"""One look at a run folder: every file the bridge cares about, read through the cache."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aisci_tui.sources.rundir.files import FileCache, finite, load_json
from aisci_tui.sources.rundir.layout import (
    DEFAULT_MAX_ITERS,
    DEFAULT_TIMEOUT,
    RUN_LOG_DIR,
    SUMMARY_FILES,
    StageName,
    parse_stage,
    worker_number,
)

_ETHICS_FLAG = re.compile(r'"Ethical Concerns"\s*:\s*(true|false)', re.IGNORECASE)
_STAMP = re.compile(rb'"timestamp"\s*:\s*(\d{9,11})(?:\.\d+)?\b')


def newest_stamp(raw: bytes) -> float | None:
    """The newest ``"timestamp"`` in token_tracker_interactions.json (each LLM reply's ``created``)."""
    stamps = [int(m.group(1)) for m in _STAMP.finditer(raw)]
    return float(max(stamps)) if stamps else None


@dataclass(slots=True)
class StageFiles:
    name: StageName
    path: Path
    journal: dict[str, Any] | None
    progress: dict[str, Any] | None
    best_id: str | None
    checkpoint_mtime: float | None
    journal_mtime: float | None
    last_change: float | None


@dataclass(slots=True)
class WorkerFiles:
    number: int
    folder: str
    path: Path
    last_change: float | None
    runfile_mtime: float | None


@dataclass(slots=True)
class Review:
    mtime: float | None
    ethical_concerns: bool | None
    decision: str | None
    overall: float | None


@dataclass(slots=True)
class Snapshot:
    """What the run folder holds right now (with the last good content of flaky files)."""

    exists: bool
    idea: dict[str, Any] = field(default_factory=dict)
    max_iters: dict[int, int] = field(default_factory=lambda: dict(DEFAULT_MAX_ITERS))
    timeout: float = DEFAULT_TIMEOUT
    num_workers: int | None = None
    stages: list[StageFiles] = field(default_factory=list)
    workers: list[WorkerFiles] = field(default_factory=list)
    summaries: dict[str, float] = field(default_factory=dict)  # file name -> mtime
    artifacts: dict[str, float] = field(default_factory=dict)  # top-level name -> mtime
    figures: int = 0
    pdfs: dict[str, float] = field(default_factory=dict)
    citations: dict[str, Any] | None = None
    tokens: dict[str, Any] | None = None
    #: The newest LLM reply time recorded in token_tracker_interactions.json (the run's own clock).
    replies_latest: float | None = None
    review: Review | None = None
    last_change: float | None = None
    first_change: float | None = None

    def touch(self, mtime: float | None) -> None:
        if mtime is None:
            return
        if self.last_change is None or mtime > self.last_change:
            self.last_change = mtime
        if self.first_change is None or mtime < self.first_change:
            self.first_change = mtime


def _dict(value: Any) -> dict[str, Any] | None:
    return value if isinstance(value, dict) else None


def take(cache: FileCache, run_dir: Path) -> Snapshot:
    """Read the run folder through ``cache``; never raises for missing or bad files."""
    if not cache.is_dir(run_dir):
        return Snapshot(exists=False)
    snap = Snapshot(exists=True)
    top = cache.listdir(run_dir)
    for entry in top:
        try:
            mtime = entry.stat().st_mtime
        except OSError:
            continue
        snap.artifacts[entry.name] = mtime
        snap.touch(mtime)
        if entry.name.lower().endswith(".pdf"):
            snap.pdfs[entry.name] = mtime

    snap.idea = _dict(cache.json(run_dir / "idea.json")) or {}
    _read_config(snap, cache.yaml(run_dir / "bfts_config.yaml"))

    stages: dict[str, StageFiles] = {}
    for run_logs in _numbered_run_dirs(cache, run_dir / "logs"):
        for entry in cache.listdir(run_logs):
            if entry.name in SUMMARY_FILES or entry.name.endswith("_summary.json"):
                summary = cache.stat(run_logs / entry.name)
                if summary is not None:
                    snap.summaries[entry.name] = summary.st_mtime
                    snap.touch(summary.st_mtime)
                continue
            name = parse_stage(entry.name)
            if name is not None and cache.is_dir(run_logs / entry.name):
                stages[entry.name] = _read_stage(cache, snap, name, run_logs / entry.name)
    snap.stages = sorted(stages.values(), key=lambda s: (s.name.main, s.name.sub, s.name.folder))

    for workspace in _numbered_run_dirs(cache, run_dir):
        for entry in cache.listdir(workspace):
            number = worker_number(entry.name)
            if number is not None and entry.name.startswith("process_") and cache.is_dir(workspace / entry.name):
                snap.workers.append(_read_worker(cache, snap, number, workspace / entry.name))
    snap.workers.sort(key=lambda w: w.number)

    if "figures" in snap.artifacts:
        snap.figures = sum(1 for e in cache.listdir(run_dir / "figures") if e.name.lower().endswith(".png"))
    if "citations_progress.json" in snap.artifacts:
        snap.citations = _dict(cache.json(run_dir / "citations_progress.json"))
    if "token_tracker.json" in snap.artifacts:
        snap.tokens = _dict(cache.json(run_dir / "token_tracker.json"))
    if "token_tracker_interactions.json" in snap.artifacts:
        stamp = cache.parsed(run_dir / "token_tracker_interactions.json", "stamps", newest_stamp)
        snap.replies_latest = stamp if isinstance(stamp, float) else None
    if "review_text.txt" in snap.artifacts:
        snap.review = _read_review(cache, run_dir / "review_text.txt")
    return snap


def _numbered_run_dirs(cache: FileCache, parent: Path) -> list[Path]:
    found = []
    for entry in cache.listdir(parent):
        m = RUN_LOG_DIR.match(entry.name)
        if m and cache.is_dir(parent / entry.name):
            found.append((int(m.group(1)), parent / entry.name))
    return [p for _, p in sorted(found)]


def _read_config(snap: Snapshot, config: Any) -> None:
    config = _dict(config) or {}
    agent = _dict(config.get("agent")) or {}
    stages = _dict(agent.get("stages")) or {}
    for k in range(1, 5):
        limit = stages.get(f"stage{k}_max_iters")
        if isinstance(limit, int) and not isinstance(limit, bool) and limit > 0:
            snap.max_iters[k] = limit
    workers = agent.get("num_workers")
    if isinstance(workers, int) and not isinstance(workers, bool) and workers > 0:
        snap.num_workers = workers
    timeout = finite((_dict(config.get("exec")) or {}).get("timeout"))
    if timeout is not None and timeout > 0:
        snap.timeout = timeout


def _read_stage(cache: FileCache, snap: Snapshot, name: StageName, path: Path) -> StageFiles:
    journal = _dict(cache.json(path / "journal.json"))
    progress = _dict(cache.json(path / "notes" / "stage_progress.json"))
    best_text = cache.text(path / "best_node_id.txt")
    best = best_text.strip() if best_text and best_text.strip() else None
    times = [
        st.st_mtime
        for rel in ("journal.json", "notes/stage_progress.json", "best_node_id.txt", "tree_data.json", "checkpoint.pkl")
        if (st := cache.stat(path / rel)) is not None
    ]
    for t in times:
        snap.touch(t)
    checkpoint = cache.stat(path / "checkpoint.pkl")
    journal_stat = cache.stat(path / "journal.json")
    return StageFiles(
        name=name,
        path=path,
        journal=journal,
        progress=progress,
        best_id=best,
        checkpoint_mtime=checkpoint.st_mtime if checkpoint is not None else None,
        journal_mtime=journal_stat.st_mtime if journal_stat is not None else None,
        last_change=max(times) if times else None,
    )


def _read_worker(cache: FileCache, snap: Snapshot, number: int, path: Path) -> WorkerFiles:
    latest = None
    runfile = None
    entries = [(entry, True) for entry in cache.listdir(path)]
    if cache.is_dir(path / "working"):
        entries += [(entry, False) for entry in cache.listdir(path / "working")]
    for entry, top in entries:
        try:
            mtime = entry.stat().st_mtime
        except OSError:
            continue
        latest = mtime if latest is None else max(latest, mtime)
        if top and entry.name.endswith(".py"):
            runfile = mtime if runfile is None else max(runfile, mtime)
    snap.touch(latest)
    return WorkerFiles(number, path.name, path, latest, runfile)


def _read_review(cache: FileCache, path: Path) -> Review:
    text = cache.text(path)
    mtime = cache.mtime(path, "text")
    if text is None:
        return Review(mtime, None, None, None)
    review: dict[str, Any] = {}
    try:
        parsed = load_json(text.encode())
        if isinstance(parsed, str):  # a JSON string holding the review
            parsed = load_json(parsed.encode())
        review = _dict(parsed) or {}
    except ValueError:
        review = {}
    concerns = review.get("Ethical Concerns")
    if not isinstance(concerns, bool):
        m = _ETHICS_FLAG.search(text)
        concerns = (m.group(1).lower() == "true") if m else None
    decision = review.get("Decision") if isinstance(review.get("Decision"), str) else None
    return Review(mtime, concerns, decision, finite(review.get("Overall")))
