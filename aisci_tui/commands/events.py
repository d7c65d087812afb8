"""The `events` command: print events as JSON lines (or text), no dashboard.

The loop (:func:`run_events`) consumes any :class:`~aisci_tui.sources.base.Source`,
so a replay file or another source can stand in for the WebSocket client
(:func:`open_source` is where a source is chosen). Events go to stdout, one per
line; everything else (warnings, invalid frames, the final summary) to stderr
(:class:`~aisci_tui.commands.eventlines.Printer` writes both).
"""

from __future__ import annotations

import asyncio
import math
import signal
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from aisci_tui import exitcodes
from aisci_tui.commands.common import (
    AccessOptions,
    CommandError,
    ConfigOption,
    ConnectionOptions,
    LogFileOption,
    MaxAttemptsOption,
    ProfileOption,
    UrlOption,
    VerboseOption,
    failing_on_command_error,
    with_options,
)
from aisci_tui.commands.eventlines import OutputFormat, Printer
from aisci_tui.commands.recording import RecordOption, with_recording

if TYPE_CHECKING:
    from aisci_tui.commands.endpoints import EndpointSpec
    from aisci_tui.sources.base import Source


HELP = """Print live events on stdout, one per line, without the dashboard.

Like the dashboard, it first asks for the events the server still holds
(--no-history: only what happens from now on). Each event is printed once,
as its JSON envelope (--format jsonl) or as a
one-line summary (--format text). Warnings and invalid frames go to stderr,
and at exit a JSON summary line:
{"received":…,"events":…,"invalid":…,"duplicates":…,"reconnects":…}.
Repeat --url to follow several servers, or name a [fleets] entry of the
config file with --profile (as the dashboard does): each event is printed
once, with its server (host:port, or the profile's name) in meta.endpoint;
one server down never stops the others.

Credentials come from the environment (AISCI_API_KEY or AISCI_TOKEN),
--token-file or --token-command, never from the command line:

    AISCI_API_KEY=... aisci-tui events --limit 10
"""


# --from: a recording's events instead of a server's (open_replay reads it); --speed goes with it
FromOption = Annotated[
    Path | None, typer.Option("--from", metavar="FILE.jsonl", help="Replay a recording instead of connecting.")
]
FromSpeedOption = Annotated[
    float | None,
    typer.Option(
        "--speed",
        metavar="X",
        min=0.01,
        help="With --from: play X times faster than recorded [default: as fast as possible].",
    ),
]


def register(app: typer.Typer) -> None:
    app.command("events", help=HELP, epilog=exitcodes.HELP)(events)


@with_options(access=AccessOptions)
def events(
    url: UrlOption = None,
    profile: ProfileOption = None,
    session: Annotated[
        str | None, typer.Option("--session", metavar="ID", help="Only events of this research session.")
    ] = None,
    types: Annotated[
        list[str] | None,
        typer.Option("--type", "-t", metavar="T", help="Only this event type (repeat for more) [default: all five]."),
    ] = None,
    history: Annotated[
        bool,
        typer.Option(
            "--history/--no-history",
            help="First print the events the server still holds (what exists before what changes), "
            "then the live stream.",
        ),
    ] = True,
    limit: Annotated[int | None, typer.Option("--limit", "-n", min=1, metavar="N", help="Stop after N events.")] = None,
    duration: Annotated[
        float | None, typer.Option("--duration", min=0.0, metavar="S", help="Stop after S seconds.")
    ] = None,
    fmt: Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")] = OutputFormat.jsonl,
    access: AccessOptions = AccessOptions(),
    log_file: LogFileOption = None,
    verbose: VerboseOption = False,
    max_attempts: MaxAttemptsOption = None,
    from_file: FromOption = None,
    speed: FromSpeedOption = None,
    record: RecordOption = None,
    config: ConfigOption = None,
) -> None:
    urls = list(url or [])
    opts = ConnectionOptions.of(urls[0] if len(urls) == 1 else None, access, log_file, verbose, max_attempts)
    with failing_on_command_error():
        opts.setup_logging()
        if from_file is not None:
            from aisci_tui.commands.replay import open_replay

            if urls or profile:
                raise CommandError("--from replays a file; leave out --url and --profile.", exitcodes.USAGE)
            source = open_replay(from_file, speed=speed or math.inf, types=types or [], session=session)
        elif speed is not None:
            raise CommandError("--speed only applies with --from FILE.jsonl.", exitcodes.USAGE)
        else:
            specs = endpoints(config, urls, profile)
            source = open_source(opts, types or [], session, history=history, specs=specs)
    source = with_recording(source, record)
    printer = Printer(fmt, verbose=verbose)
    code = exitcodes.OK
    from aisci_tui.client.gctune import steady_heap, tune_for_ingest, untune

    steady_heap()
    gc_before = tune_for_ingest()
    try:
        code = asyncio.run(run_events(source, printer, limit=limit, duration=duration))
    except KeyboardInterrupt:
        code = exitcodes.OK
    except Exception as exc:  # a person never sees a traceback
        import logging

        logging.getLogger("aisci_tui").exception("events failed")
        printer.warn(f"unexpected error ({type(exc).__name__}); run with --log-file for details.")
        code = exitcodes.ERROR
    finally:
        untune(gc_before)
    printer.summary(source)
    raise typer.Exit(code)


def endpoints(config: Path | None, urls: list[str], profile: str | None) -> list[EndpointSpec]:
    """The servers to follow, chosen as the dashboard chooses them (:func:`~aisci_tui.commands.endpoints.resolve`:
    several ``--url``; else the URL or profile, or fleet, named by the flags, the environment or the
    config file); raises :class:`CommandError`."""
    from aisci_tui.client import DEFAULT_URL
    from aisci_tui.commands.endpoints import resolve
    from aisci_tui.settings import ConfigError, load_settings

    try:
        settings = load_settings(config, url=urls[0] if len(urls) == 1 else None, profile=profile)
        return resolve(settings, urls, DEFAULT_URL)
    except ConfigError as exc:
        raise CommandError(str(exc), exitcodes.USAGE) from None


def open_source(
    opts: ConnectionOptions,
    types: list[str],
    session: str | None,
    *,
    history: bool = True,
    specs: list[EndpointSpec],
) -> Source:
    """The source of events for these options: the WebSocket client, or with several endpoints one
    client per server fanned in, each event tagged with its server in ``meta.endpoint``;
    ``history``: ask for the events the server holds before the live ones, as the dashboard does."""
    from aisci_tui.client import Filters, SubscribeOptions, Subscription
    from aisci_tui.commands.endpoints import open_endpoints
    from aisci_tui.protocol.models import EVENT_TYPES

    unknown = [t for t in types if t not in EVENT_TYPES]
    if unknown:
        raise CommandError(f"Unknown event type {unknown[0]!r}; choose from {', '.join(EVENT_TYPES)}.", exitcodes.USAGE)
    events = list(dict.fromkeys(types)) or list(EVENT_TYPES)

    def subscription(session_id: str | None) -> Subscription:
        filters = Filters(session_id=session_id) if session_id else None
        return Subscription(events=events, filters=filters, options=SubscribeOptions(include_history=history))

    source, _ = open_endpoints(specs, opts, subscription, session, prefix_ids=False)
    return source


async def run_events(
    source: Source, printer: Printer, *, limit: int | None = None, duration: float | None = None
) -> int:
    """Print what ``source`` yields until ``limit``, ``duration``, Ctrl-C or its end; returns the exit code."""
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    handled: list[signal.Signals] = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop.set)
            handled.append(sig)
        except (NotImplementedError, RuntimeError, ValueError):
            pass
    timer = loop.call_later(duration, stop.set) if duration is not None else None
    consumer = asyncio.create_task(_consume(source, printer, limit))
    stopper = asyncio.create_task(stop.wait())
    try:
        await asyncio.wait({consumer, stopper}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopper.cancel()
        if timer is not None:
            timer.cancel()
        if not consumer.done():
            consumer.cancel()
        await asyncio.gather(consumer, stopper, return_exceptions=True)
        await source.aclose()
        for sig in handled:
            loop.remove_signal_handler(sig)
    if consumer.cancelled():
        return exitcodes.OK
    return consumer.result()


async def _consume(source: Source, printer: Printer, limit: int | None) -> int:
    """Print what ``source`` yields; returns the exit code once done.

    A source that can (the WebSocket client) hands entity events over unvalidated, for the
    printer to validate, and calls :func:`_handler` from its socket reader, without a queue.
    """
    done: asyncio.Future[int] = asyncio.get_running_loop().create_future()
    handle = _handler(printer, limit, done)
    kind = type(source)
    if callable(getattr(kind, "defer_validation", None)) and callable(getattr(kind, "deliver_to", None)):
        from aisci_tui.sources.base import Ability, abilities_of

        if Ability.STRICT in abilities_of(source):
            source.defer_validation(strict=True)  # type: ignore[attr-defined]
        else:
            source.defer_validation()  # type: ignore[attr-defined]
        source.deliver_to(handle)  # type: ignore[attr-defined]

    async def iterate() -> None:
        async for item in source:
            handle(item)
            if done.done():
                return
        if not done.done():
            done.set_result(exitcodes.OK)

    task = asyncio.create_task(iterate())
    try:
        waiting: set[asyncio.Future[Any]] = {task, done}
        await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
        if task.done() and not task.cancelled() and task.exception() is not None:
            raise task.exception()  # type: ignore[misc]
        return done.result()
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


def _handler(printer: Printer, limit: int | None, done: asyncio.Future[int]) -> Callable[[Any], None]:
    """A sink that prints one item, and resolves ``done`` with the exit code when it is time to stop."""
    from aisci_tui.protocol.fast import RawEvent
    from aisci_tui.protocol.models import Event

    def handle(item: Any) -> None:
        if done.done():
            return
        try:
            if type(item) is RawEvent or isinstance(item, Event):
                if not printer.event(item):
                    done.set_result(exitcodes.OK)  # stdout was closed (e.g. `| head`)
                elif limit is not None and printer.printed >= limit:
                    done.set_result(exitcodes.OK)
            else:
                printer.notice(item)
                if item.fatal:
                    done.set_result(int(item.details.get("exit_code", exitcodes.ERROR)))
        except Exception as exc:  # noqa: BLE001 - raised in the source's own task otherwise
            done.set_exception(exc)

    return handle
