"""The store's deferred validation: RawEvent updates are validated on first read."""

from __future__ import annotations

import orjson

from aisci_tui.protocol import codec
from aisci_tui.protocol.fast import route
from aisci_tui.store import Store, StoreLimits


def raw(i: int, agent: str, second: int, **data: object):
    obj = {
        "type": "agent_status",
        "id": f"e{i}",
        "timestamp": f"2025-01-01T00:00:{second:02d}Z",
        "data": {"agent_id": agent, "status": "busy", **data},
    }
    return route(orjson.dumps(obj).decode())


BAD = {"performance": {"cpu_usage": "lots"}}


def test_only_the_newest_update_is_validated_and_superseded_ones_are_counted():
    store = Store()
    assert store.apply(raw(1, "a", 1)) and store.apply(raw(2, "a", 2, **BAD)) and store.apply(raw(3, "a", 3))
    assert store.counters.applied == 0 and store.counters.superseded == 2
    assert store.agents["a"].event_id == "e3"
    assert store.counters.applied == 1 and store.counters.invalid == 0


def test_a_new_entity_with_only_an_invalid_update_never_appears():
    store = Store()
    store.apply(raw(1, "a", 1, **BAD))
    changes = store.take_changes()
    assert "a" not in changes.agents and "a" not in store.agents and "a" not in store.agent_history
    assert store.counters.invalid == 1
    assert "performance.cpu_usage" in changes.log[-1].title


def test_an_invalid_newer_update_does_not_make_valid_older_ones_stale():
    store = Store()
    store.apply(raw(1, "a", 5))
    assert store.agents["a"].event_id == "e1"
    store.apply(raw(2, "a", 59, **BAD))  # far in the future and invalid
    assert store.apply(raw(3, "a", 6))  # older than the pending one: that one is checked first
    assert store.agents["a"].event_id == "e3"
    assert store.counters.invalid == 1 and store.counters.stale == 0


def test_a_valid_update_older_than_the_newest_is_still_stale():
    store = Store()
    store.apply(raw(1, "a", 9))
    assert not store.apply(raw(2, "a", 8))
    assert store.counters.stale == 1 and store.agents["a"].event_id == "e1"


def test_checked_and_unchecked_events_mix():
    store = Store()
    store.apply(raw(1, "a", 1, **BAD))
    event = codec.from_obj(
        {
            "type": "agent_status",
            "id": "e2",
            "timestamp": "2025-01-01T00:00:02Z",
            "data": {"agent_id": "a", "status": "idle"},
        }
    )
    assert store.apply(event)
    assert store.agents["a"].data.status == "idle"
    assert store.counters.superseded == 1 and store.counters.invalid == 0
    assert [s for _, s in store.agent_history["a"]] == ["idle"]


def test_eviction_drops_pending_updates_and_snapshot_holds_only_valid_data():
    store = Store(StoreLimits(agents=2))
    for i, agent in enumerate("abc"):
        store.apply(raw(i, agent, i + 1, **(BAD if agent == "c" else {})))
    snap = store.snapshot()
    assert list(snap["agents"]) == ["b"]  # "a" evicted, "c" invalid
    assert store.counters.superseded == 1 and store.counters.invalid == 1
