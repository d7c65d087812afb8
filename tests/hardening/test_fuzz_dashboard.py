"""Fuzzing the dashboard: generated and mutated streams through a headless app never crash it.

Each example builds a stream (events with odd values and hostile text,
mutated guide messages, invalid frames, error and state notices, unknown
types), runs the real :class:`DashboardApp` on it with Pilot, visits every view
(opening details, filtering, sorting, pausing) and checks the app is still
up, no view failed to draw, and nothing but Textual's own escape sequences
would reach the terminal.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from aisci_tui.protocol import Event, ProtocolError, decode
from aisci_tui.protocol.models import UnknownMessage
from aisci_tui.settings import Settings
from aisci_tui.sources.base import ConnectionState, Notice
from tests.guide import guide_messages
from tests.hardening.conftest import FUZZ_COUNTS, ListSource
from tests.hardening.hostile import NASTY, BytesChooser, Chooser, envelope, mutate, text
from tests.hardening.screen import foreign_sequences, terminal_output
from tests.hardening.test_fuzz_decode import fuzz

DASHBOARD_CASES = 3
STREAM = 160


def stream(c: Chooser, guide: list[tuple[str, dict[str, Any]]]) -> list[Any]:
    """A mixed stream as a source would yield it."""
    items: list[Any] = []
    for _ in range(STREAM):
        kind = c.integer(0, 9)
        if kind <= 6:
            frame: str | bytes = json.dumps(envelope(c), allow_nan=True)
        elif kind == 7:
            frame = mutate(c, c.choice(guide)[1])
        else:
            state = c.choice(list(ConnectionState))
            said = c.choice((NASTY, text(c)))
            items.append(c.choice((
                Notice("error", text=said, code=c.choice(("RATE_LIMITED", "BRAND_NEW", said)),
                       severity=c.choice(("warning", "error", "critical")), details={said: said}),
                Notice("state", state=state, attempt=c.integer(0, 9), retry_in=c.choice((None, 0.0, 2.5)),
                       text=said, fatal=c.integer(0, 9) == 0),
                Notice("info", text=said, severity=c.choice(("info", "warning"))),
            )))
            continue
        try:
            msg = decode(frame)
        except ProtocolError as exc:
            items.append(Notice("invalid", text=f"Ignored an invalid frame: {exc.reason}", severity="warning"))
            continue
        if isinstance(msg, Event | UnknownMessage):
            items.append(msg)
    return items


async def drive(items: list[Any], size: tuple[int, int], export_dir: Path) -> list[str]:
    """Run the app over ``items``, visit everything; returns problems found (empty when all is well)."""
    from aisci_tui.tui.app import DashboardApp
    from aisci_tui.tui.run.view import dashboard_views

    problems: list[str] = []
    settings = Settings.model_construct(export_dir=export_dir, refresh_hz=30.0)
    app = DashboardApp(ListSource(items, label=NASTY), settings=settings, views=dashboard_views())
    async with app.run_test(size=size, notifications=True) as pilot:
        for _ in range(200):
            if app.pump.items >= len(items):
                break
            await pilot.pause(0.01)
        problems += [] if app.pump.items == len(items) else [f"only {app.pump.items} of {len(items)} ingested"]
        for view_id in list(app.views):
            await app.run_action(f"show_view('{view_id}')")
            for action in ("cycle_filter", "sort_next", "sort_reverse", "toggle_pause", "toggle_pause"):
                await app.run_action(action)
            await pilot.pause()
            if found := foreign_sequences(terminal_output(app)):
                problems.append(f"view {view_id}: {found[:3]}")
            app.current_view.open_selected()  # the highlighted row's detail, where the view has one
            await pilot.pause()
            if found := foreign_sequences(terminal_output(app)):
                problems.append(f"detail of {view_id}: {found[:3]}")
            while len(app.screen_stack) > 1:
                app.pop_screen()
        if app._failed_views:
            problems.append(f"views failed to draw: {sorted(app._failed_views)}")
        if not app.is_running:
            problems.append("the app stopped")
        await pilot.press("q")
    return problems


def test_dashboard_survives_generated_streams(tmp_path):
    guide = guide_messages()
    ran = 0

    @fuzz(DASHBOARD_CASES)
    @given(st.binary(min_size=64, max_size=256), st.sampled_from([(80, 24), (120, 36), (160, 48)]))
    def prop(blob, size):
        nonlocal ran
        ran += 1
        items = stream(BytesChooser(blob, wild=8), guide)
        assert asyncio.run(drive(items, size, tmp_path)) == []

    prop()
    FUZZ_COUNTS["dashboard streams"] = ran
    assert ran == DASHBOARD_CASES
