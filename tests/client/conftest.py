"""Fixtures for client tests: the project's server on a loopback port, fast client settings."""

from __future__ import annotations

import asyncio
import itertools
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest

from aisci_tui.client import Client, ClientConfig, Credentials, Subscription
from aisci_tui.protocol import Event, make
from aisci_tui.server import ProtocolServer, ServerConfig
from aisci_tui.sources.base import ConnectionState, Notice

SECRET = "client-tests-secret-long-enough-for-hs256"
API_KEY = "client-test-key-0123456789"

_ids = itertools.count(1)


@asynccontextmanager
async def running(**overrides: Any) -> AsyncIterator[ProtocolServer]:
    """A server without the simulator: tests publish the events they need."""
    cfg: dict[str, Any] = {
        "port": 0,
        "jwt_secret": SECRET,
        "api_keys": (API_KEY,),
        "simulate": False,
        "auth_timeout": 5.0,
    }
    cfg.update(overrides)
    async with ProtocolServer(ServerConfig(**cfg)) as srv:
        yield srv


@pytest.fixture
async def server() -> AsyncIterator[ProtocolServer]:
    async with running() as srv:
        yield srv


def fast_config(url: str, credentials: Credentials | None = None, **overrides: Any) -> ClientConfig:
    """Settings that keep tests quick: short pings, tiny backoff, short timeouts."""
    values: dict[str, Any] = {
        "url": url,
        "credentials": credentials or Credentials(api_key=API_KEY),
        "subscriptions": [Subscription()],
        "ping_interval": 5.0,
        "backoff_base": 0.01,
        "backoff_cap": 0.05,
        "ack_timeout": 2.0,
        "open_timeout": 3.0,
    }
    values.update(overrides)
    return ClientConfig(**values)


def agent_event(session: str = "ses-1", agent: str = "agt-1", status: str = "busy", **data: Any) -> Event:
    body = {"agent_id": agent, "status": status, "session_id": session, **data}
    return make("agent_status", body, msg_id=f"evt-{next(_ids):06d}")  # type: ignore[return-value]


@dataclass
class Collector:
    """Consumes a client in the background and keeps what it yields."""

    client: Client
    events: list[Event] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    task: asyncio.Task[None] | None = None
    _changed: asyncio.Event = field(default_factory=asyncio.Event)

    def start(self) -> Collector:
        self.task = asyncio.create_task(self._run())
        return self

    async def _run(self) -> None:
        async for item in self.client:
            (self.events if isinstance(item, Event) else self.notices).append(item)  # type: ignore[arg-type]
            self._changed.set()

    async def until(self, predicate: Any, timeout: float = 5.0) -> None:
        """Wait until ``predicate(self)`` is true (or fail after ``timeout`` seconds)."""

        async def wait() -> None:
            while not predicate(self):
                self._changed.clear()
                if self.task is not None and self.task.done():
                    assert predicate(self), "the client ended before the condition held"
                await self._changed.wait()

        await asyncio.wait_for(wait(), timeout)

    def states(self) -> list[ConnectionState]:
        return [n.state for n in self.notices if n.kind == "state" and n.state is not None]

    def kinds(self, kind: str) -> list[Notice]:
        return [n for n in self.notices if n.kind == kind]

    async def close(self) -> None:
        await self.client.aclose()
        if self.task is not None:
            await asyncio.wait_for(self.task, 5.0)


@asynccontextmanager
async def collecting(config: ClientConfig, **kwargs: Any) -> AsyncIterator[Collector]:
    col = Collector(Client(config, **kwargs)).start()
    try:
        yield col
    finally:
        await col.close()


def free_port() -> int:
    """A loopback port with nothing listening on it."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def answer_basics(send_pong: bool = True, send_ack: bool = False, close_after_auth: int | None = None):
    """A handler for a tiny stand-in server: accepts auth and subscribe; pongs and acks only if told to."""
    import json

    from aisci_tui.protocol import encode, from_obj

    async def handler(ws: Any) -> None:
        async for raw in ws:
            msg = from_obj(json.loads(raw))
            meta = {"correlation_id": msg.id}
            if msg.type == "auth":
                await ws.send(encode(make("auth_response", {"status": "success"}, meta=meta)))
                if close_after_auth is not None:
                    await ws.close(close_after_auth)
            elif msg.type == "subscribe":
                if send_ack:
                    await ws.send(encode(make("ack", {"original_id": msg.id}, meta=meta)))
                await ws.send(
                    encode(
                        make("subscription_response", {"status": "success", "subscription_id": "sub-mini"}, meta=meta)
                    )
                )
            elif msg.type == "ping" and send_pong:
                await ws.send(encode(make("pong", {}, meta=meta)))

    return handler


@asynccontextmanager
async def mini_server(handler: Any, **kwargs: Any) -> AsyncIterator[str]:
    """A raw ``websockets`` server on a loopback port; yields its ws:// URL (or wss:// with ssl=)."""
    from websockets.asyncio.server import serve

    async with serve(handler, "127.0.0.1", 0, **kwargs) as srv:
        port = next(iter(srv.sockets)).getsockname()[1]
        scheme = "wss" if kwargs.get("ssl") else "ws"
        yield f"{scheme}://127.0.0.1:{port}/ws"


from tests.peers.fixtures import any_server, guide_peer  # noqa: E402, F401  (after the fixtures it uses; a test taking any_server runs against both servers)
