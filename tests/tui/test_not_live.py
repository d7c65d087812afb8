"""Losing the server shows in the body; a rejected credential says what happened, what to do, and why r won't help."""

from __future__ import annotations

import asyncio
import os
import sys

import pytest
from textual.widgets import Static

from aisci_tui.server import ProtocolServer, ServerConfig
from aisci_tui.sources.base import ConnectionState
from aisci_tui.store import resync
from aisci_tui.tui.app import DashboardApp
from tests.pty import Pty
from tests.tui.conftest import KEY, make_client, wait_for
from tests.tui.harness import render_plain
from tests.tui.test_app_cli import CLI, env_for


def notice(app: DashboardApp) -> str:
    box = app.query_one("#not-live", Static)
    return "" if box.has_class("hidden") else render_plain(box.content, 200)


async def test_losing_the_server_dims_the_rows_freezes_the_clock_and_marks_what_did_not_come_back(
    settings, monkeypatch
):
    monkeypatch.setattr(resync, "RESYNC_GRACE", 0.3)
    config = ServerConfig(port=0, api_keys=(KEY,), seed=11, speed=2.0, sessions=2)
    server = ProtocolServer(config)
    await server.start()
    port = int(server.url.rsplit(":", 1)[1].split("/")[0])
    app = DashboardApp(make_client(server), settings=settings)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(
            pilot,
            lambda: app.store.connection.state == ConnectionState.OPEN and app.store.sessions,
            what="live sessions",
        )
        assert notice(app) == ""
        await server.aclose()
        await wait_for(pilot, lambda: "Not live since" in notice(app), what="the not-live line")
        assert app.query_one("#views").has_class("-not-live")
        frozen = app.context().now
        await pilot.pause(1.1)
        assert app.context().now == frozen, "nothing counts down while the server is away"
        home = app.views["home"]
        heading = render_plain(home.query_one("#home-list").get_option_at_index(0).prompt, 200)
        assert "not live · as of" in heading
        # the server comes back with a different world: what it no longer reports is marked stale
        again = ProtocolServer(ServerConfig(port=port, api_keys=(KEY,), seed=99, speed=2.0, sessions=1))
        await again.start()
        try:
            await wait_for(
                pilot, lambda: app.store.connection.state == ConnectionState.OPEN, timeout=10, what="the reconnect"
            )
            await wait_for(pilot, lambda: notice(app) == "", what="live again")
            await pilot.pause(0.6)
            app.gate.request_full()
            await pilot.pause(0.3)
            box = home.query_one("#home-list")
            lines = [render_plain(box.get_option_at_index(i).prompt, 200) for i in range(box.option_count)]
            assert any(line.startswith("? ") and "stale" in line for line in lines), lines[:8]
            await pilot.press("2")  # agents the new world does not have are stale, not busy forever
            await pilot.pause(0.3)
            view = app.current_view
            gone = [k for k in view.records if app.store.agents[k].arrived < app.store.reopenings.at[None]]
            assert gone and all(view.cells_for(k)["status"].plain == "? stale" for k in gone[:5])
        finally:
            await again.aclose()


async def test_a_rejected_credential_fills_the_body_and_r_says_why_it_will_not_help(sim_server, settings):
    app = DashboardApp(make_client(sim_server, key="not-the-key"), settings=settings)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.store.connection.fatal is not None, timeout=10, what="the rejection")
        await wait_for(pilot, lambda: "Check the credential" in notice(app), what="what to do")
        home = app.views["home"]
        first = render_plain(home.query_one("#home-list").get_option_at_index(1).prompt, 200)
        assert "No research session has reported progress yet" not in first
        await pilot.press("r")
        await pilot.pause()
        assert any("would not help" in n.message.plain for n in app.board.shown)


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
async def test_after_q_the_sentence_is_left_on_the_shell_with_the_exit_code(tmp_path):
    async with ProtocolServer(ServerConfig(port=0, api_keys=(KEY,), seed=3, speed=1.0, sessions=1)) as server:
        env = env_for(tmp_path, AISCI_API_KEY="not-the-key")
        term = Pty([*CLI, "--url", server.url], env, tmp_path, size=(80, 24))
        try:
            seen = await asyncio.to_thread(term.read_until, [b"Check the credential"], 10.0)
            assert seen, term.output[-2000:]
            os.write(term.master, b"q")
            code = await asyncio.to_thread(term.proc.wait, 10)
            await asyncio.to_thread(term.drain, 0.3)
        finally:
            term.close()
    assert code == 3
    tail = term.output.rsplit(b"\x1b[?1049l", 1)[-1]  # what is printed after the screen is restored
    assert b"aisci-tui:" in tail and b"(exit code 3)" in tail, tail[-500:]


@pytest.mark.parametrize("size,small", [((80, 24), True), ((120, 36), False)])
async def test_news_is_never_raised_and_warnings_are_brief_on_a_small_screen(settings, size, small):
    import time
    from datetime import UTC, datetime

    from tests.tui.conftest import ListSource
    from tests.tui.harness import event

    now = datetime.now(UTC)
    items = [
        event("system_event", {"event_type": "update", "severity": "info", "title": "Runtime updated"}, at=now),
        event("system_event", {"event_type": "alert", "severity": "warning", "title": "Disk nearly full"}, at=now),
    ]
    app = DashboardApp(ListSource(items, hold=True), settings=settings)
    async with app.run_test(size=size) as pilot:
        await wait_for(pilot, lambda: len(app.store.log) == 2, what="the events")
        await wait_for(pilot, lambda: app.board.shown, what="the warning")
        assert [n.title for n in app.board.shown] == ["Disk nearly full"], "news is listed, not raised"
        # 3.1 s later by the board's clock (the one that takes notifications down, on a tick)
        app.board.clock = lambda: time.monotonic() + 3.1
        await pilot.pause(0.3)
        assert bool(app.board.shown) is not small, "a small screen keeps a warning up for 3 s at most"
