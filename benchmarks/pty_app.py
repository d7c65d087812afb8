"""Run a command on a pseudo-terminal of a given size and record what it writes."""

from __future__ import annotations

import fcntl
import os
import pty
import signal
import struct
import termios
import threading
import time
from collections.abc import Sequence

#: Answers a modern terminal gives: synchronized output (mode 2026) is supported, so the
#: app brackets each frame with ``ESC [?2026h`` ... ``ESC [?2026l`` and frames can be counted.
TERMINAL_ANSWERS = {b"\x1b[?2026$p": b"\x1b[?2026;2$y"}

FRAME_START = b"\x1b[?2026h"


class PtyApp:
    """A child process whose terminal is a pty we read; every write is timed and kept.

    ``chunks`` holds ``(monotonic time, bytes)`` for everything the child wrote.
    Queries listed in ``answers`` get their answer written back, once each.
    """

    def __init__(
        self,
        argv: Sequence[str],
        env: dict[str, str],
        *,
        cols: int = 120,
        rows: int = 40,
        cwd: str | None = None,
        answers: dict[bytes, bytes] | None = None,
    ) -> None:
        self.argv, self.env, self.cols, self.rows, self.cwd = list(argv), env, cols, rows, cwd
        self.answers = dict(TERMINAL_ANSWERS if answers is None else answers)
        self.pid = 0
        self.fd = -1
        self.started = 0.0
        self.chunks: list[tuple[float, bytes]] = []
        self._lock = threading.Lock()
        self._reader: threading.Thread | None = None

    def start(self) -> None:
        self.started = time.monotonic()
        pid, fd = pty.fork()
        if pid == 0:  # the child: become the command
            try:
                if self.cwd:
                    os.chdir(self.cwd)
                os.execvpe(self.argv[0], self.argv, self.env)
            finally:
                os._exit(127)
        self.pid, self.fd = pid, fd
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", self.rows, self.cols, 0, 0))
        self._reader = threading.Thread(target=self._read, name="pty-reader", daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while True:
            try:
                data = os.read(self.fd, 1 << 16)
            except OSError:
                return
            if not data:
                return
            with self._lock:
                self.chunks.append((time.monotonic(), data))
            for query in [q for q in self.answers if q in data]:
                try:
                    os.write(self.fd, self.answers.pop(query))
                except OSError:
                    return

    def write(self, data: bytes) -> None:
        os.write(self.fd, data)

    def bytes_between(self, t0: float, t1: float) -> int:
        with self._lock:
            return sum(len(d) for t, d in self.chunks if t0 <= t < t1)

    def frames_between(self, t0: float, t1: float) -> int:
        """Screen updates (synchronized-output brackets) the app began in ``[t0, t1)``."""
        with self._lock:
            return sum(d.count(FRAME_START) for t, d in self.chunks if t0 <= t < t1)

    def max_frames_per_whole_second(self, t0: float, t1: float) -> int:
        """The most frames begun in any of the whole seconds ``[t0 + k, t0 + k + 1)`` within ``[t0, t1)``."""
        counts: dict[int, int] = {}
        with self._lock:
            for t, d in self.chunks:
                if t0 <= t < t1 and (n := d.count(FRAME_START)):
                    counts[int(t - t0)] = counts.get(int(t - t0), 0) + n
        return max((n for k, n in counts.items() if t0 + k + 1 <= t1), default=0)

    def max_frames_in_any_second(self, t0: float, t1: float) -> int:
        with self._lock:
            stamps = [t for t, d in self.chunks if t0 <= t < t1 for _ in range(d.count(FRAME_START))]
        best, j = 0, 0
        for i, t in enumerate(stamps):
            while stamps[j] <= t - 1.0:
                j += 1
            best = max(best, i - j + 1)
        return best

    def first_time_containing(self, needle: bytes) -> float | None:
        """When the output so far first contained ``needle``."""
        with self._lock:
            seen = b""
            for t, d in self.chunks:
                seen = seen[-len(needle) :] + d
                if needle in seen:
                    return t
        return None

    def output(self) -> bytes:
        with self._lock:
            return b"".join(d for _, d in self.chunks)

    def alive(self) -> bool:
        if not self.pid:
            return False
        try:
            done, _ = os.waitpid(self.pid, os.WNOHANG)
        except ChildProcessError:
            return False
        if done:
            self.pid = 0
        return bool(self.pid)

    def stop(self, quit_keys: bytes = b"q", timeout: float = 5.0) -> None:
        """Ask the app to quit with ``quit_keys``; terminate it if it does not."""
        if self.pid and self.alive():
            try:
                self.write(quit_keys)
            except OSError:
                pass
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline and self.alive():
                time.sleep(0.05)
            if self.alive():
                os.kill(self.pid, signal.SIGTERM)
                time.sleep(0.5)
                if self.alive():
                    os.kill(self.pid, signal.SIGKILL)
                    os.waitpid(self.pid, 0)
                self.pid = 0
        if self.fd >= 0:
            try:
                os.close(self.fd)
            except OSError:
                pass
            self.fd = -1
