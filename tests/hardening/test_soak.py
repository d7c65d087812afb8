"""Longer runs of the fuzz and fault tests; not part of the default run (``pytest -m soak``).

Each takes minutes: 200,000 decoder cases with fresh randomness on every run,
and fifty SIGKILL/restart cycles of ``aisci-tui serve``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.hardening.test_faults import kill_and_restart
from tests.hardening.test_fuzz_decode import fuzz_generated, fuzz_guide

pytestmark = [pytest.mark.soak, pytest.mark.timeout(1800)]


def test_soak_decoder_fuzzing_with_fresh_randomness():
    assert fuzz_generated(100_000, derandomize=False) >= 95_000
    assert fuzz_guide(100_000, derandomize=False) >= 95_000


async def test_soak_fifty_server_restarts(tmp_path: Path):
    await kill_and_restart(tmp_path, 50, step=40)
