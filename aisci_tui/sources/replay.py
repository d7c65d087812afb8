"""Play a JSONL recording back as a :class:`~aisci_tui.sources.base.Source`.

Events come out with the gaps they arrived with, divided by ``speed``. The
player can pause, resume, change speed and seek. Seeking forward delivers the
skipped events at once (state stays complete); seeking backward first yields
``Notice(kind="info", details={"replay": "reset", ...})`` — the consumer clears
its state — then delivers everything up to the new position again.

A line that is not JSON, lacks ``arrival``/``envelope``, or holds an invalid
message becomes ``Notice(kind="invalid")`` at its place in the recording.
Plain envelope lines (no ``arrival`` wrapper) are accepted too.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from aisci_tui.protocol.codec import expand_batch, from_obj
from aisci_tui.protocol.errors import ProtocolError
from aisci_tui.protocol.models import Error, Event, UnknownMessage
from aisci_tui.protocol.times import parse_time
from aisci_tui.sources.base import Ability, ConnectionState, Notice, PassThrough, Source, SourceItem
from aisci_tui.values import finite

#: Items delivered in one go before giving other tasks a turn.
BURST = 256


@dataclass(slots=True)
class _Line:
    offset: float  # seconds after the first event
    number: int  # line number in the file, from 1
    envelope: dict[str, Any] | None
    problem: str | None = None


def load_lines(path: Path, max_gap: float | None = None) -> list[_Line]:
    """Parse a recording; bad lines are kept (with a reason) at their place."""
    lines: list[_Line] = []
    previous: float | None = None
    offset = 0.0
    with open(path, "rb") as fh:
        for number, raw in enumerate(fh, start=1):
            if not raw.strip():
                continue
            envelope, arrival, problem = _parse(raw)
            if arrival is not None:
                if previous is None:
                    previous = arrival
                gap = max(0.0, arrival - previous)
                offset += gap if max_gap is None else min(gap, max_gap)
                previous = max(previous, arrival)
            lines.append(_Line(offset, number, envelope, problem))
    return lines


def _parse(raw: bytes) -> tuple[dict[str, Any] | None, float | None, str | None]:
    try:
        obj = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        return None, None, f"not valid JSON ({str(exc)[:80]})"
    if not isinstance(obj, dict):
        return None, None, "not a JSON object"
    if "envelope" in obj:
        envelope = obj.get("envelope")
        if not isinstance(envelope, dict):
            return None, None, "'envelope' is not an object"
        arrival = finite(obj.get("arrival"))
        if arrival is None:
            return envelope, None, None
        return envelope, arrival, None
    if isinstance(obj.get("type"), str):  # a bare envelope: time it by its timestamp
        stamp = parse_time(obj.get("timestamp")) if isinstance(obj.get("timestamp"), str) else None
        return obj, stamp.timestamp() if stamp else None, None
    return None, None, "neither an 'envelope' record nor a message"


def _clock(seconds: float) -> str:
    """``"1:05"``, ``"2:03:04"``."""
    total = int(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class ReplaySource:
    """A recording, played back in (scaled) real time with pause and seek."""

    abilities = frozenset({Ability.PAUSE, Ability.SEEK})

    def __init__(
        self,
        path: str | Path,
        speed: float = 1.0,
        *,
        stay_open: bool = True,
        max_gap: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.path = Path(path).expanduser()
        self.stay_open = stay_open
        self.max_gap = max_gap
        self.clock = clock
        self._speed = self._check_speed(speed)
        self._lines: list[_Line] = []
        self._paused = False
        self._base_pos = 0.0
        self._base_time = clock()
        self._reset = False
        self._changed: asyncio.Event | None = None
        self._closed = False
        self.loaded = False

    # -- controls -------------------------------------------------------------------

    @staticmethod
    def _check_speed(speed: float) -> float:
        speed = float(speed)
        if math.isnan(speed) or speed <= 0:
            raise ValueError("speed must be a positive number (inf plays as fast as possible)")
        return speed

    @property
    def speed(self) -> float:
        return self._speed

    @property
    def paused(self) -> bool:
        return self._paused

    @property
    def label(self) -> str:
        """The file, and once it is loaded where the replay is: ``"▶ rec.jsonl 1:05/12:30 ×2"``."""
        if not self.loaded:
            return str(self.path)
        state = "⏸" if self._paused else "▶"
        speed = "max" if math.isinf(self._speed) else f"{self._speed:g}"
        return f"{state} {self.path.name} {_clock(self.position)}/{_clock(self.duration)} ×{speed}"

    @property
    def duration(self) -> float:
        """Seconds from the first to the last event of the recording (after gap limiting)."""
        return self._lines[-1].offset if self._lines else 0.0

    @property
    def position(self) -> float:
        """Seconds into the recording."""
        if math.isinf(self._speed) and not self._paused:
            return self.duration
        pos = self._base_pos
        if not self._paused:
            pos += (self.clock() - self._base_time) * self._speed
        return min(max(pos, 0.0), self.duration) if self.loaded else max(pos, 0.0)

    def _rebase(self, position: float | None = None) -> None:
        self._base_pos = self.position if position is None else position
        self._base_time = self.clock()
        if self._changed is not None:
            self._changed.set()

    def set_speed(self, speed: float) -> None:
        speed = self._check_speed(speed)
        self._rebase()
        self._speed = speed

    def pause(self) -> None:
        if not self._paused:
            self._rebase()
            self._paused = True

    def resume(self) -> None:
        if self._paused:
            self._paused = False
            self._rebase(self._base_pos)

    def toggle_pause(self) -> None:
        self.resume() if self._paused else self.pause()

    def seek(self, seconds: float) -> None:
        """Move by ``seconds`` (negative: back) within the recording."""
        now = self.position
        target = min(max(now + float(seconds), 0.0), self.duration)
        if target < now:
            self._reset = True
        self._rebase(target)

    def seek_start(self) -> None:
        self._reset = True
        self._rebase(0.0)

    def seek_end(self) -> None:
        self._rebase(self.duration)

    # -- source -----------------------------------------------------------------------

    def __aiter__(self) -> AsyncIterator[SourceItem]:
        return self._run()

    async def aclose(self) -> None:
        self._closed = True
        if self._changed is not None:
            self._changed.set()

    async def _run(self) -> AsyncIterator[SourceItem]:
        self._changed = asyncio.Event()
        yield Notice(kind="state", state=ConnectionState.CONNECTING, text=f"opening {self.path}")
        try:
            self._lines = await asyncio.to_thread(load_lines, self.path, self.max_gap)
        except OSError as exc:
            yield Notice(
                kind="error",
                fatal=True,
                severity="error",
                text=f"cannot read the recording {self.path}: {exc.strerror or type(exc).__name__}",
            )
            yield Notice(kind="state", state=ConnectionState.CLOSED, text=f"closed {self.path}")
            return
        self.loaded = True
        self._rebase(min(self._base_pos, self.duration))
        yield Notice(
            kind="state",
            state=ConnectionState.OPEN,
            text=f"replaying {self.path.name}: {len(self._lines)} lines over {self.duration:.1f} s",
        )
        index, ended = 0, False
        while not self._closed:
            self._changed.clear()
            if self._reset:
                self._reset, index, ended = False, 0, False
                yield Notice(
                    kind="info",
                    text=f"replay rewound to {self.position:.1f} s",
                    details={"replay": "reset", "position": self.position},
                )
            position = self.position
            burst = 0
            while index < len(self._lines) and self._lines[index].offset <= position and not self._reset:
                for item in self._decode(self._lines[index]):
                    yield item
                index += 1
                burst += 1
                if burst >= BURST:
                    burst = 0
                    await asyncio.sleep(0)
            if self._reset or self._closed:
                continue
            if index >= len(self._lines):
                if not ended:
                    ended = True
                    yield Notice(
                        kind="info", text="end of the recording", details={"replay": "end", "position": self.duration}
                    )
                if not self.stay_open:
                    break
                await self._changed.wait()
                continue
            ended = False
            wait = None if self._paused else (self._lines[index].offset - position) / self._speed
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), timeout=wait)
        yield Notice(kind="state", state=ConnectionState.CLOSED, text=f"closed {self.path}")

    def _decode(self, line: _Line) -> list[SourceItem]:
        if line.problem is not None or line.envelope is None:
            return [
                Notice(
                    kind="invalid",
                    text=f"line {line.number}: {line.problem or 'no envelope'}",
                    details={"line": line.number},
                )
            ]
        try:
            msg = from_obj(line.envelope)
        except ProtocolError as exc:
            return [Notice(kind="invalid", text=f"line {line.number}: {exc}", details={"line": line.number})]
        if msg.type == "batch":
            out: list[SourceItem] = []
            for item in expand_batch(msg):
                if isinstance(item, ProtocolError):
                    out.append(
                        Notice(kind="invalid", text=f"line {line.number}: {item}", details={"line": line.number})
                    )
                else:
                    out.append(item)
            return out
        if isinstance(msg, Event | UnknownMessage):
            return [msg]  # type: ignore[list-item]
        if isinstance(msg, Error):
            return [
                Notice(
                    kind="error",
                    code=msg.data.code,
                    text=msg.data.message or msg.data.code,
                    severity="error",
                    details={"line": line.number},
                )
            ]
        return []  # control messages (pong, ack, ...) carry nothing to show


class OnlySource(PassThrough):
    """Passes notices through, and the events of the given types (and session) only."""

    def __init__(self, source: Source, types: frozenset[str], session: str | None) -> None:
        super().__init__(source)
        self.types = types
        self.session = session

    async def _run(self) -> AsyncIterator[SourceItem]:
        from aisci_tui.protocol.models import Event

        async for item in self.source:
            if isinstance(item, Event):
                if item.type not in self.types:
                    continue
                sid = getattr(item.data, "session_id", None)
                if self.session is not None and sid is not None and sid != self.session:
                    continue
            yield item
