"""One function from a raw frame to a typed message, and one back."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import orjson
from pydantic import ValidationError

from aisci_tui.protocol.errors import ProtocolError
from aisci_tui.protocol.models import (
    EVENT_MODELS,
    MESSAGE_MODELS,
    Envelope,
    Event,
    UnknownMessage,
)
from aisci_tui.values import shorten

#: Frames larger than this are refused before parsing (configurable by callers).
DEFAULT_MAX_FRAME = 4 * 1024 * 1024
#: JSON nested deeper than this is refused: no message nests more than a few levels, and a
#: decoded message must stay encodable (pydantic stops serialising a few hundred levels down).
MAX_DEPTH = 100


def new_id(prefix: str = "msg") -> str:
    return f"{prefix}_{uuid.uuid4().hex}"


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _describe(err: ValidationError, limit: int = 3) -> str:
    """The first few problems, each as ``path: message``; dict keys in a path come from the
    frame, so each part is cut short and so is the whole."""
    parts = []
    for e in err.errors(include_url=False, include_input=False)[:limit]:
        loc = ".".join(shorten(p, 40) for p in e.get("loc", ())) or "message"
        parts.append(f"{shorten(loc, 120)}: {shorten(e.get('msg', 'invalid'), 120)}")
    more = err.error_count() - limit
    if more > 0:
        parts.append(f"and {more} more")
    return shorten("; ".join(parts), 320)


def parse_json(frame: str | bytes | bytearray | memoryview, max_size: int = DEFAULT_MAX_FRAME) -> Any:
    """Parse a frame into plain JSON values, raising only :class:`ProtocolError`."""
    try:
        size = len(frame)
    except TypeError:
        raise ProtocolError("frame is neither text nor bytes") from None
    if size > max_size:
        raise ProtocolError(f"frame of {size} bytes exceeds the {max_size}-byte limit")
    if isinstance(frame, memoryview | bytearray):
        frame = bytes(frame)
    if not isinstance(frame, str | bytes):
        raise ProtocolError("frame is neither text nor bytes")
    try:
        obj = orjson.loads(frame)
    except orjson.JSONDecodeError as exc:
        # orjson's message names the position, never echoes the input at length
        raise ProtocolError(f"not valid JSON: {str(exc)[:160]}") from None
    except (RecursionError, MemoryError, ValueError, TypeError) as exc:
        raise ProtocolError(f"not valid JSON: {type(exc).__name__}") from None
    opens = frame.count("[") + frame.count("{") if isinstance(frame, str) else frame.count(b"[") + frame.count(b"{")
    if opens > MAX_DEPTH and _deeper_than(obj, MAX_DEPTH):  # counting is cheap; walking only when it may be deep
        raise ProtocolError(f"JSON nested more than {MAX_DEPTH} levels deep")
    return obj


def _deeper_than(value: Any, limit: int) -> bool:
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return True
        children = item.values() if isinstance(item, dict) else item
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def from_obj(obj: Any) -> Envelope:
    """Validate one decoded JSON value as a protocol message."""
    if not isinstance(obj, dict):
        raise ProtocolError(f"a message must be a JSON object, not {type(obj).__name__}")
    msg_type = obj.get("type")
    raw_id = obj.get("id")
    msg_id = raw_id if isinstance(raw_id, str) else None
    if not isinstance(msg_type, str) or not msg_type:
        raise ProtocolError("message has no 'type' string", msg_id=msg_id)
    model = MESSAGE_MODELS.get(msg_type, UnknownMessage)
    try:
        return model.model_validate(obj)
    except ValidationError as exc:
        raise ProtocolError(
            f"invalid {msg_type!s:.40} message: {_describe(exc)}", msg_type=msg_type, msg_id=msg_id
        ) from None
    except (RecursionError, MemoryError, ValueError, TypeError) as exc:
        raise ProtocolError(f"invalid {msg_type!s:.40} message: {type(exc).__name__}") from None


def decode(frame: str | bytes, max_size: int = DEFAULT_MAX_FRAME) -> Envelope:
    """Decode a raw WebSocket frame into a typed message.

    Returns one of the models in :data:`MESSAGE_MODELS`, or an
    :class:`UnknownMessage` for a well-formed envelope of a type this version
    does not know. Raises :class:`ProtocolError` and nothing else.
    """
    return from_obj(parse_json(frame, max_size))


def expand_batch(batch: Envelope) -> list[Event | ProtocolError]:
    """The events in a batch frame, each decoded on its own: one bad item spoils nothing else."""
    items = getattr(batch.data, "events", None) or []
    out: list[Event | ProtocolError] = []
    for item in items:
        try:
            msg = from_obj(item)
        except ProtocolError as exc:
            out.append(exc)
            continue
        if isinstance(msg, Event):
            out.append(msg)
        else:
            out.append(ProtocolError(f"a batch may hold only events, not {msg.type!s:.40}"))
    return out


def to_obj(msg: Envelope) -> dict[str, Any]:
    return msg.model_dump(mode="json", exclude_unset=True, by_alias=False)


def encode(msg: Envelope) -> str:
    """Encode a message for the wire (fields that were never set are left out)."""
    return orjson.dumps(to_obj(msg)).decode()


def make(msg_type: str, data: Any, *, msg_id: str | None = None, meta: dict | None = None) -> Envelope:
    """Build a typed message with a fresh id and timestamp."""
    obj: dict[str, Any] = {"type": msg_type, "id": msg_id or new_id(), "timestamp": now_iso(), "data": data}
    if meta:
        obj["meta"] = meta
    return from_obj(obj)


def is_event(msg: Envelope) -> bool:
    return msg.type in EVENT_MODELS
