"""Plain-Python state that events are applied to; the dashboard reads it."""

from aisci_tui.store.dedupe import SeenIds
from aisci_tui.store.rate import RateMeter
from aisci_tui.store.state import Changes, Connection, Counters, Entity, LogEntry, Store, StoreLimits

__all__ = [
    "Changes",
    "Connection",
    "Counters",
    "Entity",
    "LogEntry",
    "RateMeter",
    "SeenIds",
    "Store",
    "StoreLimits",
]
