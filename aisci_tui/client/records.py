"""Plain state the client keeps: its counters and the subscriptions it re-creates."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from aisci_tui.client.config import Subscription

if TYPE_CHECKING:
    from aisci_tui.client.link import Link


@dataclass(slots=True)
class ClientStats:
    received: int = 0  # frames received
    events: int = 0  # events handed to the consumer
    invalid: int = 0  # frames or batch items that could not be used
    duplicates: int = 0  # events dropped because their id was seen before
    reconnects: int = 0  # times the connection was opened again after a drop
    filtered: int = 0  # events dropped because they named another session

    def summary(self) -> dict[str, int]:
        """The counters the ``events`` command prints at exit."""
        return {k: getattr(self, k) for k in ("received", "events", "invalid", "duplicates", "reconnects")}


@dataclass(slots=True)
class SubscriptionRecord:
    """A subscription the client keeps alive across reconnects."""

    spec: Subscription
    public_id: str | None = None  # the id first returned by the server; stable for callers
    server_id: str | None = None  # the id on the current connection
    link: Link | None = None
