"""Fixtures that run a test against both servers: ``aisci-tui serve``'s and the guide-literal one.

Import them into a conftest (``from tests.peers.fixtures import any_server``)
and take ``any_server`` instead of ``server``: the test runs once against each.
Both give ``url``, ``publish(event)``, ``stats["subscriptions"]`` and ``connections``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.peers.guide_server import GuideServer, guide_server

#: The credential both servers accept in these tests.
PEER_KEY = "client-test-key-0123456789"


@pytest.fixture
async def guide_peer() -> AsyncIterator[GuideServer]:
    async with guide_server((PEER_KEY,)) as srv:
        yield srv


@pytest.fixture(params=["serve", "guide"])
async def any_server(request: pytest.FixtureRequest) -> AsyncIterator[Any]:
    """The project's server (no simulator), then the guide-literal peer."""
    if request.param == "guide":
        async with guide_server((PEER_KEY,)) as srv:
            yield srv
        return
    from aisci_tui.server import ProtocolServer, ServerConfig

    cfg = ServerConfig(
        port=0,
        jwt_secret="peer-tests-secret-long-enough-for-hs256",
        api_keys=(PEER_KEY,),
        simulate=False,
        auth_timeout=5.0,
    )
    async with ProtocolServer(cfg) as srv:
        yield srv
