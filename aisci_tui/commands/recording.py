"""The ``--record FILE.jsonl`` option shared by the dashboard, ``watch`` and ``events``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from aisci_tui import exitcodes
from aisci_tui.commands.common import fail

if TYPE_CHECKING:
    from aisci_tui.sources.base import Source

RecordOption = Annotated[
    Path | None,
    typer.Option(
        "--record",
        metavar="FILE.jsonl",
        help="Append every event received, with its arrival time, to FILE.jsonl (created 0600, flushed as it "
        "goes) for `aisci-tui replay` or `aisci-tui events --from`.",
    ),
]


def with_recording(source: Source, record: Path | None) -> Source:
    """``source``, recorded to ``record`` when given; a file that cannot be written ends the command (exit 2)."""
    if record is None:
        return source
    from aisci_tui.sources.record import RecordingError, record_to

    try:
        return record_to(source, record)
    except RecordingError as exc:
        fail(str(exc), exitcodes.USAGE)
