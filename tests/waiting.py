"""Waiting in tests: until a condition holds on the running loop, or in a Textual app under Pilot."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any


async def until(predicate: Callable[[], Any], timeout: float = 10.0, step: float = 0.01, what: str = "") -> None:
    """Wait (on the running loop) until ``predicate()`` is true; fail after ``timeout`` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what or predicate}")
        await asyncio.sleep(step)


async def app_until(pilot: Any, predicate: Callable[[], Any], timeout: float = 5.0, what: str = "") -> None:
    """Let a Textual app run (``pilot.pause``) until ``predicate()`` holds; fail after ``timeout`` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what or predicate}")
        await pilot.pause(0.02)
