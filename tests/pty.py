"""A command on a pseudo-terminal, as a person would run it; collects everything it draws."""

from __future__ import annotations

import fcntl
import os
import select
import struct
import subprocess
import termios
import time

_NEVER = b"\x00never\x00"


def sized_env(env: dict[str, str]) -> dict[str, str]:
    """``env`` without COLUMNS and LINES, so the command takes its size from the terminal it is on
    (pytest-xdist's workers run with COLUMNS=80 and LINES=24, which would win over the pty's size)."""
    return {k: v for k, v in env.items() if k not in ("COLUMNS", "LINES")}


class Pty:
    """Runs ``args`` on a new pseudo-terminal of ``size`` (columns, rows)."""

    def __init__(self, args: list[str], env: dict[str, str], cwd, size: tuple[int, int] = (120, 36)) -> None:
        self.master, slave = os.openpty()
        cols, rows = size
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        self.proc = subprocess.Popen(
            args,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=sized_env(env),
            cwd=cwd,
            start_new_session=True,
            close_fds=True,
        )
        os.close(slave)
        self.output = b""

    def read_until(self, needles: list[bytes], timeout: float) -> bool:
        """Read until every needle has been drawn (True) or ``timeout`` passes (False)."""
        deadline = time.monotonic() + timeout
        while not all(n in self.output for n in needles) and time.monotonic() < deadline:
            ready, _, _ = select.select([self.master], [], [], 0.05)
            if ready:
                try:
                    chunk = os.read(self.master, 65536)
                except OSError:
                    break
                if not chunk:
                    break
                self.output += chunk
        return all(n in self.output for n in needles)

    def wait_for(self, *needles: str, timeout: float = 10.0) -> bool:
        return self.read_until([n.encode() for n in needles], timeout)

    def drain(self, timeout: float) -> None:
        """Keep reading for ``timeout`` seconds, so the command never blocks on a full terminal."""
        self.read_until([_NEVER], timeout)

    def send(self, keys: str) -> None:
        os.write(self.master, keys.encode())

    def finish(self, timeout: float = 10.0) -> int:
        """Wait for the command to end by itself, reading what it draws meanwhile; its exit code."""
        deadline = time.monotonic() + timeout
        while self.proc.poll() is None and time.monotonic() < deadline:
            self.drain(0.1)
        code = self.proc.wait(max(0.1, deadline - time.monotonic()))
        self.drain(0.2)
        return code

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)
        os.close(self.master)
