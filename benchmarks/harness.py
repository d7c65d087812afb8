"""Shared pieces: the load-generator process, CPU and memory readings, the result record."""

from __future__ import annotations

import asyncio
import logging
import os
import resource
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import orjson

from benchmarks.loadgen import write_frames_file

ROOT = Path(__file__).resolve().parents[1]


def quiet_project_logs() -> None:
    """Keep the project's warnings (e.g. the end-marker frame it does not know) off the table."""
    logger = logging.getLogger("aisci_tui")
    logger.addHandler(logging.NullHandler())
    logger.propagate = False


# -- results -------------------------------------------------------------------


@dataclass
class Check:
    """One budget: ``value`` compared with ``limit`` (``op`` is ``<=`` or ``>=``)."""

    name: str
    value: float
    limit: float
    op: str
    unit: str = ""
    note: str = ""

    @property
    def met(self) -> bool:
        return self.value <= self.limit if self.op == "<=" else self.value >= self.limit

    def row(self) -> str:
        mark = "met" if self.met else "MISSED"
        value, limit = short_number(self.value), short_number(self.limit)
        return f"{self.name:<52} {value:>10} {self.op} {limit:<8} {self.unit:<10} {mark}"


@dataclass
class Result:
    """What one benchmark measured: plain numbers, and the budgets they are held to."""

    name: str
    numbers: dict[str, Any] = field(default_factory=dict)
    checks: list[Check] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    error: str | None = None

    def check(self, name: str, value: float, op: str, limit: float, unit: str = "", note: str = "") -> None:
        self.checks.append(Check(name, float(value), float(limit), op, unit, note))

    def to_json(self) -> dict[str, Any]:
        d = orjson.loads(orjson.dumps(asdict(self), option=orjson.OPT_NON_STR_KEYS))
        for c, cd in zip(self.checks, d["checks"], strict=True):
            cd["met"] = c.met
        return d


def short_number(v: float) -> str:
    """A number short enough for a table cell."""
    if v == 0 or abs(v) >= 100:
        return f"{v:,.0f}"
    if abs(v) >= 1:
        return f"{v:.2f}"
    return f"{v:.3f}"


# -- processes -----------------------------------------------------------------


class LoadProcess:
    """The load generator in its own process; ``async with`` starts and stops it."""

    def __init__(
        self, frames: list[bytes], *, rate: float | None = None, hold: float = 0.0, end_marker: bool = True
    ) -> None:
        self.frames = frames
        self.args: list[str] = []
        if rate is not None:
            self.args += ["--rate", str(rate)]
        if hold:
            self.args += ["--hold", str(hold)]
        if not end_marker:
            self.args.append("--no-end")
        self.port = 0
        self.proc: asyncio.subprocess.Process | None = None
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        self._events: asyncio.Queue[dict] = asyncio.Queue()
        self._reader: asyncio.Task | None = None

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws"

    async def __aenter__(self) -> LoadProcess:
        self._tmp = tempfile.TemporaryDirectory(prefix="aisci-bench-")
        path = Path(self._tmp.name) / "frames.bin"
        write_frames_file(path, self.frames)
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "benchmarks.loadgen",
            str(path),
            *self.args,
            stdout=asyncio.subprocess.PIPE,
            cwd=str(ROOT),
            limit=64 * 1024 * 1024,
        )
        self._reader = asyncio.create_task(self._read())
        first = await asyncio.wait_for(self._events.get(), 20)
        self.port = int(first["port"])
        return self

    async def _read(self) -> None:
        assert self.proc and self.proc.stdout
        async for line in self.proc.stdout:
            await self._events.put(orjson.loads(line))

    async def next_event(self, kind: str, timeout: float = 60.0) -> dict:
        """Wait for the next line of ``kind`` from the server (others are skipped)."""
        deadline = time.monotonic() + timeout
        while True:
            ev = await asyncio.wait_for(self._events.get(), max(0.01, deadline - time.monotonic()))
            if ev.get("event") == kind:
                return ev

    async def __aexit__(self, *exc: object) -> None:
        if self.proc and self.proc.returncode is None:
            self.proc.terminate()
            try:
                await asyncio.wait_for(self.proc.wait(), 5)
            except TimeoutError:
                self.proc.kill()
                await self.proc.wait()
        if self._reader:
            self._reader.cancel()
        if self._tmp:
            self._tmp.cleanup()


# -- CPU and memory --------------------------------------------------------------


def cpu_seconds(pid: int | None = None) -> float:
    """User + system CPU seconds used so far by ``pid`` (this process by default)."""
    if pid is None:
        t = os.times()
        return t.user + t.system
    try:
        import psutil

        c = psutil.Process(pid).cpu_times()
        return c.user + c.system
    except ImportError:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int | None = None) -> float:
    """Resident set size in MB, now."""
    try:
        import psutil

        return psutil.Process(pid).memory_info().rss / 2**20
    except ImportError:
        pages = int(Path(f"/proc/{pid or 'self'}/statm").read_text().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_rss_mb() -> float:
    """Highest resident set size of this process image, in MB.

    Read from ``VmHWM``: ``ru_maxrss`` survives ``exec`` on Linux, so a child started
    from a big parent would report the parent's peak.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def load_average() -> tuple[float, float, float]:
    return os.getloadavg()
