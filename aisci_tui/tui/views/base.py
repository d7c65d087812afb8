"""The seam between the dashboard app and its views.

The app owns the source, the store and the refresh timer; it calls
:meth:`StoreView.sync` on the visible view at most ``refresh_hz`` times a
second. Views only read the store and the :class:`ViewContext`; they never
touch the source or the network.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar

from textual.message import Message
from textual.widget import Widget

from aisci_tui.protocol.models import Filters
from aisci_tui.store import Changes, Store
from aisci_tui.store.overview import Overview

if TYPE_CHECKING:
    from aisci_tui.tui.liveness import Liveness
from aisci_tui.tui.widgets.tones import COMPONENT_CLASSES, Palette, tone_css


@dataclass(frozen=True)
class ViewContext:
    """What a view needs besides the store."""

    session_id: str | None  # the session being looked at; None = all sessions
    now: datetime  # aware UTC wall clock for ages and ETAs (injected so snapshots are stable)
    refresh_hz: float = 10.0
    overview: Overview | None = None  # the home screen's model, kept by the dashboard
    liveness: Liveness | None = None  # whether the rows are live, and since when not


class SessionChosen(Message):
    """The user picked a session in the research overview (None: back to all sessions)."""

    def __init__(self, session_id: str | None) -> None:
        super().__init__()
        self.session_id = session_id


def session_label(store: Store, session_id: str | None, ctx: ViewContext) -> str | None:
    """The session a row belongs to, named, when rows of several sessions are shown together.

    With several servers the name starts with its server's label (``127.0.0.1:8080 · Title``; the
    ids, ``SERVER/ID``, never collide, but titles may); a session that a session of the same
    title replaced after its server came back says so (``Title (replaced)``)."""
    if not session_id or ctx.session_id is not None or len(store.sessions) + len(store.replaced) < 2:
        return None
    ent = store.sessions.get(session_id)
    gone = store.replaced.get(session_id) if ent is None else None
    title = ent.data.title if ent is not None else gone.title if gone is not None else None
    if not title:
        return session_id  # (with several servers the id starts with the server's label)
    endpoint = store.connection.endpoint_of(session_id) if len(store.connection.endpoints or ()) > 1 else None
    return f"{endpoint[0] + ' · ' if endpoint else ''}{title}{' (replaced)' if gone is not None else ''}"


_MIXED = "\0"  # (never a session's name)


class SessionCells:
    """The Session cell of a table view's rows, and which rows to rebuild when a session's name changes
    (its title arrives, a second session or server appears, it is replaced): checked on every sync, per
    session named, so a view that was hidden meanwhile catches up too."""

    def __init__(self) -> None:
        self._rows: dict[str, set[str]] = {}  # session id -> keys of rows that named it (checked on use)
        #: Session id -> the name its rows show (:data:`_MIXED` when they differ: all are rebuilt once).
        self._shown: dict[str, str | None] = {}

    def label(self, store: Store, key: str, session_id: str | None, ctx: ViewContext) -> str | None:
        label = session_label(store, session_id, ctx)
        if session_id:
            self._rows.setdefault(session_id, set()).add(key)
            self._shown[session_id] = label if self._shown.get(session_id, label) == label else _MIXED
        return label

    def renamed(self, store: Store, rows: Mapping[str, Mapping[str, Any]], ctx: ViewContext | None) -> set[str]:
        """Keys of rows whose session is now named otherwise than their cell says."""
        out: set[str] = set()
        if ctx is None:
            return out
        for sid, shown in list(self._shown.items()):
            if session_label(store, sid, ctx) == shown:
                continue
            keys = {k for k in self._rows[sid] if k in rows and rows[k].get("session_id") == sid}
            del self._rows[sid], self._shown[sid]  # (the rows rebuilt name it again)
            out |= keys
        return out

    def clear(self) -> None:
        self._rows.clear()
        self._shown.clear()


class GoTo(Message):
    """Show the thing named: ``kind`` is session, agent, experiment, assessment, event or node."""

    def __init__(self, kind: str, key: str) -> None:
        super().__init__()
        self.kind = kind
        self.key = key


class StoreView(Widget):
    """Base of the five views: shows part of the store, updated by key on :meth:`sync`."""

    VIEW_ID: ClassVar[str] = ""
    TITLE: ClassVar[str] = ""
    #: What ``f`` cycles through ("status", "severity"), or None when the view has no such filter.
    FILTER_LABEL: ClassVar[str | None] = None
    #: The event types :meth:`server_filters` concerns (for a subscription limited to this view); a
    #: :class:`~aisci_tui.tui.views.table.TableView` of a store table gets its entities' type by default.
    EVENT_TYPES: ClassVar[tuple[str, ...]] = ()

    COMPONENT_CLASSES: ClassVar[set[str]] = COMPONENT_CLASSES
    DEFAULT_CSS = "StoreView { height: 1fr; }\n" + tone_css("StoreView")

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id or self.VIEW_ID, classes=classes)
        self._palette: Palette | None = None
        self._store: Store | None = None
        self._ctx: ViewContext | None = None
        self._ctx_at = 0.0
        self._pending = False
        self._paced = False

    # -- the contract ---------------------------------------------------------------

    def sync(
        self, store: Store, changes: Changes, ctx: ViewContext, *, full: bool = False, paced: bool = False
    ) -> None:
        """Bring the view up to date with ``store``; ``changes`` says what changed since the last call.

        ``paced``: what is in view is drawn now, and a view may leave the rest
        for :meth:`catch_up` (the dashboard calls it while :meth:`behind`).
        """
        if store is not self._store and self._store is not None:
            self.reset()
        full = full or store is not self._store or self._pending
        self._store, self._ctx, self._ctx_at = store, ctx, time.monotonic()
        if not self.is_mounted or not self.ready():
            self._pending = True
            return
        self._pending = False
        self._paced = paced
        try:
            self.update_view(store, changes, ctx, full)
        finally:
            self._paced = False

    def behind(self) -> bool:
        """True while a paced sync left part of the view for :meth:`catch_up`."""
        return False

    def catch_up(self) -> None:
        """Draw part of what a paced sync left for later."""

    def warm(self, store: Store, ctx: ViewContext, budget: float) -> bool:
        """While hidden, prepare for being shown, for up to ``budget`` seconds; True if there was work."""
        return False

    def set_text_filter(self, text: str) -> None:
        """The ``/`` filter: case-insensitive substring over the view's columns."""

    def cycle_filter(self) -> str:
        """Step the status/severity filter; returns its label."""
        return "all"

    def server_filters(self) -> Filters | None:
        """The part of the filter state the server can apply (for :attr:`EVENT_TYPES`), or None."""
        return None

    def sort_next(self) -> str:
        return "sort: not available here"

    def sort_reverse(self) -> str:
        return "sort: not available here"

    def sort_by(self, column: str | None) -> str:
        return "sort: not available here"

    def sort_columns(self) -> list[tuple[str, str]]:
        """(key, label) of the columns a sort can choose, in display order."""
        return []

    def counts(self) -> str:
        """How many rows the view shows (of how many), for its title; empty when it has no rows."""
        return ""

    def export_rows(self) -> tuple[list[str], list[dict]]:
        """Columns and rows of what the view shows now, with full values."""
        return [], []

    def open_selected(self) -> None:
        """Enter: open the highlighted item's detail."""

    def offers(self, action: str) -> bool:
        """Whether the dashboard key ``action`` does something here (a key that shows must work)."""
        if action == "cycle_filter":
            return self.FILTER_LABEL is not None
        method = {
            "sort_next": "sort_next",
            "sort_menu": "sort_by",
            "sort_reverse": "sort_reverse",
            "text_filter": "set_text_filter",
            "export": "export_rows",
            "export_as": "export_rows",
        }.get(action)
        return method is None or getattr(type(self), method) is not getattr(StoreView, method)

    # -- for subclasses -----------------------------------------------------------------

    def reset(self) -> None:
        """Forget everything shown (the app handed over a different store)."""

    def ready(self) -> bool:
        """True once the view's children exist and :meth:`update_view` may run."""
        return True

    def update_view(self, store: Store, changes: Changes, ctx: ViewContext, full: bool) -> None:
        raise NotImplementedError

    @property
    def palette(self) -> Palette:
        if self._palette is None:
            self._palette = Palette.of(self) if self.is_mounted else Palette.plain()
        return self._palette

    def now(self) -> datetime:
        """The context's clock, moved on by the time since the last sync."""
        if self._ctx is None:
            return datetime.now(UTC)
        return self._ctx.now + timedelta(seconds=time.monotonic() - self._ctx_at)

    def resync(self) -> None:
        """Redraw from the last store and context (after a view-local change such as a theme)."""
        if self._store is not None and self._ctx is not None and self.is_mounted and self.ready():
            self.update_view(self._store, Changes(), self._ctx, True)

    def on_mount(self) -> None:
        if self._pending:
            self.call_after_refresh(self.resync)
            self._pending = False

    def restyle(self) -> None:
        """Redraw everything in the new theme's colours."""
        self.resync()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        old, self._palette = self._palette, None
        if old is not None and self._store is not None:
            self.call_after_refresh(self._restyle_if_changed, old)

    def _restyle_if_changed(self, old: Palette) -> None:
        if self.palette != old:
            self.restyle()
