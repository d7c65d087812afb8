"""Read an AI-Scientist-v2 run folder and say what changed, as protocol events."""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable, Collection
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
from pydantic import ValidationError

from aisci_tui.protocol.models import EVENT_MODELS, Event
from aisci_tui.sources.base import Notice
from aisci_tui.sources.rundir import mapping
from aisci_tui.sources.rundir.clock import NodeTimes, RunClock, files_agree, run_clock
from aisci_tui.sources.rundir.files import FileCache
from aisci_tui.sources.rundir.layout import iso, parse_run_name
from aisci_tui.sources.rundir.memo import (
    PLOT_RECHECK_SECONDS,
    Place,
    Prepared,
    StageMemo,
)
from aisci_tui.sources.rundir.model import PlotInfo, StageInfo, StageTree
from aisci_tui.sources.rundir.nodes import experiment_payload
from aisci_tui.sources.rundir.progress import (
    RunStatus,
    StageSummaries,
    run_status,
    stage_infos,
)
from aisci_tui.sources.rundir.snapshot import Snapshot, take

#: ``meta.source`` of every event the bridge makes.
SOURCE = "aisci-tui/rundir"

_KIND_ABBREV = {
    "research_progress": "progress",
    "experiment_results": "experiment",
    "agent_status": "agent",
    "system_event": "system",
    "ethical_assessment": "ethics",
}


def _clean(value: Any) -> Any:
    """Replace non-finite floats (which the protocol refuses) by None, recursively."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def _digest(data: Any) -> str:
    raw = orjson.dumps(data, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS)
    return hashlib.blake2b(raw, digest_size=8).hexdigest()


class RunReader:
    """Everything the bridge knows about one run folder, refreshed by :meth:`scan`.

    ``scan()`` re-reads only files whose ``(mtime_ns, size)`` changed and returns
    the events whose content changed since the previous scan. Event ids are
    ``"<run>:<kind>:<key>:<hash of data>"``, so an unchanged folder yields nothing
    and a restarted reader yields the same ids again (a store drops them as
    duplicates). Problems with files become notices (:meth:`take_notices`).

    A rescan of an unchanged folder looks at a handful of files and folders, not
    at every plot: see :mod:`~aisci_tui.sources.rundir.memo` (``plot_recheck``
    is its safety-net interval in seconds).
    """

    def __init__(
        self, run_dir: str | Path, clock: Callable[[], float] = time.time, plot_recheck: float = PLOT_RECHECK_SECONDS
    ) -> None:
        self.run_dir = Path(run_dir).expanduser().absolute()
        self.session_id = self.run_dir.name
        self.clock = clock
        self._cache = FileCache()
        self._emitted: dict[tuple[str, str], str] = {}
        self._last_ts: dict[tuple[str, str], str] = {}
        self._notices: list[Notice] = []
        self._trees: dict[str, StageTree] = {}
        self._plots: dict[str, list[PlotInfo]] = {}
        self._stages: list[StageInfo] = []
        self._status: RunStatus | None = None
        self._snap: Snapshot | None = None
        self._memos: dict[str, StageMemo] = {}
        self._summaries = StageSummaries()
        self.plot_recheck = plot_recheck
        self._missing = False
        self._clock: RunClock | None = None
        #: Newest file time at the previous scan, and when a scan last saw it move.
        self._seen_change: float | None = None
        self._observed: float | None = None

    # -- reading -----------------------------------------------------------------

    def scan(self, changed: Collection[Path] | None = None) -> list[Event]:
        """Look at the folder again; the events that are new since the last scan, oldest first.

        ``changed``: paths that file notifications reported since the last scan, if known
        (plots among them are checked now rather than at the next full check).
        """
        try:
            return self._scan(changed)
        except Exception as exc:  # noqa: BLE001 - a reader of someone else's files must not die
            self._note(f"could not read the run folder: {type(exc).__name__}: {exc}", "warning")
            return []

    def _scan(self, changed: Collection[Path] | None) -> list[Event]:
        self._cache.begin()
        snap = take(self._cache, self.run_dir)
        self._cache.finish()
        self._report_problems()
        if not snap.exists:
            if not self._missing:
                self._missing = True
                self._note(f"run folder {self.run_dir} is not there (yet); waiting for it", "warning")
            return []
        if self._missing:
            self._missing = False
            self._note(f"run folder {self.run_dir} is back", "info")
        infos = stage_infos(snap, self._summaries)
        now = self.clock()
        times = [
            (sf.journal_mtime, NodeTimes(info.first_node, info.newest_node))
            for sf, info in zip(snap.stages, infos, strict=True)
        ]
        newest = max(times, key=lambda t: t[1].newest or 0.0) if times else None
        status = run_status(snap, infos, newest is None or files_agree(*newest))
        if self._seen_change is not None and snap.last_change != self._seen_change:
            self._observed = now
        self._seen_change = snap.last_change
        clock = run_clock(
            self.session_id,
            times,
            snap.last_change,
            snap.first_change,
            self._observed,
            snap.replies_latest,
            snap.timeout,
            status.finished or status.failed,
            now,
        )
        self._snap, self._stages, self._status, self._clock = snap, infos, status, clock
        ctx = mapping.Context(self.session_id, snap, infos, status, now, clock)

        run_items: list[mapping.Item] = [
            *mapping.system_items(ctx),
            mapping.progress_item(ctx),
            *mapping.agent_items(ctx),
            mapping.ethics_item(ctx),
        ]
        prepared = self._experiment_items(snap, infos, changed) + [self._prepare(*item) for item in run_items]
        events = [e for e in (self._event(*item) for item in prepared) if e is not None]
        events.sort(key=lambda e: e.timestamp or "")
        return events

    def _experiment_items(
        self, snap: Snapshot, infos: list[StageInfo], changed: Collection[Path] | None
    ) -> list[Prepared]:
        """One item per node id, made again when any stage's memo was rebuilt (unchanged ones dedupe)."""
        memos: dict[str, StageMemo] = {}
        rebuilt = list(self._memos) != [sf.name.folder for sf in snap.stages]
        carried: dict[str, str] = {}
        for sf, info in zip(snap.stages, infos, strict=True):
            memo = self._memos.get(sf.name.folder)
            if memo is None or memo.journal is not sf.journal:
                memo = StageMemo(sf.journal, self.run_dir)
            rebuilt |= memo.refresh(
                self._cache, sf, info.best_node_id, carried, hints=changed, recheck=self.plot_recheck
            )
            memos[sf.name.folder] = memo
            for place in memo.places:
                carried.setdefault(str(place.node["id"]), f"stage {sf.name.main}")
        self._memos = memos
        if not rebuilt:
            return []
        self._trees = {folder: memo.tree for folder, memo in memos.items()}
        by_id: dict[str, list[tuple[StageMemo, Place]]] = {}
        for memo in memos.values():
            for place in memo.places:
                by_id.setdefault(str(place.node["id"]), []).append((memo, place))
        self._plots = {nid: places[0][1].plots for nid, places in by_id.items()}
        items: list[Prepared] = []
        for nid, places in by_id.items():
            memo, first = places[0]
            stage = next(sf.name for sf in snap.stages if sf.name.folder == first.place["stage"])
            data = experiment_payload(
                self.run_dir, self.session_id, stage, first.node, first.plots, [p.place for _, p in places]
            )
            items.append(self._prepare("experiment_results", nid, first.when, data))
        return items

    def recheck_plots(self) -> None:
        """Check every plot file at the next scan (after changes too many to name)."""
        for memo in self._memos.values():
            memo.checked_at = None

    def _prepare(self, kind: str, key: str, when: float | None, data: dict[str, Any]) -> Prepared:
        data = _clean(data)
        return kind, key, when, data, _digest(data)

    def _event(self, kind: str, key: str, when: float | None, data: dict[str, Any], digest: str) -> Event | None:
        slot = (kind, key)
        event_id = f"{self.session_id}:{_KIND_ABBREV[kind]}:{key}:{digest}"
        if self._emitted.get(slot) == event_id:
            return None
        stamp = iso(when) if when is not None and math.isfinite(when) else None
        previous = self._last_ts.get(slot)
        if stamp is None or (previous is not None and stamp < previous):
            stamp = previous or iso(self.clock())
        assert stamp is not None  # iso() of a number is a string
        try:
            event = EVENT_MODELS[kind].model_validate(
                {"type": kind, "id": event_id, "timestamp": stamp, "data": data, "meta": {"source": SOURCE}}
            )
        except ValidationError as exc:
            self._note(f"skipped a {kind} update for {key}: {exc.error_count()} invalid field(s)", "warning")
            self._emitted[slot] = event_id
            return None
        self._emitted[slot] = event_id
        self._last_ts[slot] = stamp
        return event

    # -- notices -------------------------------------------------------------------

    def _note(self, text: str, severity: str) -> None:
        self._notices.append(
            Notice(kind="info", text=text, severity=severity, details={"source": SOURCE, "run": self.session_id})
        )

    def _report_problems(self) -> None:
        for path, problem in self._cache.take_problem_changes():
            rel = self._rel(path)
            if problem is None:
                self._note(f"{rel} can be read again", "info")
            else:
                transient = "incomplete" in problem or "disappeared" in problem
                self._note(f"{rel}: {problem}", "info" if transient else "warning")

    def _rel(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.run_dir.parent))
        except ValueError:
            return str(path)

    def take_notices(self) -> list[Notice]:
        """Problems and recoveries noticed since the last call (each reported once)."""
        out, self._notices = self._notices, []
        return out

    @property
    def retry_soon(self) -> bool:
        """A file was caught mid-write: scanning again shortly will probably read it whole."""
        return bool(self._cache.transient)

    @property
    def problems(self) -> dict[str, str]:
        """Files that cannot be read right now, and why."""
        return {self._rel(p): text for p, text in self._cache.problems.items()}

    # -- views for the dashboard ------------------------------------------------------

    @property
    def exists(self) -> bool:
        return self._snap is not None and self._snap.exists and not self._missing

    @property
    def title(self) -> str:
        idea = self._snap.idea if self._snap else {}
        return mapping.title_of(idea, self.session_id)

    @property
    def started_at(self) -> datetime | None:
        """When the run began, from the folder's name (None if the name has no time)."""
        return parse_run_name(self.session_id)[0]

    def signal_paths(self) -> list[Path]:
        """A few paths whose modification times change whenever the run writes something that counts:
        the run folder and its numbered folders (new stages, new worker folders, artifacts after the
        tree search) and the newest stage's journal and notes (rewritten after every step)."""
        paths = [self.run_dir, self.run_dir / "logs"]
        snap = self._snap
        if snap is None:
            return paths
        paths += sorted({sf.path.parent for sf in snap.stages})
        paths += sorted({w.path.parent for w in snap.workers})
        if snap.stages:
            last = snap.stages[-1].path
            paths += [last, last / "journal.json", last / "notes" / "stage_progress.json"]
        return paths

    @property
    def run_clock(self) -> RunClock | None:
        """Start, latest time, being written now, stalled: as of the last scan."""
        return self._clock

    @property
    def last_change(self) -> float | None:
        """Newest modification time seen in the run folder at the last scan."""
        return self._snap.last_change if self._snap is not None else None

    @property
    def stages(self) -> list[StageInfo]:
        """Stage folders in order, as of the last scan."""
        return list(self._stages)

    @property
    def status(self) -> RunStatus | None:
        """Phase, milestones and overall progress, as of the last scan."""
        return self._status

    def tree(self, stage_name: str) -> StageTree | None:
        """The search tree of a stage, by folder name (``stage_2_...``) or upstream name (``2_...``)."""
        return self._trees.get(stage_name) or self._trees.get(f"stage_{stage_name}")

    def trees(self) -> dict[str, StageTree]:
        return dict(self._trees)

    def plots(self, node_id: str) -> list[PlotInfo]:
        """Plot files of a node (whether they exist, and the vision model's analysis)."""
        return list(self._plots.get(node_id, []))
