"""Adapters from the benchmarks to the project's own parts (simulator, client, app)."""

from __future__ import annotations

import importlib.util

FRAMES_FROM = "payloads from aisci_tui.server.simulator, mixed by benchmarks.frames.MIX"

#: What the benchmarks authenticate with; the load generator accepts anything.
BENCH_KEY = "bench-api-key"


def has_client() -> bool:
    return importlib.util.find_spec("aisci_tui.client.client") is not None


def make_client(url: str, **config: object):  # noqa: ANN201 - the project's Client
    from aisci_tui.client import Client, ClientConfig, Credentials, Subscription

    creds = Credentials(api_key=BENCH_KEY)
    return Client(ClientConfig(url=url, credentials=creds, subscriptions=[Subscription()], **config))


async def client_into_store(url: str, expected: int) -> int:
    """Run the project's Client into a Store (through the dashboard's Pump) until ``expected`` events."""
    from aisci_tui.store import Store
    from aisci_tui.tui.ingest import Pump

    store = Store()
    client = make_client(url)
    pump = Pump(client, store)
    counters = store.counters
    try:
        async for item in client:
            pump.feed(item)
            if counters.received >= expected:
                break
    finally:
        await client.aclose()
    return counters.applied
