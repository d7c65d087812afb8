"""Fixtures for server tests."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from aisci_tui.server import ProtocolServer
from tests.server.helpers import running


@pytest.fixture
async def server() -> AsyncIterator[ProtocolServer]:
    """A server without the simulator: tests publish the events they need."""
    async with running() as srv:
        yield srv
