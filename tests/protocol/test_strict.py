"""The strict check never accepts what the models reject, and accepts the ordinary frames."""

from __future__ import annotations

import json

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aisci_tui.protocol import ProtocolError, decode
from aisci_tui.protocol.fast import route
from aisci_tui.protocol.models import EVENT_MODELS
from aisci_tui.protocol.strict import conforms, route_checked
from benchmarks import frames as framegen
from tests.guide import guide_messages
from tests.hardening.hostile import BytesChooser, envelope, mutate

CASES = 2_500


def agrees(frame: str | bytes) -> bool:
    """Check one frame; returns whether the strict check passed it."""
    head = orjson.loads(frame) if conforms_shape(frame) else None
    msg_type = head.get("type") if isinstance(head, dict) else None
    if not isinstance(msg_type, str) or not conforms(msg_type, frame):
        return False
    try:
        msg = decode(frame)
    except ProtocolError as exc:  # pragma: no cover - the failure this test is for
        raise AssertionError(f"the strict check passed a frame the models reject: {exc.reason}") from None
    assert msg.type == msg_type
    return True


def conforms_shape(frame: str | bytes) -> bool:
    try:
        orjson.loads(frame)
    except orjson.JSONDecodeError:
        return False
    return True


def test_ordinary_frames_pass_and_bad_values_fail():
    stream = framegen.stream(2_000)
    passed = sum(agrees(f.decode()) for f in stream)
    assert passed == len(stream)
    base = {"type": "agent_status", "id": "e", "data": {"agent_id": "a", "status": "busy"}}
    assert conforms("agent_status", json.dumps(base))
    for bad in (
        {"status": 5},
        {"status": None},
        {"performance": {"cpu_usage": "0.5"}},
        {"health": {"error_count": 1.5}},
        {"health": {"error_count": 2**70}},
    ):
        frame = json.dumps({**base, "data": {**base["data"], **bad}})
        assert not conforms("agent_status", frame), bad
    twice = '{"type":"agent_status","id":"e","data":{"agent_id":"a","status":"busy","status":7}}'
    assert not conforms("agent_status", twice)
    nested: list = []
    for _ in range(150):
        nested = [nested]
    deep = json.dumps({**base, "data": {**base["data"], "x": nested}})
    with pytest.raises(ProtocolError):
        decode(deep)
    assert not conforms("agent_status", deep)


def test_every_event_type_has_a_strict_form():
    for msg_type in EVENT_MODELS:
        assert not conforms(msg_type, "{}")  # required fields missing
    assert not conforms("subscribe", '{"type":"subscribe"}')  # control messages: the models decide


def _settings() -> settings:
    return settings(
        max_examples=CASES, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck)
    )


def test_generated_and_mutated_frames_pass_only_if_the_models_accept_them():
    examples = [obj for _, obj in guide_messages() if obj.get("type") in EVENT_MODELS]
    assert examples
    counts = {"passed": 0, "ran": 0}

    @_settings()
    @given(st.binary(min_size=64, max_size=400))
    def prop(blob):
        c = BytesChooser(blob)
        counts["ran"] += 1
        if c.integer(0, 1):
            obj = envelope(c)
            frame = (
                json.dumps(obj, allow_nan=True)
                if not c.integer(0, 2) == 0 or not isinstance(obj, dict)
                else mutate(c, obj)
            )
        else:
            frame = mutate(c, examples[c.integer(0, len(examples) - 1)])
        if isinstance(frame, str) and route(frame) is not None and agrees(frame):
            counts["passed"] += 1

    prop()
    assert counts["ran"] == CASES
    assert counts["passed"] > CASES // 20, counts  # the property was exercised on frames that pass


def routed_alike(frame: str | bytes) -> bool:
    """``route_checked`` gives what ``route`` gives, and says ``conforms`` only of frames the strict
    check (and so the models) accept; returns whether it said so. Frames are text, as the client
    reads them (the socket layer has checked their UTF-8)."""
    if isinstance(frame, bytes):
        try:
            frame = frame.decode()
        except UnicodeDecodeError:
            return False
    plain, checked = route(frame), route_checked(frame)
    assert (plain is None) == (checked is None)
    if plain is None or checked is None:
        return False
    fields = ("type", "id", "timestamp", "key", "session_id", "text")
    assert [getattr(checked, f) for f in fields] == [getattr(plain, f) for f in fields]
    assert not plain.conforms
    if checked.conforms:
        assert agrees(frame)
    else:
        assert not conforms(plain.type, frame)
    return checked.conforms


def test_one_parse_routes_and_checks_as_the_two_did():
    stream = framegen.stream(2_000)
    assert sum(routed_alike(f.decode()) for f in stream) == sum(route(f) is not None for f in stream) > 1_000
    examples = [obj for _, obj in guide_messages() if obj.get("type") in EVENT_MODELS]
    counts = {"passed": 0}

    @_settings()
    @given(st.binary(min_size=64, max_size=400))
    def prop(blob):
        c = BytesChooser(blob)
        frame = (
            json.dumps(envelope(c), allow_nan=True)
            if c.integer(0, 1)
            else mutate(c, examples[c.integer(0, len(examples) - 1)])
        )
        counts["passed"] += routed_alike(frame)

    prop()
    assert counts["passed"] > CASES // 20, counts
    twice = '{"type":"agent_status","id":"e","data":{"agent_id":"a","status":"busy"},"type":"research_progress"}'
    assert not routed_alike(twice)
