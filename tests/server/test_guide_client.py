"""The guide's own Python client works against this server, unchanged.

The client's source is read from the protocol guide at test time (it is not
part of this repository); the test is skipped when the guide is absent.
"""

from __future__ import annotations

import asyncio
import logging
import re

from aisci_tui.server.auth import mint_jwt
from tests.guide import guide_text
from tests.server.helpers import SECRET, experiment_ev, progress_ev, running, system_ev, wait_for


def guide_client_class() -> type:
    blocks = re.findall(r"```python\n(.*?)```", guide_text(), re.S)
    source = next(b for b in blocks if "class AIScientistWebSocket" in b)
    namespace: dict = {"__name__": "guide_client"}
    exec(compile(source, "websocket-integration-guide.md", "exec"), namespace)
    return namespace["AIScientistWebSocket"]


async def test_guide_python_client(caplog):
    client_class = guide_client_class()
    caplog.set_level(logging.INFO, logger="guide_client")
    async with running() as srv:
        client = client_class(srv.url, mint_jwt(SECRET, subject="guide", ttl=600))
        assert await client.connect() is True
        await client.subscribe(events=["research_progress", "experiment_results"], filters={"session_id": "s1"})
        progress, results = [], []
        client.on("research_progress", lambda data: progress.append(data["overall_progress"]))
        client.on("experiment_results", lambda data: results.append(data["results"]["summary"]))
        await wait_for(lambda: any("Subscription confirmed" in r.message for r in caplog.records))
        for ev in (progress_ev("s2", 0.9), progress_ev("s1", 0.25), experiment_ev(session="s1"), system_ev()):
            await srv.publish(ev)
        await wait_for(lambda: progress and results)
        await asyncio.sleep(0.05)
        assert progress == [0.25] and results == ["s"]
        messages = [r.message for r in caplog.records]
        assert any("Authentication successful" in m for m in messages)
        assert not [r for r in caplog.records if r.levelno >= logging.ERROR], messages
        await client.close()
        await wait_for(lambda: srv.connections == 0)
