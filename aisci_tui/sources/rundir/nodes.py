"""From a journal node to an ``experiment_results`` payload and a tree node."""

from __future__ import annotations

from pathlib import Path
from statistics import fmean
from typing import Any

from aisci_tui.sources.rundir.files import finite
from aisci_tui.sources.rundir.layout import StageName, iso, resolve_in_run
from aisci_tui.sources.rundir.model import PlotInfo, StageTree, TreeNode

PLAN_LIMIT = 4000
LABEL_LIMIT = 60


def node_status(node: dict[str, Any]) -> str:
    """``failed`` (buggy), ``partial`` (good but its plots are buggy, or not judged), else ``completed``."""
    if node.get("is_buggy"):
        return "failed"
    if node.get("is_buggy") is None or node.get("is_buggy_plots"):
        return "partial"
    return "completed"


def is_good(node: dict[str, Any]) -> bool:
    """Upstream's definition of a good node: judged not buggy, plots judged not buggy."""
    return node.get("is_buggy") is False and node.get("is_buggy_plots") is False


def experiment_id(stage: StageName, node_id: str) -> str:
    """Stage-qualified: the best node of a stage is copied into the next stage's journal."""
    return f"s{stage.main}.{stage.sub}-{node_id}"


def _text(value: Any) -> str | None:
    if isinstance(value, str):
        value = value.strip()
        return value if value and value != "[]" else None
    return None


def _texts(value: Any) -> list[str]:
    if isinstance(value, list):
        return [t for t in (_text(v) for v in value) if t]
    t = _text(value)
    return [t] if t else []


def node_label(node: dict[str, Any], parent: dict[str, Any] | None = None) -> str:
    """A short name: the ablation or tuned hyper-parameter, a seed role, or draft/debug/improve + plan."""
    for key, prefix in (("ablation_name", "ablation: "), ("hyperparam_name", "tuning: ")):
        if _text(node.get(key)):
            return prefix + node[key].strip()
    if node.get("is_seed_agg_node"):
        return "seed aggregation"
    if node.get("is_seed_node"):
        return "seed run"
    kind = "draft" if parent is None else "debug" if parent.get("is_buggy") else "improve"
    plan = _text(node.get("plan")) or ""
    first = plan.splitlines()[0] if plan else ""
    text = f"{kind}: {first}" if first else kind
    return text if len(text) <= LABEL_LIMIT else text[: LABEL_LIMIT - 1].rstrip() + "\u2026"


def metric_entries(node: dict[str, Any]) -> list[dict[str, Any]]:
    """The node's ``metric.value.metric_names`` list, or [] when it has none."""
    metric = node.get("metric")
    value = metric.get("value") if isinstance(metric, dict) else None
    names = value.get("metric_names") if isinstance(value, dict) else None
    return [m for m in names if isinstance(m, dict)] if isinstance(names, list) else []


def flatten_metrics(node: dict[str, Any]) -> tuple[dict[str, float], dict[str, Any] | None]:
    """``{"validation loss [pair_sum] final": 1.56, ...}`` and the main (first) metric."""
    flat: dict[str, float] = {}
    main: dict[str, Any] | None = None
    for entry in metric_entries(node):
        name = _text(entry.get("metric_name")) or "metric"
        finals: list[float] = []
        for point in entry.get("data") or []:
            if not isinstance(point, dict):
                continue
            dataset = _text(point.get("dataset_name")) or "default"
            for field in ("final", "best"):
                number = finite(point.get(f"{field}_value"))
                if number is not None:
                    flat[f"{name} [{dataset}] {field}"] = number
                    if field == "final":
                        finals.append(number)
        if main is None and finals:
            lower = entry.get("lower_is_better")
            main = {
                "name": name,
                "value": fmean(finals),
                "lower_is_better": lower if isinstance(lower, bool) else None,
                "description": _text(entry.get("description")),
                "datasets": len(finals),
            }
    if main is not None:
        flat.setdefault(main["name"], main["value"])
    return flat, main


def metric_text(main: dict[str, Any] | None) -> str | None:
    if not main:
        return None
    direction = {True: " (lower is better)", False: " (higher is better)"}.get(main["lower_is_better"], "")
    mean = " mean" if main["datasets"] > 1 else ""
    return f"{main['name']}{mean} {main['value']:.4g}{direction}"


def plot_specs(run_dir: Path, node: dict[str, Any]) -> list[tuple[Path, str | None]]:
    """A node's plot files (resolved in the run folder) with the vision model's analysis of each."""
    analyses: dict[str, str] = {}
    for item in node.get("plot_analyses") or []:
        if isinstance(item, dict):
            where = resolve_in_run(run_dir, item.get("plot_path"))
            text = _text(item.get("analysis"))
            if where is not None and text:
                analyses[str(where)] = text
    specs: list[tuple[Path, str | None]] = []
    seen: set[str] = set()
    paths = node.get("plot_paths")
    for recorded in paths if isinstance(paths, list) else []:
        where = resolve_in_run(run_dir, recorded)
        if where is None or str(where) in seen:
            continue
        seen.add(str(where))
        specs.append((where, analyses.get(str(where))))
    return specs


def experiment_payload(
    run_dir: Path,
    session_id: str,
    stage: StageName,
    node: dict[str, Any],
    parent: str | None,
    is_best: bool,
    plots: list[PlotInfo],
    parent_node: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The ``data`` of an ``experiment_results`` event for one journal node."""
    node_id = str(node.get("id"))
    metrics, main = flatten_metrics(node)
    findings = _texts(node.get("vlm_feedback_summary"))
    findings += [p.analysis for p in plots if p.analysis and p.analysis not in findings]
    visualizations = [
        {
            "type": "image",
            "title": p.title,
            "url": p.path.as_uri(),
            "description": p.analysis,
        }
        for p in plots
        if p.exists
    ]
    ctime = finite(node.get("ctime"))
    duration = finite(node.get("exec_time"))
    execution: dict[str, Any] = {}
    if duration is not None:
        execution["duration"] = duration
    if ctime is not None:
        execution["started_at"] = iso(ctime)
    step = node.get("step") if isinstance(node.get("step"), int) else None
    results_dir = resolve_in_run(run_dir, node.get("exp_results_dir"))
    results: dict[str, Any] = {
        "summary": _text(node.get("analysis")),
        "key_findings": findings,
        "metrics": metrics,
        "visualizations": visualizations,
    }
    if main is not None:
        results["main_metric"] = main
    plan = _text(node.get("plan"))
    data: dict[str, Any] = {
        "experiment_id": experiment_id(stage, node_id),
        "session_id": session_id,
        "title": f"Stage {stage.main}.{stage.sub} step {step if step is not None else '?'}: {node_label(node, parent_node)}",
        "status": node_status(node),
        "results": results,
        "execution": execution or None,
        # node tags, as extra fields
        "node_id": node_id,
        "stage": stage.folder,
        "main_stage": stage.main,
        "sub_stage": stage.sub,
        "step": step,
        "parent_id": parent,
        "is_best": is_best,
        "exc_type": _text(node.get("exc_type")),
        "ablation_name": _text(node.get("ablation_name")),
        "hyperparam_name": _text(node.get("hyperparam_name")),
        "is_seed_node": bool(node.get("is_seed_node")),
        "is_seed_agg_node": bool(node.get("is_seed_agg_node")),
        "is_buggy_plots": node.get("is_buggy_plots") if isinstance(node.get("is_buggy_plots"), bool) else None,
        "plan": plan[:PLAN_LIMIT] if plan else None,
        "exp_results_dir": str(results_dir) if results_dir else None,
    }
    return data


def build_tree(
    stage: StageName,
    journal: dict[str, Any],
    best_id: str | None,
    plots_of: dict[str, list[PlotInfo]],
) -> StageTree:
    """Parent links come from ``node2parent`` (each node's own parent field is null in the file)."""
    nodes = [n for n in journal.get("nodes") or [] if isinstance(n, dict) and n.get("id")]
    links = journal.get("node2parent")
    links = links if isinstance(links, dict) else {}
    tree = StageTree(stage=stage.folder, best_id=best_id)
    by_id = {str(raw["id"]): raw for raw in nodes}
    for raw in nodes:
        nid = str(raw["id"])
        parent = links.get(nid) or raw.get("parent_id")
        _, main = flatten_metrics(raw)
        tree.nodes[nid] = TreeNode(
            id=nid,
            step=raw.get("step") if isinstance(raw.get("step"), int) else None,
            parent=str(parent) if parent else None,
            status=node_status(raw),
            is_buggy=bool(raw.get("is_buggy")),
            is_best=nid == best_id,
            label=node_label(raw, by_id.get(str(parent)) if parent else None),
            metric=metric_text(main),
            exc_type=_text(raw.get("exc_type")),
            is_seed_node=bool(raw.get("is_seed_node")),
            is_seed_agg_node=bool(raw.get("is_seed_agg_node")),
            plots=plots_of.get(nid, []),
            vlm_summary=_texts(raw.get("vlm_feedback_summary")),
            experiment_id=experiment_id(stage, nid),
        )
    for node in tree.nodes.values():
        if node.parent == node.id:
            node.parent = None
        parent = tree.nodes.get(node.parent) if node.parent else None
        if parent is None:
            tree.roots.append(node.id)
        else:
            parent.children.append(node.id)
    order = {nid: (n.step if n.step is not None else 1 << 30) for nid, n in tree.nodes.items()}
    for node in tree.nodes.values():
        node.children.sort(key=order.__getitem__)
    # a cycle in node2parent leaves nodes unreachable from any root: show them as roots
    reachable = {n.id for _, n in StageTree(tree.stage, tree.nodes, tree.roots).walk()}
    for nid in sorted(set(tree.nodes) - reachable, key=order.__getitem__):
        if nid not in reachable:
            tree.roots.append(nid)
            reachable.update(n.id for _, n in StageTree(tree.stage, tree.nodes, [nid]).walk())
    tree.roots.sort(key=order.__getitem__)
    return tree
