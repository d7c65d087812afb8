"""Why a connection is down goes in the log once, not again at every retry for the same reason.

A server down overnight is retried every few seconds; each retry used to add a line to the events
log, which pushed the real events out of it (the log is bounded). Against real clients: a server
on loopback that goes away and stays away, for one server and behind a fan-in of two.
"""

from __future__ import annotations

import asyncio

from aisci_tui.client import Client
from aisci_tui.sources.fanin import FanIn
from aisci_tui.store import Store
from tests.client.conftest import fast_config, running
from tests.waiting import until


async def feed(store: Store, source, stop) -> None:
    async for item in source:
        store.feed([item])
        if stop():
            return


async def watch_a_server_go_away(store: Store, make_source, attempts) -> None:
    """Feed ``store`` from the source over a server that opens, then goes away for eight retries."""
    async with running() as server:
        source = make_source(server.url)
        task = asyncio.create_task(feed(store, source, lambda: False))
        await until(lambda: store.connection.opens >= 1 and store.connection.state.name == "OPEN", timeout=10)
    # the server is gone; the client retries about every 50 ms
    await until(lambda: attempts(store) >= 8, timeout=15, what="eight retries")
    await source.aclose()
    task.cancel()


def reasons(store: Store) -> list[str]:
    return [e.title for e in store.log if e.kind == "info"]


async def test_one_server_down_is_told_once():
    store = Store()
    await watch_a_server_go_away(store, lambda url: Client(fast_config(url)), lambda s: s.connection.attempt)
    told = reasons(store)
    assert told and len(told) <= 2, told  # the drop, then at most one other reason (refused), not one a retry


async def test_one_server_of_two_down_is_told_once():
    async with running() as stays:
        store = Store()

        def fan_in(url: str) -> FanIn:
            return FanIn([("gone", Client(fast_config(url))), ("stays", Client(fast_config(stays.url)))])

        def gone_attempts(s: Store) -> int:
            return next((e[2] for e in s.connection.endpoints or () if e[0] == "gone"), 0) or 0

        await watch_a_server_go_away(store, fan_in, gone_attempts)
        told = [t for t in reasons(store) if t.startswith("gone: ")]
        assert told and len(told) <= 2, told
