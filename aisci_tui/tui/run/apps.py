"""The dashboard set up for a run folder (``watch``) or a recording (``replay``): the usual five views plus Tree."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TypedDict, Unpack

from aisci_tui.settings import Settings
from aisci_tui.sources.base import Source
from aisci_tui.store import Store
from aisci_tui.tui.app import DashboardApp
from aisci_tui.tui.run.images import TEXT_ONLY, ImageSupport
from aisci_tui.tui.run.view import dashboard_views


class AppOptions(TypedDict, total=False):
    """What the three run dashboards take besides their source (all optional)."""

    settings: Settings | None
    images: ImageSupport
    clock: Callable[[], datetime] | None
    store: Store | None
    #: Quit cleanly when the terminal hangs up (the commands set it; tests leave it off).
    handle_hangup: bool


def watch_app(source: Source, run_dir: Path, **options: Unpack[AppOptions]) -> DashboardApp:
    """The dashboard on one run folder: scoped to the run, plots read only from inside it."""
    return _dashboard(source, run_dir, run_dir.name, options)


def fleet_app(source: Source, root: Path, **options: Unpack[AppOptions]) -> DashboardApp:
    """The dashboard on many run folders: every run a session, plots read only from under ``root``."""
    return _dashboard(source, root, None, options)


def replay_app(source: Source, *, session_id: str | None = None, **options: Unpack[AppOptions]) -> DashboardApp:
    """The dashboard on a recording, with the replay keys (the source has the controls)."""
    return _dashboard(source, None, session_id, options)


def _dashboard(source: Source, plot_root: Path | None, session_id: str | None, options: AppOptions) -> DashboardApp:
    return DashboardApp(
        source,
        settings=options.get("settings"),
        store=options.get("store"),
        session_id=session_id,
        clock=options.get("clock"),
        views=dashboard_views(options.get("images", TEXT_ONLY), plot_root),
        handle_hangup=options.get("handle_hangup", False),
    )
