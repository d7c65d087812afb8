"""The library example in the README runs as written against the project's server."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

from aisci_tui.server import ProtocolServer, ServerConfig

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_example() -> str:
    text = README.read_text(encoding="utf-8")
    section = text.split("## Using the client as a library", 1)[1]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


async def test_library_example_prints_experiment_results(monkeypatch):
    code = readme_example()
    async with ProtocolServer(ServerConfig(port=0, api_keys=("readme-key",), seed=5, warmup=0.0)) as srv:
        session = srv.simulator.session_ids[0]
        code = code.replace("ws://127.0.0.1:8080/ws", srv.url).replace("ses-123", session)
        code = code.replace("asyncio.run(main())", "")
        monkeypatch.setenv("AISCI_API_KEY", "readme-key")
        monkeypatch.delenv("AISCI_TOKEN", raising=False)
        printed: list[tuple] = []
        namespace: dict = {"print": lambda *args: printed.append(args)}
        exec(compile(code, "README-example", "exec"), namespace)
        task = asyncio.create_task(namespace["main"]())
        # publish a result of that session through the server, as the simulator would
        from aisci_tui.protocol import make

        await asyncio.sleep(0.3)
        await srv.publish(
            make(
                "experiment_results",
                {"experiment_id": "e-readme", "session_id": session, "title": "Readme run", "status": "completed"},
            )
        )
        other = make(
            "experiment_results",
            {"experiment_id": "e-other", "session_id": "ses-other", "title": "Other", "status": "failed"},
        )
        await srv.publish(other)
        for _ in range(100):
            if ("Readme run", "completed") in printed:
                break
            await asyncio.sleep(0.05)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    assert ("Readme run", "completed") in printed
    assert ("Other", "failed") not in printed
