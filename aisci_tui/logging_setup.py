"""Log file set-up and redaction shared by every command.

Nothing secret reaches a log record: ``auth`` payloads are replaced before
they are logged, and every known credential value (registered with
:func:`add_secret`) is scrubbed from each record by :class:`RedactFilter`.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import threading
from io import TextIOWrapper
from pathlib import Path

REDACTED = "<redacted>"

_secrets: set[str] = set()
_lock = threading.Lock()

#: Shapes that look like credentials even when nobody registered them.
_PATTERNS = (
    re.compile(r"eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*"),  # JWT
    re.compile(r'("(?:token|api_key|apiKey|password|secret)"\s*:\s*)"[^"]*"'),
)


def add_secret(value: str | None) -> None:
    """Remember a credential so it is scrubbed from every log record from now on."""
    if value and len(value) >= 4:
        with _lock:
            _secrets.add(value)


def scrub(text: str) -> str:
    """``text`` with every known secret and credential-shaped string replaced."""
    with _lock:
        secrets = sorted(_secrets, key=len, reverse=True)
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, REDACTED)
    text = _PATTERNS[0].sub(REDACTED, text)
    return _PATTERNS[1].sub(rf'\1"{REDACTED}"', text)


class RedactFilter(logging.Filter):
    """Renders each record once and scrubs secrets from its message and traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string must not break logging
            message = str(record.msg)
        record.msg = scrub(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = scrub(record.exc_text)
        if record.stack_info:
            record.stack_info = scrub(record.stack_info)
        return True


class PrivateFileHandler(logging.FileHandler):
    """A log file created with mode 0600 and opened for appending."""

    def _open(self) -> TextIOWrapper:
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        return os.fdopen(fd, "a", encoding=self.encoding or "utf-8", errors=self.errors)


_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
_installed: list[logging.Handler] = []


def setup_logging(
    log_file: str | os.PathLike[str] | None = None, verbose: bool = False, *, stderr: bool = True
) -> None:
    """Configure the ``aisci_tui`` logger.

    ``log_file``: append records there (file created 0600). ``verbose``: log at
    DEBUG, which includes every message sent and received (see
    ``aisci_tui.client.wire``); without a log file, verbose records go to
    stderr when ``stderr`` is true (the dashboard passes False).
    Raises ``OSError`` if the log file cannot be opened.
    """
    root = logging.getLogger("aisci_tui")
    for old in _installed:
        root.removeHandler(old)
        old.close()
    _installed.clear()
    level = logging.DEBUG if verbose else logging.INFO
    handler: logging.Handler | None = None
    if log_file is not None:
        handler = PrivateFileHandler(Path(log_file), encoding="utf-8")
    elif verbose and stderr:
        handler = logging.StreamHandler(sys.stderr)
    if handler is None:
        root.setLevel(logging.WARNING)
        root.propagate = False
        handler = logging.NullHandler()
    else:
        root.setLevel(level)
        root.propagate = False
        handler.setFormatter(logging.Formatter(_FORMAT))
    handler.addFilter(RedactFilter())
    handler.setLevel(level)
    root.addHandler(handler)
    _installed.append(handler)
