"""What a row names: an agent's session and current experiment, an experiment's tree node and plots,
an assessment's resource, an event's session or stage. Plain Python over the store; read on a key press.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from aisci_tui.store.state import Store
from aisci_tui.textsafe import clean

#: An assessment's resource_type → the kind of thing it names.
RESOURCE_KINDS = {"experiment": "experiment", "agent": "agent", "research_session": "session", "session": "session"}
#: Experiments an agent may be working on now.
RUNNING = {"running", "in_progress", "queued", "started"}


@dataclass(frozen=True, slots=True)
class Link:
    """Somewhere a row points to: ``kind`` and ``key`` as :class:`~aisci_tui.tui.views.base.GoTo` takes them."""

    label: str
    kind: str
    key: str


def _name(value: object, fallback: str) -> str:
    return clean(value if isinstance(value, str) and value else fallback, 80)


def session_link(store: Store, session_id: str | None) -> Iterator[Link]:
    if not session_id:
        return
    ent = store.sessions.get(session_id)
    title = ent.data.title if ent is not None else None
    yield Link(f"Session: {_name(title, session_id)}", "session", session_id)


def _agent_link(store: Store, agent_id: str) -> Link:
    agent = store.agents.get(agent_id)
    return Link(f"Agent: {_name(agent.data.name if agent else None, agent_id)}", "agent", agent_id)


def _assessment_link(store: Store, resource_id: str) -> Iterator[Link]:
    if resource_id in store.assessments:
        yield Link("Its ethical assessment", "assessment", resource_id)


def agent_links(store: Store, agent_id: str, d: Any, has_tree: bool) -> Iterator[Link]:
    yield from session_link(store, d.session_id)
    task = d.current_task.id if d.current_task is not None else None
    if task and task in store.experiments:
        exp = store.experiments[task].data
        yield Link(f"Current experiment: {_name(exp.title, task)}", "experiment", task)
    else:
        for key, exp_ent in store.experiments.items():
            exp = exp_ent.data
            if exp.execution is not None and exp.execution.agent_id == agent_id and exp.status in RUNNING:
                yield Link(f"Current experiment: {_name(exp.title, key)}", "experiment", key)
    yield from _assessment_link(store, agent_id)


def experiment_links(store: Store, experiment_id: str, d: Any, has_tree: bool) -> Iterator[Link]:
    yield from session_link(store, d.session_id)
    agent_id = d.execution.agent_id if d.execution is not None else None
    if agent_id:
        yield _agent_link(store, agent_id)
    yield from _assessment_link(store, experiment_id)
    extra = d.model_extra or {}
    if has_tree and extra.get("node_id"):
        yield Link(f"Tree node {_name(extra.get('node_id'), '')}", "node", experiment_id)
        if d.results is not None and d.results.visualizations:
            yield Link(f"Its {len(d.results.visualizations)} plots (beside the tree node)", "node", experiment_id)


def assessment_links(store: Store, resource_id: str, d: Any, has_tree: bool) -> Iterator[Link]:
    kind = RESOURCE_KINDS.get(d.resource_type or "")
    if kind is None:  # the type is missing or unknown: whatever holds that id
        kind = next(
            (
                k
                for k, table in (
                    ("experiment", store.experiments),
                    ("agent", store.agents),
                    ("session", store.sessions),
                )
                if resource_id in table
            ),
            None,
        )
    if kind == "session":
        yield from session_link(store, resource_id)
    elif kind == "experiment" and resource_id in store.experiments:
        yield Link(
            f"Experiment: {_name(store.experiments[resource_id].data.title, resource_id)}", "experiment", resource_id
        )
    elif kind == "agent" and resource_id in store.agents:
        yield _agent_link(store, resource_id)
    if kind != "session":
        yield from session_link(store, d.session_id)


#: The store table of each kind of entity a row may be, and its links given its ``data`` and whether
#: the tree view is there.
ENTITY_LINKS: dict[str, tuple[str, Callable[[Store, str, Any, bool], Iterator[Link]]]] = {
    "agent": ("agents", agent_links),
    "experiment": ("experiments", experiment_links),
    "assessment": ("assessments", assessment_links),
}


def event_links(store: Store, seq: str) -> Iterator[Link]:
    entry = next((e for e in reversed(store.log) if str(e.seq) == seq), None)
    if entry is None or entry.event is None:
        return
    yield from session_link(store, entry.event.session_id)
    stage = (entry.event.model_extra or {}).get("stage")
    if isinstance(stage, str) and stage:
        yield Link(f"Stage {_name(stage, '')} in the tree", "stage", stage)


def links_of(store: Store, kind: str, key: str, *, has_tree: bool = False) -> list[Link]:
    """Every link from the thing ``kind``/``key``, without repeats, in a stable order."""
    found: Iterator[Link] = iter(())
    if kind == "event":
        found = event_links(store, key)
    elif kind in ENTITY_LINKS:
        table, links = ENTITY_LINKS[kind]
        ent = store.table(table).get(key)
        if ent is not None:  # (gone from the store since the row was drawn: nothing to link)
            found = links(store, key, ent.data, has_tree)
    out: list[Link] = []
    for link in found:
        if link not in out:
            out.append(link)
    return out
