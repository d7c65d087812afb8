"""Garbage-collector and allocator settings for commands that ingest a stream.

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
    return old


def untune(old: tuple[int, int, int]) -> None:
    """Undo :func:`tune_for_ingest` (for callers that run more than one thing in a process)."""
    gc.set_threshold(*old)
    gc.unfreeze()


#: glibc's mallopt parameter number for the mmap threshold.
_M_MMAP_THRESHOLD = -3
#: Blocks this large or larger get their own mapping, returned to the system when freed.
MMAP_THRESHOLD = 128 * 1024


def steady_heap() -> bool:
    """Keep glibc's mmap threshold fixed at its default (128 KiB); True if it was set.

    glibc raises the threshold each time a mapped block is freed, so a
    long-running process that now and then replaces a large table (the
    de-duplication set of 200,000 ids is 8 MB) moves those tables into the
    heap, where a freed one is rarely returned to the system: resident memory
    steps up by the table's size a few times before it settles. With the
    threshold fixed, large blocks stay mapped and go back when freed. Does
    nothing where the C library is not glibc.
    """
    import ctypes
    import ctypes.util
    import platform

    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        return bool(libc.mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD))
    except (OSError, AttributeError):
        return False
