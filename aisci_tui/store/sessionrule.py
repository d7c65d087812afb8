"""The one session rule, shared by ``events --session``, the store and every dashboard view.

With a session filter, an event is hidden only when it names another session:
its own ``session_id``, or, for an ethical assessment, a resource known to
belong to another session (an experiment or agent seen with that session, or a
research session itself). An event that names no session is shown: the guide's
``agent_status``, ``ethical_assessment`` and ``system_event`` examples carry
none, and a server that filters by session still sends them.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from aisci_tui.protocol.fast import RawEvent
from aisci_tui.protocol.kinds import BY_TYPE

#: Resources whose session is remembered (oldest forgotten first).
OWNERS_LIMIT = 50_000


def hides(wanted: str | None, named: str | None) -> bool:
    """True when a filter on ``wanted`` hides something that names session ``named``."""
    return wanted is not None and named is not None and named != wanted


def named_session(kind: str, key: str | None, session: str | None, owner: Callable[[str], str | None]) -> str | None:
    """The session an event (or entity) names: its own, else for an assessment its resource's."""
    if session is not None:
        return session
    if kind == "ethical_assessment" and key is not None:
        return owner(key)
    return None


def _facts(event: Any) -> tuple[str, str | None, str | None]:
    if type(event) is RawEvent:
        return event.type, event.key, event.session_id
    data = event.data
    kind = BY_TYPE.get(event.type)
    key = getattr(data, kind.key, None) if kind else None
    session = getattr(data, "session_id", None)
    return event.type, key if isinstance(key, str) else None, session if isinstance(session, str) else None


class SessionRule:
    """Applies the rule to a stream, learning which session each resource belongs to as it goes
    (from every event, hidden ones too: those are how another session's resources become known)."""

    def __init__(self, session_id: str | None) -> None:
        self.session_id = session_id
        self._owners: OrderedDict[str, str] = OrderedDict()

    def owner(self, resource_id: str) -> str | None:
        return self._owners.get(resource_id)

    def hides(self, event: Any) -> bool:
        """True when the filter hides ``event`` (an :class:`Event` or a :class:`RawEvent`)."""
        if self.session_id is None:
            return False
        kind, key, session = _facts(event)
        if session is not None and key is not None and kind != "ethical_assessment":
            owners = self._owners
            if owners.get(key) != session:
                owners[key] = session
                if len(owners) > OWNERS_LIMIT:
                    owners.popitem(last=False)
        return hides(self.session_id, named_session(kind, key, session, self._owners.get))


def store_owner(store: Any) -> Callable[[str], str | None]:
    """What the store knows of a resource's session: a research session is its own, an
    experiment's or agent's is the one it named."""

    def owner(resource_id: str) -> str | None:
        if resource_id in store.sessions:
            return resource_id
        for table in (store.experiments, store.agents):
            entity = table.get(resource_id)
            if entity is not None and entity.data.session_id is not None:
                return entity.data.session_id
        return None

    return owner
