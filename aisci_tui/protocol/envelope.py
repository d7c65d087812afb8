"""The base of every protocol model, and the envelope every message shares.

Lenient where the real world is messy: unknown fields are kept (``extra="allow"``)
and enum-like fields are plain strings, so a value this version does not know
(a new agent status, say) survives decoding and can be shown as the raw word.
Strict where it matters: identity fields are required, numbers must be finite,
and a field of the wrong type is rejected with a precise reason.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict


class Model(BaseModel):
    """Base of every protocol model: keeps unknown fields, rejects NaN/Infinity."""

    model_config = ConfigDict(extra="allow", allow_inf_nan=False, populate_by_name=True)


# -- envelope ---------------------------------------------------------------


class Meta(Model):
    version: str | None = None
    source: str | None = None
    correlation_id: str | None = None


class Envelope(Model):
    """Every message: ``type``, ``id``, ``timestamp``, ``data`` and optional ``meta``."""

    #: The message type a subclass stands for: the default of its ``type`` field ("" when none).
    TYPE: ClassVar[str] = ""

    type: str
    id: str | None = None
    timestamp: str | None = None
    data: Any = None
    meta: Meta | None = None

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        default = cls.model_fields["type"].default
        if isinstance(default, str):
            cls.TYPE = default


class UnknownMessage(Envelope):
    """A well-formed envelope whose ``type`` this version does not know."""

    data: Any = None
