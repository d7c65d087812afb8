"""What the client does with each message: replies, errors, authentication, subscriptions.

:class:`ProtocolHandler` is the part of :class:`~aisci_tui.client.client.Client`
that reads messages and sends requests; what it has to say goes to the
client's :class:`~aisci_tui.client.outlet.Outlet`.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from aisci_tui import exitcodes
from aisci_tui.client.credentials import Credential, CredentialError
from aisci_tui.client.errors import AckTimeout, Fatal, LinkDrop, SubscriptionError
from aisci_tui.client.link import Link
from aisci_tui.protocol import ERROR_TEXT, ErrorCode, ProtocolError, expand_batch, make
from aisci_tui.protocol.codec import from_obj, parse_json
from aisci_tui.protocol.models import Envelope, Event, UnknownMessage
from aisci_tui.textsafe import clean

if TYPE_CHECKING:
    from aisci_tui.client.config import ClientConfig
    from aisci_tui.client.outlet import Outlet
    from aisci_tui.client.records import ClientStats, SubscriptionRecord
    from aisci_tui.ratelimit import TokenBucket

log = logging.getLogger("aisci_tui.client")

AUTH_CODES = frozenset({ErrorCode.AUTHENTICATION_FAILED, ErrorCode.INVALID_TOKEN, ErrorCode.TOKEN_EXPIRED})
#: Longest pause a RATE_LIMITED error can impose on us.
MAX_RATE_PAUSE = 60.0
#: Seconds a SERVICE_UNAVAILABLE error waits for the server to close with 1001 (going away): a server
#: that announces its shutdown so is restarting, which is a reconnection, not an error to look at.
GOING_AWAY_WAIT = 1.0


async def going_away(link: Link, wait: float = GOING_AWAY_WAIT) -> bool:
    """Whether the server closes ``link`` with 1001 (going away) within ``wait`` seconds."""
    ws = link.ws
    try:
        await asyncio.wait_for(asyncio.shield(ws.wait_closed()), wait)
    except TimeoutError:
        return False
    received = ws.protocol.close_rcvd
    return received is not None and received.code == 1001


def reply_to(msg: Envelope) -> str | None:
    """The id of the request ``msg`` answers, if it says."""
    if msg.meta is not None and msg.meta.correlation_id:
        return msg.meta.correlation_id
    cid = getattr(msg.data, "correlation_id", None)
    return cid if isinstance(cid, str) else None


def answered(pending: dict[str, Any], *names: str | None) -> str | None:
    """Which pending request a reply answers: the first of the ids it ``names`` that is
    pending, else the oldest pending request (a server may use ``correlation_id`` as a
    tracing id of its own, or leave it out, and answer in order); None if none is pending."""
    for name in names:
        if name is not None and name in pending:
            return name
    return next(iter(pending), None)


def server_text(value: Any, limit: int = 200) -> str:
    return clean(value, limit)


def error_sentence(code: str, message: str = "") -> str:
    """The sentence shown for an error code, with the server's own words after it."""
    base = ERROR_TEXT.get(code, f"The server reported an error ({server_text(code, 40)}).")
    extra = server_text(message)
    return f"{base.rstrip('.;')} ({extra})." if extra else base


def _names(details: dict[str, Any] | None, key: str) -> str:
    values = (details or {}).get(key)
    if not isinstance(values, list) or not values:
        return ""
    return ", ".join(server_text(v, 60) for v in values[:20])


class ProtocolHandler:
    """What each message means: the part of the client that answers the protocol.

    It owns no connection and no queue: it reads frames given to it, sends on the
    :class:`Link` it is given, and passes events and notices to ``out``.
    """

    def __init__(self, config: ClientConfig, stats: ClientStats, bucket: TokenBucket, out: Outlet, label: str) -> None:
        self.config = config
        self.stats = stats
        self.bucket = bucket
        self.out = out
        self.label = label

    # -- incoming -------------------------------------------------------------

    async def handle_frame(self, link: Link, frame: str | bytes) -> None:
        """Handle one frame in full (the reader has routed the deferrable ones already)."""
        if not isinstance(frame, str):
            self.out.invalid(f"binary frame of {len(frame)} bytes (the protocol uses text frames)")
            return
        try:
            obj = parse_json(frame, self.config.max_frame)
        except ProtocolError as exc:
            self.out.invalid(exc.reason)
            return
        await self.handle_obj(link, obj)

    async def handle_obj(self, link: Link, obj: Any) -> None:
        """Handle one parsed frame in full (validated now, whatever its type)."""
        try:
            msg = from_obj(obj)
        except ProtocolError as exc:
            self.out.invalid(exc.reason)
            return
        if isinstance(msg, Event):
            self.out.event(msg)
        elif msg.type == "batch":
            for item in expand_batch(msg):
                if isinstance(item, Event):
                    self.out.event(item)
                else:
                    self.out.invalid(f"in a batch: {item.reason}")
        elif msg.type == "auth_response":
            if link.auth_waiter is not None and not link.auth_waiter.done():
                link.auth_waiter.set_result(msg)
            elif msg.data.status != "success":
                self._spawn_reauth(link, expired=False)
        elif msg.type == "subscription_response":
            self._resolve(link.sub_waiters, msg, reply_to(msg))
        elif msg.type == "ack":
            self._resolve(link.ack_waiters, msg, msg.data.original_id, reply_to(msg))
        elif msg.type in ("pong", "ping"):
            pass  # any frame counts as a sign of life
        elif msg.type == "token_refresh_required":
            self._spawn_reauth(link, expired=False, refresh=True)
        elif msg.type == "error":
            await self._on_error(link, msg)
        elif isinstance(msg, UnknownMessage):  # a newer server's type: said as its raw word, never dropped
            kind = server_text(msg.type, 60)
            self.out.notice(
                "unknown", f"Unknown message type {kind!r} (this version cannot show it).", details={"type": kind}
            )
        else:
            self.out.invalid(f"unexpected message type {server_text(msg.type, 40)!r}")

    @staticmethod
    def _resolve(table: dict[str, asyncio.Future[Envelope]], msg: Envelope, *names: str | None) -> None:
        key = answered(table, *names)
        fut = table.pop(key, None) if key is not None else None
        if fut is not None and not fut.done():
            fut.set_result(msg)

    async def _on_error(self, link: Link, msg: Envelope) -> None:
        data = msg.data
        code = data.code
        text = error_sentence(code, data.message)
        if code in AUTH_CODES:
            if link.auth_waiter is not None and not link.auth_waiter.done():
                link.auth_waiter.set_result(msg)
            elif code == ErrorCode.INVALID_TOKEN:
                raise Fatal(f"Authentication failed: {text}", exitcodes.AUTH_FAILED, code)
            else:
                self._spawn_reauth(link, expired=code == ErrorCode.TOKEN_EXPIRED)
            return
        cid = reply_to(msg)
        if code == ErrorCode.RATE_LIMITED:
            pause = min(data.retry_after if data.retry_after is not None else 1.0, MAX_RATE_PAUSE)
            self.bucket.pause(pause)
            text = f"{text} Pausing for {pause:g} s."
        elif code in (ErrorCode.SERVICE_UNAVAILABLE, ErrorCode.CONNECTION_LIMIT):
            if code == ErrorCode.SERVICE_UNAVAILABLE and await going_away(link):
                # a routine restart, announced: the reconnection says so, and no error is counted
                extra = server_text(data.message)
                reason = f"The server is restarting ({extra})." if extra else "The server is restarting."
                raise LinkDrop(reason, retry_after=data.retry_after)
            self.out.notice("error", text, severity="warning", code=code, details=data.details or {})
            raise LinkDrop(text, escalate=True, retry_after=data.retry_after)
        elif code == ErrorCode.SUBSCRIPTION_FAILED:
            parts = [
                ("invalid_events", "unknown event types"),
                ("invalid_filters", "invalid filters"),
                ("unknown_subscription", "unknown subscription"),
            ]
            for key, label in parts:
                value = (data.details or {}).get(key)
                names = _names(data.details, key) if isinstance(value, list) else server_text(value or "", 60)
                if names:
                    text = f"{text} {label.capitalize()}: {names}."
            if (cid := answered(link.sub_waiters, cid)) is not None:
                err = SubscriptionError(text, code, data.details)
                link.sub_errors[cid] = err
                if cid in link.unsub_ids and (fut := link.sub_waiters.pop(cid, None)) and not fut.done():
                    fut.set_exception(err)  # no subscription_response follows a refused unsubscribe
        elif code == ErrorCode.PERMISSION_DENIED:
            if names := _names(data.details, "permission_denied"):
                text = f"{text} Not allowed: {names}."
        self.out.notice("error", text, severity="warning", code=code, details=data.details or {})

    # -- authentication ----------------------------------------------------------

    async def credential(self) -> Credential:
        assert self.config.credentials is not None
        try:
            return await self.config.credentials.get()
        except CredentialError as exc:
            raise Fatal(str(exc), exitcodes.AUTH_FAILED) from None

    async def send_auth(self, link: Link, cred: Credential) -> tuple[bool, str, str]:
        """Authenticate on ``link``; returns (ok, error code, sentence)."""
        async with link.auth_lock:
            fut: asyncio.Future[Envelope] = asyncio.get_running_loop().create_future()
            link.auth_waiter = fut
            try:
                await link.send(make("auth", cred.auth_data()))
                timeout = self.config.open_timeout
                try:
                    resp = await link.wait(fut, timeout)
                except TimeoutError:
                    raise LinkDrop(f"No answer to authentication within {timeout:g} s.") from None
            finally:
                link.auth_waiter = None
        if resp.type == "auth_response" and resp.data.status == "success":
            link.credential = cred
            return True, "", ""
        if resp.type == "auth_response":
            err = resp.data.error
            code, message = (err.code, err.message) if err else (ErrorCode.AUTHENTICATION_FAILED, "")
        else:
            code, message = resp.data.code, resp.data.message
        return False, code, error_sentence(code, message)

    def _auth_fatal(self, text: str, code: str) -> Fatal:
        assert self.config.credentials is not None
        source = self.config.credentials.source
        return Fatal(f"Authentication failed: {text} Check the credential from {source}.", exitcodes.AUTH_FAILED, code)

    async def authenticate(self, link: Link) -> None:
        """First authentication on a new connection; one retry with a fresh credential."""
        cred = await self.credential()
        ok, code, text = await self.send_auth(link, cred)
        if ok:
            return
        if code == ErrorCode.INVALID_TOKEN:
            raise self._auth_fatal(text, code)
        fresh = await self.credential()
        if code == ErrorCode.TOKEN_EXPIRED and fresh == cred:
            raise self._auth_fatal(f"{text} The credential source gives no newer token.", code)
        self.out.notice("error", f"{text} Trying once more with a fresh credential.", severity="warning", code=code)
        ok, code, text = await self.send_auth(link, fresh)
        if not ok:
            raise self._auth_fatal(text, code)

    def _spawn_reauth(self, link: Link, *, expired: bool, refresh: bool = False) -> None:
        if link.reauthing:
            return
        link.reauthing = True
        link.spawn(self._reauth(link, expired=expired, refresh=refresh), "aisci-reauth")

    async def _reauth(self, link: Link, *, expired: bool, refresh: bool) -> None:
        """Authenticate again on a live connection; subscriptions stay as they are."""
        try:
            fresh = await self.credential()
            if fresh == link.credential and (refresh or expired):
                if expired:
                    raise self._auth_fatal("The token has expired.", ErrorCode.TOKEN_EXPIRED)
                if not link.warned_stale:
                    link.warned_stale = True
                    self.out.notice(
                        "info",
                        "The server asks for a fresh token, but the credential source "
                        "still gives the same one; the connection ends when it expires.",
                        severity="warning",
                    )
                return
            ok, code, text = await self.send_auth(link, fresh)
            if not ok:
                raise self._auth_fatal(text, code)
            self.out.notice("info", "Authenticated again with a fresh credential.")
        finally:
            link.reauthing = False

    # -- subscriptions -------------------------------------------------------------

    def make_ping(self) -> Envelope:
        return make("ping", {})

    async def subscribe_on(
        self, link: Link, record: SubscriptionRecord, *, resume: bool, skip_history: bool = False
    ) -> None:
        """Send ``record``'s subscribe on ``link`` and wait for the answer (and ack).

        ``skip_history``: ask for no history even if the subscription wants it (the
        history holds a frame this client cannot take).
        """
        spec = record.spec
        data: dict[str, Any] = {"events": list(spec.events)}
        if spec.filters is not None:
            data["filters"] = spec.filters.model_dump(mode="json", exclude_none=True)
        options = spec.options.model_dump(mode="json", exclude_none=True) if spec.options else {}
        if skip_history:
            options["include_history"] = False
        elif resume:
            options["include_history"] = True  # events sent while we were away, de-duplicated by id
            last = self.out.last_event_id
            if last is not None:
                options["resume_after"] = last  # servers that know it send only what came later
        if options:
            data["options"] = options
        if spec.require_ack:
            data["require_ack"] = True
        msg = make("subscribe", data)
        assert msg.id is not None
        ack = link.expect(link.ack_waiters, msg.id) if spec.require_ack else None
        timeout = self.config.ack_timeout
        try:
            resp = await self._request(link, msg, "subscription")
            if resp.data.status != "success":
                raise link.sub_errors.pop(msg.id, None) or SubscriptionError(
                    "The server refused the subscription.", ErrorCode.SUBSCRIPTION_FAILED
                )
            if ack is not None:
                try:
                    await link.wait(ack, timeout)
                except TimeoutError:
                    raise AckTimeout(f"The subscription was not acknowledged within {timeout:g} s.") from None
        finally:
            link.sub_waiters.pop(msg.id, None)
            link.ack_waiters.pop(msg.id, None)
            link.sub_errors.pop(msg.id, None)
        record.server_id = resp.data.subscription_id
        record.public_id = record.public_id or record.server_id
        record.link = link

    async def unsubscribe_on(self, link: Link, server_id: str, events: list[str] | None) -> None:
        data: dict[str, Any] = {"subscription_id": server_id}
        if events:
            data["events"] = list(events)
        else:
            data["all"] = True
        msg = make("unsubscribe", data)
        assert msg.id is not None
        link.unsub_ids.add(msg.id)
        try:
            resp = await self._request(link, msg, "unsubscribe")
            if resp.data.status != "success":
                raise link.sub_errors.get(msg.id) or SubscriptionError("The server refused the unsubscribe.")
        finally:
            link.sub_waiters.pop(msg.id, None)
            link.sub_errors.pop(msg.id, None)
            link.unsub_ids.discard(msg.id)

    async def _request(self, link: Link, msg: Envelope, what: str) -> Envelope:
        """Send ``msg`` (a subscribe or unsubscribe) on ``link`` and wait for its answer.

        Past ``ack_timeout`` without one, raises the error the server sent for ``msg``
        (a refused subscribe may come without an answer), else :class:`AckTimeout`. The
        caller removes ``msg.id`` from the link's tables once done with the answer.
        """
        assert msg.id is not None
        answer = link.expect(link.sub_waiters, msg.id)
        timeout = self.config.ack_timeout
        await link.send(msg)
        try:
            return await link.wait(answer, timeout)
        except TimeoutError:
            if err := link.sub_errors.pop(msg.id, None):
                raise err from None
            raise AckTimeout(f"No answer to the {what} within {timeout:g} s.") from None
