"""What `aisci-tui events` prints: the server's own frame once it has validated, replayable as before."""

from __future__ import annotations

import asyncio
import json

import orjson

from aisci_tui.protocol import decode, encode
from aisci_tui.protocol.codec import to_obj
from tests.client.conftest import agent_event
from tests.client.test_events_cli import clean_env, events_process, run, wait_subscribed

#: A valid agent update as a server might format it: spaced, keys in its own order, an unknown field,
#: an integer where the model reads a float, and text beyond ASCII.
SPACED = (
    '{"data": {"status": "busy", "agent_id": "agt-9", "name": "Ag\\u00e9nt é", "x_extra": [1, {"k": null}],'
    ' "performance": {"cpu_usage": 1}}, "id": "evt-spaced", "type": "agent_status",'
    ' "timestamp": "2025-01-01T00:00:00Z"}'
)
#: Valid by the models, which read the number in the string; not by the strict check.
LAX = (
    '{"type":"agent_status","id":"evt-lax","timestamp":"2025-01-01T00:00:01Z",'
    '"data":{"agent_id":"agt-8","status":"idle","performance":{"cpu_usage":"0.5"}}}'
)
#: Invalid: the status must be a string.
BAD = '{"type":"agent_status","id":"evt-bad","data":{"agent_id":"agt-7","status":5}}'


async def test_lines_are_the_frames_text_when_strictly_valid_and_the_encoding_otherwise(server):
    async with events_process("--url", server.url, "--limit", "3") as proc:
        await wait_subscribed(server)
        for frame in (SPACED, BAD, LAX):
            assert await server.inject_raw(frame) == 1
        await server.publish(agent_event(agent="agt-last"))
        out, err = await asyncio.wait_for(proc.communicate(), 20)
    assert proc.returncode == 0
    lines = out.decode().splitlines()
    assert lines[0] == SPACED  # as the server sent it, unknown field and all
    assert lines[1] == encode(decode(LAX))  # the models' reading of it: the number, not the string
    assert json.loads(lines[1])["data"]["performance"]["cpu_usage"] == 0.5
    assert json.loads(lines[2])["data"]["agent_id"] == "agt-last"
    assert [line for line in err.decode().splitlines() if "invalid frame" in line and "status" in line]
    counts = json.loads(err.decode().strip().splitlines()[-1])
    assert (counts["events"], counts["invalid"]) == (3, 1)


async def test_printed_lines_and_older_canonical_lines_replay_alike(server, tmp_path):
    async with events_process("--url", server.url, "--limit", "2") as proc:
        await wait_subscribed(server)
        assert await server.inject_raw(SPACED) == 1
        await server.publish(agent_event(agent="agt-2"))
        out, _ = await asyncio.wait_for(proc.communicate(), 20)
    printed = tmp_path / "printed.jsonl"
    printed.write_bytes(out)
    older = tmp_path / "older.jsonl"  # what `events` printed before: every line re-encoded from the model
    older.write_text("".join(encode(decode(line)) + "\n" for line in out.decode().splitlines()))
    env = clean_env()
    replays = []
    for path in (printed, older):
        code, again, _ = await run("--from", str(path), env=env)
        assert code == 0
        replays.append([to_obj(decode(line)) for line in again.splitlines()])
    assert replays[0] == replays[1] == [to_obj(decode(line)) for line in out.decode().splitlines()]
    assert len(replays[0]) == 2 and orjson.loads(out.splitlines()[0])["data"]["x_extra"] == [1, {"k": None}]
