"""Pictures of the states people see that no other picture holds: the tree view, a filter being
typed, a paused dashboard, an open detail, the too-small screen, replay's status line, and the
error banner of a fatal error.

The seeded simulator with frozen clocks makes them identical run to run (see
``aisci_tui/tui/seeded.py``). Update after an intended change with
``pytest tests/tui/test_snapshots_states.py --snapshot-update`` and look at the SVGs first.
"""

from __future__ import annotations

from datetime import UTC, datetime

from aisci_tui.protocol import from_obj
from aisci_tui.settings import Settings
from aisci_tui.sources.base import ConnectionState, Notice
from aisci_tui.sources.record import Recorder
from aisci_tui.sources.replay import ReplaySource
from aisci_tui.store import Store
from aisci_tui.store.overview import Overview
from aisci_tui.tui.app import DashboardApp
from aisci_tui.tui.run.apps import replay_app
from aisci_tui.tui.run.view import dashboard_views
from aisci_tui.tui.seeded import MONOTONIC, QuietSource, seeded_app, seeded_events, seeded_store

SIZE = (120, 36)
STAGE = "stage_2_baseline_tuning_1_first_attempt"


def tree_node(n: int, parent: int | None, loss: float, *, buggy: bool = False, best: bool = False) -> object:
    """An experiment as ``serve --from-run`` publishes a search-tree node (fixed ids and times)."""
    data = {
        "experiment_id": f"node-{n:02d}",
        "session_id": "ses-tree",
        "title": f"Node {n}: tune the learning rate",
        "status": "failed" if buggy else "completed",
        "stage": STAGE,
        "node_id": f"node-{n:02d}",
        "parent_id": f"node-{parent:02d}" if parent is not None else None,
        "step": n,
        "is_best": best,
        "exc_type": "ValueError" if buggy else None,
        "results": {"metrics": {"validation loss": loss}, "key_findings": [f"Loss {loss:.2f} after 20 epochs."]},
    }
    return from_obj(
        {"type": "experiment_results", "id": f"tree-{n}", "timestamp": f"2026-03-01T09:{10 + n:02d}:00Z", "data": data}
    )


def tree_app() -> DashboardApp:
    """The seeded dashboard with the tree view (key 6) and one stage of a search tree in the store."""
    overview = Overview()
    store, now = seeded_store(overview=overview)
    nodes = [
        tree_node(0, None, 1.20),
        tree_node(1, 0, 0.95),
        tree_node(2, 0, 9.99, buggy=True),
        tree_node(3, 1, 0.61, best=True),
        tree_node(4, 1, 0.88),
        tree_node(5, 3, 0.70),
    ]
    for node in nodes:
        store.apply(node)  # type: ignore[arg-type]
    overview.update(store, store.take_changes(), now)
    return DashboardApp(
        QuietSource(),
        store=store,
        settings=Settings.model_construct(theme="aisci-dark"),
        clock=lambda: now,
        start_source=False,
        overview=overview,
        views=dashboard_views(),
    )


def test_tree_view(snap_compare):
    """Key 6: the stage line, the tree with the best node starred and the buggy one marked, its pane."""
    assert snap_compare(tree_app(), press=["6", "_"], terminal_size=SIZE)


def test_filter_being_typed(snap_compare):
    """Agents, with ``/`` open and "lit" typed (not yet kept with Enter): the Literature Scouts."""
    assert snap_compare(seeded_app(), press=["2", "slash", "l", "i", "t"], terminal_size=SIZE)


def test_paused(snap_compare):
    """Agents, paused: the header says so and keeps its values."""
    assert snap_compare(seeded_app(), press=["2", "p", "_"], terminal_size=SIZE)


class FrozenMonotonic:
    """Stands in for ``time`` in the views' base module: a view's clock is the app's (frozen here)
    moved on by the monotonic time since its last sync, which would let the ages in a detail drift
    by a second between runs."""

    @staticmethod
    def monotonic() -> float:
        return 1_000.0


def test_detail_open(snap_compare, monkeypatch):
    """Enter on the first agent: its detail screen."""
    monkeypatch.setattr("aisci_tui.tui.views.base.time", FrozenMonotonic)
    assert snap_compare(seeded_app(), press=["2", "enter", "_"], terminal_size=SIZE)


def test_too_small_screen(snap_compare):
    """Below the smallest usable size the dashboard says so instead of drawing a broken layout."""
    assert snap_compare(seeded_app(), press=["_"], terminal_size=(50, 14))


def test_error_banner(snap_compare):
    """A fatal error (here: authentication refused) stays on screen as a banner under the header."""
    app = seeded_app()
    app.store.note(
        Notice(
            "state",
            state=ConnectionState.ERROR,
            fatal=True,
            severity="error",
            text="Authentication failed: the token was refused (INVALID_TOKEN). Get a new token and start again.",
        )
    )
    assert snap_compare(app, press=["_"], terminal_size=SIZE)


def test_replay_status_line(snap_compare, tmp_path):
    """A replay at its end, paused: the status line shows ⏸, the file, position/length and speed."""
    path = tmp_path / "recording.jsonl"
    events = seeded_events(minutes=5.0)
    start = datetime(2026, 3, 1, 9, tzinfo=UTC).timestamp()
    with Recorder(path) as rec:
        for n, event in enumerate(events):
            rec.write(event, arrival=start + n * 300.0 / len(events))
    source = ReplaySource(path, speed=1.0)
    end = datetime(2026, 3, 1, 9, 5, tzinfo=UTC)
    app = replay_app(
        source,
        settings=Settings.model_construct(theme="aisci-dark"),
        store=Store(clock=lambda: MONOTONIC),
        clock=lambda: end,
    )

    async def to_the_end(pilot):
        for _ in range(200):
            if source.loaded:
                break
            await pilot.pause(0.02)
        await pilot.press("space", "dollar_sign")
        for _ in range(200):
            if app.store.counters.received >= len(events):
                break
            await pilot.pause(0.02)
        await pilot.pause(0.3)
        app.clear_notifications()  # the toasts of the replayed system events expire on the wall clock
        await pilot.pause()

    assert snap_compare(app, press=["_"], terminal_size=SIZE, run_before=to_the_end)
