"""A corpus of malformed and hostile frames: the client counts each one and keeps running."""

from __future__ import annotations

import json

from aisci_tui.sources.base import ConnectionState
from tests.client.conftest import agent_event, collecting, fast_config

AGENT = '"data":{"agent_id":"a","status":"busy"}'

#: (frame, how many invalid items it holds)
CORPUS: list[tuple[str | bytes, int]] = [
    ("", 1),
    ("null", 1),
    ("42", 1),
    ("3.14", 1),
    ('"just a string"', 1),
    ("true", 1),
    ("[]", 1),
    ("[1, 2, 3]", 1),
    ("{", 1),
    ('{"type":"agent_status"', 1),
    ("NaN", 1),
    ('{"type":"research_progress","id":"n1","data":{"session_id":"s","overall_progress":NaN}}', 1),
    ('{"type":"research_progress","id":"n2","data":{"session_id":"s","overall_progress":Infinity}}', 1),
    ('{"type":"research_progress","id":"n3","data":{"session_id":"s","overall_progress":1e999}}', 1),
    ("[" * 100_000 + "]" * 100_000, 1),
    ('{"a":' * 100_000 + "1" + "}" * 100_000, 1),
    ('{"type":123,"id":"t1","data":{}}', 1),
    ('{"id":"t2","data":{}}', 1),
    ('{"type":"","id":"t3"}', 1),
    ('{"type":"agent_status",' + AGENT + "}", 1),  # no id
    ('{"type":"agent_status","id":7,' + AGENT + "}", 1),  # id is a number
    ('{"type":"agent_status","id":"w1","data":"not an object"}', 1),
    ('{"type":"agent_status","id":"w2","data":{"agent_id":42,"status":["busy"]}}', 1),
    ('{"type":"agent_status","id":"w3","data":{"agent_id":"a","status":"busy","current_task":{"progress":"x"}}}', 1),
    ('{"type":"agent_status","id":"w4",' + AGENT + ',"meta":"not an object"}', 1),
    ('{"type":"experiment_results","id":"w5","data":{"experiment_id":"e"}}', 1),
    ('{"type":"ethical_assessment","id":"w6","data":{"resource_id":"r"}}', 1),
    ('{"type":"brand_new_type","id":"u1","data":{}}', 0),  # well-formed, unknown type: an "unknown" notice
    ('{"type":"auth","id":"u2","data":{"token":"t"}}', 1),  # a client-to-server type
    ('{"type":"subscribe","id":"u3","data":{"events":["agent_status"]}}', 1),
    ('{"type":"error","id":"x1","data":{"message":"no code"}}', 1),
    ('{"type":"ack","id":"x2","data":{}}', 1),
    ('{"type":"auth_response","id":"x3","data":{"status":7}}', 1),
    ('{"type":"batch","id":"b1","data":{"events":"not a list"}}', 1),
    ('{"type":"batch","id":"b2","data":{"events":[1,"x",{"type":"agent_status"},{"type":"ping","id":"p"}]}}', 4),
    ('{"type":"' + "t" * 1_000_000 + '","id":"h1"}', 0),  # huge unknown type: an "unknown" notice
    ('{"type":"agent_status","id":"h2","data":{"agent_id":"' + "x" * 500_000 + '","status":5}}', 1),
    ('{"type":"agent_status","id":"s1","data":{"agent_id":"\\ud800","status":"busy"}}', 1),  # lone surrogate
    (b"\xff\xfe\x00\x01 not utf-8 \xc3\x28", 1),  # binary
    (b'{"type":"agent_status","id":"bin",' + AGENT.encode() + b"}", 1),  # JSON, but binary
]


async def test_each_hostile_frame_counts_as_what_it_holds(server):
    """Frame by frame, so that one frame counted twice cannot hide another not counted at all: after
    each frame an ordinary event is sent, and once it arrived the frame was handled."""
    async with collecting(fast_config(server.url)) as col:
        await col.client.ready()
        expected = 0
        for n, (frame, holds) in enumerate(CORPUS):
            assert await server.inject_raw(frame) == 1
            await server.publish(marker := agent_event())
            await col.until(lambda c, m=marker: any(e.id == m.id for e in c.events), timeout=10)
            expected += holds
            assert col.client.stats.invalid == expected, f"frame {n} ({repr(frame)[:60]}) holds {holds} invalid items"
            assert len(col.kinds("unknown")) == sum(1 for f, h in CORPUS[: n + 1] if h == 0), f"frame {n}"
        assert col.client.state is ConnectionState.OPEN and col.client.stats.reconnects == 0


async def test_hostile_frames_are_counted_and_the_client_carries_on(server):
    async with collecting(fast_config(server.url)) as col:
        await col.client.ready()
        for frame, _ in CORPUS:
            assert await server.inject_raw(frame) == 1
        await server.publish(last := agent_event())
        await col.until(lambda c: any(e.id == last.id for e in c.events), timeout=10)
        expected = sum(n for _, n in CORPUS)
        assert col.client.stats.invalid == expected
        assert len(col.kinds("invalid")) == expected
        assert [e.id for e in col.events] == [last.id]
        assert col.client.state is ConnectionState.OPEN and col.client.stats.reconnects == 0
        assert all(len(n.text) < 400 for n in col.kinds("invalid"))  # reasons never echo the frame


async def test_good_events_next_to_bad_ones_in_a_batch_survive(server):
    good = agent_event()
    batch = {"type": "batch", "id": "b-mixed", "data": {"events": [json.loads(good.model_dump_json()), {"id": 1}]}}
    async with collecting(fast_config(server.url)) as col:
        await col.client.ready()
        await server.inject_raw(json.dumps(batch))
        await server.inject_raw(json.dumps(batch))  # the same batch again: its event is a duplicate
        await server.publish(last := agent_event())
        await col.until(lambda c: any(e.id == last.id for e in c.events))
        assert [e.id for e in col.events] == [good.id, last.id]
        assert col.client.stats.invalid == 2 and col.client.stats.duplicates == 1
