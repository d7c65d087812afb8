"""`aisci-tui events --url A --url B`: a real subprocess over two real servers, one killed and restarted."""

from __future__ import annotations

import asyncio
import json
import signal

from aisci_tui import exitcodes
from tests.client.conftest import running
from tests.client.test_events_cli import events_process, summary
from tests.fleet.test_fanin import port_of, progress
from tests.waiting import until


async def test_each_event_once_with_its_endpoint_in_meta_while_one_server_restarts():
    async with running() as a:
        b_running = running()
        b = await b_running.__aenter__()
        port_b = port_of(b.url)
        label_a, label_b = f"127.0.0.1:{port_of(a.url)}", f"127.0.0.1:{port_b}"
        await a.publish(progress("ses-1", "writing", "a-1"))
        await b.publish(progress("ses-1", "analysis", "b-1"))  # the same session id on both servers
        lines: list[dict] = []
        async with events_process("--url", a.url, "--url", b.url) as proc:

            async def read() -> None:
                assert proc.stdout is not None
                async for line in proc.stdout:
                    lines.append(json.loads(line))

            def ids() -> list[str]:
                return [e["id"] for e in lines]

            reader = asyncio.create_task(read())
            await until(lambda: {"a-1", "b-1"} <= set(ids()), timeout=15, what="both servers' history")
            await b_running.__aexit__(None, None, None)  # B is killed
            await asyncio.sleep(0.3)
            await a.publish(progress("ses-1", "writing", "a-2"))
            await until(lambda: "a-2" in ids(), timeout=10, what="A live while B is down")
            async with running(port=port_b) as b2:
                await b2.publish(progress("ses-1", "analysis", "b-1"))  # held again after the restart
                await b2.publish(progress("ses-1", "writing", "b-2"))
                await until(lambda: "b-2" in ids(), timeout=20, what="B live again")
                await b2.publish(progress("ses-1", "analysis", "b-1"))  # sent again, live
                await b2.publish(progress("ses-1", "writing", "b-3"))
                await until(lambda: "b-3" in ids(), timeout=10, what="B's next event")
                await a.publish(progress("ses-1", "writing", "a-3"))
                await until(lambda: "a-3" in ids(), timeout=10, what="A still live")
                proc.send_signal(signal.SIGINT)
                assert proc.stderr is not None
                err = await asyncio.wait_for(proc.stderr.read(), 10)
                await asyncio.wait_for(proc.wait(), 10)
            await asyncio.wait_for(reader, 5)
        assert proc.returncode == 0
        assert sorted(ids()) == ["a-1", "a-2", "a-3", "b-1", "b-2", "b-3"]  # nothing printed twice
        where = {e["id"]: e["meta"]["endpoint"] for e in lines}
        assert where == {"a-1": label_a, "a-2": label_a, "a-3": label_a, "b-1": label_b, "b-2": label_b, "b-3": label_b}
        assert all(e["data"]["session_id"] == "ses-1" for e in lines)  # events keep the servers' own ids
        text = err.decode()
        assert "1/2 open" in text  # the drop is told
        assert "temporarily unavailable" not in text  # B announced its restart: a reconnection, not an error
        counts = summary(text)
        assert counts["events"] == 6 and counts["duplicates"] >= 1 and counts["reconnects"] >= 1


async def test_our_server_and_the_guide_literal_peer_behind_one_events(guide_peer):
    """The guide's server sends no history, no session on agents and a tracing meta of its own:
    each event is still printed once, its own meta kept and its endpoint added."""
    async with running() as ours:
        await ours.publish(progress("ses-1", "writing", "ours-1"))
        label_ours, label_guide = f"127.0.0.1:{port_of(ours.url)}", f"127.0.0.1:{port_of(guide_peer.url)}"
        lines: list[dict] = []
        async with events_process("--url", ours.url, "--url", guide_peer.url) as proc:

            async def read() -> None:
                assert proc.stdout is not None
                async for line in proc.stdout:
                    lines.append(json.loads(line))

            reader = asyncio.create_task(read())
            await until(lambda: guide_peer.stats["subscriptions"] >= 1, timeout=15, what="subscribed to the peer")
            peer_event = {
                "type": "agent_status",
                "id": "guide-1",
                "timestamp": "2026-01-01T00:00:00Z",
                "data": {"agent_id": "agt-1", "status": "busy"},
                "meta": {"version": "1.0", "source": "guide_peer", "correlation_id": "corr-1"},
            }
            await guide_peer.publish(peer_event)
            await guide_peer.publish(peer_event)  # sent twice: printed once
            await guide_peer.publish({**peer_event, "id": "guide-2"})
            await until(lambda: {"ours-1", "guide-2"} <= {e["id"] for e in lines}, timeout=15, what="both")
            proc.send_signal(signal.SIGINT)
            await asyncio.wait_for(proc.wait(), 10)
            await asyncio.wait_for(reader, 5)
        assert sorted(e["id"] for e in lines) == ["guide-1", "guide-2", "ours-1"]
        by_id = {e["id"]: e for e in lines}
        assert by_id["ours-1"]["meta"]["endpoint"] == label_ours
        assert by_id["guide-1"]["meta"] == {
            "version": "1.0",
            "source": "guide_peer",
            "correlation_id": "corr-1",
            "endpoint": label_guide,
        }


async def test_a_fleet_profile_follows_every_server_it_names(tmp_path):
    """`events --profile lab` with `[fleets] lab = [a profile, a URL]`: the dashboard's endpoint choice
    (one definition), each event printed once with its endpoint (the profile's name, or host:port)."""
    async with running() as a, running() as b:
        label_b = f"127.0.0.1:{port_of(b.url)}"
        config = tmp_path / "config.toml"
        config.write_text(f'[profiles]\nnode-a = "{a.url}"\n\n[fleets]\nlab = ["node-a", "{b.url}"]\n')
        await a.publish(progress("ses-1", "writing", "a-1"))
        await b.publish(progress("ses-1", "analysis", "b-1"))
        async with events_process("--config", str(config), "--profile", "lab", "--limit", "4") as proc:
            await until(lambda: a.stats.get("subscriptions", 0) >= 1 and b.stats.get("subscriptions", 0) >= 1)
            await a.publish(progress("ses-1", "writing", "a-2"))
            await b.publish(progress("ses-1", "writing", "b-2"))
            out, err = await asyncio.wait_for(proc.communicate(), 20)
    assert proc.returncode == 0, err.decode()
    lines = [json.loads(line) for line in out.decode().splitlines()]
    assert sorted(e["id"] for e in lines) == ["a-1", "a-2", "b-1", "b-2"]
    where = {e["id"]: e["meta"]["endpoint"] for e in lines}
    assert where == {"a-1": "node-a", "a-2": "node-a", "b-1": label_b, "b-2": label_b}
    assert summary(err.decode())["events"] == 4


async def test_an_unknown_profile_is_a_usage_error_naming_the_known_ones(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text('[fleets]\nlab = ["ws://127.0.0.1:9/ws"]\n')
    async with events_process("--config", str(config), "--profile", "nowhere") as proc:
        _, err = await asyncio.wait_for(proc.communicate(), 20)
    assert proc.returncode == exitcodes.USAGE
    assert "Unknown profile 'nowhere'" in err.decode() and "lab" in err.decode()
