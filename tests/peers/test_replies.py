"""Replies are matched to requests whatever their correlation_id says: no answer that came is reported missing.

The guide's replies carry ``meta.correlation_id: "correlation_uuid"``, a tracing
id, not the request's. Against a peer that answers that way (or with no meta at
all), subscribing must succeed at once, and nothing may say an answer is missing:
not the client's notices, not ``events`` on stderr, not the dashboard's status
line or toasts.
"""

from __future__ import annotations

import asyncio
import time

import pytest

from aisci_tui.client import Client, ClientConfig, Credentials, SubscribeOptions, Subscription
from aisci_tui.settings import Settings
from aisci_tui.tui.app import DashboardApp
from tests.client.conftest import collecting, fast_config
from tests.client.test_events_cli import clean_env, run
from tests.peers.fixtures import PEER_KEY
from tests.peers.guide_server import guide_server, guide_stream
from tests.rendered import record_toasts, status_shown
from tests.waiting import app_until


@pytest.fixture(params=[True, False], ids=["traced", "no-meta"])
async def peer(request):
    async with guide_server((PEER_KEY,), trace=request.param) as srv:
        yield srv


def errors_of(notices) -> list[str]:
    return [n.text for n in notices if n.kind == "error" or n.severity in ("warning", "error")]


async def test_subscribe_and_unsubscribe_are_answered_at_once(peer):
    cfg = fast_config(peer.url, Credentials(api_key=PEER_KEY), subscriptions=[Subscription()], ack_timeout=3.0)
    async with collecting(cfg) as col:
        start = time.monotonic()
        await col.client.ready()
        acked = await col.client.subscribe(["system_event"], require_ack=True)
        plain = await col.client.subscribe(["agent_status"])
        await col.client.unsubscribe(plain)
        assert time.monotonic() - start < 2.0, "a reply was not recognised; the client waited for a timeout"
        assert acked.startswith("sub_") and len(col.client.records) == 2
        for event in guide_stream():
            await peer.publish(event)
        await col.until(lambda c: len(c.events) == len(guide_stream()))
        await asyncio.sleep(0.1)
        assert errors_of(col.notices) == []


async def test_events_prints_no_false_warning(peer):
    async def feed() -> None:
        while True:
            for event in guide_stream():
                await peer.publish(event)
            await asyncio.sleep(0.05)

    task = asyncio.create_task(feed())
    try:
        # longer than the command's 5 s wait for an answer: a missed one would be reported
        code, out, err = await run("--url", peer.url, "--duration", "5.5", env=clean_env(AISCI_API_KEY=PEER_KEY))
    finally:
        task.cancel()
    assert code == 0 and len(out.splitlines()) > 20
    assert [line for line in err.splitlines() if line.startswith("aisci-tui:")] == [], err


async def test_dashboard_shows_no_false_error(peer, tmp_path):
    for event in guide_stream():
        await peer.publish(event)
    client = Client(
        ClientConfig(
            url=peer.url,
            credentials=Credentials(api_key=PEER_KEY),
            ack_timeout=1.0,
            subscriptions=[Subscription(options=SubscribeOptions(include_history=True))],
        )
    )
    app = DashboardApp(client, settings=Settings())
    toasts = record_toasts(app)
    async with app.run_test(size=(120, 36)) as pilot:
        await app_until(pilot, lambda: len(app.store.experiments) == 2, what="the history")
        await pilot.pause(1.5)  # longer than ack_timeout: a missed answer would be reported by now
        status = status_shown(app)
        assert app.store.counters.errors == 0 and "errors" not in status, status
        said = [str(t["message"]) for t in toasts]
        assert not [t for t in said if "answer" in t or "error" in t.lower()], said
    await client.aclose()
