"""Experiment payloads: a title at launch, results (or a failure) at the end."""

from __future__ import annotations

import math
import random
import re
from dataclasses import dataclass
from typing import Any

from aisci_tui.server.simulator.texts import EXPERIMENT_TITLES, FAILURES, FINDINGS, PARTIAL, SUMMARIES, VIZ, Topic
from aisci_tui.server.simulator.world import Agent, Session, Stamp, clamp, short_id

BASE_URL = "https://api.ai-scientist.com"


@dataclass(slots=True)
class Experiment:
    id: str
    session_id: str
    agent_id: str
    title: str
    dataset: str
    started: float
    duration: float


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")[:40]


def experiment_title(rng: random.Random, topic: Topic) -> tuple[str, str]:
    dataset = rng.choice(topic.datasets)
    title = rng.choice(EXPERIMENT_TITLES).format(
        method=topic.method[0].upper() + topic.method[1:],
        baseline=rng.choice(topic.baselines),
        dataset=dataset,
        component=rng.choice(topic.components),
        hparam=rng.choice(topic.hparams),
        ood=rng.choice(topic.ood),
    )
    return title, dataset


def new_experiment(
    rng: random.Random, session: Session, agent: Agent, now: float, durations: tuple[float, float], *, ended: bool
) -> Experiment:
    """An experiment of ``session`` run by ``agent``, titled from the session's topic, lasting a
    random time in ``durations``: starting ``now``, or ``ended`` now."""
    title, dataset = experiment_title(rng, session.topic)
    duration = rng.uniform(*durations)
    return Experiment(
        id=short_id(rng, "exp"),
        session_id=session.id,
        agent_id=agent.id,
        title=title,
        dataset=dataset,
        started=now - duration if ended else now,
        duration=duration,
    )


def _metrics(rng: random.Random) -> dict[str, Any]:
    accuracy = rng.uniform(0.58, 0.97)
    n = rng.choice((500, 1000, 2500, 5000, 10000, 50000))
    half = min(0.2, 1.96 * math.sqrt(accuracy * (1 - accuracy) / n) * rng.uniform(1.0, 3.0))
    return {
        "accuracy": round(accuracy, 4),
        "confidence_interval": [round(clamp(accuracy - half), 4), round(clamp(accuracy + half), 4)],
        "sample_size": n,
        "effect_size": round(rng.uniform(0.05, 1.2), 3),
    }


def _findings(rng: random.Random, topic: Topic, exp: Experiment, metrics: dict[str, Any]) -> list[str]:
    acc = metrics["accuracy"]
    delta = rng.uniform(0.3, 6.0)
    values = {
        "method": topic.method,
        "baseline": rng.choice(topic.baselines),
        "dataset": exp.dataset,
        "component": rng.choice(topic.components),
        "ood": rng.choice(topic.ood),
        "acc": acc,
        "base": acc - delta / 100,
        "delta": delta,
        "effect": metrics["effect_size"],
        "n": metrics["sample_size"],
        "p": 10 ** rng.uniform(-5, -1.4),
        "k": rng.choice((3, 5, 10)),
        "drop": rng.uniform(0.5, 4.0),
        "small": delta * rng.uniform(0.1, 0.6),
        "ece0": rng.uniform(0.05, 0.15),
        "ece1": rng.uniform(0.01, 0.05),
        "sd": rng.uniform(0.002, 0.02),
        "cost": rng.uniform(1.05, 2.5),
    }
    picks = rng.sample(FINDINGS, rng.randint(2, 4))
    return [p.format(**values) for p in picks]


def results_payload(
    rng: random.Random, topic: Topic, exp: Experiment, now: float, stamp: Stamp, status: str
) -> dict[str, Any]:
    """The ``experiment_results`` data for an experiment that ended at ``now``."""
    metrics = _metrics(rng)
    values = {
        "method": topic.method,
        "baseline": rng.choice(topic.baselines),
        "dataset": exp.dataset,
        "title": exp.title,
        "acc": metrics["accuracy"],
        "delta": rng.uniform(0.3, 6.0),
        "k": rng.choice((3, 5)),
        "lo": metrics["confidence_interval"][0],
        "hi": metrics["confidence_interval"][1],
    }
    if status == "failed":
        summary_t, finding_ts = rng.choice(FAILURES)
        bs = rng.choice((64, 128, 256, 512))
        total = rng.choice((8, 16, 32))
        seq = rng.choice((512, 1024, 2048))
        fvals = {
            "step": rng.randint(800, 40000),
            "grad": rng.uniform(50, 5000),
            "lr": rng.choice(("1e-4", "3e-5", "5e-5")),
            "bs": bs,
            "half": bs // 2,
            "mem": rng.uniform(39.0, 40.0),
            "mins": rng.choice((30, 45, 60)),
            "dataset": exp.dataset,
            "done": rng.randint(1, total - 1),
            "total": total,
            "seq": seq,
            "seq2": seq + 1,
        }
        summary = summary_t.format(**fvals)
        findings = [f.format(**fvals) for f in finding_ts]
        metrics = {"sample_size": metrics["sample_size"]}
        visualizations: list[dict[str, Any]] = []
    else:
        summary = rng.choice(SUMMARIES).format(**values)
        summary = summary[0].upper() + summary[1:]
        findings = _findings(rng, topic, exp, metrics)
        if status == "partial":
            total = rng.choice((5, 10))
            summary = PARTIAL.format(k=rng.randint(1, total - 1), total=total) + " " + summary
        visualizations = []
        for kind, title, desc in rng.sample(VIZ, rng.randint(1, 3)):
            title = title.format(hparam=rng.choice(topic.hparams))
            visualizations.append(
                {
                    "type": kind,
                    "title": title,
                    "url": f"{BASE_URL}/viz/{exp.id}/{_slug(title)}.png",
                    "description": desc,
                }
            )
    rows = int(metrics["sample_size"] * rng.uniform(1.0, 3.0))
    cores = rng.choice((4, 8, 16))
    gpu = rng.randint(35, 98) if status != "failed" else rng.randint(0, 60)
    return {
        "experiment_id": exp.id,
        "session_id": exp.session_id,
        "title": exp.title,
        "status": status,
        "results": {
            "summary": summary,
            "key_findings": findings,
            "metrics": metrics,
            "visualizations": visualizations,
            "data": {
                "raw_data_url": f"{BASE_URL}/data/{exp.id}_raw.csv",
                "processed_data_url": f"{BASE_URL}/data/{exp.id}_processed.json",
                "metadata": {
                    "columns": list(topic.columns),
                    "rows": rows,
                    "file_size": f"{rows * len(topic.columns) * 9 / 1e6:.1f}MB",
                },
            },
        },
        "execution": {
            "duration": int(round(now - exp.started)),
            "started_at": stamp(exp.started),
            "completed_at": stamp(now),
            "agent_id": exp.agent_id,
            "computing_resources": {
                "cpu_time": int((now - exp.started) * cores * rng.uniform(0.5, 0.95)),
                "memory_peak": f"{rng.uniform(2.0, 38.0):.1f}GB",
                "gpu_usage": f"{gpu}%",
            },
        },
        "quality_metrics": {
            "data_quality_score": round(rng.uniform(0.7, 0.99), 3),
            "methodology_score": round(rng.uniform(0.65 if status == "failed" else 0.75, 0.98), 3),
            "reproducibility_score": round(rng.uniform(0.6, 0.99), 3),
        },
    }
