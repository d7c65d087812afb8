"""A table emptied by a filter, sorted differently meanwhile, and filled again.

Found by the dashboard fuzz test (several streams through one app): the table
kept the last row's sort value from the previous ordering while it was empty,
and comparing it with a row under the new ordering raised ``TypeError``
(fixed by the table rework; kept as a regression test).
"""

from __future__ import annotations

from aisci_tui.tui.views.agents import AgentsView
from tests.tui.harness import Harness, agent, shown


async def test_rows_come_back_after_the_sort_changed_while_a_filter_hid_them():
    view = AgentsView(id="agents")
    app = Harness(view)
    async with app.run_test(size=(160, 30)) as pilot:
        app.feed(agent("agt-1"), agent("agt-2"), agent("agt-3"))
        app.sync(full=True)
        await pilot.pause()
        assert shown(view) == ["agt-1", "agt-2", "agt-3"]
        view.sort_next()  # by the first column: (value, arrival) pairs, ascending
        view.set_text_filter("matches-nothing")
        await pilot.pause()
        assert shown(view) == []
        while view.sort_column is not None:  # back to arrival order while nothing is shown
            view.sort_next()
        view.set_text_filter("")
        await pilot.pause()
        assert sorted(shown(view)) == ["agt-1", "agt-2", "agt-3"]
