"""Which events are live: the store's rule, its rate meter, and the toasts that follow it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from aisci_tui.protocol import from_obj
from aisci_tui.sources.base import ConnectionState, Notice
from aisci_tui.store import Store
from aisci_tui.tui import toasts

T0 = datetime(2026, 3, 1, 9, 0, 0, tzinfo=UTC)


class Clocks:
    def __init__(self) -> None:
        self.wall = T0
        self.mono = 1000.0

    def step(self, seconds: float) -> None:
        self.wall += timedelta(seconds=seconds)
        self.mono += seconds


def sys_event(n: int, at: datetime, severity: str = "info"):
    return from_obj(
        {
            "type": "system_event",
            "id": f"e-{n}",
            "timestamp": at.isoformat(),
            "data": {"event_type": "update", "severity": severity, "title": f"event {n}"},
        }
    )


def store_with(clocks: Clocks) -> Store:
    store = Store(clock=lambda: clocks.mono)
    store.live.wall = lambda: clocks.wall
    return store


def test_history_replayed_on_subscribe_is_applied_but_not_counted_nor_toasted():
    clocks = Clocks()
    store = store_with(clocks)
    shown: list[toasts.Toast] = []
    toaster = toasts.Toaster(shown.append, lambda: False, is_fresh=store.live.is_live)
    store.note(Notice("state", state=ConnectionState.OPEN))
    for n in range(500):  # the replay: the minute before we subscribed, a critical one among it
        event = sys_event(
            n, T0 - timedelta(seconds=60) + timedelta(milliseconds=100 * n), "critical" if n == 7 else "info"
        )
        assert store.apply(event)
        toaster.system(event)
    assert len(store.log) == min(500, store.log.maxlen or 500)
    assert not shown
    clocks.step(1.0)
    assert store.rate.per_second(clocks.mono) == 0.0
    live = sys_event(900, clocks.wall, "critical")
    assert store.apply(live)
    toaster.system(live)
    assert [t.title for t in shown] == ["CRITICAL: event 900"] and shown[0].timeout == 0 and shown[0].bell
    for n in range(901, 921):  # after the first live event everything is live, whatever its stamp
        store.apply(sys_event(n, T0 - timedelta(hours=1)))
    clocks.step(1.0)
    assert store.rate.per_second(clocks.mono) == 21 / 4


def test_a_server_clock_behind_ours_only_delays_counting_by_the_replay_bound():
    clocks = Clocks()
    store = store_with(clocks)
    store.note(Notice("state", state=ConnectionState.OPEN))
    behind = timedelta(seconds=90)  # the server's clock
    assert not store.live.observe((clocks.wall - behind).isoformat())
    clocks.step(11.0)
    assert store.live.observe((clocks.wall - behind).isoformat())


def test_unreadable_stamps_and_sources_that_never_open_are_live():
    clocks = Clocks()
    store = store_with(clocks)
    assert store.live.is_live((T0 - timedelta(days=3)).isoformat())
    store.note(Notice("state", state=ConnectionState.OPEN))
    assert store.live.is_live(None) and store.live.is_live("not a time")
