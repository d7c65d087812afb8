"""Fixtures for the fleet tests: the dashboard's settings, as in the dashboard tests."""

from tests.tui.conftest import settings  # noqa: F401
