"""Every example message in the protocol guide decodes, and encodes back unchanged."""

from __future__ import annotations

import json

import pytest

from aisci_tui.protocol import EVENT_TYPES, MESSAGE_MODELS, decode, encode, to_obj
from aisci_tui.protocol.models import UnknownMessage
from tests.guide import guide_messages

try:
    EXAMPLES = guide_messages()
except BaseException:  # the guide may be absent: each test then skips
    EXAMPLES = []


def test_guide_has_examples_of_every_event_and_message():
    examples = guide_messages()
    types = {obj["type"] for _, obj in examples}
    assert set(EVENT_TYPES) <= types
    assert {"auth", "auth_response", "subscribe", "unsubscribe", "subscription_response", "error"} <= types
    assert len(examples) >= 15


@pytest.mark.parametrize("label,obj", EXAMPLES, ids=[label for label, _ in EXAMPLES])
def test_round_trip(label, obj):
    raw = json.dumps(obj)
    msg = decode(raw)
    if obj["type"] in MESSAGE_MODELS:
        assert type(msg) is MESSAGE_MODELS[obj["type"]]
    else:  # the guide's generic envelope ("type": "string") stays an unknown message, not an error
        assert isinstance(msg, UnknownMessage)
    # encoding gives back exactly what the guide wrote, and decoding that gives the same message
    assert to_obj(msg) == obj
    again = decode(encode(msg))
    assert again == msg
