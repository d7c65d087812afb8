"""Options shared by the commands: how to connect (``events``, the dashboard) and how to display.

Each option is an ``Annotated`` type made with :func:`panel_option`, which names the
``--help`` panel it is listed under. A command declares the options it takes as
parameter annotations, the groups (:class:`AccessOptions`, :class:`DisplayOptions`)
through :func:`with_options`, then builds a :class:`ConnectionOptions` from them::

    @with_options(access=AccessOptions)
    def events(url: UrlOption = None, access: AccessOptions = AccessOptions(), ...):
        opts = ConnectionOptions.of(url, access, log_file, verbose, max_attempts)
        config = opts.client_config([Subscription(...)])

Credentials come from the environment or from a file or command, never from
a command-line value. Only typer is imported at module level, so ``--help``
stays fast.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import os
import sys
import typing
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from aisci_tui import exitcodes

if TYPE_CHECKING:
    from aisci_tui.client import ClientConfig, Subscription

ENV_URL = "AISCI_URL"
CONNECTION_PANEL = "Connection"
DISPLAY_PANEL = "Display"


def panel_option(panel: str, *flags: str, metavar: str | None = None, help: str, **more: Any) -> Any:
    """A typer option that ``--help`` lists under ``panel``; ``more`` as for ``typer.Option``."""
    return typer.Option(*flags, metavar=metavar, rich_help_panel=panel, help=help, **more)


connection_option = functools.partial(panel_option, CONNECTION_PANEL)
display_option = functools.partial(panel_option, DISPLAY_PANEL)

UrlOption = Annotated[
    list[str] | None,
    connection_option(
        "--url",
        metavar="URL",
        help="WebSocket URL of the server; repeat it to watch several servers at once "
        "[default: $AISCI_URL, else ws://127.0.0.1:8080/ws].",
    ),
]
TokenFileOption = Annotated[
    Path | None,
    connection_option(
        "--token-file",
        metavar="PATH",
        help="Read the token (JWT or API key) from this file; re-read whenever a fresh one is needed. "
        "Otherwise AISCI_TOKEN or AISCI_API_KEY from the environment.",
    ),
]
TokenCommandOption = Annotated[
    str | None,
    connection_option(
        "--token-command",
        metavar="CMD",
        help="Run CMD (split like a shell would, but no shell) and use its first output line as the token, "
        "each time one is needed.",
    ),
]
InsecureOption = Annotated[
    bool,
    connection_option(
        "--insecure", help="Do not verify the server's TLS certificate (wss:// only; a warning is shown)."
    ),
]
CaFileOption = Annotated[
    Path | None,
    connection_option(
        "--ca-file", metavar="PATH", help="Trust the CA certificates in this PEM file for wss:// connections."
    ),
]
LogFileOption = Annotated[
    Path | None,
    connection_option(
        "--log-file", metavar="PATH", help="Append a log to PATH (created with mode 0600; credentials are redacted)."
    ),
]
VerboseOption = Annotated[
    bool, connection_option("-v", "--verbose", help="Log every message sent and received (auth payloads redacted).")
]
ProfileOption = Annotated[
    str | None,
    connection_option(
        "--profile",
        metavar="NAME",
        help="Connect to a named endpoint from the config file (development, staging, production, …), "
        "or to every endpoint of a [fleets] entry.",
    ),
]
MaxAttemptsOption = Annotated[
    int | None,
    connection_option(
        "--max-attempts",
        metavar="N",
        min=1,
        help="Give up after N failed connection attempts in a row [default: keep trying].",
    ),
]

ConfigOption = Annotated[
    Path | None,
    display_option("--config", metavar="PATH", help="Read settings from this TOML file instead of the default one."),
]
ThemeOption = Annotated[
    str | None,
    display_option(
        "--theme",
        metavar="NAME",
        help="Colour theme: aisci-dark (default), aisci-light, aisci-16, or a Textual theme name.",
    ),
]
RefreshOption = Annotated[
    float | None,
    display_option(
        "--refresh-hz", metavar="HZ", min=0.1, max=60.0, help="Redraw at most this many times a second [default: 10]."
    ),
]
MouseOption = Annotated[
    bool | None,
    display_option(
        "--mouse/--no-mouse",
        show_default=False,
        help="Use the mouse; --no-mouse leaves selection to the terminal (tmux copy/paste) [default: mouse].",
    ),
]


@dataclass(frozen=True, slots=True)
class AccessOptions:
    """Where the token comes from and how TLS is checked (see :func:`with_options`)."""

    token_file: TokenFileOption = None
    token_command: TokenCommandOption = None
    insecure: InsecureOption = False
    ca_file: CaFileOption = None


@dataclass(frozen=True, slots=True)
class DisplayOptions:
    """The options of every command that opens the dashboard (see :func:`with_options`).

    ``--theme``, ``--refresh-hz`` and ``--mouse`` are settings too (:attr:`settings_flags`):
    given, they win over the environment and the config file.
    """

    config: ConfigOption = None
    theme: ThemeOption = None
    refresh_hz: RefreshOption = None
    mouse: MouseOption = None
    log_file: LogFileOption = None
    verbose: VerboseOption = False

    @property
    def settings_flags(self) -> dict[str, Any]:
        """The options that are settings, for :func:`aisci_tui.settings.load_settings`."""
        return {"theme": self.theme, "refresh_hz": self.refresh_hz, "mouse": self.mouse}


def with_options(**groups: type) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Let commands share a group of options, declared once as a dataclass.

    ``@with_options(display=DisplayOptions)`` replaces the command's parameter ``display``,
    where it stands, by the dataclass's fields (each with its typer option and default), so
    the command line and ``--help`` list each option as if it were written out there; the
    command receives them as one ``DisplayOptions``.
    """

    def decorate(command: Callable[..., Any]) -> Callable[..., Any]:
        hints = typing.get_type_hints(command, include_extras=True)
        params: list[inspect.Parameter] = []
        members: dict[str, tuple[type, list[str]]] = {}
        for param in inspect.signature(command).parameters.values():
            group = groups.get(param.name)
            if group is None:
                params.append(param.replace(annotation=hints.get(param.name, param.annotation)))
                continue
            types = typing.get_type_hints(group, include_extras=True)
            fields = dataclasses.fields(group)
            params += [
                inspect.Parameter(f.name, param.kind, default=f.default, annotation=types[f.name]) for f in fields
            ]
            members[param.name] = (group, [f.name for f in fields])

        @functools.wraps(command)
        def run(*args: Any, **kwargs: Any) -> Any:
            for name, (group, names) in members.items():
                kwargs[name] = group(**{n: kwargs.pop(n) for n in names})
            return command(*args, **kwargs)

        run.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
        run.__annotations__ = {p.name: p.annotation for p in params}
        return run

    return decorate


class CommandError(Exception):
    """A problem to report in one sentence, with the exit code to leave with."""

    def __init__(self, message: str, exit_code: int = exitcodes.ERROR):
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code


def fail(message: str, exit_code: int = exitcodes.ERROR) -> NoReturn:
    """Print ``aisci-tui: message`` on stderr and exit with ``exit_code``."""
    print(f"aisci-tui: {message}", file=sys.stderr, flush=True)
    raise typer.Exit(exit_code)


@contextmanager
def failing_on_command_error() -> Iterator[None]:
    """Inside the block, a :class:`CommandError` ends the command as :func:`fail` does."""
    try:
        yield
    except CommandError as exc:
        fail(exc.message, exc.exit_code)


@dataclass(slots=True)
class ConnectionOptions:
    """The values of the shared connection options, as one command received them."""

    url: str | None = None
    token_file: Path | None = None
    token_command: str | None = None
    insecure: bool = False
    ca_file: Path | None = None
    log_file: Path | None = None
    verbose: bool = False
    max_attempts: int | None = None

    @classmethod
    def of(
        cls, url: str | None, access: AccessOptions, log_file: Path | None, verbose: bool, max_attempts: int | None
    ) -> ConnectionOptions:
        return cls(
            url,
            access.token_file,
            access.token_command,
            access.insecure,
            access.ca_file,
            log_file,
            verbose,
            max_attempts,
        )

    @property
    def resolved_url(self) -> str:
        from aisci_tui.client import DEFAULT_URL

        return self.url or os.environ.get(ENV_URL) or DEFAULT_URL

    def setup_logging(self, *, stderr: bool = True) -> None:
        """Install the log file / verbose logging; raises :class:`CommandError`."""
        from aisci_tui.logging_setup import setup_logging

        try:
            setup_logging(self.log_file, self.verbose, stderr=stderr)
        except OSError as exc:
            raise CommandError(
                f"Could not open the log file {self.log_file}: {exc.strerror or exc}.", exitcodes.USAGE
            ) from None

    def client_config(
        self, subscriptions: list[Subscription], session_id: str | None = None, **overrides: Any
    ) -> ClientConfig:
        """A :class:`ClientConfig` for these options; raises :class:`CommandError`."""
        from aisci_tui.client import ClientConfig, CredentialError, Credentials, check_url

        url = self.resolved_url
        try:
            check_url(url)
        except ValueError as exc:
            raise CommandError(str(exc), exitcodes.USAGE) from None
        if self.ca_file is not None and not self.ca_file.is_file():
            raise CommandError(f"The CA file {self.ca_file} does not exist.", exitcodes.USAGE)
        try:
            creds = Credentials.from_env_or_files(self.token_file, self.token_command)
        except CredentialError as exc:
            raise CommandError(str(exc), exitcodes.AUTH_FAILED) from None
        return ClientConfig(
            url=url,
            credentials=creds,
            subscriptions=subscriptions,
            max_attempts=self.max_attempts,
            insecure=self.insecure,
            ca_file=str(self.ca_file) if self.ca_file else None,
            session_id=session_id,
            **overrides,
        )
