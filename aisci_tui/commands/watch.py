"""``aisci-tui watch PATH``: the dashboard on an AI-Scientist-v2 run folder, followed as it is written."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Callable
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from aisci_tui import exitcodes
from aisci_tui.commands.common import (
    CommandError,
    DisplayOptions,
    fail,
    failing_on_command_error,
    with_options,
)
from aisci_tui.commands.dashboard import (
    prepare_display,
    run_dashboard,
)
from aisci_tui.commands.recording import RecordOption, with_recording

if TYPE_CHECKING:
    from aisci_tui.protocol.models import Event
    from aisci_tui.settings import Settings
    from aisci_tui.sources.base import Notice
    from aisci_tui.tui.run.images import ImageSupport

HELP = """Watch AI-Scientist-v2 run folders in the dashboard, live.

PATH is a run folder (experiments/<date>_<idea>_attempt_<n>) or an
experiments/ folder. Given an experiments/ folder (or several paths), every
run in it is watched at once, each as its own research session: runs that
appear later join within seconds, runs that are removed are marked gone.
Enter on a session goes into it. --pick lists the runs instead and opens the
one chosen. Each run is shown through the same views as a live server
session, plus key 6: the search tree of each stage (best node ★, buggy ✖)
and the plots of the highlighted node. Nothing in the folders is modified.

    aisci-tui watch experiments/2025-06-12_09-13-56_my_idea_attempt_0
    aisci-tui watch experiments/
"""


class ImageMode(str, Enum):  # noqa: UP042  (a StrEnum would change what str() of a member gives)
    auto = "auto"
    blocks = "blocks"
    off = "off"


PollOption = Annotated[
    float,
    typer.Option(
        "--poll",
        metavar="S",
        min=0.05,
        max=3600.0,
        help="Look at the folder at least every S seconds (file notifications usually wake it sooner).",
    ),
]
ImagesOption = Annotated[
    ImageMode,
    typer.Option(
        "--images",
        help="Draw plots: auto (sixel, kitty or coloured blocks, as the terminal allows), "
        "blocks (always coloured half-cell blocks), off (describe them in words).",
    ),
]


def register(app: typer.Typer) -> None:
    app.command("watch", help=HELP, epilog=exitcodes.HELP)(watch)


def not_a_run(path: Path) -> str:
    """Why ``path`` cannot be watched, in one sentence."""
    if not path.exists():
        return f"{path} does not exist."
    if not path.is_dir():
        return (
            f"{path} is a file; give an AI-Scientist-v2 run folder "
            "(experiments/<date>_<idea>_attempt_<n>) or an experiments/ folder."
        )
    return (
        f"{path} is not an AI-Scientist-v2 run folder or experiments/ folder "
        "(it holds no idea.json, no logs/ and no run folders)."
    )


def resolve(path: Path) -> tuple[str, Path]:
    """(``"run"`` or ``"runs"``, absolute path); raises :class:`CommandError` (exit 2)."""
    from aisci_tui.sources.rundir import classify

    target = path.expanduser()
    kind = classify(target)
    if kind is None:
        raise CommandError(not_a_run(target), exitcodes.USAGE)
    return kind, target.resolve()


def pick_run(folder: Path, settings: Settings) -> Path | None:
    """The run to open from a folder of runs: the only one, or the one chosen in the list."""
    from aisci_tui.sources.rundir import find_runs
    from aisci_tui.tui.run.picker import RunPicker

    runs = find_runs(folder)
    if len(runs) == 1:
        return runs[0].path
    try:
        return RunPicker(folder, theme=settings.theme).run(mouse=settings.mouse)
    except KeyboardInterrupt:
        return None
    except Exception as exc:
        import logging

        logging.getLogger("aisci_tui").exception("the run list failed")
        fail(
            f"the run list stopped unexpectedly ({type(exc).__name__}); run with --log-file PATH for details.",
            exitcodes.ERROR,
        )


PickOption = Annotated[
    bool,
    typer.Option("--pick", help="For an experiments/ folder: list its runs and open the one chosen, instead of all."),
]


@with_options(display=DisplayOptions)
def watch(
    paths: Annotated[
        list[Path], typer.Argument(metavar="PATH...", show_default=False, help="Run folders, or experiments/ folders.")
    ],
    poll: PollOption = 1.0,
    pick: PickOption = False,
    images: ImagesOption = ImageMode.auto,
    record: RecordOption = None,
    display: DisplayOptions = DisplayOptions(),
) -> None:
    settings = prepare_display(display)
    with failing_on_command_error():
        targets = [resolve(path) for path in paths]
    from aisci_tui.tui.run.images import probe

    support = probe(images.value)  # asks the terminal, so before any app takes it over
    if len(targets) == 1 and (targets[0][0] == "run" or pick):
        kind, target = targets[0]
        run_dir = pick_run(target, settings) if kind == "runs" else target
        if run_dir is None:
            raise typer.Exit(exitcodes.OK)
        raise typer.Exit(watch_run(run_dir, settings, support, poll=poll, record=record))
    raise typer.Exit(watch_fleet(targets, settings, support, poll=poll, record=record))


def watch_fleet(
    targets: list[tuple[str, Path]], settings: Settings, support: ImageSupport, *, poll: float, record: Path | None
) -> int:
    """The dashboard on every run of the folders (and the runs) given, each its own session."""
    import os

    from aisci_tui.sources.rundir.fleet import FleetSource
    from aisci_tui.tui.run.apps import fleet_app

    folders = [t for kind, t in targets if kind == "runs"]
    runs = [t for kind, t in targets if kind == "run"]
    source = with_recording(FleetSource(folders, runs, poll_interval=poll), record)
    root = Path(os.path.commonpath([str(t) for _, t in targets]))
    return run_dashboard(
        lambda: fleet_app(source, root, settings=settings, images=support, handle_hangup=True), settings, source.aclose
    )


def watch_run(run_dir: Path, settings: Settings, support: ImageSupport, *, poll: float, record: Path | None) -> int:
    """Open the dashboard on ``run_dir``; returns the exit code."""
    from aisci_tui.sources.rundir import RunSource
    from aisci_tui.tui.run.apps import watch_app

    source = with_recording(RunSource(run_dir, poll_interval=poll), record)
    return run_dashboard(
        lambda: watch_app(source, run_dir, settings=settings, images=support, handle_hangup=True),
        settings,
        source.aclose,
    )


def run_feed_factory(path: Path, poll: float, history_size: int = 0) -> Callable[[], AsyncIterator[Event]]:
    """For ``serve --from-run``: check PATH now (one sentence and exit 2 if unusable), return the feed maker."""
    from aisci_tui.sources.rundir import find_runs
    from aisci_tui.sources.rundir.feed import run_feed

    with failing_on_command_error():
        kind, target = resolve(path)
    if kind == "runs":
        from aisci_tui.sources.rundir.fleet import FleetSource

        runs = find_runs(target)
        for run in runs:
            print(f"Publishing the run folder {run.path}.", file=sys.stderr, flush=True)
        print(
            f"Publishing every run in {target}, each as its own session; runs that appear later join.",
            file=sys.stderr,
            flush=True,
        )

        def make_fleet() -> AsyncIterator[Event]:
            return run_feed(
                target, history_size=history_size, on_notice=_warn, source=FleetSource([target], poll_interval=poll)
            )

        return make_fleet
    print(f"Publishing the run folder {target}.", file=sys.stderr, flush=True)

    def make() -> AsyncIterator[Event]:
        return run_feed(target, poll_interval=poll, history_size=history_size, on_notice=_warn)

    return make


def _warn(notice: Notice) -> None:
    from aisci_tui.textsafe import clean

    if notice.severity in ("warning", "error"):
        print(f"aisci-tui: {clean(notice.text, 500)}", file=sys.stderr, flush=True)
