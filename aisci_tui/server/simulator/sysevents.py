"""System events: maintenance windows, scaling, errors and updates."""

from __future__ import annotations

import random
from typing import Any

from aisci_tui.server.simulator.texts import MAINTENANCE_ACTIONS, SERVICES, SYSTEM_EVENTS
from aisci_tui.server.simulator.world import Stamp

HOUR = 3600.0
KINDS = ("maintenance", "scale", "error", "update")
KIND_WEIGHTS = (0.22, 0.3, 0.23, 0.25)


def system_payload(rng: random.Random, now: float, stamp: Stamp, sessions: list[str]) -> dict[str, Any]:
    kind = rng.choices(KINDS, KIND_WEIGHTS)[0]
    variants = SYSTEM_EVENTS[kind]
    index = rng.randrange(len(variants))
    if kind == "error" and index == 2 and rng.random() < 0.6:
        index = 0  # a scheduler crash is the rarest of errors
    title_t, desc_t = variants[index]
    a = rng.randint(4, 16)
    values = {
        "a": a,
        "b": a + rng.randint(2, 8),
        "n": rng.randint(1, 32),
        "k": rng.randint(1, 4),
        "s": rng.uniform(1.5, 6.0),
    }
    if kind == "update" and index == 1:
        values["n"] = rng.randint(500, 9000)
    data: dict[str, Any] = {
        "event_type": kind,
        "title": title_t.format(**values),
        "description": desc_t.format(**values),
        "affected_services": sorted(rng.sample(SERVICES, rng.randint(1, 3))),
    }
    if kind == "maintenance":
        lead = rng.uniform(1, 24) * HOUR
        data["severity"] = "warning" if lead < 6 * HOUR else "info"
        data["scheduled_time"] = stamp(now + lead)
        data["estimated_duration"] = rng.choice((900, 1800, 3600, 7200))
        data["actions_required"] = rng.sample(MAINTENANCE_ACTIONS, rng.randint(2, 3))
        data["alternatives"] = {
            "continue_offline": rng.random() < 0.6,
            "use_backup_agents": rng.random() < 0.4,
        }
    elif kind == "scale":
        data["severity"] = "info"
    elif kind == "error":
        data["severity"] = ("error", "warning", "critical")[index]
        data["estimated_duration"] = rng.choice((300, 600, 1200))
        if index == 0 and sessions:
            data["session_id"] = rng.choice(sessions)
    else:
        data["severity"] = "info"
    return data
