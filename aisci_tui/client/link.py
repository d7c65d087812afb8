"""One WebSocket connection: sending, replies awaited by id, and the tasks that live on it.

A :class:`Link` holds no protocol policy. The client decides what messages
mean; the link only sends (through the token bucket, logged with ``auth``
redacted), remembers who waits for which reply, and ends once, with the
first reason any of its tasks gives.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from aisci_tui.client.errors import Closing, Fatal, LinkDrop, LinkLost, SubscriptionError
from aisci_tui.protocol import Envelope, encode
from aisci_tui.ratelimit import TokenBucket

wire_log = logging.getLogger("aisci_tui.client.wire")
log = logging.getLogger("aisci_tui.client")

REDACTED_AUTH = '{"type":"auth","data":"<redacted>"}'


def describe_frame(frame: str | bytes, limit: int = 2000) -> str:
    """A log-safe rendering of a received frame (cut to ``limit`` characters)."""
    if isinstance(frame, bytes | bytearray | memoryview):
        return f"<binary frame, {len(frame)} bytes>"
    if len(frame) > limit:
        return frame[:limit] + f"... <{len(frame) - limit} more characters>"
    return frame


class Link:
    """A live connection and the replies awaited on it."""

    def __init__(self, ws: Any, bucket: TokenBucket, sleep: Callable[[float], Awaitable[None]]):
        self.ws = ws
        self._bucket = bucket
        self._sleep = sleep
        self.end: asyncio.Future[BaseException] = asyncio.get_running_loop().create_future()
        self.rx = asyncio.Event()
        #: True while the reader waits for the consumer (so silence is not a dead link).
        self.blocked = False
        self.opened = False
        self.credential: Any = None
        self.auth_waiter: asyncio.Future[Envelope] | None = None
        self.auth_lock = asyncio.Lock()
        self.sub_waiters: OrderedDict[str, asyncio.Future[Envelope]] = OrderedDict()
        self.ack_waiters: dict[str, asyncio.Future[Envelope]] = {}
        #: Ids of pending ``unsubscribe`` requests (their answers share ``sub_waiters``).
        self.unsub_ids: set[str] = set()
        #: SUBSCRIPTION_FAILED errors received for pending requests, by request id.
        self.sub_errors: dict[str, SubscriptionError] = {}
        self.reauthing = False
        self.warned_stale = False
        self._tasks: set[asyncio.Task[Any]] = set()

    @property
    def ended(self) -> bool:
        return self.end.done()

    async def send(self, msg: Envelope) -> None:
        """Send one message once the token bucket allows it."""
        if self.ended:
            raise LinkLost()
        await self._bucket.acquire(self._sleep)
        if self.ended:
            raise LinkLost()
        text = encode(msg)
        if wire_log.isEnabledFor(logging.DEBUG):
            wire_log.debug("sent %s", REDACTED_AUTH if msg.type == "auth" else text)
        try:
            await self.ws.send(text)
        except Exception as exc:  # the connection went away under us
            self.finish(LinkDrop(f"sending failed ({type(exc).__name__})"))
            raise LinkLost() from None

    def expect(self, table: dict[str, asyncio.Future[Envelope]], request_id: str) -> asyncio.Future[Envelope]:
        fut: asyncio.Future[Envelope] = asyncio.get_running_loop().create_future()
        table[request_id] = fut
        return fut

    async def wait(self, fut: asyncio.Future[Any], timeout: float) -> Any:
        """The reply in ``fut``; :class:`LinkLost` if the link ends first, TimeoutError after ``timeout``."""
        done, _ = await asyncio.wait({fut, self.end}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        if fut in done:
            return fut.result()
        if self.end in done:
            raise LinkLost()
        raise TimeoutError()

    def spawn(self, coro: Coroutine[Any, Any, Any], name: str) -> asyncio.Task[Any]:
        """Run ``coro`` for as long as the link lives; its failure ends the link."""
        task = asyncio.create_task(self._guard(coro), name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _guard(self, coro: Coroutine[Any, Any, Any]) -> None:
        try:
            await coro
        except asyncio.CancelledError:
            raise
        except LinkLost:
            pass
        except (LinkDrop, Fatal, Closing) as exc:
            self.finish(exc)
        except Exception as exc:
            log.exception("unexpected error in the connection")
            self.finish(Fatal(f"Internal error in the client ({type(exc).__name__}); see the log."))

    def finish(self, reason: BaseException) -> None:
        """End the link with ``reason`` (the first reason wins)."""
        if not self.end.done():
            self.end.set_result(reason)

    async def shutdown(self, graceful: bool, close_timeout: float = 2.0) -> None:
        """Stop the link's tasks, fail waiting requests and close the socket."""
        self.finish(LinkLost())
        current = asyncio.current_task()
        tasks = [t for t in self._tasks if t is not current]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        waiters = [self.auth_waiter, *self.sub_waiters.values(), *self.ack_waiters.values()]
        for fut in waiters:
            if fut is not None and not fut.done():
                fut.set_exception(LinkLost())
                fut.exception()  # mark retrieved: nobody may be waiting any more
        try:
            if graceful:
                await asyncio.wait_for(self.ws.close(), close_timeout)
            else:
                transport = getattr(self.ws, "transport", None)
                if transport is not None:
                    transport.abort()
                await asyncio.wait_for(self.ws.close(), close_timeout)
        except Exception:
            pass
