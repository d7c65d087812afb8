"""The shell's plain parts: settings precedence, themes, export files, status line, ingest, toasts."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from aisci_tui.protocol import from_obj
from aisci_tui.protocol.models import Event, SystemEventData
from aisci_tui.settings import DEFAULT_PROFILES, ConfigError, load_settings, server_url
from aisci_tui.sources.base import ConnectionState, Notice
from aisci_tui.store import Store
from aisci_tui.themes import ThemeError, bundled_theme_names, load_themes, parse_theme
from aisci_tui.tui import toasts
from aisci_tui.tui.bindings import APP_BINDINGS, check_keymap, explain
from aisci_tui.tui.export import csv_cell, write_export
from aisci_tui.tui.header import StatusInfo, collect, status_text
from aisci_tui.tui.ingest import Pump, RenderGate
from tests.tui.conftest import ListSource
from tests.tui.harness import agent, progress, system

# -- settings ---------------------------------------------------------------------


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    for name in (
        "AISCI_URL",
        "AISCI_PROFILE",
        "AISCI_THEME",
        "AISCI_REFRESH_HZ",
        "AISCI_MOUSE",
        "AISCI_CONFIG",
        "AISCI_EXPORT_DIR",
        "AISCI_HISTORY__LOG",
        "AISCI_KEYMAP",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    return monkeypatch


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_a_config_file(clean_env):
    s = load_settings()
    assert (s.theme, s.refresh_hz, s.mouse, s.keymap) == ("aisci-dark", 10.0, True, {})
    assert server_url(s, "ws://fallback/ws") == "ws://fallback/ws"
    assert s.all_profiles == DEFAULT_PROFILES


def test_default_config_file_lives_in_the_xdg_config_dir(clean_env, tmp_path):
    cfg = tmp_path / "xdg" / "aisci-tui" / "config.toml"
    cfg.parent.mkdir(parents=True)
    write(cfg, 'theme = "aisci-light"\n')
    assert load_settings().theme == "aisci-light"


def test_precedence_flags_over_env_over_file(clean_env, tmp_path):
    cfg = write(
        tmp_path / "c.toml",
        'refresh_hz = 4\ntheme = "aisci-16"\nmouse = false\n'
        '[history]\nlog = 100\nagents = 7\n[keymap]\npause = "space"\n',
    )
    s = load_settings(cfg)
    assert (s.refresh_hz, s.theme, s.mouse, s.history.log, s.keymap) == (4, "aisci-16", False, 100, {"pause": "space"})
    clean_env.setenv("AISCI_REFRESH_HZ", "6")
    clean_env.setenv("AISCI_HISTORY__LOG", "50")
    s = load_settings(cfg)
    assert (s.refresh_hz, s.history.log, s.history.agents) == (6, 50, 7)
    s = load_settings(cfg, refresh_hz=8.0, mouse=True)
    assert (s.refresh_hz, s.mouse) == (8.0, True)
    assert s.history.limits().log == 50


def test_url_and_profile_resolution(clean_env, tmp_path):
    cfg = write(tmp_path / "c.toml", 'url = "ws://from-file:1/ws"\n[profiles]\nlab = "ws://lab:9/ws"\n')
    assert server_url(load_settings(cfg)) == "ws://from-file:1/ws"
    clean_env.setenv("AISCI_PROFILE", "staging")
    assert server_url(load_settings(cfg)) == DEFAULT_PROFILES["staging"]
    assert server_url(load_settings(cfg, profile="lab")) == "ws://lab:9/ws"
    assert server_url(load_settings(cfg, profile="lab", url="ws://flag:2/ws")) == "ws://flag:2/ws"
    with pytest.raises(ConfigError, match="Unknown profile 'nope'"):
        load_settings(cfg, profile="nope")


@pytest.mark.parametrize(
    "text, message",
    [
        ("refresh_hz = [\n", "not valid TOML"),
        ("colour = 1\n", "Unknown setting 'colour'"),
        ("refresh_hz = -1\n", "Invalid setting refresh_hz"),
        ("[history]\nlog = 'many'\n", "Invalid setting history.log"),
    ],
)
def test_broken_config_files_give_one_sentence(clean_env, tmp_path, text, message):
    cfg = write(tmp_path / "bad.toml", text)
    with pytest.raises(ConfigError) as info:
        load_settings(cfg)
    assert message in str(info.value) and "\n" not in str(info.value)


def test_a_named_config_file_must_exist(clean_env, tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings(tmp_path / "missing.toml")
    clean_env.setenv("AISCI_CONFIG", str(tmp_path / "also-missing.toml"))
    with pytest.raises(ConfigError, match="also-missing.toml does not exist"):
        load_settings()


def test_credentials_in_the_environment_are_not_settings(clean_env):
    clean_env.setenv("AISCI_API_KEY", "secret-value-1234")
    clean_env.setenv("AISCI_TOKEN", "a.b.c")
    s = load_settings()
    assert "secret-value-1234" not in repr(s) and "secret-value-1234" not in s.model_dump_json()


def test_keymap_ids_are_checked():
    assert check_keymap({"pause": "space", "quit": "ctrl+x"}) is None
    assert "unknown binding 'paws'" in check_keymap({"paws": "space"})
    assert all(b.tooltip and explain(b)[0] for b in APP_BINDINGS)
    assert len({b.id for b in APP_BINDINGS}) == len(APP_BINDINGS)


# -- themes -------------------------------------------------------------------------


def test_bundled_themes_include_a_light_and_a_16_colour_one():
    themes, problems = load_themes()
    assert problems == []
    assert {"aisci-dark", "aisci-light", "aisci-16"} <= set(bundled_theme_names())
    assert not themes["aisci-light"].dark
    sixteen = themes["aisci-16"]
    assert sixteen.ansi
    assert all(
        getattr(sixteen, k) is None or str(getattr(sixteen, k)).startswith("ansi_")
        for k in ("primary", "secondary", "warning", "error", "success", "accent", "background")
    )


def test_user_themes_are_added_and_broken_ones_skipped(tmp_path):
    write(tmp_path / "mine.toml", 'name = "mine"\nprimary = "#112233"\ndark = false\n')
    write(tmp_path / "broken.toml", 'primary = "not a colour"\n')
    themes, problems = load_themes([tmp_path])
    assert "mine" in themes and not themes["mine"].dark
    assert len(problems) == 1 and "broken.toml" in problems[0]
    with pytest.raises(ThemeError, match="unknown field"):
        parse_theme(write(tmp_path / "typo.toml", 'primary = "#000000"\nprimry = "#111111"\n'))


# -- export ---------------------------------------------------------------------------


def test_json_and_csv_exports_round_trip(tmp_path):
    when = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    rows = [{"name": "alpha", "cpu": 0.5, "tags": ["a", "b"]}, {"name": "=HYPERLINK(1)", "cpu": None}]
    path = write_export(tmp_path, "json", "agents", ["name", "cpu", "tags"], rows, when)
    assert path.name == "aisci-agents-20260102-030405.json"
    doc = json.loads(path.read_text())
    assert doc["rows"][0] == {"name": "alpha", "cpu": 0.5, "tags": ["a", "b"]}
    assert doc["rows"][1]["name"] == "=HYPERLINK(1)"
    again = write_export(tmp_path, "json", "agents", ["name"], rows, when)
    assert again.name.endswith("-2.json") and path.exists()
    csv_path = write_export(tmp_path, "csv", "agents", ["name", "cpu", "tags"], rows, when)
    table = list(csv.reader(io.StringIO(csv_path.read_text())))
    assert table == [["name", "cpu", "tags"], ["alpha", "0.5", '["a", "b"]'], ["'=HYPERLINK(1)", "", ""]]


def test_csv_cells_are_safe_to_cat_and_to_open_in_a_spreadsheet():
    assert csv_cell("\x1b]52;c;aGk=\x07evil") == "\ufffdevil"
    assert csv_cell("+1") == "'+1" and csv_cell(-1) == "-1" and csv_cell(True) == "true"


def test_export_into_an_unwritable_place_is_a_sentence(tmp_path):
    from aisci_tui.tui.export import ExportError

    blocker = write(tmp_path / "file", "x")
    with pytest.raises(ExportError, match="Could not write the export"):
        write_export(blocker / "sub", "json", "agents", [], [])


# -- status line -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "state, words",
    [
        (ConnectionState.CONNECTING, "◌ connecting"),
        (ConnectionState.OPEN, "● open"),
        (ConnectionState.CLOSING, "◍ closing"),
        (ConnectionState.CLOSED, "○ closed"),
        (ConnectionState.RECONNECTING, "↻ reconnecting"),
        (ConnectionState.ERROR, "✖ error"),
    ],
)
def test_every_connection_state_has_a_symbol_and_a_word(state, words):
    info = StatusInfo(state=state, label="ws://h/ws", session="All sessions (0)", rate=0.0, since_last=None)
    assert status_text(info).plain.startswith(words)


def test_status_line_reads_the_store():
    now = [100.0]
    store = Store(clock=lambda: now[0])
    store.note(Notice("state", state=ConnectionState.RECONNECTING, attempt=2, retry_in=5.0))
    store.feed([agent("a1"), system("warning", title="x")])
    store.note(Notice("invalid", text="bad"))
    store.note(Notice("error", text="The server is down.", code="SERVICE_UNAVAILABLE", fatal=True))
    now[0] = 102.0
    text = status_text(collect(store, "ws://h/ws?token=x", None, paused=True, insecure=True)).plain
    assert "↻ reconnecting in 3s (attempt 2)" in text
    assert "PAUSED" in text and "All sessions (0)" in text and "last 2s ago" in text
    assert "⚠ 1 invalid" in text and "✖ 1 errors" in text
    assert "--insecure" in text and text.rstrip().endswith("✖ The server is down.")


def test_server_text_in_the_status_line_is_data():
    store = Store(clock=lambda: 1.0)
    store.feed([progress("s1", title="[bold]x\x1b[2J")])
    text = status_text(collect(store, "label", "s1", paused=False))
    assert "[bold]x" in text.plain and "\x1b" not in text.plain


# -- ingest and coalescing ------------------------------------------------------------------------


async def test_pump_feeds_the_store_and_reports_system_events_and_notices():
    store = Store()
    seen_sys: list[Event] = []
    seen_notices: list[Notice] = []
    items = [agent("a1"), system("critical", title="down"), Notice("error", text="boom"), 42]
    pump = Pump(ListSource(items), store, on_notice=seen_notices.append, on_system=seen_sys.append)
    await pump.run()
    assert "a1" in store.agents and [s.data.title for s in seen_sys] == ["down"]
    assert [n.text for n in seen_notices] == ["boom"]
    assert store.counters.invalid == 1  # the 42


def test_pump_survives_a_failing_callback():
    store = Store()
    pump = Pump(ListSource([]), store, on_system=lambda data: 1 / 0)
    pump.feed(system("info"))
    assert len(store.log) == 1


def test_render_gate_syncs_only_on_change_and_not_while_paused():
    gate = RenderGate()
    assert gate.check(0).sync and gate.check(0).sync is False
    assert gate.check(1).sync and not gate.check(1).sync
    gate.pause(True)
    assert not gate.check(5).sync
    gate.pause(False)
    tick = gate.check(5)
    assert tick.sync and tick.full
    gate.request_full()
    assert gate.check(5).full


# -- toasts ----------------------------------------------------------------------------------------


def test_toast_wording_and_severity():
    crit = toasts.for_system_event(
        SystemEventData(event_type="error", severity="critical", title="GPU lost", affected_services=["compute"])
    )
    assert (crit.severity, crit.timeout, crit.bell) == ("error", 0, True) and "compute" in crit.message
    info = toasts.for_system_event(SystemEventData(event_type="update", severity="info"))
    assert (info.severity, info.bell) == ("information", False)
    err = toasts.for_notice(Notice("error", text="nope", code="PERMISSION_DENIED"))
    assert err.title.startswith("Your account may not see") and "PERMISSION_DENIED" in err.title
    assert toasts.for_notice(Notice("state", state=ConnectionState.OPEN)) is None
    assert toasts.for_notice(Notice("invalid", text="x")) is None


def test_system_events_from_history_raise_no_toast():
    shown: list[toasts.Toast] = []
    # the app passes the store's rule (Liveness.is_live); here the event stamped 11:30 is history
    toaster = toasts.Toaster(shown.append, lambda: False, is_fresh=lambda stamp: stamp != "2026-01-01T11:30:00Z")
    old = from_obj(
        {
            "type": "system_event",
            "id": "old",
            "timestamp": "2026-01-01T11:30:00Z",
            "data": {"event_type": "scale", "severity": "warning", "title": "earlier"},
        }
    )
    new = from_obj(
        {
            "type": "system_event",
            "id": "new",
            "timestamp": "2026-01-01T11:59:30Z",
            "data": {"event_type": "scale", "severity": "warning", "title": "just now"},
        }
    )
    toaster.system(old)
    toaster.system(new)
    assert [t.title for t in shown] == ["just now"]


def test_toast_limiter_holds_back_a_flood_then_summarises():
    now = [0.0]
    limiter = toasts.ToastLimiter(burst=2, window=1.0, clock=lambda: now[0])
    plain = toasts.Toast("m", "t", "information", None)
    assert [limiter.allow(plain) for _ in range(5)] == [True, True, False, False, False]
    assert limiter.allow(toasts.Toast("m", "t", "error", 0, bell=True))
    assert limiter.take_summary() is None
    now[0] = 5.0
    summary = limiter.take_summary()
    assert summary is not None and "3 more" in summary.message and limiter.suppressed == 0
