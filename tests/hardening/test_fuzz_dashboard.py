"""Fuzzing the dashboard: generated and mutated streams through a headless app never crash it.

Each stream mixes events with odd values and hostile text, mutated guide
messages, invalid frames, error and state notices and unknown types. A
hypothesis example runs the real :class:`DashboardApp` with Pilot and feeds it
several streams one after another (starting an app costs more than a stream,
and a dashboard lives through many streams); after each stream one view, each
in turn, is visited (filtering, sorting, pausing, opening a detail) and the app must still
be up, nothing may have been logged as an error (a view that fails to draw, an
item that fails to apply), and nothing but Textual's own escape sequences may
reach the terminal.

The default run covers 100 streams (about half a minute on one core); ``pytest -m soak`` 2,000.
"""

from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path
from typing import Any

import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from aisci_tui.protocol import Event, ProtocolError, decode
from aisci_tui.protocol.models import UnknownMessage
from aisci_tui.settings import Settings
from aisci_tui.sources.base import ConnectionState, Notice
from tests.guide import guide_messages
from tests.hardening.hostile import NASTY, BytesChooser, Chooser, envelope, mutate, text
from tests.hardening.screen import foreign_sequences, terminal_output
from tests.hardening.test_fuzz_decode import fuzz

#: Hypothesis examples, and the streams each feeds to one app: 100 streams in the default run.
DASHBOARD_CASES = 10
STREAMS_PER_APP = 10
SOAK_CASES = 200
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
            items.append(
                c.choice(
                    (
                        Notice(
                            "error",
                            text=said,
                            code=c.choice(("RATE_LIMITED", "BRAND_NEW", said)),
                            severity=c.choice(("warning", "error", "critical")),
                            details={said: said},
                        ),
                        Notice(
                            "state",
                            state=state,
                            attempt=c.integer(0, 9),
                            retry_in=c.choice((None, 0.0, 2.5)),
                            text=said,
                            fatal=c.integer(0, 9) == 0,
                        ),
                        Notice("info", text=said, severity=c.choice(("info", "warning"))),
                    )
                )
            )
            continue
        try:
            msg = decode(frame)
        except ProtocolError as exc:
            items.append(Notice("invalid", text=f"Ignored an invalid frame: {exc.reason}", severity="warning"))
            continue
        if isinstance(msg, Event | UnknownMessage):
            items.append(msg)
    return items


class StreamSource:
    """A live source fed stream after stream by the test; it ends when closed."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.queue: asyncio.Queue[Any] = asyncio.Queue()
        self.fed = 0

    def feed(self, items: list[Any]) -> None:
        for item in items:
            self.queue.put_nowait(item)
        self.fed += len(items)

    async def __aiter__(self) -> Any:
        while (item := await self.queue.get()) is not None:
            yield item

    async def aclose(self) -> None:
        self.queue.put_nowait(None)


class Errors(logging.Handler):
    """Collects what the dashboard logs at ERROR or above (a view that failed to draw, an item
    that failed to apply, a callback that raised): the log is where those failures surface."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(f"{record.name}: {record.getMessage()} {record.exc_info and record.exc_info[1]!r}")


async def drive(streams: list[list[Any]], size: tuple[int, int], export_dir: Path) -> list[str]:
    """Run one app over ``streams`` in turn, visiting everything after each; returns problems found."""
    from aisci_tui.tui.app import DashboardApp
    from aisci_tui.tui.run.view import dashboard_views

    problems: list[str] = []
    errors = Errors()
    logger = logging.getLogger("aisci_tui")
    logger.addHandler(errors)
    settings = Settings.model_construct(export_dir=export_dir, refresh_hz=30.0)
    source = StreamSource(NASTY)
    app = DashboardApp(source, settings=settings, views=dashboard_views())
    try:
        async with app.run_test(size=size, notifications=True) as pilot:
            views = list(app.views)
            for number, items in enumerate(streams):
                source.feed(items)
                for _ in range(200):
                    if app.pump.items >= source.fed:
                        break
                    await pilot.pause(0.01)
                if app.pump.items != source.fed:
                    problems.append(f"stream {number}: only {app.pump.items} of {source.fed} items ingested")
                # one view per stream, in turn, so each app visits all six (visiting costs more than a stream)
                view_id = views[number % len(views)]
                await app.run_action(f"show_view('{view_id}')")
                for action in ("cycle_filter", "sort_next", "sort_reverse", "toggle_pause", "toggle_pause"):
                    await app.run_action(action)
                await pilot.pause()
                if found := foreign_sequences(terminal_output(app)):
                    problems.append(f"stream {number}, view {view_id}: {found[:3]}")
                app.current_view.open_selected()  # the highlighted row's detail, where the view has one
                await pilot.pause()
                if found := foreign_sequences(terminal_output(app)):
                    problems.append(f"stream {number}, detail of {view_id}: {found[:3]}")
                while len(app.screen_stack) > 1:
                    app.pop_screen()
                problems += [f"stream {number}: logged {r}" for r in errors.records]
                errors.records.clear()
                if not app.is_running:
                    problems.append(f"stream {number}: the app stopped")
                    break
            await pilot.press("q")
    finally:
        logger.removeHandler(errors)
    return problems


def fuzz_dashboard(cases: int, tmp_path: Path, *, derandomize: bool = True) -> int:
    """Run ``cases`` examples of STREAMS_PER_APP streams each; returns how many streams ran."""
    guide = guide_messages()
    ran = 0

    # no shrinking: an example is ten streams through one app, and its blob is printed to reproduce it
    @settings(parent=fuzz(cases, derandomize=derandomize), phases=(Phase.explicit, Phase.reuse, Phase.generate))
    @given(
        st.lists(st.binary(min_size=64, max_size=256), min_size=STREAMS_PER_APP, max_size=STREAMS_PER_APP),
        st.sampled_from([(80, 24), (120, 36), (160, 48)]),
    )
    def prop(blobs, size):
        nonlocal ran
        ran += len(blobs)
        streams = [stream(BytesChooser(blob, wild=8), guide) for blob in blobs]
        assert asyncio.run(drive(streams, size, tmp_path)) == []

    prop()
    return ran


@pytest.mark.timeout(300)  # about half a minute on an idle core; CPU-bound, so it stretches with the machine's load
def test_dashboard_survives_generated_streams(tmp_path):
    assert fuzz_dashboard(DASHBOARD_CASES, tmp_path) == DASHBOARD_CASES * STREAMS_PER_APP >= 100


@pytest.mark.soak
@pytest.mark.timeout(1800)
def test_soak_dashboard_survives_many_more_streams(tmp_path):
    assert fuzz_dashboard(SOAK_CASES, tmp_path, derandomize=False) == SOAK_CASES * STREAMS_PER_APP
