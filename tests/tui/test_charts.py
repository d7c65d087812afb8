"""Charts: a session's progress over time and every experiment's metric by step, from the overview's data."""

from __future__ import annotations

from textual.widgets import Static

from aisci_tui.sources.base import ConnectionState
from aisci_tui.store.overview import Point, SessionLine
from aisci_tui.tui.app import DashboardApp
from aisci_tui.tui.views.charts import metric_series, progress_chart
from aisci_tui.tui.widgets.plot import Chart, Series, resample, sparkline
from aisci_tui.tui.widgets.tones import Palette
from tests.tui.conftest import make_client, wait_for
from tests.tui.harness import render_plain

P = Palette.plain()


def point(
    step: float, value: float | None, *, failed: bool = False, stage: str = "stage_1_a_1_b", lower: bool | None = None
) -> Point:
    return Point(step, value, failed, stage, "validation loss", lower)


def test_best_so_far_follows_the_metric_direction_and_buggy_nodes_are_marked():
    points = {
        "a": point(0, 0.9, lower=True),
        "b": point(1, 0.7, lower=True),
        "c": point(2, 0.8, lower=True),
        "d": point(3, None, failed=True, lower=True),
        "e": point(0, 0.5, stage="stage_2_b_1_c", lower=True),
    }
    series, name = metric_series(points, P)
    assert name == "validation loss"
    by_label = {s.label: s for s in series}
    best = by_label["best so far"].points
    assert [y for _, y in best] == sorted((y for _, y in best), reverse=True), "lower is better: never goes up"
    assert best[-1][1] == 0.5
    failed = by_label["failed / buggy"]
    assert failed.mark == "✖" and len(failed.points) == 1
    stage_two = by_label["2_b_1_c"].points
    assert stage_two[0][0] > max(x for x, _ in by_label["1_a_1_b"].points), "stages are laid end to end"


def test_a_chart_draws_its_axes_range_and_line():
    chart = Chart([Series("p", [(0, 0.0), (10, 1.0)])], x_label="minutes", y_range=(0.0, 1.0))
    lines = [t.plain for t in chart.render(40, 8)]
    assert len(lines) == 8 and lines[0].startswith(" 1┤") and lines[5].startswith(" 0┤")
    assert "└" in lines[6] and lines[7].strip().startswith("0") and lines[7].rstrip().endswith("10")
    assert lines[0][3:].strip() and lines[5][3:].strip()
    assert not lines[0][3:20].strip() and not lines[5][-15:].strip(), "the rising line starts low on the left"


def test_the_home_sparkline_and_the_progress_chart_show_the_same_history():
    line = SessionLine("s", history=__import__("collections").deque([(0.0, 0.1), (60.0, 0.5), (120.0, 0.9)]))
    spark = sparkline(resample(list(line.history), 6), 6, low=0.0, high=1.0).plain
    assert spark[0] < spark[-1]
    chart = render_plain(progress_chart(line, 60, 9, P), 60)
    assert "Overall progress" in chart and "2" in chart.splitlines()[-1]


async def test_a_session_opened_from_home_shows_its_charts(busy_server, settings):
    app = DashboardApp(make_client(busy_server), settings=settings)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(
            pilot,
            lambda: (
                app.store.connection.state == ConnectionState.OPEN
                and any(len(s.history) >= 2 for s in app.overview.sessions.values())
            ),
            timeout=15,
            what="progress history",
        )
        sid = next(k for k, s in app.overview.sessions.items() if len(s.history) >= 2)
        from aisci_tui.tui.views.base import GoTo

        app.post_message(GoTo("session", sid))
        await wait_for(pilot, lambda: app.session_id == sid, what="the session")
        body = app.query_one("#research-session-body", Static)
        await wait_for(
            pilot, lambda: "Overall progress, %" in render_plain(body.content, 118), what="the progress chart"
        )
        text = render_plain(body.content, 118)
        assert "minutes" in text and any(0x2800 <= ord(c) < 0x2900 for c in text)
