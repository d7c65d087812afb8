"""A second, deliberately small server written from the protocol guide alone.

It shares no code with :mod:`aisci_tui.server`: its value is that wherever the
guide leaves a choice open it makes a different one from ours, so the client,
``events`` and the dashboard are tested against a reading of the guide that is
not their own. What it does, and where that differs from ``aisci-tui serve``:

- every reply has a fresh ``id`` and a ``meta.correlation_id`` of its own (a
  tracing id, as the guide's ``"correlation_uuid"``), never the request's id;
- ``auth_response`` and ``subscription_response`` carry exactly the guide's
  fields; ``ack`` is ``{"original_id": ...}`` and nothing else;
- ``agent_status``, ``ethical_assessment`` and ``system_event`` carry no
  ``session_id`` (the guide's examples carry none);
- no batching, no ``resume_after``, no ``token_refresh_required`` payload;
- history only when ``options.include_history`` is true.
"""

from __future__ import annotations

import itertools
import json
import uuid
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any, Self

from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed

KNOWN_EVENTS = ("agent_status", "research_progress", "experiment_results", "ethical_assessment", "system_event")


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def fresh_id() -> str:
    return f"msg_{uuid.uuid4().hex}"


def _envelope(msg_type: str, data: dict[str, Any], *, traced: bool = True) -> dict[str, Any]:
    msg: dict[str, Any] = {"type": msg_type, "id": fresh_id(), "timestamp": _now(), "data": data}
    if traced:
        msg["meta"] = {"version": "1.0", "source": "guide_peer", "correlation_id": f"corr_{uuid.uuid4().hex}"}
    return msg


def _as_dict(event: Any) -> dict[str, Any]:
    """An event given as a mapping, or as one of the project's models (tests build those)."""
    if isinstance(event, Mapping):
        return dict(event)
    return json.loads(event.model_dump_json(exclude_none=True, by_alias=True))


class _Sub:
    def __init__(self, sub_id: str, events: list[str], filters: dict[str, Any]):
        self.id = sub_id
        self.events = events
        self.filters = filters

    def wants(self, event: dict[str, Any]) -> bool:
        if event.get("type") not in self.events:
            return False
        data = event.get("data") or {}
        wanted = self.filters.get("session_id")
        named = data.get("session_id") if isinstance(data, dict) else None
        return wanted is None or named is None or named == wanted  # events naming no session pass


class _Conn:
    def __init__(self, ws: ServerConnection):
        self.ws = ws
        self.authed = False
        self.subs: dict[str, _Sub] = {}

    def wants(self, event: dict[str, Any]) -> bool:
        return any(sub.wants(event) for sub in self.subs.values())


class GuideServer:
    """The guide's server, on 127.0.0.1 and a free port. Accepts any token or API key in
    ``credentials`` (every non-empty one when it is empty). ``trace``: give replies a
    ``meta.correlation_id`` of their own (else no ``meta`` at all)."""

    def __init__(self, credentials: tuple[str, ...] = (), trace: bool = True):
        self.credentials = set(credentials)
        self.trace = trace
        self.history: list[dict[str, Any]] = []
        self.conns: set[_Conn] = set()
        self.stats: dict[str, int] = {"subscriptions": 0, "events_sent": 0}
        self.received: list[dict[str, Any]] = []
        self._server: Any = None
        self.url = ""

    async def __aenter__(self) -> Self:
        self._server = await serve(self._handle, "127.0.0.1", 0)
        port = next(iter(self._server.sockets)).getsockname()[1]
        self.url = f"ws://127.0.0.1:{port}/ws"
        return self

    async def __aexit__(self, *exc: object) -> None:
        for conn in list(self.conns):
            conn.ws.transport.abort()
        self._server.close(close_connections=False)
        await self._server.wait_closed()

    @property
    def connections(self) -> int:
        return len(self.conns)

    async def publish(self, event: Any) -> None:
        """Keep ``event`` and send it once to every connection with a subscription that wants it."""
        obj = _as_dict(event)
        self.history.append(obj)
        text = json.dumps(obj)
        for conn in list(self.conns):
            if conn.wants(obj):
                self.stats["events_sent"] += 1
                try:
                    await conn.ws.send(text)
                except ConnectionClosed:
                    pass

    # -- one connection -------------------------------------------------------

    async def _handle(self, ws: ServerConnection) -> None:
        conn = _Conn(ws)
        self.conns.add(conn)
        try:
            async for raw in ws:
                try:
                    msg = json.loads(raw)
                except ValueError:
                    await self._send(
                        ws, _envelope("error", {"code": "INVALID_MESSAGE", "message": "Malformed message"})
                    )
                    continue
                if isinstance(msg, dict):
                    self.received.append(msg)
                    await self._on_message(conn, msg)
        except ConnectionClosed:
            pass
        finally:
            self.conns.discard(conn)

    async def _send(self, ws: ServerConnection, msg: dict[str, Any]) -> None:
        if not self.trace:
            msg.pop("meta", None)
        await ws.send(json.dumps(msg))

    async def _on_message(self, conn: _Conn, msg: dict[str, Any]) -> None:
        kind = msg.get("type")
        data = msg.get("data") if isinstance(msg.get("data"), dict) else {}
        if kind == "auth":
            await self._on_auth(conn, data)
        elif kind == "ping":
            await self._send(conn.ws, _envelope("pong", {}))
        elif kind in ("subscribe", "unsubscribe") and not conn.authed:
            await self._send(
                conn.ws, _envelope("error", {"code": "AUTHENTICATION_FAILED", "message": "Authenticate first"})
            )
        elif kind == "subscribe":
            await self._on_subscribe(conn, msg, data)
        elif kind == "unsubscribe":
            conn.subs.pop(str(data.get("subscription_id")), None)
            await self._send(
                conn.ws,
                _envelope(
                    "subscription_response",
                    {"status": "success", "subscription_id": data.get("subscription_id"), "subscribed_events": []},
                ),
            )
        else:
            await self._send(
                conn.ws, _envelope("error", {"code": "INVALID_MESSAGE", "message": "Unknown message type"})
            )

    async def _on_auth(self, conn: _Conn, data: dict[str, Any]) -> None:
        given = data.get("token") or data.get("api_key")
        if not given or (self.credentials and given not in self.credentials):
            await self._send(
                conn.ws,
                _envelope(
                    "auth_response",
                    {"status": "error", "error": {"code": "INVALID_TOKEN", "message": "Authentication failed"}},
                    traced=False,
                ),
            )
            return
        conn.authed = True
        expires = (datetime.now(UTC) + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
        await self._send(
            conn.ws,
            _envelope(
                "auth_response",
                {
                    "status": "success",
                    "session_id": f"session_{uuid.uuid4().hex[:8]}",
                    "user_id": "user_guide",
                    "permissions": ["read"],
                    "expires_at": expires,
                },
                traced=False,
            ),
        )

    async def _on_subscribe(self, conn: _Conn, msg: dict[str, Any], data: dict[str, Any]) -> None:
        events = [e for e in data.get("events") or [] if isinstance(e, str)]
        bad = [e for e in events if e not in KNOWN_EVENTS]
        if data.get("require_ack") and msg.get("id"):
            await self._send(conn.ws, _envelope("ack", {"original_id": msg["id"]}))
        if bad or not events:
            await self._send(
                conn.ws,
                _envelope(
                    "error",
                    {
                        "code": "SUBSCRIPTION_FAILED",
                        "message": "Failed to subscribe to requested events",
                        "details": {"invalid_events": bad},
                        "correlation_id": f"corr_{uuid.uuid4().hex}",
                    },
                ),
            )
            await self._send(
                conn.ws,
                _envelope("subscription_response", {"status": "error", "subscribed_events": [], "active_filters": {}}),
            )
            return
        filters = data.get("filters") if isinstance(data.get("filters"), dict) else {}
        sub = _Sub(f"sub_{uuid.uuid4().hex}", events, filters)
        conn.subs[sub.id] = sub
        self.stats["subscriptions"] += 1
        await self._send(
            conn.ws,
            _envelope(
                "subscription_response",
                {
                    "status": "success",
                    "subscription_id": sub.id,
                    "subscribed_events": events,
                    "active_filters": {"session_id": filters["session_id"]} if "session_id" in filters else {},
                    "estimated_events_per_minute": 15,
                    "retention_hours": 24,
                },
            ),
        )
        options = data.get("options") if isinstance(data.get("options"), dict) else {}
        if options.get("include_history"):
            for old in list(self.history):
                if sub.wants(old):
                    self.stats["events_sent"] += 1
                    await conn.ws.send(json.dumps(old))


# -- a stream of events shaped like the guide's examples ---------------------------

_seq = itertools.count(1)


def guide_stream(session: str = "session_a", other: str = "session_b") -> list[dict[str, Any]]:
    """Events of two research sessions, shaped like the guide's examples: only
    ``research_progress`` and ``experiment_results`` name a session."""
    out: list[dict[str, Any]] = []

    def add(kind: str, data: dict[str, Any]) -> None:
        out.append({"type": kind, "id": f"msg_stream_{next(_seq):06d}", "timestamp": _now(), "data": data})

    for sid, agent, exp in ((session, "agent_alpha", "exp_a1"), (other, "agent_beta", "exp_b1")):
        add(
            "research_progress",
            {
                "session_id": sid,
                "title": f"Study {sid}",
                "overall_progress": 0.45,
                "current_phase": "experimentation",
                "phase_progress": 0.3,
                "activities": [
                    {"agent_id": agent, "activity": "Running simulations", "progress": 0.8, "status": "in_progress"}
                ],
            },
        )
        add(
            "agent_status",
            {
                "agent_id": agent,
                "name": f"Research Agent {agent}",
                "status": "busy",
                "current_task": {"id": f"task_{agent}", "type": "data_analysis", "progress": 0.65},
            },
        )
        add(
            "experiment_results",
            {
                "experiment_id": exp,
                "session_id": sid,
                "title": f"Analysis {exp}",
                "status": "completed",
                "results": {"summary": "Significant effect", "key_findings": ["r = 0.87"]},
            },
        )
        for resource, rtype in ((exp, "experiment"), (sid, "research_session")):
            add(
                "ethical_assessment",
                {
                    "resource_id": resource,
                    "resource_type": rtype,
                    "assessment": {"overall_score": 0.85, "status": "compliant", "confidence": 0.92},
                },
            )
    add("agent_status", {"agent_id": "agent_gamma", "name": "Research Agent Gamma", "status": "idle"})
    add(
        "system_event",
        {
            "event_type": "maintenance",
            "severity": "info",
            "title": "System Maintenance Scheduled",
            "description": "Scheduled maintenance will affect agent services",
        },
    )
    return out


@asynccontextmanager
async def guide_server(credentials: tuple[str, ...] = (), trace: bool = True) -> AsyncIterator[GuideServer]:
    async with GuideServer(credentials, trace) as srv:
        yield srv
