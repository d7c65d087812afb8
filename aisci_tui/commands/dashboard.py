"""The dashboard: ``aisci-tui [--session ID] [--url URL]`` and ``aisci-tui demo``.

Both build a source and hand it to :func:`run_dashboard`; any other source
(a recording, a run folder) can be shown the same way. Textual, the client
and the server are imported inside the command bodies so ``--help`` is fast.
"""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from aisci_tui import exitcodes
from aisci_tui.commands.common import (
    AccessOptions,
    ConnectionOptions,
    DisplayOptions,
    MaxAttemptsOption,
    ProfileOption,
    UrlOption,
    fail,
    failing_on_command_error,
    with_options,
)
from aisci_tui.commands.recording import RecordOption, with_recording
from aisci_tui.textsafe import clean

if TYPE_CHECKING:
    from aisci_tui.settings import Settings
    from aisci_tui.sources.base import Source
    from aisci_tui.tui.app import DashboardApp

HELP = """Watch AI-Scientist-v2 research runs live in the terminal.

Without a command, opens the dashboard on a server that speaks the
AI-Scientist-v2 WebSocket protocol. Credentials come from AISCI_API_KEY or
AISCI_TOKEN in the environment, --token-file or --token-command, never from
the command line. `aisci-tui demo` shows the dashboard on a built-in
simulator, no server or credentials needed.

Keys: 0 home, 1-5 views, 6 tree, Enter open, Esc back, [ ] stage,
/ filter, f status/severity filter, s/S sort, p pause, r reconnect,
e export (JSON/CSV), ctrl+s SVG screenshot, ? help, q quit.
"""

EPILOG = f"""\b
Settings: flags > AISCI_* environment > config file > defaults.
  Config file  $XDG_CONFIG_HOME/aisci-tui/config.toml, usually
               ~/.config/aisci-tui/config.toml; or --config PATH,
               or AISCI_CONFIG=PATH. Keys: url, profile, theme,
               refresh_hz, mouse, export_dir, [profiles] name = "URL"
               (or a table: url, token_file, token_command),
               [fleets] name = ["profile" or "URL", ...],
               [keymap] binding-id = "key" (ids on the ? screen),
               [history] agents/sessions/experiments/assessments/
               log/agent_history/dedupe.
  Environment  AISCI_URL, AISCI_PROFILE, AISCI_THEME, AISCI_REFRESH_HZ,
               AISCI_MOUSE, AISCI_EXPORT_DIR, AISCI_HISTORY__LOG, ...;
               credentials: AISCI_API_KEY or AISCI_TOKEN.
  Profiles     development  ws://localhost:8080/ws
               staging      wss://staging.ai-scientist.com/ws
               production   wss://api.ai-scientist.com/ws
  Themes       aisci-dark, aisci-light, aisci-16 (terminal's 16 colours);
               add TOML files in $XDG_CONFIG_HOME/aisci-tui/themes/.
               NO_COLOR is honoured.

{exitcodes.HELP}
"""

DEMO_HELP = """Open the dashboard on the built-in research simulator.

Starts the protocol server in this process on 127.0.0.1 (a free port) with a
fresh development key, and connects the dashboard to it through the real
WebSocket client. Nothing leaves this machine.
"""

SessionOption = Annotated[
    str | None,
    typer.Option(
        "--session",
        metavar="ID",
        help="Show only this research session (with several servers: SERVER/ID, as the rows show it).",
    ),
]
NaiveRenderOption = Annotated[
    bool, typer.Option("--naive-render", hidden=True, help="Redraw after every event (for benchmarks).")
]


def register(app: typer.Typer) -> None:
    app.callback(invoke_without_command=True, help=HELP, epilog=EPILOG)(dashboard)
    app.command("demo", help=DEMO_HELP, epilog=exitcodes.HELP)(demo)


def load_settings_or_fail(config: Path | None, **flags: Any) -> Settings:
    """Settings for a dashboard command; a broken config ends the command with exit code 2."""
    from aisci_tui.settings import ConfigError, load_settings
    from aisci_tui.tui.bindings import check_keymap

    try:
        settings = load_settings(config, **flags)
    except ConfigError as exc:
        fail(str(exc), exitcodes.USAGE)
    problem = check_keymap(settings.keymap)
    if problem:
        fail(problem, exitcodes.USAGE)
    _check_theme(settings.theme)
    return settings


def prepare_display(display: DisplayOptions) -> Settings:
    """Settings and the log file for a command that opens the dashboard without connecting itself
    (demo, watch, replay); either failing ends the command with one sentence."""
    settings = load_settings_or_fail(display.config, **display.settings_flags)
    with failing_on_command_error():
        ConnectionOptions(log_file=display.log_file, verbose=display.verbose).setup_logging(stderr=False)
    return settings


def _check_theme(name: str) -> None:
    from textual.theme import BUILTIN_THEMES

    from aisci_tui.themes import ThemeError, load_themes, user_theme_dir

    try:
        themes, _ = load_themes([user_theme_dir()])
    except ThemeError as exc:
        fail(str(exc), exitcodes.ERROR)
    if name not in themes and name not in BUILTIN_THEMES:
        known = ", ".join(sorted(themes) + sorted(BUILTIN_THEMES))
        fail(f"Unknown theme {name!r}; choose from {known}.", exitcodes.USAGE)


def run_dashboard(
    make_app: Callable[[], DashboardApp], settings: Settings, cleanup: Callable[[], Awaitable[None]] | None = None
) -> int:
    """Run the app in a fresh event loop; returns its exit code. Never shows a traceback."""
    import asyncio
    import logging

    from aisci_tui.client.gctune import steady_heap, tune_for_ingest, untune

    async def main() -> int:
        app = make_app()
        steady_heap()
        gc_before = tune_for_ingest()
        try:
            await app.run_async(mouse=settings.mouse)
        finally:
            untune(gc_before)
            if cleanup is not None:
                await cleanup()
        return app.return_code or 0

    try:
        return asyncio.run(main())
    except KeyboardInterrupt:
        return exitcodes.OK
    except Exception as exc:
        logging.getLogger("aisci_tui").exception("the dashboard failed")
        print(
            f"aisci-tui: the dashboard stopped unexpectedly ({type(exc).__name__}); "
            "run with --log-file PATH for details.",
            file=sys.stderr,
        )
        return exitcodes.ERROR


def _dashboard_subscription(session: str | None) -> Any:
    from aisci_tui.client import Filters, SubscribeOptions, Subscription

    return Subscription(
        filters=Filters(session_id=session) if session else None, options=SubscribeOptions(include_history=True)
    )


@with_options(access=AccessOptions, display=DisplayOptions)
def dashboard(
    ctx: typer.Context,
    session: SessionOption = None,
    url: UrlOption = None,
    profile: ProfileOption = None,
    access: AccessOptions = AccessOptions(),
    max_attempts: MaxAttemptsOption = None,
    display: DisplayOptions = DisplayOptions(),
    naive_render: NaiveRenderOption = False,
    record: RecordOption = None,
) -> None:
    if ctx.invoked_subcommand is not None:
        given = [name for name in ctx.params if getattr(ctx.get_parameter_source(name), "name", "") == "COMMANDLINE"]
        if given:
            option = "--" + given[0].replace("_", "-")
            fail(
                f"{option} belongs to the dashboard; give the command's own options after `{ctx.invoked_subcommand}`.",
                exitcodes.USAGE,
            )
        return
    from aisci_tui.client import DEFAULT_URL
    from aisci_tui.commands.endpoints import open_endpoints, resolve
    from aisci_tui.settings import ConfigError

    urls = list(url or [])
    settings = load_settings_or_fail(
        display.config, url=urls[0] if len(urls) == 1 else None, profile=profile, **display.settings_flags
    )
    try:
        specs = resolve(settings, urls, DEFAULT_URL)
    except ConfigError as exc:
        fail(str(exc), exitcodes.USAGE)
    opts = ConnectionOptions.of(None, access, display.log_file, display.verbose, max_attempts)
    with failing_on_command_error():
        opts.setup_logging(stderr=False)
        client, _ = open_endpoints(
            specs, opts, _dashboard_subscription, session, prefix_ids=True, dedupe_size=settings.history.dedupe
        )
    source = with_recording(client, record)
    code = run_dashboard(
        lambda: _make_app(source, settings, session, access.insecure, naive_render, tree=True), settings, source.aclose
    )
    if client.fatal is not None:
        if code == exitcodes.OK:
            code = client.exit_code
        # the sentence the dashboard showed, left on the shell after the screen is restored
        print(f"aisci-tui: {clean(client.fatal.text, 500)} (exit code {code})", file=sys.stderr)
    raise typer.Exit(code)


def _make_app(
    source: Source, settings: Settings, session: str | None, insecure: bool, naive_render: bool, *, tree: bool = False
) -> DashboardApp:
    from aisci_tui.tui.app import DashboardApp

    views = None
    if tree:  # key 6: search trees, for servers publishing a run folder (serve --from-run)
        from aisci_tui.tui.run.view import dashboard_views

        views = dashboard_views()
    return DashboardApp(
        source,
        settings=settings,
        session_id=session,
        insecure=insecure,
        naive_render=naive_render,
        handle_hangup=True,
        views=views,
    )


@with_options(display=DisplayOptions)
def demo(
    seed: Annotated[
        int | None, typer.Option("--seed", metavar="N", help="Seed of the simulator (same seed, same story).")
    ] = None,
    speed: Annotated[
        float,
        typer.Option(
            "--speed", metavar="X", min=0.01, max=1000.0, help="Run simulated time X times faster than the clock."
        ),
    ] = 1.0,
    sessions: Annotated[
        int, typer.Option("--sessions", metavar="N", min=1, max=50, help="How many research sessions to simulate.")
    ] = 3,
    session: SessionOption = None,
    display: DisplayOptions = DisplayOptions(),
    naive_render: NaiveRenderOption = False,
) -> None:
    settings = prepare_display(display)
    source = DemoSource(seed=seed, speed=speed, sessions=sessions, session=session, dedupe=settings.history.dedupe)
    code = run_dashboard(lambda: _make_app(source, settings, session, False, naive_render), settings, source.aclose)
    raise typer.Exit(code)


#: Simulated seconds the demo runs before the dashboard opens, so it starts lived-in.
DEMO_WARMUP = 1200.0


class DemoSource:
    """The simulator server in this process plus a real client of it, as one source.

    The server's development key goes to the client in memory only. Deferred
    validation and delivery to a sink are passed on to the client, so the demo
    ingests exactly as the dashboard does against a remote server.
    """

    dedupes_ids = True

    @property
    def abilities(self) -> frozenset[Any]:
        from aisci_tui.sources.base import Ability  # (imported late: `--help` stays quick)

        return frozenset({Ability.NARROWING, Ability.DELIVERY, Ability.RECONNECT})  # the client's

    def __init__(
        self, *, seed: int | None, speed: float, sessions: int, session: str | None, dedupe: int = 200_000
    ) -> None:
        self.seed, self.speed, self.sessions, self.session = seed, speed, sessions, session
        self.dedupe = dedupe
        self.label = "demo (starting)"
        self.server: Any = None
        self.client: Any = None
        self._defer = False
        self._sink: Any = None

    def defer_validation(self) -> None:
        self._defer = True

    def deliver_to(self, sink: Any) -> None:
        self._sink = sink

    async def __aiter__(self) -> Any:
        from aisci_tui.client import Client, ClientConfig, Credentials
        from aisci_tui.server import ProtocolServer, ServerConfig

        self.server = ProtocolServer(
            ServerConfig(port=0, seed=self.seed, speed=self.speed, sessions=self.sessions, warmup=DEMO_WARMUP)
        )
        await self.server.start()
        self.label = f"demo {self.server.url}"
        self.client = Client(
            ClientConfig(
                url=self.server.url,
                credentials=Credentials(api_key=self.server.dev_api_key),
                subscriptions=[_dashboard_subscription(self.session)],
                session_id=self.session,
                dedupe_size=self.dedupe,
            )
        )
        if self._defer:
            self.client.defer_validation()
        if self._sink is not None:
            self.client.deliver_to(self._sink)
        async for item in self.client:
            yield item

    async def set_filters(self, events: list[str] | None, filters: Any) -> None:
        if self.client is not None:
            await self.client.set_filters(events, filters)

    async def subscribe(self, events: list[str], filters: Any = None) -> str | None:
        if self.client is not None:
            return await self.client.subscribe(events, filters)
        return None

    async def reconnect_now(self) -> None:
        if self.client is not None:
            await self.client.reconnect_now()

    async def aclose(self) -> None:
        if self.client is not None:
            await self.client.aclose()
        if self.server is not None:
            await self.server.aclose()
            self.server = None
