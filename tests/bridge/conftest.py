"""Fixtures for the run-folder bridge tests."""

from __future__ import annotations

import pytest

from tests.bridge.helpers import Clock


@pytest.fixture
def clock() -> Clock:
    return Clock()
