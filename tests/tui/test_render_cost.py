"""What a change costs on screen: one changed row repaints one line, a focus move with the same keys keeps the footer."""

from __future__ import annotations

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.geometry import Region
from textual.widgets import Static

from aisci_tui.store.query import Column
from aisci_tui.tui.widgets.footer import SteadyFooter
from aisci_tui.tui.widgets.table import KeyedTable

COLUMNS = [Column("name", "Name", 0, 0, min_width=12), Column("value", "Value", 8, 0, numeric=True)]


class TableApp(App[None]):
    def compose(self) -> ComposeResult:
        yield KeyedTable(COLUMNS, id="t")


def cells(n: int, value: str) -> dict[str, Text]:
    return {"name": Text(f"row {n}"), "value": Text(value)}


async def test_a_changed_row_repaints_only_its_own_line_and_an_unseen_row_nothing():
    app = TableApp()
    async with app.run_test(size=(60, 12)) as pilot:
        table = app.query_one(KeyedTable)
        table.fit(60)
        for n in range(100):
            table.put(f"r{n}", cells(n, "0"), n)
        await pilot.pause()
        asked: list[tuple[tuple[Region, ...], bool]] = []
        original = table.refresh

        def spy(*regions: Region, **kwargs: bool):  # noqa: ANN202 - Widget.refresh returns the widget
            asked.append((regions, kwargs.get("layout", False)))
            return original(*regions, **kwargs)

        table.refresh = spy  # type: ignore[method-assign]
        table.put("r3", cells(3, "42"), 3)  # visible: the header is line 0, so row 3 is line 4
        assert asked == [((Region(0, 4, 60, 1),), False)]
        asked.clear()
        table.put("r3", cells(3, "42"), 3)  # same cells: nothing to draw
        table.put("r90", cells(90, "7"), 90)  # below the window: drawn when scrolled to
        assert asked == []
        await pilot.pause()
        assert "42" in app.export_screenshot()
        table.move_cursor(row=90, animate=False)
        await pilot.pause()
        assert table.get_cell("r90", "value").plain == "7"
        assert ">7<" in app.export_screenshot().replace("&#160;", "")


async def test_render_caches_hold_only_what_the_last_paint_can_use():
    """Every change makes the table's older render-cache entries unreachable; they must not pile up."""
    app = TableApp()
    async with app.run_test(size=(60, 12)) as pilot:
        table = app.query_one(KeyedTable)
        table.fit(60)
        for n in range(20):
            table.put(f"r{n}", cells(n, "0"), n)
        await pilot.pause()
        sizes = []
        for step in range(60):
            for n in range(8):
                table.put(f"r{n}", cells(n, str(step + 1)), n)
            await pilot.pause()
            sizes.append((len(table._cell_render_cache), len(table._line_cache), len(table._row_render_cache)))
        visible_rows = 12
        assert max(c for c, _, _ in sizes) <= visible_rows * len(COLUMNS) * 2  # not 60 paints' worth
        assert max(line for _, line, _ in sizes) <= visible_rows * 2
        assert max(r for _, _, r in sizes) <= visible_rows * 2
        assert "60" in app.export_screenshot()  # the last values were painted


class Keyed(Static, can_focus=True):
    BINDINGS = [Binding("x", "noop", "Same key")]

    def action_noop(self) -> None:
        pass


class Other(Static, can_focus=True):
    BINDINGS = [Binding("y", "noop", "Other key")]

    def action_noop(self) -> None:
        pass


class FooterApp(App[None]):
    def compose(self) -> ComposeResult:
        yield Keyed("one", id="one")
        yield Keyed("two", id="two")
        yield Other("three", id="three")
        yield SteadyFooter()


async def test_the_footer_is_rebuilt_only_when_the_keys_it_shows_change():
    app = FooterApp()
    async with app.run_test(size=(60, 10)) as pilot:
        app.query_one("#one").focus()
        await pilot.pause()
        footer = app.query_one(SteadyFooter)
        rebuilt: list[int] = []
        original = footer.recompose

        async def counting() -> None:
            rebuilt.append(1)
            await original()

        footer.recompose = counting  # type: ignore[method-assign]
        app.query_one("#two").focus()  # the same keys: the footer stays as it is
        await pilot.pause()
        await pilot.pause()
        assert rebuilt == []
        assert "Same key" in app.export_screenshot().replace("&#160;", " ")
        app.query_one("#three").focus()  # other keys: rebuilt once, showing them
        await pilot.pause()
        await pilot.pause()
        assert rebuilt == [1]
        screen = app.export_screenshot().replace("&#160;", " ")
        assert "Other key" in screen and "Same key" not in screen


# -- paced syncs: what is in view first, the rest on later syncs ------------------------------------

from datetime import timedelta  # noqa: E402

from aisci_tui.settings import Settings  # noqa: E402
from aisci_tui.tui.app import DashboardApp  # noqa: E402
from aisci_tui.tui.views import table as table_view  # noqa: E402
from aisci_tui.tui.views.agents import AgentsView  # noqa: E402
from tests.tui.conftest import ListSource  # noqa: E402
from tests.tui.harness import NOW, Harness, agent, cell, iso, shown  # noqa: E402


def agents(count: int, cpu: int = 0) -> list:
    beat = {"last_heartbeat": iso(NOW - timedelta(seconds=5)), "uptime": 60, "error_count": 0}
    return [
        agent(f"a{i:03}", "busy", name=f"Agent {i}", health=beat, performance={"cpu_usage": ((i + cpu) % 90) / 100})
        for i in range(count)
    ]


def paced(app: Harness, *, full: bool = False) -> None:
    with app.batch_update():
        app.view.sync(app.store, app.store.take_changes(), app.context(), full=full, paced=True)


async def test_a_paced_sync_draws_the_rows_in_view_first_and_the_rest_on_later_syncs():
    view, reference = AgentsView(), AgentsView()
    app, ref = Harness(view), Harness(reference)
    async with app.run_test(size=(120, 24)) as pilot, ref.run_test(size=(120, 24)):
        app.feed(*agents(500))
        ref.feed(*agents(500))
        paced(app)
        ref.sync()
        await pilot.pause()
        first = shown(view)
        assert view.behind() and 24 <= len(first) < 500
        assert first == shown(reference)[: len(first)]  # the top of the table, in its final order
        assert cell(view, "a000", "name") == "Agent 0"
        syncs = 0
        while view.behind():
            view.catch_up()
            syncs += 1
        assert syncs <= -(-500 // table_view.ROWS_PER_SYNC)
        assert shown(view) == shown(reference)
        assert all(cell(view, k, "cpu") == cell(reference, k, "cpu") for k in shown(view))


async def test_under_a_steady_flood_every_row_waits_a_bounded_number_of_syncs():
    view = AgentsView()
    app = Harness(view)
    async with app.run_test(size=(120, 24)) as pilot:
        app.feed(*agents(500))
        app.sync()
        await pilot.pause()
        bound = -(-500 // table_view.ROWS_PER_SYNC) + 1
        ticks = 2 * bound + 2
        for tick in range(1, ticks + 1):  # every agent changes on every sync: far more than one sync draws
            app.feed(*agents(500, cpu=tick))
            paced(app)
        assert view.behind()
        drawn_at = [(int(cell(view, f"a{i:03}", "cpu").rstrip("%")) - i) % 90 for i in range(500)]
        assert min(drawn_at) >= ticks - bound  # no row starves, the last ones included
        assert drawn_at[:20] == [ticks] * 20  # the rows in view are always current
        while view.behind():  # the stream stops: the rest is drawn
            view.catch_up()
        assert all(cell(view, f"a{i:03}", "cpu") == f"{(i + ticks) % 90}%" for i in range(500))


async def test_export_and_the_text_filter_see_every_row_even_right_after_a_paced_sync():
    view = AgentsView()
    app = Harness(view)
    async with app.run_test(size=(120, 24)) as pilot:
        app.feed(*agents(500))
        paced(app)
        await pilot.pause()
        assert view.behind()
        _, rows = view.export_rows()
        assert len(rows) == 500 and not view.behind()
        app.feed(*agents(500, cpu=3))
        paced(app)
        assert view.behind()
        view.set_text_filter("Agent 499")
        assert shown(view) == ["a499"] and cell(view, "a499", "cpu") == f"{(499 + 3) % 90}%"


async def test_the_dashboard_catches_up_on_its_ticks_without_new_events():
    app = DashboardApp(ListSource(agents(500), hold=True), settings=Settings(refresh_hz=20))
    async with app.run_test(size=(120, 30)) as pilot:
        for _ in range(100):
            await pilot.pause(0.02)
            if len(app.store.agents) == 500:
                break
        await pilot.press("2")
        view = app.current_view
        for _ in range(100):
            await pilot.pause(0.05)
            if not view.behind() and view.table.row_count == 500:
                break
        assert view.table.row_count == 500 and not view.behind()
