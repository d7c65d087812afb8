"""`aisci-tui replay --max-gap S`: a recording's long silences are cut to S seconds when played."""

from __future__ import annotations

import sys
from datetime import UTC, datetime

import pytest

from aisci_tui.protocol.times import parse_time
from aisci_tui.server.simulator import Simulator
from aisci_tui.sources.record import Recorder
from tests.bridge.helpers import cli_env
from tests.pty import Pty

CLI = [sys.executable, "-m", "aisci_tui"]


def recording_with_a_silence(path, hour: float = 3600.0) -> int:
    """Six events a second apart, with an hour of silence after the third; returns how many."""
    events = Simulator(seed=5, sessions=1, start=datetime(2026, 3, 1, 9, tzinfo=UTC)).advance(60)[:6]
    first = parse_time(events[0].timestamp).timestamp()
    arrivals = [first, first + 1, first + 2, first + 2 + hour, first + 3 + hour, first + 4 + hour]
    with Recorder(path) as rec:
        for event, arrival in zip(events, arrivals, strict=True):
            rec.write(event, arrival=arrival)
    return len(events)


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_replay_max_gap_plays_an_hour_of_silence_in_two_seconds(tmp_path):
    path = tmp_path / "quiet.jsonl"
    recording_with_a_silence(path)
    # without --max-gap the recording lasts 1:00:04; with it, 2 s + 2 s (the silence) + 2 s
    term = Pty(
        [*CLI, "replay", str(path), "--max-gap", "2", "--speed", "1", "--images", "off"],
        env=cli_env(tmp_path),
        cwd=tmp_path,
    )
    try:
        assert term.wait_for("● open", "/0:06", timeout=15), term.output[-3000:]
        assert b"1:00:04" not in term.output
        assert term.wait_for("0:06/0:06", timeout=15), "played to the end in about six seconds"
        term.send("q")
        code = term.finish()
    finally:
        term.close()
    assert code == 0 and b"Traceback" not in term.output
