"""One client's protocol state machine: auth, subscriptions, limits and faults.

Every frame the server sends to a client goes through one queue and one
writer task, so replies and events keep their order. Responses carry
``meta.correlation_id`` = the id of the request they answer.

Close codes: 1008 after an auth timeout, too many failed ``auth`` messages or
an expired token; 1013 when the connection limit is reached or the client
reads too slowly; 1001 when the server shuts down.
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import UTC, datetime
from typing import Any

from websockets.asyncio.server import ServerConnection
from websockets.exceptions import ConnectionClosed

from aisci_tui.protocol.codec import decode, encode, make, new_id
from aisci_tui.protocol.errors import ErrorCode, ProtocolError
from aisci_tui.protocol.models import Auth, Envelope, Ping, Subscribe, Unsubscribe
from aisci_tui.ratelimit import TokenBucket
from aisci_tui.server import requests
from aisci_tui.server.auth import AuthFailure, Principal
from aisci_tui.server.garbage import garbage_frame
from aisci_tui.server.hub import Hub, Published
from aisci_tui.server.subscription import Subscription
from aisci_tui.values import shorten

log = logging.getLogger("aisci_tui.server")

_CLOSE = object()


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _wants_ack(msg: Envelope) -> bool:
    data = msg.data
    flag = data.get("require_ack") if isinstance(data, dict) else getattr(data, "require_ack", None)
    if flag is None and msg.model_extra:
        flag = msg.model_extra.get("require_ack")
    return flag is True


class Connection:
    """Serves one WebSocket until it closes."""

    def __init__(self, ws: ServerConnection, hub: Hub):
        self.ws = ws
        self.hub = hub
        self.cfg = hub.config
        self.id = new_id("conn")
        self.principal: Principal | None = None
        self.subscriptions: dict[str, Subscription] = {}
        #: Which subscription each ``subscribe`` request id made: a request sent again with the
        #: same id (the guide's JavaScript client does so after every ``auth_response``) is
        #: answered as the first was, and creates nothing.
        self.subscribed_by: dict[str, str] = {}
        self.closing = False
        self._queue: asyncio.Queue[Any] = asyncio.Queue()
        self._bucket = TokenBucket(self.cfg.rate_limit_per_s, self.cfg.rate_limit_burst)
        self._limited_until = 0.0
        self._auth_failures = 0
        self._event_frames = 0
        self._events_sent = 0
        self._garbage_sent = 0
        self._tasks: list[asyncio.Task[None]] = []
        self._expiry_task: asyncio.Task[None] | None = None

    @property
    def authenticated(self) -> bool:
        return self.principal is not None and not self.closing

    # -- lifecycle ----------------------------------------------------------

    async def run(self) -> None:
        self._tasks = [
            asyncio.create_task(self._writer(), name=f"{self.id}-writer"),
            asyncio.create_task(self._auth_deadline(), name=f"{self.id}-auth-deadline"),
        ]
        try:
            async for raw in self.ws:
                if self.closing:
                    break
                try:
                    self._receive(raw)
                except Exception:
                    log.exception("%s: internal error while handling a message", self.id)
                    self.close(1011, "internal server error")
            # let queued replies go out before the writer is stopped
            self._queue.put_nowait(_CLOSE)
            await asyncio.wait_for(asyncio.shield(self._tasks[0]), timeout=1.0)
        except (ConnectionClosed, TimeoutError):
            pass
        finally:
            self.shutdown()

    def shutdown(self) -> None:
        self.closing = True
        for sub in self.subscriptions.values():
            sub.close()
        for task in [*self._tasks, self._expiry_task]:
            if task is not None and not task.done():
                task.cancel()

    def close(self, code: int, reason: str) -> None:
        """Send what is queued, then close with ``code``."""
        if not self.closing:
            self.closing = True
            self._queue.put_nowait((_CLOSE, code, reason))

    def abort(self) -> None:
        """Drop the TCP connection without a close frame."""
        self.closing = True
        self.hub.stats["connections_aborted"] += 1
        transport = self.ws.transport
        if transport is not None:
            transport.abort()

    async def _writer(self) -> None:
        try:
            await self._write_loop()
        except ConnectionClosed:
            pass

    async def _write_loop(self) -> None:
        while True:
            item = await self._queue.get()
            if item is _CLOSE:
                await self.ws.close(1000, "")
                return
            if isinstance(item, tuple) and item[0] is _CLOSE:
                _, code, reason = item
                await self.ws.close(code, reason)
                return
            frame, events = item
            await self.ws.send(frame)
            self.hub.stats["frames_sent"] += 1
            if events:
                self._after_event_frame()

    def _after_event_frame(self) -> None:
        self._event_frames += 1
        every = self.cfg.drop_every
        if every and self._event_frames % every == 0:
            log.info("%s: dropping the connection (drop_every=%d)", self.id, every)
            self.abort()

    async def _auth_deadline(self) -> None:
        await asyncio.sleep(self.cfg.auth_timeout)
        if self.principal is None and not self.closing:
            self.hub.stats["auth_timeouts"] += 1
            self.error(ErrorCode.AUTHENTICATION_FAILED, f"no auth within {self.cfg.auth_timeout:g} seconds")
            self.close(1008, "authentication timeout")

    # -- sending ------------------------------------------------------------

    def _put(self, frame: str | bytes, events: int = 0) -> None:
        if self.closing:
            return
        if self._queue.qsize() >= self.cfg.max_queue:
            log.warning("%s: client reads too slowly; disconnecting", self.id)
            self.hub.stats["slow_clients"] += 1
            self.closing = True
            self._queue.put_nowait((_CLOSE, 1013, "client too slow"))
            return
        self._queue.put_nowait((frame, events))

    def reply(self, msg_type: str, data: Any, correlation_id: str | None = None) -> None:
        meta = {"version": "1.0", "source": "aisci-tui"}
        if correlation_id:
            meta["correlation_id"] = correlation_id
        self._put(encode(make(msg_type, data, meta=meta)))

    def error(
        self,
        code: ErrorCode,
        message: str,
        correlation_id: str | None = None,
        details: dict[str, Any] | None = None,
        retry_after: float | None = None,
    ) -> None:
        data: dict[str, Any] = {"code": str(code), "message": message}
        if details:
            data["details"] = details
        if retry_after is not None:
            data["retry_after"] = retry_after
        if correlation_id:
            data["correlation_id"] = correlation_id
        self.hub.stats[f"error_{code}"] += 1
        self.reply("error", data, correlation_id)

    def offer(self, item: Published) -> None:
        """Hand a published event to the first subscription that wants it."""
        for sub in self.subscriptions.values():
            if sub.wants(item):
                sub.deliver(item)
                return

    def send_raw(self, frame: str | bytes) -> None:
        self._put(frame)

    def emit(self, frame: str, events: int) -> None:
        """Queue an event frame (``events`` events in it); injects faults when configured."""
        self._put(frame, events)
        every = self.cfg.malformed_every
        if every:
            before, self._events_sent = self._events_sent, self._events_sent + events
            for _ in range(self._events_sent // every - before // every):
                self._put(garbage_frame(self._garbage_sent))
                self._garbage_sent += 1
                self.hub.stats["malformed_sent"] += 1

    # -- receiving ----------------------------------------------------------

    def _receive(self, raw: str | bytes) -> None:
        self.hub.stats["messages_received"] += 1
        if not self._bucket.take():
            now = time.monotonic()
            if now >= self._limited_until:
                wait = round(max(self._bucket.retry_after(), 0.05), 2)
                self._limited_until = now + wait
                self.error(ErrorCode.RATE_LIMITED, "too many messages; slow down", retry_after=wait)
            self.hub.stats["messages_rate_limited"] += 1
            return
        try:
            msg = decode(raw, self.cfg.max_frame)
        except ProtocolError as exc:
            self.error(ErrorCode.INVALID_MESSAGE, exc.reason, correlation_id=exc.msg_id)
            return
        log.debug("%s: received %s %s", self.id, shorten(msg.type, 40), shorten(msg.id))
        if _wants_ack(msg):
            if msg.id:
                self.reply("ack", {"original_id": msg.id, "status": "received"}, msg.id)
            else:
                self.error(ErrorCode.INVALID_MESSAGE, "require_ack needs a message id")
        if isinstance(msg, Auth):
            self._on_auth(msg)
        elif isinstance(msg, Ping):
            self.reply("pong", msg.data if msg.data is not None else {}, msg.id)
        elif isinstance(msg, Subscribe | Unsubscribe):
            if self.principal is None:
                self.error(ErrorCode.AUTHENTICATION_FAILED, "authenticate before subscribing", msg.id)
            elif isinstance(msg, Subscribe):
                requests.subscribe(self, msg)
            else:
                requests.unsubscribe(self, msg)
        else:
            self.error(ErrorCode.INVALID_MESSAGE, f"unexpected message type {shorten(msg.type, 40)!r}", msg.id)

    def _on_auth(self, msg: Auth) -> None:
        try:
            principal = self.hub.authenticator.check(msg.data.token, msg.data.api_key)
        except AuthFailure as exc:
            self._auth_failures += 1
            self.hub.stats["auth_failed"] += 1
            log.info("%s: authentication failed (%s)", self.id, exc.code)
            error = {"code": str(exc.code), "message": exc.message}
            self.reply("auth_response", {"status": "error", "error": error}, msg.id)
            if self._auth_failures >= self.cfg.max_auth_failures:
                self.close(1008, "too many failed authentication attempts")
            return
        renewed = self.principal is not None
        self.principal = principal
        self.hub.stats["auth_ok"] += 1
        log.info("%s: %s as %s", self.id, "re-authenticated" if renewed else "authenticated", principal.user_id)
        data: dict[str, Any] = {
            "status": "success",
            "session_id": self.id,
            "user_id": principal.user_id,
            "permissions": list(principal.permissions),
        }
        if principal.expires_at is not None:
            data["expires_at"] = _iso(principal.expires_at)
        self.reply("auth_response", data, msg.id)
        if self._expiry_task is not None:
            self._expiry_task.cancel()
            self._expiry_task = None
        if principal.expires_at is not None:
            self._expiry_task = asyncio.create_task(self._watch_expiry(principal.expires_at))
        if renewed:
            requests.prune(self, principal, msg.id)
        if self.hub.unavailable:
            self.error(ErrorCode.SERVICE_UNAVAILABLE, self.hub.unavailable, retry_after=30)

    async def _watch_expiry(self, expires_at: float) -> None:
        await asyncio.sleep(max(0.0, expires_at - self.cfg.token_refresh_lead - time.time()))
        remaining = max(0.0, expires_at - time.time())
        self.reply(
            "token_refresh_required",
            {"expires_at": _iso(expires_at), "expires_in": round(remaining, 3), "reason": "token expiring"},
        )
        await asyncio.sleep(remaining)
        log.info("%s: token expired without refresh", self.id)
        self.error(ErrorCode.AUTHENTICATION_FAILED, "token expired; send a new auth message")
        self.close(1008, "token expired")
