"""The fan-in source over two real servers on loopback: tags, states, a server killed and restarted."""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

from aisci_tui.client import Client, SubscribeOptions, Subscription
from aisci_tui.protocol import make
from aisci_tui.protocol.models import Filters
from aisci_tui.sources.base import ConnectionState
from aisci_tui.sources.fanin import FanIn, local_filters, tag_object
from tests.client.conftest import Collector, agent_event, fast_config, running
from tests.waiting import until


def port_of(url: str) -> int:
    return urlsplit(url).port or 0


def progress(session: str, phase: str, msg_id: str):
    return make("research_progress", {"session_id": session, "current_phase": phase}, msg_id=msg_id)


def test_tagging_prefixes_every_naming_id_and_names_the_endpoint():
    obj = {
        "type": "experiment_results",
        "id": "e1",
        "meta": {"source": "x"},
        "data": {
            "experiment_id": "exp-1",
            "session_id": "ses-1",
            "status": "done",
            "execution": {"agent_id": "agt-1"},
            "activities": [{"agent_id": "agt-2"}],
        },
    }
    tag_object(obj, "lab-a", ids=True)
    assert obj["meta"] == {"source": "x", "endpoint": "lab-a"}
    data = obj["data"]
    assert (data["experiment_id"], data["session_id"]) == ("lab-a/exp-1", "lab-a/ses-1")
    assert data["execution"]["agent_id"] == "lab-a/agt-1" and data["activities"][0]["agent_id"] == "lab-a/agt-2"
    plain = {"type": "agent_status", "id": "e2", "data": {"agent_id": "agt-1", "status": "idle"}}
    tag_object(plain, "lab-b", ids=False)
    assert plain["meta"] == {"endpoint": "lab-b"} and plain["data"]["agent_id"] == "agt-1"


def test_filters_name_each_endpoints_own_ids():
    f = Filters(session_id="lab-a/ses-1", agent_ids=["lab-a/agt-1", "lab-b/agt-2"])
    assert local_filters("lab-a", f).session_id == "ses-1"
    assert local_filters("lab-a", f).agent_ids == ["agt-1", "lab-b/agt-2"]
    assert local_filters("lab-b", f).session_id == "lab-a/ses-1"  # names none of lab-b's sessions


async def test_two_servers_one_killed_and_restarted_the_other_stays_live():
    async with running() as a:
        b_running = running()
        b = await b_running.__aenter__()
        port_b = port_of(b.url)
        await a.publish(progress("ses-1", "writing", "a-1"))
        await b.publish(progress("ses-1", "analysis", "b-1"))
        subs = [Subscription(options=SubscribeOptions(include_history=True))]
        clients = [
            ("A", Client(fast_config(a.url, subscriptions=subs))),
            ("B", Client(fast_config(b.url, subscriptions=subs))),
        ]
        fan = FanIn(clients, prefix_ids=True)
        col = Collector(fan).start()  # type: ignore[arg-type]
        try:

            def sessions() -> dict[str, str]:
                out = {}
                for e in col.events:
                    out[e.data.session_id] = e.meta.model_extra["endpoint"]
                return out

            await until(lambda: sessions() == {"A/ses-1": "A", "B/ses-1": "B"}, what="both sessions, tagged")

            def summary():
                last = [n for n in col.notices if n.kind == "state"][-1]
                return last.state, last.text

            await until(lambda: summary() == (ConnectionState.OPEN, "2/2 open"), what="2/2 open")
            await b_running.__aexit__(None, None, None)  # killed
            await until(lambda: summary()[1] == "1/2 open", what="1/2 open")
            assert summary()[0] is ConnectionState.OPEN
            await a.publish(agent_event(session="ses-1", agent="agt-1"))
            await until(
                lambda: any(getattr(e.data, "agent_id", "") == "A/agt-1" for e in col.events), what="A still live"
            )
            async with running(port=port_b) as b2:
                await b2.publish(progress("ses-1", "analysis", "b-1"))  # a replay after the restart
                await b2.publish(progress("ses-1", "writing", "b-2"))
                await until(lambda: summary()[1] == "2/2 open", timeout=15, what="2/2 open again")
                await until(lambda: any(e.id == "b-2" for e in col.events), what="B live again")
                ids = [e.id for e in col.events]
                assert len(ids) == len(set(ids)), ids
        finally:
            await col.close()


async def test_a_slow_consumer_slows_the_reading_and_loses_nothing():
    import aisci_tui.sources.fanin as fanin

    async with running() as a, running() as b:
        subs = [Subscription(options=SubscribeOptions(include_history=True))]
        for n in range(300):
            await (a if n % 2 else b).publish(progress(f"ses-{n}", "writing", f"e-{n}"))
        old, fanin._QUEUE_SIZE = fanin._QUEUE_SIZE, 20
        fan = FanIn(
            [
                ("A", Client(fast_config(a.url, subscriptions=subs))),
                ("B", Client(fast_config(b.url, subscriptions=subs))),
            ]
        )
        seen: list[str] = []
        try:
            async for item in fan:
                if hasattr(item, "data"):
                    seen.append(item.id)
                    await asyncio.sleep(0.001)  # slower than the servers
                    assert fan._queue.qsize() <= 20 + 10  # bounded (a client's burst may land at once)
                if len(seen) == 300:
                    break
        finally:
            fanin._QUEUE_SIZE = old
            await fan.aclose()
        assert sorted(seen) == sorted(f"e-{n}" for n in range(300))


async def test_two_servers_may_use_the_same_event_id_for_different_events():
    """Ids are unique per server, not across servers (counters, say): each server's event is its own."""
    async with running() as a, running() as b:
        await a.publish(progress("ses-a", "writing", "evt-000001"))
        await b.publish(progress("ses-b", "analysis", "evt-000001"))
        subs = [Subscription(options=SubscribeOptions(include_history=True))]
        fan = FanIn(
            [
                ("A", Client(fast_config(a.url, subscriptions=subs))),
                ("B", Client(fast_config(b.url, subscriptions=subs))),
            ]
        )
        col = Collector(fan).start()  # type: ignore[arg-type]
        try:
            await until(lambda: len(col.events) == 2, what="both servers' evt-000001")
            assert sorted(e.data.session_id for e in col.events) == ["A/ses-a", "B/ses-b"]
        finally:
            await col.close()
