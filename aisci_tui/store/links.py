"""What a row names: an agent's session and current experiment, an experiment's tree node and plots,
an assessment's resource, an event's session or stage. Plain Python over the store; read on a key press.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

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


def agent_links(store: Store, agent_id: str) -> Iterator[Link]:
    ent = store.agents.get(agent_id)
    if ent is None:
        return
    d = ent.data
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
    if agent_id in store.assessments:
        yield Link("Its ethical assessment", "assessment", agent_id)


def experiment_links(store: Store, experiment_id: str, *, has_tree: bool = False) -> Iterator[Link]:
    ent = store.experiments.get(experiment_id)
    if ent is None:
        return
    d = ent.data
    yield from session_link(store, d.session_id)
    agent_id = d.execution.agent_id if d.execution is not None else None
    if agent_id:
        agent = store.agents.get(agent_id)
        yield Link(f"Agent: {_name(agent.data.name if agent else None, agent_id)}", "agent", agent_id)
    if experiment_id in store.assessments:
        yield Link("Its ethical assessment", "assessment", experiment_id)
    extra = d.model_extra or {}
    if has_tree and extra.get("node_id"):
        yield Link(f"Tree node {_name(extra.get('node_id'), '')}", "node", experiment_id)
        if d.results is not None and d.results.visualizations:
            yield Link(f"Its {len(d.results.visualizations)} plots (beside the tree node)", "node", experiment_id)


def assessment_links(store: Store, resource_id: str) -> Iterator[Link]:
    ent = store.assessments.get(resource_id)
    if ent is None:
        return
    d = ent.data
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
        yield Link(f"Agent: {_name(store.agents[resource_id].data.name, resource_id)}", "agent", resource_id)
    if kind != "session":
        yield from session_link(store, d.session_id)


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
    found = {
        "agent": lambda: agent_links(store, key),
        "experiment": lambda: experiment_links(store, key, has_tree=has_tree),
        "assessment": lambda: assessment_links(store, key),
        "event": lambda: event_links(store, key),
    }.get(kind, lambda: iter(()))()
    out: list[Link] = []
    for link in found:
        if link not in out:
            out.append(link)
    return out
