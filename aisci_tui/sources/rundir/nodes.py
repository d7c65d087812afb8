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
    """``failed`` = buggy, ``completed`` = good, ``partial`` = the rest (one rule everywhere).

    Upstream's ``Journal.buggy_nodes`` are the nodes with ``is_buggy`` set, its
    ``good_nodes`` those with ``is_buggy is False and is_buggy_plots is False``;
    plots rejected, plots never checked (``is_buggy_plots: null``) and
    seed-aggregation nodes are neither.
    """
    if node.get("is_buggy"):
        return "failed"
    return "completed" if is_good(node) else "partial"


def is_good(node: dict[str, Any]) -> bool:
    """Upstream's definition of a good node: judged not buggy, plots judged not buggy."""
    return node.get("is_buggy") is False and node.get("is_buggy_plots") is False


def experiment_id(node_id: str) -> str:
    """One experiment per node id: a stage's best node is copied into the next stage with the same id."""
    return node_id


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


def step_kind(node: dict[str, Any], parent: dict[str, Any] | None) -> str:
    """What step made the node: upstream's ``Node.stage_name`` (draft/debug/improve) or a seed role."""
    if node.get("is_seed_agg_node"):
        return "seed aggregation"
    if node.get("is_seed_node"):
        return "seed run"
    return "draft" if parent is None else "debug" if parent.get("is_buggy") else "improve"


def node_tag(node: dict[str, Any]) -> str | None:
    """The ablation or the tuned hyper-parameter (stages 2 and 4 set these)."""
    for key, prefix in (("ablation_name", "ablation: "), ("hyperparam_name", "tuning: ")):
        if _text(node.get(key)):
            return prefix + node[key].strip()
    return None


def node_label(node: dict[str, Any], parent: dict[str, Any] | None = None, carried: str | None = None) -> str:
    """What tells a node apart: the step and its tag (every plan starts with the same prefix).

    ``carried``: the stage a node was copied from (node 0 of every stage after the first).
    """
    kind = f"best of {carried}" if carried else step_kind(node, parent)
    tag = node_tag(node)
    text = f"{kind} · {tag}" if tag else kind
    return text if len(text) <= LABEL_LIMIT else text[: LABEL_LIMIT - 1].rstrip() + "\u2026"


def verdict(node: dict[str, Any]) -> str | None:
    """Why a node that ran is not good (None for good and buggy nodes)."""
    if node.get("is_buggy") or is_good(node):
        return None
    if node.get("is_seed_agg_node"):
        return "seed aggregate"
    if node.get("is_buggy_plots") is True:
        return "plots rejected"
    if node.get("is_buggy") is None:
        return "not judged yet"
    return "plots not checked"


def metric_entries(node: dict[str, Any]) -> list[dict[str, Any]]:
    """The node's ``metric.value.metric_names`` list, or [] when it has none."""
    metric = node.get("metric")
    value = metric.get("value") if isinstance(metric, dict) else None
    names = value.get("metric_names") if isinstance(value, dict) else None
    return [m for m in names if isinstance(m, dict)] if isinstance(names, list) else []


def _finals(entry: dict[str, Any]) -> list[tuple[str, float]]:
    out = []
    for point in entry.get("data") or []:
        if isinstance(point, dict) and (number := finite(point.get("final_value"))) is not None:
            out.append((_text(point.get("dataset_name")) or "default", number))
    return out


def headline(node: dict[str, Any]) -> dict[str, Any] | None:
    """The one metric shown for a node everywhere: the first metric (whose direction upstream's
    ``MetricValue._should_maximize`` uses), its final values averaged over the datasets."""
    for entry in metric_entries(node):
        finals = _finals(entry)
        if not finals:
            continue
        lower = entry.get("lower_is_better")
        return {
            "name": _text(entry.get("metric_name")) or "metric",
            "value": fmean(v for _, v in finals),
            "lower_is_better": lower if isinstance(lower, bool) else None,
            "description": _text(entry.get("description")),
            "datasets": len(finals),
            "dataset_names": [d for d, _ in finals],
        }
    return None


def _metric_parts(main: dict[str, Any]) -> tuple[str, str]:
    """(``"validation loss ↓"``, ``"mean of 3 datasets"``): name with direction, dataset scope."""
    lower = main.get("lower_is_better")
    arrow = " ↓" if lower is True else " ↑" if lower is False else ""
    names = main.get("dataset_names") or []
    count = int(main.get("datasets") or len(names) or 1)
    scope = f"mean of {count} datasets" if count > 1 else (str(names[0]) if names else "")
    return f"{main['name']}{arrow}", scope


def metric_label(main: dict[str, Any] | None) -> str | None:
    """``"validation loss ↓ (mean of 3 datasets)"``: name, direction and dataset scope."""
    if not main:
        return None
    name, scope = _metric_parts(main)
    return f"{name} ({scope})" if scope else name


def metric_text(main: dict[str, Any] | None) -> str | None:
    """``"validation loss ↓ 0.4867 (mean of 3 datasets)"``: the same text in the tree and the detail."""
    if not main:
        return None
    name, scope = _metric_parts(main)
    return f"{name} {main['value']:.4g}" + (f" ({scope})" if scope else "")


def flatten_metrics(node: dict[str, Any]) -> tuple[dict[str, float], dict[str, Any] | None]:
    """The headline first (``metric_label`` → mean), then ``"validation loss [pair_sum] final": 1.56``…"""
    main = headline(node)
    flat: dict[str, float] = {}
    if main is not None:
        flat[metric_label(main) or main["name"]] = main["value"]
    for entry in metric_entries(node):
        name = _text(entry.get("metric_name")) or "metric"
        for point in entry.get("data") or []:
            if not isinstance(point, dict):
                continue
            dataset = _text(point.get("dataset_name")) or "default"
            for field in ("final", "best"):
                number = finite(point.get(f"{field}_value"))
                if number is not None:
                    flat[f"{name} [{dataset}] {field}"] = number
    return flat, main


# -- upstream's MetricValue, for finding the best node ----------------------------------------


def upstream_mean(node: dict[str, Any]) -> float | None:
    """``MetricValue.get_mean_value``: the mean of every final value of every metric (None: no metric)."""
    values = [v for entry in metric_entries(node) for _, v in _finals(entry)]
    return fmean(values) if values else None


def _maximize(node: dict[str, Any]) -> bool:
    """``MetricValue._should_maximize``: the first metric's ``lower_is_better``, inverted."""
    entries = metric_entries(node)
    return not entries[0].get("lower_is_better") if entries else False


def better(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """``MetricValue.__gt__``: ``a``'s metric is better than ``b``'s (a missing metric is the worst)."""
    va, vb = upstream_mean(a), upstream_mean(b)
    if va is None:
        return False
    if vb is None:
        return True
    if va == vb:
        return False
    return va > vb if _maximize(a) else va < vb


def metric_str(node: dict[str, Any]) -> str | None:
    """``str(MetricValue)`` of a node's metric, as ``stage_progress.json``'s ``best_metric`` holds it."""
    metric = node.get("metric")
    value = metric.get("value") if isinstance(metric, dict) else None
    if not isinstance(value, dict) or not isinstance(value.get("metric_names"), list):
        return None
    parts = []
    for entry in value["metric_names"]:
        if not isinstance(entry, dict):
            return None
        arrow = "↓" if entry.get("lower_is_better") else "↑"
        try:
            values = ", ".join(
                f"{d['dataset_name']}:(final={d['final_value']:.4f}, best={d['best_value']:.4f})"
                for d in entry.get("data") or []
            )
        except (KeyError, TypeError, ValueError):
            values = "None"
        parts.append(f"{entry.get('metric_name')}{arrow}[{values}]")
    return "Metrics(" + "; ".join(parts) + ")"


def choose_best(nodes: list[dict[str, Any]], best_metric: str | None, best_file: str | None) -> str | None:
    """The id of a stage's best node, or None while no node is good.

    Upstream's ``Journal.get_best_node()`` picks among the good nodes only (by an
    LLM, falling back to ``max`` by metric) and the step callback writes that
    node's ``str(metric)`` as ``best_metric``; ``save_run`` writes
    ``best_node_id.txt`` from ``get_best_node(only_good=False)``, which may name a
    node that is not good. So: the good node whose metric matches
    ``best_metric`` (``best_node_id.txt`` first, seed runs last among equals),
    else ``best_node_id.txt`` if it names a good node, else the metric comparison.
    """
    good = [n for n in nodes if is_good(n)]
    if not good:
        return None
    if best_metric and best_metric != "None":
        matches = [n for n in good if metric_str(n) == best_metric]
        if matches:
            matches.sort(key=lambda n: (str(n.get("id")) != best_file, bool(n.get("is_seed_node"))))
            return str(matches[0].get("id"))
    if best_file and any(str(n.get("id")) == best_file for n in good):
        return best_file
    best = good[0]
    for candidate in good[1:]:
        if better(candidate, best):
            best = candidate
    return str(best.get("id"))


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


def membership(stage: StageName, node: dict[str, Any], parent: str | None, is_best: bool, label: str) -> dict[str, Any]:
    """Where a node sits in one stage's tree (a node copied into later stages has one per stage)."""
    step = node.get("step") if isinstance(node.get("step"), int) else None
    return {"stage": stage.folder, "step": step, "parent_id": parent, "is_best": is_best, "label": label}


def experiment_payload(
    run_dir: Path,
    session_id: str,
    stage: StageName,
    node: dict[str, Any],
    plots: list[PlotInfo],
    places: list[dict[str, Any]],
) -> dict[str, Any]:
    """The ``data`` of the ``experiment_results`` event of one node id.

    ``stage`` is the stage that made the node, ``places`` its place in every stage
    it belongs to (see :func:`membership`), first the one that made it.
    """
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
    first = places[0]
    step = first["step"]
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
        "experiment_id": experiment_id(node_id),
        "session_id": session_id,
        "title": f"Stage {stage.main}.{stage.sub} step {step if step is not None else '?'}: {first['label']}",
        "status": node_status(node),
        "results": results,
        "execution": execution or None,
        # node tags, as extra fields
        "node_id": node_id,
        "stage": stage.folder,
        "main_stage": stage.main,
        "sub_stage": stage.sub,
        "step": step,
        "parent_id": first["parent_id"],
        "is_best": any(p["is_best"] for p in places),
        "stages": places,
        "verdict": verdict(node),
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
    carried: dict[str, str] | None = None,
) -> StageTree:
    """Parent links come from ``node2parent`` (each node's own parent field is null in the file).

    ``carried``: ids already in an earlier stage, with that stage's short name
    (``AgentManager._get_best_implementation`` copies the previous best in as node 0).
    """
    carried = carried or {}
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
            label=node_label(raw, by_id.get(str(parent)) if parent else None, carried.get(nid)),
            metric=metric_text(main),
            exc_type=_text(raw.get("exc_type")),
            is_seed_node=bool(raw.get("is_seed_node")),
            is_seed_agg_node=bool(raw.get("is_seed_agg_node")),
            plots=plots_of.get(nid, []),
            vlm_summary=_texts(raw.get("vlm_feedback_summary")),
            experiment_id=experiment_id(nid),
            verdict=verdict(raw),
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
