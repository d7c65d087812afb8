"""Plain data the bridge exposes besides events: stages, search trees, plots, runs."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any


@dataclass(slots=True)
class PlotInfo:
    """One plot a node produced, with the vision model's reading of it."""

    path: Path
    exists: bool
    analysis: str | None = None

    @property
    def title(self) -> str:
        return self.path.stem.replace("_", " ")


@dataclass(slots=True)
class TreeNode:
    """A node of a stage's search tree."""

    id: str
    step: int | None
    parent: str | None
    children: list[str] = field(default_factory=list)
    status: str = "completed"  # completed | failed | partial
    is_buggy: bool = False
    is_best: bool = False
    label: str = ""
    metric: str | None = None  # short text, e.g. "validation loss 0.62 (lower is better)"
    exc_type: str | None = None
    is_seed_node: bool = False
    is_seed_agg_node: bool = False
    plots: list[PlotInfo] = field(default_factory=list)
    vlm_summary: list[str] = field(default_factory=list)
    experiment_id: str = ""
    verdict: str | None = None  # why a node that ran is not good: "plots rejected", "plots not checked"…


@dataclass(slots=True)
class StageTree:
    """One stage's search tree: nodes by id, roots in step order, the best node marked."""

    stage: str
    nodes: dict[str, TreeNode] = field(default_factory=dict)
    roots: list[str] = field(default_factory=list)
    best_id: str | None = None

    def walk(self) -> list[tuple[int, TreeNode]]:
        """(depth, node) in display order: each root, then its children by step."""
        out: list[tuple[int, TreeNode]] = []
        seen: set[str] = set()
        stack = [(0, rid) for rid in reversed(self.roots)]
        while stack:
            depth, nid = stack.pop()
            node = self.nodes.get(nid)
            if node is None or nid in seen:
                continue
            seen.add(nid)
            out.append((depth, node))
            stack.extend((depth + 1, c) for c in reversed(node.children))
        return out


@dataclass(slots=True)
class StageInfo:
    """What is known about one stage folder."""

    name: str  # folder name, e.g. stage_2_baseline_tuning_1_first_attempt
    main: int
    main_name: str
    sub: int
    sub_name: str
    label: str
    max_iters: int
    total_nodes: int = 0
    buggy_nodes: int = 0
    good_nodes: int = 0
    best_node_id: str | None = None
    best_metric: str | None = None
    current_findings: str | None = None
    complete: bool = False
    failed: bool = False
    has_checkpoint: bool = False
    started_at: float | None = None  # the run's clock (node times), never a file's time
    completed_at: float | None = None
    last_change: float | None = None  # newest file time (only to tell whether it is written now)
    first_node: float | None = None  # ctime of its first node of its own (not carried over)
    newest_node: float | None = None  # newest ctime + exec_time of its nodes

    @property
    def progress(self) -> float:
        if self.complete:
            return 1.0
        return max(0.0, min(1.0, self.total_nodes / self.max_iters)) if self.max_iters > 0 else 0.0


@dataclass(slots=True)
class RunInfo:
    """A run folder found by :func:`find_runs`."""

    path: Path
    name: str
    idea: str
    attempt: int | None
    started_at: datetime | None
    title: str | None
    state: str  # "stage 2 in progress", "finished", "failed", "write-up", ...
    phase: str | None
    overall_progress: float | None
    last_change: float | None
    finished: bool = False
    failed: bool = False
    problems: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
