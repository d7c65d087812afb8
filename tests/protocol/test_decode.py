"""Decoding is lenient where the world is messy and strict where it matters."""

from __future__ import annotations

import json

import pytest

from aisci_tui.protocol import ProtocolError, decode, encode, expand_batch, make
from aisci_tui.protocol.models import AgentStatus, Batch, ExperimentResults, Ping, UnknownMessage


def agent(**data):
    base = {"agent_id": "a1", "status": "busy"}
    base.update(data)
    return {"type": "agent_status", "id": "m1", "timestamp": "2026-01-01T00:00:00Z", "data": base}


def test_unknown_fields_are_kept_and_encoded_back():
    obj = agent(gpu={"model": "A100"}, status="busy")
    obj["data"]["performance"] = {"cpu_usage": 0.5, "numa_node": 1}
    msg = decode(json.dumps(obj))
    assert msg.data.gpu == {"model": "A100"}
    assert msg.data.performance.numa_node == 1
    assert json.loads(encode(msg)) == obj


def test_unknown_enum_value_is_kept_as_string():
    msg = decode(json.dumps(agent(status="hibernating")))
    assert isinstance(msg, AgentStatus)
    assert msg.data.status == "hibernating"


def test_unknown_message_type_is_kept_not_rejected():
    msg = decode('{"type": "agent_heartbeat", "id": "x", "data": {"a": 1}}')
    assert isinstance(msg, UnknownMessage)
    assert msg.type == "agent_heartbeat"


@pytest.mark.parametrize(
    "obj,needle",
    [
        (agent(agent_id=None), "data.agent_id"),
        ({"type": "agent_status", "id": "m", "data": {"status": "busy"}}, "data.agent_id: Field required"),
        (agent(current_task={"progress": "lots"}), "data.current_task.progress"),
        ({"type": "agent_status", "data": {"agent_id": "a", "status": "idle"}}, "id: Field required"),
        ({"type": "experiment_results", "id": "e", "data": {"experiment_id": "x"}}, "data.status"),
        (
            {"type": "research_progress", "id": "r", "data": {"session_id": "s", "milestones": [{}]}},
            "data.milestones.0.name",
        ),
        ({"type": "ethical_assessment", "id": "e", "data": {"resource_id": "r"}}, "data.assessment"),
        ({"type": "error", "id": "e", "data": {"message": "x"}}, "data.code"),
        ({"type": "ack", "id": "e", "data": {}}, "data.original_id"),
        ({"type": "subscribe", "id": "s", "data": {"events": "agent_status"}}, "data.events"),
    ],
)
def test_missing_or_wrong_fields_are_rejected_with_a_precise_reason(obj, needle):
    with pytest.raises(ProtocolError) as info:
        decode(json.dumps(obj))
    assert needle in info.value.reason


HOSTILE = [
    b"\xff\xfe\xfd",
    b'{"type": "agent_status", "id": "\xc3\x28"}',
    "",
    " ",
    "null",
    "true",
    "42",
    "-1e400",
    '"agent_status"',
    "[]",
    '[{"type": "agent_status"}]',
    "{",
    '{"type": "agent_status", "id": "m", "data": {"agent_id": "a", "status": "busy"}',
    '{"type": NaN}',
    '{"type": "research_progress", "id": "r", "data": {"session_id": "s", "overall_progress": NaN}}',
    '{"type": "research_progress", "id": "r", "data": {"session_id": "s", "overall_progress": Infinity}}',
    '{"type": "research_progress", "id": "r", "data": {"session_id": "s", "overall_progress": 1e999}}',
    "[" * 100_000 + "]" * 100_000,
    '{"a":' * 100_000 + "1" + "}" * 100_000,
    '{"id": "m", "data": {}}',
    '{"type": 5, "id": "m", "data": {}}',
    '{"type": "", "id": "m"}',
    '{"type": ["agent_status"], "id": "m"}',
    '{"type": "agent_status", "id": 7, "data": {"agent_id": "a", "status": "busy"}}',
    '{"type": "agent_status", "id": "m", "data": "busy"}',
    '{"type": "agent_status", "id": "m", "data": {"agent_id": ["a"], "status": "busy"}}',
    '{"type": "agent_status", "id": "m", "data": {"agent_id": "a", "status": {"$gt": ""}}}',
    '{"type": "experiment_results", "id": "e", "data": {"experiment_id": "x", "status": "completed",'
    ' "results": {"key_findings": "all of them"}}}',
    '{"type": "ethical_assessment", "id": "e", "data": {"resource_id": "r", "assessment": []}}',
    '{"type": "batch", "id": "b", "data": {"events": {"not": "a list"}}}',
    "\x00\x01\x02",
    "\ufeff{}",
    '{"type": "error", "id": "e", "data": {"code": "RATE_LIMITED", "retry_after": -5}}',
]


@pytest.mark.parametrize("frame", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_frames_raise_only_protocol_error(frame):
    with pytest.raises(ProtocolError):
        decode(frame)


def test_frame_over_the_size_limit_is_refused_before_parsing():
    big = json.dumps(agent(name="x" * 2_000))
    with pytest.raises(ProtocolError, match="exceeds"):
        decode(big, max_size=1_000)
    assert decode(big).data.name == "x" * 2_000


def test_non_frame_objects_raise_protocol_error():
    with pytest.raises(ProtocolError):
        decode(12345)  # type: ignore[arg-type]


def test_binary_frames_with_valid_json_decode():
    assert isinstance(decode(json.dumps(agent()).encode()), AgentStatus)


def test_batch_items_decode_one_by_one():
    good = agent()
    other = {"type": "experiment_results", "id": "e1", "data": {"experiment_id": "x", "status": "failed"}}
    batch = decode(
        json.dumps(
            {
                "type": "batch",
                "id": "b",
                "data": {"events": [good, {"type": "agent_status"}, other, 3, {"type": "ping", "id": "p"}]},
            }
        )
    )
    assert isinstance(batch, Batch)
    items = expand_batch(batch)
    assert isinstance(items[0], AgentStatus)
    assert isinstance(items[1], ProtocolError)
    assert isinstance(items[2], ExperimentResults)
    assert isinstance(items[3], ProtocolError)
    assert isinstance(items[4], ProtocolError)


def test_make_builds_typed_messages_with_id_and_timestamp():
    msg = make("ping", {})
    assert isinstance(msg, Ping)
    assert msg.id and msg.id.startswith("msg_")
    assert msg.timestamp.endswith("Z")


def test_auth_payload_is_not_shown_in_repr():
    msg = make("auth", {"token": "s3cret-token-value"})
    assert "s3cret" not in repr(msg)
    assert "s3cret" not in str(msg)


def test_camel_case_options_from_the_typescript_client_are_understood():
    msg = decode(
        json.dumps(
            {
                "type": "subscribe",
                "id": "s",
                "data": {"events": ["agent_status"], "options": {"includeHistory": True, "batchSize": 5}},
            }
        )
    )
    assert msg.data.options.include_history is True
    assert msg.data.options.batch_size == 5
