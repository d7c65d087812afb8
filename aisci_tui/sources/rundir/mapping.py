"""Run state to protocol payloads: progress, agents, system events, the ethics flag.

Each function returns ``(kind, key, timestamp, data)`` items; the reader turns
them into events with ids derived from their content. Timestamps come from the
files (never from "now"), so re-reading a folder yields identical envelopes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aisci_tui.sources.rundir.clock import RunClock
from aisci_tui.sources.rundir.layout import MAIN_STAGES, iso
from aisci_tui.sources.rundir.model import StageInfo
from aisci_tui.sources.rundir.progress import RunStatus
from aisci_tui.sources.rundir.snapshot import Snapshot, WorkerFiles

Item = tuple[str, str, float | None, dict[str, Any]]

REVIEWER_NOTE = (
    "The LLM paper reviewer's 'Ethical Concerns' flag from review_text.txt. "
    "AI-Scientist-v2 runs no ethics review; this is not a six-framework assessment."
)


#: The run's own pipeline (launch_scientist_bfts.py): the four stages, then the steps after them.
PHASE_TRAIL = (
    *(f"Stage {k} {name}" for k, name in MAIN_STAGES.items()),
    "summaries",
    "plot aggregation",
    "citations",
    "write-up",
    "review",
    "done",
)
_TRAIL_INDEX = {"summarising": 4, "plotting": 5, "citations": 6, "write-up": 7, "review": 8, "done": 9}


@dataclass(slots=True)
class Context:
    session_id: str
    snap: Snapshot
    stages: list[StageInfo]
    status: RunStatus
    now: float
    clock: RunClock

    @property
    def started(self) -> float | None:
        return self.clock.started

    @property
    def stalled(self) -> bool:
        """Not ended, nothing written now, and the newest node older than exec.timeout."""
        return self.clock.stalled

    def file_time(self, ts: float | None) -> float | None:
        """A file's time while file times are the run's own, else the run's latest time."""
        return ts if ts is not None and self.clock.files_trusted else self.clock.latest

    def manager_id(self) -> str:
        return f"{self.session_id}/manager"

    def worker_id(self, number: int) -> str:
        return f"{self.session_id}/worker-{number}"


def workers(ctx: Context) -> list[tuple[int, WorkerFiles | None]]:
    """The configured workers (``agent.num_workers``), each with the worker folder it last used.

    ``ParallelAgent`` runs ``num_workers`` processes; each writes in
    ``process_<process name>``, and a stage's new pool or a re-forked process
    makes new folders, so there can be more folders than workers. The most
    recently changed folders go to the workers, newest first.
    """
    folders = sorted(ctx.snap.workers, key=lambda w: (w.last_change or 0.0, w.number), reverse=True)
    count = ctx.snap.num_workers or len(folders)
    return [(k + 1, folders[k] if k < len(folders) else None) for k in range(count)]


def _worker_state(ctx: Context, worker: WorkerFiles | None) -> str:
    if ctx.status.tree_done or ctx.status.failed or ctx.status.finished:
        return "offline"
    if worker is None or not ctx.clock.writing:
        return "idle"
    current = ctx.status.current
    journal_time = None
    if current is not None:
        for sf in ctx.snap.stages:
            if sf.name.folder == current.name:
                journal_time = sf.journal_mtime
    last = worker.last_change
    if last is None or ctx.now - last > ctx.snap.timeout:
        return "idle"
    if journal_time is None or last > journal_time:
        return "busy"
    return "idle"


def phase_index(st: RunStatus) -> int | None:
    """Where the run is in :data:`PHASE_TRAIL` (None before stage 1 and after a failure)."""
    if st.phase_key.startswith("stage_") and st.phase_key[6:].isdigit():
        return int(st.phase_key[6:]) - 1
    return _TRAIL_INDEX.get(st.phase_key)


def run_state(ctx: Context) -> str:
    st = ctx.status
    if st.failed:
        return "failed"
    if st.finished:
        return "finished"
    return "stalled" if ctx.stalled else "running" if ctx.clock.writing else "stopped"


def progress_item(ctx: Context) -> Item:
    st, snap, clock = ctx.status, ctx.snap, ctx.clock
    started = clock.started
    elapsed = clock.elapsed()
    timeline: dict[str, Any] = {"started_at": iso(started), "time_elapsed": elapsed}
    if st.finished:
        timeline["estimated_completion"] = iso(clock.latest)
        timeline["time_remaining"] = 0.0
    elif clock.writing and not st.failed and elapsed and started is not None and st.overall >= 0.05:
        remaining = elapsed * (1.0 - st.overall) / st.overall
        timeline["time_remaining"] = remaining
        timeline["estimated_completion"] = iso(started + elapsed + remaining)
        timeline["estimated"] = True
    activities = [
        {
            "agent_id": ctx.manager_id(),
            "activity": st.phase,
            "progress": st.phase_progress,
            "status": "failed"
            if st.failed
            else "completed"
            if st.finished
            else "stalled"
            if ctx.stalled
            else "in_progress",
        }
    ]
    for number, folder in workers(ctx):
        state = _worker_state(ctx, folder)
        activities.append(
            {
                "agent_id": ctx.worker_id(number),
                "activity": {"busy": "running experiment code", "idle": "waiting for work", "offline": "stopped"}[
                    state
                ],
                "status": {"busy": "in_progress", "idle": "idle", "offline": "stopped"}[state],
            }
        )
    data: dict[str, Any] = {
        "session_id": ctx.session_id,
        "title": title_of(snap.idea, ctx.session_id),
        "overall_progress": st.overall,
        "current_phase": st.phase,
        "phase_progress": st.phase_progress,
        "phase_progress_estimated": st.estimated,
        "phase_key": st.phase_key,
        "phase_trail": list(PHASE_TRAIL),
        "phase_index": phase_index(st),
        "run_state": run_state(ctx),
        "activities": activities,
        "milestones": st.milestones,
        "timeline": timeline,
        "nodes": node_counts(ctx.stages),
        "workers": {"configured": snap.num_workers, "folders": len(snap.workers)},
        "clock": {
            "being_written": clock.writing,
            "stalled": clock.stalled,
            "file_times_trusted": clock.files_trusted,
            "last_activity": iso(clock.latest),
        },
    }
    if st.current is not None:
        data["stage"] = st.current.name
        data["best_metric"] = st.current.best_metric
    if snap.idea.get("Short Hypothesis") and isinstance(snap.idea["Short Hypothesis"], str):
        data["hypothesis"] = snap.idea["Short Hypothesis"]
    tokens = _tokens(snap.tokens)
    if tokens:
        data["tokens"] = tokens
    data["cost"] = cost_of(snap.tokens)
    if snap.review is not None:
        data["review"] = {
            "decision": snap.review.decision,
            "overall": snap.review.overall,
            "ethical_concerns": snap.review.ethical_concerns,
        }
    return ("research_progress", ctx.session_id, clock.latest if clock.latest is not None else started, data)


def node_counts(stages: list[StageInfo]) -> dict[str, int]:
    """Node counts of the stages as ``stage_progress.json`` has them (node 0 of a later stage included)."""
    return {
        "total": sum(s.total_nodes for s in stages),
        "buggy": sum(s.buggy_nodes for s in stages),
        "good": sum(s.good_nodes for s in stages),
    }


def cost_of(tracker: dict[str, Any] | None) -> dict[str, Any]:
    """Total and per-model cost from token_tracker.json (``TokenTracker.get_summary``).

    launch_scientist_bfts.py writes it only after plot aggregation and after the
    write-up: during the tree search there is no cost yet, which is not $0.
    """
    if not tracker:
        return {
            "total_usd": None,
            "models": {},
            "note": "no cost yet: token_tracker.json is written after plot aggregation",
        }
    models: dict[str, Any] = {}
    for model, usage in tracker.items():
        if not isinstance(usage, dict):
            continue
        usd = usage.get("cost (USD)")
        usd = float(usd) if isinstance(usd, int | float) and not isinstance(usd, bool) else None
        given = usage.get("tokens")
        counts = given if isinstance(given, dict) else {}
        models[str(model)] = {
            "usd": usd,
            "tokens": {str(k): v for k, v in counts.items() if isinstance(v, int) and not isinstance(v, bool)},
        }
    known = [m["usd"] for m in models.values() if m["usd"] is not None]
    return {"total_usd": sum(known) if known else None, "models": models, "note": None}


def title_of(idea: dict[str, Any], fallback: str) -> str:
    """The idea's title, else its name, else ``fallback``."""
    for key in ("Title", "Name"):
        if isinstance(idea.get(key), str) and idea[key].strip():
            return idea[key].strip()
    return fallback


def _tokens(tracker: dict[str, Any] | None) -> dict[str, int] | None:
    """Token totals over all models from token_tracker.json."""
    if not tracker:
        return None
    totals: dict[str, int] = {}
    for usage in tracker.values():
        counts = usage.get("tokens") if isinstance(usage, dict) else None
        for kind, count in (counts or {}).items():
            if isinstance(count, int) and not isinstance(count, bool):
                totals[kind] = totals.get(kind, 0) + count
    return totals or None


def agent_items(ctx: Context) -> list[Item]:
    st, snap, clock = ctx.status, ctx.snap, ctx.clock
    counts = node_counts(ctx.stages)
    if st.failed or st.finished:
        status = "offline"
    elif st.tree_done or not clock.writing:
        status = "idle"
    else:
        status = "busy"
    manager: dict[str, Any] = {
        "agent_id": ctx.manager_id(),
        "name": "Tree-search manager",
        "status": status,
        "session_id": ctx.session_id,
        "performance": {"success_rate": counts["good"] / counts["total"] if counts["total"] else None},
        "health": {"last_heartbeat": iso(clock.latest), "error_count": counts["buggy"]},
        "role": "manager",
    }
    elapsed = clock.elapsed()
    if elapsed is not None:
        manager["health"]["uptime"] = elapsed
    current = st.current
    if current is not None and status == "busy":
        manager["current_task"] = {
            "id": current.name,
            "type": "tree_search",
            "progress": current.progress,
            "started_at": iso(current.started_at),
        }
    items: list[Item] = [("agent_status", ctx.manager_id(), clock.latest, manager)]
    for number, folder in workers(ctx):
        state = _worker_state(ctx, folder)
        seen = folder.last_change if folder is not None and clock.files_trusted else None
        data: dict[str, Any] = {
            "agent_id": ctx.worker_id(number),
            "name": f"Worker {number}",
            "status": state,
            "session_id": ctx.session_id,
            "health": {"last_heartbeat": iso(seen if seen is not None else clock.latest)},
            "role": "worker",
            "folder": folder.folder if folder is not None else None,
        }
        if state == "busy" and folder is not None:
            began = folder.runfile_mtime or folder.last_change
            data["current_task"] = {
                "id": f"{folder.folder}@{iso(began)}",
                "type": "experiment",
                "started_at": iso(began),
            }
        when = seen if seen is not None else clock.latest
        if state == "idle" and seen is not None and ctx.now - seen > snap.timeout:
            when = seen + snap.timeout
        items.append(("agent_status", ctx.worker_id(number), when, data))
    return items


def system_items(ctx: Context) -> list[Item]:
    items: list[Item] = []
    sid = ctx.session_id
    for stage in ctx.stages:
        items.append(
            (
                "system_event",
                f"stage-started:{stage.name}",
                stage.started_at,
                {
                    "event_type": "update",
                    "severity": "info",
                    "session_id": sid,
                    "title": f"Started {stage.label}",
                    "description": f"Up to {stage.max_iters} nodes in this stage.",
                    "affected_services": ["tree_search"],
                    "stage": stage.name,
                },
            )
        )
        if stage.failed:
            items.append(
                (
                    "system_event",
                    f"stage-failed:{stage.name}",
                    stage.completed_at,
                    {
                        "event_type": "error",
                        "severity": "error",
                        "session_id": sid,
                        "title": f"Stage {stage.main} failed: no working implementation",
                        "description": (
                            f"All {stage.total_nodes} of {stage.max_iters} attempts in {stage.label} were "
                            "buggy; upstream ends the run here."
                        ),
                        "affected_services": ["tree_search"],
                        "stage": stage.name,
                    },
                )
            )
    if ctx.status.finished:
        review = ctx.snap.review
        verdict = []
        if review and review.decision:
            verdict.append(f"reviewer decision: {review.decision}")
        if review and review.overall is not None:
            verdict.append(f"overall score {review.overall:g}")
        items.append(
            (
                "system_event",
                "run-finished",
                ctx.clock.latest,
                {
                    "event_type": "update",
                    "severity": "info",
                    "session_id": sid,
                    "title": "Run finished",
                    "description": "The paper was written and reviewed"
                    + (f" ({'; '.join(verdict)})." if verdict else "."),
                    "affected_services": ["research_orchestrator"],
                },
            )
        )
    latest = ctx.clock.latest
    if ctx.stalled and latest is not None:
        minutes = ctx.snap.timeout / 60
        items.append(
            (
                "system_event",
                f"stalled:{iso(latest)}",
                latest + ctx.snap.timeout,
                {
                    "event_type": "error",
                    "severity": "warning",
                    "session_id": sid,
                    "title": f"No progress for over {minutes:g} min",
                    "description": (
                        "The newest node is older than the execution timeout "
                        f"(exec.timeout = {ctx.snap.timeout:g} s) and no file in the run folder is "
                        f"changing; the run has stopped or stalled. Last activity: {iso(latest)}."
                    ),
                    "affected_services": ["tree_search"],
                },
            )
        )
    return items


def ethics_item(ctx: Context) -> Item:
    review = ctx.snap.review
    data: dict[str, Any] = {
        "resource_id": ctx.session_id,
        "resource_type": "research_session",
        "session_id": ctx.session_id,
        "source": "review_text.txt",
        "note": REVIEWER_NOTE,
    }
    if review is None or review.ethical_concerns is None:
        data["assessment"] = {
            "status": "not_assessed",
            "frameworks": {},
            "identified_issues": [],
            "recommendations": [],
        }
        data["metadata"] = {"assessed_by": None}
        if review is not None:
            data["note"] = "review_text.txt has no readable 'Ethical Concerns' field yet. " + REVIEWER_NOTE
        return ("ethical_assessment", ctx.session_id, ctx.file_time(review.mtime) if review else ctx.started, data)
    concerns = review.ethical_concerns
    data["ethical_concerns"] = concerns
    data["assessment"] = {
        "status": "review_required" if concerns else "no_concerns_flagged",
        "frameworks": {},
        "identified_issues": [],
        "recommendations": ["Read the paper and the review before sharing it."] if concerns else [],
        "human_review_required": concerns,
        "auto_approved": False,
    }
    data["metadata"] = {"assessed_by": "llm_reviewer", "assessed_at": iso(ctx.file_time(review.mtime))}
    if review.decision:
        data["reviewer_decision"] = review.decision
    return ("ethical_assessment", ctx.session_id, ctx.file_time(review.mtime), data)
