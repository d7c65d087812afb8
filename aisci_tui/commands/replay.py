"""``aisci-tui replay FILE.jsonl``: play a recording through the dashboard (also the source of ``events --from``)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from aisci_tui import exitcodes
from aisci_tui.commands.common import (
    CommandError,
    DisplayOptions,
    failing_on_command_error,
    with_options,
)
from aisci_tui.commands.dashboard import (
    SessionOption,
    prepare_display,
    run_dashboard,
)
from aisci_tui.commands.watch import ImageMode, ImagesOption

if TYPE_CHECKING:
    from aisci_tui.sources.base import Source

HELP = """Play a recording (made with --record) through the dashboard.

Events arrive with the gaps they were recorded with, divided by --speed.
Keys: space pause/resume the replay, , and . one minute back/forward,
0 start, $ end, - and + half/double speed (p only freezes the screen).
Going back rebuilds the state from the start of the recording.

    aisci-tui replay session.jsonl --speed 10
"""

SpeedOption = Annotated[
    float, typer.Option("--speed", metavar="X", min=0.01, max=100000.0, help="Play X times faster than recorded.")
]
MaxGapOption = Annotated[
    float | None,
    typer.Option("--max-gap", metavar="S", min=0.0, help="Shorten quiet stretches longer than S seconds to S seconds."),
]


def register(app: typer.Typer) -> None:
    app.command("replay", help=HELP, epilog=exitcodes.HELP)(replay)


def check_recording(path: Path) -> Path:
    """``path`` if it is a readable file; raises :class:`CommandError` (exit 2) otherwise."""
    target = path.expanduser()
    if not target.exists():
        raise CommandError(f"The recording {target} does not exist.", exitcodes.USAGE)
    if not target.is_file():
        raise CommandError(f"The recording {target} is not a file.", exitcodes.USAGE)
    try:
        with open(target, "rb"):
            pass
    except OSError as exc:
        raise CommandError(
            f"Cannot read the recording {target}: {exc.strerror or type(exc).__name__}.", exitcodes.USAGE
        ) from None
    return target


def open_replay(
    path: Path,
    *,
    speed: float = math.inf,
    types: list[str] | None = None,
    session: str | None = None,
    stay_open: bool = False,
    max_gap: float | None = None,
) -> Source:
    """A recording as a source, optionally limited to some event types and one session.

    Raises :class:`CommandError` for a missing file or an unknown type.
    """
    from aisci_tui.protocol.models import EVENT_TYPES
    from aisci_tui.sources.replay import OnlySource, ReplaySource

    unknown = [t for t in types or [] if t not in EVENT_TYPES]
    if unknown:
        raise CommandError(f"Unknown event type {unknown[0]!r}; choose from {', '.join(EVENT_TYPES)}.", exitcodes.USAGE)
    source = ReplaySource(check_recording(path), speed, stay_open=stay_open, max_gap=max_gap)
    if not types and session is None:
        return source
    return OnlySource(source, frozenset(types or EVENT_TYPES), session)


@with_options(display=DisplayOptions)
def replay(
    file: Annotated[Path, typer.Argument(metavar="FILE", show_default=False, help="A recording made with --record.")],
    speed: SpeedOption = 1.0,
    max_gap: MaxGapOption = None,
    session: SessionOption = None,
    images: ImagesOption = ImageMode.auto,
    display: DisplayOptions = DisplayOptions(),
) -> None:
    settings = prepare_display(display)
    with failing_on_command_error():
        source = open_replay(file, speed=speed, stay_open=True, max_gap=max_gap)
    from aisci_tui.tui.run.apps import replay_app
    from aisci_tui.tui.run.images import probe

    support = probe(images.value)
    code = run_dashboard(
        lambda: replay_app(source, settings=settings, session_id=session, images=support, handle_hangup=True),
        settings,
        source.aclose,
    )
    raise typer.Exit(code)
