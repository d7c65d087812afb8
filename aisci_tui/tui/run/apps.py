"""The dashboard set up for a run folder (``watch``) or a recording (``replay``): the usual five views plus Tree."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from aisci_tui.settings import Settings
from aisci_tui.sources.base import Source
from aisci_tui.store import Store
from aisci_tui.tui.app import DashboardApp
from aisci_tui.tui.run.images import TEXT_ONLY, ImageSupport
from aisci_tui.tui.run.view import dashboard_views


def watch_app(
    source: Source,
    run_dir: Path,
    *,
    settings: Settings | None = None,
    images: ImageSupport = TEXT_ONLY,
    clock: Callable[[], datetime] | None = None,
    store: Store | None = None,
    handle_hangup: bool = False,
) -> DashboardApp:
    """The dashboard on one run folder: scoped to the run, plots read only from inside it."""
    return _dashboard(source, run_dir, run_dir.name, settings, images, clock, store, handle_hangup)


def fleet_app(
    source: Source,
    root: Path,
    *,
    settings: Settings | None = None,
    images: ImageSupport = TEXT_ONLY,
    clock: Callable[[], datetime] | None = None,
    store: Store | None = None,
    handle_hangup: bool = False,
) -> DashboardApp:
    """The dashboard on many run folders: every run a session, plots read only from under ``root``."""
    return _dashboard(source, root, None, settings, images, clock, store, handle_hangup)


def replay_app(
    source: Source,
    *,
    settings: Settings | None = None,
    session_id: str | None = None,
    images: ImageSupport = TEXT_ONLY,
    clock: Callable[[], datetime] | None = None,
    store: Store | None = None,
    handle_hangup: bool = False,
) -> DashboardApp:
    """The dashboard on a recording, with the replay keys (the source has the controls)."""
    return _dashboard(source, None, session_id, settings, images, clock, store, handle_hangup)


def _dashboard(
    source: Source,
    plot_root: Path | None,
    session_id: str | None,
    settings: Settings | None,
    images: ImageSupport,
    clock: Callable[[], datetime] | None,
    store: Store | None,
    handle_hangup: bool,
) -> DashboardApp:
    return DashboardApp(
        source,
        settings=settings,
        store=store,
        session_id=session_id,
        clock=clock,
        views=dashboard_views(images, plot_root),
        handle_hangup=handle_hangup,
    )
