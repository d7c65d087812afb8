"""Keep-alive, dead links, reconnects with backoff, resume without loss, error codes, connect failures."""

from __future__ import annotations

import asyncio
import random
import shutil
import ssl
import subprocess
import time
from http import HTTPStatus

import pytest

from aisci_tui import exitcodes
from aisci_tui.client import Client, Subscription
from aisci_tui.protocol import encode, make
from aisci_tui.server import ProtocolServer, ServerConfig
from aisci_tui.sources.base import ConnectionState
from tests.client.conftest import (
    API_KEY,
    agent_event,
    answer_basics,
    collecting,
    fast_config,
    free_port,
    mini_server,
    running,
)
from tests.client.test_parts import Upper


def error_frame(code: str, **extra) -> str:
    return encode(make("error", {"code": code, "message": f"test {code}", **extra}))


async def test_pings_are_sent_and_pongs_keep_an_idle_link_open(server):
    async with collecting(fast_config(server.url, ping_interval=0.05)) as col:
        await col.client.ready()
        before = server.stats["messages_received"]
        await asyncio.sleep(0.4)
        assert server.stats["messages_received"] - before >= 5  # pings
        assert ConnectionState.RECONNECTING not in col.states()
        assert col.client.stats.received >= 5  # pongs


async def test_a_silent_link_is_dropped_within_two_ping_intervals():
    async with mini_server(answer_basics(send_pong=False)) as url:
        async with collecting(fast_config(url, ping_interval=0.2)) as col:
            await col.client.ready()
            opened = time.monotonic()
            await col.until(lambda c: ConnectionState.RECONNECTING in c.states(), timeout=2)
            assert 0.2 <= time.monotonic() - opened <= 2 * 0.2 + 0.15
            drop = next(n for n in col.notices if n.state is ConnectionState.RECONNECTING)
            assert "ping" in drop.text


async def test_backoff_delays_double_to_the_cap_then_give_up():
    rng, delays = Upper(), []

    async def sleep(seconds: float) -> None:
        delays.append(seconds)

    url = f"ws://127.0.0.1:{free_port()}/ws"
    cfg = fast_config(url, max_attempts=6, backoff_base=0.5, backoff_cap=3.0)
    client = Client(cfg, rng=rng, sleep=sleep)
    items = [item async for item in client]
    assert delays == [0.5, 1.0, 2.0, 3.0, 3.0]
    assert all(a == 0.0 for a, _ in rng.calls)
    retries = [n for n in items if n.state is ConnectionState.RECONNECTING]
    assert [n.retry_in for n in retries] == delays and [n.attempt for n in retries] == [2, 3, 4, 5, 6]
    assert client.exit_code == exitcodes.GAVE_UP and items[-1].fatal and "Gave up after 6" in items[-1].text


async def test_jittered_delays_stay_in_range():
    delays: list[float] = []

    async def sleep(seconds: float) -> None:
        delays.append(seconds)

    cfg = fast_config(f"ws://127.0.0.1:{free_port()}/ws", max_attempts=8, backoff_base=1.0, backoff_cap=8.0)
    client = Client(cfg, rng=random.Random(3), sleep=sleep)
    _ = [item async for item in client]
    ceilings = [min(8.0, 2.0**n) for n in range(7)]
    assert len(delays) == 7 and all(0 <= d <= top for d, top in zip(delays, ceilings, strict=True))
    assert delays != ceilings


async def test_connection_refused_is_retried_until_the_server_appears():
    port = free_port()
    cfg = fast_config(f"ws://127.0.0.1:{port}/ws", backoff_base=0.05, backoff_cap=0.1)
    async with collecting(cfg) as col:
        await col.until(lambda c: ConnectionState.RECONNECTING in c.states())
        async with ProtocolServer(ServerConfig(port=port, api_keys=(API_KEY,), simulate=False)):
            await asyncio.wait_for(col.client.ready(), 3)
            assert col.client.state is ConnectionState.OPEN


async def test_resume_after_five_abrupt_drops_loses_and_repeats_nothing(server):
    sub = Subscription(events=["agent_status"])
    cfg = fast_config(server.url, subscriptions=[sub], backoff_base=0.005, backoff_cap=0.02)
    async with collecting(cfg) as col:
        await col.client.ready()
        published: list[str] = []
        stop = asyncio.Event()

        async def publisher() -> None:
            while not stop.is_set():
                event = agent_event(agent=f"agt-{len(published) % 7}")
                published.append(event.id)
                await server.publish(event)
                await asyncio.sleep(0.002)

        task = asyncio.create_task(publisher())
        for drop in range(1, 6):
            await asyncio.sleep(0.03)
            assert await server.drop_all() == 1
            await col.until(lambda c, n=drop: c.client.stats.reconnects == n)
        stop.set()
        await task
        await col.until(lambda c: {e.id for e in c.events} >= set(published))
        ids = [e.id for e in col.events]
        assert len(ids) == len(set(ids)) and set(ids) == set(published)
        # each resume asked for history after the last event seen, so nothing was sent twice
        assert col.client.stats.duplicates == 0
        assert [s for s in col.states() if s is ConnectionState.RECONNECTING] == [ConnectionState.RECONNECTING] * 5


async def test_server_side_drop_every_is_survived():
    # each resume replays the whole history, so it must fit between two drops for the client to progress
    async with running(drop_every=40, history_size=30) as srv:
        cfg = fast_config(srv.url, backoff_base=0.005, backoff_cap=0.02)
        async with collecting(cfg) as col:
            await col.client.ready()
            published = []
            for _ in range(150):
                event = agent_event()
                published.append(event.id)
                await srv.publish(event)
                await asyncio.sleep(0.003)
            await col.until(lambda c: {e.id for e in c.events} >= set(published))
            ids = [e.id for e in col.events]
            assert len(ids) == len(set(ids)) == 150 and col.client.stats.reconnects >= 3


async def test_reconnect_now_reconnects_at_once(server):
    async with collecting(fast_config(server.url, backoff_base=10.0, backoff_cap=10.0)) as col:
        await col.client.ready()
        await col.client.reconnect_now()
        await col.until(lambda c: c.client.stats.reconnects == 1, timeout=2)
        drop = next(n for n in col.notices if n.state is ConnectionState.RECONNECTING)
        assert drop.retry_in == 0.0


# -- error codes -------------------------------------------------------------------------


async def test_rate_limited_pauses_sending(server):
    async with collecting(fast_config(server.url, subscriptions=[])) as col:
        await col.client.ready()
        await server.inject_raw(error_frame("RATE_LIMITED", retry_after=0.3))
        await col.until(lambda c: any(n.code == "RATE_LIMITED" for n in c.kinds("error")))
        started = time.monotonic()
        await col.client.subscribe(["agent_status"])
        assert time.monotonic() - started >= 0.2
        assert col.client.state is ConnectionState.OPEN


@pytest.mark.parametrize("code", ["SERVICE_UNAVAILABLE", "CONNECTION_LIMIT"])
async def test_service_unavailable_and_connection_limit_back_off_and_reconnect(server, code):
    async with collecting(fast_config(server.url)) as col:
        await col.client.ready()
        await server.inject_raw(error_frame(code, retry_after=5))
        await col.until(lambda c: c.client.stats.reconnects == 1)
        drop = next(n for n in col.notices if n.state is ConnectionState.RECONNECTING)
        assert drop.retry_in == pytest.approx(0.05)  # the server's hint, bounded by backoff_cap
        assert any(n.code == code for n in col.kinds("error"))


async def test_connection_limit_counts_as_a_failed_attempt():
    async with running(max_connections=1) as srv:
        async with collecting(fast_config(srv.url)) as first:
            await first.client.ready()
            second = Client(fast_config(srv.url, max_attempts=3))
            items = [item async for item in second]
            assert second.exit_code == exitcodes.GAVE_UP
            assert sum(1 for n in items if n.code == "CONNECTION_LIMIT") == 3
            assert first.client.state is ConnectionState.OPEN


@pytest.mark.parametrize("code", ["INVALID_MESSAGE", "PERMISSION_DENIED", "SOMETHING_NEW"])
async def test_other_errors_are_reported_and_the_client_carries_on(server, code):
    async with collecting(fast_config(server.url)) as col:
        await col.client.ready()
        await server.inject_raw(error_frame(code, details={"permission_denied": ["system_event"]}))
        await server.publish(event := agent_event())
        await col.until(lambda c: any(e.id == event.id for e in c.events))
        notice = next(n for n in col.kinds("error") if n.code == code)
        assert f"test {code}" in notice.text
        assert col.client.stats.reconnects == 0


# -- connection failures ---------------------------------------------------------------------


async def _single_run(cfg) -> tuple[Client, list]:
    client = Client(cfg)
    items = await asyncio.wait_for(_drain(client), 10)
    return client, items


async def _drain(client):
    return [item async for item in client]


async def test_404_is_not_a_websocket_and_is_not_retried(server):
    client, items = await _single_run(fast_config(server.url.replace("/ws", "/nope")))
    assert client.exit_code == exitcodes.NOT_WEBSOCKET
    assert [n.state for n in items] == [ConnectionState.CONNECTING, ConnectionState.ERROR]
    assert "404" in items[-1].text


async def test_an_html_page_is_not_a_websocket():
    def html(connection, request):
        return connection.respond(HTTPStatus.OK, "<html><body>Welcome</body></html>\n")

    async with mini_server(answer_basics(), process_request=html) as url:
        client, items = await _single_run(fast_config(url))
    assert client.exit_code == exitcodes.NOT_WEBSOCKET and "200" in items[-1].text


async def test_unknown_host_is_fatal_at_once():
    client, items = await _single_run(fast_config("ws://no-such-host.invalid/ws"))
    assert client.exit_code == exitcodes.HOST_NOT_FOUND
    assert "could not be found" in items[-1].text


async def test_wss_to_a_plain_server_is_a_tls_failure(server):
    client, items = await _single_run(fast_config(server.url.replace("ws://", "wss://")))
    assert client.exit_code == exitcodes.TLS_FAILED


async def test_server_closing_normally_ends_the_client():
    async with mini_server(answer_basics(close_after_auth=1000)) as url:
        client, items = await _single_run(fast_config(url))
    assert client.exit_code == exitcodes.OK and client.state is ConnectionState.CLOSED
    assert items[-1].state is ConnectionState.CLOSED and "closed" in items[-1].text


async def test_oversized_and_non_utf8_frames_count_as_invalid_and_reconnect(server):
    async with collecting(fast_config(server.url, max_frame=10_000)) as col:
        await col.client.ready()
        await server.inject_raw('{"type":"system_event","id":"big","data":{"title":"' + "x" * 20_000 + '"}}')
        await col.until(lambda c: c.client.stats.reconnects == 1)
        assert col.client.stats.invalid == 1

    async def bad_utf8(ws):
        await ws.recv()
        await ws.send(encode(make("auth_response", {"status": "success"})))
        await ws.send(b"\xff\xfe\xfd", text=True)
        await ws.wait_closed()

    async with mini_server(bad_utf8) as url:
        async with collecting(fast_config(url, subscriptions=[])) as col:
            await col.until(lambda c: ConnectionState.RECONNECTING in c.states())
            assert col.client.stats.invalid == 1


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1 (made with the openssl command)."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
        timeout=30,
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return cert, context


async def test_tls_certificate_is_verified_by_default(certificate):
    cert, context = certificate
    async with mini_server(answer_basics(), ssl=context) as url:
        client, items = await _single_run(fast_config(url))
        assert client.exit_code == exitcodes.TLS_FAILED and "certificate" in items[-1].text
        async with collecting(fast_config(url, ca_file=str(cert))) as col:
            await col.client.ready()
        async with collecting(fast_config(url, insecure=True)) as col:
            await col.client.ready()
            assert any("verification is off" in n.text for n in col.notices if n.severity == "warning")
