"""Pictures of every view at 80×24 and 160×48, the home screen at three sizes (and the help screen), from the seeded simulator.

Frozen clocks and a store filled directly make them identical run to run.
Update after an intended change with ``pytest tests/tui/test_snapshots.py --snapshot-update``
and look at the SVGs before committing them.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from aisci_tui.tui.bindings import VIEW_IDS
from aisci_tui.tui.seeded import seeded_app

SIZES = {"small": (80, 24), "large": (160, 48)}


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("view", VIEW_IDS[1:])  # home: test_home
def test_view(snap_compare, view, size):
    key = str(VIEW_IDS.index(view))
    assert snap_compare(seeded_app(), press=[key, "_"], terminal_size=SIZES[size])


@pytest.mark.parametrize("size", [(80, 24), (120, 36), (200, 50)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_home(snap_compare, size):
    assert snap_compare(seeded_app(), press=["_"], terminal_size=size)


def test_help_screen(snap_compare):
    assert snap_compare(seeded_app(), press=["question_mark", "_"], terminal_size=(100, 30))


def test_catch_up(snap_compare):
    """What changed in the last 25 minutes of the seeded story, above the home lists."""
    app = seeded_app()

    async def away(pilot):
        app.show_catch_up(app.clock() - timedelta(minutes=25))
        await pilot.pause()

    assert snap_compare(app, press=["_"], terminal_size=(120, 36), run_before=away)


def test_session_charts(snap_compare):
    """Enter on the first home line: the session with its progress and metric charts."""
    assert snap_compare(seeded_app(), press=["enter", "_"], terminal_size=(120, 36))


def test_not_live(snap_compare):
    """The server went away: the body says since when, the rows are dimmed, nothing counts down."""
    from aisci_tui.sources.base import ConnectionState, Notice

    app = seeded_app()

    async def lose(pilot):
        await pilot.pause()
        app.store.note(Notice("state", state=ConnectionState.RECONNECTING, attempt=2, retry_in=4.0))
        await pilot.pause(0.3)

    assert snap_compare(app, press=["_"], terminal_size=(80, 24), run_before=lose)
