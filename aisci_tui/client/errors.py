"""Exceptions of the client library.

Public: :class:`ClientClosed`, :class:`SubscriptionError`, :class:`AckTimeout`.
Internal control flow: :class:`LinkDrop` (reconnect), :class:`Fatal` (stop),
:class:`LinkLost` (a request's connection went away; try again on the next).
"""

from __future__ import annotations

from aisci_tui import exitcodes


class ClientClosed(Exception):
    """The client has stopped (closed, or ended by a fatal error) and will not connect again."""


class SubscriptionError(Exception):
    """The server refused a subscription; the message says why, for a person."""

    def __init__(self, text: str, code: str | None = None, details: dict | None = None):
        super().__init__(text)
        self.text = text
        self.code = code
        self.details = details or {}


class AckTimeout(SubscriptionError, TimeoutError):
    """A message sent with ``require_ack`` was not acknowledged within ``ack_timeout``."""


class LinkLost(Exception):
    """The connection a request was waiting on has gone."""


class LinkDrop(Exception):
    """End this connection and reconnect.

    ``escalate``: the server asked us to back off (the attempt counter keeps
    growing even though the link had opened). ``retry_after``: the server's hint.
    """

    def __init__(self, text: str, *, escalate: bool = False, retry_after: float | None = None, requested: bool = False):
        super().__init__(text)
        self.text = text
        self.escalate = escalate
        self.retry_after = retry_after
        self.requested = requested
        self.opened = False


class Closing(Exception):
    """The connection ends because the client is closing (or the server closed normally)."""

    def __init__(self, text: str = ""):
        super().__init__(text)
        self.text = text


class Fatal(Exception):
    """Stop for good; ``text`` is one sentence for a person, ``exit_code`` for the command."""

    def __init__(self, text: str, exit_code: int = exitcodes.ERROR, code: str | None = None):
        super().__init__(text)
        self.text = text
        self.exit_code = exit_code
        self.code = code
