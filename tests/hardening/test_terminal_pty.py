"""End to end on a real pseudo-terminal: a recording full of hostile text, replayed through the
dashboard by ``aisci-tui replay``, never makes the program write a data-borne escape sequence.

This is the byte stream a terminal emulator would receive (the real Linux
driver, not the headless one): no clipboard write, window title, clear
screen, hyperlink to the recorded file URL, C1 control or bidi override comes
from the data, and markup is written as the characters typed.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from aisci_tui.sources.record import Recorder
from aisci_tui.tui.widgets.links import safe_url
from tests.hardening.conftest import Terminal, clean_env, cli
from tests.hardening.hostile import NASTY_TEXT
from tests.hardening.screen import links_in
from tests.hardening.test_terminal_safety import hostile_events


def test_a_hostile_recording_writes_no_data_borne_escapes_to_the_terminal(tmp_path: Path):
    if sys.platform != "linux":
        pytest.skip("needs a Linux pseudo-terminal")
    recording = tmp_path / "hostile.jsonl"
    with Recorder(recording) as recorder:
        for n, text in enumerate(NASTY_TEXT.values(), start=1):
            for event in hostile_events(n, text):
                recorder.write(event, arrival=1_000.0 + n / 100)
    env = clean_env(
        TERM="xterm-256color", COLORTERM="truecolor", HOME=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path / "config")
    )
    term = Terminal(cli("replay", str(recording), "--speed", "1000", "--images", "off"), env, cwd=tmp_path)
    try:
        term.read_for(2.0)
        term.type("2345", wait=0.3)
        term.type("q", wait=0.2)
    finally:
        code = term.close()
    written = term.output.decode("utf-8", errors="replace")
    assert code == 0, written[-500:]
    assert len(written) > 5_000 and "Agents" in written, "the dashboard was drawn"
    assert NASTY_TEXT["markup"] in written, "markup is written as typed"
    assert "invoice" in written and "gpj.exe" in written, "the words around a bidi override are shown"
    for sequence in (
        "\x1b]52",
        "\x1b]0;",
        "\x1b]2;",
        "\x1b[2J",
        "\x1b]8;;file:///etc/passwd",
        "\x9b",
        "\x9d",
        "\u202e",
        "\u2066",
        "PWNED-TITLE\x07",
        "\x1bPq",
        "\x00",
    ):
        assert sequence not in written, f"{sequence!r} reached the terminal"
    for target in links_in(written):
        assert safe_url(target) == target, f"unsafe hyperlink {target!r}"
