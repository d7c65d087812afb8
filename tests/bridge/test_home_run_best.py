"""Home's line for a run folder: the stage's best as the tree says it, or that there is no good node; the cost."""

from __future__ import annotations

import pytest

from aisci_tui.settings import Settings
from aisci_tui.sources.rundir import RunSource
from aisci_tui.tui.run.apps import watch_app
from aisci_tui.tui.run.view import TreeView
from aisci_tui.tui.views.home import HomeView
from tests.bridge.helpers import Clock, wait_until
from tests.bridge.runwriter import finished_run, mid_run, no_good_run


def make_app(run, tmp_path):
    settings = Settings.model_construct(export_dir=tmp_path / "out", refresh_hz=20.0)
    source = RunSource(run.path, poll_interval=0.05, clock=Clock(), watch=False)
    return watch_app(source, run.path, settings=settings)


def home_line(app) -> str:
    """The text of the run's line on Home ("" until it is there)."""
    home = app.query_one(HomeView)
    box = home.query_one("#home-list")
    oid = next((o for o, target in home._targets.items() if target == ("session", app.session_id)), None)
    return box.get_option(oid).prompt.plain if oid is not None else ""


async def shown(app, pilot, *words: str) -> str:
    await wait_until(
        pilot, lambda: all(w in home_line(app) for w in words), what=f"{words} on Home: {home_line(app)!r}"
    )
    return home_line(app)


@pytest.mark.parametrize(
    "size,best", [((80, 24), "0 good yet"), ((120, 36), "0 good yet"), ((200, 50), "no good node yet")]
)
async def test_a_stage_without_a_good_node_says_so(tmp_path, size, best):
    run = no_good_run(tmp_path)
    app = make_app(run, tmp_path)
    async with app.run_test(size=size) as pilot:
        line = await shown(app, pilot, best)
        assert "best —" not in line
        assert ("no cost yet" in line) == (size[0] >= 120)  # no token_tracker.json during the tree search


async def test_the_best_is_the_trees_headline_metric(tmp_path):
    run = mid_run(tmp_path)
    app = make_app(run, tmp_path)
    async with app.run_test(size=(200, 50)) as pilot:
        await wait_until(pilot, lambda: len(app.store.experiments) == 8, what="the run's nodes")
        await pilot.press("6")
        view = app.query_one(TreeView)
        await wait_until(pilot, lambda: "best: ★" in str(view.query_one("#tree-stage").render()), what="the tree")
        headline = str(view.query_one("#tree-stage").render()).partition("best: ★ ")[2]
    # "validation loss ↓ 1.1 (mean of 2 datasets)": Home shows it without the dataset scope, the short form at 80
    assert "↓" in headline and headline.endswith(")")
    metric = headline.rpartition(" (")[0]
    for size, text in (((200, 50), metric), ((80, 24), " ".join(metric.split()[-2:]))):
        app = make_app(run, tmp_path)
        async with app.run_test(size=size) as pilot:
            line = await shown(app, pilot, text)
            assert "best —" not in line and "0 good" not in line


async def test_a_finished_run_shows_its_total_cost(tmp_path):
    run = finished_run(tmp_path)  # token_tracker.json: $0.575 + $1.80
    app = make_app(run, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        line = await shown(app, pilot, "$2.38")
        assert "no cost yet" not in line and "best —" not in line
    app = make_app(run, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:  # no room for the cost at 80 columns
        line = await shown(app, pilot, "finished")
        assert "$" not in line
