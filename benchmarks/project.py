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
