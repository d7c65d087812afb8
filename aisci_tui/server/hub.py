"""Fan-out of published events: bounded history and the set of live connections."""

from __future__ import annotations

import time
from collections import Counter, deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

import orjson

from aisci_tui.protocol.codec import encode, to_obj
from aisci_tui.protocol.models import Event
from aisci_tui.server.filters import Facts, Matcher, facts_of

if TYPE_CHECKING:
    from aisci_tui.server.auth import Authenticator
    from aisci_tui.server.config import ServerConfig


@dataclass(slots=True)
class Published:
    """One event as sent: encoded once, reduced to filter facts once."""

    event: Event
    text: str
    facts: Facts
    at: float = field(default_factory=time.monotonic)
    _stripped: str | None = None

    def text_without_visualizations(self) -> str:
        if self._stripped is None:
            obj = to_obj(self.event)
            results = obj.get("data", {}).get("results")
            if isinstance(results, dict) and "visualizations" in results:
                results["visualizations"] = []
            self._stripped = orjson.dumps(obj).decode()
        return self._stripped


class Receiver(Protocol):
    """What the hub needs from a connection."""

    @property
    def authenticated(self) -> bool: ...

    def offer(self, item: Published) -> None: ...

    def send_raw(self, frame: str | bytes) -> None: ...


class Hub:
    """Keeps recent events and hands each new one to every connection."""

    def __init__(self, config: ServerConfig, authenticator: Authenticator):
        self.config = config
        self.authenticator = authenticator
        self.history: deque[Published] = deque(maxlen=config.history_size)
        self.receivers: set[Receiver] = set()
        self.stats: Counter[str] = Counter()
        self.started = time.monotonic()
        #: Why events stopped flowing (feed failed or server closing); None while healthy.
        self.unavailable: str | None = None

    def publish(self, event: Event) -> Published:
        item = Published(event=event, text=encode(event), facts=facts_of(event))
        self.history.append(item)
        self.stats["events_published"] += 1
        for receiver in list(self.receivers):
            if receiver.authenticated:
                receiver.offer(item)
        return item

    def inject_raw(self, frame: str | bytes) -> int:
        count = 0
        for receiver in list(self.receivers):
            if receiver.authenticated:
                receiver.send_raw(frame)
                count += 1
        return count

    def matching_history(self, events: Iterable[str], matcher: Matcher, *, after: str | None = None) -> list[Published]:
        """Retained events a subscription matches, oldest first.

        ``after`` (the ``resume_after`` option) is the id of the last event a
        resuming client saw: only later events are returned. When that id has
        left the history, everything retained is returned and the client's
        de-duplication drops what it already had.
        """
        wanted = frozenset(events)
        items: Iterable[Published] = self.history
        if after is not None:
            for index in range(len(self.history) - 1, -1, -1):
                if self.history[index].event.id == after:
                    items = list(self.history)[index + 1 :]
                    break
        return [p for p in items if p.facts.type in wanted and matcher.matches(p.facts)]

    def estimated_per_minute(self, events: Iterable[str], matcher: Matcher) -> float:
        """Events per minute this subscription would have received over the last minute."""
        now = time.monotonic()
        window = min(60.0, max(10.0, now - self.started))
        wanted = frozenset(events)
        count = 0
        for p in reversed(self.history):
            if now - p.at > window:
                break
            if p.facts.type in wanted and matcher.matches(p.facts):
                count += 1
        return round(count * 60.0 / window, 1)
