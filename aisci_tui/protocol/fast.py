"""Events routed by a few fields, validated in full on first use.

Under a flood most updates of an entity are replaced by the next one before
anyone looks at them. :func:`route` reads only what routing needs (envelope
type, id, timestamp, the entity key and session id, with the right types)
with a msgspec decoder that checks the JSON syntax of the whole frame but
builds nothing for the fields it skips, and keeps the frame's text in a
:class:`RawEvent`. :meth:`RawEvent.validate` parses that text and runs the
full pydantic validation of :func:`aisci_tui.protocol.codec.from_obj` once,
when the event is about to be shown, and caches the outcome.

Only entity events (:mod:`aisci_tui.protocol.kinds`) are deferred; everything else (system events,
batches, control messages, anything of the wrong shape) takes the full path,
so every reject keeps its precise reason.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import msgspec

from aisci_tui.protocol.codec import from_obj, parse_json
from aisci_tui.protocol.errors import ProtocolError
from aisci_tui.protocol.kinds import BY_TYPE, ENTITY_KINDS
from aisci_tui.protocol.models import Event

if TYPE_CHECKING:
    _Keys = msgspec.Struct  # its fields are made from the registry and read with getattr
else:
    #: The fields of ``data`` that routing reads: every kind's key and session link.
    _Keys = msgspec.defstruct(
        "_Keys",
        [
            (name, str | None, None)
            for name in dict.fromkeys(field for kind in ENTITY_KINDS for field in (kind.key, kind.session))
        ],
    )


class _Routing(msgspec.Struct):
    type: str | None = None
    id: str | None = None
    timestamp: str | None = None
    data: _Keys | None = None


_decode_routing = msgspec.json.Decoder(_Routing).decode


class RawEvent:
    """An event frame whose routing fields have the right types; the rest is unchecked text."""

    __slots__ = ("type", "id", "timestamp", "key", "session_id", "text", "conforms", "_model", "_error")

    def __init__(
        self,
        msg_type: str,
        msg_id: str,
        timestamp: str | None,
        key: str,
        session_id: str | None,
        text: str | bytes,
        conforms: bool = False,
    ) -> None:
        self.type = msg_type
        self.id = msg_id
        self.timestamp = timestamp
        self.key = key
        self.session_id = session_id
        self.text = text
        #: True when the strict check (:mod:`aisci_tui.protocol.strict`) passed ``text`` as read.
        self.conforms = conforms
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
            msg = from_obj(parse_json(self.text, len(self.text)))
            if not isinstance(msg, Event) or not self._agrees(msg):
                raise ProtocolError("the frame's routing fields could not be read consistently")
        except ProtocolError as exc:
            self._error = exc
            self.text, self.conforms = "", False  # the frame is no longer needed; keep only the reason
            raise
        self._model = msg
        self.text, self.conforms = "", False
        return msg

    def _agrees(self, msg: Event) -> bool:
        data = msg.data
        kind = BY_TYPE[self.type]
        return (
            msg.type == self.type
            and msg.id == self.id
            and getattr(data, kind.key, None) == self.key
            and getattr(data, kind.session, None) == self.session_id
        )


def route(frame: str | bytes) -> RawEvent | None:
    """A :class:`RawEvent` if ``frame`` is a deferrable event of the right shape, else None.

    None means: decode it in full now (it may be valid, or the full path gives the reason).
    The caller checks the frame's size first.
    """
    try:
        head = _decode_routing(frame)
    except Exception:  # malformed, mistyped or too deep: the full path says which
        return None
    msg_type, data = head.type, head.data
    if msg_type is None or data is None or head.id is None:
        return None
    kind = BY_TYPE.get(msg_type)
    if kind is None:
        return None
    key = getattr(data, kind.key)
    if key is None:
        return None
    return RawEvent(msg_type, head.id, head.timestamp, key, getattr(data, kind.session), frame)
