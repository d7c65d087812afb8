"""One subscription on one connection: which events, and how they are delivered.

Delivery options (``subscribe.data.options``):

- ``throttle_ms``: events are held for up to this long and coalesced, so that
  only the newest update per entity (agent, session, experiment, assessed
  resource) is sent; system events are never coalesced.
- ``batch_events: true`` (or ``batch_size`` > 1 without ``batch_events``):
  events are sent as ``batch`` frames of up to ``batch_size`` events, flushed
  when full or ``batch_interval_ms`` after the first event in the batch.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from aisci_tui.protocol.codec import new_id, now_iso
from aisci_tui.protocol.kinds import BY_TYPE
from aisci_tui.protocol.models import SubscribeOptions
from aisci_tui.server.filters import Matcher
from aisci_tui.server.hub import Published

#: Send one frame: (text, number of events in it).
Emit = Callable[[str, int], None]

DEFAULT_BATCH_SIZE = 10


def coalesce_key(item: Published) -> tuple[str, str]:
    """What a newer update replaces: the same entity (per the registry of kinds), else nothing."""
    event = item.event
    kind = BY_TYPE.get(event.type)
    if kind is None:
        return ("id", event.id)
    return (event.type, kind.key_of(event.data))


class Subscription:
    def __init__(
        self,
        events: list[str],
        matcher: Matcher,
        options: SubscribeOptions | None,
        emit: Emit,
        default_batch_interval_ms: int = 250,
    ):
        self.id = new_id("sub")
        self.events = list(events)
        self.matcher = matcher
        self._emit = emit
        opts = options or SubscribeOptions()
        self.include_history = bool(opts.include_history)
        size = opts.batch_size
        self.batching = bool(opts.batch_events) or (opts.batch_events is None and (size or 1) > 1)
        self.batch_size = size or DEFAULT_BATCH_SIZE
        interval = opts.batch_interval_ms
        self.batch_interval = (interval if interval is not None else default_batch_interval_ms) / 1000
        self.throttle = (opts.throttle_ms or 0) / 1000
        self._batch: list[str] = []
        self._held: dict[tuple[str, str], Published] = {}
        self._batch_timer: asyncio.TimerHandle | None = None
        self._throttle_timer: asyncio.TimerHandle | None = None

    def wants(self, item: Published) -> bool:
        return item.facts.type in self.events and self.matcher.matches(item.facts)

    def remove_events(self, events: list[str]) -> None:
        self.events = [e for e in self.events if e not in set(events)]

    def deliver(self, item: Published) -> None:
        if self.throttle > 0:
            self._held.pop(key := coalesce_key(item), None)
            self._held[key] = item
            if self._throttle_timer is None:
                loop = asyncio.get_running_loop()
                self._throttle_timer = loop.call_later(self.throttle, self._release)
            return
        self._send(item)

    def _text(self, item: Published) -> str:
        if self.matcher.strip_visualizations and item.facts.type == "experiment_results":
            return item.text_without_visualizations()
        return item.text

    def _release(self) -> None:
        self._throttle_timer = None
        held, self._held = self._held, {}
        for item in held.values():
            self._send(item)

    def _send(self, item: Published) -> None:
        if not self.batching:
            self._emit(self._text(item), 1)
            return
        self._batch.append(self._text(item))
        if len(self._batch) >= self.batch_size:
            self.flush_batch()
        elif self._batch_timer is None:
            loop = asyncio.get_running_loop()
            self._batch_timer = loop.call_later(self.batch_interval, self.flush_batch)

    def flush_batch(self) -> None:
        if self._batch_timer is not None:
            self._batch_timer.cancel()
            self._batch_timer = None
        if not self._batch:
            return
        items, self._batch = self._batch, []
        head = f'{{"type":"batch","id":"{new_id("batch")}","timestamp":"{now_iso()}",'
        body = f'"data":{{"subscription_id":"{self.id}","events":[{",".join(items)}]}}}}'
        self._emit(head + body, len(items))

    def close(self) -> None:
        for timer in (self._batch_timer, self._throttle_timer):
            if timer is not None:
                timer.cancel()
        self._batch_timer = self._throttle_timer = None
        self._batch.clear()
        self._held.clear()
