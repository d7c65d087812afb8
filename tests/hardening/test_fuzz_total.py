"""The README's "10,000 fuzz cases in all": the cases the fuzz tests really ran, added up.

It runs after them on the same worker (one xdist group; files run in name order), so in a whole
run it always sees every part. Run on its own it has nothing to add up, and says so.
"""

from __future__ import annotations

import pytest

from tests.hardening.conftest import FUZZ_BUDGET, FUZZ_COUNTS, FUZZ_PARTS

pytestmark = pytest.mark.xdist_group("fuzz")


def test_the_fuzz_tests_ran_their_budget_of_cases():
    missing = [part for part in FUZZ_PARTS if part not in FUZZ_COUNTS]
    if missing:
        pytest.skip(f"run with the fuzz tests (no count yet for {', '.join(missing)})")
    ran = sum(FUZZ_COUNTS[part] for part in FUZZ_PARTS)
    assert ran >= FUZZ_BUDGET, f"the fuzz tests ran {ran} cases, fewer than {FUZZ_BUDGET}: {FUZZ_COUNTS}"
