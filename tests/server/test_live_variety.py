"""`serve` at default speed is varied live: `events --duration 10 --no-history` sees all five types.

Realistic pacing (minutes between experiments and system events) stays one
flag away (--realistic); the simulator's story is the same with either.
"""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import sys
from datetime import UTC, datetime

from aisci_tui.protocol.models import EVENT_TYPES
from aisci_tui.server.simulator import Simulator
from tests.server.test_server_cli import CLEAN_ENV, spawn


async def test_serve_then_events_for_ten_seconds_prints_all_five_types():
    server = spawn("serve", "--port", "0")
    try:
        line = await asyncio.wait_for(asyncio.to_thread(server.stdout.readline), 20)
        url = re.search(r"ws://127\.0\.0\.1:\d+/ws", line).group(0)
        err_lines = [server.stderr.readline(), server.stderr.readline()]
        key = next(x for x in err_lines if x.startswith("AISCI_API_KEY=")).split()[0].split("=", 1)[1]
        events = await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "-m", "aisci_tui", "events", "--url", url, "--duration", "10", "--no-history"],
            capture_output=True,
            text=True,
            timeout=40,
            check=False,
            env={**CLEAN_ENV, "AISCI_API_KEY": key},
        )
    finally:
        server.terminate()
        server.communicate(timeout=10)
    assert events.returncode == 0, events.stderr
    seen = {json.loads(line)["type"] for line in events.stdout.splitlines()}
    assert seen == set(EVENT_TYPES), events.stderr


def test_lively_pacing_leaves_no_type_silent_for_long_and_keeps_the_realistic_story():
    start = datetime(2026, 3, 1, tzinfo=UTC)
    lively, realistic = Simulator(seed=5, start=start, lively=True), Simulator(seed=5, start=start)
    last: dict[str, float] = {}
    worst = 0.0
    for _ in range(3000):  # five minutes in 0.1 s steps
        for event in lively.advance(0.1):
            last[event.type] = lively.now
        if lively.now > 10:
            worst = max(worst, max(lively.now - last.get(kind, 0.0) for kind in EVENT_TYPES))
    assert worst < 10.0
    story = [(e.type, e.data.model_dump()) for e in realistic.advance(300) if e.type == "agent_status"]
    again = [
        (e.type, e.data.model_dump())
        for e in Simulator(seed=5, start=start, lively=True).advance(300)
        if e.type == "agent_status"
    ]
    assert story == again  # lively pacing adds events; it changes none of the realistic ones
