"""A warmed-up simulator serves a lived-in history that ends at the moment the server started."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from aisci_tui.protocol.times import parse_time
from tests.server.helpers import agent_ev, peer, running


async def test_history_from_warmup_has_every_event_type_and_past_timestamps():
    before = datetime.now(UTC)
    async with running(simulate=True, seed=11, warmup=1200.0, speed=1.0) as srv:
        async with peer(srv.url) as p:
            await p.subscribe(
                ["agent_status", "research_progress", "experiment_results", "ethical_assessment", "system_event"],
                options={"include_history": True},
            )
            history = await p.quiet(0.5)
    events = [m for m in history if m["type"] not in ("subscription_response", "ack")]
    types = {m["type"] for m in events}
    assert {"agent_status", "research_progress", "experiment_results", "system_event"} <= types
    stamps = [parse_time(m["timestamp"]) for m in events]
    assert all(s is not None for s in stamps)
    assert min(stamps) < before - timedelta(minutes=10)  # the warm-up went back in time ...
    assert max(stamps) <= datetime.now(UTC) + timedelta(seconds=5)  # ... and did not run ahead of the clock


async def test_without_warmup_history_starts_empty():
    async with running(simulate=True, seed=11, speed=1.0) as srv:
        async with peer(srv.url) as p:
            await p.subscribe(["experiment_results"], options={"include_history": True})
            assert [m for m in await p.quiet(0.3) if m["type"] == "experiment_results"] == []


async def test_resume_after_sends_only_history_newer_than_the_given_id():
    async with running() as srv:
        events = [agent_ev() for _ in range(6)]
        for event in events:
            await srv.publish(event)
        async with peer(srv.url) as p:
            await p.subscribe(["agent_status"], options={"include_history": True, "resume_after": events[3].id})
            got = [m["id"] for m in await p.quiet(0.3) if m["type"] == "agent_status"]
        assert got == [events[4].id, events[5].id]
        async with peer(srv.url) as p:  # an id the server no longer holds: all retained history
            await p.subscribe(["agent_status"], options={"include_history": True, "resume_after": "gone"})
            got = [m["id"] for m in await p.quiet(0.3) if m["type"] == "agent_status"]
        assert got == [e.id for e in events]
