"""Plain-Python state that events are applied to; the dashboard reads it."""

from aisci_tui.store.dedupe import SeenIds
from aisci_tui.store.entity import Entity
from aisci_tui.store.rate import RateMeter
from aisci_tui.store.records import Changes, Connection, Counters, LogEntry, StoreLimits
from aisci_tui.store.state import Store

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
