"""`aisci-tui events` end to end: a real subprocess against the project's server on loopback."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from contextlib import asynccontextmanager
from typing import Any

import pytest

from aisci_tui import exitcodes
from tests.client.conftest import API_KEY, agent_event, free_port
from tests.client.test_hostile import CORPUS


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AISCI_")}
    env.update(extra)
    return env


@asynccontextmanager
async def events_process(*args: str, env: dict[str, str] | None = None):
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "aisci_tui",
        "events",
        *args,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=env if env is not None else clean_env(AISCI_API_KEY=API_KEY),
    )
    try:
        yield proc
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()


async def run(*args: str, env: dict[str, str] | None = None, timeout: float = 20) -> tuple[int, str, str]:
    async with events_process(*args, env=env) as proc:
        out, err = await asyncio.wait_for(proc.communicate(), timeout)
        return proc.returncode, out.decode(), err.decode()


@asynccontextmanager
async def publishing(server, make_event=agent_event, every: float = 0.01):
    """Publish events until the block ends."""

    async def loop() -> None:
        while True:
            await server.publish(make_event())
            await asyncio.sleep(every)

    task = asyncio.create_task(loop())
    try:
        yield
    finally:
        task.cancel()


def summary(stderr: str) -> dict[str, Any]:
    last = stderr.strip().splitlines()[-1]
    data = json.loads(last)
    assert set(data) == {"received", "events", "invalid", "duplicates", "reconnects"}
    return data


async def wait_subscribed(server, count: int = 1) -> None:
    for _ in range(500):
        if server.stats.get("subscriptions", 0) >= count:
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the events command never subscribed")


async def test_limit_prints_each_event_once_then_a_summary(any_server):
    async with publishing(any_server):
        code, out, err = await run("--url", any_server.url, "--limit", "5")
    assert code == exitcodes.OK
    lines = [json.loads(line) for line in out.splitlines()]
    assert len(lines) == 5 and len({m["id"] for m in lines}) == 5
    assert all({"type", "id", "timestamp", "data"} <= set(m) for m in lines)
    assert summary(err)["events"] == 5


async def test_duration_stops_with_exit_zero(any_server):
    code, out, err = await run("--url", any_server.url, "--duration", "0.5")
    assert code == exitcodes.OK and out == ""
    assert summary(err) == {"received": 2, "events": 0, "invalid": 0, "duplicates": 0, "reconnects": 0}


async def test_session_and_type_filters(any_server):
    sessions = iter(["ses-1", "ses-2"] * 100)
    async with publishing(any_server, lambda: agent_event(next(sessions))):
        code, out, _ = await run("--url", any_server.url, "--session", "ses-1", "-t", "agent_status", "--limit", "4")
    lines = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and len(lines) == 4
    assert {m["data"]["session_id"] for m in lines} == {"ses-1"} and {m["type"] for m in lines} == {"agent_status"}


async def test_text_format_shows_server_text_without_escapes(any_server):
    hostile = "Evil\x1b[2J\x1b]52;c;ZXZpbA==\x07Agent\u202e"
    async with publishing(any_server, lambda: agent_event(name=hostile)):
        code, out, _ = await run("--url", any_server.url, "--format", "text", "--limit", "2")
    assert code == 0 and len(out.splitlines()) == 2
    assert "agent_status" in out and "Evil" in out and "Agent" in out
    assert not any(ch in out for ch in "\x1b\x07\u202e")


async def test_invalid_frames_never_reach_stdout(server):
    async with events_process("--url", server.url, "--limit", "3") as proc:
        await wait_subscribed(server)
        for frame, _ in CORPUS[:10]:
            await server.inject_raw(frame)
        async with publishing(server):
            out, err = await asyncio.wait_for(proc.communicate(), 20)
    assert proc.returncode == 0
    assert [json.loads(line)["type"] for line in out.decode().splitlines()] == ["agent_status"] * 3
    warnings = [line for line in err.decode().splitlines() if "invalid frame" in line]
    assert len(warnings) == 10 and summary(err.decode())["invalid"] == 10


@pytest.mark.parametrize(
    "case,expected,needle",
    [
        ("wrong-key", exitcodes.AUTH_FAILED, "Authentication failed"),
        ("no-credentials", exitcodes.AUTH_FAILED, "AISCI_API_KEY="),
        ("refused", exitcodes.GAVE_UP, "Gave up after 2"),
        ("404", exitcodes.NOT_WEBSOCKET, "404"),
        ("bad-url", exitcodes.USAGE, "ws://"),
        ("bad-type", exitcodes.USAGE, "Unknown event type"),
    ],
)
async def test_exit_codes(server, case, expected, needle):
    url, env, extra = server.url, clean_env(AISCI_API_KEY=API_KEY), []
    if case == "wrong-key":
        env = clean_env(AISCI_API_KEY="not-the-key")
    elif case == "no-credentials":
        env = clean_env()
    elif case == "refused":
        url, extra = f"ws://127.0.0.1:{free_port()}/ws", ["--max-attempts", "2"]
    elif case == "404":
        url = url.replace("/ws", "/nothing-here")
    elif case == "bad-url":
        url = "http://127.0.0.1:1/ws"
    elif case == "bad-type":
        extra = ["-t", "gossip"]
    code, out, err = await run("--url", url, "--limit", "1", *extra, env=env)
    assert code == expected and out == ""
    assert needle in err and "Traceback" not in err
    if case == "wrong-key":
        assert "not-the-key" not in err


async def test_tokens_never_reach_output_or_the_log(server, tmp_path):
    token_file = tmp_path / "token"
    token_file.write_text(API_KEY)
    token_file.chmod(0o600)
    log_file = tmp_path / "events.log"
    async with publishing(server):
        code, out, err = await run(
            "--url",
            server.url,
            "--limit",
            "2",
            "--token-file",
            str(token_file),
            "--log-file",
            str(log_file),
            "-v",
            env=clean_env(),
        )
    log = log_file.read_text()
    assert code == 0 and os.stat(log_file).st_mode & 0o777 == 0o600
    assert '"type":"auth","data":"<redacted>"' in log and "received" in log
    for text in (out, err, log):
        assert API_KEY not in text


async def test_ctrl_c_exits_zero_with_a_summary(server):
    async with publishing(server), events_process("--url", server.url) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        first = await asyncio.wait_for(proc.stdout.readline(), 10)
        assert json.loads(first)["type"] == "agent_status"
        proc.send_signal(signal.SIGINT)
        out, err = await asyncio.wait_for(proc.communicate(), 10)
    assert proc.returncode == 0
    assert summary(err.decode())["events"] >= 1 and "Traceback" not in err.decode()


async def test_broken_pipe_exits_quietly(server):
    async with publishing(server, every=0.002), events_process("--url", server.url) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        await asyncio.wait_for(proc.stdout.readline(), 10)
        proc._transport.get_pipe_transport(1).close()  # the reader goes away, as `| head` does
        err = await asyncio.wait_for(proc.stderr.read(), 10)
        await asyncio.wait_for(proc.wait(), 10)
    assert proc.returncode == 0
    assert "Traceback" not in err.decode() and "BrokenPipe" not in err.decode()


def test_help_lists_the_exit_codes():
    from typer.testing import CliRunner

    from aisci_tui.cli import app

    result = CliRunner().invoke(app, ["events", "--help"])
    text = " ".join(result.output.split())
    assert result.exit_code == 0
    assert "Exit codes" in text and "3 authentication failed" in text and "7 host not found" in text
    assert "--token-file" in text and "--token " not in text


def test_no_option_takes_a_token_value():
    from typer.testing import CliRunner

    from aisci_tui.cli import app

    result = CliRunner().invoke(app, ["events", "--token", "abc"])
    assert result.exit_code == exitcodes.USAGE and "abc" not in result.output.replace("--token", "")


async def test_history_is_printed_first_by_default_and_not_with_no_history(any_server):
    """A server holding a run that is not changing: `events` lists what exists (as the dashboard does)."""
    held = [agent_event(agent=f"agt-h{i}") for i in range(3)]
    for event in held:
        await any_server.publish(event)
    code, out, _ = await run("--url", any_server.url, "--limit", "3")
    assert code == exitcodes.OK and [json.loads(line)["id"] for line in out.splitlines()] == [e.id for e in held]
    code, out, err = await run("--url", any_server.url, "--no-history", "--duration", "0.5")
    assert code == exitcodes.OK and out == "" and summary(err)["events"] == 0


def test_help_tells_of_the_history_default():
    import subprocess

    out = subprocess.run(
        [sys.executable, "-m", "aisci_tui", "events", "--help"],
        capture_output=True,
        text=True,
        env={**clean_env(), "COLUMNS": "200"},
        timeout=30,
    ).stdout
    assert "--history" in out and "--no-history" in out and "still holds" in out
