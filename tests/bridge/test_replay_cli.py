"""`events --record`, `events --from` and `aisci-tui replay` as commands, against the project's server."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys

import pytest

from aisci_tui.server import ProtocolServer, ServerConfig
from aisci_tui.sources.replay import load_lines
from tests.bridge.helpers import cli_env
from tests.bridge.test_replay_dashboard import write_recording
from tests.pty import Pty

KEY = "replay-cli-key-9Xk2Lr7q"
CLI = [sys.executable, "-m", "aisci_tui"]


def cli(tmp_path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *args], capture_output=True, text=True, timeout=60, env=cli_env(tmp_path) | env, cwd=tmp_path
    )


async def test_events_record_then_events_from_prints_the_same_lines(tmp_path):
    import asyncio

    record = tmp_path / "events.jsonl"
    config = ServerConfig(port=0, api_keys=(KEY,), seed=4, speed=50.0, sessions=2)
    async with ProtocolServer(config) as server:
        live = await asyncio.to_thread(
            cli, tmp_path, "events", "--url", server.url, "--limit", "40", "--record", str(record), AISCI_API_KEY=KEY
        )
    assert live.returncode == 0, live.stderr
    printed = live.stdout.splitlines()
    assert len(printed) == 40
    assert stat.S_IMODE(os.stat(record).st_mode) == 0o600
    lines = record.read_text().splitlines()
    assert len(lines) >= 40 and KEY not in record.read_text()
    assert all(isinstance(json.loads(line)["arrival"], float) for line in lines)

    replayed = cli(tmp_path, "events", "--from", str(record), "--limit", "40")
    assert replayed.returncode == 0, replayed.stderr
    assert replayed.stdout.splitlines() == printed
    summary = json.loads(replayed.stderr.strip().splitlines()[-1])
    assert summary["events"] == 40 and summary["invalid"] == 0


def test_events_from_filters_by_type_and_session_and_reports_bad_lines(tmp_path):
    path = tmp_path / "sim.jsonl"
    events = write_recording(path, minutes=3)
    with open(path, "a") as fh:
        fh.write("this is not json\n")
    session = next(e.data.session_id for e in events if e.type == "research_progress")
    out = cli(tmp_path, "events", "--from", str(path), "--type", "research_progress", "--session", session)
    assert out.returncode == 0, out.stderr
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    expected = [e for e in events if e.type == "research_progress" and e.data.session_id == session]
    assert [r["id"] for r in rows] == [e.id for e in expected] and rows
    assert "line" in out.stderr and "not valid JSON" in out.stderr  # the bad line, told on stderr
    whole = cli(tmp_path, "events", "--from", str(path), "--format", "text")
    assert len(whole.stdout.splitlines()) == len(events)


def test_bad_replay_arguments_are_one_sentence_and_exit_2(tmp_path):
    folder = tmp_path / "a-folder"
    folder.mkdir()
    cases = [
        (("events", "--from", str(tmp_path / "nope.jsonl")), "does not exist"),
        (("events", "--from", str(folder)), "is not a file"),
        (("events", "--speed", "2"), "--speed only applies with --from"),
        (("events", "--from", str(folder), "--url", "ws://127.0.0.1:9/ws"), "leave out --url"),
        (("replay", str(tmp_path / "nope.jsonl")), "does not exist"),
        (("events", "--url", "ws://127.0.0.1:9/ws", "--record", str(folder)), "it is a folder"),
    ]
    for args, words in cases:
        out = cli(tmp_path, *args, AISCI_API_KEY=KEY)
        assert out.returncode == 2, (args, out.stderr)
        lines = out.stderr.strip().splitlines()
        assert len(lines) == 1 and words in lines[0] and "Traceback" not in out.stderr, (args, out.stderr)


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_replay_command_in_a_terminal(tmp_path):
    path = tmp_path / "sim.jsonl"
    write_recording(path, minutes=5)
    total = int(load_lines(path)[-1].offset)
    end = f"{total // 60}:{total % 60:02d}/{total // 60}:{total % 60:02d}"
    term = Pty([*CLI, "replay", str(path), "--speed", "2", "--images", "off"], env=cli_env(tmp_path), cwd=tmp_path)
    try:
        assert term.wait_for("● open", "▶ sim.jsonl"), term.output[-3000:]
        term.send(" ")
        assert term.wait_for("⏸ sim.jsonl"), term.output[-3000:]
        term.send("$")
        assert term.wait_for(end), term.output[-3000:]
        term.send("q")
        code = term.finish()
    finally:
        term.close()
    assert code == 0 and b"Traceback" not in term.output
