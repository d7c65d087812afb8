"""The AI-Scientist-v2 WebSocket protocol: models, codec and error codes."""

from aisci_tui.protocol.codec import (
    DEFAULT_MAX_FRAME,
    decode,
    encode,
    expand_batch,
    from_obj,
    is_event,
    make,
    new_id,
    now_iso,
    parse_json,
    to_obj,
)
from aisci_tui.protocol.errors import ERROR_TEXT, ErrorCode, ProtocolError
from aisci_tui.protocol.models import *  # noqa: F403
from aisci_tui.protocol.models import EVENT_MODELS, EVENT_TYPES, MESSAGE_MODELS, Envelope, Event

__all__ = [
    "DEFAULT_MAX_FRAME",
    "ERROR_TEXT",
    "EVENT_MODELS",
    "EVENT_TYPES",
    "MESSAGE_MODELS",
    "Envelope",
    "ErrorCode",
    "Event",
    "ProtocolError",
    "decode",
    "encode",
    "expand_batch",
    "from_obj",
    "is_event",
    "make",
    "new_id",
    "now_iso",
    "parse_json",
    "to_obj",
]
