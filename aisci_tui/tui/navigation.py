"""Going places: Enter on a line that names something, and "since you last looked" after a quiet spell."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, ClassVar

from textual import events
from textual.app import App

from aisci_tui.store.links import Link, links_of
from aisci_tui.store.overview import Overview
from aisci_tui.store.state import Store
from aisci_tui.tui.screens import LinksScreen
from aisci_tui.tui.views.base import GoTo, SessionChosen
from aisci_tui.tui.views.catchup import catch_up_text
from aisci_tui.tui.views.home import HomeView

if TYPE_CHECKING:
    from aisci_tui.settings import Settings
    from aisci_tui.tui.views.base import StoreView

    _Base = App[int]
else:
    _Base = object


class Navigation(_Base):
    """Mixed into the dashboard app, which provides the views, the overview, the settings and the clock."""

    views: dict[str, StoreView]
    store: Store
    overview: Overview
    settings: Settings
    clock: Callable[[], datetime]
    _seen_at: datetime

    if TYPE_CHECKING:

        @property
        def current_view(self) -> StoreView: ...

        def action_show_view(self, view_id: str) -> None: ...

    #: Which view shows each kind of thing a line can name.
    GOTO_VIEWS: ClassVar[dict[str, str]] = {
        "agent": "agents",
        "experiment": "experiments",
        "assessment": "ethics",
        "event": "events",
        "node": "tree",
        "stage": "tree",
    }
    #: What the rows of each view are.
    ROW_KINDS: ClassVar[dict[str, str]] = {
        "agents": "agent",
        "experiments": "experiment",
        "ethics": "assessment",
        "events": "event",
        "research": "session",
    }

    def action_links(self) -> None:
        """``g``: the links of the highlighted row (on Home: of the highlighted line's thing)."""
        view = self.current_view
        if isinstance(view, HomeView):
            target = view.highlighted_target()
            kind, key = target if target else (None, None)
        else:
            kind = self.ROW_KINDS.get(view.VIEW_ID)
            selected = getattr(view, "selected_key", None)
            key = selected() if callable(selected) else None
        if kind is None or key is None:
            self.notify("Highlight a row first; g lists what it names.", markup=False, timeout=3)
            return
        links = links_of(self.store, kind, key, has_tree="tree" in self.views)
        if kind == "session":
            links.insert(0, Link("The session in full", "session", key))
        if not links:
            self.notify("This row names nothing else shown here.", markup=False, timeout=3)
            return
        self.push_screen(LinksScreen(f"From this {kind}", links), self._follow)

    def _follow(self, link: Link | None) -> None:
        if link is not None:
            self.post_message(GoTo(link.kind, link.key))

    def on_go_to(self, message: GoTo) -> None:
        """Show the thing a line names: its view, with its row highlighted (a session opens in full)."""
        if message.kind == "session":
            self.action_show_view("research")
            self.post_message(SessionChosen(message.key))
            return
        view_id = self.GOTO_VIEWS.get(message.kind)
        if view_id is None or view_id not in self.views:
            return
        self.action_show_view(view_id)
        self.call_after_refresh(self._reveal, view_id, message.key)

    def _reveal(self, view_id: str, key: str) -> None:
        view = self.views[view_id]
        reveal = getattr(view, "reveal", None)
        if callable(reveal):  # a view that knows how to show one of its things (the tree: a node)
            reveal(key)
            return
        table = getattr(view, "table", None)
        if table is not None and table.has(key):
            table.select_key(key)

    # -- since you last looked -------------------------------------------------------

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key | events.AppFocus):
            self._looked()
        elif isinstance(event, events.AppBlur):
            self._seen_at = self.clock()
        await super().on_event(event)

    def _looked(self) -> None:
        """A key or the terminal's focus after a quiet spell: say what changed meanwhile."""
        now, since = self.clock(), self._seen_at
        self._seen_at = now
        quiet = self.settings.catch_up_minutes * 60
        if quiet > 0 and (now - since).total_seconds() >= quiet:
            self.show_catch_up(since)

    def show_catch_up(self, since: datetime) -> None:
        home = self.views.get("home")
        if not isinstance(home, HomeView) or not home.is_mounted:
            return
        now = self.clock()
        text = catch_up_text(
            self.overview.since(since.timestamp()), since, now, home.palette, max(40, self.size.width - 6)
        )
        home.show_catch_up(text)
        if text is not None and self.current_view is not home:
            self.notify("What changed while you were away is on the Home screen (key 0).", timeout=4, markup=False)
