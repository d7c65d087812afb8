"""The main command as a user types it, on a terminal, against ``aisci-tui serve`` in another process.

``aisci-tui --url ws://127.0.0.1:PORT/ws --session S --token-file F --record R`` runs on a
pseudo-terminal. While it runs: the server asks for a fresh token and the client re-reads the
rotated token file; the dashboard is paused and a filter typed; the server is killed and started
again (same seed and start time, so the same events with the same ids); the dashboard reconnects
while still paused and filtered; then it is resumed and ``q`` pressed. The exit code is 0, and the
recording holds exactly the session's stream, from the first event on, without a gap, none twice,
and no credential.
"""

from __future__ import annotations

import json
import os
import stat
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from aisci_tui.protocol import decode
from aisci_tui.protocol.models import session_of
from aisci_tui.server.auth import mint_jwt
from aisci_tui.server.simulator import Simulator
from tests.hardening.conftest import JWT_SECRET, ServeProcess, clean_env, cli, free_port
from tests.pty import Pty

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")

SEED = 11
START = datetime(2026, 2, 1, tzinfo=UTC)
SESSIONS = 2
WARMUP = 20.0
RATE = 40
#: The server asks for a new token this long before the old one expires (ServerConfig.token_refresh_lead).
REFRESH_LEAD = 60.0


def first_session(warmup: float = WARMUP) -> str:
    """The id of the first session the seeded simulator runs."""
    events = Simulator(seed=SEED, sessions=SESSIONS, start=START, lively=True).advance(warmup)
    return next(s for e in events if (s := session_of(e)) is not None)


def session_stream(session: str, count: int, warmup: float = WARMUP) -> list[str]:
    """The ids the server sends that the dashboard keeps for ``session`` (events of no session too)."""
    sim = Simulator(seed=SEED, sessions=SESSIONS, start=START, lively=True)
    events = sim.advance(warmup)
    ids = [e.id for e in events if session_of(e) in (None, session)]
    while len(ids) < count:
        ids += [e.id for e in sim.advance(1.0) if session_of(e) in (None, session)]
    return ids[:count]


class Screen:
    """The dashboard's terminal: waits for words drawn after a mark (what came before is history)."""

    def __init__(self, term: Pty) -> None:
        self.term = term
        self.mark = 0

    def drawn(self, *words: str, timeout: float = 20.0, what: str = "") -> None:
        ok = self._after(words, timeout)
        if not ok:
            tail = self.term.output[-1500:].decode(errors="replace")
            raise AssertionError(f"{what or words}: not drawn within {timeout:g} s; the screen's last bytes: {tail!r}")

    def _after(self, words: tuple[str, ...], timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.term.read_until([b"\x00never\x00"], 0.1)
            if all(w.encode() in self.term.output[self.mark :] for w in words):
                return True
        return False

    def set_mark(self) -> None:
        self.term.drain(0.1)
        self.mark = len(self.term.output)


def test_the_main_command_end_to_end(tmp_path: Path):
    session = first_session()
    log, record, token_file = tmp_path / "serve.log", tmp_path / "session.jsonl", tmp_path / "token"
    # the first token expires 6 s after the refresh lead: the server asks for a new one after ~6 s
    first = mint_jwt(JWT_SECRET, subject="first-token", ttl=REFRESH_LEAD + 6)
    second = mint_jwt(JWT_SECRET, subject="rotated-token", ttl=600)
    token_file.write_text(first + "\n")
    token_file.chmod(0o600)
    server = ServeProcess(
        [
            "--seed",
            str(SEED),
            "--start",
            START.isoformat(),
            "--warmup",
            str(WARMUP),
            "--rate",
            str(RATE),
            "--sessions",
            str(SESSIONS),
            "--history-size",
            "100000",
            "-v",
            "--log-file",
            str(log),
        ],
        clean_env(AISCI_JWT_SECRET=JWT_SECRET),
        free_port(),
    )
    server.start()
    home = tmp_path / "home"
    home.mkdir()
    env = clean_env(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"), TERM="xterm-256color")
    argv = [
        *cli(),
        "--url",
        server.url,
        "--session",
        session,
        "--token-file",
        str(token_file),
        "--record",
        str(record),
        "-v",
        "--log-file",
        str(tmp_path / "dashboard.log"),
    ]
    term = Pty(argv, env, tmp_path, size=(140, 40))
    screen = Screen(term)
    try:
        screen.drawn("● open", "ev/s", what="the dashboard connected")
        assert ": authenticated as first-token" in log.read_text()
        token_file.write_text(second + "\n")  # rotated, as a credential helper would
        for _ in range(150):
            term.drain(0.1)
            if ": re-authenticated as rotated-token" in log.read_text():
                break
        assert ": re-authenticated as rotated-token" in log.read_text(), "the rotated token was sent when asked for"

        term.send("2")  # agents
        term.send("p")
        screen.drawn("PAUSED", what="paused")
        for keys in ("/", "agt", "\r"):  # as typed: the filter line opens, takes the text, keeps it
            term.send(keys)
            term.drain(0.3)
        screen.drawn("filter: agt", what="the filter on the tab")

        screen.set_mark()
        server.kill()
        screen.drawn("reconnecting", what="the drop shown")
        screen.set_mark()
        server.start()
        screen.drawn("● open", what="reconnected")
        screen.drawn("PAUSED", what="still paused after the reconnect")
        screen.set_mark()
        term.send("3")
        term.drain(0.3)
        term.send("2")  # back to agents: its tab is drawn again, with the filter still on
        screen.drawn("filter: agt", what="the filter kept across the reconnect")

        screen.set_mark()  # before the key: its redraw may come at once
        term.send("p")  # resume
        screen.drawn("ev/s", what="live again")
        term.drain(1.0)
        term.send("q")
        code = term.finish(timeout=15)
    finally:
        term.close()
        server.stop()

    output = term.output.decode(errors="replace")
    assert code == 0, output[-2000:]
    assert "Traceback" not in output

    lines = [json.loads(line) for line in record.read_text().splitlines()]
    ids = [decode(json.dumps(line["envelope"])).id for line in lines]
    assert len(ids) > 20, "the recording holds the session"
    assert len(ids) == len(set(ids)), "an event was recorded twice (the history replayed after the restart)"
    assert ids == session_stream(session, len(ids)), "the recording is the session's stream without a gap"
    text = record.read_text()
    for secret in (first, second, first.rsplit(".", 1)[1], second.rsplit(".", 1)[1]):
        assert secret not in text and secret not in output
    assert stat.S_IMODE(os.stat(record).st_mode) == 0o600

    served = log.read_text()
    assert served.count(": authenticated as ") == 2, "the first token, and the rotated one after the restart"
    assert served.count(": re-authenticated as rotated-token") == 1
    assert served.count(": received subscribe ") >= 2, "subscribed again after the restart"
    assert first not in served and second not in served
    dashboard = (tmp_path / "dashboard.log").read_text()
    assert "Authenticated again with a fresh credential." in dashboard
    assert first not in dashboard and second not in dashboard


def test_the_config_files_dedupe_window_and_export_dir_reach_the_dashboard(tmp_path: Path):
    """``[history] dedupe`` from the config file is the client's window: set smaller than what the
    server replays from its history after a restart, the older repeats get through (the recording
    shows them; with the default window the test above records none twice), and the dashboard
    carries on. ``export_dir = "~/exports"`` is the user's home folder, not a folder named ``~``."""
    warmup = 2_400.0  # a history of a few thousand events, longer than the window
    assert len(Simulator(seed=SEED, sessions=SESSIONS, start=START, lively=True).advance(warmup)) > 2 * 1_000
    session = first_session(warmup)
    record, token_file = tmp_path / "session.jsonl", tmp_path / "token"
    token_file.write_text(mint_jwt(JWT_SECRET, subject="dedupe", ttl=600) + "\n")
    token_file.chmod(0o600)
    home = tmp_path / "home"
    (home / ".config" / "aisci-tui").mkdir(parents=True)
    window = 1_000  # the smallest the settings allow
    restart_warmup = 1_150.0
    (home / ".config" / "aisci-tui" / "config.toml").write_text(
        f'export_dir = "~/exports"\n\n[history]\ndedupe = {window}\n'
    )
    server = ServeProcess(
        [
            "--seed",
            str(SEED),
            "--start",
            START.isoformat(),
            "--warmup",
            str(warmup),
            "--rate",
            str(RATE),
            "--sessions",
            str(SESSIONS),
            "--history-size",
            "100000",
        ],
        clean_env(AISCI_JWT_SECRET=JWT_SECRET),
        free_port(),
    )
    server.start()
    env = clean_env(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"), TERM="xterm-256color")
    term = Pty(
        [*cli(), "--url", server.url, "--session", session, "--token-file", str(token_file), "--record", str(record)],
        env,
        tmp_path,
        size=(140, 40),
    )
    screen = Screen(term)
    try:
        screen.drawn("● open", "ev/s", what="the dashboard connected")
        for _ in range(300):  # the history read (more ids than the window) before the server goes
            term.drain(0.1)
            if record.exists() and len(record.read_bytes().splitlines()) > window + 200:
                break
        before = len(record.read_bytes().splitlines())
        screen.set_mark()
        server.kill()
        screen.drawn("reconnecting", what="the drop shown")
        screen.set_mark()
        # restarted with a shorter history that lacks the last id the client saw, so the client's
        # resume_after is not found and the whole history is sent again (the server's documented
        # fallback): 1,500 events, most of them older than the window
        server.args[server.args.index("--warmup") + 1] = str(restart_warmup)
        server.start()
        screen.drawn("● open", what="reconnected")
        term.drain(1.0)
        term.send("2")  # agents (the home view has nothing to export)
        term.drain(0.3)
        term.send("e")
        screen.drawn("JSON", what="the export dialog")
        screen.set_mark()
        term.send("j")
        screen.drawn("xported", what="the export reported")
        term.send("q")
        code = term.finish(timeout=15)
    finally:
        term.close()
        server.stop()
    output = term.output.decode(errors="replace")
    assert code == 0 and "Traceback" not in output, output[-2000:]
    ids = [json.loads(line)["envelope"]["id"] for line in record.read_text().splitlines()]
    assert before > window and ids[:before] == session_stream(session, before, warmup), "the session's stream"
    repeats = len(ids) - len(set(ids))
    assert repeats > 100, f"a {window}-id window let the older repeats of the history replay through ({repeats})"
    assert set(ids[before:]) <= set(session_stream(session, len(ids), warmup)), "the repeats are the session's"
    exports = list((home / "exports").glob("*.json"))
    assert len(exports) == 1, f"the export went to ~/exports: {sorted(p.name for p in home.rglob('*.json'))}"
    assert not (tmp_path / "~").exists(), "no folder named '~' in the working directory"
