"""The one drill-down: a table whose Enter opens the highlighted row's detail in place of the list.

Every table view reads the same way: Enter shows the detail of the highlighted
row over the whole view, scrolled to its top; Esc goes back to the list. Views
with ``PREVIEW`` also show the detail beside the list while the terminal is
wide enough, following the cursor.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any, ClassVar

from rich.console import RenderableType
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Container
from textual.widgets import DataTable

from aisci_tui.store import Changes, Store
from aisci_tui.store.query import Column, Row
from aisci_tui.store.sessionrule import hides
from aisci_tui.textsafe import clean
from aisci_tui.tui.views.base import SessionCells, ViewContext
from aisci_tui.tui.views.table import TableView, empty_label
from aisci_tui.tui.widgets.detail import DetailPane
from aisci_tui.tui.widgets.table import KeyedTable

#: At least this many columns put the detail beside the list instead of under it.
SIDE_BY_SIDE = 130
#: The column of a :class:`SessionSplitView` that names each row's session.
SESSION_COLUMN = Column("session", "Session", 18, 2, optional=True)


class SplitView(TableView):
    """A :class:`TableView` plus a :class:`DetailPane` that follows the cursor."""

    PLACEHOLDER: ClassVar[str] = "Highlight a row to see its details."
    #: Show the highlighted row's detail beside the list when wide (not only on Enter).
    PREVIEW: ClassVar[bool] = True

    DEFAULT_CSS = """
    SplitView > .split { layout: horizontal; height: 1fr; }
    SplitView > .split > KeyedTable { width: 3fr; height: 1fr; }
    SplitView > .split > DetailPane { width: 2fr; height: 1fr; }
    SplitView.-narrow > .split > DetailPane, SplitView.-no-preview > .split > DetailPane { display: none; }
    SplitView.-open > .split > KeyedTable { display: none; }
    SplitView.-open > .split > DetailPane { display: block; width: 1fr; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open_selected", "Open", id="view.open"),
        Binding("escape", "close_detail", "Back", id="view.back"),
    ]

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._detail_sig: Hashable = None
        self._detail_key: str | None = None
        self._open_key: str | None = None  # the row Enter opened
        self.set_class(not self.PREVIEW, "-no-preview")

    def compose(self) -> ComposeResult:
        with Container(classes="split"):
            yield KeyedTable(self.COLUMNS, id=f"{self.VIEW_ID}-table")
            yield DetailPane(self.PLACEHOLDER, id=f"{self.VIEW_ID}-detail")
        yield empty_label()

    @property
    def pane(self) -> DetailPane:
        return self.query_one(DetailPane)

    def render_detail(self, key: str, ctx: ViewContext) -> RenderableType:
        raise NotImplementedError

    def detail_signature(self, key: str | None, ctx: ViewContext) -> Hashable:
        """Changes whenever the detail of ``key`` would look different."""
        return (key, self.stamp_of(key))

    def update_view(self, store: Store, changes: Changes, ctx: ViewContext, full: bool) -> None:
        super().update_view(store, changes, ctx, full)
        if full:
            self._detail_sig = None
        self.show_detail()

    def restyle(self) -> None:
        super().restyle()
        self._detail_sig = None
        self.show_detail()

    def show_detail(self) -> None:
        ctx = self._ctx
        if ctx is None or not self.ready():
            return
        opened = self._open_key if self.is_open else None
        key = opened or self.selected_key()
        gone = key is not None and key not in self.rows
        if gone and opened is None:
            key = None
        if key is None:
            sig: Hashable = (None, self.empty_message())
        else:
            sig = ("gone", key) if gone else self.detail_signature(key, ctx)
        if sig == self._detail_sig or not self.pane.display and not self.is_open:
            return  # unchanged, or not shown (drawn when it is)
        self._detail_sig = sig
        if gone and key is not None:  # what Enter opened has left (evicted, or a replay went back)
            self.pane.show(Text(f"{clean(key, 200)} is no longer in the store.", style=self.palette["muted"]))
        elif key is not None:
            self.pane.show(self.render_detail(key, ctx))
        else:
            self.pane.show(Text(self.empty_message() or self.PLACEHOLDER))
        if key != self._detail_key:  # a new row's detail starts at its top
            self._detail_key = key
            self.pane.scroll_home(animate=False)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self.show_detail()

    @property
    def is_open(self) -> bool:
        return self.has_class("-open")

    def open_key(self, key: str) -> None:
        """Enter: the row's detail over the whole view, from its top; Esc goes back."""
        self.table.select_key(key)
        self._open_key = key
        self.add_class("-open")
        self._detail_sig = None
        self._detail_key = None
        self.show_detail()
        self.pane.focus()
        self.refresh_bindings()

    def action_close_detail(self) -> None:
        self._open_key = None
        self.remove_class("-open")
        self.table.focus()
        self.refresh_bindings()
        self._detail_sig = None
        self.show_detail()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "close_detail":
            return self.is_open
        if action == "open_selected":
            return not self.is_open
        return True

    def on_resize(self) -> None:
        self.set_class(self.size.width < SIDE_BY_SIDE, "-narrow")


class SessionSplitView(SplitView):
    """A :class:`SplitView` whose rows may belong to different research sessions.

    While all sessions are shown, :meth:`session_label` names a row's session for its
    :data:`SESSION_COLUMN` cell, and the rows are rebuilt when that name changes; while one session is
    looked at, rows whose ``session_id`` it does not own are left out."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._session_cells = SessionCells()

    def session_label(self, store: Store, key: str, session_id: str | None, ctx: ViewContext) -> str | None:
        """What row ``key``'s Session cell says (None while one session is looked at)."""
        return self._session_cells.label(store, key, session_id, ctx)

    def related(self, store: Store, changes: Changes) -> set[str]:
        return self._session_cells.renamed(store, self.rows, self._ctx)

    def scope(self, store: Store, ctx: ViewContext) -> Any:
        return ctx.session_id or None

    def in_scope(self, key: str, row: Row, scope: Any, ctx: ViewContext) -> bool:
        return scope is None or not hides(scope, row["session_id"])
