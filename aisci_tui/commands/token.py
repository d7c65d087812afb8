"""The `token` command: mint a development JWT with AISCI_JWT_SECRET."""

from __future__ import annotations

import os
import sys

import typer

from aisci_tui import exitcodes


def register(app: typer.Typer) -> None:
    @app.command("token")
    def token(
        ttl: int = typer.Option(3600, "--ttl", min=1, help="Seconds until the token expires."),
        subject: str = typer.Option("dev", "--subject", help="The token's subject (user id)."),
        permission: list[str] = typer.Option(
            None, "--permission", help="Narrow the token to these permissions (repeatable), e.g. agents, system."
        ),
    ) -> None:
        """Print a JWT signed with AISCI_JWT_SECRET, for `serve` and `events`."""
        secret = os.environ.get("AISCI_JWT_SECRET")
        if not secret:
            print(
                "AISCI_JWT_SECRET is not set; export the server's secret first "
                "(e.g. AISCI_JWT_SECRET=$(openssl rand -hex 32)).",
                file=sys.stderr,
            )
            raise typer.Exit(exitcodes.USAGE)
        from aisci_tui.server.auth import MIN_SECRET_BYTES, mint_jwt

        if len(secret.encode()) < MIN_SECRET_BYTES:
            print(f"Warning: AISCI_JWT_SECRET is shorter than {MIN_SECRET_BYTES} bytes.", file=sys.stderr)

        claims = {"permissions": list(permission)} if permission else {}
        print(mint_jwt(secret, subject=subject, ttl=ttl, **claims))
