"""Why a connection attempt failed, in one sentence, and whether retrying can help."""

from __future__ import annotations

import socket
import ssl
from dataclasses import dataclass

from websockets.exceptions import InvalidHandshake, InvalidMessage, InvalidStatus, InvalidURI

from aisci_tui import exitcodes


@dataclass(frozen=True, slots=True)
class ConnectFailure:
    """``transient`` failures are retried with backoff; the others end the client at once."""

    text: str
    transient: bool
    exit_code: int = exitcodes.GAVE_UP


def classify(exc: BaseException, label: str) -> ConnectFailure:
    """Describe a failed connection attempt to ``label`` (a URL without credentials)."""
    if label.startswith("wss:") and isinstance(exc, ConnectionResetError | ssl.SSLEOFError):
        # a plain-HTTP server answers a TLS hello by closing the connection
        return _tls_refused(label, "the connection was reset")
    if isinstance(exc, InvalidStatus):
        status = exc.response.status_code
        if status in (401, 403):
            return ConnectFailure(
                f"{label} refused the connection with HTTP {status} (not authorised).",
                False,
                exitcodes.AUTH_FAILED,
            )
        if status in (408, 429) or status >= 500:
            return ConnectFailure(f"{label} answered HTTP {status}.", True)
        return ConnectFailure(
            f"{label} answered with an HTTP {status} page instead of a WebSocket upgrade; "
            "check the URL and its path (for example /ws).",
            False,
            exitcodes.NOT_WEBSOCKET,
        )
    if isinstance(exc, InvalidMessage) and isinstance(exc.__cause__, EOFError | ConnectionError):
        return ConnectFailure(f"{label} closed the connection during the handshake.", True)
    if isinstance(exc, InvalidURI):
        return ConnectFailure(f"{label} is not a valid WebSocket URL.", False, exitcodes.USAGE)
    if isinstance(exc, InvalidHandshake):
        return ConnectFailure(
            f"{label} did not answer like a WebSocket server; check the URL.",
            False,
            exitcodes.NOT_WEBSOCKET,
        )
    if isinstance(exc, ssl.SSLCertVerificationError):
        reason = getattr(exc, "verify_message", None) or "certificate verification failed"
        return ConnectFailure(
            f"The TLS certificate of {label} could not be verified ({reason}); pass --ca-file for a private CA.",
            False,
            exitcodes.TLS_FAILED,
        )
    if isinstance(exc, ssl.SSLError):
        return _tls_refused(label, getattr(exc, "reason", None) or "TLS handshake failed")
    if isinstance(exc, socket.gaierror):
        return ConnectFailure(
            f"The host in {label} could not be found (DNS lookup failed); check the host name in the URL.",
            False,
            exitcodes.HOST_NOT_FOUND,
        )
    if isinstance(exc, ConnectionRefusedError):
        return ConnectFailure(f"Nothing is listening at {label} (connection refused).", True)
    if isinstance(exc, TimeoutError):
        return ConnectFailure(f"Connecting to {label} timed out.", True)
    if isinstance(exc, OSError):
        reason = exc.strerror or type(exc).__name__
        return ConnectFailure(f"Could not connect to {label} ({reason}).", True)
    return ConnectFailure(f"Could not connect to {label} ({type(exc).__name__}).", True)


def _tls_refused(label: str, reason: str) -> ConnectFailure:
    """The TLS handshake failed for ``reason``; most often the server does not speak TLS at all."""
    return ConnectFailure(
        f"The TLS handshake with {label} failed ({reason}); is it really a wss:// server?",
        False,
        exitcodes.TLS_FAILED,
    )
