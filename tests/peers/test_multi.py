"""`events` over several servers, one of them down: it is named and the others go on."""

from __future__ import annotations

import asyncio
import json

from aisci_tui.protocol import from_obj
from tests.client.conftest import free_port
from tests.client.test_events_cli import clean_env, events_process
from tests.peers.fixtures import PEER_KEY
from tests.waiting import until


def ev(event_id: str, agent: str) -> object:
    return from_obj(
        {
            "type": "agent_status",
            "id": event_id,
            "timestamp": "2026-03-01T12:00:00Z",
            "data": {"agent_id": agent, "status": "busy"},
        }
    )


async def test_a_down_server_is_named_and_the_others_go_on(guide_peer):
    down = f"ws://127.0.0.1:{free_port()}/ws"
    async with events_process(
        "--url",
        guide_peer.url,
        "--url",
        down,
        "--max-attempts",
        "2",
        "--limit",
        "1",
        "--no-history",
        env=clean_env(AISCI_API_KEY=PEER_KEY),
    ) as proc:
        await until(lambda: guide_peer.stats["subscriptions"] >= 1, timeout=10)
        assert proc.stderr is not None
        early = b""
        while b"Gave up" not in early:  # the down one has given up (its line said so) before the event
            line = await asyncio.wait_for(proc.stderr.readline(), 10)
            if not line:
                break
            early += line
        await guide_peer.publish(ev("after-1", "a1"))
        out, rest = await asyncio.wait_for(proc.communicate(), 20)
        err = early + rest
    assert proc.returncode == 0, err.decode()
    assert [json.loads(line)["id"] for line in out.decode().splitlines()] == ["after-1"]
    assert any(down in line and "Gave up" in line for line in err.decode().splitlines()), err.decode()
