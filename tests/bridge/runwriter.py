"""Write AI-Scientist-v2 run folders for tests, in upstream's layout and formats.

Each fact names the upstream code (SakanaAI/AI-Scientist-v2) that produces it:
journal.json (``utils/serialize.dumps_json`` of ``Journal``/``Node.to_dict``),
notes/stage_progress.json (the ``step_callback`` of
``perform_experiments_bfts_with_agentmanager.py``), best_node_id.txt
(``utils/config.save_run``), checkpoint.pkl (``AgentManager._save_checkpoint``),
worker folders (``ParallelAgent._process_node_wrapper``) and the files written
after the tree search (``launch_scientist_bfts.py``). The content is small and
made up.

File times follow the run's own clock (each file is stamped with the time the
run would have written it), so a folder looks as if it were being written at
``BASE_TIME``-based times; :meth:`RunWriter.copied` resets them all to "now",
as copying or unpacking a run does.
"""

from __future__ import annotations

import json
import os
import struct
import time
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
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" + bytes(rgba)))
        + chunk(b"IEND", b"")
    )


#: A 1x1 PNG, so plot files are real images.
PNG = _png()
#: A PNG whose header is fine but whose pixel data cannot be decoded.
BROKEN_PNG = PNG[:33] + b"\x00\x00\x00\x05IDATxxxxx\x00\x00\x00\x00" + PNG[-12:]

MAIN_NAMES = {1: "initial_implementation", 2: "baseline_tuning", 3: "creative_research", 4: "ablation_studies"}
BASE_TIME = 1_749_720_000.0  # 2025-06-12, like the reference run


def set_mtime(path: Path, when: float) -> None:
    os.utime(path, (when, when))


# -- upstream's MetricValue (utils/metric.py), for best_metric and the best node ----------------


def metric_str(node: dict[str, Any]) -> str:
    """``str(MetricValue)`` in its ``metric_names`` form (``MetricValue.__str__``); "None" for no metric."""
    value = (node.get("metric") or {}).get("value")
    if not isinstance(value, dict):
        return "None"
    parts = []
    for m in value["metric_names"]:
        arrow = "↓" if m.get("lower_is_better") else "↑"
        vals = ", ".join(
            f"{d['dataset_name']}:(final={d['final_value']:.4f}, best={d['best_value']:.4f})" for d in m["data"]
        )
        parts.append(f"{m['metric_name']}{arrow}[{vals}]")
    return "Metrics(" + "; ".join(parts) + ")"


def mean_value(node: dict[str, Any]) -> float | None:
    """``MetricValue.get_mean_value``: every final value of every metric, averaged."""
    value = (node.get("metric") or {}).get("value")
    if not isinstance(value, dict):
        return None
    finals = [d["final_value"] for m in value["metric_names"] for d in m["data"] if d["final_value"] is not None]
    return sum(finals) / len(finals) if finals else None


def best_by_metric(nodes: list[dict[str, Any]]) -> dict[str, Any] | None:
    """``max(nodes, key=lambda n: n.metric)`` (``Journal.get_best_node``'s fallback; the first on ties)."""
    best = None
    for node in nodes:
        if best is None:
            best = node
            continue
        a, b = mean_value(node), mean_value(best)
        if a is None or (b is not None and a == b):
            continue
        names = node["metric"]["value"]["metric_names"]
        maximize = not names[0]["lower_is_better"]  # MetricValue._should_maximize: the first metric
        if b is None or (a > b if maximize else a < b):
            best = node
    return best


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
        """Append a node like upstream does after a step; returns its id.

        ``copy_of``: ``AgentManager._get_best_implementation`` deep-copies the previous
        stage's best into the next stage's journal: same id, same ``ctime``, no parent;
        ``Journal.append`` gives it the step ``len(nodes)`` (0).
        ``seed_agg``: ``ParallelAgent._generate_seed_eval_aggregation_node`` makes a node with
        ``is_seed_node`` and ``is_seed_agg_node`` set, ``is_buggy`` False and
        ``is_buggy_plots`` never set (None), no metric and no ``exec_time``.
        """
        if copy_of is not None:
            node = json.loads(json.dumps(copy_of))
            node["step"] = len(self.nodes)
            node["parent_id"] = None
            self.nodes.append(node)
            return node["id"]
        if seed_agg:
            seed, buggy_plots, loss, buggy = True, None, None, False
        nid = node_id or uuid.uuid4().hex
        step = len(self.nodes)
        rel_dir = None
        plot_paths: list[str] = []
        analyses: list[dict[str, str]] = []
        if not buggy:
            folder = f"seed_aggregation_{nid}" if seed_agg else f"experiment_{nid}_proc_{1000 + step}"
            results = self.run.logs / "experiment_results" / folder
            results.mkdir(parents=True, exist_ok=True)
            rel_dir = self.run.recorded(results)
            for k in range(plots):
                png = results / f"plot_{k}.png"
                self.run.put(png, PNG, BASE_TIME + 100 * (len(self.run.all_nodes) + 1) + 12.5 + step)
                plot_paths.append(self.run.recorded(png))
                analyses.append({"analysis": f"Plot {k} of {nid[:6]} looks fine.", "plot_path": plot_paths[-1]})
        metric_value = None
        if not buggy and not seed_agg:
            names = []
            if loss is not None:
                names.append(
                    {
                        "metric_name": "validation loss",
                        "lower_is_better": True,
                        "description": "CE",
                        "data": [
                            {"dataset_name": d, "final_value": loss + i, "best_value": loss + i}
                            for i, d in enumerate(datasets)
                        ],
                    }
                )
            names.append(
                {
                    "metric_name": "held-out accuracy",
                    "lower_is_better": False,
                    "description": "acc",
                    "data": [{"dataset_name": d, "final_value": acc, "best_value": acc} for d in datasets],
                }
            )
            metric_value = {"metric_names": names}
        node = {
            # every plan of a stage starts with the same task text, as upstream's do
            "code": "print('hi')",
            "plan": self.run.plan_of(step, seed, seed_agg),
            "overall_plan": "",
            "plot_code": None,
            "plot_plan": None,
            "step": step,
            "id": nid,
            "ctime": BASE_TIME + 100 * (len(self.run.all_nodes) + 1),
            "_term_out": ["ok"],
            "exec_time": None if seed_agg else 12.5 + step,
            "exc_type": exc_type if buggy else None,
            "exc_info": None,
            "exc_stack": None,
            "analysis": f"{'Failed' if buggy else 'Ran'} at step {step}.",
            "exp_results_dir": rel_dir,
            "metric": {"value": metric_value, "maximize": None, "name": None, "description": None},
            "is_buggy": buggy,
            "is_buggy_plots": None if buggy else buggy_plots,
            "parent_id": None,
            "children": [],
            "plot_data": {},
            "plots_generated": False,
            "plots": [],
            "plot_paths": plot_paths,
            "plot_analyses": analyses,
            "vlm_feedback_summary": ([] if buggy or vlm is None else vlm),
            "datasets_successfully_tested": [] if buggy else list(datasets),
            "ablation_name": ablation,
            "hyperparam_name": hyperparam,
            "is_seed_node": seed,
            "is_seed_agg_node": seed_agg,
            "exec_time_feedback": "",
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
        # utils/serialize.dumps_json: compact, with node2parent and "__version": "2"
        return json.dumps(
            {"nodes": self.nodes, "node2parent": self.node2parent, "__version": "2"}, separators=(",", ":")
        ).encode()

    def write(self, *, best: str | None = None, best_file: str | None = None) -> None:
        """Rewrite the stage's files in place, as the step callback does after every step.

        ``best``: the node ``get_best_node()`` picks among the good nodes (an LLM's choice;
        by default the metric comparison). ``best_file``: the node ``save_run`` writes to
        best_node_id.txt from ``get_best_node(only_good=False)``, which may not be good.
        """
        (self.path / "notes").mkdir(parents=True, exist_ok=True)
        good = self.good()
        if good:
            chosen = next(n for n in good if n["id"] == best) if best else best_by_metric(good)
        else:
            chosen = None
        self.best = chosen["id"] if chosen else None
        anyone = best_file or (self.best if chosen else (best_by_metric(self.nodes) or {}).get("id"))
        progress = {
            "stage": self.folder.removeprefix("stage_"),
            "total_nodes": len(self.nodes),  # len(journal.nodes)
            "buggy_nodes": sum(1 for n in self.nodes if n["is_buggy"]),  # Journal.buggy_nodes
            "good_nodes": len(good),  # Journal.good_nodes
            "best_metric": metric_str(chosen) if chosen else "None",  # str(best.metric) or "None"
            "current_findings": "Findings so far.",
        }
        when = self.run.tick()
        self.run.put(self.path / "notes" / "stage_progress.json", json.dumps(progress, indent=2), when)
        self.run.put(self.path / "journal.json", self.journal_bytes(), when)
        self.run.put(self.path / "config.yaml", "exp_name: run\n", when)
        if anyone:
            self.run.put(self.path / "best_node_id.txt", str(anyone), when)
            self.run.put(self.path / f"best_solution_{anyone}.py", "print('hi')\n", when)

    def write_partial(self, fraction: float = 0.5) -> None:
        """journal.json caught half-written."""
        raw = self.journal_bytes()
        self.run.put(self.path / "journal.json", raw[: int(len(raw) * fraction)], self.run.tick())

    def checkpoint(self) -> None:
        # AgentManager._save_checkpoint, at the end of each main stage
        self.run.put(self.path / "checkpoint.pkl", b"\x80\x04N.", self.run.tick())


def _loss(node: dict[str, Any]) -> float:
    names = (node.get("metric") or {}).get("value") or {}
    for m in names.get("metric_names", []):
        if m["metric_name"] == "validation loss":
            return m["data"][0]["final_value"]
    return 99.0


class RunWriter:
    """A run folder under ``root/experiments``, named like ``launch_scientist_bfts.py`` names it."""

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
        self.num_workers = workers
        self.stages: list[StageWriter] = []
        self.all_nodes: list[dict[str, Any]] = []
        self._stamp = BASE_TIME - 360.0  # the folder's name: 09:13:56, a few minutes before the first node
        self.logs.mkdir(parents=True, exist_ok=True)
        idea = {
            "Name": "toy_idea",
            "Title": title,
            "Short Hypothesis": "It works.",
            "Abstract": "We test it.",
            "Experiments": ["Try it."],
            "Risk Factors and Limitations": ["None."],
        }
        self.put(self.path / "idea.json", json.dumps(idea, indent=4), self._stamp)
        self.put(self.path / "idea.md", f"## Title\n\n{title}\n", self._stamp)
        stages = "\n".join(f"    stage{k}_max_iters: {v}" for k, v in self.max_iters.items())
        self.put(
            self.path / "bfts_config.yaml",
            f"agent:\n  num_workers: {workers}\n  stages:\n{stages}\nexec:\n  timeout: {timeout}\n",
            self._stamp,
        )
        for k in range(1, workers + 1):
            self.worker(k)

    # -- the run's clock -------------------------------------------------------------------

    @property
    def newest_node_end(self) -> float:
        ends = [n["ctime"] + (n["exec_time"] or 0.0) for n in self.all_nodes]
        return max(ends, default=BASE_TIME - 300.0)

    def tick(self, after: float = 5.0) -> float:
        """The run's time now: a little after its newest node, never earlier than the last file."""
        self._stamp = max(self.newest_node_end + after, self._stamp + 0.01)
        return self._stamp

    def put(self, path: Path, content: bytes | str, when: float | None = None) -> Path:
        """Write a file and give it the run's time (``when``, else :meth:`tick`)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            path.write_text(content)
        else:
            path.write_bytes(content)
        when = when if when is not None else self.tick()
        set_mtime(path, when)
        parent = path.parent
        while parent != self.path.parent and self.path in (parent, *parent.parents):
            set_mtime(parent, max(when, self._stamp))  # a folder changes when a file is made in it
            parent = parent.parent
        return path

    def copied(self, now: float | None = None) -> None:
        """Every file and folder's time reset to ``now``, as ``cp``, ``rsync`` without ``-t`` or unpacking do."""
        now = time.time() if now is None else now
        for path in [self.path, *self.path.rglob("*")]:
            os.utime(path, (now, now))

    def plan_of(self, step: int, seed: bool, seed_agg: bool) -> str:
        if seed_agg:
            return "Aggregate results from multiple seeds"  # _generate_seed_eval_aggregation_node
        if seed:
            return "Seed node"
        return f"Synthetic toy task: pairs of digits and their sum, a small MLP. Variant {step}.\nMore detail."

    def recorded(self, path: Path) -> str:
        """A path the way upstream records it: relative to the directory holding experiments/."""
        return str(path.relative_to(self.root))

    def worker(self, n: int, when: float | None = None) -> Path:
        """``<workspace>/process_<process name>``: ``ParallelAgent._process_node_wrapper``'s folder."""
        folder = self.path / "0-run" / f"process_ForkProcess-{n}"
        folder.mkdir(parents=True, exist_ok=True)
        self.put(folder / "runfile.py", "print('experiment')\n", when if when is not None else self._stamp)
        return folder

    def reforked(self, extra: int = 2) -> list[Path]:
        """More worker folders than workers: each stage's ``ProcessPoolExecutor`` forks new processes."""
        have = len(list((self.path / "0-run").glob("process_ForkProcess-*")))
        return [self.worker(have + k + 1) for k in range(extra)]

    def stage(self, main: int, sub: int = 1, sub_name: str | None = None) -> StageWriter:
        name = sub_name or ("preliminary" if main == 1 else "first_attempt")
        writer = StageWriter(self, main, sub, name)
        writer.path.mkdir(parents=True, exist_ok=True)
        self.stages.append(writer)
        return writer

    # -- after the tree search (perform_experiments_bfts, then launch_scientist_bfts.py) ---------

    def summaries(self) -> None:
        # perform_experiments_bfts: overall_summarize, one file per main stage
        for name in ("draft_summary.json", "baseline_summary.json", "research_summary.json", "ablation_summary.json"):
            self.put(self.logs / name, json.dumps({"summary": name}))

    def figures(self, count: int = 2) -> None:
        for k in range(count):
            self.put(self.path / "figures" / f"fig_{k}.png", PNG)
        self.put(self.path / "auto_plot_aggregator.py", "# aggregate\n")

    def token_tracker(self, at: float | None = None) -> None:
        """``save_token_tracker``: ``TokenTracker.get_summary()`` (tokens and ``cost (USD)`` per model),
        and the interactions, each with its reply's ``created`` time."""
        at = self.tick(600.0) if at is None else at
        summary = {
            "gpt-4o-2024-11-20": {
                "tokens": {"prompt": 120_000, "completion": 30_000, "reasoning": 0, "cached": 20_000},
                "cost (USD)": 0.575,
            },
            "o1-preview-2024-09-12": {
                "tokens": {"prompt": 40_000, "completion": 20_000, "reasoning": 8_000, "cached": 0},
                "cost (USD)": 1.8,
            },
        }
        self.put(self.path / "token_tracker.json", json.dumps(summary), at)
        replies = {
            model: [
                {"system_message": "s", "prompt": "p", "response": "r", "timestamp": int(at) - 60 * k} for k in range(3)
            ]
            for model in summary
        }
        self.put(self.path / "token_tracker_interactions.json", json.dumps(replies), at)

    def citations(self, rounds: int, status: str = "in_progress") -> None:
        self.put(self.path / "cached_citations.bib", "@article{a, title = {A}}\n")
        self.put(self.path / "citations_progress.json", json.dumps({"completed_rounds": rounds, "status": status}))

    def latex(self) -> None:
        self.put(self.path / "latex" / "template.tex", "\\documentclass{article}\n")

    def pdf(self, name: str | None = None) -> None:
        self.put(self.path / (name or f"{self.name}_reflection_final_page_limit.pdf"), b"%PDF-1.4\n")

    def review(
        self, ethical: bool | None = False, decision: str = "Reject", raw: str | None = None, overall: int = 3
    ) -> None:
        """``perform_review``'s dict, written as ``json.dumps(review_text, indent=4)``."""
        review: dict[str, Any] = {
            "Summary": "A paper.",
            "Strengths": ["Clear."],
            "Weaknesses": ["Small."],
            "Originality": 2,
            "Quality": 2,
            "Clarity": 3,
            "Significance": 2,
            "Questions": ["Why?"],
            "Limitations": ["Toy."],
            "Soundness": 2,
            "Presentation": 3,
            "Contribution": 2,
            "Overall": overall,
            "Confidence": 4,
            "Decision": decision,
        }
        if ethical is not None:
            review["Ethical Concerns"] = ethical
        self.put(self.path / "review_text.txt", raw if raw is not None else json.dumps(review, indent=4))


# -- whole runs ------------------------------------------------------------------------


def early_run(root: Path, **kw: Any) -> RunWriter:
    """Stage 1 under way: one buggy draft and one draft without a verdict on its plots yet."""
    run = RunWriter(root, **kw)
    s1 = run.stage(1)
    s1.add_node(buggy=True)
    s1.add_node(buggy_plots=None)
    s1.write()
    return run


def no_good_run(root: Path, **kw: Any) -> RunWriter:
    """Stage 1 with no good node yet: best_node_id.txt still names one (``only_good=False``)."""
    run = RunWriter(root, **kw)
    s1 = run.stage(1)
    s1.add_node(buggy=True, exc_type="KeyError")
    rejected = s1.add_node(buggy_plots=True, loss=0.7)  # the VLM said the plots are not valid
    s1.add_node(buggy_plots=None, loss=0.9)  # plots not checked yet
    s1.write(best_file=rejected)
    return run


def mid_run(root: Path, **kw: Any) -> RunWriter:
    """Stage 1 complete (checkpoint), stage 2 in progress, like the reference run."""
    run = RunWriter(root, **kw)
    s1 = run.stage(1)
    s1.add_node(buggy=True, exc_type="KeyError")
    draft = s1.add_node(loss=1.5)
    s1.add_node(buggy=True, parent=None)
    s1.add_node(seed=True, parent=draft, loss=1.6)
    s1.add_node(seed_agg=True, parent=draft)
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


#: How long after its folder's stamp :func:`finished_run` gets its review: 7 h 17 min.
FINISHED_AFTER = 7 * 3600 + 17 * 60


def finished_run(root: Path, *, ethical: bool | None = False, **kw: Any) -> RunWriter:
    """All four stages, the write-up and the review, 7 h 17 min after the folder's stamp."""
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
    start = BASE_TIME - 364.0  # 2025-06-12 09:13:56 UTC, the folder's stamp
    run.figures()
    run.token_tracker(at=start + FINISHED_AFTER - 3600)  # after plot aggregation
    run.citations(7, "completed")
    run.latex()
    run.pdf()
    run.token_tracker(at=start + FINISHED_AFTER)  # again after the write-up and the review
    run.review(ethical=ethical, decision="Accept", overall=6)
    set_mtime(run.path / "review_text.txt", start + FINISHED_AFTER)
    return run
