"""`events` over several servers: each endpoint its own connection; each event printed once, naming its server."""

from __future__ import annotations

import asyncio
import json

from aisci_tui.protocol import from_obj
from tests.client.conftest import free_port
from tests.client.test_events_cli import clean_env, events_process, summary
from tests.peers.fixtures import PEER_KEY
from tests.waiting import until


def ev(event_id: str, agent: str) -> object:
    return from_obj({"type": "agent_status", "id": event_id, "timestamp": "2026-03-01T12:00:00Z",
                     "data": {"agent_id": agent, "status": "busy"}})


async def test_two_servers_each_event_once_with_its_endpoint(any_server, guide_peer):
    servers = [any_server, guide_peer] if any_server is not guide_peer else [guide_peer]
    async with events_process("--url", any_server.url, "--url", guide_peer.url, "--limit", "3", "--no-history",
                              env=clean_env(AISCI_API_KEY=PEER_KEY)) as proc:
        for srv in servers:
            await until(lambda srv=srv: srv.stats.get("subscriptions", 0) >= 1, timeout=10)
        await any_server.publish(ev("shared-1", "a-shared"))
        await asyncio.sleep(0.2)
        await guide_peer.publish(ev("shared-1", "a-shared"))  # the same event from both: printed once
        await any_server.publish(ev("only-1", "a-first"))
        await guide_peer.publish(ev("only-2", "a-second"))
        out, err = await asyncio.wait_for(proc.communicate(), 20)
    lines = [json.loads(line) for line in out.decode().splitlines()]
    assert proc.returncode == 0, err.decode()
    assert sorted(m["id"] for m in lines) == ["only-1", "only-2", "shared-1"]
    endpoint = {m["id"]: m["meta"]["endpoint"] for m in lines}
    assert endpoint["only-1"] == any_server.url and endpoint["only-2"] == guide_peer.url
    assert endpoint["shared-1"] == any_server.url
    assert summary(err.decode())["events"] == 3


async def test_a_down_server_is_named_and_the_others_go_on(guide_peer):
    down = f"ws://127.0.0.1:{free_port()}/ws"
    async with events_process("--url", guide_peer.url, "--url", down, "--max-attempts", "2", "--limit", "1",
                              "--no-history", env=clean_env(AISCI_API_KEY=PEER_KEY)) as proc:
        await until(lambda: guide_peer.stats["subscriptions"] >= 1, timeout=10)
        await asyncio.sleep(1.0)  # long enough for the down one to give up
        await guide_peer.publish(ev("after-1", "a1"))
        out, err = await asyncio.wait_for(proc.communicate(), 20)
    assert proc.returncode == 0, err.decode()
    assert [json.loads(line)["id"] for line in out.decode().splitlines()] == ["after-1"]
    assert any(down in line and "Gave up" in line for line in err.decode().splitlines()), err.decode()
