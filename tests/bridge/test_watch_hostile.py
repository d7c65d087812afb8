"""The tree view fed nonsense tree tags (a hostile server, a damaged recording): it shows what it can, safely."""

from __future__ import annotations

import os

from aisci_tui.protocol.codec import from_obj
from aisci_tui.settings import Settings
from aisci_tui.store import Store
from aisci_tui.tui.app import DashboardApp
from aisci_tui.tui.run import searchtree
from aisci_tui.tui.run.view import TreeView, dashboard_views
from tests.bridge.helpers import screen_text, wait_until

STAGE = "stage_2_baseline_tuning_1_first_attempt"
_ids = iter(range(1, 10_000))


def event(kind: str, data: dict):
    n = next(_ids)
    return from_obj({"type": kind, "id": f"h-{n}", "timestamp": f"2026-01-01T00:00:{n:02d}.000Z", "data": data})


def node(nid: str, parent=None, *, step=0, stage=STAGE, session="s1", **extra):
    data = {
        "experiment_id": f"x-{nid}",
        "session_id": session,
        "status": "completed",
        "title": f"Stage 2.1 step {step}: n{nid}",
        "node_id": nid,
        "stage": stage,
        "step": step,
        "parent_id": parent,
        "is_best": False,
        "is_buggy_plots": False,
        **extra,
    }
    return event("experiment_results", data)


class Quiet:
    label = "hostile"

    def __aiter__(self):
        return self._none()

    async def _none(self):
        return
        yield  # pragma: no cover

    async def aclose(self) -> None:
        return None


def hostile_events(tmp_path):
    fifo = tmp_path / "pipe.png"
    os.mkfifo(fifo)
    return [
        node("a", "c", step=0),  # a cycle: a → c → b → a
        node("b", "a", step=1),
        node("c", "b", step=2),
        node("d", "d", step=3),  # its own parent
        node("e", "nobody", step="x"),  # a missing parent and a step that is not a number
        node(
            "f\x1b[31mred",
            None,
            step=4,
            title="Stage 2.1 step 4: \x1b]52;c;Zm9v\x07evil \u202etxet",
            is_best=True,
            results={
                "main_metric": {"name": "loss", "value": 1.0, "lower_is_better": [1], "datasets": "many"},
                "visualizations": [
                    {"url": "file:///dev/zero.png"},
                    {"url": "file:///tmp/a%00b.png"},
                    {"url": f"file://{fifo}"},
                    {"url": "https://example.com/x.png"},
                    {"url": "file://remote-host/etc/x.png"},
                ],
            },
        ),
        node("g", None, stage="not a stage name", step=0),
        node("h", None, stage="stage_9_" + "z" * 500 + "_1_" + "y" * 500, step=0),
        event("experiment_results", {"experiment_id": "untagged", "status": "completed"}),
    ]


def test_cycles_and_missing_parents_still_show_every_node(tmp_path):
    store = Store()
    store.feed(hostile_events(tmp_path))
    summaries = searchtree.stages(store, None)
    assert len(summaries) == 3  # the untagged experiment is no stage
    tree = searchtree.stage_tree(store, next(s.key for s in summaries if s.key.stage == STAGE))
    assert {n.id for _, n in tree.walk()} == set(tree.nodes) == {"a", "b", "c", "d", "e", "f\x1b[31mred"}
    plots = tree.nodes["f\x1b[31mred"].plots
    assert [str(p.path) for p in plots] == ["/dev/zero.png", str(tmp_path / "pipe.png")]


async def test_the_tree_view_draws_hostile_tags_without_escapes(tmp_path):
    store = Store()
    store.feed(hostile_events(tmp_path))
    app = DashboardApp(
        Quiet(), store=store, settings=Settings.model_construct(refresh_hz=20.0), views=dashboard_views()
    )
    async with app.run_test(size=(130, 40)) as pilot:
        await pilot.press("6")
        view = app.query_one(TreeView)
        await wait_until(pilot, lambda: view.tree.node_ids == ["g"], what="the last stage, oddly named")
        await pilot.press("left_square_bracket", "left_square_bracket")
        await wait_until(pilot, lambda: len(view.tree.node_ids) == 6, what="every node of stage 2")
        await wait_until(pilot, lambda: view.tree.highlighted_id == "f\x1b[31mred", what="the best node")
        text = screen_text(app)
        assert "\x1b" not in text and "\u202e" not in text and "\x07" not in text
        pane = view.pane.text()
        assert "not a regular file" in pane  # /dev/zero and the FIFO are described, never opened
        await pilot.press("left_square_bracket", "right_square_bracket", "right_square_bracket", "down", "enter")
        assert app.is_running and view.tree.node_ids
