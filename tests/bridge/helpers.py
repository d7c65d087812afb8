"""Small helpers shared by the bridge tests."""

from __future__ import annotations

from tests.bridge.runwriter import BASE_TIME


class Clock:
    """A settable clock for time-based states (busy/idle, stalled)."""

    def __init__(self, now: float = BASE_TIME + 10_000) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def by_type(events, kind):
    return [e for e in events if e.type == kind]


def one(events, kind):
    found = by_type(events, kind)
    assert len(found) == 1, f"expected one {kind}, got {len(found)}"
    return found[0]


async def wait_until(pilot, predicate, timeout: float = 8.0, what: str = "") -> None:
    """Let a Textual app run until ``predicate()`` holds; fail after ``timeout`` seconds."""
    from tests.waiting import app_until

    await app_until(pilot, predicate, timeout, what)


def screen_text(app) -> str:
    """What the app's screen shows right now, as plain text (from an SVG export)."""
    import html
    import re

    svg = app.export_screenshot()
    parts = re.findall(r"<text[^>]*>(.*?)</text>", svg, flags=re.S)
    return html.unescape("".join(parts)).replace("\xa0", " ")


def cli_env(tmp_path) -> dict[str, str]:
    """The environment of a CLI run: no AISCI_* settings or user config from this machine."""
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith("AISCI_")}
    env.update(XDG_CONFIG_HOME=str(tmp_path / "xdg"), HOME=str(tmp_path), TERM="xterm-256color")
    return env
