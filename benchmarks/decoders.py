"""Decoding alternatives, timed on the same frames without the network (part of the ingest report).

Each candidate turns one frame into something the store could use:

* ``json.loads`` / ``orjson.loads``: parsing only, no validation (the baselines' work).
* ``codec.decode``: the project's path (orjson, then the pydantic model for the type).
* ``pydantic union validate_json``: one discriminated-union TypeAdapter over the five
  event models, validating straight from the bytes (no Python dict in between).
* ``msgspec typed``: msgspec Structs mirroring the event models. Checks types as
  strictly as the models do for the fields they name, ignores unknown fields instead
  of keeping them.
* ``fast.route``: what the client does for the dashboard with agent, progress,
  experiment and assessment frames: msgspec reads only the routing fields (the
  whole frame's JSON syntax is still checked) and the frame's text is kept; the
  store validates it with ``codec`` on first read. Other frames fall back to
  ``codec.decode`` here, as in the client.

CPU time per frame, best of several passes, frames held briefly (like a client) so
allocation and garbage collection behave as they do in a pipeline.
"""

from __future__ import annotations

import json
import time
from collections import deque
from collections.abc import Callable
from typing import Annotated, Any, Union

import orjson


def _pydantic_union() -> Callable[[bytes], Any]:
    from pydantic import Field, TypeAdapter

    from aisci_tui.protocol.models import EVENT_MODELS

    union = Annotated[Union[tuple(EVENT_MODELS.values())], Field(discriminator="type")]  # noqa: UP007
    return TypeAdapter(union).validate_json


def _msgspec_decoder() -> Callable[[bytes], Any] | None:
    try:
        from benchmarks.msgspec_models import decoder
    except ImportError:
        return None
    return decoder()


def candidates() -> dict[str, Callable[[bytes], Any]]:
    from aisci_tui.protocol import codec

    out: dict[str, Callable[[bytes], Any]] = {
        "json.loads (no validation)": json.loads,
        "orjson.loads (no validation)": orjson.loads,
        "codec.decode (orjson + pydantic model)": codec.decode,
        "pydantic union validate_json": _pydantic_union(),
    }
    fast = _msgspec_decoder()
    if fast is not None:
        out["msgspec typed structs"] = fast
    from aisci_tui.protocol.fast import route

    out["fast.route (routing fields, else codec.decode)"] = lambda frame: route(frame) or codec.decode(frame)
    return out


def measure(frames: list[bytes], passes: int = 3, window: int = 1000) -> dict[str, float]:
    """Microseconds of CPU per frame for each candidate (best pass)."""
    out = {}
    for name, fn in candidates().items():
        best = float("inf")
        for _ in range(passes):
            held: deque[Any] = deque(maxlen=window)
            t0 = time.process_time()
            for frame in frames:
                held.append(fn(frame))
            best = min(best, time.process_time() - t0)
        out[name] = round(best / len(frames) * 1e6, 2)
    return out
