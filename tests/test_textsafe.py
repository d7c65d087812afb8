"""Server text reaches the terminal literally: no escapes, no controls, no markup."""

from __future__ import annotations

import pytest
from rich.console import Console
from rich.text import Text

from aisci_tui.textsafe import ELLIPSIS, clean, is_clean

HOSTILE = {
    "clear screen": "before\x1b[2J\x1b[Hafter",
    "set title": "x\x1b]0;pwned\x07y",
    "osc8 link": "\x1b]8;;file:///etc/passwd\x1b\\click\x1b]8;;\x1b\\",
    "osc52 clipboard": "\x1b]52;c;cm0gLXJmIH4=\x07",
    "c1 csi": "a\x9b31mred",
    "c1 osc": "a\x9d0;title\x9c",
    "bell and backspace": "ding\x07\x08\x08",
    "nul": "a\x00b",
    "del": "a\x7fb",
    "bidi override": "invoice\u202egpj.exe",
    "bidi isolate": "a\u2066b\u2069",
    "lone esc": "\x1b",
    "dcs": "\x1bPq#0;2;0;0;0\x1b\\",
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_escape_and_control_sequences_are_neutralised(name):
    out = clean(HOSTILE[name])
    assert is_clean(out)
    assert "\x1b" not in out and "\x9b" not in out and "\x07" not in out
    console = Console(force_terminal=True, color_system=None, width=200, record=False, file=None)
    with console.capture() as cap:
        console.print(Text(out))
    assert "\x1b]" not in cap.get() and "\x1b[2J" not in cap.get()


def test_visible_text_around_escapes_survives():
    assert clean("before\x1b[2J\x1b[Hafter").replace("\N{REPLACEMENT CHARACTER}", "") == "beforeafter"


def test_rich_markup_is_kept_literally_when_wrapped_in_text():
    console = Console(width=80, color_system=None)
    with console.capture() as cap:
        console.print(Text(clean("[bold red]x[/] [link=file:///etc/passwd]y[/link]")))
    assert cap.get().strip() == "[bold red]x[/] [link=file:///etc/passwd]y[/link]"


def test_long_text_is_cut_with_an_indicator():
    out = clean("x" * 600_000, limit=100)
    assert len(out) == 100 and out.endswith(ELLIPSIS)


def test_newlines_become_spaces_unless_asked_for():
    assert clean("a\nb\tc") == "a b c"
    assert clean("a\nb", newlines=True) == "a\nb"


def test_non_strings_and_none():
    assert clean(None) == ""
    assert clean(3.5) == "3.5"
