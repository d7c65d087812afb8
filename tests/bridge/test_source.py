"""RunSource follows a run folder live: new nodes within a second, across gaps and the end."""

from __future__ import annotations

import asyncio
import shutil
import time

import pytest

from aisci_tui.sources.base import ConnectionState, Notice, Source
from aisci_tui.sources.rundir import RunSource
from tests.bridge.runwriter import mid_run


class Collector:
    """Runs a source in a task and lets the test wait for what it wants."""

    def __init__(self, source) -> None:
        self.source = source
        self.items: list = []
        self._new = asyncio.Event()
        self.task = asyncio.create_task(self._pump())

    async def _pump(self) -> None:
        async for item in self.source:
            self.items.append(item)
            self._new.set()

    async def wait_for(self, predicate, timeout: float = 3.0):
        deadline = time.monotonic() + timeout
        start = 0
        while True:
            for item in self.items[start:]:
                if predicate(item):
                    return item
            start = len(self.items)
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"nothing matched within {timeout} s; got {self.items[-5:]}")
            self._new.clear()
            try:
                await asyncio.wait_for(self._new.wait(), timeout=left)
            except TimeoutError:
                pass

    async def close(self) -> None:
        await self.source.aclose()
        await asyncio.wait_for(self.task, timeout=3)


def is_state(state):
    return lambda i: isinstance(i, Notice) and i.kind == "state" and i.state == state


def is_experiment(exp_id):
    return lambda i: getattr(i, "type", None) == "experiment_results" and i.data.experiment_id == exp_id


@pytest.mark.parametrize("watch", [True, False], ids=["watchfiles", "polling"])
async def test_a_node_written_while_running_arrives_within_a_second(tmp_path, watch):
    run = mid_run(tmp_path)
    source = RunSource(run.path, poll_interval=0.5 if watch else 0.25, watch=watch)
    assert isinstance(source, Source)
    got = Collector(source)
    await got.wait_for(is_state(ConnectionState.OPEN))
    s2 = run.stages[1]
    await got.wait_for(is_experiment(s2.nodes[-1]["id"]))
    await asyncio.sleep(0.1)
    nid = s2.add_node(parent=s2.nodes[0]["id"], loss=0.1)
    written = time.monotonic()
    s2.write()
    await got.wait_for(is_experiment(nid), timeout=1.0)
    latency = time.monotonic() - written
    assert latency < 1.0
    if watch:
        assert source.watching
    await got.close()
    assert is_state(ConnectionState.CLOSED)(got.items[-1])
    ids = [i.id for i in got.items if not isinstance(i, Notice)]
    assert len(ids) == len(set(ids))


async def test_folder_that_disappears_is_waited_for(tmp_path):
    run = mid_run(tmp_path)
    source = RunSource(run.path, poll_interval=0.1)
    got = Collector(source)
    await got.wait_for(is_state(ConnectionState.OPEN))
    away = tmp_path / "away"
    shutil.move(run.path, away)
    await got.wait_for(is_state(ConnectionState.RECONNECTING))
    shutil.move(away, run.path)
    await got.wait_for(is_state(ConnectionState.OPEN))
    s2 = run.stages[1]
    nid = s2.add_node(parent=s2.nodes[0]["id"])
    s2.write()
    await got.wait_for(is_experiment(nid), timeout=2.0)
    await got.close()


async def test_source_keeps_watching_after_the_run_ends(tmp_path):
    run = mid_run(tmp_path)
    source = RunSource(run.path, poll_interval=0.1)
    got = Collector(source)
    await got.wait_for(is_state(ConnectionState.OPEN))
    run.review(ethical=False)
    await got.wait_for(lambda i: isinstance(i, Notice) and "has finished" in i.text)
    await got.wait_for(lambda i: getattr(i, "type", None) == "system_event" and i.data.title == "Run finished")
    run.review(ethical=True)
    ethics = await got.wait_for(
        lambda i: getattr(i, "type", None) == "ethical_assessment" and i.data.assessment.status == "review_required"
    )
    assert ethics.data.metadata.assessed_by == "llm_reviewer"
    await got.close()


async def test_source_for_a_folder_not_yet_created(tmp_path):
    run_dir = tmp_path / "experiments" / "2025-06-12_09-13-56_later_attempt_0"
    source = RunSource(run_dir, poll_interval=0.1)
    got = Collector(source)
    await got.wait_for(is_state(ConnectionState.RECONNECTING))
    mid_run(tmp_path, name=run_dir.name)
    await got.wait_for(is_state(ConnectionState.OPEN))
    await got.wait_for(lambda i: getattr(i, "type", None) == "research_progress")
    await got.close()


async def test_closing_before_iterating_ends_at_once(tmp_path):
    source = RunSource(tmp_path, poll_interval=0.1)
    await source.aclose()
    assert [item async for item in source] == []
