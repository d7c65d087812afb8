"""Recorder writes one flushed JSON line per event; ReplaySource plays it back with timing controls."""

from __future__ import annotations

import asyncio
import json
import os
import stat
import time

import pytest

from aisci_tui.protocol import from_obj, to_obj
from aisci_tui.sources.base import ConnectionState, Notice
from aisci_tui.sources.record import Recorder, RecordingSource
from aisci_tui.sources.replay import ReplaySource
from aisci_tui.sources.rundir import RunReader
from tests.bridge.runwriter import mid_run
from tests.bridge.test_source import Collector, is_state


def event(n: int, status: str = "busy"):
    return from_obj(
        {
            "type": "agent_status",
            "id": f"m{n}",
            "timestamp": f"2026-01-01T00:00:{n:02d}.000Z",
            "data": {"agent_id": f"a{n % 3}", "status": status},
        }
    )


def record(path, arrivals):
    with Recorder(path) as rec:
        for n, at in enumerate(arrivals):
            rec.write(event(n), arrival=1_000.0 + at)
    return path


def events_of(items):
    return [i for i in items if not isinstance(i, Notice)]


def test_recorder_creates_a_private_file_and_flushes_every_line(tmp_path):
    path = tmp_path / "rec.jsonl"
    rec = Recorder(path, clock=lambda: 42.5)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    rec.write(event(1))
    lines = path.read_text().splitlines()  # readable before close: flushed
    assert json.loads(lines[0]) == {"arrival": 42.5, "envelope": to_obj(event(1))}
    rec.write(event(2), arrival=50.0)
    assert len(path.read_text().splitlines()) == 2 and rec.count == 2
    rec.close()
    with pytest.raises(ValueError):
        rec.write(event(3))
    with Recorder(path) as again:  # appends to an existing recording
        again.write(event(3), arrival=60.0)
    assert len(path.read_text().splitlines()) == 3


def test_recorder_never_writes_credentials(tmp_path):
    path = tmp_path / "rec.jsonl"
    auth = from_obj({"type": "auth", "id": "a1", "data": {"token": "secret-jwt-value", "api_key": "k-123"}})
    with Recorder(path) as rec:
        rec.write(auth, arrival=1.0)
    text = path.read_text()
    assert "secret-jwt-value" not in text and "k-123" not in text
    assert json.loads(text)["envelope"]["data"] == {"redacted": True}


async def test_bridge_events_round_trip_through_a_recording(tmp_path):
    run = mid_run(tmp_path / "run")
    original = RunReader(run.path).scan()
    path = tmp_path / "rec.jsonl"
    with Recorder(path) as rec:
        for n, ev in enumerate(original):
            rec.write(ev, arrival=2_000.0 + n * 0.01)
    replay = ReplaySource(path, speed=float("inf"), stay_open=False)
    items = [i async for i in replay]
    replayed = events_of(items)
    assert [to_obj(e) for e in replayed] == [to_obj(e) for e in original]
    assert [type(e) for e in replayed] == [type(e) for e in original]
    assert is_state(ConnectionState.OPEN)(items[1]) and is_state(ConnectionState.CLOSED)(items[-1])
    assert any(isinstance(i, Notice) and i.details.get("replay") == "end" for i in items)


async def test_speed_factor_scales_the_gaps(tmp_path):
    path = record(tmp_path / "rec.jsonl", [0.0, 1.0, 2.0])
    replay = ReplaySource(path, speed=10.0, stay_open=False)
    start = time.monotonic()
    stamps = []
    async for item in replay:
        if not isinstance(item, Notice):
            stamps.append(time.monotonic() - start)
    assert len(stamps) == 3
    assert 0.17 <= stamps[-1] < 0.6
    assert stamps[1] - stamps[0] >= 0.08


async def test_pause_holds_events_and_resume_continues(tmp_path):
    path = record(tmp_path / "rec.jsonl", [0.0, 0.5, 0.6])
    replay = ReplaySource(path, speed=5.0)
    got = Collector(replay)
    await got.wait_for(lambda i: getattr(i, "id", None) == "m0")
    replay.pause()
    assert replay.paused
    await asyncio.sleep(0.3)  # the second event was due after 0.1 s
    assert len(events_of(got.items)) == 1
    held = replay.position
    await asyncio.sleep(0.05)
    assert replay.position == held
    replay.resume()
    await got.wait_for(lambda i: getattr(i, "id", None) == "m2", timeout=1.0)
    await got.close()


async def test_seek_forward_delivers_skipped_events_and_back_resets(tmp_path):
    path = record(tmp_path / "rec.jsonl", [0.0, 100.0, 200.0, 300.0])
    replay = ReplaySource(path, speed=1.0)
    got = Collector(replay)
    await got.wait_for(lambda i: getattr(i, "id", None) == "m0")
    assert replay.duration == 300.0
    replay.seek(150)
    await got.wait_for(lambda i: getattr(i, "id", None) == "m1", timeout=1.0)
    assert 150 <= replay.position < 151
    assert "m2" not in [e.id for e in events_of(got.items)]
    replay.seek(-120)
    reset = await got.wait_for(lambda i: isinstance(i, Notice) and i.details.get("replay") == "reset")
    assert reset.details["position"] == pytest.approx(30, abs=1)
    await asyncio.sleep(0.1)
    after_reset = got.items[got.items.index(reset) + 1 :]
    assert [e.id for e in events_of(after_reset)] == ["m0"]
    replay.seek_end()
    await got.wait_for(lambda i: getattr(i, "id", None) == "m3", timeout=1.0)
    assert [e.id for e in events_of(got.items[got.items.index(reset) + 1 :])] == ["m0", "m1", "m2", "m3"]
    await got.wait_for(lambda i: isinstance(i, Notice) and i.details.get("replay") == "end")
    replay.seek_start()
    await got.wait_for(
        lambda i: isinstance(i, Notice) and i.details.get("replay") == "reset" and i.details["position"] < 0.5
    )
    replay.set_speed(float("inf"))
    await asyncio.sleep(0.1)
    assert [e.id for e in events_of(got.items)][-4:] == ["m0", "m1", "m2", "m3"]
    await got.close()


async def test_bad_lines_become_invalid_notices_and_good_lines_still_play(tmp_path):
    path = tmp_path / "rec.jsonl"
    good = {"arrival": 1.0, "envelope": to_obj(event(1))}
    lines = [
        json.dumps(good),
        "this is not json",
        "[1, 2]",
        json.dumps({"arrival": 1.1}),
        json.dumps({"arrival": 1.2, "envelope": {"type": "agent_status", "id": "x", "data": {"status": "busy"}}}),
        json.dumps(
            {
                "arrival": 1.3,
                "envelope": {
                    "type": "batch",
                    "id": "b",
                    "data": {"events": [to_obj(event(2)), {"type": "agent_status", "id": "y", "data": {}}]},
                },
            }
        ),
        json.dumps(
            {
                "arrival": 1.4,
                "envelope": {"type": "error", "id": "e", "data": {"code": "RATE_LIMITED", "message": "slow down"}},
            }
        ),
        json.dumps({"arrival": 1.5, "envelope": {"type": "pong", "id": "p"}}),
        json.dumps({"arrival": 1.6, "envelope": {"type": "future_event", "id": "f", "data": {}}}),
        "",
        json.dumps(to_obj(event(3))),  # a bare envelope line
        "\x00\xff garbage",
    ]
    path.write_text("\n".join(lines) + "\n")
    items = [i async for i in ReplaySource(path, speed=float("inf"), stay_open=False)]
    invalid = [i for i in items if isinstance(i, Notice) and i.kind == "invalid"]
    assert [n.details["line"] for n in invalid] == [2, 3, 4, 5, 6, 12]
    assert all(n.text.startswith(f"line {n.details['line']}:") for n in invalid)
    errors = [i for i in items if isinstance(i, Notice) and i.kind == "error"]
    assert [e.code for e in errors] == ["RATE_LIMITED"]
    assert [getattr(e, "id", None) for e in events_of(items)] == ["m1", "m2", "f", "m3"]


async def test_a_missing_recording_is_a_fatal_notice_not_an_exception(tmp_path):
    items = [i async for i in ReplaySource(tmp_path / "none.jsonl")]
    assert [i.kind for i in items] == ["state", "error", "state"]
    assert items[1].fatal and "cannot read the recording" in items[1].text


def test_speed_must_be_positive(tmp_path):
    with pytest.raises(ValueError):
        ReplaySource(tmp_path / "x.jsonl", speed=0)
    replay = ReplaySource(tmp_path / "x.jsonl", speed=2)
    with pytest.raises(ValueError):
        replay.set_speed(float("nan"))


async def test_recording_source_records_what_passes_through(tmp_path):
    source_path = record(tmp_path / "in.jsonl", [0.0, 0.01, 0.02])
    out = tmp_path / "out.jsonl"
    wrapped = RecordingSource(ReplaySource(source_path, speed=float("inf"), stay_open=False), Recorder(out))
    assert wrapped.label == str(source_path)
    wrapped.pause()  # the wrapped source's controls stay reachable
    wrapped.resume()
    items = [i async for i in wrapped]
    assert len(events_of(items)) == 3
    recorded = [json.loads(line)["envelope"]["id"] for line in out.read_text().splitlines()]
    assert recorded == ["m0", "m1", "m2"]
    assert wrapped.recorder.closed
