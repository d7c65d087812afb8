"""A fast, strict check that an event frame is valid, derived from the pydantic models.

``aisci-tui events`` prints each event's own frame text once it has validated.
Validating with pydantic costs more than receiving the frame; this check does it
with msgspec, on structs built at import time from the pydantic models (so the
models stay the one definition of a valid message). It is stricter than the
models, never more lenient: a string where a number belongs, a float where an
integer belongs, an integer beyond 64 bits, a field seen twice with one bad value,
or JSON nested deeper than the codec allows all fail it, and the caller then asks
the pydantic models, which decide (and give the reason). So a frame that passes is
one :func:`aisci_tui.protocol.codec.decode` accepts, unchanged but for the ints a
float field reads as floats; ``tests/protocol/test_strict.py`` checks that on
hostile and generated frames.

Unknown fields are not looked at (the models keep them, whatever their type).
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable
from typing import Any

import msgspec
from pydantic import BaseModel

from aisci_tui.protocol.codec import MAX_DEPTH
from aisci_tui.protocol.fast import RawEvent, route
from aisci_tui.protocol.kinds import BY_TYPE
from aisci_tui.protocol.models import EVENT_MODELS

#: Integers the codec's JSON parser reads exactly (larger ones it turns into floats).
_Int = typing.Annotated[int, msgspec.Meta(ge=-(2**63), le=2**63 - 1)]
_SCALARS: dict[Any, Any] = {str: str, float: float, bool: bool, type(None): type(None), int: _Int}


class Unsupported(TypeError):
    """A model uses something the strict check cannot mirror exactly (an alias, a constraint...)."""


def _convert(tp: Any, structs: dict[type, type]) -> Any:
    if tp is Any:
        return msgspec.Raw  # anything goes, as in the models: kept as text, never built
    if tp in _SCALARS:
        return _SCALARS[tp]
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return _struct(tp, structs)
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        return typing.Union[tuple(_convert(a, structs) for a in args)]  # noqa: UP007
    if origin is list:
        return types.GenericAlias(list, (_convert(args[0], structs),))
    if origin is dict and args[0] is str:
        return types.GenericAlias(dict, (str, _convert(args[1], structs)))
    if origin is typing.Literal and all(isinstance(a, str) for a in args):
        return tp
    raise Unsupported(f"no strict form for {tp!r}")


def _struct(model: type[BaseModel], structs: dict[Any, type], tag: str | None = None) -> type:
    """The strict struct of ``model``; with ``tag``, of an envelope told apart by its ``type``
    (the field itself is then the tag, checked by the union that holds the struct)."""
    if (model, tag) in structs:
        return structs[model, tag]
    fields: list[tuple[Any, ...]] = []
    for name, info in model.model_fields.items():
        if info.alias or info.validation_alias or info.metadata:
            raise Unsupported(f"{model.__name__}.{name} has an alias or a constraint")
        if tag is not None and name == "type":
            continue
        kind = _convert(info.annotation, structs)
        fields.append((name, kind) if info.is_required() else (name, kind, None))
    options: dict[str, Any] = {"tag_field": "type", "tag": tag} if tag is not None else {}
    struct = msgspec.defstruct(f"Strict{model.__name__}", fields, kw_only=True, gc=False, **options)
    structs[model, tag] = struct
    return struct


_STRUCTS: dict[Any, type] = {}
_DECODERS: dict[str, Callable[[str | bytes], Any]] = {
    msg_type: msgspec.json.Decoder(_struct(model, _STRUCTS)).decode for msg_type, model in EVENT_MODELS.items()
}
#: Every event envelope as one union told apart by ``type``, and what routing reads of each.
_TAGGED = {
    _struct(model, _STRUCTS, msg_type): (msg_type, BY_TYPE.get(msg_type)) for msg_type, model in EVENT_MODELS.items()
}
_decode_any_event = msgspec.json.Decoder(typing.Union[tuple(_TAGGED)]).decode  # noqa: UP007


def conforms(msg_type: str, text: str | bytes) -> bool:
    """True if ``text`` is a valid event of ``msg_type`` by the strict check; False means: ask
    the models (it may still be valid, as the models are more lenient)."""
    decode = _DECODERS.get(msg_type)
    if decode is None:
        return False
    if _too_deep(text):
        return False
    try:
        decode(text)
    except (msgspec.ValidationError, msgspec.DecodeError):
        return False
    return True


def _too_deep(text: str | bytes) -> bool:
    """True if ``text`` may nest deeper than the codec allows (the codec walks such frames for
    their depth, and so do the models)."""
    opens = text.count("[") + text.count("{") if isinstance(text, str) else text.count(b"[") + text.count(b"{")
    return opens > MAX_DEPTH


def route_checked(frame: str | bytes) -> RawEvent | None:
    """:func:`~aisci_tui.protocol.fast.route` and :func:`conforms` in one parse.

    The same :class:`RawEvent` (or None) as ``route(frame)``, with ``conforms`` True when the
    strict check passed the frame. One msgspec decode of the union of the strict envelopes
    reads the routing fields and checks the rest; a frame it refuses is routed as before.
    """
    opens = frame.count("[") + frame.count("{") if isinstance(frame, str) else frame.count(b"[") + frame.count(b"{")
    if opens <= MAX_DEPTH:  # as in _too_deep, inlined for the flood
        try:
            event = _decode_any_event(frame)
        except (msgspec.ValidationError, msgspec.DecodeError):
            return route(frame)
        msg_type, kind = _TAGGED[type(event)]
        if kind is None:  # a system event: not deferred, whatever its shape
            return None
        data = event.data
        return RawEvent(
            msg_type,
            event.id,
            event.timestamp,
            getattr(data, kind.key),
            getattr(data, kind.session),
            frame,
            conforms=True,
        )
    return route(frame)
