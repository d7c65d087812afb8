"""One session rule for `events --session` and every dashboard view, checked on the same stream.

With a session filter an event is hidden only when it names another session
(for an assessment: a resource known to belong to one). The guide-literal peer
sends ``agent_status`` and ``ethical_assessment`` without ``session_id``; those
must show up in ``events --session S`` and in the dashboard's views alike.
"""

from __future__ import annotations

import asyncio
import json

from aisci_tui.client import Client, ClientConfig, Credentials, Filters, SubscribeOptions, Subscription
from aisci_tui.protocol import from_obj
from aisci_tui.settings import Settings
from aisci_tui.store import Store
from aisci_tui.store.sessionrule import SessionRule
from aisci_tui.tui.app import DashboardApp
from tests.client.test_events_cli import clean_env, events_process
from tests.peers.fixtures import PEER_KEY
from tests.peers.guide_server import GuideServer, guide_stream
from tests.waiting import app_until, until

WANTED = "session_a"
KINDS = {
    "agent_status": "agents",
    "research_progress": "sessions",
    "experiment_results": "experiments",
    "ethical_assessment": "assessments",
}
#: The field naming each entity, as the guide's event examples show it.
KEY_FIELD = {
    "agent_status": "agent_id",
    "research_progress": "session_id",
    "experiment_results": "experiment_id",
    "ethical_assessment": "resource_id",
}


def entity(obj: dict) -> tuple[str, str]:
    field = KEY_FIELD.get(obj["type"])
    return (KINDS[obj["type"]], obj["data"][field]) if field else (obj["type"], obj["data"]["title"])


async def events_entities(peer, stream: list[dict]) -> set[tuple[str, str]]:
    async with events_process(
        "--url", peer.url, "--session", WANTED, "--duration", "3", env=clean_env(AISCI_API_KEY=PEER_KEY)
    ) as proc:
        await until(lambda: peer.stats.get("subscriptions", 0) >= 1, timeout=10)
        for event in stream:
            await peer.publish(from_obj(event))
        out, _ = await asyncio.wait_for(proc.communicate(), 20)
    return {entity(json.loads(line)) for line in out.decode().splitlines()}


async def dashboard_entities(peer) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """What the dashboard's store holds, and what its views show, for the history of ``peer``."""
    sub = Subscription(filters=Filters(session_id=WANTED), options=SubscribeOptions(include_history=True))
    client = Client(
        ClientConfig(
            url=peer.url,
            credentials=Credentials(api_key=PEER_KEY),
            subscriptions=[sub],
            session_id=WANTED,
            ack_timeout=2.0,
        )
    )
    app = DashboardApp(client, settings=Settings(), session_id=WANTED)
    async with app.run_test(size=(160, 40)) as pilot:
        await app_until(pilot, lambda: app.store.sessions and app.store.log, what="the history")
        await pilot.pause(0.3)
        store = app.store
        held = {(kind, key) for kind in KINDS.values() for key in getattr(store, kind)}
        held |= {("system_event", e.title) for e in store.log if e.event is not None}
        shown = {("sessions", WANTED)} if WANTED in store.sessions else set()
        for n, kind in ((2, "agents"), (3, "experiments"), (4, "assessments")):
            await pilot.press(str(n))
            await pilot.pause(0.2)
            shown |= {(kind, key) for key in app.current_view.table.row_keys()}
        await pilot.press("5")
        await pilot.pause(0.2)
        view = app.current_view
        shown |= {
            ("system_event", view.rows[k]["title"]) for k in view.table.row_keys() if view.rows[k]["kind"] != "state"
        }
    await client.aclose()
    return held, shown


async def test_events_and_every_view_agree(any_server):
    stream = guide_stream(WANTED, "session_b")
    printed = await events_entities(any_server, stream)
    held, shown = await dashboard_entities(any_server)  # the same stream, as history
    assert printed == held == shown
    assert ("sessions", WANTED) in printed and ("sessions", "session_b") not in printed
    if isinstance(any_server, GuideServer):
        # the peer filters by session_id; what names no session it sends, and nothing may hide it
        assert printed == {entity(e) for e in stream if e["data"].get("session_id") in (None, WANTED)}


def test_an_assessment_of_another_sessions_resource_is_hidden():
    """Without a server-side filter the rule learns who owns what from the stream itself."""
    stream = guide_stream(WANTED, "session_b")
    rule = SessionRule(WANTED)
    store = Store(session_id=WANTED)
    kept = set()
    for obj in stream:
        event = from_obj(obj)
        if not rule.hides(event):
            kept.add(entity(obj))
        store.apply(event)
    assert ("assessments", "exp_b1") not in kept and ("assessments", "session_b") not in kept
    assert {("agents", "agent_beta"), ("agents", "agent_gamma"), ("assessments", "exp_a1")} <= kept
    held = {(kind, key) for kind in KINDS.values() for key in getattr(store, kind)}
    assert held == {k for k in kept if k[0] in KINDS.values()}
