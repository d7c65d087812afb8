"""A dashboard filled from the seeded simulator with frozen clocks: same pixels every run.

Used by the snapshot tests and ``scripts/make_screenshots.py``. The events go
straight into the store (no network, no worker), the wall clock and the
store's clock are fixed, and the source label is constant.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from aisci_tui.protocol.models import Event
from aisci_tui.protocol.times import parse_time
from aisci_tui.settings import Settings
from aisci_tui.sources.base import ConnectionState, Notice, SourceItem
from aisci_tui.store import Store
from aisci_tui.store.overview import Overview
from aisci_tui.tui.app import DashboardApp

START = datetime(2026, 3, 1, 9, 0, 0, tzinfo=UTC)
MONOTONIC = 50_000.0


class QuietSource:
    """A source that yields nothing (the store is already full)."""

    label = "ws://127.0.0.1:8080/ws"

    def __aiter__(self) -> AsyncIterator[SourceItem]:
        return self._nothing()

    async def _nothing(self) -> AsyncIterator[SourceItem]:
        return
        yield  # pragma: no cover

    async def aclose(self) -> None:
        return None


@lru_cache(maxsize=8)
def seeded_events(seed: int = 42, minutes: float = 45.0, sessions: int = 3) -> tuple[Event, ...]:
    """``minutes`` of a seeded simulation (events are immutable in practice; cached)."""
    from aisci_tui.server.simulator import Simulator

    sim = Simulator(seed=seed, sessions=sessions, start=START)
    return tuple(sim.advance(minutes * 60.0))


def seeded_store(
    seed: int = 42, minutes: float = 45.0, sessions: int = 3, overview: Overview | None = None
) -> tuple[Store, datetime]:
    """A fresh store holding ``minutes`` of a seeded simulation, and the simulated 'now'.

    The store's clock follows the events' own timestamps while they are fed,
    so the rate and "last event" in the status line look as they would live.
    An ``overview`` is brought up to date every simulated half minute, as the
    dashboard's refresh would (so the home screen has its history).
    """
    now = [MONOTONIC]
    store = Store(clock=lambda: now[0])
    store.note(Notice("state", state=ConnectionState.OPEN))
    step = START
    for event in seeded_events(seed, minutes, sessions):
        moment = parse_time(event.timestamp)
        if moment is not None:
            now[0] = MONOTONIC + (moment - START).total_seconds()
            if overview is not None and moment - step >= timedelta(seconds=30):
                step = moment
                overview.update(store, store.take_changes(), moment)
        store.apply(event)
    now[0] = MONOTONIC + minutes * 60.0
    end = START + timedelta(minutes=minutes)
    if overview is not None:
        overview.update(store, store.take_changes(), end)
    return store, end


def seeded_app(
    seed: int = 42, minutes: float = 45.0, *, session_id: str | None = None, theme: str = "aisci-dark"
) -> DashboardApp:
    overview = Overview()
    store, now = seeded_store(seed, minutes, overview=overview)
    settings = Settings.model_construct(theme=theme)
    return DashboardApp(
        QuietSource(),
        store=store,
        settings=settings,
        session_id=session_id,
        clock=lambda: now,
        start_source=False,
        overview=overview,
    )
