"""Source → store, and when to render.

:class:`Pump` moves every item a source yields into the store at once, so
ingest never waits on rendering. :class:`RenderGate` decides, on each refresh
tick, whether the visible view needs a sync (and whether a full one). No
Textual here; the app wires them to a worker and a timer.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass

from aisci_tui.protocol.fast import RawEvent
from aisci_tui.protocol.models import Event, SystemEventData, UnknownMessage
from aisci_tui.sources.base import Ability, Notice, Source, abilities_of
from aisci_tui.store import Store
from aisci_tui.textsafe import clean

log = logging.getLogger("aisci_tui.tui.ingest")


class Pump:
    """Feeds one source into one store and reports what a person should hear about.

    ``on_notice`` gets every :class:`Notice`; ``on_system`` every applied
    system event; ``on_item`` is called after each item (the per-event
    "naive" render mode uses it). Callbacks must not raise; if they do, the
    error is logged and ingest goes on.

    The store validates what it shows, so a source with the delivery ability
    (:attr:`~aisci_tui.sources.base.Ability.DELIVERY`, as the WebSocket client has)
    is asked to defer validation: it then passes on :class:`RawEvent` items, with
    only their routing fields read. It is also given :meth:`feed`
    as its sink, so each item reaches the store from the source's reader
    without a queue in between; if it also drops repeated ids, the store
    does not check them again.
    """

    def __init__(
        self,
        source: Source,
        store: Store,
        *,
        on_notice: Callable[[Notice], None] | None = None,
        on_system: Callable[[Event], None] | None = None,
        on_item: Callable[[], None] | None = None,
        yield_every: int = 256,
    ) -> None:
        self.source = source
        self.store = store
        self.on_notice = on_notice
        self.on_system = on_system
        self.on_item = on_item
        self.yield_every = max(1, yield_every)
        self.items = 0
        # a wrapper (a recorder, say) never declares delivery: it needs validated events
        self.delivering = Ability.DELIVERY in abilities_of(source)
        if self.delivering:
            source.defer_validation()  # type: ignore[attr-defined]

    async def run(self) -> None:
        """Consume the source until it ends. Exceptions from the source propagate."""
        if self.delivering:
            self.store.source_dedupes = bool(self.source.dedupes_ids)  # type: ignore[attr-defined]
            self.source.deliver_to(self.feed)  # type: ignore[attr-defined]
        async for item in self.source:
            self.feed(item)
            if self.items % self.yield_every == 0:
                await asyncio.sleep(0)  # let the screen refresh during a flood

    def feed(self, item: object) -> None:
        """Apply one item; nothing the source sends can make this raise."""
        self.items += 1
        store = self.store
        try:
            if type(item) is RawEvent:
                store.apply(item)
            elif isinstance(item, Notice):
                store.note(item)
                if item.kind == "invalid":
                    log.warning("invalid frame from %s: %s", clean(self.source.label, 200), clean(item.text, 500))
                self._call(self.on_notice, item)
            elif isinstance(item, UnknownMessage):
                store.apply_unknown(item)
            elif isinstance(item, Event):
                if store.apply(item) and isinstance(item.data, SystemEventData):
                    self._call(self.on_system, item)
            else:
                store.note(Notice("invalid", text=f"The source produced a {type(item).__name__}, not an event."))
        except Exception as exc:  # a bug in a reducer must not stop the dashboard
            log.exception("could not apply an item from the source")
            store.note(Notice("invalid", text=f"An item could not be applied ({type(exc).__name__})."))
        self._call(self.on_item)

    @staticmethod
    def _call(callback: Callable[..., None] | None, *args: object) -> None:
        if callback is None:
            return
        try:
            callback(*args)
        except Exception:
            log.exception("dashboard callback failed")


@dataclass(slots=True)
class Tick:
    """What the app should do on this refresh tick."""

    sync: bool
    full: bool


class RenderGate:
    """Coalesces store changes into at most one view sync per tick.

    A sync happens only when ``store.version`` moved since the last one, or a
    full sync was requested (view switch, resume, resize, filter change).
    While paused nothing is synced; resuming asks for a full sync.
    """

    def __init__(self) -> None:
        self.version = -1
        self.full = True
        self.paused = False
        self.syncs = 0

    def request_full(self) -> None:
        self.full = True

    def pause(self, paused: bool) -> None:
        if self.paused and not paused:
            self.full = True
        self.paused = paused

    def check(self, version: int) -> Tick:
        if self.paused:
            return Tick(False, False)
        if version == self.version and not self.full:
            return Tick(False, False)
        tick = Tick(True, self.full)
        self.version = version
        self.full = False
        self.syncs += 1
        return tick
