"""The `serve` command: the protocol server with its research simulator."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from aisci_tui import exitcodes


def register(app: typer.Typer) -> None:
    @app.command("serve")
    def serve(
        host: str = typer.Option("127.0.0.1", "--host", help="Address to bind (loopback by default)."),
        port: int = typer.Option(8080, "--port", min=0, max=65535, help="TCP port (0 picks a free one)."),
        path: str = typer.Option("/ws", "--path", help="WebSocket path; other paths answer 404."),
        seed: int | None = typer.Option(None, "--seed", help="Simulator seed (same seed, same sessions)."),
        speed: float = typer.Option(
            1.0,
            "--speed",
            min=0.001,
            help="Simulated seconds per real second (above 1, event times run ahead of the clock).",
        ),
        rate: float | None = typer.Option(
            None,
            "--rate",
            min=0.001,
            help="Events per second, whatever the simulated time (load tests; overrides --speed).",
        ),
        realistic: bool = typer.Option(
            False,
            "--realistic",
            help="Realistic pacing: minutes between experiments and system events. By default the stream is "
            "lively: all five event types within a few seconds.",
        ),
        sessions: int = typer.Option(3, "--sessions", min=1, max=50, help="Research sessions to simulate."),
        drop_every: int | None = typer.Option(
            None, "--drop-every", min=1, help="Abort each connection after every N event frames."
        ),
        malformed_every: int | None = typer.Option(
            None, "--malformed-every", min=1, help="Send a malformed frame after every N events."
        ),
        max_connections: int = typer.Option(64, "--max-connections", min=1, help="Concurrent connections."),
        history_size: int = typer.Option(5000, "--history-size", min=0, help="Events kept for include_history."),
        warmup: float = typer.Option(
            1200.0,
            "--warmup",
            min=0,
            metavar="SECONDS",
            help="Simulated seconds run before serving and kept as history, so clients start with a lived-in state.",
        ),
        start: str | None = typer.Option(
            None,
            "--start",
            metavar="TIME",
            help="When the simulated story begins (ISO 8601, e.g. 2026-01-01T00:00:00Z). With --seed, a restarted "
            "server sends the same events with the same ids, so clients de-duplicate what they already have.",
        ),
        verbose: bool = typer.Option(False, "-v", "--verbose", help="Log every connection and message."),
        log_file: Path | None = typer.Option(None, "--log-file", help="Write the log to this file."),
        from_run: Path | None = typer.Option(
            None,
            "--from-run",
            metavar="PATH",
            help="Publish this AI-Scientist-v2 run folder (followed live) instead of simulated sessions; "
            "an experiments/ folder publishes every run in it, each as its own session.",
        ),
        poll: float = typer.Option(
            1.0, "--poll", min=0.05, help="With --from-run: look at the folder at least every S seconds."
        ),
    ) -> None:
        """Serve the WebSocket API with simulated research sessions (or a real run: --from-run PATH).

        Credentials come from AISCI_JWT_SECRET and AISCI_API_KEYS (comma-separated);
        with neither, a development API key is printed once at start-up.
        """
        from aisci_tui.server.runner import ServeOptions, run_serve

        begins = None
        if start is not None:
            from aisci_tui.protocol.times import parse_time

            begins = parse_time(start)
            if begins is None:
                print(
                    f"Invalid option: --start {start!r} is not an ISO 8601 time such as 2026-01-01T00:00:00Z.",
                    file=sys.stderr,
                )
                raise typer.Exit(exitcodes.USAGE)
        server = dict(
            host=host,
            port=port,
            path=path,
            seed=seed,
            speed=speed,
            rate=rate,
            sessions=sessions,
            drop_every=drop_every,
            malformed_every=malformed_every,
            max_connections=max_connections,
            history_size=history_size,
            warmup=warmup,
            start=begins,
            lively=not realistic,
        )
        options = ServeOptions(server, verbose=verbose, log_file=log_file)
        feed_factory = None
        if from_run is not None:
            from aisci_tui.commands.watch import run_feed_factory

            feed_factory = run_feed_factory(from_run, poll, history_size)
        code = run_serve(options, feed_factory)
        if code:
            raise typer.Exit(code)
        sys.stdout.flush()
        raise typer.Exit(exitcodes.OK)
