"""`serve --from-run`: a run folder published over the WebSocket protocol, seen through the real client."""

from __future__ import annotations

import asyncio
import re
import signal
import subprocess
import sys

from aisci_tui.client import Client, ClientConfig, Credentials, SubscribeOptions, Subscription
from aisci_tui.server import ProtocolServer, ServerConfig
from aisci_tui.settings import Settings
from aisci_tui.sources.rundir import RunReader, RunSource
from aisci_tui.sources.rundir.feed import run_feed
from aisci_tui.store import Store
from aisci_tui.tui.app import DashboardApp
from aisci_tui.tui.run.apps import watch_app
from aisci_tui.tui.run.view import TreeView, dashboard_views
from tests.bridge.helpers import Clock, cli_env, wait_until
from tests.bridge.runwriter import mid_run

KEY = "from-run-test-key-5d8Qw2"
SIZE = (140, 40)


def client_of(url: str) -> Client:
    """A real client subscribed like the dashboard: everything, with the server's history."""
    return Client(
        ClientConfig(
            url=url,
            credentials=Credentials(api_key=KEY),
            subscriptions=[Subscription(options=SubscribeOptions(include_history=True))],
            backoff_base=0.05,
            backoff_cap=0.2,
            open_timeout=3.0,
            ack_timeout=3.0,
        )
    )


def complete(store: Store) -> bool:
    # 8 experiments: 9 journal entries, stage 2's node 0 being stage 1's best under the same id
    return (
        len(store.experiments) == 8
        and len(store.agents) == 3
        and len(store.sessions) == 1
        and len(store.assessments) == 1
        and len(timeless(store.snapshot())["system_events"]) == 2
    )


def timeless(snapshot: dict) -> dict:
    """``snapshot`` without the stall notice, which says when a reader last saw the files change
    (so two readers of the same folder at different moments may differ in it)."""
    events = [e for e in snapshot["system_events"] if not e["title"].startswith("No progress for over")]
    return {**snapshot, "system_events": events}


async def test_a_remote_dashboard_shows_what_watch_shows(tmp_path):
    run = mid_run(tmp_path)
    clock = Clock()
    settings = Settings.model_construct(export_dir=tmp_path / "out", refresh_hz=20.0)

    watched = watch_app(RunSource(run.path, poll_interval=0.05, clock=clock, watch=False), run.path, settings=settings)
    async with watched.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: complete(watched.store), what="the watched run")
        await pilot.press("6")
        await wait_until(pilot, lambda: len(watched.query_one(TreeView).tree.node_ids) == 4, what="tree")
        local_tree = watched.query_one(TreeView).tree.node_ids
        local = timeless(watched.store.snapshot())

    feed = run_feed(run.path, poll_interval=0.05, clock=clock, watch=False)
    async with ProtocolServer(ServerConfig(port=0, api_keys=(KEY,)), feed=feed) as server:
        remote = DashboardApp(client_of(server.url), settings=settings, views=dashboard_views())
        async with remote.run_test(size=SIZE) as pilot:
            await wait_until(pilot, lambda: complete(remote.store), what="the published run")
            assert timeless(remote.store.snapshot()) == local
            assert remote.store.counters.invalid == 0 and remote.store.counters.stale == 0
            await pilot.press("6")
            view = remote.query_one(TreeView)
            await wait_until(pilot, lambda: view.tree.node_ids == local_tree, what="the same tree remotely")
            # the server follows the folder: a new node reaches the remote dashboard
            s2 = run.stages[1]
            new = s2.add_node(parent=s2.nodes[0]["id"], loss=0.01, hyperparam="dropout")
            s2.write()
            await wait_until(pilot, lambda: new in view.tree.node_ids, what="the new node remotely")
            assert view.tree.label_of(new).startswith("★")
            await remote.source.aclose()


async def test_serve_from_run_command_end_to_end(tmp_path):
    run = mid_run(tmp_path)
    env = cli_env(tmp_path) | {"AISCI_API_KEYS": KEY}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "aisci_tui",
            "serve",
            "--port",
            "0",
            "--from-run",
            str(tmp_path / "experiments"),
            "--poll",
            "0.1",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    try:
        line = await asyncio.wait_for(asyncio.to_thread(proc.stdout.readline), timeout=20)
        match = re.search(r"Serving (ws://127\.0\.0\.1:\d+/ws)", line)
        assert match, line
        client = client_of(match.group(1))
        store = Store()

        async def consume() -> None:
            async for item in client:
                store.feed([item])
                if complete(store):
                    return

        await asyncio.wait_for(consume(), timeout=20)
        await client.aclose()
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            code = await asyncio.to_thread(proc.wait, 20)
        finally:
            if proc.poll() is None:
                proc.kill()
        err = proc.stderr.read()
    assert code == 0, err
    assert f"Publishing the run folder {run.path}" in err and "Traceback" not in err
    direct = Store()
    direct.feed(RunReader(run.path).scan())
    ours, theirs = timeless(store.snapshot()), timeless(direct.snapshot())
    for table in ("experiments", "sessions", "assessments", "system_events"):
        assert ours[table] == theirs[table], table
    assert sorted(ours["agents"]) == sorted(theirs["agents"])


#: Session fields that depend on whether the reader saw the files change (the served reader
#: followed the writes; a fresh reader of the finished folder sees it still, hence stalled).
VANTAGE = {"timeline", "clock", "run_state", "activities"}


def vantage_free(sessions: dict) -> dict:
    return {sid: {k: v for k, v in fields.items() if k not in VANTAGE} for sid, fields in sessions.items()}


async def late_client_state(run, *, history: int, refresh: bool, additions: int = 12) -> tuple[Store, Store, list[str]]:
    """Publish ``run``, keep writing nodes, then connect a client.

    Returns what the client got, what the folder says, and the ids of the nodes added (in order).
    """
    clock = Clock()
    feed = run_feed(run.path, poll_interval=0.02, clock=clock, watch=False, history_size=history if refresh else 0)
    config = ServerConfig(port=0, api_keys=(KEY,), history_size=history)
    s2 = run.stages[1]
    added: list[str] = []
    async with ProtocolServer(config, feed=feed) as server:
        for n in range(additions):
            published = server.hub.stats["events_published"]
            added.append(s2.add_node(parent=s2.nodes[0]["id"], loss=2.0 + n, hyperparam=f"knob {n}"))
            s2.write()
            for _ in range(200):
                await asyncio.sleep(0.02)
                if server.hub.stats["events_published"] > published:
                    break
        await asyncio.sleep(0.2)
        client = client_of(server.url)
        store = Store()
        direct = Store()
        direct.feed(RunReader(run.path, clock=clock).scan())

        items = client.__aiter__()
        # connected, authenticated and subscribed (history requested) before any silence counts
        await asyncio.wait_for(client.ready(), timeout=10)
        try:
            while True:  # everything the server sends, until it has nothing more to say
                store.feed([await asyncio.wait_for(items.__anext__(), timeout=0.5)])
        except (TimeoutError, StopAsyncIteration):
            pass
        await client.aclose()
    return store, direct, added


async def test_a_late_client_gets_the_whole_run_even_after_the_history_rolled_over(tmp_path):
    run = mid_run(tmp_path / "a")
    store, direct, _ = await late_client_state(run, history=40, refresh=True)
    assert len(direct.experiments) == 8 + 12
    assert store.snapshot()["experiments"] == direct.snapshot()["experiments"]
    assert vantage_free(store.snapshot()["sessions"]) == vantage_free(direct.snapshot()["sessions"])

    # the control: without refreshing, the history holds only the newest events. The client did
    # receive a history (the newest node is there, as the folder has it), but early nodes fell out.
    control = mid_run(tmp_path / "b")
    store, direct, added = await late_client_state(control, history=40, refresh=False)
    newest = next((key for key in direct.experiments if key.endswith(added[-1])), None)
    assert newest is not None
    assert newest in store.experiments, "the late client received the history"
    assert store.snapshot()["experiments"][newest] == direct.snapshot()["experiments"][newest]
    assert len(store.experiments) < len(direct.experiments), "without refreshing, early nodes fall out"
