"""Handling ``subscribe`` and ``unsubscribe`` requests on one connection."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aisci_tui.protocol.errors import ErrorCode
from aisci_tui.protocol.models import EVENT_TYPES, Subscribe, Unsubscribe
from aisci_tui.server.auth import Principal
from aisci_tui.server.filters import FilterError, Matcher, active_filters
from aisci_tui.server.subscription import Subscription
from aisci_tui.values import shorten

if TYPE_CHECKING:
    from aisci_tui.server.connection import Connection


def prune(conn: Connection, principal: Principal, correlation_id: str | None) -> None:
    """After a re-auth with narrower permissions, stop what may no longer be read."""
    denied: list[str] = []
    for sub in list(conn.subscriptions.values()):
        lost = [e for e in sub.events if not principal.may_read(e)]
        if lost:
            sub.remove_events(lost)
            denied.extend(e for e in lost if e not in denied)
        if not sub.events:
            sub.close()
            del conn.subscriptions[sub.id]
    if denied:
        conn.error(
            ErrorCode.PERMISSION_DENIED,
            "the new credentials do not allow these events; they were unsubscribed",
            correlation_id,
            {"permission_denied": denied},
        )


def subscribe(conn: Connection, msg: Subscribe) -> None:
    """Validate, answer, and start delivering (history first when asked)."""
    assert conn.principal is not None
    data = msg.data
    earlier = conn.subscriptions.get(conn.subscribed_by.get(msg.id or "", ""))
    if earlier is not None:
        _answer(conn, earlier, data.filters, msg.id)  # the same request again: no second subscription
        return
    requested = list(dict.fromkeys(data.events))
    unknown = [e for e in requested if e not in EVENT_TYPES]
    denied = [e for e in requested if e in EVENT_TYPES and not conn.principal.may_read(e)]
    allowed = [e for e in requested if e in EVENT_TYPES and e not in denied]
    try:
        matcher = Matcher(data.filters)
    except FilterError as exc:
        conn.error(ErrorCode.SUBSCRIPTION_FAILED, f"invalid filter {exc}", msg.id, {"invalid_filters": [exc.field]})
        _failed(conn, msg.id)
        return
    if unknown:
        conn.error(
            ErrorCode.SUBSCRIPTION_FAILED,
            f"unknown event type(s); known: {', '.join(EVENT_TYPES)}",
            msg.id,
            {"invalid_events": [shorten(e) for e in unknown[:20]]},
        )
    if denied:
        conn.error(
            ErrorCode.PERMISSION_DENIED,
            "your credentials do not allow these events",
            msg.id,
            {"permission_denied": denied},
        )
    if not allowed:
        _failed(conn, msg.id)
        return
    sub = Subscription(allowed, matcher, data.options, conn.emit, conn.cfg.default_batch_interval_ms)
    conn.subscriptions[sub.id] = sub
    if msg.id:
        conn.subscribed_by[msg.id] = sub.id
    conn.hub.stats["subscriptions"] += 1
    _answer(conn, sub, data.filters, msg.id)
    if sub.include_history:
        after = getattr(data.options, "resume_after", None)
        for item in conn.hub.matching_history(allowed, matcher, after=after if isinstance(after, str) else None):
            sub.deliver(item)
        sub.flush_batch()


def _answer(conn: Connection, sub: Subscription, filters: Any, correlation_id: str | None) -> None:
    conn.reply(
        "subscription_response",
        {
            "status": "success",
            "subscription_id": sub.id,
            "subscribed_events": sub.events,
            "active_filters": active_filters(filters),
            "estimated_events_per_minute": conn.hub.estimated_per_minute(sub.events, sub.matcher),
            "retention_hours": conn.cfg.retention_hours,
        },
        correlation_id,
    )


def _failed(conn: Connection, correlation_id: str | None) -> None:
    conn.reply(
        "subscription_response",
        {"status": "error", "subscribed_events": [], "active_filters": {}},
        correlation_id,
    )


def unsubscribe(conn: Connection, msg: Unsubscribe) -> None:
    """Drop some events of a subscription, or all of it; answered with a ``subscription_response``."""
    data = msg.data
    sub = conn.subscriptions.get(data.subscription_id or "")
    if sub is None:
        conn.error(
            ErrorCode.SUBSCRIPTION_FAILED,
            "no such subscription on this connection",
            msg.id,
            {"unknown_subscription": shorten(data.subscription_id)},
        )
        return
    before = list(sub.events)
    if data.all or not data.events:
        sub.remove_events(before)
    else:
        sub.remove_events(data.events)
    if not sub.events:
        sub.close()
        del conn.subscriptions[sub.id]
        conn.subscribed_by = {k: v for k, v in conn.subscribed_by.items() if v != sub.id}
    conn.reply(
        "subscription_response",
        {
            "status": "success",
            "subscription_id": sub.id,
            "subscribed_events": sub.events,
            "unsubscribed_events": [e for e in before if e not in sub.events],
        },
        msg.id,
    )
