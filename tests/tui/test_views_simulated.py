"""Every view fed by the seeded simulator in virtual time: incremental syncs agree with full ones."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from aisci_tui.server.simulator import Simulator
from aisci_tui.store import Store
from aisci_tui.tui.views import VIEWS, AgentsView, EventsView, ExperimentsView
from aisci_tui.tui.widgets.badges import AGENT, SEVERITY
from tests.tui.harness import Harness, shown

START = datetime(2026, 1, 1, tzinfo=UTC)
EXPECTED = {
    "research": "sessions",
    "agents": "agents",
    "experiments": "experiments",
    "ethics": "assessments",
    "events": "log",
}


def test_views_are_in_key_order_with_the_contract_attributes():
    assert [v.VIEW_ID for v in VIEWS] == ["home", "research", "agents", "experiments", "ethics", "events"]
    assert [v.TITLE for v in VIEWS] == ["Home", "Research", "Agents", "Experiments", "Ethics", "Events"]
    assert [v.FILTER_LABEL for v in VIEWS] == [None, None, "status", "status", "status", "severity"]
    for view in VIEWS:
        ids = [b.id for b in view.BINDINGS]
        assert all(ids), f"{view.__name__} has a binding without an id"


TABLE_VIEWS = [v for v in VIEWS if v.VIEW_ID in EXPECTED]


@pytest.mark.parametrize("view_cls", TABLE_VIEWS, ids=lambda v: v.VIEW_ID)
async def test_incremental_syncs_match_the_store(view_cls):
    sim = Simulator(seed=3, start=START)
    store = Store()
    view = view_cls()
    app = Harness(view, store, now=START)
    async with app.run_test(size=(120, 36)) as pilot:
        for step in range(12):
            store.feed(sim.advance(60))
            app.now = START + timedelta(seconds=60 * (step + 1))
            app.sync()
            await pilot.pause()
        table = getattr(store, EXPECTED[view.VIEW_ID])
        assert len(table) > 0
        incremental = shown(view)
        assert sorted(incremental) == sorted(view.rows) and len(view.rows) == len(table)
        # a full pass from the same store changes nothing
        before = {k: {c: t.plain for c, t in view.cells_for(k).items()} for k in incremental}
        app.sync(full=True)
        await pilot.pause()
        assert shown(view) == incremental
        assert {k: {c: t.plain for c, t in view.cells_for(k).items()} for k in incremental} == before
        columns, rows = view.export_rows()
        assert len(rows) == len(incremental) and all(set(r) == set(columns) for r in rows)


async def test_session_choice_narrows_every_table_view():
    sim = Simulator(seed=5, start=START)
    store = Store()
    store.feed(sim.advance(900))
    per_session = Counter(e.data.session_id for e in store.experiments.values())
    sid = per_session.most_common(1)[0][0]
    for view_cls in (AgentsView, ExperimentsView):
        view = view_cls()
        app = Harness(view, store, now=START + timedelta(seconds=900))
        async with app.run_test(size=(120, 36)) as pilot:
            app.sync(full=True)
            await pilot.pause()
            everything = set(shown(view))
            app.session_id = sid
            app.sync(full=True)
            await pilot.pause()
            mine = set(shown(view))
            assert mine and mine < everything
            for key in mine:
                assert view.rows[key]["session_id"] in (sid, None)


@pytest.mark.parametrize("view_cls", [AgentsView, EventsView], ids=["agents", "events"])
async def test_a_theme_change_restyles_the_cells(view_cls):
    sim = Simulator(seed=3, start=START)
    store = Store()
    store.feed(sim.advance(600))
    view = view_cls()
    app = Harness(view, store, now=START + timedelta(seconds=600))
    column, table, wanted = ("status", AGENT, "busy") if view_cls is AgentsView else ("severity", SEVERITY, None)
    async with app.run_test(size=(120, 36)) as pilot:
        app.sync()
        await pilot.pause()
        key = next(k for k in shown(view) if wanted is None or view.rows[k][column] == wanted)
        value = view.rows[key][column]
        dark = view.table.get_cell(key, column).style
        app.theme = "textual-light"
        await pilot.pause()
        await pilot.pause()
        light = view.table.get_cell(key, column).style
        assert light != dark and light == view.palette[table[value][2]]
        assert view.table.get_cell(key, column).plain.endswith(value)


@pytest.mark.parametrize("view_cls", [AgentsView, ExperimentsView], ids=["agents", "experiments"])
async def test_rows_of_several_sessions_say_which_session_they_belong_to(view_cls):
    sim = Simulator(seed=5, start=START)
    store = Store()
    store.feed(sim.advance(900))
    assert len(store.sessions) > 1
    view = view_cls()
    app = Harness(view, store, now=START + timedelta(seconds=900))
    async with app.run_test(size=(200, 36)) as pilot:
        app.sync(full=True)
        await pilot.pause()
        assert "session" in [c.key for c, _ in view.table.shown]
        titles = {e.data.title for e in store.sessions.values()}
        key = shown(view)[0]
        assert view.cells_for(key)["session"].plain in titles
