"""Deferred validation: the client hands entity events to the store checked in shape only;
the store validates each before anyone reads it. Nothing invalid is ever shown or counted
as applied, and every invalid frame is counted with its reason."""

from __future__ import annotations

import asyncio

import orjson
import pytest

from aisci_tui.client import Client
from aisci_tui.protocol import ProtocolError
from aisci_tui.protocol.fast import RawEvent, route
from aisci_tui.sources.record import Recorder, RecordingSource
from aisci_tui.store import Store
from aisci_tui.tui.ingest import Pump
from tests.client.conftest import agent_event, fast_config
from tests.client.test_hostile import CORPUS


def holds(store: Store, kind: str, key: str) -> bool:
    """Whether the store has an entry for ``key`` (without reading it, which would validate it)."""
    return key in store._tables[kind]


async def _pump_until(client: Client, store: Store, done) -> None:  # noqa: ANN001
    pump = Pump(client, store)
    task = asyncio.create_task(pump.run())
    try:
        for _ in range(500):
            if done():
                return
            await asyncio.sleep(0.01)
        raise AssertionError("the condition did not hold in time")
    finally:
        await client.aclose()
        await asyncio.wait_for(task, 5)


async def test_the_hostile_corpus_through_a_deferring_client_into_a_store(server):
    client = Client(fast_config(server.url))
    store = Store()
    last = agent_event(agent="agt-good")
    sent = asyncio.Event()

    async def send() -> None:
        await client.ready()
        for frame, _ in CORPUS:
            assert await server.inject_raw(frame) == 1
        await server.publish(last)
        sent.set()

    sender = asyncio.create_task(send())
    await _pump_until(client, store, lambda: sent.is_set() and holds(store, "agents", "agt-good"))
    await sender
    assert client.deferring
    assert list(store.agents) == ["agt-good"]  # reading settles: the invalid "a" updates are gone
    assert store.agents["agt-good"].event_id == last.id
    expected = sum(n for _, n in CORPUS)
    # the bad current_task update of "a" was replaced by its bad meta update before anyone read
    # it: never shown, so never validated, and counted as superseded instead
    assert store.counters.superseded == 1
    assert store.counters.invalid == expected - 1
    assert store.counters.applied == 1
    reasons = [e.title for e in store.log if e.kind == "invalid"]
    assert any("meta: Input should be" in r for r in reasons)  # the deferred reason is precise
    assert all(len(r) < 400 for r in reasons)


async def test_an_invalid_update_keeps_the_last_valid_state(server):
    client = Client(fast_config(server.url))
    store = Store()
    good = agent_event(agent="agt-1", status="busy")
    base = '{"type":"agent_status","id":"%s","timestamp":"2099-01-01T00:00:00Z","data":%s}'
    bad = base % ("evt-bad", '{"agent_id":"agt-1","status":"idle","performance":{"cpu_usage":"lots"}}')
    fine = agent_event(agent="agt-2")

    async def send() -> None:
        await client.ready()
        await server.publish(good)
        while not holds(store, "agents", "agt-1"):
            await asyncio.sleep(0.01)
        assert store.agents["agt-1"].data.status == "busy"  # read: validated and shown
        await server.inject_raw(bad)
        await server.publish(fine)

    sender = asyncio.create_task(send())
    await _pump_until(client, store, lambda: holds(store, "agents", "agt-2"))
    await sender
    entity = store.agents["agt-1"]
    assert entity.event_id == good.id and entity.data.status == "busy"
    assert store.counters.invalid == 1 and store.counters.applied == 2
    assert [s for _, s in store.agent_history["agt-1"]] == ["busy"]


async def test_a_recording_wrapper_keeps_the_client_validating(server, tmp_path):
    client = Client(fast_config(server.url))
    source = RecordingSource(client, Recorder(tmp_path / "r.jsonl"))
    Pump(source, Store())
    assert not client.deferring  # a recorder writes what it gets, so it must get validated events
    await client.aclose()


def test_route_refuses_what_routing_cannot_trust():
    ok = {"type": "agent_status", "id": "e1", "timestamp": None, "data": {"agent_id": "a", "status": 5}}
    raw = route(orjson.dumps(ok).decode())
    assert isinstance(raw, RawEvent) and raw.key == "a" and not raw.checked
    for bad in (
        {**ok, "id": 1},
        {**ok, "timestamp": 3},
        {**ok, "data": []},
        {**ok, "data": None},
        {**ok, "data": {"agent_id": 1}},
        {**ok, "data": {"agent_id": "a", "session_id": 2}},
        {**ok, "data": {"status": "busy"}},
        {k: v for k, v in ok.items() if k != "id"},
        {**ok, "type": "system_event"},
        {**ok, "type": ["x"]},
        [ok],
    ):
        assert route(orjson.dumps(bad).decode()) is None, bad
    for text in (
        '{"type": "agent_status", "id": "e1", "data": {"agent_id": "a", "x": [1,}}',
        '{"type": "agent_status", "id": "e1", "data": {"agent_id": "a", "x": NaN}}',
        '{"type": "agent_status", "id": "e1", "data": {"agent_id": "a", "x": ' + "[" * 5000 + "]" * 5000 + "}}",
    ):
        assert route(text) is None  # malformed or too deep: the full path gives the reason


def test_a_raw_event_whose_text_disagrees_with_its_routing_is_invalid():
    text = orjson.dumps({"type": "agent_status", "id": "e1", "data": {"agent_id": "a", "status": "busy"}}).decode()
    raw = route(text)
    assert raw is not None
    raw.key = "b"  # as if the routing decoder had read another key than the full parser
    with pytest.raises(ProtocolError, match="routing"):
        raw.validate()
    assert raw.checked


def test_a_deep_frame_is_refused_when_validated_with_the_usual_reason():
    deep = "[" * 150 + "]" * 150
    text = '{"type": "agent_status", "id": "e1", "data": {"agent_id": "a", "status": "busy", "x": ' + deep + "}}"
    raw = route(text)
    assert raw is not None  # routing does not walk the payload ...
    with pytest.raises(ProtocolError, match="nested more than"):
        raw.validate()  # ... validation does, before anything can show it
