"""Subscriptions: filters, history, batching, throttling, acks, ping, unsubscribe."""

from __future__ import annotations

import asyncio

from tests.server.helpers import (
    agent_ev,
    assessment_ev,
    experiment_ev,
    peer,
    progress_ev,
    running,
    system_ev,
)

ALL = ["agent_status", "research_progress", "experiment_results", "ethical_assessment", "system_event"]


async def delivered(server, filters, events, subscribe=ALL, options=None, marker=None):
    """Publish ``events`` to a fresh subscriber with ``filters``; the ids it received
    before ``marker`` (an event that passes the filters)."""
    async with peer(server.url) as p:
        sub = await p.subscribe(subscribe, filters, options)
        assert sub["data"]["status"] == "success", sub
        for ev in events:
            await server.publish(ev)
        marker = (marker or system_ev("info")).model_copy(update={"id": "marker"})
        await server.publish(marker)
        got = []
        while True:
            msg = await p.recv(2)
            if msg.get("id") == "marker":
                return got
            if msg["type"] in ALL:
                got.append(msg["id"])


async def test_session_filter(server):
    a, b, sys_all, sys_b = agent_ev(session="s1"), agent_ev(session="s2"), system_ev(), system_ev(session="s2")
    assert await delivered(server, {"session_id": "s1"}, [a, b, sys_all, sys_b]) == [a.id, sys_all.id]


async def test_agent_ids_filter(server):
    a1, a2 = agent_ev("a1"), agent_ev("a2")
    e1, e2 = experiment_ev("e1", agent="a1"), experiment_ev("e2", agent="a2")
    prog = progress_ev()
    got = await delivered(server, {"agent_ids": ["a1"]}, [a1, a2, e1, e2, prog])
    assert got == [a1.id, e1.id, prog.id]


async def test_severity_filter(server):
    info, warn, err = system_ev("info"), system_ev("warning"), system_ev("error")
    low, high = assessment_ev(severities=("low",)), assessment_ev(severities=("high",))
    got = await delivered(
        server,
        {"severity": ["warning", "error", "high"]},
        [info, warn, err, low, high],
        subscribe=["system_event", "ethical_assessment"],
        marker=system_ev("error"),
    )
    assert got == [warn.id, err.id, high.id]


async def test_status_filter(server):
    busy, idle = agent_ev(status="busy"), agent_ev(status="idle")
    done, failed, partial = (
        experiment_ev(status="completed"),
        experiment_ev(status="failed"),
        experiment_ev(status="partial"),
    )
    review = assessment_ev(status="review_required")
    got = await delivered(
        server, {"status": ["busy", "failed", "review_required"]}, [busy, idle, done, failed, partial, review]
    )
    assert got == [busy.id, failed.id, review.id]


async def test_date_range_filter(server):
    early = agent_ev(ts="2025-12-31T23:59:59Z")
    inside = agent_ev(ts="2026-01-15T12:00:00Z")
    edge = agent_ev(ts="2026-01-31T23:59:59Z")
    late = agent_ev(ts="2026-02-01T00:00:00Z")
    window = {"start": "2026-01-01T00:00:00Z", "end": "2026-01-31T23:59:59Z"}
    got = await delivered(
        server,
        {"date_range": window},
        [early, inside, edge, late],
        subscribe=["agent_status"],
        marker=agent_ev(ts="2026-01-02T00:00:00Z"),
    )
    assert got == [inside.id, edge.id]


async def test_confidence_threshold_and_visualizations(server):
    low, high = assessment_ev(confidence=0.5), assessment_ev(confidence=0.95)
    exp = experiment_ev()
    custom = {"confidence_threshold": 0.8, "include_visualizations": False}
    async with peer(server.url) as p:
        await p.subscribe(["ethical_assessment", "experiment_results"], {"custom_filters": custom})
        for ev in (low, high, exp):
            await server.publish(ev)
        first, second = await p.events(2)
        assert first["id"] == high.id
        assert second["id"] == exp.id and second["data"]["results"]["visualizations"] == []


async def test_invalid_events_subscribe_the_valid_ones(server):
    async with peer(server.url) as p:
        await p.send("subscribe", {"events": ["agent_status", "bogus_event"]})
        err = await p.expect("error")
        assert err["data"]["code"] == "SUBSCRIPTION_FAILED"
        assert err["data"]["details"]["invalid_events"] == ["bogus_event"]
        sub = await p.expect("subscription_response")
        assert sub["data"]["subscribed_events"] == ["agent_status"]
        assert sub["data"]["retention_hours"] > 0
        await p.send("subscribe", {"events": ["nothing_valid"]})
        await p.expect("error")
        failed = await p.expect("subscription_response")
        assert failed["data"]["status"] == "error"


async def test_invalid_filter_is_refused(server):
    async with peer(server.url) as p:
        await p.send("subscribe", {"events": ["agent_status"], "filters": {"date_range": {"start": "yesterday"}}})
        err = await p.expect("error")
        assert err["data"]["code"] == "SUBSCRIPTION_FAILED"
        assert err["data"]["details"]["invalid_filters"] == ["date_range.start"]
        assert (await p.expect("subscription_response"))["data"]["status"] == "error"


async def test_include_history_replays_same_ids_in_order(server):
    history = [agent_ev(f"a{i}", session="s1" if i % 2 else "s2") for i in range(10)]
    for ev in history:
        await server.publish(ev)
    async with peer(server.url) as p:
        sub = await p.subscribe(["agent_status"], {"session_id": "s1"}, {"include_history": True})
        assert sub["data"]["active_filters"] == {"session_id": "s1"}
        assert sub["data"]["estimated_events_per_minute"] > 0
        got = await p.events(5)
        assert [e["id"] for e in got] == [e.id for e in history if e.data.session_id == "s1"]
        assert await p.quiet(0.1) == []
    async with peer(server.url) as p:  # without include_history, nothing old arrives
        await p.subscribe(["agent_status"])
        assert await p.quiet(0.1) == []


async def test_history_is_bounded():
    async with running(history_size=3) as srv:
        evs = [agent_ev() for _ in range(5)]
        for ev in evs:
            await srv.publish(ev)
        async with peer(srv.url) as p:
            await p.subscribe(["agent_status"], options={"include_history": True})
            assert [e["id"] for e in await p.events(3)] == [e.id for e in evs[2:]]


async def test_batching_by_size_and_interval(server):
    async with peer(server.url) as p:
        sub = await p.subscribe(
            ["agent_status"], options={"batch_events": True, "batch_size": 3, "batch_interval_ms": 100}
        )
        evs = [agent_ev() for _ in range(4)]
        for ev in evs:
            await server.publish(ev)
        full = await p.expect("batch")
        assert full["data"]["subscription_id"] == sub["data"]["subscription_id"]
        assert [e["id"] for e in full["data"]["events"]] == [e.id for e in evs[:3]]
        rest = await p.expect("batch", timeout=1)  # flushed by the interval
        assert [e["id"] for e in rest["data"]["events"]] == [evs[3].id]


async def test_throttle_coalesces_per_entity(server):
    async with peer(server.url) as p:
        await p.subscribe(["agent_status", "system_event"], options={"throttle_ms": 150})
        a_old, b_only, a_new = agent_ev("a1", status="idle"), agent_ev("a2"), agent_ev("a1", status="busy")
        s1, s2 = system_ev(), system_ev()
        for ev in (a_old, b_only, s1, a_new, s2):
            await server.publish(ev)
        got = await p.events(4, timeout=1)
        assert sorted(e["id"] for e in got) == sorted([b_only.id, a_new.id, s1.id, s2.id])
        assert await p.quiet(0.25) == []


async def test_ack_and_ping(server):
    async with peer(server.url, authed=False) as p:
        await p.send("ping", {"n": 7}, id="p1")
        pong = await p.expect("pong")
        assert pong["data"] == {"n": 7} and pong["meta"]["correlation_id"] == "p1"
        await p.send("auth", {"api_key": "k1-test-key", "require_ack": True}, id="a1")
        ack = await p.expect("ack")
        assert ack["data"]["original_id"] == "a1"
        await p.send("subscribe", {"events": ["agent_status"], "require_ack": True}, id="s1")
        ack = await p.expect("ack")
        assert ack["data"]["original_id"] == "s1"
        await p.send("ping", {}, id="p2", require_ack=True)  # envelope-level flag works too
        assert (await p.expect("ack"))["data"]["original_id"] == "p2"


async def test_unsubscribe_events_and_all(server):
    async with peer(server.url) as p:
        sub = await p.subscribe(["agent_status", "system_event"])
        sid = sub["data"]["subscription_id"]
        await p.send("unsubscribe", {"subscription_id": sid, "events": ["agent_status"]})
        resp = await p.expect("subscription_response")
        assert resp["data"]["subscribed_events"] == ["system_event"]
        assert resp["data"]["unsubscribed_events"] == ["agent_status"]
        await server.publish(agent_ev())
        sys1 = system_ev()
        await server.publish(sys1)
        assert [e["id"] for e in await p.events(1)] == [sys1.id]
        await p.send("unsubscribe", {"subscription_id": sid, "all": True})
        assert (await p.expect("subscription_response"))["data"]["subscribed_events"] == []
        await server.publish(system_ev())
        assert await p.quiet(0.1) == []
        await p.send("unsubscribe", {"subscription_id": sid, "all": True})
        err = await p.expect("error")
        assert err["data"]["code"] == "SUBSCRIPTION_FAILED"


async def test_event_delivered_once_with_overlapping_subscriptions(server):
    async with peer(server.url) as p:
        await p.subscribe(["agent_status"])
        await p.subscribe(["agent_status"], {"session_id": "s1"})
        ev = agent_ev(session="s1")
        await server.publish(ev)
        assert [e["id"] for e in await p.events(1)] == [ev.id]
        assert await p.quiet(0.1) == []


async def test_many_subscribers_get_the_same_event(server):
    async def one():
        async with peer(server.url) as p:
            await p.subscribe(["research_progress"])
            await ready.put(None)
            return (await p.events(1))[0]["id"]

    ready: asyncio.Queue = asyncio.Queue()
    tasks = [asyncio.create_task(one()) for _ in range(5)]
    for _ in tasks:
        await asyncio.wait_for(ready.get(), 3)
    ev = progress_ev()
    await server.publish(ev)
    assert await asyncio.gather(*tasks) == [ev.id] * 5
