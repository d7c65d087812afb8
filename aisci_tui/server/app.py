"""The protocol server: a ``websockets`` server speaking the integration guide's API.

``SERVICE_UNAVAILABLE`` is sent (with ``retry_after``) to every authenticated
client when the event feed fails (and to anyone authenticating afterwards),
and when the server shuts down, just before it closes connections with 1001.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from http import HTTPStatus
from typing import Any

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.http11 import Request, Response

from aisci_tui.protocol.codec import encode, make
from aisci_tui.protocol.errors import ErrorCode
from aisci_tui.protocol.models import Event
from aisci_tui.server.auth import Authenticator
from aisci_tui.server.config import ServerConfig
from aisci_tui.server.connection import Connection
from aisci_tui.server.hub import Hub

log = logging.getLogger("aisci_tui.server")


class ProtocolServer:
    """``async with ProtocolServer(cfg) as srv:`` serves until the block ends.

    ``feed`` replaces the simulator as the source of events (the run-folder
    bridge uses it); with ``cfg.simulate`` false and no feed, only
    :meth:`publish` produces events.
    """

    def __init__(
        self,
        config: ServerConfig | None = None,
        feed: AsyncIterator[Event] | None = None,
        *,
        on_feed_error: Callable[[BaseException], None] | None = None,
    ):
        self.config = cfg = config or ServerConfig()
        self._on_feed_error = on_feed_error
        self.dev_api_key: str | None = None
        keys = cfg.api_keys
        if not cfg.jwt_secret and not keys:
            self.dev_api_key = secrets.token_urlsafe(24)
            keys = (self.dev_api_key,)
        self.hub = Hub(cfg, Authenticator(cfg.jwt_secret, keys))
        self._feed = feed
        #: The simulator producing events, when no feed was given (its ``seed`` reproduces a run).
        self.simulator: Any = None
        self._server: Server | None = None
        self._feed_task: asyncio.Task[None] | None = None
        self._connections: set[Connection] = set()
        self.port: int = cfg.port

    def __repr__(self) -> str:
        return f"ProtocolServer({self.url!r})"

    # -- lifecycle ----------------------------------------------------------

    async def __aenter__(self) -> ProtocolServer:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def start(self) -> None:
        cfg = self.config
        self._server = await serve(
            self._handle,
            cfg.host,
            cfg.port,
            process_request=self._check_path,
            max_size=cfg.max_frame,
            server_header="aisci-tui",
        )
        sockets = list(self._server.sockets)
        if sockets:
            self.port = sockets[0].getsockname()[1]
        feed = self._feed
        if feed is None and cfg.simulate:
            from aisci_tui.server.simulator import Simulator

            start = cfg.start or datetime.now(UTC) - timedelta(seconds=cfg.warmup)
            self.simulator = Simulator(seed=cfg.seed, sessions=cfg.sessions, start=start, lively=cfg.lively)
            for event in self.simulator.advance(cfg.warmup):
                self.hub.publish(event)
            feed = self.simulator.run(speed=cfg.speed, rate=cfg.rate)
        if feed is not None:
            self._feed_task = asyncio.create_task(self._pump(feed), name="aisci-feed")
        log.info("serving on %s", self.url)

    async def aclose(self) -> None:
        if self._feed_task is not None:
            self._feed_task.cancel()
            await asyncio.gather(self._feed_task, return_exceptions=True)
            self._feed_task = None
        if self._server is None:
            return
        self.hub.unavailable = "server shutting down"
        for conn in list(self._connections):
            conn.error(ErrorCode.SERVICE_UNAVAILABLE, "server shutting down", retry_after=5)
            conn.close(1001, "server shutting down")
        self._server.close(close_connections=False)
        try:
            await asyncio.wait_for(self._server.wait_closed(), timeout=2.0)
        except TimeoutError:
            for conn in list(self._connections):
                conn.abort()  # a client that stopped reading would hold its closing handshake for 10 s more
            self._server.close(close_connections=True)
            await self._server.wait_closed()
        self._server = None

    # -- properties and test hooks -------------------------------------------

    @property
    def url(self) -> str:
        host = self.config.host
        if ":" in host:
            host = f"[{host}]"
        return f"ws://{host}:{self.port}{self.config.path}"

    @property
    def connections(self) -> int:
        return len(self._connections)

    @property
    def stats(self) -> dict[str, Any]:
        out: dict[str, Any] = dict(self.hub.stats)
        out["connections"] = len(self._connections)
        out["history"] = len(self.hub.history)
        return out

    async def publish(self, event: Event) -> None:
        """Fan an event out to every subscription that wants it (and keep it in history)."""
        self.hub.publish(event)

    async def inject_raw(self, frame: str | bytes) -> int:
        """Send a raw frame to every authenticated connection; returns how many got it."""
        return self.hub.inject_raw(frame)

    async def drop_all(self) -> int:
        """Abort every connection without a close frame; returns how many."""
        conns = list(self._connections)
        for conn in conns:
            conn.abort()
        return len(conns)

    # -- internals ------------------------------------------------------------

    def _check_path(self, connection: ServerConnection, request: Request) -> Response | None:
        if request.path.split("?", 1)[0] != self.config.path:
            return connection.respond(
                HTTPStatus.NOT_FOUND, f"Not found: this server answers WebSockets on {self.config.path}\n"
            )
        return None

    async def _handle(self, ws: ServerConnection) -> None:
        stats = self.hub.stats
        if len(self._connections) >= self.config.max_connections:
            stats["connections_refused"] += 1
            frame = encode(
                make(
                    "error",
                    {
                        "code": str(ErrorCode.CONNECTION_LIMIT),
                        "message": "too many connections; try again later",
                        "retry_after": 5,
                    },
                )
            )
            try:
                await ws.send(frame)
                await ws.close(1013, "connection limit reached")
            except Exception:  # the client may already be gone
                pass
            return
        conn = Connection(ws, self.hub)
        self._connections.add(conn)
        self.hub.receivers.add(conn)
        stats["connections_total"] += 1
        log.info("%s: connected from %s", conn.id, ws.remote_address)
        try:
            await conn.run()
        finally:
            self._connections.discard(conn)
            self.hub.receivers.discard(conn)
            log.info("%s: disconnected", conn.id)

    async def _pump(self, feed: AsyncIterator[Event]) -> None:
        try:
            async for event in feed:
                self.hub.publish(event)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.error("event feed failed: %s", type(exc).__name__)
            self.hub.unavailable = "event feed failed; no new events for now"
            self.hub.stats["feed_failures"] += 1
            for conn in list(self._connections):
                if conn.authenticated:
                    conn.error(ErrorCode.SERVICE_UNAVAILABLE, self.hub.unavailable, retry_after=30)
            if self._on_feed_error is not None:
                self._on_feed_error(exc)
        finally:
            aclose = getattr(feed, "aclose", None)
            if aclose is not None:
                try:
                    await aclose()
                except Exception:
                    pass
