"""The run-folder bridge survives permission errors (the gap left by tests/bridge, which covers
half-written JSON, deleted files and folders, FIFOs, symlink loops and a vanishing run folder).

Root ignores file modes, so under root the reader runs in a child process whose
capability bounding set lacks CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH: the
kernel then refuses it exactly as it refuses any other user.
"""

from __future__ import annotations

import ctypes
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.bridge.runwriter import mid_run
from tests.hardening.conftest import clean_env

READER = """
import json, sys
from aisci_tui.sources.rundir import RunReader

reader = RunReader(sys.argv[1])

def report():
    events = reader.scan()
    print(json.dumps({
        "experiments": sorted(e.data.experiment_id for e in events if e.type == "experiment_results"),
        "notices": [n.text for n in reader.take_notices()],
        "problems": sorted(reader.problems.values()),
    }), flush=True)

report()
sys.stdin.readline()
report()
"""


def _without_dac_override() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
        if libc.prctl(24, cap, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            raise OSError(ctypes.get_errno(), "cannot drop a capability")


def test_unreadable_files_and_folders_are_reported_and_read_once_allowed(tmp_path: Path):
    if sys.platform != "linux":
        pytest.skip("needs Linux permissions and capabilities")
    run = mid_run(tmp_path)
    s1, s2 = run.stages[0], run.stages[1]
    locked = [s2.path / "journal.json", s1.path, run.path / "idea.json"]
    for path in locked:
        path.chmod(0)
    preexec = _without_dac_override if os.geteuid() == 0 else None
    child = subprocess.Popen(
        [sys.executable, "-c", READER, str(run.path)],
        env=clean_env(),
        text=True,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=preexec,
    )
    try:
        assert child.stdout is not None and child.stdin is not None
        first = json.loads(child.stdout.readline() or "{}")
        locked[0].chmod(0o644)
        locked[1].chmod(0o755)
        locked[2].chmod(0o644)
        child.stdin.write("go\n")
        child.stdin.flush()
        second = json.loads(child.stdout.readline() or "{}")
        _, err = child.communicate(timeout=30)
    finally:
        for path in locked:
            path.chmod(0o755 if path.is_dir() else 0o644)
        if child.poll() is None:
            child.kill()
    assert child.returncode == 0 and "Traceback" not in err, err[-2000:]
    assert first, "the first scan reported"
    said = " ".join(first["notices"] + first["problems"])
    assert "Permission denied" in said, f"the refusal is named: {said[:500]}"
    # an experiment is a node id; stage 2's node 0 is stage 1's best under the same id
    only_s1 = {n["id"] for n in s1.nodes}
    only_s2 = {n["id"] for n in s2.nodes} - only_s1
    assert only_s2 and not only_s2 & set(first["experiments"]), "nothing made up for an unreadable journal"
    assert second["problems"] == [], "once readable, the problems are gone"
    assert only_s2 & set(second["experiments"]) and only_s1 & set(second["experiments"]), (
        "both stages are read once allowed"
    )
