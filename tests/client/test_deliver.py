"""Delivery to a sink: the client hands each item to a callback from its socket reader.

The dashboard's Pump uses this so that no queue sits between the socket and
the store. Everything the iterator would have yielded must reach the sink, in
the same order, exactly once; the iterator then only reports the end.
"""

from __future__ import annotations

import asyncio

from aisci_tui.client import Client
from aisci_tui.protocol import Event
from aisci_tui.protocol.fast import RawEvent
from aisci_tui.sources.base import ConnectionState, DeliveringSource, Notice
from aisci_tui.store import Store
from aisci_tui.tui.ingest import Pump
from tests.client.conftest import agent_event, fast_config
from tests.waiting import until


def states(items: list[object]) -> list[ConnectionState]:
    return [i.state for i in items if isinstance(i, Notice) and i.kind == "state" and i.state is not None]


async def test_queued_items_come_first_then_every_item_in_order(any_server):
    client = Client(fast_config(any_server.url))
    assert isinstance(client, DeliveringSource) and client.dedupes_ids
    await client.ready()  # CONNECTING and OPEN are queued by now, with nobody iterating
    got: list[object] = []
    client.deliver_to(got.append)
    assert states(got) == [ConnectionState.CONNECTING, ConnectionState.OPEN]
    sent = [agent_event(agent=f"agt-{i % 3}") for i in range(30)]
    for event in sent:
        await any_server.publish(event)
    await until(lambda: sum(isinstance(i, Event) for i in got) == len(sent))
    assert [i.id for i in got if isinstance(i, Event)] == [e.id for e in sent]
    assert client.stats.events == len(sent)

    ended = asyncio.create_task(anext(aiter(client), None))
    await asyncio.sleep(0.05)
    assert not ended.done()  # the iterator yields nothing while the client runs ...
    await client.aclose()
    assert await asyncio.wait_for(ended, 2) is None  # ... and ends when it stops
    assert states(got)[-2:] == [ConnectionState.CLOSING, ConnectionState.CLOSED]


async def test_a_repeated_event_is_dropped_once_by_the_client_not_again_by_the_store(server):
    client = Client(fast_config(server.url))
    store = Store()
    pump = Pump(client, store)
    runner = asyncio.create_task(pump.run())
    try:
        await client.ready()
        assert store.source_dedupes
        event = agent_event(agent="agt-9")
        for _ in range(3):
            assert await server.inject_raw(event.model_dump_json()) == 1
        marker = agent_event(agent="agt-10")
        await server.publish(marker)
        await until(lambda: "agt-10" in store._tables["agents"])
        assert client.stats.duplicates == 2
        assert store.counters.received == 2 and store.counters.duplicates == 0
        assert store.agents["agt-9"].event_id == event.id  # reading validates the one that arrived
        assert isinstance(store.agents["agt-9"].data.status, str)
    finally:
        await client.aclose()
        await asyncio.wait_for(runner, 5)
    assert pump.items >= 4  # two events and the state notices, fed without the iterator


async def test_entity_events_reach_the_sink_unvalidated_and_others_validated(server):
    client = Client(fast_config(server.url))
    client.defer_validation()
    got: list[object] = []
    client.deliver_to(got.append)
    await client.ready()
    await server.publish(agent_event(agent="agt-1"))
    await server.inject_raw(
        '{"type":"system_event","id":"sys-1","timestamp":"2025-01-01T00:00:00Z",'
        '"data":{"event_type":"info","severity":"info","message":"hello"}}'
    )
    await server.inject_raw("{not json")
    await until(lambda: any(isinstance(i, Notice) and i.kind == "invalid" for i in got))
    raw = [i for i in got if type(i) is RawEvent]
    events = [i for i in got if isinstance(i, Event)]
    assert [r.key for r in raw] == ["agt-1"] and not raw[0].checked
    assert [e.id for e in events] == ["sys-1"]  # not deferred: validated before delivery
    assert "not valid JSON" in next(i.text for i in got if isinstance(i, Notice) and i.kind == "invalid")
    await client.aclose()
