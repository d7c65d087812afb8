"""Where a run is: stage by stage, then the write-up steps after the tree search.

Upstream writes no explicit state, so it is inferred from which files exist:
a main stage is complete when one of its stage folders holds ``checkpoint.pkl``
or a later stage's folder appears; stage 1 fails when it reaches its iteration
limit without a good node; the tree search is over once the ``*_summary.json``
files (or anything written after them) appear; then come plot aggregation
(``figures/``, ``token_tracker.json``), citations (``citations_progress.json``),
the write-up (``latex/`` and the PDFs) and the review (``review_text.txt``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from aisci_tui.sources.rundir.files import finite
from aisci_tui.sources.rundir.layout import (
    DEFAULT_CITE_ROUNDS,
    MAIN_STAGES,
    SUMMARY_FILES,
    iso,
)
from aisci_tui.sources.rundir.model import StageInfo
from aisci_tui.sources.rundir.nodes import choose_best, is_good
from aisci_tui.sources.rundir.snapshot import Snapshot

#: Share of the overall progress for each milestone (sums to 1).
STAGE_WEIGHT = 0.2
POST_STEPS: tuple[tuple[str, str, float], ...] = (
    ("summarising", "Summaries", 0.03),
    ("plotting", "Plot aggregation", 0.04),
    ("citations", "Citations", 0.04),
    ("write-up", "Write-up", 0.06),
    ("review", "Review", 0.03),
)
AFTER_TREE = {
    "figures",
    "auto_plot_aggregator.py",
    "token_tracker.json",
    "citations_progress.json",
    "cached_citations.bib",
    "latex",
    "review_text.txt",
}


@dataclass(slots=True)
class RunStatus:
    phase_key: str  # "starting", "stage_2", "summarising", ..., "done", "failed"
    phase: str
    phase_progress: float | None
    estimated: bool
    overall: float
    milestones: list[dict[str, Any]] = field(default_factory=list)
    finished: bool = False
    failed: bool = False
    tree_done: bool = False
    current: StageInfo | None = None


def _nodes(journal: dict[str, Any] | None) -> list[dict[str, Any]]:
    nodes = journal.get("nodes") if journal else None
    return [n for n in nodes if isinstance(n, dict)] if isinstance(nodes, list) else []


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def tree_search_done(snap: Snapshot) -> bool:
    return bool(snap.summaries) or bool(snap.pdfs) or any(name in snap.artifacts for name in AFTER_TREE)


@dataclass(slots=True)
class _Summary:
    """Counts, node times and the best node of one journal (upstream's ``_gather_stage_metrics``)."""

    journal: dict[str, Any]
    total: int
    buggy: int
    good: int
    ids: frozenset[str]
    ctimes: dict[str, float]
    #: Newest ``ctime + exec_time`` of the journal's nodes.
    newest: float | None
    #: started_at of the stage given the journals of the stages before it (compared by identity).
    started: tuple[tuple[dict[str, Any], ...], float | None] | None = None
    _best: tuple[str | None, str | None, str | None] | None = None

    def started_after(self, earlier: list[_Summary]) -> float | None:
        journals = tuple(s.journal for s in earlier)
        cached = self.started
        if (
            cached is not None
            and len(cached[0]) == len(journals)
            and all(a is b for a, b in zip(cached[0], journals, strict=True))
        ):
            return cached[1]
        seen: set[str] = set().union(*(s.ids for s in earlier))
        fresh = [t for nid, t in self.ctimes.items() if nid not in seen]
        value = min(fresh) if fresh else None
        self.started = (journals, value)
        return value

    def best(self, best_metric: str | None, best_file: str | None) -> str | None:
        """The stage's best node (see :func:`~aisci_tui.sources.rundir.nodes.choose_best`), kept per inputs."""
        if self._best is None or self._best[:2] != (best_metric, best_file):
            self._best = (best_metric, best_file, choose_best(_nodes(self.journal), best_metric, best_file))
        return self._best[2]


def _summarise(journal: dict[str, Any]) -> _Summary:
    nodes = _nodes(journal)
    ctimes: dict[str, float] = {}
    newest: float | None = None
    for n in nodes:
        nid = str(n.get("id"))
        t = finite(n.get("ctime"))
        if t is not None and (nid not in ctimes or t < ctimes[nid]):
            ctimes[nid] = t
        if t is not None:
            end = t + max(0.0, finite(n.get("exec_time")) or 0.0)
            newest = end if newest is None else max(newest, end)
    # Journal.buggy_nodes counts is_buggy; Journal.good_nodes is_buggy False and is_buggy_plots False
    return _Summary(
        journal,
        len(nodes),
        sum(1 for n in nodes if n.get("is_buggy")),
        sum(1 for n in nodes if is_good(n)),
        frozenset(str(n.get("id")) for n in nodes),
        ctimes,
        newest,
    )


class StageSummaries:
    """Per-journal node counts, kept while the same parsed journal is seen again."""

    def __init__(self) -> None:
        self._by_id: dict[int, _Summary] = {}

    def get(self, journal: dict[str, Any] | None) -> _Summary:
        if journal is None:
            return _summarise({})
        found = self._by_id.get(id(journal))
        if found is None or found.journal is not journal:
            found = self._by_id[id(journal)] = _summarise(journal)
        return found

    def keep_only(self, journals: list[dict[str, Any] | None]) -> None:
        live = {id(j) for j in journals if j is not None}
        for key in [k for k in self._by_id if k not in live]:
            del self._by_id[key]


def stage_infos(snap: Snapshot, summaries: StageSummaries | None = None) -> list[StageInfo]:
    """What each stage folder shows; ``summaries`` spares recounting journals seen before."""
    summaries = summaries if summaries is not None else StageSummaries()
    summaries.keep_only([sf.journal for sf in snap.stages])
    done = tree_search_done(snap)
    infos: list[StageInfo] = []
    earlier: list[_Summary] = []
    earlier_end: float | None = None
    for sf in snap.stages:
        summary = summaries.get(sf.journal)
        progress = sf.progress or {}
        name = sf.name
        info = StageInfo(
            name=name.folder,
            main=name.main,
            main_name=name.main_name,
            sub=name.sub,
            sub_name=name.sub_name,
            label=name.label,
            max_iters=snap.max_iters.get(name.main, 0) or 1,
            best_node_id=sf.best_id,
            has_checkpoint=sf.checkpoint_mtime is not None,
            last_change=sf.last_change,
        )
        if sf.journal is not None:
            info.total_nodes = summary.total
            info.buggy_nodes = summary.buggy
            info.good_nodes = summary.good
        else:
            info.total_nodes = _int(progress.get("total_nodes")) or 0
            info.buggy_nodes = _int(progress.get("buggy_nodes")) or 0
            info.good_nodes = _int(progress.get("good_nodes")) or 0
        best_metric = progress.get("best_metric") if isinstance(progress.get("best_metric"), str) else None
        if sf.journal is not None:
            info.best_node_id = summary.best(best_metric, sf.best_id)
        elif info.good_nodes == 0 or best_metric == "None":
            info.best_node_id = None
        if info.best_node_id is not None and best_metric != "None":
            info.best_metric = best_metric
        if isinstance(progress.get("current_findings"), str):
            info.current_findings = progress["current_findings"]
        started = summary.started_after(earlier)
        info.first_node = started
        info.newest_node = summary.newest
        # the run's clock: a stage starts with its first node of its own (node 0 is the previous best)
        info.started_at = started if started is not None else (earlier_end if earlier else None)
        earlier_end = summary.newest if summary.newest is not None else earlier_end
        earlier.append(summary)
        infos.append(info)

    for i, info in enumerate(infos):
        later = infos[i + 1 :]
        later_main = any(o.main > info.main for o in later)
        if info.main == 1 and not later_main and info.good_nodes == 0 and info.total_nodes >= info.max_iters:
            info.failed = True
            info.completed_at = info.newest_node
            continue
        info.complete = info.has_checkpoint or bool(later) or done
        if info.complete:
            # the next stage's first node, else this stage's newest node: never a file's time
            following = later[0].started_at if later else None
            info.completed_at = following if following is not None else info.newest_node
    return infos


def main_stage_done(infos: list[StageInfo], main: int) -> bool:
    """A main stage is done when any of its folders has a checkpoint or a later main stage began."""
    return any(s.main == main and s.has_checkpoint for s in infos) or any(s.main > main for s in infos)


def _latest(times: Sequence[float | None]) -> float | None:
    known = [t for t in times if t is not None]
    return max(known) if known else None


def run_status(snap: Snapshot, infos: list[StageInfo], files_trusted: bool = True) -> RunStatus:
    """``files_trusted``: file times are the run's own (see :mod:`~aisci_tui.sources.rundir.clock`)."""
    tree_done = tree_search_done(snap)
    failed = any(s.failed for s in infos)
    milestones: list[dict[str, Any]] = []
    overall = 0.0
    current: StageInfo | None = infos[-1] if infos else None
    phase_progress: float | None = 0.0
    phase_key, phase, estimated = "starting", "starting", False
    started = {s.main for s in infos}

    for main, main_name in MAIN_STAGES.items():
        subs = [s for s in infos if s.main == main]
        title = f"Stage {main}: {main_name}"
        if subs and (main_stage_done(infos, main) or tree_done) and not any(s.failed for s in subs):
            milestones.append(
                {"name": title, "status": "completed", "completed_at": iso(_latest([s.completed_at for s in subs]))}
            )
            overall += STAGE_WEIGHT
        elif subs and any(s.failed for s in subs):
            milestones.append(
                {
                    "name": title,
                    "status": "failed",
                    "completed_at": iso(subs[-1].completed_at),
                    "progress": subs[-1].progress,
                }
            )
            overall += STAGE_WEIGHT * subs[-1].progress
        elif subs:
            latest = subs[-1]
            milestones.append(
                {"name": title, "status": "in_progress", "progress": latest.progress, "progress_estimated": True}
            )
            overall += STAGE_WEIGHT * latest.progress
            phase_key, phase, phase_progress, estimated = f"stage_{main}", latest.label, latest.progress, True
        elif tree_done or failed or any(m > main for m in started):
            milestones.append({"name": title, "status": "skipped"})
        elif phase_key == "starting" and (main == 1 or main_stage_done(infos, main - 1)):
            # the previous stage is over and this one's folder is not there yet
            milestones.append({"name": title, "status": "in_progress", "progress": 0.0, "progress_estimated": True})
            phase_key, phase, phase_progress, estimated = (
                f"stage_{main}",
                f"Stage {main} {main_name} (starting)",
                0.0,
                True,
            )
        else:
            milestones.append({"name": title, "status": "pending"})

    if failed:
        return RunStatus(
            "failed",
            "failed: stage 1 found no working implementation",
            phase_progress,
            False,
            round(overall, 4),
            milestones + [{"name": n, "status": "pending"} for _, n, _ in POST_STEPS],
            finished=False,
            failed=True,
            tree_done=tree_done,
            current=current,
        )

    post = _post_states(snap, tree_done or main_stage_done(infos, 4), files_trusted)
    for (key, name, weight), (state, done_at, progress, est) in zip(POST_STEPS, post, strict=True):
        item: dict[str, Any] = {"name": name, "status": state}
        if state == "completed":
            item["completed_at"] = iso(done_at)
            overall += weight
        elif state == "in_progress":
            if progress is not None:
                item["progress"] = progress
                item["progress_estimated"] = est
                overall += weight * progress
            phase_key, phase, phase_progress, estimated = key, key, progress, est
        milestones.append(item)

    finished = post[-1][0] == "completed"
    if finished:
        phase_key, phase, phase_progress, estimated, overall = "done", "done", 1.0, False, 1.0
    return RunStatus(
        phase_key,
        phase,
        phase_progress,
        estimated,
        round(min(overall, 1.0), 4),
        milestones,
        finished=finished,
        failed=False,
        tree_done=tree_done,
        current=current,
    )


def _post_states(
    snap: Snapshot, tree_done: bool, files_trusted: bool = True
) -> list[tuple[str, float | None, float | None, bool]]:
    """(status, completed time, progress, progress is an estimate) for each step after the tree search."""
    art = snap.artifacts
    review = "review_text.txt" in art
    final_pdf = [t for name, t in snap.pdfs.items() if "reflection" not in name.lower() or "final" in name.lower()]
    any_pdf = bool(snap.pdfs)
    writeup_done = review or bool(final_pdf)
    writeup_started = writeup_done or "latex" in art or any_pdf
    cites = snap.citations or {}
    rounds = _int(cites.get("completed_rounds"))
    cites_done = writeup_started or cites.get("status") == "completed"
    cites_started = cites_done or "citations_progress.json" in art or "cached_citations.bib" in art
    plots_done = cites_started or "token_tracker.json" in art
    summaries_done = (
        plots_done
        or all(name in snap.summaries for name in SUMMARY_FILES)
        or "figures" in art
        or "auto_plot_aggregator.py" in art
    )

    steps: list[tuple[bool, bool, float | None, float | None, bool]] = [
        # (done, may be running, completed time, progress, estimated)
        (
            summaries_done,
            tree_done,
            _latest(list(snap.summaries.values())),
            len([n for n in SUMMARY_FILES if n in snap.summaries]) / len(SUMMARY_FILES),
            False,
        ),
        (plots_done, summaries_done, art.get("token_tracker.json") or art.get("figures"), None, False),
        (
            cites_done,
            plots_done,
            art.get("citations_progress.json") or art.get("cached_citations.bib"),
            min(1.0, rounds / DEFAULT_CITE_ROUNDS) if rounds is not None else None,
            True,
        ),
        (writeup_done, cites_done, _latest(final_pdf) or art.get("latex"), None, False),
        (review, writeup_done, art.get("review_text.txt"), None, False),
    ]
    out: list[tuple[str, float | None, float | None, bool]] = []
    for done, running, when, progress, est in steps:
        if done:
            out.append(("completed", when if files_trusted else None, 1.0, False))
        elif running:
            out.append(("in_progress", None, progress, est))
        else:
            out.append(("pending", None, None, False))
    return out
