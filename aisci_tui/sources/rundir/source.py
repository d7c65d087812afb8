"""A :class:`~aisci_tui.sources.base.Source` that follows a run folder as it is written."""

from __future__ import annotations

import abc
import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable, Iterable
from pathlib import Path

from aisci_tui.sources.base import ConnectionState, Notice, SourceItem
from aisci_tui.sources.rundir.reader import SOURCE, RunReader

#: How soon to look again after catching a file mid-write.
RETRY_DELAY = 0.2
#: More changed paths than this between two scans: check every plot rather than the ones named.
MAX_HINTS = 5000


class FolderFollower(abc.ABC):
    """What the sources that follow folders share: the loop's wake and stop events, the file
    watcher task beside the loop, and closing, which wakes the loop, stops it and ends the
    watcher (awaited, its errors already reported where it ran)."""

    def _setup(self, label: str, poll_interval: float, watch: bool) -> None:
        """Set up the shared state; called from each follower's ``__init__``."""
        self.label = label
        self.poll_interval = max(0.01, float(poll_interval))
        self.watch = watch
        self.watching = False  # True while file-system notifications are active
        self._changed: set[Path] = set()
        self._wake: asyncio.Event | None = None
        self._stop: asyncio.Event | None = None
        self._watcher: asyncio.Task[None] | None = None
        self._closed = False

    def __aiter__(self) -> AsyncIterator[SourceItem]:
        return self._run()

    async def _run(self) -> AsyncIterator[SourceItem]:
        self._wake, self._stop = asyncio.Event(), asyncio.Event()
        if self._closed:
            return
        if self.watch:
            self._watcher = asyncio.create_task(self._watch_loop(), name=f"watch {self.label}")
        yield Notice(kind="state", state=ConnectionState.CONNECTING, text=f"reading {self.label}")
        try:
            async for item in self._follow(self._wake):
                yield item
        finally:
            await self.aclose()
        yield Notice(kind="state", state=ConnectionState.CLOSED, text=f"stopped watching {self.label}")

    @abc.abstractmethod
    def _follow(self, wake: asyncio.Event) -> AsyncIterator[SourceItem]:
        """The loop: scan, yield what changed, wait for ``wake`` or the next poll, until closed."""

    @abc.abstractmethod
    async def _watch_loop(self) -> None:
        """Set ``_wake`` whenever the file system says something changed."""

    async def aclose(self) -> None:
        self._closed = True
        if self._stop is not None:
            self._stop.set()
        if self._wake is not None:
            self._wake.set()
        await self._stop_watcher()

    async def _stop_watcher(self) -> None:
        task, self._watcher = self._watcher, None
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task


class RunSource(FolderFollower):
    """Events from a run folder: a full scan first, then whatever changes.

    File-system notifications (watchfiles) wake the source as soon as something
    is written; a scan every ``poll_interval`` seconds runs regardless, so
    network file systems that send no notifications, and time-based states
    (a worker going idle, a stalled run), are still picked up. The paths that
    notifications name are handed to the reader, so a deleted or new plot is
    seen at once without checking every plot on every poll. It keeps going
    after the run ends and while the folder is missing, until :meth:`aclose`.
    """

    def __init__(
        self,
        run_dir: str | Path,
        poll_interval: float = 1.0,
        *,
        clock: Callable[[], float] = time.time,
        watch: bool = True,
    ) -> None:
        self.reader = RunReader(run_dir, clock=clock)
        self.run_dir = self.reader.run_dir
        self._setup(str(self.run_dir), poll_interval, watch)
        self._overflow = False

    async def _follow(self, wake: asyncio.Event) -> AsyncIterator[SourceItem]:
        present: bool | None = None
        ended = False
        while not self._closed:
            wake.clear()
            changed, self._changed = self._changed, set()
            if self._overflow:
                self._overflow = False
                self.reader.recheck_plots()
            events = await asyncio.to_thread(self.reader.scan, changed)
            for notice in self.reader.take_notices():
                yield notice
            if self.reader.exists and present is not True:
                present = True
                yield Notice(kind="state", state=ConnectionState.OPEN, text=f"watching {self.label}")
            elif not self.reader.exists and present is not False:
                present = False
                yield Notice(
                    kind="state",
                    state=ConnectionState.RECONNECTING,
                    text=f"waiting for {self.label} to appear",
                    retry_in=self.poll_interval,
                )
            for event in events:
                yield event
            status = self.reader.status
            if status is not None and (status.finished or status.failed) and not ended:
                ended = True
                word = "finished" if status.finished else "failed"
                yield Notice(
                    kind="info",
                    text=f"the run has {word}; still watching the folder",
                    details={"source": SOURCE, "run": self.reader.session_id},
                )
            delay = RETRY_DELAY if self.reader.retry_soon else self.poll_interval
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), timeout=min(delay, self.poll_interval))

    def _note_changes(self, paths: Iterable[str]) -> None:
        if self._overflow:
            return
        self._changed.update(Path(p) for p in paths)
        if len(self._changed) > MAX_HINTS:
            self._changed, self._overflow = set(), True

    async def _watch_loop(self) -> None:
        """Set the wake event on every change; re-arm when the folder comes back."""
        try:
            from watchfiles import awatch
        except ImportError:  # pragma: no cover - watchfiles is a dependency
            return
        assert self._stop is not None and self._wake is not None
        timeout_ms = max(50, int(self.poll_interval * 1000))
        while not self._stop.is_set():
            if not self.run_dir.is_dir():
                self.watching = False
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stop.wait(), timeout=self.poll_interval)
                continue
            try:
                self.watching = True
                async for changes in awatch(
                    self.run_dir,
                    stop_event=self._stop,
                    debounce=400,
                    step=50,
                    rust_timeout=timeout_ms,
                    yield_on_timeout=True,
                    ignore_permission_denied=True,
                ):
                    if changes:
                        self._note_changes(path for _, path in changes)
                        self._wake.set()
                    if not self.run_dir.is_dir():
                        self._wake.set()
                        break
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - notifications are an optimisation; polling goes on
                self.watching = False
                if self.run_dir.is_dir():
                    return  # notifications do not work here: polling alone from now on
        self.watching = False
