"""Ethical assessments: six weighted frameworks, a derived status, issues."""

from __future__ import annotations

import random
from typing import Any

from aisci_tui.protocol.models import FRAMEWORKS
from aisci_tui.server.simulator.texts import FRAMEWORK_TEXT, ISSUES, RECOMMENDATIONS
from aisci_tui.server.simulator.world import Stamp, clamp

DAY = 86400.0


def status_for(score: float) -> str:
    if score >= 0.8:
        return "compliant"
    if score >= 0.6:
        return "review_required"
    return "non_compliant"


def weights(rng: random.Random) -> list[float]:
    """Six weights in hundredths, each at least 0.05, summing to exactly 1.00."""
    cuts = sorted(rng.randint(0, 70) for _ in range(5))
    parts = [b - a for a, b in zip([0, *cuts], [*cuts, 70], strict=True)]
    return [(5 + p) / 100 for p in parts]


def assessment_payload(
    rng: random.Random,
    resource_id: str,
    resource_type: str,
    session_id: str | None,
    now: float,
    stamp: Stamp,
    risk: float = 0.0,
) -> dict[str, Any]:
    quality = rng.uniform(0.55, 0.97) - risk
    frameworks: dict[str, Any] = {}
    total = 0.0
    for name, weight in zip(FRAMEWORKS, weights(rng), strict=True):
        score = round(clamp(quality + rng.gauss(0, 0.06), 0.2, 1.0), 2)
        total += weight * score
        good, fair, poor = FRAMEWORK_TEXT[name]
        text = good if score >= 0.8 else fair if score >= 0.6 else poor
        frameworks[name] = {"score": score, "weight": weight, "assessment": text}
    overall = round(total, 2)
    status = status_for(overall)
    n_issues = {"compliant": rng.randint(0, 1), "review_required": rng.randint(1, 2)}.get(status, rng.randint(2, 3))
    severities = {"compliant": ("low",), "review_required": ("low", "medium")}.get(status, ("medium", "high"))
    issues = []
    for category in rng.sample(sorted(ISSUES), n_issues):
        description, recommendation, fixable = rng.choice(ISSUES[category])
        issues.append(
            {
                "severity": rng.choice(severities),
                "category": category,
                "description": description,
                "recommendation": recommendation,
                "auto_fixable": fixable,
            }
        )
    review = status != "compliant"
    assessment: dict[str, Any] = {
        "overall_score": overall,
        "status": status,
        "confidence": round(rng.uniform(0.7, 0.98), 2),
        "frameworks": frameworks,
        "identified_issues": issues,
        "recommendations": rng.sample(RECOMMENDATIONS, rng.randint(2, 3)),
        "human_review_required": review,
        "auto_approved": not review,
    }
    if review:
        assessment["review_deadline"] = stamp(now + rng.choice((3, 5, 7)) * DAY)
    data: dict[str, Any] = {
        "resource_id": resource_id,
        "resource_type": resource_type,
        "assessment": assessment,
        "metadata": {
            "assessed_by": "ethical_framework_agent",
            "assessment_version": "2.1",
            "assessment_duration": rng.randint(8, 90),
            "assessed_at": stamp(now),
        },
    }
    if session_id is not None:
        data["session_id"] = session_id
    return data
