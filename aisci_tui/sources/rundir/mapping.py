"""Run state to protocol payloads: progress, agents, system events, the ethics flag.

Each function returns ``(kind, key, timestamp, data)`` items; the reader turns
them into events with ids derived from their content. Timestamps come from the
files (never from "now"), so re-reading a folder yields identical envelopes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aisci_tui.sources.rundir.layout import iso, parse_run_name
from aisci_tui.sources.rundir.model import StageInfo
from aisci_tui.sources.rundir.progress import RunStatus
from aisci_tui.sources.rundir.snapshot import Snapshot, WorkerFiles

Item = tuple[str, str, float | None, dict[str, Any]]

REVIEWER_NOTE = (
    "The LLM paper reviewer's 'Ethical Concerns' flag from review_text.txt. "
    "AI-Scientist-v2 runs no ethics review; this is not a six-framework assessment."
)


@dataclass(slots=True)
class Context:
    session_id: str
    snap: Snapshot
    stages: list[StageInfo]
    status: RunStatus
    now: float

    @property
    def started(self) -> float | None:
        started, _, _ = parse_run_name(self.session_id)
        if started is not None:
            return started.timestamp()
        return self.snap.first_change

    @property
    def stalled(self) -> bool:
        """Nothing changed for longer than exec.timeout while the run should be busy."""
        last = self.snap.last_change
        active = not (self.status.finished or self.status.failed)
        return active and last is not None and self.now - last > self.snap.timeout

    def manager_id(self) -> str:
        return f"{self.session_id}/manager"

    def worker_id(self, worker: WorkerFiles) -> str:
        return f"{self.session_id}/worker-{worker.number}"


def _worker_state(ctx: Context, worker: WorkerFiles) -> str:
    if ctx.status.tree_done or ctx.status.failed or ctx.status.finished:
        return "offline"
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


def progress_item(ctx: Context) -> Item:
    st, snap = ctx.status, ctx.snap
    started = ctx.started
    last = snap.last_change
    elapsed = max(0.0, last - started) if (last is not None and started is not None) else None
    timeline: dict[str, Any] = {"started_at": iso(started), "time_elapsed": elapsed}
    if st.finished:
        timeline["estimated_completion"] = iso(last)
        timeline["time_remaining"] = 0.0
    elif not st.failed and elapsed and st.overall >= 0.05:
        remaining = elapsed * (1.0 - st.overall) / st.overall
        timeline["time_remaining"] = remaining
        timeline["estimated_completion"] = iso(started + elapsed + remaining)
        timeline["estimated"] = True
    activities = [{
        "agent_id": ctx.manager_id(),
        "activity": st.phase,
        "progress": st.phase_progress,
        "status": "failed" if st.failed else "completed" if st.finished else "in_progress",
    }]
    for worker in snap.workers:
        state = _worker_state(ctx, worker)
        activities.append({
            "agent_id": ctx.worker_id(worker),
            "activity": {"busy": "running experiment code", "idle": "waiting for work",
                         "offline": "stopped"}[state],
            "status": {"busy": "in_progress", "idle": "idle", "offline": "stopped"}[state],
        })
    data: dict[str, Any] = {
        "session_id": ctx.session_id,
        "title": title_of(snap.idea, ctx.session_id),
        "overall_progress": st.overall,
        "current_phase": st.phase,
        "phase_progress": st.phase_progress,
        "phase_progress_estimated": st.estimated,
        "phase_key": st.phase_key,
        "run_state": "failed" if st.failed else "finished" if st.finished else "running",
        "activities": activities,
        "milestones": st.milestones,
        "timeline": timeline,
        "nodes": {
            "total": sum(s.total_nodes for s in ctx.stages),
            "buggy": sum(s.buggy_nodes for s in ctx.stages),
            "good": sum(s.good_nodes for s in ctx.stages),
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
    return ("research_progress", ctx.session_id, last if last is not None else started, data)


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
    st, snap = ctx.status, ctx.snap
    total = sum(s.total_nodes for s in ctx.stages)
    buggy = sum(s.buggy_nodes for s in ctx.stages)
    good = sum(s.good_nodes for s in ctx.stages)
    if st.failed or st.finished:
        status = "offline"
    elif st.tree_done or ctx.stalled:
        status = "idle"
    else:
        status = "busy"
    manager: dict[str, Any] = {
        "agent_id": ctx.manager_id(),
        "name": "Tree-search manager",
        "status": status,
        "session_id": ctx.session_id,
        "performance": {"success_rate": good / total if total else None},
        "health": {"last_heartbeat": iso(snap.last_change), "error_count": buggy},
        "role": "manager",
    }
    started = ctx.started
    if started is not None and snap.last_change is not None:
        manager["health"]["uptime"] = max(0.0, snap.last_change - started)
    current = st.current
    if current is not None and status == "busy":
        manager["current_task"] = {
            "id": current.name, "type": "tree_search", "progress": current.progress,
            "started_at": iso(current.started_at),
        }
    items: list[Item] = [("agent_status", ctx.manager_id(), snap.last_change, manager)]
    for worker in snap.workers:
        state = _worker_state(ctx, worker)
        data: dict[str, Any] = {
            "agent_id": ctx.worker_id(worker),
            "name": f"Worker {worker.number}",
            "status": state,
            "session_id": ctx.session_id,
            "health": {"last_heartbeat": iso(worker.last_change)},
            "role": "worker",
            "folder": worker.folder,
        }
        if state == "busy":
            data["current_task"] = {"id": f"{worker.folder}@{iso(worker.runfile_mtime or worker.last_change)}",
                                    "type": "experiment",
                                    "started_at": iso(worker.runfile_mtime or worker.last_change)}
        when = worker.last_change
        if state == "idle" and worker.last_change is not None and ctx.now - worker.last_change > snap.timeout:
            when = worker.last_change + snap.timeout
        items.append(("agent_status", ctx.worker_id(worker), when, data))
    return items


def system_items(ctx: Context) -> list[Item]:
    items: list[Item] = []
    sid = ctx.session_id
    for stage in ctx.stages:
        items.append(("system_event", f"stage-started:{stage.name}", stage.started_at, {
            "event_type": "update", "severity": "info", "session_id": sid,
            "title": f"Started {stage.label}",
            "description": f"Up to {stage.max_iters} nodes in this stage.",
            "affected_services": ["tree_search"], "stage": stage.name,
        }))
        if stage.failed:
            items.append(("system_event", f"stage-failed:{stage.name}", stage.completed_at, {
                "event_type": "error", "severity": "error", "session_id": sid,
                "title": f"Stage {stage.main} failed: no working implementation",
                "description": (f"All {stage.total_nodes} of {stage.max_iters} attempts in {stage.label} were "
                                "buggy; upstream ends the run here."),
                "affected_services": ["tree_search"], "stage": stage.name,
            }))
    if ctx.status.finished:
        review = ctx.snap.review
        verdict = []
        if review and review.decision:
            verdict.append(f"reviewer decision: {review.decision}")
        if review and review.overall is not None:
            verdict.append(f"overall score {review.overall:g}")
        items.append(("system_event", "run-finished", review.mtime if review else ctx.snap.last_change, {
            "event_type": "update", "severity": "info", "session_id": sid,
            "title": "Run finished",
            "description": "The paper was written and reviewed" + (f" ({'; '.join(verdict)})." if verdict else "."),
            "affected_services": ["research_orchestrator"],
        }))
    if ctx.stalled and ctx.snap.last_change is not None:
        minutes = ctx.snap.timeout / 60
        items.append(("system_event", f"stalled:{iso(ctx.snap.last_change)}",
                      ctx.snap.last_change + ctx.snap.timeout, {
                          "event_type": "error", "severity": "warning", "session_id": sid,
                          "title": f"No progress for over {minutes:g} min",
                          "description": ("No file in the run folder changed for longer than the execution "
                                          f"timeout (exec.timeout = {ctx.snap.timeout:g} s); the run may have "
                                          f"stopped. Last change: {iso(ctx.snap.last_change)}."),
                          "affected_services": ["tree_search"],
                      }))
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
        data["assessment"] = {"status": "not_assessed", "frameworks": {}, "identified_issues": [],
                              "recommendations": []}
        data["metadata"] = {"assessed_by": None}
        if review is not None:
            data["note"] = "review_text.txt has no readable 'Ethical Concerns' field yet. " + REVIEWER_NOTE
        return ("ethical_assessment", ctx.session_id, review.mtime if review else ctx.started, data)
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
    data["metadata"] = {"assessed_by": "llm_reviewer", "assessed_at": iso(review.mtime)}
    if review.decision:
        data["reviewer_decision"] = review.decision
    return ("ethical_assessment", ctx.session_id, review.mtime, data)
