"""`aisci-tui serve` and `aisci-tui token` as a person runs them."""

from __future__ import annotations

import asyncio
import io
import os
import re
import signal
import socket
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from aisci_tui.cli import app
from aisci_tui.server.auth import Authenticator
from aisci_tui.server.config import ServerConfig
from aisci_tui.server.runner import ServeOptions, build_config, serve_forever
from tests.server.helpers import SECRET, peer

CLEAN_ENV = {k: v for k, v in os.environ.items() if not k.startswith("AISCI_")}


def spawn(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "aisci_tui", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env or CLEAN_ENV,
    )


async def test_serve_prints_url_and_dev_key_then_stops_cleanly_on_ctrl_c():
    proc = spawn("serve", "--port", "0", "--seed", "4", "--speed", "20")
    try:
        line = await asyncio.wait_for(asyncio.to_thread(proc.stdout.readline), 10)
        url = re.search(r"ws://127\.0\.0\.1:\d+/ws", line).group(0)
        err_lines = [proc.stderr.readline(), proc.stderr.readline()]
        key_line = next(x for x in err_lines if x.startswith("AISCI_API_KEY="))
        key = key_line.split()[0].split("=", 1)[1]
        assert f"aisci-tui events --url {url}" in key_line
        async with peer(url, authed=False) as p:
            assert (await p.auth(key))["data"]["status"] == "success"
            await p.subscribe(["research_progress"], options={"include_history": True})
            (ev,) = await p.events(1, timeout=5)
            assert ev["data"]["title"]
            proc.send_signal(signal.SIGINT)
            assert (await p.expect("error", timeout=5))["data"]["code"] == "SERVICE_UNAVAILABLE"
        out, err = await asyncio.to_thread(proc.communicate, timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0
    assert "Traceback" not in err and key not in err  # the key was printed once, at start
    assert "Server stopped." in err


def test_serve_port_in_use_is_one_sentence():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        proc = spawn("serve", "--port", str(port))
        out, err = proc.communicate(timeout=15)
    assert proc.returncode == 1
    assert err.strip() == f"Port {port} on 127.0.0.1 is already in use; choose another with --port."


def test_serve_bad_path_is_usage_error():
    proc = spawn("serve", "--path", "ws")
    out, err = proc.communicate(timeout=15)
    assert proc.returncode == 2 and "Traceback" not in err and "path" in err


async def test_non_loopback_host_warns():
    cfg = build_config(ServeOptions({"host": "0.0.0.0", "port": 0}, environ={"AISCI_API_KEYS": "a,b"}))
    assert cfg.api_keys == ("a", "b") and not cfg.is_loopback
    out, err = io.StringIO(), io.StringIO()
    stop = asyncio.Event()
    stop.set()
    await serve_forever(cfg, out=out, err=err, stop=stop)
    assert "reachable from the network" in err.getvalue()
    assert "AISCI_API_KEY=" not in err.getvalue()  # keys were configured: no dev key
    assert out.getvalue().startswith("Serving ws://0.0.0.0:")


def test_loopback_detection():
    assert ServerConfig().is_loopback and ServerConfig(host="::1").is_loopback
    assert not ServerConfig(host="192.168.1.5").is_loopback
    with pytest.raises(ValueError):
        ServerConfig(drop_every=0)


def test_token_command(monkeypatch):
    runner = CliRunner()
    monkeypatch.delenv("AISCI_JWT_SECRET", raising=False)
    result = runner.invoke(app, ["token"])
    assert result.exit_code == 2 and "AISCI_JWT_SECRET is not set" in result.output
    monkeypatch.setenv("AISCI_JWT_SECRET", SECRET)
    result = runner.invoke(app, ["token", "--ttl", "120", "--subject", "bob", "--permission", "agents"])
    assert result.exit_code == 0
    principal = Authenticator(SECRET, ()).check(result.output.strip(), None)
    assert principal.user_id == "bob" and principal.permissions == ("agents",)
    assert principal.may_read("agent_status") and not principal.may_read("system_event")


async def test_feed_failure_is_reported_once_and_server_keeps_running():
    cfg = build_config(ServeOptions({"port": 0}, environ={"AISCI_API_KEYS": "k"}))

    async def broken_feed():
        raise RuntimeError("run folder vanished")
        yield  # pragma: no cover

    out, err = io.StringIO(), io.StringIO()
    stop = asyncio.Event()
    task = asyncio.create_task(serve_forever(cfg, broken_feed, out=out, err=err, stop=stop))
    await asyncio.sleep(0.2)
    assert not task.done()
    stop.set()
    await asyncio.wait_for(task, 5)
    assert err.getvalue().count("event feed stopped with an error (RuntimeError)") == 1
    assert "run folder vanished" not in err.getvalue()
