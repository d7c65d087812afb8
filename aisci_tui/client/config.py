"""What the client connects to and how it behaves; plain dataclasses."""

from __future__ import annotations

import ssl
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

from aisci_tui.client.credentials import Credentials
from aisci_tui.protocol.models import EVENT_TYPES, Filters, SubscribeOptions

DEFAULT_URL = "ws://127.0.0.1:8080/ws"


@dataclass(slots=True)
class Subscription:
    """One ``subscribe`` request, re-sent after every reconnect."""

    events: list[str] = field(default_factory=lambda: list(EVENT_TYPES))
    filters: Filters | None = None
    options: SubscribeOptions | None = None
    require_ack: bool = False


@dataclass(slots=True)
class ClientConfig:
    url: str = DEFAULT_URL
    credentials: Credentials | None = None
    subscriptions: list[Subscription] = field(default_factory=list)
    #: Seconds between protocol pings; a link silent for two intervals is dropped.
    ping_interval: float = 20.0
    #: How long to wait for anything after a ping (defaults to ``ping_interval``).
    ping_timeout: float | None = None
    #: Give up after this many failed connection attempts in a row (None: never).
    max_attempts: int | None = None
    backoff_base: float = 1.0
    backoff_cap: float = 30.0
    #: Skip certificate verification for wss:// (a warning is given).
    insecure: bool = False
    ca_file: str | None = None
    max_frame: int = 4 * 1024 * 1024
    #: Outgoing messages per second and how many may be sent at once.
    send_rate: float = 20.0
    send_burst: int = 40
    #: Seconds to wait for a subscription response or an ack.
    ack_timeout: float = 5.0
    #: Event ids remembered for de-duplication (the store's window, so it need not check again).
    dedupe_size: int = 200_000
    #: Also drop events whose ``data.session_id`` names another session.
    session_id: str | None = None
    #: Seconds for the WebSocket handshake and for the answer to ``auth``.
    open_timeout: float = 10.0

    def __post_init__(self) -> None:
        if self.ping_timeout is None:
            self.ping_timeout = self.ping_interval
        if self.max_attempts is not None and self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1 (or None for no limit)")
        if self.ping_interval <= 0:
            raise ValueError("ping_interval must be positive")
        check_url(self.url)


def check_url(url: str) -> None:
    """Raise ``ValueError`` with a readable sentence unless ``url`` is a ws:// or wss:// URL."""
    try:
        parts = urlsplit(url)
    except ValueError:
        raise ValueError(f"{redact_url(url)} is not a valid URL.") from None
    if parts.scheme not in ("ws", "wss") or not parts.hostname:
        raise ValueError(f"The URL {redact_url(url)!r} must start with ws:// or wss:// and name a host.")


def redact_url(url: str) -> str:
    """``url`` without user/password or query string (which may carry a token)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<invalid URL>"
    netloc = parts.hostname or ""
    if ":" in netloc:
        netloc = f"[{netloc}]"
    try:
        port = parts.port
    except ValueError:
        port = None
    if port is not None:
        netloc += f":{port}"
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def tls_context(config: ClientConfig) -> ssl.SSLContext | None:
    """The TLS settings for a wss:// URL (None for ws://): verified unless ``insecure``.

    Raises ``OSError`` or ``ssl.SSLError`` if ``ca_file`` cannot be loaded.
    """
    if not config.url.lower().startswith("wss:"):
        return None
    context = ssl.create_default_context(cafile=config.ca_file)
    if config.insecure:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context
