"""Every run in a folder (and any run folders named), followed at once: each run its own session.

A run folder that appears later joins at the next look (every ``discover``
seconds); one that is removed is marked gone (its session says so) rather
than dropped. Idle cost stays small with many runs: one file-notification
watcher per folder rather than per run, a run is scanned again when a
notification names a path inside it or it asked to be (a file caught
mid-write), and otherwise only every ``rescan`` seconds, which is what
time-based states (a run going stale) need. Without notifications
(``watch=False``, or a file system that sends none) a handful of paths of each
run (:meth:`RunReader.signal_paths`) are looked at every ``poll_interval``
seconds and the run is scanned when one of them changed.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from collections.abc import AsyncIterator, Callable, Iterable
from pathlib import Path
from typing import Any

from aisci_tui.protocol.models import EVENT_MODELS
from aisci_tui.sources.base import ConnectionState, Notice, SourceItem
from aisci_tui.sources.rundir.layout import iso, looks_like_run
from aisci_tui.sources.rundir.reader import SOURCE, RunReader
from aisci_tui.sources.rundir.source import FolderFollower

#: Seconds between looks for new or removed run folders.
DISCOVER_SECONDS = 1.0
#: Seconds between scans of a run nothing said changed (while notifications work).
RESCAN_SECONDS = 10.0


def runs_in(folder: Path) -> list[Path]:
    """The run folders directly in ``folder`` (an ``experiments/`` folder, or the one holding it)."""
    base = folder / "experiments" if (folder / "experiments").is_dir() else folder
    try:
        return sorted(p.absolute() for p in base.iterdir() if looks_like_run(p))
    except OSError:
        return []


def fingerprint(paths: list[Path]) -> tuple[int, ...]:
    """Modification times (ns) of ``paths``, -1 for one that is missing."""
    out = []
    for path in paths:
        try:
            out.append(os.stat(path).st_mtime_ns)
        except OSError:
            out.append(-1)
    return tuple(out)


class _Run:
    __slots__ = ("due", "gone", "print", "progress", "reader")

    def __init__(self, reader: RunReader) -> None:
        self.reader = reader
        self.due = True
        self.gone = False
        self.print: tuple[int, ...] | None = None  # fingerprint at the last scan
        self.progress: dict[str, Any] | None = None  # the last research_progress data, to mark it gone


class FleetSource(FolderFollower):
    """A :class:`~aisci_tui.sources.base.Source` over many run folders.

    ``folders``: folders of runs (watched for runs coming and going);
    ``runs``: single run folders.
    """

    def __init__(
        self,
        folders: Iterable[Path] = (),
        runs: Iterable[Path] = (),
        *,
        poll_interval: float = 1.0,
        discover: float = DISCOVER_SECONDS,
        rescan: float = RESCAN_SECONDS,
        clock: Callable[[], float] = time.time,
        watch: bool = True,
    ) -> None:
        self.folders = [Path(f).expanduser().absolute() for f in folders]
        self.fixed = [Path(r).expanduser().absolute() for r in runs]
        label = ", ".join(str(p) for p in [*self.folders, *self.fixed]) or "no folders"
        self._setup(label, poll_interval, watch)
        self.discover = max(0.01, float(discover))
        self.rescan = max(self.poll_interval, float(rescan))
        self.clock = clock
        self.runs: dict[Path, _Run] = {}
        self.scans = 0

    # -- the loop ------------------------------------------------------------------------

    async def _follow(self, wake: asyncio.Event) -> AsyncIterator[SourceItem]:
        opened = False
        next_discover = 0.0
        next_rescan = 0.0
        while not self._closed:
            wake.clear()
            now = time.monotonic()
            if now >= next_discover:
                next_discover = now + self.discover
                for item in self._discover():
                    yield item
            rescan_all = now >= next_rescan
            if rescan_all:
                next_rescan = now + self.rescan
            changed, self._changed = self._changed, set()
            if not self.watching and not rescan_all:
                moved = await asyncio.to_thread(self._moved)
                changed |= moved
            for path, run in list(self.runs.items()):
                if run.gone:
                    continue
                hints = [c for c in changed if c == path or path in c.parents]
                if not (rescan_all or run.due or hints or run.reader.retry_soon):
                    continue
                run.due = False
                self.scans += 1
                events = await asyncio.to_thread(self._scan, run, hints or None)
                for notice in run.reader.take_notices():
                    yield notice
                for event in events:
                    if event.type == "research_progress":
                        run.progress = event.data.model_dump(mode="json", exclude_none=True)
                    yield event
            if not opened:
                opened = True
                yield Notice(
                    kind="state",
                    state=ConnectionState.OPEN,
                    text=f"watching {len(self.runs)} run(s) in {self.label}",
                )
            delay = min(self.poll_interval, self.discover)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), timeout=delay)

    def _scan(self, run: _Run, hints: list[Path] | None) -> list:
        events = run.reader.scan(hints)
        if not self.watching:
            run.print = fingerprint(run.reader.signal_paths())
        return events

    def _moved(self) -> set[Path]:
        """Runs whose signal paths changed since their last scan (for polling without notifications)."""
        return {
            path
            for path, run in self.runs.items()
            if not run.gone and run.print is not None and fingerprint(run.reader.signal_paths()) != run.print
        }

    def _discover(self) -> list[SourceItem]:
        found: list[Path] = list(self.fixed)
        for folder in self.folders:
            found += runs_in(folder)
        out: list[SourceItem] = []
        present = set(found)
        for path in found:
            run = self.runs.get(path)
            if run is None:
                self.runs[path] = _Run(RunReader(path, clock=self.clock))
            elif run.gone and path.is_dir():
                run.gone, run.due = False, True
                out.append(
                    Notice(
                        kind="info",
                        text=f"run folder {path.name} is back",
                        details={"source": SOURCE, "run": path.name},
                    )
                )
        for path, run in self.runs.items():
            if not run.gone and (path not in present or not path.is_dir()):
                run.gone = True
                out += self._gone(path, run)
        return out

    def _gone(self, path: Path, run: _Run) -> list[SourceItem]:
        """The run's session says it is gone (kept, not dropped), and a warning says when."""
        sid = run.reader.session_id
        now = self.clock()
        out: list[SourceItem] = [
            Notice(
                kind="info",
                severity="warning",
                text=f"run folder {path} was removed; its last state is kept",
                details={"source": SOURCE, "run": sid},
            )
        ]
        stamp = iso(now)
        system = {
            "event_type": "update",
            "severity": "warning",
            "session_id": sid,
            "title": "Run folder removed",
            "affected_services": ["research_orchestrator"],
            "description": f"{path} is no longer there; what it last showed is kept.",
        }
        out.append(
            EVENT_MODELS["system_event"].model_validate(
                {
                    "type": "system_event",
                    "id": f"{sid}:system:gone:{stamp}",
                    "timestamp": stamp,
                    "data": system,
                    "meta": {"source": SOURCE},
                }
            )
        )
        if run.progress is not None:
            data = dict(run.progress) | {"run_state": "gone", "current_phase": "gone: run folder removed"}
            out.append(
                EVENT_MODELS["research_progress"].model_validate(
                    {
                        "type": "research_progress",
                        "id": f"{sid}:progress:gone:{stamp}",
                        "timestamp": stamp,
                        "data": data,
                        "meta": {"source": SOURCE},
                    }
                )
            )
        return out

    # -- notifications -------------------------------------------------------------------

    async def _watch_loop(self) -> None:
        try:
            from watchfiles import awatch
        except ImportError:  # pragma: no cover - watchfiles is a dependency
            return
        assert self._stop is not None and self._wake is not None
        roots = [p for p in [*self.folders, *self.fixed] if p.is_dir()]
        if not roots:
            return
        try:
            self.watching = True
            async for changes in awatch(
                *roots,
                stop_event=self._stop,
                debounce=400,
                step=50,
                rust_timeout=max(50, int(self.poll_interval * 1000)),
                yield_on_timeout=True,
                ignore_permission_denied=True,
            ):
                if changes:
                    self._changed.update(Path(p) for _, p in changes)
                    self._wake.set()
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 - notifications are an optimisation; polling goes on
            return
        finally:
            self.watching = False
