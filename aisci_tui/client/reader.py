"""The socket reader: every frame a connection receives, to the outlet or the protocol handler.

:func:`read` is the loop a :class:`~aisci_tui.client.client.Client` runs on each
connection. A deferrable entity event takes the hot path (routed by its few
fields, handed to the outlet without a coroutine); every other frame goes to
:meth:`~aisci_tui.client.protocol.ProtocolHandler.handle_frame`. It returns by
raising why the connection ended.

When the outlet keeps text frames as bytes (``Outlet.raw_text``, which ``aisci-tui
events`` asks for), the connection is a :class:`TextTagging` one: websockets then
hands over text frames undecoded, and the reader checks their UTF-8 itself (a frame
that is not valid UTF-8 closes the connection with code 1007, as websockets does
when it decodes) and tells them from binary frames by what the connection noted
as it queued each message.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed
from websockets.frames import Opcode

from aisci_tui.client.errors import Closing, LinkDrop
from aisci_tui.client.link import describe_frame, wire_log

if TYPE_CHECKING:
    from aisci_tui.client.client import Client
    from aisci_tui.client.link import Link

_CONT, _TEXT = Opcode.CONT, Opcode.TEXT


class TextTagging(ClientConnection):
    """A connection that notes, for each message it queues, whether it came as a text frame.

    The notes are taken in the order messages are queued, which is the order
    ``recv`` returns them, so the reader takes one note per message received.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.text_messages: deque[bool] = deque()

    def connection_made(self, transport: Any) -> None:
        super().connection_made(transport)  # the message queue is made here, before any frame
        notes, put = self.text_messages, self.recv_messages.put

        def put_noted(frame: Any) -> None:
            if frame.opcode is not _CONT:  # the first frame of a message says what it is
                notes.append(frame.opcode is _TEXT)
            put(frame)

        self.recv_messages.put = put_noted  # type: ignore[method-assign]


async def read(client: Client, link: Link) -> None:
    """Read ``link`` until it closes; raises :class:`Closing` or :class:`LinkDrop`."""
    ws = link.ws
    try:
        if isinstance(ws, TextTagging):
            await _read_bytes(client, link, ws)
        else:
            await _read_text(client, link)
    except ConnectionClosed:
        pass
    sent, rcvd = ws.protocol.close_sent, ws.protocol.close_rcvd
    ours = sent.code if sent is not None else None
    if ours == 1009:
        client.skip_history = True
        client.outlet.invalid(
            f"a frame exceeded the {client.config.max_frame}-byte limit; reconnecting without "
            "history so that it is not sent again (events of the last moments may be missing)"
        )
    elif ours == 1007:
        client.outlet.invalid("a text frame was not valid UTF-8; reconnecting")
    code = rcvd.code if rcvd is not None else None
    if code == 1000:
        raise Closing("The server closed the connection.")
    why = f"close code {code}" if code is not None else "no close frame"
    raise LinkDrop(f"Connection lost ({why}).")


def _hot_path(client: Client) -> Callable[[str | bytes], bool]:
    """What both readers do with a text frame first: ``take(frame)`` passes it to the outlet's
    sink and returns True when it is a deferrable entity event (routed by its few fields,
    without a coroutine); False leaves the frame to the protocol handler."""
    stats = client.stats
    max_frame = client.config.max_frame
    out = client.outlet
    queue = out.queue
    route = out.router

    def take(frame: str | bytes) -> bool:
        if not (out.deferring and len(frame) <= max_frame and (raw := route(frame)) is not None):
            return False
        if out.accept(raw):
            sink = out.sink  # Outlet.deliver, inlined for the flood
            if sink is queue:
                queue(raw)
            else:
                stats.events += 1
                sink(raw)
        return True

    return take


async def _read_text(client: Client, link: Link) -> None:
    stats = client.stats
    out = client.outlet
    handle = client.protocol.handle_frame
    take = _hot_path(client)
    async for frame in link.ws:
        link.rx.set()
        stats.received += 1
        if wire_log.isEnabledFor(logging.DEBUG):
            wire_log.debug("received %s", describe_frame(frame))
        if not (type(frame) is str and take(frame)):
            await handle(link, frame)
        if out.queue.full:
            await out.room(link)


async def _read_bytes(client: Client, link: Link, ws: TextTagging) -> None:
    """:func:`_read_text` for text frames kept as bytes: the same path for each frame, the
    same frames refused, and a routed event's ``text`` the frame's bytes as they came."""
    stats = client.stats
    out = client.outlet
    handle = client.protocol.handle_frame
    take = _hot_path(client)
    recv, is_text = ws.recv, ws.text_messages.popleft
    while True:
        frame = await recv(decode=False)
        link.rx.set()
        stats.received += 1
        if not is_text():
            if wire_log.isEnabledFor(logging.DEBUG):
                wire_log.debug("received %s", describe_frame(frame))
            await handle(link, frame)  # refused as binary, as before
        elif not frame.isascii() and not _utf8(frame):
            await ws.close(1007, "invalid UTF-8")  # what websockets does when it decodes the frame
        else:
            if wire_log.isEnabledFor(logging.DEBUG):
                wire_log.debug("received %s", describe_frame(frame.decode()))
            if not take(frame):
                await handle(link, frame.decode())
        if out.queue.full:
            await out.room(link)


def _utf8(frame: bytes) -> bool:
    try:
        frame.decode()
    except UnicodeDecodeError:
        return False
    return True
