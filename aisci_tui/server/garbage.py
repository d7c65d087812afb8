"""Malformed frames for fault injection (``malformed_every``), varied on purpose."""

from __future__ import annotations

from aisci_tui.protocol.codec import now_iso

_STAMP = "{stamp}"

GARBAGE: tuple[str | bytes, ...] = (
    '{"type": "agent_status", "id": "evt-broken", "data": {"agent_id": ',  # truncated JSON
    '{"type":"agent_status","id":"evt-types","timestamp":"' + _STAMP + '",'
    '"data":{"agent_id":42,"status":["busy"]}}',  # wrong field types
    '{"type":"research_progress","timestamp":"'
    + _STAMP
    + '","data":{"session_id":"s","overall_progress":0.5}}',  # no id
    "[1, 2, 3]",  # bare array
    '"just a string"',  # bare string
    '{"type":"research_progress","id":"evt-nan","data":{"session_id":"s","overall_progress":NaN}}',  # NaN
    b"\xff\xfe\x00\x01 not utf-8 \xc3\x28",  # binary, invalid UTF-8
    '{"type": 123, "id": "evt-numtype", "data": {}}',  # type is not a string
    '{"type":"experiment_results","id":"evt-datastr","timestamp":"' + _STAMP + '","data":"not an object"}',
    "[" * 5000 + "]" * 5000,  # deep nesting
    '{"type":"ethical_assessment","id":"evt-missing","timestamp":"' + _STAMP + '","data":{"resource_id":"r"}}',
    "",  # empty frame
)


def garbage_frame(n: int) -> str | bytes:
    """The ``n``-th malformed frame (cycling through the kinds)."""
    frame = GARBAGE[n % len(GARBAGE)]
    if isinstance(frame, str):
        return frame.replace(_STAMP, now_iso())
    return frame
