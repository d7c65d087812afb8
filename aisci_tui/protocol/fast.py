"""Events checked in shape only, validated in full on first use.

Under a flood most updates of an entity are replaced by the next one before
anyone looks at them. :func:`shape` checks only what routing needs (envelope
type, id, timestamp, the entity key and session id, with the right types)
and wraps the decoded JSON in a :class:`RawEvent`; :meth:`RawEvent.validate`
runs the full pydantic validation of :func:`aisci_tui.protocol.codec.from_obj`
once, when the event is about to be shown, and caches the outcome.

Only the four entity events are deferred; everything else (system events,
batches, control messages, anything of the wrong shape) takes the full path,
so every reject keeps its precise reason.
"""

from __future__ import annotations

from typing import Any

from aisci_tui.protocol.codec import from_obj
from aisci_tui.protocol.errors import ProtocolError
from aisci_tui.protocol.models import Event

#: The field of ``data`` that names the entity each deferrable event type updates.
ENTITY_KEY: dict[str, str] = {
    "agent_status": "agent_id",
    "research_progress": "session_id",
    "experiment_results": "experiment_id",
    "ethical_assessment": "resource_id",
}


class RawEvent:
    """A decoded event frame whose routing fields have the right types; the rest is unchecked."""

    __slots__ = ("type", "id", "timestamp", "key", "session_id", "obj", "_model", "_error")

    def __init__(self, msg_type: str, msg_id: str, timestamp: str | None, key: str,
                 session_id: str | None, obj: dict[str, Any]) -> None:
        self.type = msg_type
        self.id = msg_id
        self.timestamp = timestamp
        self.key = key
        self.session_id = session_id
        self.obj = obj
        self._model: Event | None = None
        self._error: ProtocolError | None = None

    def __repr__(self) -> str:
        return f"RawEvent({self.type}, {self.id!r:.60})"

    @property
    def checked(self) -> bool:
        """True once :meth:`validate` has run (whatever its outcome)."""
        return self._model is not None or self._error is not None

    def validate(self) -> Event:
        """The fully validated event; raises :class:`ProtocolError` (the same every time) if invalid."""
        if self._model is not None:
            return self._model
        if self._error is not None:
            raise self._error
        try:
            msg = from_obj(self.obj)
        except ProtocolError as exc:
            self._error = exc
            self.obj = {}  # the frame is no longer needed; keep only the reason
            raise
        assert isinstance(msg, Event)
        self._model = msg
        self.obj = {}
        return msg


def shape(obj: Any) -> RawEvent | None:
    """A :class:`RawEvent` if ``obj`` is a deferrable event of the right shape, else None.

    None means: decode it in full now (it may be valid, or the full path gives the reason).
    """
    if type(obj) is not dict:
        return None
    msg_type = obj.get("type")
    if type(msg_type) is not str:
        return None
    field = ENTITY_KEY.get(msg_type)
    if field is None:
        return None
    msg_id = obj.get("id")
    data = obj.get("data")
    timestamp = obj.get("timestamp")
    if type(msg_id) is not str or type(data) is not dict or (timestamp is not None and type(timestamp) is not str):
        return None
    key = data.get(field)
    session = data.get("session_id")
    if type(key) is not str or (session is not None and type(session) is not str):
        return None
    return RawEvent(msg_type, msg_id, timestamp, key, session, obj)
