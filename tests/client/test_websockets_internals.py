"""The websockets internal the ``events`` reader relies on: an upgrade that changes it fails here, by name.

:class:`~aisci_tui.client.reader.TextTagging` wraps the connection's ``recv_messages.put`` to note,
for each message, whether it came as a text frame (``recv(decode=False)`` hands both kinds over as
bytes). websockets is bounded below its next major version in ``pyproject.toml``; before raising
that bound, run this file against the new version.
"""

from __future__ import annotations

import asyncio

from websockets.asyncio.client import connect

from aisci_tui.client.reader import TextTagging
from aisci_tui.server import ProtocolServer, ServerConfig


async def test_a_text_frame_is_noted_as_text_and_handed_over_as_its_bytes():
    async with ProtocolServer(ServerConfig(port=0, api_keys=("k",), simulate=False)) as server:
        async with connect(server.url, create_connection=TextTagging) as ws:
            assert hasattr(ws, "recv_messages") and hasattr(ws.recv_messages, "put"), (
                "websockets' ClientConnection no longer has recv_messages.put: adapt aisci_tui/client/reader.py"
            )
            await ws.send('{"type":"ping","id":"p1"}')
            reply = await asyncio.wait_for(ws.recv(decode=False), 5)
            assert isinstance(reply, bytes) and b'"pong"' in reply
            assert list(ws.text_messages) == [True], "the message was not noted as it was queued"
