"""Server-side filtering that follows the visible view.

When the view's filter can be said in protocol terms (status, severity,
agent ids) the subscription is narrowed to it, for that view's event types
only: if the source can hold a second subscription, the other event types
keep flowing unfiltered. The session being watched narrows everything.
"""

from __future__ import annotations

from collections.abc import Awaitable, Sequence
from typing import cast

from aisci_tui.protocol.models import EVENT_TYPES, Filters
from aisci_tui.sources.base import Ability, FilterableSource, Source, abilities_of

Wanted = tuple[tuple[str, ...], Filters | None, str | None]


class Narrowing:
    """Remembers what was last asked of the source, so only real changes re-subscribe."""

    def __init__(self, source: Source, session_id: str | None) -> None:
        self.source = source
        self.sent: Wanted = ((), None, session_id)  # what the initial subscription already says

    def update(
        self, event_types: Sequence[str], view_filters: Filters | None, session_id: str | None
    ) -> Awaitable[None] | None:
        """A coroutine that re-subscribes, or None if the source cannot filter or nothing changed."""
        if Ability.NARROWING not in abilities_of(self.source):
            return None
        types = tuple(event_types) if view_filters is not None else ()
        wanted: Wanted = (types, view_filters, session_id)
        if wanted == self.sent:
            return None
        self.sent = wanted
        # the NARROWING ability is the source's promise of set_filters and subscribe
        return self._send(cast(FilterableSource, self.source), types, view_filters, session_id)

    @staticmethod
    async def _send(
        source: FilterableSource, types: tuple[str, ...], view_filters: Filters | None, session_id: str | None
    ) -> None:
        session = {"session_id": session_id} if session_id is not None else {}
        base = Filters(session_id=session_id) if session_id is not None else None
        if view_filters is None:
            await source.set_filters(None, base)
            return
        narrowed = Filters(**(view_filters.model_dump(exclude_none=True) | session))
        rest = [t for t in EVENT_TYPES if t not in types]
        if not types:
            await source.set_filters(None, narrowed)
            return
        await source.set_filters(list(types), narrowed)
        if rest:
            await source.subscribe(rest, base)
