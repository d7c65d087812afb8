"""The dashboard stays up and tells the truth whatever the source does."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from aisci_tui.logging_setup import setup_logging
from aisci_tui.server import ProtocolServer, ServerConfig
from aisci_tui.server.simulator import Simulator
from aisci_tui.sources.base import ConnectionState, Notice
from aisci_tui.tui.app import DashboardApp
from aisci_tui.tui.screens import TooSmallScreen
from tests.rendered import record_toasts, status_shown
from tests.tui.conftest import KEY, ListSource, make_client, wait_for


async def test_bad_credentials_are_shown_in_one_sentence_and_the_app_stays_up(sim_server, settings):
    client = make_client(sim_server, key="not-the-key")
    app = DashboardApp(client, settings=settings)
    toasts = record_toasts(app)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: app.store.connection.fatal is not None, what="fatal error")
        await wait_for(pilot, lambda: "✖ error" in status_shown(app), what="error state shown")
        text = status_shown(app)
        fatal_line = text.splitlines()[-1]
        assert fatal_line.startswith("✖ ") and fatal_line.rstrip().endswith(".")
        # the body says what to do (tests/tui/test_not_live.py); no toast stays over it
        assert not [t for t in toasts if t["timeout"] == 0], toasts
        await pilot.press("2", "5")
        assert app.is_running and app.current_view.VIEW_ID == "events"
    assert client.exit_code == 3


async def test_malformed_frames_are_counted_logged_and_survived(settings, tmp_path):
    log_file = tmp_path / "dash.log"
    setup_logging(log_file)
    try:
        config = ServerConfig(port=0, api_keys=(KEY,), seed=5, speed=20.0, sessions=1, malformed_every=4)
        async with ProtocolServer(config) as server:
            app = DashboardApp(make_client(server), settings=settings)
            async with app.run_test(size=(100, 30)) as pilot:
                await wait_for(pilot, lambda: app.store.counters.invalid >= 3, timeout=10, what="invalid frames")
                await wait_for(
                    pilot,
                    lambda: f"⚠ {app.store.counters.invalid} invalid" in status_shown(app),
                    what="invalid count in the status line",
                )
                assert len(app.store.agents) > 0, "good events still apply"
                await pilot.press("5")
                assert app.is_running
    finally:
        for handler in logging.getLogger("aisci_tui").handlers:
            handler.flush()
        setup_logging(None)
    logged = log_file.read_text()
    assert "invalid" in logged.lower()
    assert KEY not in logged


async def test_a_failing_source_is_reported_once_and_the_app_stays_up(settings):
    sim = Simulator(seed=2, sessions=1, start=datetime(2026, 1, 1, tzinfo=UTC))
    source = ListSource(sim.advance(60), fail_with=RuntimeError("disk on fire"))
    app = DashboardApp(source, settings=settings)
    toasts = record_toasts(app)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: app.store.connection.fatal is not None, what="worker failure")
        await wait_for(pilot, lambda: "disk on fire" in status_shown(app), what="failure shown")
        assert [t for t in toasts if t["title"] == "Source failed"]
        assert len(app.store.agents) > 0
        await pilot.press("2")
        assert app.is_running


async def test_junk_from_a_source_is_counted_not_fatal(settings):
    sim = Simulator(seed=3, sessions=1, start=datetime(2026, 1, 1, tzinfo=UTC))
    items = [*sim.advance(30), object(), "not an event", None, Notice("invalid", text="bad frame")]
    app = DashboardApp(ListSource(items, hold=True), settings=settings)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: app.store.counters.invalid == 4, what="junk counted")
        await wait_for(pilot, lambda: "⚠ 4 invalid" in status_shown(app), what="count shown")
        assert app.store.connection.fatal is None


async def test_session_option_shows_only_that_session(sim_server, settings):
    probe = Simulator(seed=11, sessions=2)
    wanted = probe.session_ids[0]
    client = make_client(sim_server, session=wanted)
    app = DashboardApp(client, settings=settings, session_id=wanted)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(
            pilot, lambda: wanted in app.store.sessions and len(app.store.agents) > 0, what="the chosen session"
        )
        await pilot.pause(0.5)
        assert set(app.store.sessions) == {wanted}
        assert {e.data.session_id for e in app.store.agents.values()} == {wanted}
        title = app.store.sessions[wanted].data.title
        assert f"({wanted})" in status_shown(app) and (title or "")[:20] in status_shown(app)
        assert app.context().session_id == wanted


async def test_system_events_become_toasts_and_critical_ones_stay_but_news_does_not(settings):
    from tests.tui.harness import NOW, system

    items = [
        system("info", title="Deploy done"),
        system("warning", title="Disk 80%"),
        system("critical", "error", title="GPU node lost"),
    ]
    app = DashboardApp(ListSource(items, hold=True), settings=settings, clock=lambda: NOW - timedelta(hours=1))
    toasts = record_toasts(app)
    rang: list[bool] = []
    app.bell = lambda: rang.append(True)  # type: ignore[method-assign]
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: len(toasts) >= 2 and len(app.store.log) == 3, what="toasts")
        await pilot.pause(0.2)
        by_title = {t["title"]: t for t in toasts}
        assert "Deploy done" not in by_title, "news is listed on Home and in Events, not raised"
        assert by_title["Disk 80%"]["severity"] == "warning"
        critical = by_title["CRITICAL: GPU node lost"]
        assert critical["severity"] == "error" and critical["timeout"] == 0
        assert rang == [True]


async def test_a_toast_flood_is_summarised(settings):
    from tests.tui.harness import NOW, system

    items = [system("warning", title=f"warning {n}") for n in range(40)]
    app = DashboardApp(ListSource(items, hold=True), settings=settings, clock=lambda: NOW - timedelta(hours=1))
    toasts = record_toasts(app)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: len(app.store.log) == 40, what="all events")
        await pilot.pause(0.1)
        assert len(toasts) <= 4
        later = app.limiter.clock() + 60.0  # the window has passed (whatever the machine's uptime)
        app.limiter.clock = lambda: later
        await wait_for(pilot, lambda: any("more notification" in t["message"] for t in toasts), what="summary")


async def test_too_small_terminal_shows_a_message_until_it_grows(settings):
    app = DashboardApp(ListSource([], hold=True), settings=settings)
    async with app.run_test(size=(50, 12)) as pilot:
        await pilot.pause(0.1)
        assert isinstance(app.screen, TooSmallScreen)
        text = str(app.screen.query_one("#too-small-text").render())
        assert "50×12" in text and "60×16" in text
        await pilot.resize_terminal(80, 24)
        await wait_for(pilot, lambda: not isinstance(app.screen, TooSmallScreen), what="main screen back")
        await pilot.press("3")
        assert app.current_view.VIEW_ID == "experiments"


async def test_coalesced_rendering_syncs_far_less_than_per_event(settings):
    sim = Simulator(seed=4, sessions=3, start=datetime(2026, 1, 1, tzinfo=UTC))
    items = sim.advance(600)
    assert len(items) > 1000
    counts = {}
    for naive in (False, True):
        app = DashboardApp(ListSource(items, hold=True), settings=settings, naive_render=naive)
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_for(pilot, lambda a=app: a.pump.items == len(items), timeout=20, what="all items")
            await pilot.pause(0.1)
            counts[naive] = app.gate.syncs  # how often it redrew is what is compared; only the count records it
    assert counts[False] < 50, counts
    assert counts[True] > len(items) / 2, counts


async def test_theme_from_settings_and_from_the_palette_action(settings):
    settings.theme = "aisci-light"
    app = DashboardApp(ListSource([], hold=True), settings=settings)
    async with app.run_test(size=(100, 30)) as pilot:
        assert app.theme == "aisci-light"
        assert {"aisci-dark", "aisci-light", "aisci-16"} <= set(app.available_themes)
        await pilot.pause(0.05)
        app.action_use_theme("aisci-16")
        await pilot.pause(0.05)
        assert app.theme == "aisci-16"
        assert app.current_theme.ansi


async def test_connection_states_are_told_by_symbol_and_word(settings):
    items = [Notice("state", state=ConnectionState.RECONNECTING, attempt=3, retry_in=7.0)]
    app = DashboardApp(ListSource(items, hold=True), settings=settings)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: app.store.connection.state == ConnectionState.RECONNECTING)
        await wait_for(pilot, lambda: "↻ reconnecting in" in status_shown(app), what="state shown")
        assert "(attempt 3)" in status_shown(app)


async def test_insecure_warning_stays_for_the_whole_session(settings):
    app = DashboardApp(ListSource([], hold=True), settings=settings, insecure=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: "TLS certificates are NOT verified" in status_shown(app), what="warning")
        await pilot.press("2", "3")
        assert "TLS certificates are NOT verified" in status_shown(app)


async def test_no_color_is_honoured_and_states_still_read_in_words(settings, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    items = [Notice("state", state=ConnectionState.OPEN)]
    app = DashboardApp(ListSource(items, hold=True), settings=settings)
    assert app.no_color
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: app.store.connection.state == ConnectionState.OPEN)
        await wait_for(pilot, lambda: status_shown(app).startswith("● open"), what="state in words")
