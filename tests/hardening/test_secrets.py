"""Secrets and exposure: the token never shows up anywhere, bad tokens are refused, the server stays local.

The full-session test runs ``aisci-tui serve`` (with a JWT secret) and
``aisci-tui events -v --log-file … --record …`` (with ``AISCI_TOKEN``) as child
processes, and the dashboard headless with exports and screenshots; then it
searches every channel for the token and the secret: both processes' argv
(``/proc/<pid>/cmdline``), stdout, stderr, log files, the recording, the
exports and the SVGs.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import stat
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import jwt
import pytest

from aisci_tui import exitcodes
from aisci_tui.client import Client, ClientConfig, Credentials, SubscribeOptions, Subscription
from aisci_tui.server.auth import mint_jwt
from aisci_tui.settings import Settings
from tests.hardening.conftest import JWT_SECRET, ServeProcess, clean_env, cli, free_port, run_cli, until


def cmdline(pid: int) -> str:
    return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")


@pytest.fixture(scope="module")
def jwt_server() -> Iterator[ServeProcess]:
    """``aisci-tui serve`` with a JWT secret from the environment (never from argv), default host."""
    server = ServeProcess(
        ["--seed", "3", "--rate", "300", "--warmup", "20", "-v"], clean_env(AISCI_JWT_SECRET=JWT_SECRET), free_port()
    )
    server.start()
    yield server
    server.stop()


async def test_a_full_session_never_shows_the_token_anywhere(jwt_server: ServeProcess, tmp_path: Path):
    if sys.platform != "linux":
        pytest.skip("reads /proc/<pid>/cmdline")
    from aisci_tui.logging_setup import setup_logging
    from aisci_tui.tui.app import DashboardApp

    token = mint_jwt(JWT_SECRET, subject="hardening", ttl=600)
    signature = token.rsplit(".", 1)[1]
    log, record = tmp_path / "events.log", tmp_path / "session.jsonl"
    assert jwt_server.proc is not None
    argv = {"serve": cmdline(jwt_server.proc.pid)}

    proc = await asyncio.create_subprocess_exec(
        *cli("events", "--url", jwt_server.url, "-v", "--log-file", str(log), "--record", str(record), "--limit", "30"),
        env=clean_env(AISCI_TOKEN=token),
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    argv["events"] = cmdline(proc.pid)
    out, err = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode == 0, err.decode()[-1000:]

    exports = tmp_path / "exports"
    dash_log = tmp_path / "dashboard.log"
    setup_logging(dash_log, verbose=True, stderr=False)
    try:
        client = Client(
            ClientConfig(
                url=jwt_server.url,
                credentials=Credentials(token=token),
                subscriptions=[Subscription(options=SubscribeOptions(include_history=True))],
            )
        )
        app = DashboardApp(client, settings=Settings.model_construct(export_dir=exports, refresh_hz=20.0))
        async with app.run_test(size=(140, 40)) as pilot:
            await until(lambda: app.store.counters.applied >= 20, what="events on the dashboard")
            shots = []
            for view_id in app.views:
                await app.run_action(f"show_view('{view_id}')")
                await pilot.pause(0.05)
                app.action_export_as("json")
                app.action_export_as("csv")
                shots.append(app.export_screenshot())
            app.action_save_svg()
            await app.run_action("help")
            await pilot.pause(0.05)
            shots.append(app.export_screenshot())
        await client.aclose()
    finally:
        setup_logging(None)

    channels: dict[str, str] = {
        "events stdout": out.decode(),
        "events stderr": err.decode(),
        "events log": log.read_text(),
        "recording": record.read_text(),
        "dashboard log": dash_log.read_text(),
        **{f"argv of {name}": text for name, text in argv.items()},
        **{f"screenshot {n}": svg for n, svg in enumerate(shots)},
        **{f"export {p.name}": p.read_text() for p in sorted(exports.iterdir())},
    }
    views = len(app.views)  # one JSON and one CSV export per view
    assert len(list(exports.glob("*.json"))) == views and len(list(exports.glob("*.csv"))) == views
    assert len(list(exports.glob("*.svg"))) == 1
    for name, text in channels.items():
        for secret, what in ((token, "token"), (signature, "token signature"), (JWT_SECRET, "JWT secret")):
            assert secret not in text, f"the {what} appears in {name}"
    assert '"type":"auth","data":"<redacted>"' in channels["events log"], "the auth message is logged, redacted"
    assert channels["events log"].count("received") >= 30
    assert len(channels["recording"].splitlines()) == 30
    for private in (log, record, dash_log):
        assert stat.S_IMODE(os.stat(private).st_mode) == 0o600, f"{private.name} is owner-only"


def unsigned(claims: dict) -> str:
    def b64(obj: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

    return f"{b64({'alg': 'none', 'typ': 'JWT'})}.{b64(claims)}."


async def test_bad_tokens_are_refused_over_the_wire_and_never_echoed(jwt_server: ServeProcess):
    now = int(time.time())
    tokens = {
        "alg none": unsigned({"sub": "mallory", "exp": now + 600}),
        "wrong signature": mint_jwt("another-secret-that-is-also-long-enough-0", subject="mallory", ttl=600),
        "expired": mint_jwt(JWT_SECRET, subject="mallory", ttl=-30),
        "no exp": jwt.encode({"sub": "mallory"}, JWT_SECRET, algorithm="HS256"),
    }
    results = await asyncio.gather(
        *(
            run_cli("events", "--url", jwt_server.url, "--limit", "1", env=clean_env(AISCI_TOKEN=t))
            for t in tokens.values()
        )
    )
    for (name, token), (code, out, err) in zip(tokens.items(), results, strict=True):
        assert code == exitcodes.AUTH_FAILED, f"{name}: exit {code}: {err[-400:]}"
        assert "Authentication failed" in err and "Traceback" not in err and out == "", name
        assert token not in err and token.split(".")[1] not in err, f"{name}: the token was echoed"


async def test_a_token_file_others_can_read_gets_a_warning(jwt_server: ServeProcess, tmp_path: Path):
    token = mint_jwt(JWT_SECRET, ttl=600)
    loose, tight = tmp_path / "loose.token", tmp_path / "tight.token"
    for path, mode in ((loose, 0o644), (tight, 0o600)):
        path.write_text(token + "\n")
        path.chmod(mode)
    (code_l, _, err_l), (code_t, _, err_t) = await asyncio.gather(
        *(
            run_cli("events", "--url", jwt_server.url, "--limit", "1", "--token-file", str(p), env=clean_env())
            for p in (loose, tight)
        )
    )
    assert code_l == 0 and code_t == 0, err_l + err_t
    assert f"The token file {loose} is accessible by other users (mode 0644)" in err_l
    assert f"chmod 600 {loose}" in err_l
    assert "accessible by other users" not in err_t
    assert token not in err_l + err_t


def listening_addresses(port: int) -> list[str]:
    """Local addresses of sockets listening on ``port`` (from /proc/net/tcp and tcp6)."""
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.rsplit(":", 1)
            if int(hex_port, 16) == port and state == "0A":  # LISTEN
                found.append(address)
    return found


def test_the_server_listens_on_loopback_only_by_default(jwt_server: ServeProcess):
    if not Path("/proc/net/tcp").exists():
        pytest.skip("reads /proc/net/tcp")
    assert listening_addresses(jwt_server.port) == ["0100007F"], "only 127.0.0.1 (no 0.0.0.0, no IPv6 any)"


def test_api_keys_are_compared_in_constant_time(monkeypatch):
    """Every configured key is compared with hmac.compare_digest, whichever key matches (or none)."""
    from aisci_tui.server import auth

    calls: list[tuple[bytes, bytes]] = []
    real = auth.hmac.compare_digest

    def counting(a: bytes, b: bytes) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(auth.hmac, "compare_digest", counting)
    keys = ("key-one-aaaaaaaaaaaa", "key-two-bbbbbbbbbbbb", "key-three-cccccccccc")
    checker = auth.Authenticator(None, keys)
    for given in (keys[0], keys[2], "key-one-aaaaaaaaaaab", "x"):
        calls.clear()
        try:
            checker.check(None, given)
        except auth.AuthFailure:
            pass
        assert len(calls) == len(keys), f"{given!r}: compared with {len(calls)} keys, not all {len(keys)}"
