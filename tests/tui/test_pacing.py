"""The rows a paced sync leaves for later: kept in order between syncs, and drawn after the view has painted."""

from __future__ import annotations

import random

from aisci_tui.tui.views import research
from aisci_tui.tui.views.agents import AgentsView
from aisci_tui.tui.views.pacing import Backlog
from tests.tui.harness import Harness, agent, cell, progress, shown
from tests.tui.test_render_cost import agents, paced


def test_the_backlog_keeps_its_keys_oldest_first_and_in_sort_order_through_any_changes():
    rng = random.Random(7)
    backlog, queue, value = Backlog(), [], {}
    for step in range(3000):
        op = rng.random()
        if op < 0.6:
            key, v = f"k{rng.randrange(400)}", (rng.randrange(1000), rng.random())
            backlog.add(key, v)
            if key not in queue:
                queue.append(key)
            value[key] = v
        elif op < 0.95:
            gone = rng.sample(queue, min(len(queue), rng.choice((1, 3, 150))))
            backlog.discard([*gone, "never-added"])
            queue = [k for k in queue if k not in gone]
            for key in gone:
                del value[key]
        else:
            value = {k: (rng.randrange(1000), rng.random()) for k in queue}
            backlog.refile(value.__getitem__)
        assert list(backlog) == queue
        by_value = sorted(queue, key=value.__getitem__)
        assert list(backlog.in_order(0, None, False)) == by_value
        assert list(backlog.in_order(0, None, True)) == by_value[::-1]
        if by_value and step % 50 == 0:
            middle = value[by_value[len(by_value) // 2]]
            assert backlog.place(middle, False) == len(by_value) // 2
            assert (
                list(backlog.in_order(backlog.place(middle, True), None, True))
                == by_value[: len(by_value) // 2 + 1][::-1]
            )
        assert backlog.oldest(5, set(queue[:2])) == queue[2:7]


async def test_after_a_full_sync_the_rows_left_for_later_wait_until_the_table_has_painted():
    view = AgentsView()
    app = Harness(view)
    async with app.run_test(size=(120, 24)) as pilot:
        app.feed(*agents(500))
        paced(app, full=True)
        first = shown(view)
        assert view.behind() and len(first) < 500
        view.catch_up()  # nothing painted yet: what is in view goes to the screen first
        assert shown(view) == first
        await pilot.pause()
        view.catch_up()
        assert len(shown(view)) > len(first)
        while view.behind():
            view.catch_up()
        assert len(shown(view)) == 500


async def test_research_keeps_its_session_counts_while_hidden_and_shows_them_when_shown_again(monkeypatch):
    monkeypatch.setattr(research, "TALLY_EVERY", 0.0)
    view = research.ResearchView()
    app = Harness(view)
    async with app.run_test(size=(120, 24)):
        app.feed(progress("s1", title="Study"), *(agent(f"a{i}", "busy", session_id="s1") for i in range(3)))
        app.sync()
        assert cell(view, "s1", "agents") == "3/3"
        app.feed(agent("a1", "idle", session_id="s1"))
        app.store.take_changes()  # another view is shown: it takes the changes
        view.warm(app.store, app.context(), 0.01)
        counts = view._session_tally.counts("s1")
        assert counts is not None and counts.agents_busy == 2  # counted while hidden
        app.sync(full=True)  # shown again: the row follows the counts made while hidden
        assert cell(view, "s1", "agents") == "2/3"
