"""How fast the project's own ProtocolServer can push events (to judge it as a load generator).

``python -m benchmarks.serverload N`` serves N pre-validated events from a feed
as fast as the server takes them, once a client has subscribed, on a free
port; prints ``{"port": ..., "key": ...}`` (a throwaway key for this process).
:func:`measure` runs it in its own process and counts what a bare client
receives per second.
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import AsyncIterator

import orjson
import websockets

from benchmarks.harness import ROOT


async def _serve(n: int) -> None:
    from aisci_tui.protocol import decode
    from aisci_tui.server import ProtocolServer, ServerConfig
    from benchmarks import frames as framegen

    events = [decode(f) for f in framegen.stream(min(n, 5_000))]
    subscribed = asyncio.Event()

    async def feed() -> AsyncIterator[object]:
        await subscribed.wait()
        for i in range(n):
            yield events[i % len(events)].model_copy(update={"id": f"srv-{i:09d}"})
            if i % 64 == 0:
                await asyncio.sleep(0)

    cfg = ServerConfig(port=0, simulate=False, max_queue=10_000_000, history_size=0)
    server = ProtocolServer(cfg, feed=feed())  # type: ignore[arg-type]
    await server.start()
    sys.stdout.write(orjson.dumps({"port": server.port, "key": server.dev_api_key}).decode() + "\n")
    sys.stdout.flush()
    while not server.hub.stats.get("subscriptions"):
        await asyncio.sleep(0.01)
    subscribed.set()
    await asyncio.Event().wait()


async def measure(n: int, timeout: float = 30.0) -> dict[str, float]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "benchmarks.serverload", str(n), cwd=str(ROOT), stdout=asyncio.subprocess.PIPE
    )
    try:
        assert proc.stdout is not None
        info = orjson.loads(await asyncio.wait_for(proc.stdout.readline(), 30))
        got, first, last = 0, 0.0, 0.0
        async with websockets.connect(f"ws://127.0.0.1:{info['port']}/ws", max_size=None) as ws:
            await ws.send(orjson.dumps({"type": "auth", "id": "a", "data": {"api_key": info["key"]}}).decode())
            await ws.send(
                orjson.dumps(
                    {
                        "type": "subscribe",
                        "id": "s",
                        "data": {
                            "events": [
                                "agent_status",
                                "research_progress",
                                "experiment_results",
                                "ethical_assessment",
                                "system_event",
                            ]
                        },
                    }
                ).decode()
            )
            deadline = time.monotonic() + timeout
            while got < n and time.monotonic() < deadline:
                try:
                    message = await asyncio.wait_for(ws.recv(), max(0.01, deadline - time.monotonic()))
                except TimeoutError:
                    break
                kind = orjson.loads(message)["type"]
                if kind in ("auth_response", "subscription_response", "ack", "pong", "error"):
                    continue
                got += 1
                last = time.monotonic()
                if got == 1:
                    first = last
        return {"events": got, "events_per_s": round((got - 1) / max(1e-9, last - first)) if got > 1 else 0}
    finally:
        if proc.returncode is None:
            proc.terminate()
            await proc.wait()


if __name__ == "__main__":
    asyncio.run(_serve(int(sys.argv[1])))
