"""Helpers for server tests: a real server on a loopback port, a tiny raw client, event factories."""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import replace
from typing import Any

from websockets.asyncio.client import ClientConnection, connect

from aisci_tui.protocol import Event, make
from aisci_tui.server import ProtocolServer, ServerConfig
from tests.waiting import until

SECRET = "test-secret-that-is-long-enough-for-hs256!"
API_KEY = "k1-test-key"
BASE = ServerConfig(port=0, jwt_secret=SECRET, api_keys=(API_KEY,), simulate=False, auth_timeout=5.0)


@asynccontextmanager
async def running(feed: Any = None, **overrides: Any) -> AsyncIterator[ProtocolServer]:
    async with ProtocolServer(replace(BASE, **overrides), feed=feed) as srv:
        yield srv


class Peer:
    """A raw WebSocket client that speaks JSON and waits for message types."""

    _ids = itertools.count(1)

    def __init__(self, ws: ClientConnection):
        self.ws = ws
        self.seen: list[dict[str, Any]] = []

    async def send(self, msg_type: str, data: Any = None, **extra: Any) -> str:
        msg_id = extra.pop("id", f"m{next(self._ids)}")
        obj = {"type": msg_type, "id": msg_id, "timestamp": "2026-01-01T00:00:00Z", "data": data, **extra}
        await self.ws.send(json.dumps(obj))
        return msg_id

    async def recv(self, timeout: float = 2.0) -> dict[str, Any]:
        raw = await asyncio.wait_for(self.ws.recv(), timeout)
        msg = json.loads(raw)
        self.seen.append(msg)
        return msg

    async def expect(self, *types: str, timeout: float = 2.0) -> dict[str, Any]:
        """The next message of one of ``types`` (others are kept in ``seen``)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            msg = await self.recv(max(0.01, deadline - loop.time()))
            if msg["type"] in types:
                return msg

    async def quiet(self, duration: float = 0.2) -> list[dict[str, Any]]:
        """Everything that arrives within ``duration`` seconds."""
        out = []
        try:
            while True:
                out.append(await self.recv(duration))
        except TimeoutError:
            return out

    async def auth(self, api_key: str = API_KEY) -> dict[str, Any]:
        await self.send("auth", {"api_key": api_key})
        return await self.expect("auth_response")

    async def subscribe(
        self, events: list[str], filters: dict | None = None, options: dict | None = None, **data: Any
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"events": events, **data}
        if filters is not None:
            body["filters"] = filters
        if options is not None:
            body["options"] = options
        await self.send("subscribe", body)
        return await self.expect("subscription_response")

    async def events(self, count: int, timeout: float = 2.0) -> list[dict[str, Any]]:
        """The next ``count`` events, batches expanded."""
        out: list[dict[str, Any]] = []
        while len(out) < count:
            msg = await self.recv(timeout)
            if msg["type"] == "batch":
                out.extend(msg["data"]["events"])
            elif msg["type"] in EVENT_TYPE_NAMES:
                out.append(msg)
        return out


EVENT_TYPE_NAMES = {"agent_status", "research_progress", "experiment_results", "ethical_assessment", "system_event"}


@asynccontextmanager
async def peer(url: str, authed: bool = True, **kwargs: Any) -> AsyncIterator[Peer]:
    async with connect(url, open_timeout=3, **kwargs) as ws:
        p = Peer(ws)
        if authed:
            assert (await p.auth())["data"]["status"] == "success"
        yield p


# -- event factories -----------------------------------------------------------

_n = itertools.count(1)


def _ev(kind: str, data: dict[str, Any], ts: str | None = None) -> Event:
    msg = make(kind, data, msg_id=f"t-{next(_n):06d}")
    if ts is not None:
        msg = msg.model_copy(update={"timestamp": ts})
    assert isinstance(msg, Event)
    return msg


def agent_ev(agent: str = "a1", session: str = "s1", status: str = "busy", ts: str | None = None) -> Event:
    return _ev("agent_status", {"agent_id": agent, "name": agent.upper(), "status": status, "session_id": session}, ts)


def progress_ev(session: str = "s1", progress: float = 0.5) -> Event:
    return _ev(
        "research_progress",
        {"session_id": session, "overall_progress": progress, "current_phase": "analysis", "phase_progress": 0.0},
    )


def experiment_ev(
    exp: str = "e1", session: str = "s1", status: str = "completed", agent: str = "a1", with_viz: bool = True
) -> Event:
    viz = [{"type": "bar_chart", "title": "t", "url": "https://x/y.png"}] if with_viz else []
    return _ev(
        "experiment_results",
        {
            "experiment_id": exp,
            "session_id": session,
            "status": status,
            "results": {"summary": "s", "visualizations": viz},
            "execution": {"agent_id": agent},
        },
    )


def assessment_ev(
    resource: str = "e1",
    session: str = "s1",
    confidence: float = 0.9,
    status: str = "compliant",
    severities: tuple[str, ...] = (),
) -> Event:
    issues = [{"severity": s, "category": "bias"} for s in severities]
    return _ev(
        "ethical_assessment",
        {
            "resource_id": resource,
            "resource_type": "experiment",
            "session_id": session,
            "assessment": {
                "overall_score": 0.9,
                "status": status,
                "confidence": confidence,
                "identified_issues": issues,
            },
        },
    )


def system_ev(severity: str = "info", session: str | None = None) -> Event:
    data: dict[str, Any] = {"event_type": "update", "severity": severity, "title": f"{severity} event"}
    if session is not None:
        data["session_id"] = session
    return _ev("system_event", data)


async def wait_for(predicate: Callable[[], bool], timeout: float = 2.0) -> None:
    await until(predicate, timeout, what="condition")
