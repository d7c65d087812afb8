"""Links between things: g on a row lists what it names, Enter goes there; ctrl+p finds anything by name or id."""

from __future__ import annotations

from textual.widgets import OptionList

from aisci_tui.sources.base import ConnectionState
from aisci_tui.store.links import links_of
from aisci_tui.tui.app import DashboardApp
from aisci_tui.tui.screens import LinksScreen
from tests.tui.conftest import ListSource, make_client, wait_for
from tests.tui.harness import agent, assessment, experiment, progress, system


def world() -> list:
    return [
        progress("ses-1", title="Pruning study", overall_progress=0.4, current_phase="analysis"),
        agent("agt-1", "busy", name="Statistician", session_id="ses-1", current_task={"id": "exp-1"}),
        experiment("exp-1", "running", title="Seed sweep", session_id="ses-1", execution={"agent_id": "agt-1"}),
        assessment("exp-1", status="review_required", data={"resource_type": "experiment", "session_id": "ses-1"}),
        system("error", "outage", title="Disk full", session_id="ses-1"),
    ]


def labels(app: DashboardApp) -> list[str]:
    screen = app.screen
    assert isinstance(screen, LinksScreen)
    return [link.label for link in screen.links]


async def follow(pilot, app: DashboardApp, label: str) -> None:
    box = app.screen.query_one(OptionList)
    box.highlighted = labels(app).index(label)
    await pilot.press("enter")
    await pilot.pause()


async def test_links_from_an_agent_an_experiment_an_assessment_and_an_event(settings):
    app = DashboardApp(ListSource(world(), hold=True), settings=settings)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, lambda: len(app.store.log) and "exp-1" in app.store.assessments, what="the world")
        await pilot.press("2")
        await wait_for(pilot, lambda: app.current_view.selected_key() == "agt-1", what="the agent row")
        await pilot.press("g")
        assert labels(app) == ["Session: Pruning study", "Current experiment: Seed sweep"]
        await follow(pilot, app, "Current experiment: Seed sweep")
        assert app.current_view.VIEW_ID == "experiments"
        await wait_for(pilot, lambda: app.current_view.selected_key() == "exp-1", what="the experiment row")
        await pilot.press("g")
        assert labels(app) == ["Session: Pruning study", "Agent: Statistician", "Its ethical assessment"]
        await follow(pilot, app, "Its ethical assessment")
        assert app.current_view.VIEW_ID == "ethics"
        await wait_for(pilot, lambda: app.current_view.selected_key() == "exp-1", what="the assessment row")
        await pilot.press("g")
        assert labels(app)[0] == "Experiment: Seed sweep"
        await pilot.press("escape")
        await pilot.press("5")
        await wait_for(pilot, lambda: app.current_view.selected_key() is not None, what="the event row")
        await pilot.press("g")
        await follow(pilot, app, "Session: Pruning study")
        await wait_for(
            pilot, lambda: app.current_view.VIEW_ID == "research" and app.session_id == "ses-1", what="the session"
        )


def test_an_assessment_without_a_resource_type_links_to_whatever_holds_its_id():
    from aisci_tui.store import Store

    store = Store()
    store.feed([agent("agt-9", "idle", name="Scout"), assessment("agt-9")])
    assert [link.kind for link in links_of(store, "assessment", "agt-9")] == ["agent"]


async def test_the_palette_goes_to_an_agent_found_by_name(sim_server, settings):
    app = DashboardApp(make_client(sim_server), settings=settings)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(
            pilot,
            lambda: (
                app.store.connection.state == ConnectionState.OPEN
                and any(e.data.name for e in app.store.agents.values())
            ),
            what="agents",
        )
        key = next(k for k, e in app.store.agents.items() if e.data.name)
        await pilot.press("ctrl+p")
        await pilot.pause(0.2)
        await pilot.press(*key)  # the id: unique, where names repeat across sessions
        await pilot.pause(0.5)
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.current_view.VIEW_ID == "agents", what="the agents view")
        await wait_for(pilot, lambda: app.current_view.selected_key() == key, what="the agent highlighted")
