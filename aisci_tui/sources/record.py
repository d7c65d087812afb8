"""Record events to a JSONL file that :class:`~aisci_tui.sources.replay.ReplaySource` plays back.

One line per event: ``{"arrival": <seconds since the epoch>, "envelope": {...}}``.
Lines are flushed as they are written, so a recording survives a crash, and
the file is created readable by its owner only. Credentials never reach it:
the data of an ``auth`` message is replaced by a marker.
"""

from __future__ import annotations

import os
import stat
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import orjson

from aisci_tui.protocol.codec import to_obj
from aisci_tui.protocol.models import Envelope
from aisci_tui.sources.base import Notice, PassThrough, Source, SourceItem

REDACTED = {"redacted": True}


def _redacted(obj: dict[str, Any]) -> dict[str, Any]:
    if obj.get("type") == "auth":
        return {**obj, "data": dict(REDACTED)}
    return obj


class Recorder:
    """Append envelopes to a JSONL recording."""

    def __init__(self, path: str | Path, *, clock: Callable[[], float] = time.time) -> None:
        self.path = Path(path).expanduser()
        self.clock = clock
        self.count = 0
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | getattr(os, "O_CLOEXEC", 0), 0o600)
        try:
            info = os.fstat(fd)
            if info.st_uid == os.getuid() and info.st_mode & 0o077 and stat.S_ISREG(info.st_mode):
                os.fchmod(fd, 0o600)  # an existing file we append to: owner only as well
        except OSError:
            pass
        self._fh = os.fdopen(fd, "ab", buffering=0)

    def write(self, event: Envelope, arrival: float | None = None) -> None:
        """Append one line and flush it."""
        if self._fh.closed:
            raise ValueError("the recording is closed")
        line = {"arrival": self.clock() if arrival is None else float(arrival), "envelope": _redacted(to_obj(event))}
        self._fh.write(orjson.dumps(line) + b"\n")
        self.count += 1

    def close(self) -> None:
        if not self._fh.closed:
            self._fh.close()

    @property
    def closed(self) -> bool:
        return self._fh.closed

    def __enter__(self) -> Recorder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class RecordingError(Exception):
    """The recording file cannot be written; the message is one sentence for a person."""


def record_to(source: Source, path: str | Path) -> RecordingSource:
    """``source`` with every event appended to the JSONL file ``path``; raises :class:`RecordingError`."""
    target = Path(path).expanduser()
    if target.is_dir():
        raise RecordingError(f"Cannot record to {target}: it is a folder; give a file name such as run.jsonl.")
    try:
        recorder = Recorder(target)
    except OSError as exc:
        raise RecordingError(f"Cannot record to {target}: {exc.strerror or type(exc).__name__}.") from None
    return RecordingSource(source, recorder)


class RecordingSource(PassThrough):
    """Pass a source's items through unchanged, writing every event to a :class:`Recorder`."""

    def __init__(self, source: Source, recorder: Recorder) -> None:
        super().__init__(source)
        self.recorder = recorder

    async def _run(self) -> AsyncIterator[SourceItem]:
        failed = False
        try:
            async for item in self.source:
                if isinstance(item, Envelope) and not failed:
                    try:
                        self.recorder.write(item)
                    except (OSError, ValueError) as exc:
                        failed = True
                        yield Notice(
                            kind="info", severity="warning", text=f"recording to {self.recorder.path} stopped: {exc}"
                        )
                yield item
        finally:
            self.recorder.close()

    async def aclose(self) -> None:
        try:
            await self.source.aclose()
        finally:
            self.recorder.close()
