"""Error codes, limits and fault injection."""

from __future__ import annotations

import asyncio
import json

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from aisci_tui.protocol import ProtocolError, decode
from aisci_tui.server.garbage import GARBAGE
from tests.server.helpers import agent_ev, peer, running, wait_for


async def test_malformed_messages_get_invalid_message(server):
    async with peer(server.url) as p:
        huge = "x" * 200_000
        for frame in (
            "{not json",
            "[1,2]",
            json.dumps({"type": "subscribe", "data": {"events": huge}}),
            json.dumps({"type": "agent_status", "id": "z", "data": {}}),
            json.dumps({"type": "mystery", "id": "q"}),
            b"\xff\xfe",
        ):
            await p.ws.send(frame)
            err = await p.expect("error")
            assert err["data"]["code"] == "INVALID_MESSAGE"
            assert err["data"]["message"]
            assert len(json.dumps(err)) < 1000  # never echoes the input
        await p.send("ping", {})
        await p.expect("pong")  # still alive


async def test_oversized_frame_closes_with_1009():
    async with running(max_frame=1024) as srv:
        async with peer(srv.url) as p:
            await p.ws.send("x" * 5000)
            with pytest.raises(ConnectionClosed):
                await p.recv(2)
            assert p.ws.close_code == 1009


async def test_rate_limited_with_retry_after():
    async with running(rate_limit_per_s=5, rate_limit_burst=5) as srv:
        async with peer(srv.url) as p:  # auth used one token
            for i in range(10):
                await p.send("ping", {"i": i})
            msgs = await p.quiet(0.3)
            pongs = [m for m in msgs if m["type"] == "pong"]
            errors = [m for m in msgs if m["type"] == "error"]
            assert len(pongs) <= 5
            assert len(errors) == 1 and errors[0]["data"]["code"] == "RATE_LIMITED"
            assert 0 < errors[0]["data"]["retry_after"] <= 1
            await asyncio.sleep(errors[0]["data"]["retry_after"] + 0.05)
            await p.send("ping", {"again": True})
            assert (await p.expect("pong"))["data"] == {"again": True}
        assert srv.stats["messages_rate_limited"] >= 5


async def test_connection_limit():
    async with running(max_connections=2) as srv:
        async with peer(srv.url), peer(srv.url):
            async with connect(srv.url) as ws:
                err = json.loads(await asyncio.wait_for(ws.recv(), 2))
                assert err["type"] == "error" and err["data"]["code"] == "CONNECTION_LIMIT"
                with pytest.raises(ConnectionClosed):
                    await asyncio.wait_for(ws.recv(), 2)
                assert ws.close_code == 1013
            assert srv.connections == 2
        await wait_for(lambda: srv.connections == 0)
        async with peer(srv.url):  # room again
            assert srv.stats["connections_refused"] == 1


async def test_other_paths_are_404(server):
    with pytest.raises(InvalidStatus) as info:
        async with connect(server.url.replace("/ws", "/nope"), open_timeout=2):
            pass
    assert info.value.response.status_code == 404


async def test_drop_every_aborts_without_close_frame():
    async with running(drop_every=3) as srv:
        async with peer(srv.url) as p:
            await p.subscribe(["agent_status"])
            evs = [agent_ev() for _ in range(5)]
            for ev in evs:
                await srv.publish(ev)
            got = []
            with pytest.raises(ConnectionClosed):
                while True:
                    msg = await p.recv(2)
                    if msg["type"] == "agent_status":
                        got.append(msg["id"])
            assert got == [e.id for e in evs[:3]]
            assert p.ws.close_code == 1006  # abnormal: no close frame
        assert srv.stats["connections_aborted"] == 1


async def test_malformed_every_sends_varied_garbage():
    async with running(malformed_every=2) as srv:
        async with peer(srv.url) as p:
            await p.subscribe(["agent_status"])
            for _ in range(2 * len(GARBAGE)):
                await srv.publish(agent_ev())
            good, bad = 0, []
            while good < 2 * len(GARBAGE) or len(bad) < len(GARBAGE):
                raw = await asyncio.wait_for(p.ws.recv(), 2)
                try:
                    msg = decode(raw)
                except ProtocolError as exc:
                    bad.append(exc.reason)
                    continue
                good += msg.type == "agent_status"
            assert len(bad) == len(GARBAGE)
            assert len({r.split(":")[0] for r in bad}) >= 4  # several different kinds of wrong


async def test_inject_raw_and_drop_all(server):
    async with peer(server.url) as p, peer(server.url, authed=False) as anon:
        assert await server.inject_raw('{"type":"weird"}') == 1
        assert (await p.recv())["type"] == "weird"
        assert await anon.quiet(0.1) == []
        assert await server.drop_all() == 2
        with pytest.raises(ConnectionClosed):
            await p.recv(2)
        assert p.ws.close_code == 1006
    await wait_for(lambda: server.connections == 0)


async def test_shutdown_sends_service_unavailable():
    async with running() as srv:
        async with peer(srv.url) as p:
            await srv.aclose()
            err = await p.expect("error")
            assert err["data"]["code"] == "SERVICE_UNAVAILABLE" and err["data"]["retry_after"] > 0
            with pytest.raises(ConnectionClosed):
                await p.recv(2)
            assert p.ws.close_code == 1001


async def test_feed_failure_sends_service_unavailable():
    gate = asyncio.Event()

    async def feed():
        yield agent_ev("first")
        await gate.wait()
        raise RuntimeError("backend went away")

    async with running(feed=feed()) as srv:
        async with peer(srv.url) as p:
            await p.subscribe(["agent_status"], options={"include_history": True})
            assert (await p.events(1))[0]["data"]["agent_id"] == "first"
            gate.set()
            err = await p.expect("error")
            assert err["data"]["code"] == "SERVICE_UNAVAILABLE"
        async with peer(srv.url) as late:  # told right after authenticating
            assert (await late.expect("error"))["data"]["code"] == "SERVICE_UNAVAILABLE"
        assert srv.stats["feed_failures"] == 1


async def test_simulated_feed_reaches_clients():
    async with running(simulate=True, seed=3, speed=50.0) as srv:
        async with peer(srv.url) as p:
            await p.subscribe(["agent_status", "research_progress"], options={"include_history": True})
            evs = await p.events(20, timeout=3)
            assert {e["type"] for e in evs} == {"agent_status", "research_progress"}
            assert len({e["id"] for e in evs}) == 20
            assert all(e["timestamp"].endswith("Z") for e in evs)


async def test_slow_client_is_disconnected():
    async with running(max_queue=5) as srv:
        async with peer(srv.url) as p:
            await p.subscribe(["agent_status"])
            for _ in range(50):  # queued faster than any socket drains
                await srv.publish(agent_ev())
            got = 0
            with pytest.raises(ConnectionClosed):
                while True:
                    got += (await p.recv(2))["type"] == "agent_status"
            assert got <= 5 and p.ws.close_code == 1013
        assert srv.stats["slow_clients"] == 1
