"""Error type and error codes of the WebSocket protocol."""

from __future__ import annotations

from enum import StrEnum


class ProtocolError(Exception):
    """A frame that is not a valid protocol message.

    Decoding raises only this type, whatever the bytes were. ``reason`` is a
    short sentence fit for a log line; it never contains the raw frame.
    """

    def __init__(self, reason: str, *, msg_type: str | None = None, msg_id: str | None = None):
        super().__init__(reason)
        self.reason = reason
        self.msg_type = msg_type
        self.msg_id = msg_id


class ErrorCode(StrEnum):
    """Error codes from the guide's table, plus the auth codes it uses."""

    AUTHENTICATION_FAILED = "AUTHENTICATION_FAILED"
    PERMISSION_DENIED = "PERMISSION_DENIED"
    SUBSCRIPTION_FAILED = "SUBSCRIPTION_FAILED"
    RATE_LIMITED = "RATE_LIMITED"
    CONNECTION_LIMIT = "CONNECTION_LIMIT"
    INVALID_MESSAGE = "INVALID_MESSAGE"
    SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"
    # codes carried inside auth_response.data.error
    INVALID_TOKEN = "INVALID_TOKEN"
    TOKEN_EXPIRED = "TOKEN_EXPIRED"


#: What a person should read for each code (used by the dashboard and `events`).
ERROR_TEXT: dict[str, str] = {
    ErrorCode.AUTHENTICATION_FAILED: "The server rejected the credentials.",
    ErrorCode.PERMISSION_DENIED: "Your account may not see some of what was asked for.",
    ErrorCode.SUBSCRIPTION_FAILED: "The server refused part of the subscription.",
    ErrorCode.RATE_LIMITED: "Sending too fast; the server asked us to wait.",
    ErrorCode.CONNECTION_LIMIT: "The server has too many connections; backing off.",
    ErrorCode.INVALID_MESSAGE: "The server could not read a message we sent.",
    ErrorCode.SERVICE_UNAVAILABLE: "The service is temporarily unavailable; retrying.",
    ErrorCode.INVALID_TOKEN: "The token is not valid.",
    ErrorCode.TOKEN_EXPIRED: "The token has expired.",
}
