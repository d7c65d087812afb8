"""Home's counts say what its lines show: the same thing repeated is one line with a count, a stale
session is not running, and a server's announced restart is a reconnection, not an error."""

from __future__ import annotations

from datetime import timedelta

from textual.widgets import OptionList

from aisci_tui.protocol.errors import ErrorCode
from aisci_tui.server import ProtocolServer, ServerConfig
from aisci_tui.sources.base import ConnectionState, Notice
from aisci_tui.store import Store, resync
from aisci_tui.tui.app import DashboardApp
from aisci_tui.tui.header import StatusLine
from aisci_tui.tui.views.home import HomeView
from tests.tui.conftest import KEY, make_client, wait_for
from tests.tui.harness import NOW, Harness, agent, event, experiment, render_plain


def lines(view: HomeView) -> list[str]:
    box = view.query_one("#home-list", OptionList)
    return [render_plain(box.get_option_at_index(i).prompt, 240).rstrip("\n") for i in range(box.option_count)]


def status(app: DashboardApp) -> str:
    line = app.query_one("#status", StatusLine)
    return line._last.plain if line._last is not None else ""


def said(severity: str, title: str, minutes_ago: float):
    at = NOW - timedelta(minutes=minutes_ago)
    return event("system_event", {"event_type": "error", "severity": severity, "title": title}, at=at)


def session(key: str, title: str, share: float, phase: str, minutes_ago: float = 0.0):
    data = {"session_id": key, "title": title, "overall_progress": share, "current_phase": phase}
    return event("research_progress", data, at=NOW - timedelta(minutes=minutes_ago))


def crash(minutes_ago: float):
    """The simulator's repeated critical event: another id, the same title, minutes apart."""
    return said("critical", "Experiment scheduler restarted after a crash", minutes_ago)


async def test_the_same_thing_repeated_is_one_line_with_a_count_and_goes_to_the_newest():
    store = Store()
    store.feed(
        [
            event(
                "research_progress", {"session_id": "ses-1", "title": "Pruning study", "overall_progress": 0.4}, at=NOW
            ),
            *(crash(m) for m in (30, 25, 21, 17, 12, 9, 6, 3, 0.2)),
            said("error", "GPU node gpu-07 stopped responding", 1),
            experiment(
                "exp-1",
                "failed",
                title="Seed sweep",
                session_id="ses-1",
                execution={"completed_at": (NOW - timedelta(minutes=4)).isoformat()},
            ),
            agent("agt-1", "error", name="Worker", session_id="ses-1"),  # two agents of one name: two things
            agent("agt-2", "error", name="Worker", session_id="ses-1"),
        ]
    )
    newest = str(next(e.seq for e in reversed(store.log) if "scheduler" in (e.title or "")))
    view = HomeView()
    app = Harness(view, store)
    async with app.run_test(size=(80, 24)) as pilot:
        app.sync(full=True)
        await pilot.pause()
        text = lines(view)
        head = next(t for t in text if t.startswith("Needs attention"))
        assert head == "Needs attention  13 (5 lines)", head
        start = text.index(head)
        items = [t for t in text[start + 1 :] if t[:1] in "✖▲"][:5]
        crashes = [t for t in items if "scheduler restarted" in t]
        assert len(crashes) == 1 and "×9" in crashes[0] and crashes[0].endswith("12s"), crashes
        assert any("Seed sweep" in t for t in items), "the failed experiment is not buried under repeats"
        assert sum("Agent in error" in t for t in items) == 2, "agents in error never fold"
        assert any("gpu-07" in t for t in items)
        box = view.query_one("#home-list", OptionList)
        box.focus()
        box.highlighted = text.index(crashes[0])
        await pilot.press("enter")
        await pilot.pause()
        assert app.went == [("event", newest)], "the folded line goes where its newest one goes"


async def test_a_stale_session_is_counted_as_stale_not_running():
    clock = [1000.0]
    store = Store(clock=lambda: clock[0])
    store.note(Notice("state", state=ConnectionState.OPEN))
    store.feed(
        [
            session("ses-1", "Gone study", 0.3, "analysis", 2),
            session("ses-2", "Kept study", 0.5, "writing", 2),
            session("ses-3", "Done study", 1.0, "done", 2),
        ]
    )
    store.note(Notice("state", state=ConnectionState.RECONNECTING, text="Connection lost (close code 1006)."))
    clock[0] += 5
    store.note(Notice("state", state=ConnectionState.OPEN))
    clock[0] += 1
    store.feed([session("ses-2", "Kept study", 0.55, "writing")])
    clock[0] += resync.RESYNC_GRACE + 1  # the server had its grace to re-report: ses-1 and ses-3 did not come back
    store.resync()
    view = HomeView()
    app = Harness(view, store, now=NOW)
    async with app.run_test(size=(120, 36)) as pilot:
        app.sync(full=True)
        await pilot.pause()
        text = lines(view)
        assert text[0] == "Sessions  3 · 1 running · 2 stale", text[0]
        marks = [t[:1] for t in text[1:4]]
        assert sorted(marks) == ["?", "?", "●"], text[1:4]


async def test_a_restart_the_server_announces_is_a_reconnection_and_an_unannounced_outage_an_error(settings):
    config = ServerConfig(port=0, api_keys=(KEY,), seed=11, speed=2.0, sessions=2)
    server = ProtocolServer(config)
    await server.start()
    port = int(server.url.rsplit(":", 1)[1].split("/")[0])
    app = DashboardApp(make_client(server), settings=settings)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, lambda: app.store.connection.state == ConnectionState.OPEN, what="open")
        await server.aclose()  # says SERVICE_UNAVAILABLE "server shutting down", then closes with 1001
        again = ProtocolServer(ServerConfig(port=port, api_keys=(KEY,), seed=11, speed=2.0, sessions=2))
        await again.start()
        try:
            await wait_for(
                pilot, lambda: app.store.connection.state == ConnectionState.OPEN, timeout=10, what="the reconnect"
            )
            await wait_for(pilot, lambda: status(app).startswith("● open"), what="the status line")
            assert app.store.counters.errors == 0 and "errors" not in status(app), status(app)
            said = [e.title for e in app.store.log if e.kind == "info"]
            assert "The server is restarting (server shutting down)." in said, said
            # the same code with no close after it is an outage to look at: it still counts
            for conn in list(again.hub.receivers):
                conn.error(ErrorCode.SERVICE_UNAVAILABLE, "event feed failed; no new events for now", retry_after=1)
            await wait_for(pilot, lambda: "✖ 1 errors" in status(app), timeout=5, what="the error counted")
            assert app.store.counters.errors == 1
        finally:
            await again.aclose()


async def test_one_server_of_two_restarting_counts_no_error(settings, monkeypatch):
    from tests.fleet.sources import fleet_source

    monkeypatch.setenv("AISCI_API_KEY", KEY)
    config = ServerConfig(port=0, api_keys=(KEY,), seed=11, speed=2.0, sessions=1)
    async with ProtocolServer(config) as a:
        b = ProtocolServer(ServerConfig(port=0, api_keys=(KEY,), seed=12, speed=2.0, sessions=1))
        await b.start()
        port_b = int(b.url.rsplit(":", 1)[1].split("/")[0])
        source = fleet_source([a.url, b.url])
        app = DashboardApp(source, settings=settings)
        async with app.run_test(size=(120, 36)) as pilot:
            await wait_for(pilot, lambda: status(app).startswith("● 2/2 open"), what="2/2 open")
            await b.aclose()
            await wait_for(pilot, lambda: status(app).startswith("● 1/2 open"), what="1/2 open")
            b = ProtocolServer(ServerConfig(port=port_b, api_keys=(KEY,), seed=12, speed=2.0, sessions=1))
            await b.start()
            try:
                await wait_for(pilot, lambda: status(app).startswith("● 2/2 open"), timeout=10, what="2/2 again")
                assert app.store.counters.errors == 0 and "errors" not in status(app), status(app)
                said = [e.title for e in app.store.log if e.kind == "info"]
                assert any(t.endswith(": The server is restarting (server shutting down).") for t in said), said
            finally:
                await b.aclose()
        await source.aclose()


def test_since_you_last_looked_names_a_repeated_warning_once_with_its_count():
    from aisci_tui.store.overview import Overview
    from aisci_tui.tui.views.catchup import catch_up_text
    from aisci_tui.tui.widgets.tones import Palette

    store = Store()
    store.feed([crash(m) for m in (1.5, 1.0, 0.5)] + [said("error", "GPU node gpu-07 stopped responding", 0.2)])
    model = Overview()
    model.update(store, store.take_changes(), NOW)
    text = catch_up_text(model.since(0.0), NOW - timedelta(minutes=10), NOW, Palette.plain(), width=160)
    assert text is not None
    line = next(t for t in text.plain.splitlines() if "warnings and errors" in t)
    assert line.startswith("   4 warnings and errors:"), line
    assert line.count("scheduler restarted") == 1 and "crash ×3" in line, line
