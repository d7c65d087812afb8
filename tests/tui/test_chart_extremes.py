"""Charts of values a server may send: huge, tiny, equal. Found by the dashboard fuzz test (the
research view failed to draw with ZeroDivisionError on a metric of 1e17)."""

from __future__ import annotations

import pytest

from aisci_tui.tui.widgets.plot import Chart, Series


@pytest.mark.parametrize(
    "points",
    [
        [(1.0, 1e17), (2.0, 1e17)],  # equal huge values: widening by ±0.5 changes nothing
        [(1e17, 0.5), (1e17, 0.7)],  # equal huge steps
        [(1.0, -1e308), (2.0, 1e308)],  # a span that overflows to infinity
        [(1.0, 5e-324), (2.0, 5e-324)],
        [(1.0, 0.2), (2.0, 0.9)],  # an ordinary one
    ],
)
def test_a_chart_of_extreme_values_renders_lines(points):
    lines = Chart([Series("metric", points)]).render(40, 10)
    assert lines and all(line.cell_len <= 40 for line in lines)
