"""The dashboard app: one source in, five views out, keys from one table.

Data flows one way: a worker pumps the source into the store as fast as it
arrives; a timer at ``refresh_hz`` syncs the visible view only when the
store changed. The app never parses frames or talks to the network itself.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import ClassVar, cast

from rich.text import Text
from textual import events, on
from textual.app import App, ComposeResult
from textual.binding import BindingType
from textual.reactive import reactive
from textual.widgets import ContentSwitcher
from textual.worker import Worker, WorkerState

from aisci_tui.settings import Settings
from aisci_tui.sources.base import Ability, Notice, ReconnectableSource, Source, abilities_of
from aisci_tui.store import Store
from aisci_tui.store.overview import Overview
from aisci_tui.textsafe import clean
from aisci_tui.themes import load_themes, user_theme_dir
from aisci_tui.tui import toasts
from aisci_tui.tui.bindings import ALL_BINDINGS
from aisci_tui.tui.chrome import FilterInput, ViewTabs
from aisci_tui.tui.header import StatusLine, collect
from aisci_tui.tui.ingest import Pump, RenderGate
from aisci_tui.tui.liveness import Liveness, body_notice, why_reconnect_wont_help
from aisci_tui.tui.narrowing import Narrowing
from aisci_tui.tui.navigation import Navigation
from aisci_tui.tui.outputs import OutputActions
from aisci_tui.tui.palette import DashboardCommands, GoToCommands
from aisci_tui.tui.replaykeys import REPLAY_CONTROLS, ReplayKeys
from aisci_tui.tui.rowkeys import RowKeys
from aisci_tui.tui.screens import HelpRow, HelpScreen, TooSmallScreen, help_rows
from aisci_tui.tui.toastboard import Notifying, ToastBoard
from aisci_tui.tui.views.base import SessionChosen, StoreView, ViewContext
from aisci_tui.tui.widgets.corner import Corner
from aisci_tui.tui.widgets.footer import SteadyFooter
from aisci_tui.tui.widgets.notlive import NotLiveLine

log = logging.getLogger("aisci_tui.tui")

#: Below this size the dashboard shows "terminal too small" instead.
MIN_WIDTH = 60
MIN_HEIGHT = 16


#: How a person would say what a background job was doing.
_WORKER_WORDS = {"filters": "Changing the subscription", "reconnect": "Reconnecting"}


def _utc_now() -> datetime:
    return datetime.now(UTC)


class DashboardApp(Notifying, OutputActions, Navigation, ReplayKeys, RowKeys, App[int]):
    """The live dashboard over any :class:`~aisci_tui.sources.base.Source`."""

    CSS_PATH = "app.tcss"
    #: The display is paused: nothing is redrawn from the store until resumed (events still arrive).
    paused: reactive[bool] = reactive(False, init=False)
    TITLE = "aisci-tui"
    BINDINGS: ClassVar[list[BindingType]] = [*ALL_BINDINGS]
    COMMANDS = App.COMMANDS | {DashboardCommands, GoToCommands}
    AUTO_FOCUS = None  # the visible view gets focus, never the hidden filter line

    def __init__(
        self,
        source: Source,
        *,
        store: Store | None = None,
        settings: Settings | None = None,
        session_id: str | None = None,
        clock: Callable[[], datetime] | None = None,
        start_source: bool = True,
        views: Sequence[type[StoreView] | StoreView] | None = None,
        insecure: bool = False,
        naive_render: bool = False,
        handle_hangup: bool = False,
        overview: Overview | None = None,
    ) -> None:
        super().__init__()
        if views is None:
            from aisci_tui.tui.views import VIEWS

            views = VIEWS
        self.source = source
        self.settings = settings or Settings.model_construct()
        self.store = store or Store(self.settings.history.limits(), session_id=session_id)
        self.overview = overview or Overview()
        self.session_id = session_id
        self.clock = clock or _utc_now
        self.start_source = start_source
        self.view_classes = list(views)
        self.insecure = insecure
        self.naive_render = naive_render
        self.handle_hangup = handle_hangup
        self.gate = RenderGate()
        # a replay plays old events on purpose; elsewhere history sent on subscribe is not news
        is_fresh = None if Ability.SEEK in abilities_of(source) else self.store.live.is_live
        self.board = ToastBoard()
        self.toaster = toasts.Toaster(self._toast, lambda: self.paused, is_fresh=is_fresh)
        self.limiter = self.toaster.limiter
        self.pump = Pump(
            source,
            self.store,
            on_notice=self._on_notice,
            on_system=self.toaster.system,
            on_item=self._render_now if naive_render else None,
        )
        self.view_state: dict[str, dict[str, str]] = {cls.VIEW_ID: {} for cls in self.view_classes}
        self.narrowing = Narrowing(source, session_id)
        self._failed_views: set[str] = set()
        self._too_small: TooSmallScreen | None = None
        self._seen_at = self.clock()  # the last key press, or when the terminal lost focus
        self.liveness = Liveness()
        themes, self.theme_problems = load_themes([user_theme_dir()])
        for theme in themes.values():
            self.register_theme(theme)
        self.dashboard_themes = sorted(themes)

    # -- layout -------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield StatusLine(id="status")
        yield ViewTabs([(cls.VIEW_ID, cls.TITLE) for cls in self.view_classes], id="tabs")
        yield FilterInput(
            placeholder="filter rows (Enter keeps, Escape clears)", id="filter-input", classes="hidden", disabled=True
        )
        yield NotLiveLine(id="not-live", classes="hidden")
        self.views = {v.VIEW_ID: v(id=v.VIEW_ID) if isinstance(v, type) else v for v in self.view_classes}
        with ContentSwitcher(initial=self.view_classes[0].VIEW_ID, id="views"):
            yield from self.views.values()
        yield SteadyFooter(compact=True, show_command_palette=False)
        yield Corner(id="corner")

    def on_mount(self) -> None:
        self._status = self.query_one("#status", StatusLine)
        self._tabs = self.query_one("#tabs", ViewTabs)
        self._switcher = self.query_one("#views", ContentSwitcher)
        self._filter_box = self.query_one("#filter-input", FilterInput)
        self._not_live_box = self.query_one("#not-live", NotLiveLine)
        self.board.corner = self.query_one("#corner", Corner)
        if self.settings.theme in self.available_themes:
            self.theme = self.settings.theme
        if self.settings.keymap:
            self.set_keymap(self.settings.keymap)
        for problem in self.theme_problems:
            self.notify(clean(problem, 300), title="Theme skipped", severity="warning")
        self.set_interval(1 / self.settings.refresh_hz, self._tick, name="refresh")
        if self.start_source:
            self.run_worker(self.pump.run(), name="source", group="source", exit_on_error=False)
        if self.handle_hangup:
            try:
                asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, self._hangup)
            except (NotImplementedError, RuntimeError, ValueError):
                pass
        self._check_size()
        self._tick()
        self.call_after_refresh(self._focus_view)

    def _focus_view(self) -> None:
        """Focus the visible view, or its first focusable part (its table)."""
        view = self.current_view
        if view.focusable:
            view.focus()
            return
        for widget in view.query("*"):
            if widget.focusable:
                widget.focus()
                return

    @property
    def current_view(self) -> StoreView:
        return self.views[self._switcher.current or self.view_classes[0].VIEW_ID]

    def context(self) -> ViewContext:
        return ViewContext(
            session_id=self.session_id,
            now=self.liveness.clock(self.clock()),
            refresh_hz=self.settings.refresh_hz,
            overview=self.overview,
            liveness=self.liveness,
        )

    # -- rendering ----------------------------------------------------------------

    def _tick(self) -> None:
        """Timer: refresh the header, and the view if the store changed since the last sync."""
        self._check_size()
        self._refresh_header()
        self._check_live()
        tick = self.gate.check(self.store.version)
        if tick.sync:
            self._sync_view(tick.full)
        if self.current_view.behind():  # rows a paced sync left for later, for a bounded time
            self._sync_view(False, catch_up=True)
        elif not self.paused:  # a hidden view builds rows it has not seen, a slice a tick
            ctx = self.context()
            next((v for v in self.views.values() if v is not self.current_view and v.warm(self.store, ctx, 0.01)), None)
        self.toaster.flush()
        self.board.tick()

    def _render_now(self) -> None:
        """Per-event rendering (``--naive-render``), for comparing against the coalesced path."""
        tick = self.gate.check(self.store.version)
        if tick.sync:
            self._sync_view(tick.full)
            self._refresh_header()

    def _sync_view(self, full: bool, *, catch_up: bool = False) -> None:
        """Sync the visible view (paced: rows out of view may follow on the next ticks)."""
        view = self.current_view
        try:
            with self.batch_update():
                if catch_up:
                    view.catch_up()
                else:
                    changes, ctx = self.store.take_changes(), self.context()
                    self.overview.update(self.store, changes, ctx.now)
                    view.sync(self.store, changes, ctx, full=full, paced=True)
            self._update_tabs()  # the title's counts
        except Exception as exc:
            log.exception("the %s view failed to update", view.VIEW_ID)
            if view.VIEW_ID not in self._failed_views:
                self._failed_views.add(view.VIEW_ID)
                self.notify(
                    f"The {view.TITLE} view could not update ({type(exc).__name__}); details are in the log file.",
                    title="Display problem",
                    severity="error",
                )

    def _refresh_header(self) -> None:
        self._status.show(
            collect(self.store, self.source.label, self.session_id, paused=self.paused, insecure=self.insecure)
        )

    def _check_live(self) -> None:
        """Dim the views and say so in the body while not live (or after a fatal error)."""
        conn = self.store.connection
        if self.liveness.update(conn, self.clock()) | self.store.resync():
            self.gate.request_full()  # (after a reconnection's grace: what did not come back shows so)
        box = getattr(self, "_not_live_box", None)
        if box is not None:
            self._switcher.set_class(box.show(body_notice(conn, self.liveness)), "-not-live")

    def _update_tabs(self) -> None:
        """The tab strip's state words, derived from the view's raw filter, status filter and sort."""
        view = self.current_view
        view_id = view.VIEW_ID
        state = self.view_state.get(view_id, {})
        words = [
            view.counts(),
            f"filter: {state['text']}" if state.get("text") else "",
            *(state.get(k, "") for k in ("filter", "sort")),
        ]
        self._tabs.set_current(view_id, " · ".join(w for w in words if w and w != "all"))

    # -- the / filter line ----------------------------------------------------------

    # -- source events ------------------------------------------------------------

    def _on_notice(self, notice: Notice) -> None:
        if notice.details.get("replay") == "reset":
            self._start_over(notice)
        self.toaster.notice(notice)

    def _toast(self, offered: toasts.Toast) -> None:
        toast = toasts.for_screen(offered, *self.size)
        if toast is None:
            return
        self.notify(
            toast.message,
            title=toast.title,
            severity=toast.severity,  # type: ignore[arg-type]
            timeout=toast.timeout,
            markup=False,
        )
        if toast.bell:
            self.bell()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Every worker failure ends here: logged, told to the user, and the app stays up."""
        worker = event.worker
        if event.state == WorkerState.ERROR:
            error = worker.error
            reason = clean(str(error), 200) if error is not None and str(error) else type(error).__name__
            log.error("worker %s failed: %s", worker.name, reason, exc_info=error)
            if worker.name == "source":
                text = f"The event source stopped: {reason}"
                self.store.note(Notice("error", text=text, severity="error", fatal=True))
                self.notify(text, title="Source failed", severity="error", timeout=0, markup=False)
            else:
                what = _WORKER_WORDS.get(worker.name, worker.name)
                self.notify(f"{what} failed: {reason}", title="Problem", severity="error", markup=False)
        elif event.state == WorkerState.SUCCESS and worker.name == "source":
            if self.store.connection.fatal is None:
                self.store.note(Notice("info", text=f"{clean(self.source.label, 80)}: no more events."))
                self.notify(
                    "The source has no more events; what was received stays on screen.",
                    title="Source ended",
                    markup=False,
                )
        self._refresh_header()

    def _handle_exception(self, error: Exception) -> None:
        """An unexpected error in the app itself: logged in full, told in one sentence, no traceback."""
        log.error("internal error in the dashboard", exc_info=error)
        if self.is_headless:  # under test: keep Textual's behaviour so the test sees the error
            super()._handle_exception(error)
            return
        self._return_code = 1
        self.panic(
            Text(
                f"aisci-tui stopped after an internal error ({type(error).__name__}); "
                "run with --log-file PATH to record the details."
            )
        )

    def _hangup(self) -> None:
        self.exit(self.return_code or 0)

    # -- sizes --------------------------------------------------------------------

    def on_resize(self, event: events.Resize) -> None:
        self.gate.request_full()
        self._check_size()

    def _check_size(self) -> None:
        width, height = self.size
        small = width < MIN_WIDTH or height < MIN_HEIGHT
        if small and self._too_small is None:
            self._too_small = TooSmallScreen(MIN_WIDTH, MIN_HEIGHT)
            self.push_screen(self._too_small)
        elif not small and self._too_small is not None:
            screen, self._too_small = self._too_small, None
            if self.screen is screen:
                self.pop_screen()

    # -- actions ------------------------------------------------------------------

    def action_show_view(self, view_id: str) -> None:
        switcher = self._switcher
        if view_id not in self.view_state or switcher.current == view_id:
            return
        switcher.current = view_id
        self.refresh_bindings()
        self._filter_box.close()
        self._focus_view()
        self._update_tabs()
        self.gate.request_full()
        if self.paused:
            self._sync_view(full=True)  # the newly shown view starts from the store as it is now
        self._tick()
        self._apply_server_filters()

    @on(ViewTabs.Chosen)
    def _tab_clicked(self, message: ViewTabs.Chosen) -> None:
        self.action_show_view(message.view_id)

    def action_toggle_pause(self) -> None:
        self.paused = not self.paused

    def watch_paused(self, paused: bool) -> None:
        """The one pause: the render gate holds syncs back and the status line keeps its values."""
        self.gate.pause(paused)
        self._status.freeze(paused)
        self._tick()

    def _start_over(self, notice: Notice) -> None:
        """A replay went back in time: continue from an empty store (same limits and session)."""
        old = self.store
        fresh = Store(old.limits, session_id=old.session_id, clock=old.clock)
        fresh.connection = old.connection
        fresh.source_dedupes = old.source_dedupes
        fresh.note(notice)
        self.store = self.pump.store = fresh
        self.gate.request_full()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Hide the tree key without a tree view, and the replay keys unless the source is a replay."""
        if action == "show_view" and parameters and parameters[0] not in self.view_state:
            return False
        if action.startswith("replay_"):
            return REPLAY_CONTROLS.get(action) in abilities_of(self.source)
        # not in the footer, the help screen or the palette where it would do nothing
        return not hasattr(self, "_switcher") or self.current_view.offers(action)

    def action_reconnect(self) -> None:
        if self.store.connection.fatal:
            self.notify(why_reconnect_wont_help(self.store.connection.fatal), markup=False, severity="warning")
        elif Ability.RECONNECT in abilities_of(self.source):
            source = cast(ReconnectableSource, self.source)  # it has the ability
            self.run_worker(
                source.reconnect_now(), name="reconnect", group="reconnect", exclusive=True, exit_on_error=False
            )
            self.notify("Reconnecting now.", markup=False)
        else:
            self.notify(f"{clean(self.source.label, 80)} cannot reconnect.", markup=False)

    def on_session_chosen(self, message: SessionChosen) -> None:
        self.session_id = message.session_id
        self.gate.request_full()
        self._apply_server_filters()
        self._tick()

    def _apply_server_filters(self) -> None:
        """Narrow the subscription to what the visible view's filter can say server-side."""
        view = self.current_view
        job = self.narrowing.update(view.EVENT_TYPES, view.server_filters(), self.session_id)
        if job is not None:
            self.run_worker(job, name="filters", group="filters", exclusive=True, exit_on_error=False)

    def action_use_theme(self, name: str) -> None:
        if name in self.available_themes:
            self.theme = name

    def action_help(self) -> None:
        self.push_screen(
            HelpScreen(self.help_rows(), config_hint="Keys can be remapped in the [keymap] table of config.toml.")
        )

    def help_rows(self) -> list[HelpRow]:
        """Every active key of the main screen, from the binding tables (keymap applied)."""
        return help_rows(self, self.screen.active_bindings, order=[b.id for b in ALL_BINDINGS])
