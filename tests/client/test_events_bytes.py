"""`aisci-tui events` keeps text frames as the bytes that came: the lines, and the frames refused,
are what they were when every frame was decoded to text first."""

from __future__ import annotations

import asyncio
import json

from aisci_tui.client import Client
from aisci_tui.protocol import decode, encode
from aisci_tui.protocol.fast import RawEvent
from tests.client.conftest import agent_event, fast_config
from tests.client.test_events_cli import events_process, summary, wait_subscribed
from tests.client.test_hostile import CORPUS

HEAD = '{"type":"agent_status","id":"%s","timestamp":"2025-01-01T00:00:00Z","data":{"agent_id":"agt-b","status":"busy"'
#: Beyond ASCII as it came: accents, CJK, an emoji, a line separator (JSON allows it raw).
NON_ASCII = HEAD % "evt-u" + ',"name":"Agénte 研究 \U0001f9ea \u2028 end"}}'
#: Escapes kept as escapes: quote, backslash, slash, tab, ESC, BEL, NUL, an accent, a surrogate pair.
ESCAPES = HEAD % "evt-e" + r',"name":"q\" b\\ s\/ t\t esc\u001b[2J bel\u0007 nul\u0000 e\u00e9 \ud83e\uddea"}}'
#: Whitespace between tokens: a tab is kept; a line break would split the line, so that frame is re-encoded.
TABBED = HEAD.replace(",", ",\t") % "evt-t" + "}}"
BROKEN_LINE = HEAD.replace(",", ",\r\n") % "evt-n" + "}}"
#: A raw control character inside a string is not JSON: never printed.
RAW_CONTROL = HEAD % "evt-c" + ',"name":"evil\x1b[2Jagent"}}'


async def test_lines_are_the_frames_bytes_or_their_encoding_as_before(server):
    frames = [NON_ASCII, ESCAPES, TABBED, BROKEN_LINE, RAW_CONTROL]
    async with events_process("--url", server.url, "--limit", "5") as proc:
        await wait_subscribed(server)
        for frame in frames:
            assert await server.inject_raw(frame) == 1
        await server.publish(last := agent_event(agent="agt-last"))
        out, err = await asyncio.wait_for(proc.communicate(), 20)
    assert proc.returncode == 0
    expected = [NON_ASCII, ESCAPES, TABBED, encode(decode(BROKEN_LINE)), encode(last)]
    assert out == "".join(line + "\n" for line in expected).encode("utf-8")
    assert json.loads(out.splitlines()[1])["data"]["name"].endswith("nul\x00 eé \U0001f9ea")
    assert summary(err.decode())["invalid"] == 1


async def test_binary_frames_and_text_frames_not_utf8_are_refused_as_before(server):
    valid = HEAD % "evt-bin" + "}}"
    not_utf8 = (HEAD % "evt-x" + ',"x_extra":"\xff"}}').encode("latin-1")  # the bad byte where routing skips
    async with events_process("--url", server.url, "--limit", "2") as proc:
        await wait_subscribed(server)
        assert await server.inject_raw(valid.encode()) == 1  # a valid event, but in a binary frame
        await server.publish(agent_event(agent="agt-1"))
        for conn in list(server._connections):
            await conn.ws.send(not_utf8, text=True)  # a text frame that is not UTF-8
        await wait_subscribed(server, 2)  # it reconnected
        await server.publish(agent_event(agent="agt-2"))
        out, err = await asyncio.wait_for(proc.communicate(), 20)
    assert proc.returncode == 0
    assert [json.loads(line)["data"]["agent_id"] for line in out.splitlines()] == ["agt-1", "agt-2"]
    text = err.decode()
    assert "binary frame" in text and "not valid UTF-8" in text
    counts = summary(text)
    assert counts["invalid"] == 2 and counts["reconnects"] == 1


async def test_every_hostile_frame_counts_as_before(server):
    async with events_process("--url", server.url, "--limit", "1") as proc:
        await wait_subscribed(server)
        for frame, _ in CORPUS:
            assert await server.inject_raw(frame) == 1
        await server.publish(last := agent_event())
        out, err = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode == 0
    assert out == (encode(last) + "\n").encode()
    counts = summary(err.decode())
    assert counts["invalid"] == sum(n for _, n in CORPUS) and counts["reconnects"] == 0


async def test_only_the_strict_reader_keeps_bytes_the_dashboards_store_gets_text(server):
    for strict in (False, True):
        client = Client(fast_config(server.url))
        client.defer_validation(strict=strict)
        got: list[object] = []
        client.deliver_to(got.append)
        try:
            await client.ready()
            await server.publish(agent_event(agent=f"agt-{strict}"))
            for _ in range(500):
                if any(type(item) is RawEvent for item in got):
                    break
                await asyncio.sleep(0.01)
        finally:
            await client.aclose()
        raw = next(item for item in got if type(item) is RawEvent)
        assert type(raw.text) is (bytes if strict else str)


def test_a_write_the_pipe_takes_in_part_is_finished_in_order():
    """A non-blocking pipe that fills up: ``writev`` writes part, the rest follows, nothing lost or reordered."""
    import os
    import threading
    import time

    from aisci_tui.commands.eventlines import Printer

    read_fd, write_fd = os.pipe()
    os.set_blocking(write_fd, False)
    got = bytearray()

    def drain() -> None:
        time.sleep(0.2)  # let the pipe fill first
        while chunk := os.read(read_fd, 65536):
            got.extend(chunk)

    reader = threading.Thread(target=drain)
    reader.start()
    lines = [HEAD % f"evt-{i}" + ',"name":"' + "x" * 9000 + '"}}' for i in range(Printer.BATCH)]
    with open(write_fd, "w", encoding="utf-8") as out:
        printer = Printer(out=out)
        assert printer._fd == write_fd
        for line in lines:
            raw = RawEvent("agent_status", "evt", None, "agt-b", None, line.encode(), conforms=True)
            assert printer.event(raw)
        printer.flush()
    reader.join(10)
    os.close(read_fd)
    assert bytes(got) == "".join(line + "\n" for line in lines).encode()
