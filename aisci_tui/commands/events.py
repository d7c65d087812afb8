"""The `events` command: print events as JSON lines (or text), no dashboard.

The loop (:func:`run_events`) consumes any :class:`~aisci_tui.sources.base.Source`,
so a replay file or another source can stand in for the WebSocket client
(:func:`open_source` is where a source is chosen). Events go to stdout, one per
line; everything else (warnings, invalid frames, the final summary) to stderr.
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import signal
import sys
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TextIO, cast

import typer

from aisci_tui import exitcodes
from aisci_tui.commands.common import (
    AccessOptions,
    CommandError,
    ConnectionOptions,
    LogFileOption,
    MaxAttemptsOption,
    UrlOption,
    VerboseOption,
    failing_on_command_error,
    with_options,
)
from aisci_tui.commands.recording import RecordOption, with_recording

if TYPE_CHECKING:
    from aisci_tui.protocol.fast import RawEvent
    from aisci_tui.protocol.models import Event
    from aisci_tui.sources.base import Notice, Source


class OutputFormat(str, Enum):  # noqa: UP042  (a StrEnum would change what str() of a member gives)
    jsonl = "jsonl"
    text = "text"


HELP = """Print live events on stdout, one per line, without the dashboard.

Like the dashboard, it first asks for the events the server still holds
(--no-history: only what happens from now on). Each event is printed once,
as its JSON envelope (--format jsonl) or as a
one-line summary (--format text). Warnings and invalid frames go to stderr,
and at exit a JSON summary line:
{"received":…,"events":…,"invalid":…,"duplicates":…,"reconnects":…}.
Repeat --url to follow several servers: each event is printed once, with
its server (host:port) in meta.endpoint; one server down never stops the
others.

Credentials come from the environment (AISCI_API_KEY or AISCI_TOKEN),
--token-file or --token-command, never from the command line:

    AISCI_API_KEY=... aisci-tui events --limit 10
"""


def register(app: typer.Typer) -> None:
    app.command("events", help=HELP, epilog=exitcodes.HELP)(events)


@with_options(access=AccessOptions)
def events(
    url: UrlOption = None,
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
    from_file: Annotated[
        Path | None, typer.Option("--from", metavar="FILE.jsonl", help="Replay a recording instead of connecting.")
    ] = None,
    speed: Annotated[
        float | None,
        typer.Option(
            "--speed",
            metavar="X",
            min=0.01,
            help="With --from: play X times faster than recorded [default: as fast as possible].",
        ),
    ] = None,
    record: RecordOption = None,
) -> None:
    urls = list(url or [])
    opts = ConnectionOptions.of(urls[0] if len(urls) == 1 else None, access, log_file, verbose, max_attempts)
    with failing_on_command_error():
        opts.setup_logging()
        if from_file is not None:
            from aisci_tui.commands.replay import open_replay

            if urls:
                raise CommandError("--from replays a file; leave out --url.", exitcodes.USAGE)
            source = open_replay(from_file, speed=speed or math.inf, types=types or [], session=session)
        elif speed is not None:
            raise CommandError("--speed only applies with --from FILE.jsonl.", exitcodes.USAGE)
        else:
            source = open_source(opts, types or [], session, history=history, urls=urls)
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


def open_source(
    opts: ConnectionOptions,
    types: list[str],
    session: str | None,
    *,
    history: bool = True,
    urls: list[str] | None = None,
) -> Source:
    """The source of events for these options: the WebSocket client, or with several ``urls`` one
    client per server fanned in, each event tagged with its server in ``meta.endpoint``;
    ``history``: ask for the events the server holds before the live ones, as the dashboard does."""
    from aisci_tui.client import Filters, SubscribeOptions, Subscription
    from aisci_tui.commands.endpoints import from_urls, open_endpoints
    from aisci_tui.protocol.models import EVENT_TYPES

    unknown = [t for t in types if t not in EVENT_TYPES]
    if unknown:
        raise CommandError(f"Unknown event type {unknown[0]!r}; choose from {', '.join(EVENT_TYPES)}.", exitcodes.USAGE)
    events = list(dict.fromkeys(types)) or list(EVENT_TYPES)

    def subscription(session_id: str | None) -> Subscription:
        filters = Filters(session_id=session_id) if session_id else None
        return Subscription(events=events, filters=filters, options=SubscribeOptions(include_history=history))

    specs = from_urls(urls if urls and len(urls) > 1 else [opts.resolved_url])
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


class Printer:
    """Writes events to stdout and notices to stderr, safely.

    An event that came as a :class:`~aisci_tui.protocol.fast.RawEvent` (the client read only
    its routing fields) is validated here: with the strict check derived from the models
    (:mod:`aisci_tui.protocol.strict`), and the line printed is then the frame's own text;
    otherwise with the models, which give the reason if it is invalid, and the line is the
    validated event's encoding. Lines are flushed once the event loop has nothing more to
    do at once, not one by one.
    """

    BATCH = 48

    def __init__(
        self,
        fmt: OutputFormat = OutputFormat.jsonl,
        *,
        verbose: bool = False,
        out: TextIO | None = None,
        err: TextIO | None = None,
    ):
        self.fmt = fmt
        self.verbose = verbose
        self.out = out or sys.stdout
        self.err = err or sys.stderr
        self.printed = 0
        self.invalid = 0
        #: Deferred events found invalid here (the client counted them as events).
        self.invalid_late = 0
        self.broken = False
        #: Lines printed but not yet written: written when the event loop is next idle, or at BATCH.
        self._pending: list[str] = []
        from aisci_tui.protocol import ProtocolError, encode
        from aisci_tui.protocol.fast import RawEvent
        from aisci_tui.protocol.strict import conforms

        self._encode, self._conforms, self._raw, self._error = encode, conforms, RawEvent, ProtocolError
        self._jsonl = fmt is OutputFormat.jsonl
        #: The binary stream under ``out`` when it writes UTF-8 (stdout does, normally).
        self._bytes = getattr(self.out, "buffer", None) if _utf8(self.out) else None

    def event(self, event: Event | RawEvent) -> bool:
        """Print one event; False once stdout is gone."""
        if self.broken:
            return False
        jsonl = self._jsonl
        if type(event) is self._raw:
            text = event.text
            if (
                jsonl
                and type(text) is str
                and "\n" not in text
                and "\r" not in text
                and (event.conforms or self._conforms(event.type, text))
            ):
                return self._write(text)
            try:
                event = event.validate()
            except self._error as exc:
                self.invalid_late += 1
                self.notice_invalid(f"Ignored an invalid frame: {exc.reason}")
                return True
        checked = cast("Event", event)
        return self._write(self._encode(checked) if jsonl else summarize(checked))

    def _write(self, line: str) -> bool:
        pending = self._pending
        pending.append(line)
        if len(pending) >= self.BATCH:
            self.flush()
        elif len(pending) == 1:
            try:
                asyncio.get_running_loop().call_soon(self.flush)
            except RuntimeError:  # no event loop: print at once
                self.flush()
        if self.broken:
            return False
        self.printed += 1
        return True

    def flush(self) -> None:
        """Write the lines not written yet, in one write (whatever ``PYTHONUNBUFFERED`` says)."""
        pending = self._pending
        if not pending or self.broken:
            pending.clear()
            return
        pending.append("")
        text = "\n".join(pending)
        pending.clear()
        try:
            if self._bytes is not None:  # a text stream's own write costs more than encoding here
                self.out.flush()
                self._bytes.write(text.encode("utf-8", "replace"))
                self._bytes.flush()
            else:
                self.out.write(text)
                self.out.flush()
        except BrokenPipeError:
            self._stdout_gone()

    def _stdout_gone(self) -> None:
        self.broken = True
        try:  # later flushes (at exit) must not fail again
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, self.out.fileno())
        except (OSError, ValueError, AttributeError):
            pass

    def notice(self, notice: Notice) -> None:
        from aisci_tui.sources.base import ConnectionState
        from aisci_tui.textsafe import clean

        text = clean(notice.text, 500)
        if notice.kind == "invalid":
            self.notice_invalid(text)
        elif notice.fatal or notice.kind in ("error", "unknown"):
            self.warn(text)
        elif notice.kind == "state" and notice.state is ConnectionState.RECONNECTING:
            retry = f" Reconnecting in {notice.retry_in:.1f} s" if notice.retry_in is not None else " Reconnecting"
            self.warn(f"{text}{retry} (attempt {notice.attempt}).")
        elif notice.severity in ("warning", "error") or self.verbose:
            state = f"{notice.state.name.lower()}" if notice.state is not None else ""
            self.warn(text or state)

    def notice_invalid(self, text: str) -> None:
        from aisci_tui.textsafe import clean

        self.invalid += 1
        self.warn(clean(text, 500) or "ignored an invalid frame")

    def warn(self, text: str) -> None:
        try:
            self.err.write(f"aisci-tui: {text}\n")
            self.err.flush()
        except (OSError, ValueError):
            pass

    def summary(self, source: Source) -> None:
        self.flush()
        stats = getattr(source, "stats", None)
        counts: dict[str, Any]
        if stats is not None and hasattr(stats, "summary"):
            counts = stats.summary()
            counts["events"] = self.printed  # what was handed over and printed (a sink may get more)
            counts["invalid"] += self.invalid_late
        else:
            counts = {
                "received": self.printed + self.invalid,
                "events": self.printed,
                "invalid": self.invalid,
                "duplicates": 0,
                "reconnects": 0,
            }
        try:
            self.err.write(json.dumps(counts, separators=(",", ":")) + "\n")
            self.err.flush()
        except (OSError, ValueError):
            pass


def _utf8(stream: TextIO) -> bool:
    import codecs

    try:
        return codecs.lookup(stream.encoding).name == "utf-8"
    except (AttributeError, LookupError, TypeError):
        return False


def _pct(value: float | None) -> str:
    if value is None:
        return "?"
    return f"{value * 100:.0f}%" if 0 <= value <= 1 else f"{value:g}"


def summarize(event: Event) -> str:
    """One readable line for an event; all server text is cleaned of control characters."""
    from aisci_tui.protocol.times import parse_time
    from aisci_tui.textsafe import clean

    def c(value: object, limit: int = 60) -> str:
        return clean(value, limit) if value is not None else "-"

    when = parse_time(event.timestamp)
    stamp = when.strftime("%H:%M:%S") if when else "--:--:--"
    d: Any = event.data
    kind = event.type
    if kind == "agent_status":
        task = d.current_task
        progress = f" task {c(task.type, 30)} {_pct(task.progress)}" if task and task.type else ""
        text = f"agent {c(d.name or d.agent_id)} {c(d.status, 20)}{progress}"
    elif kind == "research_progress":
        text = f"session {c(d.session_id)} {c(d.current_phase, 30)} {_pct(d.overall_progress)}"
        if d.title:
            text += f" {c(d.title)}"
    elif kind == "experiment_results":
        text = f"experiment {c(d.experiment_id)} {c(d.status, 20)}"
        if d.title:
            text += f" {c(d.title)}"
    elif kind == "ethical_assessment":
        a = d.assessment
        text = f"{c(d.resource_type, 20)} {c(d.resource_id)} {c(a.status, 20)} score {c(a.overall_score, 10)}"
    elif kind == "system_event":
        text = f"{c(d.severity, 10)} {c(d.event_type, 20)} {c(d.title)}"
    else:
        text = ""
    return f"{stamp} {kind:<18} {text}".rstrip()
