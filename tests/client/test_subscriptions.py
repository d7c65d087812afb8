"""Subscriptions against the project's server: every filter, options, acks, unsubscribe, errors."""

from __future__ import annotations

import itertools
import logging
from typing import Any

import pytest

from aisci_tui.client import (
    AckTimeout,
    Client,
    Credentials,
    DateRange,
    Filters,
    SubscribeOptions,
    Subscription,
    SubscriptionError,
)
from aisci_tui.protocol import Event, from_obj
from aisci_tui.server.auth import mint_jwt
from aisci_tui.sources.base import ConnectionState
from tests.client.conftest import SECRET, Collector, agent_event, answer_basics, collecting, fast_config, mini_server

_n = itertools.count(1)


def ev(kind: str, data: dict[str, Any], ts: str = "2026-03-01T12:00:00Z") -> Event:
    return from_obj({"type": kind, "id": f"f-{next(_n):05d}", "timestamp": ts, "data": data})  # type: ignore


def system(severity: str, **kw: Any) -> Event:
    return ev("system_event", {"event_type": "update", "severity": severity, "title": "t"}, **kw)


def experiment(status: str, session: str = "ses-1", plots: bool = False) -> Event:
    results = {"summary": "s", "visualizations": [{"type": "plot", "title": "p", "url": "u"}] if plots else []}
    return ev(
        "experiment_results",
        {"experiment_id": f"x{next(_n)}", "status": status, "session_id": session, "results": results},
    )


def assessment(confidence: float, status: str = "compliant") -> Event:
    return ev(
        "ethical_assessment",
        {
            "resource_id": "r1",
            "resource_type": "experiment",
            "assessment": {"overall_score": 0.9, "status": status, "confidence": confidence},
        },
    )


async def delivered(server, col: Collector, published: list[Event]) -> list[str]:
    """Publish in order; the last event must pass the filter, so its arrival means the rest were judged."""
    for event in published:
        await server.publish(event)
    last = published[-1].id
    await col.until(lambda c: any(e.id == last for e in c.events))
    return [e.id for e in col.events]


async def filtered(server, events: list[str], filters: Filters, published: list[Event], **cfg: Any) -> list[str]:
    sub = Subscription(events=events, filters=filters)
    async with collecting(fast_config(server.url, subscriptions=[sub], **cfg)) as col:
        await col.client.ready()
        return await delivered(server, col, published)


async def test_session_filter(any_server):
    a, b, c = agent_event("ses-1"), agent_event("ses-2"), agent_event("ses-1")
    assert await filtered(any_server, ["agent_status"], Filters(session_id="ses-1"), [a, b, c]) == [a.id, c.id]


async def test_client_side_session_check_drops_other_sessions(any_server):
    a, b, c = agent_event("ses-1"), agent_event("ses-2"), system("info")
    sub = Subscription(events=["agent_status", "system_event"])  # the any_server sends everything
    async with collecting(fast_config(any_server.url, subscriptions=[sub], session_id="ses-1")) as col:
        await col.client.ready()
        assert await delivered(any_server, col, [a, b, c]) == [a.id, c.id]  # no session named: kept
        assert col.client.stats.filtered == 1


async def test_agent_ids_filter(server):
    a, b, c = agent_event(agent="agt-1"), agent_event(agent="agt-2"), agent_event(agent="agt-3")
    assert await filtered(server, ["agent_status"], Filters(agent_ids=["agt-1", "agt-3"]), [a, b, c]) == [a.id, c.id]


async def test_severity_filter(server):
    a, b, c = system("info"), system("error"), system("critical")
    got = await filtered(server, ["system_event"], Filters(severity=["error", "critical"]), [a, b, c])
    assert got == [b.id, c.id]


async def test_status_filter(server):
    a, b, c = experiment("completed"), experiment("partial"), experiment("failed")
    got = await filtered(server, ["experiment_results"], Filters(status=["completed", "failed"]), [a, b, c])
    assert got == [a.id, c.id]


async def test_date_range_filter(server):
    early = system("info", ts="2026-01-01T00:00:00Z")
    inside = system("info", ts="2026-02-01T00:00:00Z")
    late = system("info", ts="2026-04-01T00:00:00Z")
    inside2 = system("info", ts="2026-02-02T00:00:00Z")
    rng = DateRange(start="2026-01-15T00:00:00Z", end="2026-03-01T00:00:00Z")
    got = await filtered(server, ["system_event"], Filters(date_range=rng), [early, inside, late, inside2])
    assert got == [inside.id, inside2.id]


async def test_custom_filters(server):
    low, high = assessment(0.5), assessment(0.95)
    got = await filtered(
        server, ["ethical_assessment"], Filters(custom_filters={"confidence_threshold": 0.8}), [low, high]
    )
    assert got == [high.id]
    sub = Subscription(events=["experiment_results"], filters=Filters(custom_filters={"include_visualizations": False}))
    async with collecting(fast_config(server.url, subscriptions=[sub])) as col:
        await col.client.ready()
        plotted = experiment("completed", plots=True)
        await delivered(server, col, [plotted])
        assert col.events[0].data.results.visualizations == []


async def test_batched_delivery_is_expanded_event_by_event(server):
    opts = SubscribeOptions(batch_events=True, batch_size=5, batch_interval_ms=50)
    sub = Subscription(events=["agent_status"], options=opts)
    async with collecting(fast_config(server.url, subscriptions=[sub])) as col:
        await col.client.ready()
        before = col.client.stats.received
        published = [agent_event() for _ in range(10)]
        got = await delivered(server, col, published)
        assert got == [e.id for e in published]
        assert col.client.stats.received - before <= 3  # two batch frames (plus maybe a pong)


async def test_require_ack_with_the_real_server(server, caplog):
    caplog.set_level(logging.DEBUG, logger="aisci_tui.client.wire")
    async with collecting(fast_config(server.url, subscriptions=[])) as col:
        sub_id = await col.client.subscribe(["agent_status"], require_ack=True)
        assert sub_id.startswith("sub")
    sent = [r.getMessage() for r in caplog.records if r.getMessage().startswith("sent")]
    got = [r.getMessage() for r in caplog.records if r.getMessage().startswith("received")]
    assert any('"require_ack":true' in m for m in sent)
    assert any('"type":"ack"' in m for m in got)


@pytest.mark.parametrize("send_ack", [True, False])
async def test_require_ack_waits_for_the_ack(send_ack):
    async with mini_server(answer_basics(send_ack=send_ack)) as url:
        cfg = fast_config(url, subscriptions=[], ack_timeout=0.2)
        async with collecting(cfg) as col:
            if send_ack:
                assert await col.client.subscribe(["agent_status"], require_ack=True) == "sub-mini"
            else:
                with pytest.raises(AckTimeout):
                    await col.client.subscribe(["agent_status"], require_ack=True)
            assert await col.client.subscribe(["agent_status"]) == "sub-mini"  # no ack asked: fine


async def test_unsubscribe_whole_and_partial(server):
    async with collecting(fast_config(server.url, subscriptions=[])) as col:
        agents = await col.client.subscribe(["agent_status", "experiment_results"])
        systems = await col.client.subscribe(["system_event"])
        await col.client.unsubscribe(agents, events=["agent_status"])
        got = await delivered(server, col, [agent_event(), exp := experiment("completed")])
        assert got == [exp.id]
        await col.client.unsubscribe(agents)
        last = system("info")
        got = await delivered(server, col, [experiment("completed"), agent_event(), last])
        assert got == [exp.id, last.id]
        assert [r.public_id for r in col.client.records] == [systems]
        with pytest.raises(ValueError):
            await col.client.unsubscribe("sub_does_not_exist")


async def test_set_filters_replaces_the_subscription(any_server):
    sub = Subscription(events=["agent_status"], filters=Filters(session_id="ses-1"))
    async with collecting(fast_config(any_server.url, subscriptions=[sub])) as col:
        await col.client.ready()
        await col.client.set_filters(None, Filters(session_id="ses-2"))
        a, b = agent_event("ses-1"), agent_event("ses-2")
        assert await delivered(any_server, col, [a, b]) == [b.id]
        assert len(col.client.records) == 1 and col.client.records[0].spec.events == ["agent_status"]


async def test_subscription_failed_names_the_invalid_events(server):
    async with collecting(fast_config(server.url, subscriptions=[])) as col:
        with pytest.raises(SubscriptionError) as info:
            await col.client.subscribe(["bogus_event"])
        assert "bogus_event" in info.value.text
        partial = await col.client.subscribe(["agent_status", "also_bogus"])
        assert partial
        await col.until(lambda c: any("also_bogus" in n.text for n in c.kinds("error")))
        a = agent_event()
        assert await delivered(server, col, [a]) == [a.id]


async def test_permission_denied_is_reported_and_the_rest_works(server):
    token = mint_jwt(SECRET, permissions=["agents"])
    sub = Subscription(events=["agent_status", "system_event"])
    async with collecting(fast_config(server.url, Credentials(token=token), subscriptions=[sub])) as col:
        await col.client.ready()
        denied = [n for n in col.kinds("error") if n.code == "PERMISSION_DENIED"]
        assert denied and "system_event" in denied[0].text
        a = agent_event()
        assert await delivered(server, col, [system("info"), a]) == [a.id]


async def test_subscriptions_made_later_survive_a_reconnect(server):
    async with collecting(fast_config(server.url, subscriptions=[])) as col:
        sub_id = await col.client.subscribe(["system_event"], filters=Filters(severity=["error"]))
        await server.drop_all()
        await col.until(lambda c: c.client.stats.reconnects == 1)
        await col.client.ready()
        wanted = system("error")
        assert await delivered(server, col, [system("info"), wanted]) == [wanted.id]
        await col.client.unsubscribe(sub_id)  # the id given first still names it
        assert col.client.records == []


async def test_client_without_subscriptions_can_still_close_cleanly(any_server):
    client = Client(fast_config(any_server.url, subscriptions=[]))
    await client.ready()
    await client.aclose()
    states = [item.state for item in [item async for item in client]]
    assert states == [ConnectionState.CONNECTING, ConnectionState.OPEN, ConnectionState.CLOSING, ConnectionState.CLOSED]
