"""Credential checks: HS256 JWTs and API keys, and the permission model.

Permissions
-----------
``read`` (or ``admin``) grants every event type. A JWT may narrow that with a
``permissions`` claim listing scopes instead; each event type needs ``read``,
``admin`` or its own scope:

==================== ===============
event type           scope
==================== ===============
agent_status         ``agents``
research_progress    ``research``
experiment_results   ``experiments``
ethical_assessment   ``ethics``
system_event         ``system``
==================== ===============

A JWT whose claim is ``["agents", "research"]`` may subscribe to agent and
research events; asking for ``system_event`` too yields ``PERMISSION_DENIED``
for that type while the rest of the subscription still works.
"""

from __future__ import annotations

import hashlib
import hmac
import time
import warnings
from dataclasses import dataclass

import jwt
from jwt.warnings import InsecureKeyLengthWarning

from aisci_tui.protocol.errors import ErrorCode

DEFAULT_PERMISSIONS: tuple[str, ...] = ("read",)
ALL_ACCESS = frozenset({"read", "admin"})
EVENT_SCOPES: dict[str, str] = {
    "agent_status": "agents",
    "research_progress": "research",
    "experiment_results": "experiments",
    "ethical_assessment": "ethics",
    "system_event": "system",
}
KNOWN_PERMISSIONS = ALL_ACCESS | {"write"} | set(EVENT_SCOPES.values())
#: Shorter HS256 secrets are easy to brute-force (RFC 7518 section 3.2).
MIN_SECRET_BYTES = 32


def mint_jwt(secret: str, subject: str = "dev", ttl: float = 3600, **claims: object) -> str:
    """An HS256 JWT for ``subject`` that expires ``ttl`` seconds from now."""
    now = int(time.time())
    payload: dict[str, object] = {"sub": subject, "iat": now, "exp": now + int(round(ttl))}
    payload.update(claims)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InsecureKeyLengthWarning)  # `serve` warns about short secrets itself
        return jwt.encode(payload, secret, algorithm="HS256")


class AuthFailure(Exception):
    """Credentials were refused; ``code`` is ``INVALID_TOKEN`` or ``TOKEN_EXPIRED``."""

    def __init__(self, code: ErrorCode, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is connected and what they may see."""

    user_id: str
    permissions: tuple[str, ...]
    kind: str  # "jwt" or "api_key"
    expires_at: float | None = None  # epoch seconds, JWTs only

    def may_read(self, event_type: str) -> bool:
        granted = set(self.permissions)
        return bool(granted & ALL_ACCESS) or EVENT_SCOPES.get(event_type, "\0") in granted


def _looks_like_jwt(value: str) -> bool:
    return value.count(".") == 2


class Authenticator:
    """Checks ``auth`` payloads against the configured secret and keys."""

    def __init__(self, jwt_secret: str | None, api_keys: tuple[str, ...]):
        self._secret = jwt_secret
        self._keys = tuple(k.encode() for k in api_keys)

    def __repr__(self) -> str:
        return f"Authenticator(jwt={'on' if self._secret else 'off'}, api_keys={len(self._keys)})"

    def check(self, token: str | None, api_key: str | None) -> Principal:
        """A :class:`Principal` for valid credentials; raises :class:`AuthFailure` otherwise.

        An API key sent in the ``token`` field is accepted as well, so simple
        clients that only know ``token`` can use either kind of credential.
        """
        if api_key:
            return self._check_key(api_key)
        if token:
            if not _looks_like_jwt(token) and self._keys:
                return self._check_key(token)
            return self._check_jwt(token)
        raise AuthFailure(ErrorCode.INVALID_TOKEN, "auth needs data.token or data.api_key")

    def _check_key(self, api_key: str) -> Principal:
        given = api_key.encode()
        match = None
        for index, key in enumerate(self._keys):  # compare with every key: timing says nothing
            if hmac.compare_digest(given, key) and match is None:
                match = index
        if match is None:
            raise AuthFailure(ErrorCode.INVALID_TOKEN, "API key not recognised")
        digest = hashlib.sha256(self._keys[match]).hexdigest()[:10]
        return Principal(user_id=f"apikey-{digest}", permissions=DEFAULT_PERMISSIONS, kind="api_key")

    def _check_jwt(self, token: str) -> Principal:
        if not self._secret:
            raise AuthFailure(ErrorCode.INVALID_TOKEN, "this server does not accept JWTs")
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", InsecureKeyLengthWarning)
                claims = jwt.decode(token, self._secret, algorithms=["HS256"], options={"require": ["exp"]})
        except jwt.ExpiredSignatureError:
            raise AuthFailure(ErrorCode.TOKEN_EXPIRED, "token has expired") from None
        except jwt.MissingRequiredClaimError:
            raise AuthFailure(ErrorCode.INVALID_TOKEN, "token has no 'exp' claim") from None
        except jwt.InvalidAlgorithmError:
            raise AuthFailure(ErrorCode.INVALID_TOKEN, "token algorithm not allowed (HS256 only)") from None
        except jwt.InvalidSignatureError:
            raise AuthFailure(ErrorCode.INVALID_TOKEN, "token signature does not verify") from None
        except jwt.PyJWTError:
            raise AuthFailure(ErrorCode.INVALID_TOKEN, "token is not a valid JWT") from None
        exp = claims.get("exp")
        if not isinstance(exp, int | float):
            raise AuthFailure(ErrorCode.INVALID_TOKEN, "token 'exp' is not a number")
        perms = claims.get("permissions", list(DEFAULT_PERMISSIONS))
        if not isinstance(perms, list) or not all(isinstance(p, str) for p in perms):
            raise AuthFailure(ErrorCode.INVALID_TOKEN, "token 'permissions' must be a list of strings")
        subject = claims.get("sub")
        user = subject if isinstance(subject, str) and subject else "anonymous"
        narrowed = tuple(p for p in perms if p in KNOWN_PERMISSIONS)
        return Principal(user_id=user[:128], permissions=narrowed, kind="jwt", expires_at=float(exp))
