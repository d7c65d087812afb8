"""The store applies events, remembers what changed, and stays bounded."""

from __future__ import annotations

from aisci_tui.protocol import from_obj
from aisci_tui.sources.base import ConnectionState, Notice
from aisci_tui.store import RateMeter, SeenIds, Store, StoreLimits


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def ev(kind: str, msg_id: str, ts: str = "2026-01-01T00:00:00Z", **data):
    return from_obj({"type": kind, "id": msg_id, "timestamp": ts, "data": data})


def agent(msg_id, agent_id="a1", status="busy", ts="2026-01-01T00:00:00Z", **extra):
    return ev("agent_status", msg_id, ts, agent_id=agent_id, status=status, **extra)


def test_each_event_type_lands_in_its_table_and_is_reported_as_changed():
    store = Store()
    store.feed(
        [
            agent("1"),
            ev("research_progress", "2", session_id="s1", overall_progress=0.3),
            ev("experiment_results", "3", experiment_id="e1", status="completed", session_id="s1"),
            ev("ethical_assessment", "4", resource_id="r1", assessment={"overall_score": 0.9}),
            ev("system_event", "5", event_type="maintenance", severity="warning", title="Maintenance"),
        ]
    )
    changes = store.take_changes()
    assert changes.agents == {"a1"}
    assert changes.sessions == {"s1"}
    assert changes.experiments == {"e1"}
    assert changes.assessments == {"r1"}
    assert [e.title for e in changes.log] == ["Maintenance"]
    assert not store.take_changes()
    assert store.counters.applied == 5
    assert store.counters.by_type["system_event"] == 1


def test_duplicate_ids_are_dropped_and_counted():
    store = Store()
    assert store.apply(agent("1"))
    assert not store.apply(agent("1", status="idle"))
    assert store.agents["a1"].data.status == "busy"
    assert store.counters.duplicates == 1


def test_an_older_update_never_overwrites_a_newer_one():
    store = Store()
    store.apply(agent("2", status="idle", ts="2026-01-01T00:00:10Z"))
    assert not store.apply(agent("1", status="busy", ts="2026-01-01T00:00:05Z"))
    assert store.agents["a1"].data.status == "idle"
    assert store.counters.stale == 1


def test_agent_status_history_is_bounded_and_records_transitions():
    store = Store(StoreLimits(agent_history=3))
    for i, status in enumerate(["busy", "busy", "idle", "error", "busy", "offline"]):
        store.apply(agent(str(i), status=status, ts=f"2026-01-01T00:00:{i:02d}Z"))
    assert [s for _, s in store.agent_history["a1"]] == ["error", "busy", "offline"]


def test_tables_are_bounded_and_evictions_reported():
    store = Store(StoreLimits(experiments=3))
    for i in range(5):
        store.apply(ev("experiment_results", f"m{i}", experiment_id=f"e{i}", status="completed"))
    assert list(store.experiments) == ["e2", "e3", "e4"]
    changes = store.take_changes()
    assert ("experiments", "e0") in changes.removed
    assert changes.experiments == {"e2", "e3", "e4"}


def test_session_filter_drops_events_of_other_sessions():
    store = Store(session_id="s1")
    assert store.apply(ev("research_progress", "1", session_id="s1"))
    assert not store.apply(ev("research_progress", "2", session_id="s2"))
    assert store.apply(agent("3"))  # names no session: kept
    assert list(store.sessions) == ["s1"]
    assert store.counters.filtered == 1


def test_notices_update_connection_and_log():
    clock = Clock()
    store = Store(clock=clock)
    store.note(Notice("state", state=ConnectionState.RECONNECTING, attempt=2, retry_in=4.0))
    assert store.connection.state is ConnectionState.RECONNECTING
    assert store.connection.retry_at == 1004.0
    store.note(Notice("invalid", "not valid JSON"))
    store.note(Notice("error", "Sending too fast", code="RATE_LIMITED", severity="warning"))
    store.note(Notice("error", "Bad credentials", code="INVALID_TOKEN", fatal=True))
    assert store.counters.invalid == 1
    assert store.counters.errors == 2
    assert store.connection.fatal == "Bad credentials"
    kinds = [e.kind for e in store.take_changes().log]
    assert kinds == ["invalid", "error", "error"]


def test_snapshot_is_plain_data_and_equal_for_equal_streams():
    events = [agent("1"), ev("system_event", "2", event_type="scale", severity="info", title="Scaled up")]
    a, b = Store(), Store()
    a.feed(events)
    b.feed(list(reversed(events)))
    assert a.snapshot() == b.snapshot()
    assert a.snapshot()["agents"]["a1"]["status"] == "busy"


def test_seen_ids_forgets_oldest_first():
    seen = SeenIds(capacity=2)
    assert seen.add("a") and seen.add("b") and seen.add("c")
    assert "a" not in seen and "b" in seen and "c" in seen
    assert not seen.add("c")
    assert len(seen) == 2


def test_rate_meter_counts_events_per_second():
    clock = Clock()
    meter = RateMeter(window=5, clock=clock)
    for second in range(5):
        for _ in range(10):
            meter.hit(clock.now + second)
    assert meter.per_second(clock.now + 4.5) == 10.0
    assert meter.per_second(clock.now + 100) == 0.0
