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
