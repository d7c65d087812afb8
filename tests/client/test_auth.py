"""Authentication against the project's server: success, failure, refresh, permanent failure."""

from __future__ import annotations

import asyncio

from aisci_tui import exitcodes
from aisci_tui.client import Client, Credentials
from aisci_tui.protocol import encode, make
from aisci_tui.server.auth import mint_jwt
from aisci_tui.sources.base import ConnectionState
from tests.client.conftest import SECRET, agent_event, collecting, fast_config, running


async def test_api_key_and_jwt_both_open_the_connection(server):
    for creds in (Credentials(api_key="client-test-key-0123456789"), Credentials(token=mint_jwt(SECRET))):
        async with collecting(fast_config(server.url, creds)) as col:
            await col.client.ready()
            assert col.client.state is ConnectionState.OPEN
            await server.publish(agent_event())
            await col.until(lambda c: len(c.events) == 1)
        assert col.states()[:2] == [ConnectionState.CONNECTING, ConnectionState.OPEN]
        assert col.states()[-2:] == [ConnectionState.CLOSING, ConnectionState.CLOSED]


async def test_invalid_key_is_fatal_at_once_without_reconnecting(server):
    client = Client(fast_config(server.url, Credentials(api_key="wrong-key")))
    items = [item async for item in client]
    assert client.exit_code == exitcodes.AUTH_FAILED
    assert client.state is ConnectionState.ERROR
    fatal = items[-1]
    assert fatal.fatal and fatal.state is ConnectionState.ERROR
    assert "Authentication failed" in fatal.text and "AISCI_API_KEY" in fatal.text
    assert "wrong-key" not in fatal.text
    assert server.stats["connections_total"] == 1 and server.stats["auth_failed"] == 1
    assert not any(getattr(n, "state", None) is ConnectionState.RECONNECTING for n in items)


async def test_expired_token_that_does_not_change_is_fatal_after_one_try(server):
    client = Client(fast_config(server.url, Credentials(token=mint_jwt(SECRET, ttl=-10))))
    items = [item async for item in client]
    assert client.exit_code == exitcodes.AUTH_FAILED
    assert "expired" in items[-1].text
    assert server.stats["connections_total"] == 1 and server.stats["auth_failed"] == 1


class RotatingFile(Credentials):
    """Reads a token file, which a helper rotates right after the first read."""

    def __init__(self, path, fresh: str):
        super().__init__(token_file=path)
        self.path, self.fresh, self.reads = path, fresh, 0

    async def get(self):
        cred = await super().get()
        self.reads += 1
        if self.reads == 1:
            self.path.write_text(self.fresh)
        return cred


def token_file(tmp_path, token: str):
    path = tmp_path / "token"
    path.write_text(token)
    path.chmod(0o600)
    return path


async def test_expired_token_is_refreshed_from_the_file_before_giving_up(server, tmp_path):
    path = token_file(tmp_path, mint_jwt(SECRET, ttl=-10))
    async with collecting(fast_config(server.url, RotatingFile(path, mint_jwt(SECRET, ttl=600)))) as col:
        await col.client.ready()
    assert server.stats["auth_failed"] == 1 and server.stats["auth_ok"] == 1
    assert server.stats["connections_total"] == 1


async def test_token_refresh_required_reauthenticates_on_the_same_connection(tmp_path):
    path = token_file(tmp_path, mint_jwt(SECRET, ttl=4))
    async with running(token_refresh_lead=3.0) as srv:
        async with collecting(fast_config(srv.url, RotatingFile(path, mint_jwt(SECRET, ttl=600)))) as col:
            await col.client.ready()
            await col.until(lambda c: any("fresh credential" in n.text for n in c.notices), timeout=3)
            await srv.publish(agent_event())
            await col.until(lambda c: len(c.events) == 1)
            assert srv.stats["auth_ok"] == 2
            assert srv.stats["connections_total"] == 1 and col.client.stats.reconnects == 0
            assert col.client.state is ConnectionState.OPEN


async def test_refresh_with_an_unchanging_token_ends_in_auth_failure_not_a_loop():
    token = mint_jwt(SECRET, ttl=2)
    async with running(token_refresh_lead=1.8) as srv:
        client = Client(fast_config(srv.url, Credentials(token=token)))
        items = await asyncio.wait_for(_drain(client), 8)
        assert client.exit_code == exitcodes.AUTH_FAILED
        assert any("same one" in getattr(n, "text", "") for n in items)
        assert srv.stats["connections_total"] <= 2  # at most one reconnect, then stop


async def test_authentication_failed_while_open_reauthenticates_once(server):
    async with collecting(fast_config(server.url)) as col:
        await col.client.ready()
        await server.inject_raw(encode(make("error", {"code": "AUTHENTICATION_FAILED", "message": "who?"})))
        await col.until(lambda c: any("fresh credential" in n.text for n in c.notices))
        assert server.stats["auth_ok"] == 2 and col.client.state is ConnectionState.OPEN


async def test_token_expired_error_with_a_static_token_is_fatal(server):
    client = Client(fast_config(server.url, Credentials(token=mint_jwt(SECRET))))
    col_items: list = []

    async def run():
        async for item in client:
            col_items.append(item)
            if getattr(item, "state", None) is ConnectionState.OPEN:
                await server.inject_raw(encode(make("error", {"code": "TOKEN_EXPIRED", "message": "old"})))

    await asyncio.wait_for(run(), 5)
    assert client.exit_code == exitcodes.AUTH_FAILED and col_items[-1].fatal


async def _drain(client: Client) -> list:
    return [item async for item in client]
