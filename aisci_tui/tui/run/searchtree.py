"""Stages and search trees rebuilt from the store's experiments (no Textual here).

The run-folder bridge tags every ``experiment_results`` event with the node's
stage, step, parent and best flag (extra fields of the payload). This module
turns the experiments in a store back into per-stage trees, so the tree view
works the same for a watched folder, a replayed recording, or a remote
``serve --from-run`` seen through the WebSocket client.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from aisci_tui.sources.rundir.layout import parse_stage
from aisci_tui.sources.rundir.model import PlotInfo, StageTree, TreeNode
from aisci_tui.sources.rundir.nodes import metric_text
from aisci_tui.store import Entity, Store

#: The highest step value any node can sort under (nodes without a step go last).
_LAST = 1 << 30


@dataclass(frozen=True, slots=True)
class StageKey:
    """One stage of one session."""

    session_id: str | None
    stage: str  # folder name, e.g. stage_2_baseline_tuning_1_first_attempt


@dataclass(slots=True)
class StageSummary:
    """Counts and the best node of one stage, as the store has them now."""

    key: StageKey
    label: str
    main: int
    sub: int
    total: int = 0
    good: int = 0  # upstream's "good": the code ran and the plots were judged fine
    buggy: int = 0
    other: int = 0  # ran, but the plots are buggy or not judged yet
    best_id: str | None = None
    best_metric: str | None = None


def _extra(data: Any, name: str) -> Any:
    extra = getattr(data, "model_extra", None) or {}
    return extra.get(name)


def places_of(entity: Entity) -> list[dict[str, Any]]:
    """Where an experiment sits in each stage it belongs to (``stages``; older recordings: one stage)."""
    data = entity.data
    if _extra(data, "node_id") is None:
        return []
    places = _extra(data, "stages")
    if isinstance(places, list) and places:
        return [p for p in places if isinstance(p, dict) and isinstance(p.get("stage"), str) and p["stage"]]
    stage = _extra(data, "stage")
    if not isinstance(stage, str) or not stage:
        return []
    return [
        {
            "stage": stage,
            "step": _extra(data, "step"),
            "parent_id": _extra(data, "parent_id"),
            "is_best": _extra(data, "is_best"),
            "label": _node_label(data.title),
        }
    ]


def stage_of(entity: Entity) -> StageKey | None:
    """The stage that made an experiment, or None if it carries no tree tags."""
    places = places_of(entity)
    return StageKey(getattr(entity.data, "session_id", None), places[0]["stage"]) if places else None


def _order(key: StageKey) -> tuple[str, int, int, str]:
    parsed = parse_stage(key.stage)
    main, sub = (parsed.main, parsed.sub) if parsed else (_LAST, _LAST)
    return (key.session_id or "", main, sub, key.stage)


def _label(stage: str) -> tuple[str, int, int]:
    parsed = parse_stage(stage)
    if parsed is None:
        return stage, _LAST, _LAST
    return parsed.label, parsed.main, parsed.sub


def tagged(store: Store, session_id: str | None) -> Iterable[tuple[StageKey, Entity, dict[str, Any]]]:
    """(stage, experiment, its place there) for every stage each experiment of ``session_id`` is in."""
    for entity in store.experiments.values():
        sid = getattr(entity.data, "session_id", None)
        if session_id is not None and sid not in (session_id, None):
            continue
        for place in places_of(entity):
            yield StageKey(sid, place["stage"]), entity, place


def stages(store: Store, session_id: str | None) -> list[StageSummary]:
    """Every stage in the store, in run order; counts as ``stage_progress.json`` has them.

    One rule for every count: ``completed`` = good, ``failed`` = buggy, ``partial`` = other.
    """
    found: dict[StageKey, StageSummary] = {}
    for key, entity, place in tagged(store, session_id):
        summary = found.get(key)
        if summary is None:
            label, main, sub = _label(key.stage)
            summary = found[key] = StageSummary(key, label, main, sub)
        data = entity.data
        summary.total += 1
        if data.status == "failed":
            summary.buggy += 1
        elif data.status == "completed":
            summary.good += 1
        else:
            summary.other += 1
        if place.get("is_best") is True:
            summary.best_id = str(_extra(data, "node_id"))
            summary.best_metric = _metric(data)
    return [found[k] for k in sorted(found, key=_order)]


def _metric(data: Any) -> str | None:
    results = data.results
    main = _extra(results, "main_metric") if results is not None else None
    if not isinstance(main, dict) or not isinstance(main.get("value"), int | float):
        return None
    try:
        names = main.get("dataset_names")
        return metric_text(
            {
                "name": str(main.get("name") or "metric"),
                "value": float(main["value"]),
                "lower_is_better": main.get("lower_is_better"),
                "datasets": int(main.get("datasets") or 1),
                "dataset_names": [str(n) for n in names] if isinstance(names, list) else [],
            }
        )
    except (TypeError, ValueError):
        return None


def path_of(url: str | None) -> Path | None:
    """The local path of a ``file://`` URL (other schemes: None)."""
    if not url or not isinstance(url, str):
        return None
    parsed = urlparse(url)
    if parsed.scheme != "file" or parsed.netloc not in ("", "localhost"):
        return None
    path = unquote(parsed.path)
    return Path(path) if path.startswith("/") and "\x00" not in path else None


def plots_of(data: Any) -> list[PlotInfo]:
    """A node's plots from its ``visualizations`` (existence is checked where they are shown)."""
    results = data.results
    out: list[PlotInfo] = []
    for vis in results.visualizations if results is not None else []:
        path = path_of(vis.url)
        if path is not None:
            out.append(PlotInfo(path, True, vis.description))
    return out


def _node_label(title: str | None) -> str:
    """``"Stage 2.1 step 3: tuning: lr"`` → ``"tuning: lr"``."""
    if not title:
        return ""
    head, sep, rest = title.partition(": ")
    return rest if sep and head.startswith("Stage ") else title


def stage_tree(store: Store, key: StageKey) -> StageTree:
    """The search tree of one stage: parents before children, children by step, best marked."""
    tree = StageTree(stage=key.stage)
    for found, entity, place in tagged(store, key.session_id):
        if found.stage != key.stage:
            continue
        data = entity.data
        nid = str(_extra(data, "node_id"))
        parent, step = place.get("parent_id"), place.get("step")
        results = data.results
        verdict = _extra(data, "verdict")
        node = TreeNode(
            id=nid,
            step=step if isinstance(step, int) and not isinstance(step, bool) else None,
            parent=str(parent) if parent else None,
            status=data.status,
            is_buggy=data.status == "failed",
            is_best=place.get("is_best") is True,
            label=str(place.get("label") or _node_label(data.title)),
            metric=_metric(data),
            exc_type=_extra(data, "exc_type") if isinstance(_extra(data, "exc_type"), str) else None,
            is_seed_node=_extra(data, "is_seed_node") is True,
            is_seed_agg_node=_extra(data, "is_seed_agg_node") is True,
            plots=plots_of(data),
            vlm_summary=list(results.key_findings) if results is not None else [],
            experiment_id=data.experiment_id,
            verdict=verdict if isinstance(verdict, str) else None,
        )
        tree.nodes[nid] = node
        if node.is_best:
            tree.best_id = nid
    _link(tree)
    return tree


def _link(tree: StageTree) -> None:
    """Fill children and roots; a missing parent or a cycle makes a node a root."""
    order = {nid: (n.step if n.step is not None else _LAST, nid) for nid, n in tree.nodes.items()}
    for node in tree.nodes.values():
        parent = tree.nodes.get(node.parent) if node.parent and node.parent != node.id else None
        if parent is None:
            tree.roots.append(node.id)
        else:
            parent.children.append(node.id)
    for node in tree.nodes.values():
        node.children.sort(key=order.__getitem__)
    tree.roots.sort(key=order.__getitem__)
    reachable = {n.id for _, n in tree.walk()}
    for nid in sorted(set(tree.nodes) - reachable, key=order.__getitem__):
        if nid in reachable:
            continue
        tree.roots.append(nid)
        reachable.update(n.id for _, n in StageTree(tree.stage, tree.nodes, [nid]).walk())


def filtered(tree: StageTree, text: str) -> StageTree:
    """Only nodes whose words contain ``text`` (case-insensitive), with their ancestors."""
    needle = text.strip().casefold()
    if not needle:
        return tree
    keep: set[str] = set()
    for node in tree.nodes.values():
        words = " ".join(
            filter(
                None,
                (
                    node.id,
                    node.label,
                    node.metric,
                    node.status,
                    node.exc_type,
                    f"step {node.step}" if node.step is not None else None,
                ),
            )
        )
        if needle in words.casefold():
            current: TreeNode | None = node
            while current is not None and current.id not in keep:
                keep.add(current.id)
                current = tree.nodes.get(current.parent) if current.parent else None
    out = StageTree(stage=tree.stage, best_id=tree.best_id)
    for nid, node in tree.nodes.items():
        if nid in keep:
            out.nodes[nid] = replace(node, children=[])
    _link(out)
    return out
