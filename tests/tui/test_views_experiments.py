"""Experiments view: list, detail pane following the cursor, links, bridge fields, hostile payloads."""

from __future__ import annotations

import time

from rich.segment import Segment

from aisci_tui.tui.views.experiments import ExperimentsView, experiment_detail
from aisci_tui.tui.widgets.tones import Palette
from tests.tui.harness import NOW, Harness, agent, cell, experiment, render_plain, shown, static_text

FULL = {
    "session_id": "s1",
    "title": "Temperature Trend Analysis",
    "results": {
        "summary": "Analysis shows significant temperature increase",
        "key_findings": ["Average temperature increased by 1.2°C", "Correlation with CO2 levels: r = 0.87"],
        "metrics": {"accuracy": 0.94, "confidence_interval": [0.89, 0.99], "sample_size": 10000, "effect_size": 0.75},
        "visualizations": [
            {
                "type": "time_series",
                "title": "Temperature Over Time",
                "url": "https://api.ai-scientist.com/viz/plot_123.png",
                "description": "Trends 2010-2024",
            },
            {"type": "scatter_plot", "title": "Sneaky", "url": "javascript:alert(1)"},
            {"type": "image", "title": "Local plot", "url": "file:///runs/x/plot.png"},
        ],
        "data": {
            "raw_data_url": "https://api.ai-scientist.com/data/exp_123_raw.csv",
            "processed_data_url": "https://api.ai-scientist.com/data/exp_123_processed.json",
            "metadata": {"columns": ["date", "temperature", "co2_level"], "rows": 3650, "file_size": "2.3MB"},
        },
    },
    "execution": {
        "duration": 1200,
        "started_at": "2026-01-01T11:40:00Z",
        "completed_at": "2026-01-01T12:00:00Z",
        "agent_id": "a1",
        "computing_resources": {"cpu_time": 1800, "memory_peak": "4.5GB", "gpu_usage": "30%"},
    },
    "quality_metrics": {"data_quality_score": 0.92, "methodology_score": 0.88, "reproducibility_score": 0.95},
}


def links_in(renderable, width: int = 120) -> set[str]:
    from rich.console import Console

    console = Console(width=width, color_system="truecolor", force_terminal=True)
    lines = console.render_lines(renderable, console.options, pad=False)
    return {
        seg.style.link for line in lines for seg in line if isinstance(seg, Segment) and seg.style and seg.style.link
    }


async def test_rows_filter_sort_and_export():
    view = ExperimentsView()
    app = Harness(view)
    async with app.run_test(size=(160, 30)) as pilot:
        app.feed(
            agent("a1", name="Experiment Runner"),
            experiment("e1", "completed", **FULL),
            experiment("e2", "failed", title="Broken run", execution={"duration": 30}),
            experiment("e3", "partial", title="Half", results={"metrics": {"accuracy": 0.5}}),
        )
        app.sync()
        await pilot.pause()
        assert shown(view) == ["e1", "e2", "e3"]
        assert cell(view, "e1", "status") == "✓ completed" and cell(view, "e1", "metric") == "0.94"
        assert cell(view, "e1", "duration") == "20m 00s" and cell(view, "e1", "agent") == "Experiment Runner"
        assert cell(view, "e2", "status") == "✖ failed" and cell(view, "e3", "status") == "◐ partial"
        assert [view.cycle_filter() for _ in range(4)] == [
            "status: completed",
            "status: failed",
            "status: partial",
            "all",
        ]
        view.cycle_filter()
        assert shown(view) == ["e1"] and view.server_filters().status == ["completed"]
        view.cycle_filter(), view.cycle_filter(), view.cycle_filter()
        view.set_text_filter("broken")
        assert shown(view) == ["e2"]
        view.set_text_filter("")
        view.sort_next(), view.sort_next(), view.sort_next()
        assert view.sort_next() == "sort: duration ↓"
        assert shown(view) == ["e1", "e2", "e3"]
        assert view.sort_reverse() == "sort: duration ↑"
        assert shown(view) == ["e2", "e1", "e3"]
        columns, rows = view.export_rows()
        assert "summary" in columns and "experiment_id" in columns
        by_id = {r["experiment_id"]: r for r in rows}
        assert by_id["e1"]["summary"] == FULL["results"]["summary"] and by_id["e1"]["metric_name"] == "accuracy"
        # an agent renamed later: the experiment row follows
        app.feed(agent("a1", name="Runner Two"))
        app.sync()
        await pilot.pause()
        assert cell(view, "e1", "agent") == "Runner Two"


async def test_detail_pane_follows_the_cursor_and_enter_focuses_it():
    view = ExperimentsView()
    app = Harness(view)
    async with app.run_test(size=(160, 40)) as pilot:
        app.feed(
            agent("a1", name="Experiment Runner"),
            experiment("e1", "completed", **FULL),
            experiment("e2", "failed", title="Broken run"),
        )
        app.sync()
        await pilot.pause()
        body = view.pane.query_one(".detail-body")
        text = static_text(body, 120)
        for needle in (
            "Temperature Trend Analysis",
            "✓ completed",
            "Analysis shows significant",
            "• Average temperature increased by 1.2°C",
            "0.94",
            "confidence interval 0.890 – 0.990",
            "10,000",
            "Temperature Over Time",
            "[time_series]",
            "Trends 2010-2024",
            "https://api.ai-scientist.com/data/exp_123_raw.csv",
            "date, temperature, co2_level",
            "3,650",
            "2.3MB",
            "20m 00s",
            "11:40:00",
            "30m 00s",
            "4.5GB",
            "30%",
            "Data quality",
            "92%",
            "Reproducibility",
            "Experiment Runner (a1)",
        ):
            assert needle in text, needle
        view.table.focus()
        await pilot.press("down")
        await pilot.pause()
        assert "Broken run" in static_text(body) and "✖ failed" in static_text(body)
        await pilot.press("enter")
        await pilot.pause()
        assert app.focused is view.pane
        await pilot.press("escape")
        assert app.focused is view.table
        # the detail of the highlighted experiment updates when a new event about it arrives
        app.feed(experiment("e2", "completed", title="Fixed run"))
        app.sync()
        await pilot.pause()
        assert "Fixed run" in static_text(body)


def test_links_only_for_http_and_file_urls():
    from aisci_tui.protocol import from_obj
    from aisci_tui.store import Store

    store = Store()
    store.apply(
        from_obj(
            {
                "type": "experiment_results",
                "id": "x",
                "timestamp": "2026-01-01T12:00:00Z",
                "data": {"experiment_id": "e1", "status": "completed", **FULL},
            }
        )
    )
    detail = experiment_detail(store.experiments["e1"].data, store, Palette.plain(), NOW)
    assert links_in(detail) == {
        "https://api.ai-scientist.com/viz/plot_123.png",
        "file:///runs/x/plot.png",
        "https://api.ai-scientist.com/data/exp_123_raw.csv",
        "https://api.ai-scientist.com/data/exp_123_processed.json",
    }
    assert "Sneaky" in render_plain(detail)  # shown, just not clickable


async def test_bridge_fields_get_columns_and_a_place_in_the_detail():
    view = ExperimentsView()
    app = Harness(view)
    async with app.run_test(size=(200, 40)) as pilot:
        app.feed(experiment("n1", "completed", title="Node 1"))
        app.sync()
        await pilot.pause()
        assert "stage" not in [c.key for c, _ in view.table.shown]  # nothing to show yet
        app.feed(
            experiment(
                "n2",
                "failed",
                title="Node 2",
                stage="2_baseline_tuning_1_first",
                step=7,
                ablation_name="no_dropout",
                hyperparam_name="lr",
                is_seed_node=True,
                exc_type="RuntimeError",
                parent_id="n1",
                results={"metrics": {"validation loss [pair_sum] final": 1.56}},
            )
        )
        app.sync()
        await pilot.pause()
        keys = [c.key for c, _ in view.table.shown]
        assert {"stage", "step", "tags"} <= set(keys)
        assert cell(view, "n2", "stage") == "2_baseline_tuning_1_first" and cell(view, "n2", "step") == "7"
        assert cell(view, "n2", "tags") == "ablation: no_dropout, hyper-parameter: lr, seed"
        assert cell(view, "n2", "metric") == "1.56" and cell(view, "n1", "stage") == "—"
        view.table.move_cursor(row=1)
        await pilot.pause()
        text = static_text(view.pane.query_one(".detail-body"), 150)
        for needle in (
            "Run details",
            "exc_type",
            "RuntimeError",
            "parent_id",
            "validation loss [pair_sum] final",
            "1.56",
        ):
            assert needle in text, needle


async def test_hostile_payloads_are_literal_capped_and_fast():
    view = ExperimentsView()
    app = Harness(view)
    huge = "A" * 600_000
    async with app.run_test(size=(120, 40)) as pilot:
        app.feed(
            experiment(
                "h1",
                "completed",
                title="[bold red]x[/] \x1b[31mred\x1b[0m",
                results={
                    "summary": huge,
                    "key_findings": [f"finding {i}" for i in range(100_000)],
                    "visualizations": [{"title": "\x1b]8;;https://evil\x07click", "url": "https://ok.example/p.png"}],
                },
            )
        )
        start = time.perf_counter()
        app.sync()
        await pilot.pause()
        elapsed = time.perf_counter() - start
        assert elapsed < 2.0, f"sync with a 600 KB summary and 100,000 findings took {elapsed:.2f} s"
        assert cell(view, "h1", "title").startswith("[bold red]x[/] ")
        assert "\x1b" not in cell(view, "h1", "title")
        view.open_key("h1")  # at 120 columns the detail is shown on Enter
        await pilot.pause()
        text = static_text(view.pane.query_one(".detail-body"), 120)
        assert "[bold red]x[/]" in text and "\x1b" not in text
        assert "Key findings (100,000)" in text and "finding 49" in text and "finding 50\n" not in text
        assert "and 99,950 more findings" in text
        assert "more characters (export has the full text)" in text
        assert len(text) < 50_000
        _, rows = view.export_rows()
        assert rows[0]["summary"] == huge


async def test_the_detail_pane_says_when_there_is_nothing_yet():
    view = ExperimentsView()
    app = Harness(view)
    async with app.run_test(size=(170, 30)) as pilot:
        app.sync()
        await pilot.pause()
        assert "No experiment results yet." in static_text(view.pane.query_one(".detail-body"))


async def test_detail_sits_beside_the_list_when_wide_and_enter_shows_it_over_the_list_at_80x24():
    view = ExperimentsView()
    app = Harness(view)
    async with app.run_test(size=(80, 24)) as pilot:
        app.feed(experiment("e1", "completed", **FULL))
        app.sync()
        await pilot.pause()
        assert view.has_class("-narrow") and not view.pane.display, "at 80 columns the list has the whole view"
        view.table.focus()
        await pilot.press("enter")
        await pilot.pause()
        assert view.pane.display and not view.table.display and view.pane.scroll_y == 0
        await pilot.press("escape")
        await pilot.pause()
        assert view.table.display and not view.pane.display
        assert [c.key for c, _ in view.table.shown][:2] == ["title", "status"]
        await pilot.resize_terminal(170, 40)
        await pilot.pause()
        table, pane = view.table.region, view.pane.region
        assert not view.has_class("-narrow") and pane.x >= table.right and pane.y == table.y
