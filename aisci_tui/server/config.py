"""Settings of the protocol server, and where credentials come from."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8080
DEFAULT_PATH = "/ws"

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


@dataclass(frozen=True, slots=True)
class ServerConfig:
    """Everything :class:`~aisci_tui.server.app.ProtocolServer` needs.

    With neither ``jwt_secret`` nor ``api_keys`` the server makes up a
    development API key (``ProtocolServer.dev_api_key``).
    """

    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    path: str = DEFAULT_PATH
    jwt_secret: str | None = field(default=None, repr=False)
    api_keys: tuple[str, ...] = field(default=(), repr=False)
    seed: int | None = None
    speed: float = 1.0
    #: Lively pacing (the default): all five event types within seconds of live stream.
    #: False: realistic pacing, minutes between experiments and system events.
    lively: bool = True
    rate: float | None = None
    sessions: int = 3
    drop_every: int | None = None
    malformed_every: int | None = None
    max_connections: int = 64
    rate_limit_per_s: float = 50.0
    rate_limit_burst: int = 100
    auth_timeout: float = 10.0
    history_size: int = 5000
    token_refresh_lead: float = 60.0
    max_frame: int = 4 * 1024 * 1024
    simulate: bool = True
    #: Virtual seconds the simulator runs before serving, kept as history, so that a
    #: client asking for ``include_history`` sees sessions with experiments and
    #: assessments at once. Their timestamps end at the moment the server starts.
    warmup: float = 0.0
    #: When the simulated story begins (default: ``warmup`` seconds before the server starts).
    #: With a fixed ``seed`` and ``start`` a restarted server sends the same events with the same ids.
    start: datetime | None = None
    #: Failed ``auth`` messages tolerated on one connection before it is closed.
    max_auth_failures: int = 3
    #: Default flush interval of batched subscriptions without ``batch_interval_ms``.
    default_batch_interval_ms: int = 250
    #: Frames queued for one slow client before it is disconnected.
    max_queue: int = 20_000
    #: How long the server keeps events, as announced in ``retention_hours``.
    retention_hours: float = 24.0

    def __post_init__(self) -> None:
        if not self.path.startswith("/"):
            raise ValueError("path must start with '/'")
        if self.speed <= 0:
            raise ValueError("speed must be positive")
        if self.rate is not None and self.rate <= 0:
            raise ValueError("rate must be positive")
        for name in ("drop_every", "malformed_every"):
            value = getattr(self, name)
            if value is not None and value < 1:
                raise ValueError(f"{name} must be at least 1")
        if self.warmup < 0:
            raise ValueError("warmup must not be negative")
        if self.max_connections < 1 or self.history_size < 0 or self.sessions < 1:
            raise ValueError("max_connections and sessions must be at least 1, history_size not negative")

    @property
    def is_loopback(self) -> bool:
        return self.host in LOOPBACK_HOSTS or self.host.startswith("127.")


def credentials_from_env(environ: dict[str, str] | None = None) -> tuple[str | None, tuple[str, ...]]:
    """``(jwt_secret, api_keys)`` from ``AISCI_JWT_SECRET`` and ``AISCI_API_KEYS`` (comma-separated)."""
    env = os.environ if environ is None else environ
    secret = env.get("AISCI_JWT_SECRET") or None
    keys = tuple(k.strip() for k in env.get("AISCI_API_KEYS", "").split(",") if k.strip())
    return secret, keys
