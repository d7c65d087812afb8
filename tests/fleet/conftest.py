"""Fixtures for the fleet tests: the dashboard's settings, and the guide-literal peer server."""

from tests.peers.fixtures import guide_peer  # noqa: F401
from tests.tui.conftest import settings  # noqa: F401
