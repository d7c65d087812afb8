"""Running the server from the command line: start-up lines, Ctrl-C, clean errors."""

from __future__ import annotations

import asyncio
import errno
import logging
import os
import signal
import sys
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from aisci_tui import exitcodes
from aisci_tui.protocol.models import Event
from aisci_tui.server.config import ServerConfig, credentials_from_env

#: Makes the event feed once the loop runs (``None``: the simulator).
FeedFactory = Callable[[], AsyncIterator[Event]]


@dataclass(slots=True)
class ServeOptions:
    """What ``aisci-tui serve`` was told: :class:`ServerConfig` fields, logging, and the environment
    the credentials come from (never the command line)."""

    #: Keyword arguments for :class:`ServerConfig`, except the credentials.
    server: dict[str, Any] = field(default_factory=dict)
    verbose: bool = False
    log_file: Path | None = None
    environ: dict[str, str] = field(default_factory=lambda: dict(os.environ))


def build_config(opts: ServeOptions) -> ServerConfig:
    """A :class:`ServerConfig` from options and the environment; raises ``ValueError``."""
    secret, keys = credentials_from_env(opts.environ)
    return ServerConfig(jwt_secret=secret, api_keys=keys, **opts.server)


def _bind_error(exc: OSError, cfg: ServerConfig) -> str:
    if exc.errno == errno.EADDRINUSE:
        return f"Port {cfg.port} on {cfg.host} is already in use; choose another with --port."
    if exc.errno in (errno.EACCES, errno.EPERM):
        return f"Not allowed to listen on {cfg.host}:{cfg.port}; try a port above 1024."
    if exc.errno == errno.EADDRNOTAVAIL or isinstance(exc, OSError) and "assign" in str(exc):
        return f"{cfg.host} is not an address of this machine."
    return f"Could not listen on {cfg.host}:{cfg.port} ({exc.strerror or type(exc).__name__})."


async def serve_forever(
    cfg: ServerConfig,
    feed_factory: FeedFactory | None = None,
    out: TextIO = sys.stdout,
    err: TextIO = sys.stderr,
    stop: asyncio.Event | None = None,
) -> None:
    """Serve until ``stop`` is set or SIGINT/SIGTERM arrives."""
    from aisci_tui.server.app import ProtocolServer
    from aisci_tui.server.auth import MIN_SECRET_BYTES

    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop.set)
        except (NotImplementedError, RuntimeError, ValueError):
            pass
    feed = feed_factory() if feed_factory is not None else None

    def feed_failed(exc: BaseException) -> None:
        print(
            f"The event feed stopped with an error ({type(exc).__name__}); clients are told the service "
            "is unavailable. Press Ctrl-C to stop.",
            file=err,
            flush=True,
        )

    async with ProtocolServer(cfg, feed=feed, on_feed_error=feed_failed) as srv:
        if not cfg.is_loopback:
            print(
                f"Warning: listening on {cfg.host}, so the server is reachable from the network; "
                "anyone with a credential can watch these sessions.",
                file=err,
            )
        if cfg.jwt_secret and len(cfg.jwt_secret.encode()) < MIN_SECRET_BYTES:
            print(
                f"Warning: AISCI_JWT_SECRET is shorter than {MIN_SECRET_BYTES} bytes; tokens signed with it "
                "are easy to forge.",
                file=err,
            )
        if srv.dev_api_key:
            from aisci_tui.logging_setup import add_secret

            add_secret(srv.dev_api_key)
            print("No AISCI_JWT_SECRET or AISCI_API_KEYS set; use this development key:", file=err)
            print(f"AISCI_API_KEY={srv.dev_api_key} aisci-tui events --url {srv.url}", file=err)
        if srv.simulator is not None:
            source = f"{cfg.sessions} simulated sessions, seed {srv.simulator.seed}"
        else:
            source = "events from the given feed" if feed is not None else "no event source"
        print(f"Serving {srv.url} ({source}); press Ctrl-C to stop.", file=out, flush=True)
        err.flush()
        await stop.wait()
    print("Server stopped.", file=err)


def run_serve(opts: ServeOptions, feed_factory: FeedFactory | None = None) -> int:
    """Run ``aisci-tui serve``; returns the exit code. Never lets a traceback out."""
    try:
        cfg = build_config(opts)
    except ValueError as exc:
        print(f"Invalid option: {exc}.", file=sys.stderr)
        return exitcodes.USAGE
    try:
        from aisci_tui.logging_setup import add_secret, setup_logging

        setup_logging(opts.log_file, opts.verbose)
        logging.getLogger("websockets").addHandler(logging.NullHandler())  # our own log says what matters
        add_secret(cfg.jwt_secret)
        for key in cfg.api_keys:
            add_secret(key)
    except OSError as exc:
        print(f"Cannot open the log file {opts.log_file}: {exc.strerror or exc}.", file=sys.stderr)
        return exitcodes.USAGE
    try:
        asyncio.run(serve_forever(cfg, feed_factory))
    except KeyboardInterrupt:
        return exitcodes.OK
    except OSError as exc:
        print(_bind_error(exc, cfg), file=sys.stderr)
        return exitcodes.ERROR
    except Exception as exc:  # one clear sentence, never a traceback
        print(f"The server stopped unexpectedly: {type(exc).__name__}.", file=sys.stderr)
        return exitcodes.ERROR
    return exitcodes.OK
