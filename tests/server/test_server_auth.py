"""Authentication: API keys, JWTs, refresh, expiry, timeouts and permissions."""

from __future__ import annotations

import asyncio
import base64
import json
import time

import jwt
import pytest
from websockets.exceptions import ConnectionClosed

from aisci_tui.server.auth import Authenticator, AuthFailure, mint_jwt
from tests.server.helpers import API_KEY, SECRET, agent_ev, peer, running, system_ev


def _b64(obj: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()


def unsigned_token(claims: dict) -> str:
    return f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}."


async def auth_with(url: str, **data: str) -> dict:
    async with peer(url, authed=False) as p:
        await p.send("auth", data)
        return await p.expect("auth_response")


async def test_api_key_success(server):
    async with peer(server.url, authed=False) as p:
        request_id = await p.send("auth", {"api_key": API_KEY})
        resp = await p.expect("auth_response")
    assert resp["data"]["status"] == "success"
    assert resp["data"]["permissions"] == ["read"]
    assert API_KEY not in json.dumps(resp)
    assert resp["meta"]["correlation_id"] == request_id, "the answer names the request it answers"
    assert "expires_at" not in resp["data"]


async def test_api_key_in_token_field_is_accepted(server):
    resp = await auth_with(server.url, token=API_KEY)
    assert resp["data"]["status"] == "success"


async def test_wrong_api_key(server):
    resp = await auth_with(server.url, api_key="nope")
    assert resp["data"]["status"] == "error"
    assert resp["data"]["error"]["code"] == "INVALID_TOKEN"


async def test_jwt_success_reports_subject_and_expiry(server):
    resp = await auth_with(server.url, token=mint_jwt(SECRET, subject="alice", ttl=600))
    data = resp["data"]
    assert data["status"] == "success" and data["user_id"] == "alice"
    assert data["expires_at"].endswith("Z")
    assert data["permissions"] == ["read"]


@pytest.mark.parametrize(
    ("token", "code"),
    [
        (lambda: mint_jwt(SECRET, ttl=-10), "TOKEN_EXPIRED"),
        (lambda: unsigned_token({"sub": "x", "exp": int(time.time()) + 600}), "INVALID_TOKEN"),
        (lambda: jwt.encode({"sub": "x"}, SECRET, algorithm="HS256"), "INVALID_TOKEN"),
        (lambda: mint_jwt("another-secret-of-sufficient-length-123", ttl=600), "INVALID_TOKEN"),
        (lambda: "not.a.jwt", "INVALID_TOKEN"),
    ],
    ids=["expired", "alg-none", "no-exp", "wrong-signature", "garbage"],
)
async def test_bad_jwts(server, token, code):
    resp = await auth_with(server.url, token=token())
    assert resp["data"]["status"] == "error"
    assert resp["data"]["error"]["code"] == code


def test_authenticator_rejects_non_list_permissions():
    auth = Authenticator(SECRET, ())
    with pytest.raises(AuthFailure) as info:
        auth.check(mint_jwt(SECRET, permissions="read"), None)
    assert info.value.code == "INVALID_TOKEN"
    with pytest.raises(AuthFailure):
        auth.check(None, None)
    assert "secret" not in repr(auth).lower().replace("jwt=on", "")


async def test_three_failures_close_the_connection(server):
    async with peer(server.url, authed=False) as p:
        for _ in range(3):
            await p.send("auth", {"api_key": "wrong"})
            assert (await p.expect("auth_response"))["data"]["status"] == "error"
        with pytest.raises(ConnectionClosed):
            await p.recv(2)
        assert p.ws.close_code == 1008


async def test_subscribe_before_auth(server):
    async with peer(server.url, authed=False) as p:
        await p.send("subscribe", {"events": ["agent_status"]})
        err = await p.expect("error")
        assert err["data"]["code"] == "AUTHENTICATION_FAILED"


async def test_auth_timeout_closes_unauthenticated_connection():
    async with running(auth_timeout=0.3) as srv:
        async with peer(srv.url, authed=False) as p:
            err = await p.expect("error", timeout=2)
            assert err["data"]["code"] == "AUTHENTICATION_FAILED"
            with pytest.raises(ConnectionClosed):
                await p.recv(2)
            assert p.ws.close_code == 1008
        assert srv.stats["auth_timeouts"] == 1


async def test_refresh_keeps_subscriptions():
    async with running(token_refresh_lead=1.5) as srv:
        async with peer(srv.url, authed=False) as p:
            await p.send("auth", {"token": mint_jwt(SECRET, ttl=3)})
            assert (await p.expect("auth_response"))["data"]["status"] == "success"
            sub = await p.subscribe(["agent_status"])
            refresh = await p.expect("token_refresh_required", timeout=3)
            assert 0 < refresh["data"]["expires_in"] <= 1.5
            assert refresh["data"]["expires_at"].endswith("Z")
            await p.send("auth", {"token": mint_jwt(SECRET, ttl=600)})
            assert (await p.expect("auth_response"))["data"]["status"] == "success"
            await asyncio.sleep(1.6)  # past the first token's expiry
            await srv.publish(agent_ev("a9"))
            (ev,) = await p.events(1)
            assert ev["data"]["agent_id"] == "a9"
            assert sub["data"]["subscription_id"]
            assert not [m for m in p.seen if m["type"] == "error"]


async def test_expiry_without_refresh_fails_and_closes():
    async with running(token_refresh_lead=0.2) as srv:
        async with peer(srv.url, authed=False) as p:
            await p.send("auth", {"token": mint_jwt(SECRET, ttl=1)})
            await p.expect("auth_response")
            await p.expect("token_refresh_required", timeout=2)
            err = await p.expect("error", timeout=3)
            assert err["data"]["code"] == "AUTHENTICATION_FAILED"
            with pytest.raises(ConnectionClosed):
                await p.recv(2)


async def test_failed_reauth_keeps_the_session(server):
    async with peer(server.url) as p:
        await p.subscribe(["agent_status"])
        await p.send("auth", {"api_key": "wrong"})
        assert (await p.expect("auth_response"))["data"]["status"] == "error"
        await server.publish(agent_ev("a2"))
        assert (await p.events(1))[0]["data"]["agent_id"] == "a2"


async def test_permission_denied_for_system_events_only(server):
    token = mint_jwt(SECRET, ttl=600, permissions=["agents", "research"])
    async with peer(server.url, authed=False) as p:
        await p.send("auth", {"token": token})
        resp = await p.expect("auth_response")
        assert resp["data"]["permissions"] == ["agents", "research"]
        await p.send("subscribe", {"events": ["agent_status", "system_event"]})
        err = await p.expect("error")
        assert err["data"]["code"] == "PERMISSION_DENIED"
        assert err["data"]["details"]["permission_denied"] == ["system_event"]
        sub = await p.expect("subscription_response")
        assert sub["data"]["status"] == "success"
        assert sub["data"]["subscribed_events"] == ["agent_status"]
        await server.publish(system_ev("critical"))
        await server.publish(agent_ev("a3"))
        (ev,) = await p.events(1)
        assert ev["type"] == "agent_status"


async def test_dev_key_generated_without_credentials():
    async with running(jwt_secret=None, api_keys=()) as srv:
        assert srv.dev_api_key and len(srv.dev_api_key) >= 24
        resp = await auth_with(srv.url, api_key=srv.dev_api_key)
        assert resp["data"]["status"] == "success"
        resp = await auth_with(srv.url, token=mint_jwt(SECRET))
        assert resp["data"]["error"]["code"] == "INVALID_TOKEN"
    async with running() as srv:
        assert srv.dev_api_key is None


async def test_reauth_with_narrower_permissions_prunes_subscriptions(server):
    async with peer(server.url) as p:
        await p.subscribe(["agent_status", "system_event"])
        await p.send("auth", {"token": mint_jwt(SECRET, ttl=600, permissions=["agents"])})
        assert (await p.expect("auth_response"))["data"]["status"] == "success"
        err = await p.expect("error")
        assert err["data"]["code"] == "PERMISSION_DENIED"
        assert err["data"]["details"]["permission_denied"] == ["system_event"]
        await server.publish(system_ev())
        await server.publish(agent_ev("a5"))
        assert (await p.events(1))[0]["data"]["agent_id"] == "a5"
