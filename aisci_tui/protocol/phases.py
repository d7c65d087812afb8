"""The phases of a research session, in order, as ``research_progress.current_phase`` names them.

The guide's example names ``experimentation``; the simulator walks the whole list, and the
dashboard draws a session's trail from it when the server sends no trail of its own.
"""

from __future__ import annotations

RESEARCH_PHASES = (
    "literature_review",
    "hypothesis_generation",
    "experiment_design",
    "experimentation",
    "analysis",
    "writing",
)
#: The phase a finished session reports.
DONE = "done"
