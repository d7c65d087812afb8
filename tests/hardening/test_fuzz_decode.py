"""Fuzzing the decoder: whatever the bytes, decoding raises ProtocolError or returns a sound message.

Two property tests: envelopes generated from scratch (every event type, wrong
field types, odd values), and mutations of every example message in the
protocol guide (dropped fields, wrong types, huge values, deep nesting,
invalid UTF-8, NaN/Infinity, duplicated ids and keys, broken timestamps).
Each test checks how many cases really ran; ``test_fuzz_budget`` in
``test_fuzz_store.py`` adds them up.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aisci_tui.protocol import Envelope, Event, ProtocolError, decode, encode, expand_batch
from aisci_tui.protocol.codec import to_obj
from aisci_tui.protocol.fast import route
from aisci_tui.protocol.models import Batch
from tests.guide import guide_messages
from tests.hardening.conftest import FUZZ_COUNTS
from tests.hardening.hostile import BytesChooser, envelope, is_finite_json, mutate

#: The fuzz tests run in one process, so the session's fuzz budget (tests/hardening/conftest.py)
#: sees them all and is checked.
pytestmark = pytest.mark.xdist_group("fuzz")

GENERATED_CASES = 3_800
GUIDE_CASES = 5_000


def fuzz(cases: int, *, derandomize: bool = True) -> settings:
    """Settings for ``cases`` examples (no example database, no deadline); reproducible unless told not."""
    return settings(
        max_examples=cases,
        deadline=None,
        derandomize=derandomize,
        database=None,
        print_blob=True,
        suppress_health_check=list(HealthCheck),
    )


def check_frame(frame: str | bytes) -> Envelope | None:
    """Decode ``frame``; only ProtocolError may escape, and what decodes must be sound.

    A text frame that :func:`route` defers (as the client does for the dashboard) must,
    once validated, come out exactly as the eager decoder says: the same event, or rejected.
    """
    raw = route(frame) if isinstance(frame, str) else None
    try:
        msg = decode(frame)
    except ProtocolError as exc:
        assert isinstance(exc.reason, str) and len(exc.reason) < 400, "reasons never echo the frame"
        if raw is not None:
            with pytest.raises(ProtocolError):
                raw.validate()
        return None
    if raw is not None:
        deferred = raw.validate()
        assert isinstance(msg, Event) and to_obj(deferred) == to_obj(msg), "deferred validation agrees"
    assert isinstance(msg, Envelope) and isinstance(msg.type, str) and msg.type
    obj = to_obj(msg)
    assert is_finite_json(obj), "NaN or infinity got through"
    again = decode(encode(msg))
    assert type(again) is type(msg) and again.id == msg.id
    if isinstance(msg, Event):
        assert isinstance(msg.id, str)
    if isinstance(msg, Batch):
        for item in expand_batch(msg):
            assert isinstance(item, Event | ProtocolError)
    return msg


def fuzz_generated(cases: int, *, derandomize: bool = True) -> int:
    """Decode ``cases`` generated envelopes (a third of them mutated); returns how many ran."""
    ran = 0

    @fuzz(cases, derandomize=derandomize)
    @given(st.binary(min_size=64, max_size=400))
    def prop(blob):
        nonlocal ran
        ran += 1
        c = BytesChooser(blob)
        obj = envelope(c)
        frame: str | bytes = json.dumps(obj, allow_nan=True)
        if c.integer(0, 2) == 0:
            frame = mutate(c, obj) if isinstance(obj, dict) else frame
        check_frame(frame)

    prop()
    return ran


def fuzz_guide(cases: int, *, derandomize: bool = True) -> int:
    """Decode ``cases`` mutations of the guide's example messages; returns how many ran."""
    examples = guide_messages()
    ran = 0

    @fuzz(cases, derandomize=derandomize)
    @given(st.binary(min_size=8, max_size=64))
    def prop(blob):
        nonlocal ran
        ran += 1
        c = BytesChooser(blob)
        _, obj = examples[c.integer(0, len(examples) - 1)]
        check_frame(mutate(c, obj))

    prop()
    return ran


def test_generated_envelopes_decode_or_raise_protocol_error():
    ran = fuzz_generated(GENERATED_CASES)
    FUZZ_COUNTS["generated envelopes"] = ran
    assert ran == GENERATED_CASES


def test_mutated_guide_messages_decode_or_raise_protocol_error():
    examples = guide_messages()
    assert len(examples) >= 15
    for _, obj in examples:  # unmutated, every example decodes
        assert check_frame(json.dumps(obj)) is not None
    ran = fuzz_guide(GUIDE_CASES)
    FUZZ_COUNTS["mutated guide messages"] = ran
    assert ran == GUIDE_CASES


def test_reasons_stay_short_when_the_frame_has_huge_keys():
    """Found by the soak run: a dict key from the frame was quoted whole in the reason."""
    frameworks = {f"{'k' * 70_000}{n}": 1 for n in range(5)}
    frame = json.dumps(
        {
            "type": "ethical_assessment",
            "id": "x",
            "data": {"resource_id": "r", "assessment": {"frameworks": frameworks}},
        }
    )
    assert check_frame(frame) is None  # check_frame asserts the reason is under 400 characters
