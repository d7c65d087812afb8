"""Process settings the ingesting commands apply: collector thresholds and a steady heap."""

from __future__ import annotations

import gc
import platform
import subprocess
import sys

import pytest

from aisci_tui.client.gctune import INGEST_THRESHOLDS, tune_for_ingest, untune

# A de-duplication window of 200,000 ids fed 1.6 million new ids, RSS read every 200,000.
CHURN = """
import sys
from aisci_tui.client.gctune import steady_heap
from aisci_tui.store.dedupe import SeenIds
def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096 / 2**20
if sys.argv[1] == "steady":
    assert steady_heap()
seen = SeenIds(200_000)
marks = []
for i in range(1_600_000):
    seen.add(f"msg-{i:09d}")
    if i % 200_000 == 0:
        marks.append(rss())
print(max(marks[1:]) - marks[1])
"""


def test_tuning_for_ingest_is_undone_by_untune():
    before = gc.get_threshold()
    old = tune_for_ingest()
    try:
        assert gc.get_threshold() == INGEST_THRESHOLDS and gc.get_freeze_count() > 0
    finally:
        untune(old)
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0


def growth(mode: str) -> float:
    out = subprocess.run([sys.executable, "-c", CHURN, mode], capture_output=True, text=True, check=True, timeout=60)
    return float(out.stdout)


@pytest.mark.skipif(platform.system() != "Linux" or platform.libc_ver()[0] != "glibc", reason="glibc only")
def test_a_steady_heap_keeps_a_churning_id_window_from_stepping_up():
    # glibc's moving mmap threshold lets the window's 8 MB table land in the heap after a rehash
    assert growth("plain") >= 6
    assert growth("steady") < 2
