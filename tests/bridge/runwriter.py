"""Write AI-Scientist-v2 run folders for tests, in upstream's layout and formats.

The files look like what upstream writes (journal.json with ``node2parent``,
notes/stage_progress.json, best_node_id.txt, checkpoint.pkl, worker folders,
the post-tree-search artifacts), built from small made-up content.
"""

from __future__ import annotations

import json
import os
import struct
import uuid
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

def _png(rgba: tuple[int, int, int, int] = (200, 40, 40, 255)) -> bytes:
    """A valid 1x1 RGBA PNG."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 6, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00" + bytes(rgba)))
            + chunk(b"IEND", b""))


#: A 1x1 PNG, so plot files are real images.
PNG = _png()
#: A PNG whose header is fine but whose pixel data cannot be decoded.
BROKEN_PNG = PNG[:33] + b"\x00\x00\x00\x05IDATxxxxx\x00\x00\x00\x00" + PNG[-12:]

MAIN_NAMES = {1: "initial_implementation", 2: "baseline_tuning", 3: "creative_research", 4: "ablation_studies"}
BASE_TIME = 1_749_720_000.0  # 2025-06-12, like the reference run


def set_mtime(path: Path, when: float) -> None:
    os.utime(path, (when, when))


@dataclass
class StageWriter:
    run: RunWriter
    main: int
    sub: int = 1
    sub_name: str = "first_attempt"
    nodes: list[dict[str, Any]] = field(default_factory=list)
    node2parent: dict[str, str] = field(default_factory=dict)
    best: str | None = None

    @property
    def folder(self) -> str:
        return f"stage_{self.main}_{MAIN_NAMES[self.main]}_{self.sub}_{self.sub_name}"

    @property
    def path(self) -> Path:
        return self.run.logs / self.folder

    def add_node(
        self,
        *,
        buggy: bool = False,
        parent: str | None = None,
        plots: int = 1,
        buggy_plots: bool | None = False,
        loss: float | None = 1.0,
        acc: float = 0.1,
        datasets: tuple[str, ...] = ("pair_sum",),
        exc_type: str | None = "ValueError",
        hyperparam: str | None = None,
        ablation: str | None = None,
        seed: bool = False,
        seed_agg: bool = False,
        vlm: str | list[str] | None = "Curves converge.",
        copy_of: dict[str, Any] | None = None,
        node_id: str | None = None,
    ) -> str:
        """Append a node like upstream does after a step; returns its id."""
        if copy_of is not None:
            node = json.loads(json.dumps(copy_of))
            node["step"] = len(self.nodes)
            self.nodes.append(node)
            return node["id"]
        nid = node_id or uuid.uuid4().hex
        step = len(self.nodes)
        rel_dir = None
        plot_paths: list[str] = []
        analyses: list[dict[str, str]] = []
        if not buggy:
            results = self.run.logs / "experiment_results" / f"experiment_{nid}_proc_{1000 + step}"
            results.mkdir(parents=True, exist_ok=True)
            rel_dir = self.run.recorded(results)
            for k in range(plots):
                png = results / f"plot_{k}.png"
                png.write_bytes(PNG)
                plot_paths.append(self.run.recorded(png))
                analyses.append({"analysis": f"Plot {k} of {nid[:6]} looks fine.", "plot_path": plot_paths[-1]})
        metric_value = None
        if not buggy:
            names = []
            if loss is not None:
                names.append({"metric_name": "validation loss", "lower_is_better": True, "description": "CE",
                              "data": [{"dataset_name": d, "final_value": loss + i, "best_value": loss + i}
                                       for i, d in enumerate(datasets)]})
            names.append({"metric_name": "held-out accuracy", "lower_is_better": False, "description": "acc",
                          "data": [{"dataset_name": d, "final_value": acc, "best_value": acc} for d in datasets]})
            metric_value = {"metric_names": names}
        node = {
            "code": "print('hi')", "plan": f"Plan for step {step}.\nMore detail.", "overall_plan": "",
            "plot_code": None, "plot_plan": None, "step": step, "id": nid,
            "ctime": BASE_TIME + 100 * (len(self.run.all_nodes) + 1),
            "_term_out": ["ok"], "exec_time": 12.5 + step,
            "exc_type": exc_type if buggy else None, "exc_info": None, "exc_stack": None,
            "analysis": f"{'Failed' if buggy else 'Ran'} at step {step}.",
            "exp_results_dir": rel_dir,
            "metric": {"value": metric_value, "maximize": None, "name": None, "description": None},
            "is_buggy": buggy, "is_buggy_plots": None if buggy else buggy_plots,
            "parent_id": None, "children": [], "plot_data": {}, "plots_generated": False,
            "plots": [], "plot_paths": plot_paths, "plot_analyses": analyses,
            "vlm_feedback_summary": ([] if buggy or vlm is None else vlm),
            "datasets_successfully_tested": [] if buggy else list(datasets),
            "ablation_name": ablation, "hyperparam_name": hyperparam,
            "is_seed_node": seed, "is_seed_agg_node": seed_agg, "exec_time_feedback": "",
        }
        self.nodes.append(node)
        self.run.all_nodes.append(node)
        if parent:
            self.node2parent[nid] = parent
        return nid

    def node(self, nid: str) -> dict[str, Any]:
        return next(n for n in self.nodes if n["id"] == nid)

    def good(self) -> list[dict[str, Any]]:
        return [n for n in self.nodes if n["is_buggy"] is False and n["is_buggy_plots"] is False]

    def journal_bytes(self) -> bytes:
        return json.dumps({"nodes": self.nodes, "node2parent": self.node2parent, "__version": "2"},
                          indent=2).encode()

    def write(self, *, best: str | None = None) -> None:
        """Rewrite the stage's files in place, as upstream does after every step."""
        (self.path / "notes").mkdir(parents=True, exist_ok=True)
        (self.path / "journal.json").write_bytes(self.journal_bytes())
        good = self.good()
        self.best = best or (min(good, key=lambda n: _loss(n))["id"] if good else self.best)
        progress = {
            "stage": self.folder.removeprefix("stage_"),
            "total_nodes": len(self.nodes),
            "buggy_nodes": sum(1 for n in self.nodes if n["is_buggy"]),
            "good_nodes": len(good),
            "best_metric": f"Metrics(validation loss {min((_loss(n) for n in good), default=0):.4f})" if good
            else "None",
            "current_findings": "Findings so far.",
        }
        (self.path / "notes" / "stage_progress.json").write_text(json.dumps(progress, indent=2))
        if self.best:
            (self.path / "best_node_id.txt").write_text(self.best)
        (self.path / "config.yaml").write_text("exp_name: run\n")

    def write_partial(self, fraction: float = 0.5) -> None:
        """journal.json caught half-written."""
        raw = self.journal_bytes()
        (self.path / "journal.json").write_bytes(raw[: int(len(raw) * fraction)])

    def checkpoint(self) -> None:
        (self.path / "checkpoint.pkl").write_bytes(b"\x80\x04N.")


def _loss(node: dict[str, Any]) -> float:
    names = (node.get("metric") or {}).get("value") or {}
    for m in names.get("metric_names", []):
        if m["metric_name"] == "validation loss":
            return m["data"][0]["final_value"]
    return 99.0


class RunWriter:
    """A run folder under ``root/experiments``."""

    def __init__(
        self,
        root: Path,
        name: str = "2025-06-12_09-13-56_toy_idea_attempt_0",
        *,
        max_iters: dict[int, int] | None = None,
        workers: int = 2,
        timeout: int = 600,
        title: str = "Toy Idea: Does It Work?",
    ) -> None:
        self.root = root
        self.name = name
        self.path = root / "experiments" / name
        self.logs = self.path / "logs" / "0-run"
        self.max_iters = max_iters or {1: 4, 2: 6, 3: 3, 4: 3}
        self.stages: list[StageWriter] = []
        self.all_nodes: list[dict[str, Any]] = []
        self.logs.mkdir(parents=True, exist_ok=True)
        idea = {"Name": "toy_idea", "Title": title, "Short Hypothesis": "It works.",
                "Abstract": "We test it.", "Experiments": ["Try it."], "Risk Factors and Limitations": ["None."]}
        (self.path / "idea.json").write_text(json.dumps(idea, indent=4))
        (self.path / "idea.md").write_text(f"## Title\n\n{title}\n")
        stages = "\n".join(f"    stage{k}_max_iters: {v}" for k, v in self.max_iters.items())
        (self.path / "bfts_config.yaml").write_text(
            f"agent:\n  num_workers: {workers}\n  stages:\n{stages}\nexec:\n  timeout: {timeout}\n"
        )
        for k in range(1, workers + 1):
            self.worker(k)

    def recorded(self, path: Path) -> str:
        """A path the way upstream records it: relative to the directory holding experiments/."""
        return str(path.relative_to(self.root))

    def worker(self, n: int, when: float | None = None) -> Path:
        folder = self.path / "0-run" / f"process_ForkProcess-{n}"
        folder.mkdir(parents=True, exist_ok=True)
        runfile = folder / "runfile.py"
        runfile.write_text("print('experiment')\n")
        if when is not None:
            set_mtime(runfile, when)
        return folder

    def stage(self, main: int, sub: int = 1, sub_name: str | None = None) -> StageWriter:
        name = sub_name or ("preliminary" if main == 1 else "first_attempt")
        writer = StageWriter(self, main, sub, name)
        writer.path.mkdir(parents=True, exist_ok=True)
        self.stages.append(writer)
        return writer

    # -- after the tree search ------------------------------------------------------------

    def summaries(self) -> None:
        for name in ("draft_summary.json", "baseline_summary.json", "research_summary.json",
                     "ablation_summary.json"):
            (self.logs / name).write_text(json.dumps({"summary": name}))

    def figures(self, count: int = 2) -> None:
        (self.path / "figures").mkdir(exist_ok=True)
        for k in range(count):
            (self.path / "figures" / f"fig_{k}.png").write_bytes(PNG)
        (self.path / "auto_plot_aggregator.py").write_text("# aggregate\n")

    def token_tracker(self) -> None:
        (self.path / "token_tracker.json").write_text(json.dumps(
            {"gpt-4o": {"tokens": {"prompt": 100, "completion": 50, "reasoning": 0, "cached": 10}, "cost (USD)": 0.0}}
        ))

    def citations(self, rounds: int, status: str = "in_progress") -> None:
        (self.path / "cached_citations.bib").write_text("@article{a, title = {A}}\n")
        (self.path / "citations_progress.json").write_text(
            json.dumps({"completed_rounds": rounds, "status": status})
        )

    def latex(self) -> None:
        (self.path / "latex").mkdir(exist_ok=True)
        (self.path / "latex" / "template.tex").write_text("\\documentclass{article}\n")

    def pdf(self, name: str | None = None) -> None:
        (self.path / (name or f"{self.name}_reflection_final_page_limit.pdf")).write_bytes(b"%PDF-1.4\n")

    def review(self, ethical: bool | None = False, decision: str = "Reject", raw: str | None = None) -> None:
        review: dict[str, Any] = {"Summary": "A paper.", "Overall": 3, "Decision": decision}
        if ethical is not None:
            review["Ethical Concerns"] = ethical
        (self.path / "review_text.txt").write_text(raw if raw is not None else json.dumps(review, indent=4))


# -- whole runs ------------------------------------------------------------------------


def early_run(root: Path, **kw: Any) -> RunWriter:
    """Stage 1 under way: one buggy draft and one draft without a verdict on its plots yet."""
    run = RunWriter(root, **kw)
    s1 = run.stage(1)
    s1.add_node(buggy=True)
    s1.add_node(buggy_plots=None)
    s1.write()
    return run


def mid_run(root: Path, **kw: Any) -> RunWriter:
    """Stage 1 complete (checkpoint), stage 2 in progress, like the reference run."""
    run = RunWriter(root, **kw)
    s1 = run.stage(1)
    s1.add_node(buggy=True, exc_type="KeyError")
    draft = s1.add_node(loss=1.5)
    s1.add_node(buggy=True, parent=None)
    s1.add_node(seed=True, parent=draft, loss=1.6)
    s1.add_node(seed_agg=True, parent=draft, loss=None, plots=1)
    s1.write(best=draft)
    s1.checkpoint()
    s2 = run.stage(2)
    base = s2.add_node(copy_of=s1.node(draft))
    s2.add_node(parent=base, hyperparam="learning rate", loss=0.6, datasets=("pair_sum", "pair_diff"))
    bug = s2.add_node(parent=base, buggy=True, hyperparam="batch size", exc_type="IndexError")
    s2.add_node(parent=bug, buggy_plots=True, loss=0.9, hyperparam="batch size")
    s2.write()
    return run


def failed_run(root: Path, **kw: Any) -> RunWriter:
    """Stage 1 reached its iteration limit without a working implementation."""
    run = RunWriter(root, **kw)
    s1 = run.stage(1)
    for _ in range(run.max_iters[1]):
        s1.add_node(buggy=True)
    s1.write()
    return run


def finished_run(root: Path, *, ethical: bool | None = False, **kw: Any) -> RunWriter:
    """All four stages, the write-up and the review."""
    run = mid_run(root, **kw)
    run.stages[-1].checkpoint()
    prev = run.stages[-1]
    for main in (3, 4):
        stage = run.stage(main)
        best = next(n for n in prev.nodes if n["id"] == prev.best)
        base = stage.add_node(copy_of=best)
        stage.add_node(parent=base, ablation="no regulariser" if main == 4 else None, loss=0.5)
        stage.write()
        stage.checkpoint()
        prev = stage
    run.summaries()
    run.figures()
    run.token_tracker()
    run.citations(7, "completed")
    run.latex()
    run.pdf()
    run.review(ethical=ethical)
    return run
