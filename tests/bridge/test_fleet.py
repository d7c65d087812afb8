"""Every run in a folder at once (`watch experiments/`, `serve --from-run experiments/`)."""

from __future__ import annotations

import asyncio
import shutil
import time

import pytest

from aisci_tui.client import (
    Client,
    ClientConfig,
    Credentials,
    SubscribeOptions,
    Subscription,
)
from aisci_tui.server import ProtocolServer, ServerConfig
from aisci_tui.settings import Settings
from aisci_tui.sources.rundir.feed import run_feed
from aisci_tui.sources.rundir.fleet import FleetSource
from aisci_tui.store import Store
from aisci_tui.tui.run import searchtree
from aisci_tui.tui.run.apps import fleet_app
from aisci_tui.tui.run.view import TreeView
from tests.bridge.helpers import Clock, screen_text, wait_until
from tests.bridge.runwriter import early_run, finished_run, mid_run

EARLY = "2025-06-10_08-00-00_early_attempt_0"
DONE = "2025-06-11_10-00-00_done_attempt_0"
MID = "2025-06-12_09-13-56_mid_attempt_0"
LATE = "2025-06-13_09-00-00_late_attempt_0"
KEY = "fleet-test-key-4Hs8Pq"


def three_runs(tmp_path):
    early_run(tmp_path, name=EARLY, title="Early Idea")
    finished_run(tmp_path, name=DONE, title="Done Idea")
    mid_run(tmp_path, name=MID, title="Mid Idea")
    return tmp_path / "experiments"


def fleet(folder, **kw) -> FleetSource:
    return FleetSource([folder], poll_interval=0.05, discover=0.1, clock=Clock(), watch=False, **kw)


async def until(store: Store, items, predicate, timeout: float = 5.0) -> float:
    """Feed ``items`` into ``store`` until ``predicate()``; returns the seconds it took."""
    start = time.monotonic()

    async def go() -> None:
        async for item in items:
            store.feed([item])
            if predicate():
                return

    await asyncio.wait_for(go(), timeout)
    return time.monotonic() - start


async def test_three_runs_then_a_fourth_joins_and_a_removed_one_is_marked_gone(tmp_path):
    folder = three_runs(tmp_path)
    source = fleet(folder)
    store = Store()
    items = source.__aiter__()
    await until(store, items, lambda: len(store.sessions) == 3)
    phases = {sid: e.data.phase_key for sid, e in store.sessions.items()}
    assert phases == {EARLY: "stage_1", DONE: "done", MID: "stage_2"}
    # each run its own session: its experiments and stages are scoped to it
    assert {s.key.session_id for s in searchtree.stages(store, MID)} == {MID}
    assert len(searchtree.stages(store, DONE)) == 4

    mid_run(tmp_path, name=LATE, title="Late Idea")
    took = await until(store, items, lambda: LATE in store.sessions)
    assert took < 2.0, f"a new run joined after {took:.2f} s"

    shutil.rmtree(folder / EARLY)
    await until(store, items, lambda: store.sessions[EARLY].data.model_extra.get("run_state") == "gone")
    assert store.sessions[EARLY].data.current_phase.startswith("gone")
    assert len(store.sessions) == 4  # kept, not dropped
    await source.aclose()


async def test_the_dashboard_lists_every_run_and_follows_the_one_entered(tmp_path):
    folder = three_runs(tmp_path)
    settings = Settings.model_construct(export_dir=tmp_path / "out", refresh_hz=20.0)
    source = fleet(folder)
    app = fleet_app(source, folder, settings=settings)
    async with app.run_test(size=(150, 40)) as pilot:
        await pilot.press("1")  # the Research view: a line per session
        await wait_until(
            pilot,
            lambda: all(t in screen_text(app) for t in ("Early Idea", "Done Idea", "Mid Idea")),
            what="three sessions",
        )
        mid_run(tmp_path, name=LATE, title="Late Idea")
        start = time.monotonic()
        await wait_until(pilot, lambda: "Late Idea" in screen_text(app), timeout=4.0, what="the fourth run")
        assert time.monotonic() - start < 2.5
        _, rows = app.current_view.export_rows()
        assert sorted(r["session_id"] for r in rows) == sorted([EARLY, DONE, MID, LATE])
        index = [r["session_id"] for r in rows].index(DONE)
        for _ in range(index):
            await pilot.press("down")
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.session_id == DONE, what="the finished run entered")
        await wait_until(pilot, lambda: "Accept · overall 6" in screen_text(app), what="its review")
        await pilot.press("6")
        view = app.query_one(TreeView)
        await wait_until(
            pilot,
            lambda: view.stages and {s.key.session_id for s in view.stages} == {DONE},
            what="the tree of that run only",
        )
        assert len(view.stages) == 4
    await source.aclose()


async def test_serve_from_run_publishes_every_run_as_its_own_session(tmp_path):
    folder = three_runs(tmp_path)
    feed = run_feed(folder, source=fleet(folder))
    async with ProtocolServer(ServerConfig(port=0, api_keys=(KEY,)), feed=feed) as server:
        await asyncio.sleep(0.5)
        client = Client(
            ClientConfig(
                url=server.url,
                credentials=Credentials(api_key=KEY),
                subscriptions=[Subscription(options=SubscribeOptions(include_history=True))],
                backoff_base=0.05,
                backoff_cap=0.2,
                open_timeout=3.0,
                ack_timeout=3.0,
            )
        )
        store = Store()
        await until(
            store, client.__aiter__(), lambda: len(store.sessions) == 3 and len(store.experiments) >= 2 + 8 + 10
        )
        await client.aclose()
    assert set(store.sessions) == {EARLY, DONE, MID}
    assert store.sessions[DONE].data.model_extra["review"]["decision"] == "Accept"


@pytest.mark.parametrize("notifications", [True, False], ids=["notified", "polling"])
async def test_idle_watching_of_fifty_runs_costs_under_one_percent_of_a_core(tmp_path, notifications):
    writers = [mid_run(tmp_path, name=f"2025-06-12_09-13-{k:02d}_idea{k}_attempt_0") for k in range(50)]
    source = FleetSource([tmp_path / "experiments"], poll_interval=1.0, clock=Clock(), watch=notifications)
    store = Store()
    items = source.__aiter__()
    await until(store, items, lambda: len(store.sessions) == 50, timeout=60)

    async def drain() -> None:
        async for item in items:
            store.feed([item])

    task = asyncio.create_task(drain())
    await asyncio.sleep(2.0)  # settle: notifications of the writing above, first rescans
    cpu, wall = time.process_time(), time.monotonic()
    scans = source.scans
    await asyncio.sleep(6.0)
    share = (time.process_time() - cpu) / (time.monotonic() - wall)
    assert source.watching == notifications and source.scans - scans <= 50
    # a change in any of them reaches the store within a second
    stage = writers[7].stages[1]
    new = stage.add_node(parent=stage.nodes[0]["id"], loss=0.1)
    stage.write()
    start = time.monotonic()
    while new not in store.experiments and time.monotonic() - start < 3:
        await asyncio.sleep(0.05)
    took = time.monotonic() - start
    task.cancel()
    await source.aclose()
    assert share <= 0.01, f"idle watching of 50 runs used {share:.1%} of a core"
    assert took <= 1.5, f"a new node took {took:.2f} s"


async def test_serve_from_run_command_on_a_folder(tmp_path):
    import re
    import signal
    import subprocess
    import sys

    from tests.bridge.helpers import cli_env

    folder = three_runs(tmp_path)
    proc = await asyncio.to_thread(
        subprocess.Popen,
        [sys.executable, "-m", "aisci_tui", "serve", "--port", "0", "--from-run", str(folder), "--poll", "0.1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=cli_env(tmp_path) | {"AISCI_API_KEYS": KEY},
        cwd=tmp_path,
    )
    try:
        line = await asyncio.wait_for(asyncio.to_thread(proc.stdout.readline), timeout=20)
        url = re.search(r"Serving (ws://127\.0\.0\.1:\d+/ws)", line)
        assert url, line
        client = Client(
            ClientConfig(
                url=url.group(1),
                credentials=Credentials(api_key=KEY),
                subscriptions=[Subscription(options=SubscribeOptions(include_history=True))],
                backoff_base=0.05,
                backoff_cap=0.2,
                open_timeout=3.0,
                ack_timeout=3.0,
            )
        )
        store = Store()
        await until(store, client.__aiter__(), lambda: len(store.sessions) == 3, timeout=20)
        await client.aclose()
    finally:
        proc.send_signal(signal.SIGINT)
        code = await asyncio.to_thread(proc.wait, 20)
        err = proc.stderr.read()
    assert code == 0, err
    assert set(store.sessions) == {EARLY, DONE, MID}
    assert f"Publishing every run in {folder}" in err and "Traceback" not in err
