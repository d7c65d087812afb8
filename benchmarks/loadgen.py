"""A minimal WebSocket server that replays pre-encoded event frames fast.

It speaks just enough of the protocol for any client to get going (answers
``auth``, ``subscribe``, ``unsubscribe`` and ``ping``), then writes the
stream's frames straight to the socket, already framed, in large chunks. A
server that calls ``send()`` per message tops out near 25k msg/s in Python,
so it would measure itself; this one writes several hundred thousand 1 KB
frames a second and leaves the client as the only bottleneck.

Run it in its own process (``python -m benchmarks.loadgen FRAMES_FILE``) so its
CPU never competes with the client under test. It prints one JSON object per
line on stdout: ``listening`` (with the port), ``stream_start`` and
``stream_end`` (with ``time.monotonic()`` readings, which are system-wide on
Linux) and, for paced streams, the send timeline.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import struct
import sys
import time
from pathlib import Path

import orjson

_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

#: Type of the frame that ends a stream, so a client can tell it has seen everything.
END_TYPE = "bench_end"


def ws_frame(payload: bytes, opcode: int = 0x1) -> bytes:
    """One unmasked, final server-to-client frame."""
    n = len(payload)
    if n < 126:
        head = struct.pack("!BB", 0x80 | opcode, n)
    elif n < 65536:
        head = struct.pack("!BBH", 0x80 | opcode, 126, n)
    else:
        head = struct.pack("!BBQ", 0x80 | opcode, 127, n)
    return head + payload


def end_frame() -> bytes:
    return orjson.dumps({"type": END_TYPE, "id": "msg_bench_end", "timestamp": "2099-01-01T00:00:00.000Z", "data": {}})


def write_frames_file(path: Path, frames: list[bytes]) -> None:
    """Store frames as length-prefixed records, for the server process to load."""
    with path.open("wb") as fh:
        for f in frames:
            fh.write(struct.pack("!I", len(f)))
            fh.write(f)


def read_frames_file(path: Path) -> list[bytes]:
    data = path.read_bytes()
    out, i = [], 0
    while i < len(data):
        (n,) = struct.unpack_from("!I", data, i)
        out.append(data[i + 4 : i + 4 + n])
        i += 4 + n
    return out


def _emit(kind: str, **fields: object) -> None:
    sys.stdout.write(orjson.dumps({"event": kind, **fields}).decode() + "\n")
    sys.stdout.flush()


async def _read_frame(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    b1, b2 = await reader.readexactly(2)
    opcode, n = b1 & 0x0F, b2 & 0x7F
    if n == 126:
        (n,) = struct.unpack("!H", await reader.readexactly(2))
    elif n == 127:
        (n,) = struct.unpack("!Q", await reader.readexactly(8))
    mask = await reader.readexactly(4) if b2 & 0x80 else b""
    payload = await reader.readexactly(n)
    if mask:
        payload = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return opcode, payload


class LoadServer:
    """Replays ``frames`` to each client after its first ``subscribe``.

    ``rate`` None floods as fast as the socket drains; otherwise frames go out
    paced at ``rate`` per second in ``tick``-second slices. ``repeat`` sends the
    stream that many times; ``end_marker`` appends a :data:`END_TYPE` frame.
    """

    def __init__(
        self,
        frames: list[bytes],
        *,
        rate: float | None = None,
        tick: float = 0.01,
        chunk: int = 256 * 1024,
        end_marker: bool = True,
        hold: float = 0.0,
    ) -> None:
        self.wire = [ws_frame(f) for f in frames]
        self.rate = rate
        self.tick = tick
        self.chunk = chunk
        self.end_marker = end_marker
        self.hold = hold
        self.timeline: list[tuple[float, int]] = []
        self.done = asyncio.Event()

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await self._handshake(reader, writer)
            streaming: asyncio.Task | None = None
            while True:
                opcode, payload = await _read_frame(reader)
                if opcode == 0x8:
                    writer.write(ws_frame(payload[:2], 0x8))
                    break
                if opcode == 0x9:
                    writer.write(ws_frame(payload, 0xA))
                    continue
                if opcode != 0x1:
                    continue
                reply, start = self._answer(payload)
                for obj in reply:
                    writer.write(ws_frame(orjson.dumps(obj)))
                if start and streaming is None:
                    _emit("subscribed", t=time.monotonic())
                    streaming = asyncio.create_task(self._stream(writer))
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def _handshake(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        key = b""
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"sec-websocket-key":
                key = value.strip()
        accept = base64.b64encode(hashlib.sha1(key + _GUID).digest())
        writer.write(
            b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            b"Sec-WebSocket-Accept: " + accept + b"\r\n\r\n"
        )

    def _answer(self, payload: bytes) -> tuple[list[dict], bool]:
        try:
            msg = orjson.loads(payload)
        except orjson.JSONDecodeError:
            return [], False
        kind, mid = msg.get("type"), msg.get("id") or "msg_x"
        stamp = "2025-01-01T12:00:00.000Z"
        if kind == "auth":
            data = {
                "status": "success",
                "session_id": "bench",
                "user_id": "bench",
                "permissions": ["read"],
                "expires_at": "2099-01-01T00:00:00Z",
            }
            return [{"type": "auth_response", "id": "msg_auth", "timestamp": stamp, "data": data}], False
        if kind == "subscribe":
            sub = msg.get("data") or {}
            out = [
                {
                    "type": "subscription_response",
                    "id": "msg_sub",
                    "timestamp": stamp,
                    "data": {
                        "status": "success",
                        "subscription_id": "sub_bench",
                        "subscribed_events": sub.get("events") or [],
                        "active_filters": {},
                    },
                }
            ]
            if sub.get("require_ack"):
                out.append(
                    {"type": "ack", "id": "msg_ack", "timestamp": stamp, "data": {"original_id": mid, "status": "ok"}}
                )
            return out, True
        if kind == "ping":
            return [{"type": "pong", "id": "msg_pong", "timestamp": stamp, "data": {}}], False
        if kind == "unsubscribe":
            return [
                {"type": "ack", "id": "msg_unsub", "timestamp": stamp, "data": {"original_id": mid, "status": "ok"}}
            ], False
        return [], False

    async def _stream(self, writer: asyncio.StreamWriter) -> None:
        try:
            await self._stream_all(writer)
        except ConnectionError:
            _emit("stream_aborted", t=time.monotonic())

    async def _stream_all(self, writer: asyncio.StreamWriter) -> None:
        if self.hold:
            await asyncio.sleep(self.hold)
        start = time.monotonic()
        _emit("stream_start", t=start, frames=len(self.wire))
        if self.rate is None:
            await self._flood(writer)
        else:
            await self._paced(writer, start)
        if self.end_marker:
            writer.write(ws_frame(end_frame()))
            await writer.drain()
        _emit("stream_end", t=time.monotonic(), timeline=self.timeline if self.rate else [])
        self.done.set()

    async def _flood(self, writer: asyncio.StreamWriter) -> None:
        buf: list[bytes] = []
        size = 0
        for w in self.wire:
            buf.append(w)
            size += len(w)
            if size >= self.chunk:
                writer.write(b"".join(buf))
                buf, size = [], 0
                await writer.drain()
        if buf:
            writer.write(b"".join(buf))
            await writer.drain()

    async def _paced(self, writer: asyncio.StreamWriter, start: float) -> None:
        sent, total = 0, len(self.wire)
        while sent < total:
            now = time.monotonic()
            due = min(total, int((now - start) * self.rate) + 1)
            if due > sent:
                writer.write(b"".join(self.wire[sent:due]))
                sent = due
                self.timeline.append((round(now, 6), sent))
                await writer.drain()
            await asyncio.sleep(self.tick)


async def serve(frames: list[bytes], *, port: int = 0, **options: object) -> None:
    server_obj = LoadServer(frames, **options)  # type: ignore[arg-type]
    server = await asyncio.start_server(server_obj.handle, "127.0.0.1", port)
    _emit("listening", port=server.sockets[0].getsockname()[1])
    async with server:
        await server.serve_forever()


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("frames_file", type=Path)
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--rate", type=float, default=None, help="events per second (default: flood)")
    p.add_argument("--hold", type=float, default=0.0, help="seconds to wait after subscribe before streaming")
    p.add_argument("--no-end", action="store_true", help="do not append the end marker")
    args = p.parse_args(argv)
    frames = read_frames_file(args.frames_file)
    try:
        asyncio.run(serve(frames, port=args.port, rate=args.rate, hold=args.hold, end_marker=not args.no_end))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
