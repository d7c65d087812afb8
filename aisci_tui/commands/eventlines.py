"""How ``aisci-tui events`` writes what it receives: events as lines on stdout, the rest on stderr.

:class:`Printer` takes each event (validated here if it came unvalidated) and each
notice, and batches the lines it writes; :func:`summarize` is the ``--format text``
line of an event.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from enum import Enum
from typing import TYPE_CHECKING, Any, TextIO, cast

if TYPE_CHECKING:
    from aisci_tui.protocol.fast import RawEvent
    from aisci_tui.protocol.models import Event
    from aisci_tui.sources.base import Notice, Source


class OutputFormat(str, Enum):  # noqa: UP042  (a StrEnum would change what str() of a member gives)
    jsonl = "jsonl"
    text = "text"


class Printer:
    """Writes events to stdout and notices to stderr, safely.

    An event that came as a :class:`~aisci_tui.protocol.fast.RawEvent` (the client read only
    its routing fields) is validated here: with the strict check derived from the models
    (:mod:`aisci_tui.protocol.strict`), and the line printed is then the frame's own text
    (its bytes as they came, when the client kept them so);
    otherwise with the models, which give the reason if it is invalid, and the line is the
    validated event's encoding. Lines are flushed once the event loop has nothing more to
    do at once, or every ``BATCH`` lines, not one by one: to the binary stream in one
    ``writev`` (the lines are not joined first), to a pipe made ``PIPE_SIZE`` large so that
    one write wakes its reader once.
    """

    #: At most this many lines a write (``writev`` takes up to 1,024 pieces: a line and its newline).
    BATCH = 256
    #: The size asked for a pipe on stdout (the most Linux grants without privileges, by default).
    PIPE_SIZE = 1 << 20

    def __init__(
        self,
        fmt: OutputFormat = OutputFormat.jsonl,
        *,
        verbose: bool = False,
        out: TextIO | None = None,
        err: TextIO | None = None,
    ):
        self.fmt = fmt
        self.verbose = verbose
        self.out = out or sys.stdout
        self.err = err or sys.stderr
        self.printed = 0
        self.invalid = 0
        #: Deferred events found invalid here (the client counted them as events).
        self.invalid_late = 0
        self.broken = False
        #: Lines printed but not yet written: written when the event loop is next idle, or at BATCH;
        #: bytes when written to the binary stream (``_bytes``), else text.
        self._pending: list[str | bytes] = []
        from aisci_tui.protocol import ProtocolError, encode
        from aisci_tui.protocol.fast import RawEvent
        from aisci_tui.protocol.strict import conforms

        self._encode, self._conforms, self._raw, self._error = encode, conforms, RawEvent, ProtocolError
        self._jsonl = fmt is OutputFormat.jsonl
        #: The binary stream under ``out`` when it writes UTF-8 (stdout does, normally).
        self._bytes = getattr(self.out, "buffer", None) if _utf8(self.out) else None
        #: The file descriptor under ``_bytes`` (-1 when written through the streams).
        self._fd = _pipe_fd(self._bytes, self.PIPE_SIZE) if self._bytes is not None else -1

    def event(self, event: Event | RawEvent) -> bool:
        """Print one event; False once stdout is gone."""
        if self.broken:
            return False
        jsonl = self._jsonl
        if type(event) is self._raw:
            text = event.text
            if jsonl:  # the frame's own text, if it has no line break and it validates
                if type(text) is bytes:
                    if b"\n" not in text and b"\r" not in text and (event.conforms or self._conforms(event.type, text)):
                        return self._push(text if self._bytes is not None else text.decode("utf-8", "replace"))
                elif (
                    type(text) is str
                    and "\n" not in text
                    and "\r" not in text
                    and (event.conforms or self._conforms(event.type, text))
                ):
                    return self._push(text.encode("utf-8", "replace") if self._bytes is not None else text)
            try:
                event = event.validate()
            except self._error as exc:
                self.invalid_late += 1
                self.notice_invalid(f"Ignored an invalid frame: {exc.reason}")
                return True
        checked = cast("Event", event)
        line = self._encode(checked) if jsonl else summarize(checked)
        return self._push(line.encode("utf-8", "replace") if self._bytes is not None else line)

    def _push(self, line: str | bytes) -> bool:
        """Add one line to those written at the next flush (bytes when writing to the binary stream)."""
        pending = self._pending
        pending.append(line)
        if len(pending) >= self.BATCH:
            self.flush()
        elif len(pending) == 1:
            try:
                asyncio.get_running_loop().call_soon(self.flush)
            except RuntimeError:  # no event loop: print at once
                self.flush()
        if self.broken:
            return False
        self.printed += 1
        return True

    def flush(self) -> None:
        """Write the lines not written yet, in one write (whatever ``PYTHONUNBUFFERED`` says)."""
        pending = self._pending
        if not pending or self.broken:
            pending.clear()
            return
        try:
            if self._bytes is not None:  # a text stream's own write costs more than encoding here
                self.out.flush()
                self._bytes.flush()
                if self._fd >= 0:
                    _write_lines(self._fd, pending)  # type: ignore[arg-type]
                else:
                    pending.append(b"")
                    self._bytes.write(b"\n".join(pending))  # type: ignore[arg-type]
                    self._bytes.flush()
                pending.clear()
            else:
                pending.append("")
                text = "\n".join(pending)  # type: ignore[arg-type]
                pending.clear()
                self.out.write(text)
                self.out.flush()
        except BrokenPipeError:
            self._stdout_gone()

    def _stdout_gone(self) -> None:
        self.broken = True
        try:  # later flushes (at exit) must not fail again
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, self.out.fileno())
        except (OSError, ValueError, AttributeError):
            pass

    def notice(self, notice: Notice) -> None:
        from aisci_tui.sources.base import ConnectionState
        from aisci_tui.textsafe import clean

        text = clean(notice.text, 500)
        if notice.kind == "invalid":
            self.notice_invalid(text)
        elif notice.fatal or notice.kind in ("error", "unknown"):
            self.warn(text)
        elif notice.kind == "state" and notice.state is ConnectionState.RECONNECTING:
            retry = f" Reconnecting in {notice.retry_in:.1f} s" if notice.retry_in is not None else " Reconnecting"
            self.warn(f"{text}{retry} (attempt {notice.attempt}).")
        elif notice.severity in ("warning", "error") or self.verbose:
            state = f"{notice.state.name.lower()}" if notice.state is not None else ""
            self.warn(text or state)

    def notice_invalid(self, text: str) -> None:
        from aisci_tui.textsafe import clean

        self.invalid += 1
        self.warn(clean(text, 500) or "ignored an invalid frame")

    def warn(self, text: str) -> None:
        try:
            self.err.write(f"aisci-tui: {text}\n")
            self.err.flush()
        except (OSError, ValueError):
            pass

    def summary(self, source: Source) -> None:
        self.flush()
        stats = getattr(source, "stats", None)
        counts: dict[str, Any]
        if stats is not None and hasattr(stats, "summary"):
            counts = stats.summary()
            counts["events"] = self.printed  # what was handed over and printed (a sink may get more)
            counts["invalid"] += self.invalid_late
        else:
            counts = {
                "received": self.printed + self.invalid,
                "events": self.printed,
                "invalid": self.invalid,
                "duplicates": 0,
                "reconnects": 0,
            }
        try:
            self.err.write(json.dumps(counts, separators=(",", ":")) + "\n")
            self.err.flush()
        except (OSError, ValueError):
            pass


def _pipe_fd(stream: Any, size: int) -> int:
    """The file descriptor of ``stream``, or -1 if it has none (or there is no ``writev``); a pipe
    is asked to hold ``size`` bytes."""
    try:
        fd = int(stream.fileno()) if hasattr(os, "writev") else -1
    except (AttributeError, OSError, ValueError):
        return -1
    try:
        import fcntl
        import stat

        if stat.S_ISFIFO(os.fstat(fd).st_mode):
            fcntl.fcntl(fd, getattr(fcntl, "F_SETPIPE_SZ", 1031), size)
    except (ImportError, OSError):  # not Linux, or over the limit: the pipe stays as it is
        pass
    return fd


def _write_lines(fd: int, lines: list[bytes]) -> None:
    """Write ``lines``, each followed by a newline, with one ``writev`` (more if it wrote less)."""
    pieces = [b"\n"] * (2 * len(lines))
    pieces[0::2] = lines
    try:
        done = os.writev(fd, pieces)
    except BlockingIOError:
        done = 0
    if done < sum(map(len, lines)) + len(lines):  # a signal, or a non-blocking descriptor
        import select

        rest = memoryview(b"".join(pieces))[done:]
        while rest:
            try:
                rest = rest[os.write(fd, rest) :]
            except BlockingIOError:
                select.select([], [fd], [])


def _utf8(stream: TextIO) -> bool:
    import codecs

    try:
        return codecs.lookup(stream.encoding).name == "utf-8"
    except (AttributeError, LookupError, TypeError):
        return False


def _pct(value: float | None) -> str:
    if value is None:
        return "?"
    return f"{value * 100:.0f}%" if 0 <= value <= 1 else f"{value:g}"


def summarize(event: Event) -> str:
    """One readable line for an event; all server text is cleaned of control characters."""
    from aisci_tui.protocol.times import parse_time
    from aisci_tui.textsafe import clean

    def c(value: object, limit: int = 60) -> str:
        return clean(value, limit) if value is not None else "-"

    when = parse_time(event.timestamp)
    stamp = when.strftime("%H:%M:%S") if when else "--:--:--"
    d: Any = event.data
    kind = event.type
    if kind == "agent_status":
        task = d.current_task
        progress = f" task {c(task.type, 30)} {_pct(task.progress)}" if task and task.type else ""
        text = f"agent {c(d.name or d.agent_id)} {c(d.status, 20)}{progress}"
    elif kind == "research_progress":
        text = f"session {c(d.session_id)} {c(d.current_phase, 30)} {_pct(d.overall_progress)}"
        if d.title:
            text += f" {c(d.title)}"
    elif kind == "experiment_results":
        text = f"experiment {c(d.experiment_id)} {c(d.status, 20)}"
        if d.title:
            text += f" {c(d.title)}"
    elif kind == "ethical_assessment":
        a = d.assessment
        text = f"{c(d.resource_type, 20)} {c(d.resource_id)} {c(a.status, 20)} score {c(a.overall_score, 10)}"
    elif kind == "system_event":
        text = f"{c(d.severity, 10)} {c(d.event_type, 20)} {c(d.title)}"
    else:
        text = ""
    return f"{stamp} {kind:<18} {text}".rstrip()
