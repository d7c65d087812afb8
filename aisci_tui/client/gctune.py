"""Garbage-collector settings for commands that ingest a stream.

Every event allocates dozens of container objects; with Python's default
gen-0 threshold (700) the collector then runs every few events and rescans
the young generations, objects waiting in the client's queue included.
Freezing what start-up created (modules, settings, the app's widgets) and
collecting gen 0 every 50,000 allocations instead keeps that cost small.
Nothing becomes uncollectable: reference cycles are still found, later.
"""

from __future__ import annotations

import gc

#: (gen 0, gen 1, gen 2) thresholds for ingesting commands.
INGEST_THRESHOLDS = (50_000, 50, 100)


def tune_for_ingest() -> tuple[int, int, int]:
    """Freeze the objects alive now and raise the thresholds; returns the previous thresholds."""
    old = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(*INGEST_THRESHOLDS)
    return old  # type: ignore[return-value]


def untune(old: tuple[int, int, int]) -> None:
    """Undo :func:`tune_for_ingest` (for callers that run more than one thing in a process)."""
    gc.set_threshold(*old)
    gc.unfreeze()
