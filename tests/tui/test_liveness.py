"""The not-live line follows the connection even when it changes between two of the dashboard's ticks.

The dashboard looks at the connection on its timer; a connection that opened and dropped, or dropped
and opened again, between two looks must still count as lost (or as back; what the server no longer reports is the store's to say)."""

from __future__ import annotations

from datetime import UTC, datetime

from aisci_tui.sources.base import ConnectionState, Notice
from aisci_tui.store import Store
from aisci_tui.tui.liveness import Liveness, body_notice

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)


def say(store: Store, *states: ConnectionState) -> None:
    for state in states:
        store.note(Notice("state", state=state))


def test_a_connection_lost_before_a_tick_saw_it_open_is_not_live():
    store, live = Store(), Liveness()
    say(store, ConnectionState.CONNECTING)
    live.update(store.connection, NOW)
    say(store, ConnectionState.OPEN, ConnectionState.RECONNECTING)  # between two ticks
    assert live.update(store.connection, NOW)
    assert live.lost_at == NOW
    shown = body_notice(store.connection, live)
    assert shown is not None and "Not live since" in shown[1]


def test_a_drop_and_reopening_between_two_ticks_is_a_change():
    store, live = Store(), Liveness()
    say(store, ConnectionState.CONNECTING, ConnectionState.OPEN)
    live.update(store.connection, NOW)
    say(store, ConnectionState.RECONNECTING, ConnectionState.CONNECTING, ConnectionState.OPEN)
    assert live.update(store.connection, NOW)
    assert live.lost_at is None


def test_open_said_again_while_open_is_not_a_reopening():
    store, live = Store(), Liveness()
    say(store, ConnectionState.CONNECTING, ConnectionState.OPEN)
    live.update(store.connection, NOW)
    say(store, ConnectionState.OPEN)  # several servers: another one opened, the whole stays open
    assert not live.update(store.connection, NOW)
    assert store.connection.opens == 1
