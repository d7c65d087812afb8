"""Small helpers shared by the bridge tests."""

from __future__ import annotations

from tests.bridge.runwriter import BASE_TIME


class Clock:
    """A settable clock for time-based states (busy/idle, stalled)."""

    def __init__(self, now: float = BASE_TIME + 10_000) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def by_type(events, kind):
    return [e for e in events if e.type == kind]


def one(events, kind):
    found = by_type(events, kind)
    assert len(found) == 1, f"expected one {kind}, got {len(found)}"
    return found[0]


async def wait_until(pilot, predicate, timeout: float = 8.0, what: str = "") -> None:
    """Let a Textual app run until ``predicate()`` holds; fail after ``timeout`` seconds."""
    import asyncio

    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what or predicate}")
        await pilot.pause(0.02)


def screen_text(app) -> str:
    """What the app's screen shows right now, as plain text (from an SVG export)."""
    import html
    import re

    svg = app.export_screenshot()
    parts = re.findall(r"<text[^>]*>(.*?)</text>", svg, flags=re.S)
    return html.unescape("".join(parts)).replace("\xa0", " ")


class Pty:
    """A command on a pseudo-terminal, as a person would run it; collects everything it draws."""

    def __init__(self, args: list[str], *, env: dict[str, str], cwd, size: tuple[int, int] = (120, 36)) -> None:
        import fcntl
        import os
        import struct
        import subprocess
        import termios

        self.master, slave = os.openpty()
        cols, rows = size
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        self.proc = subprocess.Popen(args, stdin=slave, stdout=slave, stderr=slave, env=env, cwd=cwd,
                                     start_new_session=True, close_fds=True)
        os.close(slave)
        self.output = b""

    def wait_for(self, *needles: str, timeout: float = 10.0) -> bool:
        """Read until every needle has been drawn (True) or ``timeout`` passes (False)."""
        import os
        import select
        import time

        wanted = [n.encode() for n in needles]
        deadline = time.monotonic() + timeout
        while not all(w in self.output for w in wanted) and time.monotonic() < deadline:
            ready, _, _ = select.select([self.master], [], [], 0.05)
            if ready:
                try:
                    chunk = os.read(self.master, 65536)
                except OSError:
                    break
                if not chunk:
                    break
                self.output += chunk
        return all(w in self.output for w in wanted)

    def send(self, keys: str) -> None:
        import os

        os.write(self.master, keys.encode())

    def finish(self, timeout: float = 10.0) -> int:
        """Wait for the command to end by itself, reading what it draws meanwhile; its exit code."""
        import time

        deadline = time.monotonic() + timeout
        while self.proc.poll() is None and time.monotonic() < deadline:
            self.wait_for("\x00never\x00", timeout=0.1)  # keep the terminal drained so it can exit
        code = self.proc.wait(max(0.1, deadline - time.monotonic()))
        self.wait_for("\x00never\x00", timeout=0.2)
        return code

    def close(self) -> None:
        import os

        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)
        os.close(self.master)


def cli_env(tmp_path) -> dict[str, str]:
    """The environment of a CLI run: no AISCI_* settings or user config from this machine."""
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith("AISCI_")}
    env.update(XDG_CONFIG_HOME=str(tmp_path / "xdg"), HOME=str(tmp_path), TERM="xterm-256color")
    return env
