"""Fixtures for dashboard tests: the real simulator server on loopback, real clients, static sources."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from aisci_tui.client import Client, ClientConfig, Credentials, Filters, SubscribeOptions, Subscription
from aisci_tui.protocol.models import Event
from aisci_tui.server import ProtocolServer, ServerConfig
from aisci_tui.settings import Settings
from aisci_tui.sources.base import Ability, ConnectionState, Notice
from tests.waiting import app_until

#: A credential distinctive enough to search for in every file the dashboard writes.
KEY = "tui-test-key-7fQ2mZ9xLw"
START = datetime(2026, 3, 1, 9, 0, 0, tzinfo=UTC)


@pytest.fixture
async def sim_server() -> AsyncIterator[ProtocolServer]:
    """The simulator server at an easy pace (history fills the store at once, then a trickle)."""
    config = ServerConfig(port=0, api_keys=(KEY,), seed=11, speed=2.0, sessions=2)
    async with ProtocolServer(config) as server:
        yield server


@pytest.fixture
async def busy_server() -> AsyncIterator[ProtocolServer]:
    """The simulator server fast-forwarded, for tests that need a steady stream of events."""
    config = ServerConfig(port=0, api_keys=(KEY,), seed=11, speed=12.0, sessions=2)
    async with ProtocolServer(config) as server:
        yield server


def make_client(
    server: ProtocolServer, *, key: str = KEY, session: str | None = None, max_attempts: int | None = None
) -> Client:
    """A real client of ``server``, subscribed like the dashboard command subscribes."""
    sub = Subscription(
        filters=Filters(session_id=session) if session else None, options=SubscribeOptions(include_history=True)
    )
    return Client(
        ClientConfig(
            url=server.url,
            credentials=Credentials(api_key=key),
            subscriptions=[sub],
            session_id=session,
            backoff_base=0.05,
            backoff_cap=0.2,
            max_attempts=max_attempts,
            open_timeout=3.0,
            ack_timeout=3.0,
        )
    )


class ListSource:
    """Yields the given items, then ends (or, with ``hold``, waits until closed)."""

    def __init__(
        self,
        items: Iterable[Any],
        *,
        label: str = "test list",
        hold: bool = False,
        fail_with: BaseException | None = None,
    ):
        self.items = list(items)
        self.label = label
        self.hold = hold
        self.fail_with = fail_with
        self._closed = asyncio.Event()

    async def __aiter__(self) -> AsyncIterator[Any]:
        for item in self.items:
            yield item
            await asyncio.sleep(0)
        if self.fail_with is not None:
            raise self.fail_with
        if self.hold:
            await self._closed.wait()

    async def aclose(self) -> None:
        self._closed.set()


class Tap:
    """Passes a source through and remembers what went by (implements the same protocols)."""

    abilities = frozenset({Ability.NARROWING, Ability.RECONNECT})

    def __init__(self, inner: Client):
        self.inner = inner
        self.label = inner.label
        self.items: list[Event | Notice] = []

    async def __aiter__(self) -> AsyncIterator[Any]:
        async for item in self.inner:
            self.items.append(item)
            yield item

    def states(self) -> list[ConnectionState]:
        return [i.state for i in self.items if isinstance(i, Notice) and i.state is not None]

    async def set_filters(self, events: list[str] | None, filters: Filters | None) -> None:
        await self.inner.set_filters(events, filters)

    async def subscribe(self, events: list[str], filters: Filters | None = None) -> str:
        return await self.inner.subscribe(events, filters)

    async def reconnect_now(self) -> None:
        await self.inner.reconnect_now()

    async def aclose(self) -> None:
        await self.inner.aclose()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Defaults, writing exports and screenshots under the test's temporary directory."""
    return Settings.model_construct(export_dir=tmp_path / "out", refresh_hz=20.0)


async def wait_for(pilot: Any, predicate: Callable[[], bool], timeout: float = 5.0, what: str = "") -> None:
    """Let the app run until ``predicate()`` holds; fail after ``timeout`` seconds."""
    await app_until(pilot, predicate, timeout, what)
