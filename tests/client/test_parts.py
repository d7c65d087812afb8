"""The parts that need no server: backoff, token bucket, credentials, redaction, URL checks."""

from __future__ import annotations

import logging
import os
import random
import socket
import ssl
import stat
import sys

import pytest
from websockets.datastructures import Headers
from websockets.exceptions import InvalidStatus
from websockets.http11 import Response

from aisci_tui import exitcodes
from aisci_tui.client import ClientConfig, Credential, CredentialError, Credentials, NoCredentials, redact_url
from aisci_tui.client.backoff import Backoff
from aisci_tui.client.failures import classify
from aisci_tui.logging_setup import add_secret, scrub, setup_logging
from aisci_tui.ratelimit import TokenBucket


class Upper:
    """An rng that always picks the top of the range, recording each call."""

    def __init__(self) -> None:
        self.calls: list[tuple[float, float]] = []

    def uniform(self, a: float, b: float) -> float:
        self.calls.append((a, b))
        return b


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_backoff_doubles_up_to_the_cap_with_full_jitter():
    rng = Upper()
    backoff = Backoff(base=0.5, cap=5.0, rng=rng)
    assert [backoff.delay(n) for n in range(7)] == [0.5, 1.0, 2.0, 4.0, 5.0, 5.0, 5.0]
    assert all(a == 0.0 for a, _ in rng.calls)  # full jitter: the range always starts at zero
    assert backoff.ceiling(10_000) == 5.0  # no overflow for absurd attempt numbers


def test_backoff_delays_stay_within_the_jitter_range_and_vary():
    backoff = Backoff(base=1.0, cap=8.0, rng=random.Random(42))
    for attempt in range(6):
        delays = [backoff.delay(attempt) for _ in range(200)]
        top = min(8.0, 2.0**attempt)
        assert all(0.0 <= d <= top for d in delays)
        assert max(delays) > top * 0.8 and min(delays) < top * 0.2  # spread over the whole range


def test_token_bucket_allows_a_burst_then_the_rate():
    clock = FakeClock()
    bucket = TokenBucket(rate=10.0, burst=3, clock=clock)
    assert [bucket.try_acquire() for _ in range(3)] == [0.0, 0.0, 0.0]
    wait = bucket.try_acquire()
    assert wait == pytest.approx(0.1)
    clock.now += 0.1
    assert bucket.try_acquire() == 0.0


async def test_token_bucket_acquire_waits_and_honours_a_pause():
    clock = FakeClock()
    bucket = TokenBucket(rate=4.0, burst=1, clock=clock)
    assert await bucket.acquire(clock.sleep) == 0.0
    assert await bucket.acquire(clock.sleep) == pytest.approx(0.25)
    bucket.pause(2.0)
    start = clock.now
    await bucket.acquire(clock.sleep)
    assert clock.now - start >= 2.0


def test_token_bucket_take_drops_what_comes_too_fast_and_says_when_to_retry():
    """The server's use of the same bucket: take or refuse, never wait."""
    clock = FakeClock()
    bucket = TokenBucket(rate=2.0, burst=2, clock=clock)
    assert [bucket.take() for _ in range(3)] == [True, True, False]
    assert bucket.retry_after() == pytest.approx(0.5)
    assert bucket.retry_after() == pytest.approx(0.5)  # asking takes nothing
    clock.now += 0.5
    assert bucket.take() and not bucket.take()


def test_unlimited_bucket_never_waits():
    bucket = TokenBucket(rate=0, burst=1)
    assert all(bucket.try_acquire() == 0.0 for _ in range(1000))


# -- credentials -----------------------------------------------------------------


async def test_environment_credentials_token_before_api_key():
    creds = Credentials.from_env_or_files(env={"AISCI_TOKEN": "a.b.c", "AISCI_API_KEY": "key"})
    assert await creds.get() == Credential("token", "a.b.c")
    creds = Credentials.from_env_or_files(env={"AISCI_API_KEY": "key-123"})
    assert (await creds.get()).auth_data() == {"api_key": "key-123"}
    assert not creds.refreshable


def test_no_credentials_says_how_to_provide_one():
    with pytest.raises(NoCredentials) as info:
        Credentials.from_env_or_files(env={})
    assert "AISCI_API_KEY=" in str(info.value) and "--token-file" in str(info.value)


async def test_token_file_is_reread_and_its_kind_detected(tmp_path):
    path = tmp_path / "token"
    path.write_text("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln\n")
    path.chmod(0o600)
    creds = Credentials.from_env_or_files(token_file=path, env={"AISCI_API_KEY": "ignored"})
    assert creds.warnings == []
    first = await creds.get()
    assert first.kind == "token"
    path.write_text("plain-api-key\n")
    second = await creds.get()
    assert second == Credential("api_key", "plain-api-key")
    path.write_text("   \n")
    with pytest.raises(CredentialError, match="is empty"):
        await creds.get()
    path.unlink()
    with pytest.raises(CredentialError, match="Could not read"):
        await creds.get()


def test_token_file_readable_by_others_gives_a_warning(tmp_path):
    path = tmp_path / "token"
    path.write_text("k")
    path.chmod(0o644)
    creds = Credentials(token_file=path)
    assert len(creds.warnings) == 1 and "chmod 600" in creds.warnings[0]


def test_missing_token_file_is_reported_at_once(tmp_path):
    with pytest.raises(CredentialError, match="does not exist"):
        Credentials(token_file=tmp_path / "nope")


async def test_token_command_runs_each_time_without_a_shell(tmp_path):
    counter = tmp_path / "n"
    script = tmp_path / "tok.py"
    script.write_text(
        "import pathlib, sys\n"
        f"p = pathlib.Path({str(counter)!r})\n"
        "n = int(p.read_text()) + 1 if p.exists() else 1\n"
        "p.write_text(str(n))\n"
        "print(f'key-{n}; $(echo not-a-shell)')\n"
    )
    creds = Credentials(token_command=f"{sys.executable} {script}")
    assert (await creds.get()).value == "key-1; $(echo not-a-shell)"
    assert (await creds.get()).value == "key-2; $(echo not-a-shell)"


async def test_failing_token_command_is_a_clear_error(tmp_path):
    creds = Credentials(token_command=f"{sys.executable} -c 'import sys; sys.exit(3)'")
    with pytest.raises(CredentialError, match="exit status 3"):
        await creds.get()
    creds = Credentials(token_command="/nonexistent/token-helper")
    with pytest.raises(CredentialError, match="Could not run"):
        await creds.get()
    with pytest.raises(CredentialError, match="could not be split"):
        Credentials(token_command="helper 'unbalanced")


def test_credentials_never_show_their_value():
    cred = Credential("api_key", "super-secret-value")
    assert "super-secret-value" not in repr(cred) and "super-secret-value" not in str(cred)


# -- logging ---------------------------------------------------------------------------


@pytest.fixture
def restore_logging():
    logger = logging.getLogger("aisci_tui")
    saved = (logger.level, logger.propagate, list(logger.handlers))
    yield
    setup_logging(None, False)
    logger.setLevel(saved[0])
    logger.propagate = saved[1]
    logger.handlers[:] = saved[2]


def test_log_file_is_private_and_secrets_are_scrubbed(tmp_path, restore_logging):
    path = tmp_path / "client.log"
    setup_logging(path, verbose=True)
    try:
        add_secret("hunter2-secret-token")
        log = logging.getLogger("aisci_tui.client.test")
        log.debug("sent %s", '{"type":"subscribe","token":"hunter2-secret-token"}')
        log.info("jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.abc and %s", "hunter2-secret-token")
        try:
            raise ValueError("boom hunter2-secret-token")
        except ValueError:
            log.exception("failed")
    finally:
        setup_logging(None, False)
    text = path.read_text()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert "hunter2" not in text and "eyJzdWIiOiJ4In0" not in text
    assert text.count("<redacted>") >= 4 and "boom" in text


def test_scrub_replaces_credential_fields_even_when_unknown():
    assert scrub('{"api_key": "zzz-unknown-key"}') == '{"api_key": "<redacted>"}'


# -- connection failures and URLs ------------------------------------------------------------


def _status(code: int) -> InvalidStatus:
    return InvalidStatus(Response(code, "x", Headers(), b""))


@pytest.mark.parametrize(
    "exc,transient,code",
    [
        (_status(404), False, exitcodes.NOT_WEBSOCKET),
        (_status(200), False, exitcodes.NOT_WEBSOCKET),
        (_status(401), False, exitcodes.AUTH_FAILED),
        (_status(503), True, None),
        (ssl.SSLCertVerificationError("bad cert"), False, exitcodes.TLS_FAILED),
        (socket.gaierror(-2, "Name or service not known"), False, exitcodes.HOST_NOT_FOUND),
        (ConnectionRefusedError(111, "refused"), True, None),
        (TimeoutError(), True, None),
    ],
)
def test_connect_failures_are_classified(exc, transient, code):
    failure = classify(exc, "ws://h/ws")
    assert failure.transient is transient
    if code is not None:
        assert failure.exit_code == code
    assert failure.text.endswith(".") and "Traceback" not in failure.text


def test_urls_are_checked_and_shown_without_credentials():
    assert redact_url("wss://user:pw@example.org:8443/ws?token=abc") == "wss://example.org:8443/ws"
    for bad in ("http://example.org/ws", "example.org", "ws://"):
        with pytest.raises(ValueError):
            ClientConfig(url=bad, credentials=Credentials(api_key="k"))
    cfg = ClientConfig(url="ws://h/ws", credentials=Credentials(api_key="k"), ping_interval=3.0)
    assert cfg.ping_timeout == 3.0
