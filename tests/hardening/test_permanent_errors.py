"""Permanent errors stop ``aisci-tui events`` cleanly; TLS is verified unless told otherwise.

Each failure runs the real command in a child process and gets one sentence on
stderr saying what failed and what to do, its own exit code, and no traceback.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import pytest

from aisci_tui import exitcodes
from aisci_tui.protocol import from_obj
from aisci_tui.server import ProtocolServer, ServerConfig
from tests.hardening.conftest import API_KEY, Certificate, TcpProxy, clean_env, http_page, run_cli, until
from tests.rendered import status_shown

HTML = "<!doctype html><html><head><title>Welcome</title></head><body><h1>It works!</h1></body></html>"


@pytest.fixture
async def server() -> AsyncIterator[ProtocolServer]:
    async with ProtocolServer(ServerConfig(port=0, api_keys=(API_KEY,), simulate=False)) as srv:
        yield srv


def the_sentence(stderr: str) -> str:
    """The one line that says what went wrong (the JSON summary line follows it)."""
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert lines and json.loads(lines[-1]).keys() >= {"received", "events"}, stderr
    said = [line for line in lines[:-1] if line.startswith("aisci-tui: ")]
    assert len(said) == 1, f"expected one sentence, got {lines[:-1]}"
    return said[0].removeprefix("aisci-tui: ")


async def test_each_permanent_error_is_one_sentence_with_its_own_exit_code(server, certificate: Certificate):
    async with (
        http_page(404, "Not here\n", "text/plain") as not_found,
        http_page(200, HTML) as html_page,
        TcpProxy(server.port, tls=certificate.server_context()) as tls,
    ):
        cases = {
            "bad credentials": (
                server.url,
                clean_env(AISCI_API_KEY="not-the-right-key"),
                exitcodes.AUTH_FAILED,
                ("Authentication failed", "Check the credential"),
            ),
            "HTTP 404": (
                not_found,
                clean_env(AISCI_API_KEY=API_KEY),
                exitcodes.NOT_WEBSOCKET,
                ("404", "check the URL"),
            ),
            "an HTML page": (
                html_page,
                clean_env(AISCI_API_KEY=API_KEY),
                exitcodes.NOT_WEBSOCKET,
                ("200", "check the URL"),
            ),
            "TLS": (
                tls.url("wss"),
                clean_env(AISCI_API_KEY=API_KEY),
                exitcodes.TLS_FAILED,
                ("certificate", "--ca-file"),
            ),
            "DNS": (
                "ws://aisci-tui-test.invalid/ws",
                clean_env(AISCI_API_KEY=API_KEY),
                exitcodes.HOST_NOT_FOUND,
                ("could not be found", "check the host name"),
            ),
        }
        results = await asyncio.gather(
            *(run_cli("events", "--url", url, "--limit", "1", env=env) for url, env, _, _ in cases.values())
        )
    codes = {}
    for (name, (_, _, expected, needles)), (code, out, err) in zip(cases.items(), results, strict=True):
        assert code == expected, f"{name}: exit {code}, stderr {err[-500:]}"
        assert out == "" and "Traceback" not in err, name
        sentence = the_sentence(err)
        assert sentence.endswith(".") and len(sentence) < 300, f"{name}: {sentence}"
        for needle in needles:
            assert needle in sentence, f"{name}: {needle!r} missing from {sentence!r}"
        assert "not-the-right-key" not in err
        codes[name] = code
    assert len(set(codes.values())) == 4 and not {exitcodes.OK, exitcodes.ERROR} & set(codes.values())


async def test_ca_file_makes_a_self_signed_server_trusted_and_insecure_warns(server, certificate: Certificate):
    async def publish_until(done: asyncio.Event) -> None:
        n = 0
        while not done.is_set():
            n += 1
            await server.publish(
                from_obj(
                    {  # type: ignore[arg-type]
                        "type": "agent_status",
                        "id": f"tls-{n}",
                        "timestamp": "2026-03-01T10:00:00Z",
                        "data": {"agent_id": "agt-1", "status": "busy"},
                    }
                )
            )
            await asyncio.sleep(0.02)

    async with TcpProxy(server.port, tls=certificate.server_context()) as tls:
        done = asyncio.Event()
        publisher = asyncio.create_task(publish_until(done))
        env = clean_env(AISCI_API_KEY=API_KEY)
        try:
            trusted, insecure = await asyncio.gather(
                run_cli("events", "--url", tls.url("wss"), "--limit", "2", "--ca-file", str(certificate.cert), env=env),
                run_cli("events", "--url", tls.url("wss"), "--limit", "2", "--insecure", env=env),
            )
        finally:
            done.set()
            await publisher
    code, out, err = trusted
    assert code == 0 and len(out.splitlines()) == 2, err
    assert "verification is off" not in err
    code, out, err = insecure
    assert code == 0 and len(out.splitlines()) == 2, err
    assert "Certificate verification is off (--insecure)" in err


async def test_insecure_stays_on_the_status_line_for_the_whole_session(server, certificate: Certificate, tmp_path):
    from aisci_tui.client import Client, ClientConfig, Credentials, Subscription
    from aisci_tui.settings import Settings
    from aisci_tui.sources.base import ConnectionState
    from aisci_tui.tui.app import DashboardApp

    async with TcpProxy(server.port, tls=certificate.server_context()) as tls:
        client = Client(
            ClientConfig(
                url=tls.url("wss"),
                credentials=Credentials(api_key=API_KEY),
                subscriptions=[Subscription()],
                insecure=True,
                backoff_base=0.02,
                backoff_cap=0.05,
            )
        )
        app = DashboardApp(
            client, settings=Settings.model_construct(export_dir=tmp_path, refresh_hz=30.0), insecure=True
        )

        def status() -> str:
            return status_shown(app)

        async with app.run_test(size=(140, 30)) as pilot:
            await until(lambda: client.state is ConnectionState.OPEN, what="open over wss")
            await pilot.pause(0.1)
            assert "verification is off" in status()
            for round_ in range(1, 3):
                await server.drop_all()
                await until(
                    lambda r=round_: client.stats.reconnects == r and client.state is ConnectionState.OPEN,
                    what="reconnected",
                )
                await pilot.press("2", "5")
                await pilot.pause(0.1)
                assert "verification is off" in status(), "the warning stays after a reconnect"
            assert status().count("verification is off") == 1
        await client.aclose()
