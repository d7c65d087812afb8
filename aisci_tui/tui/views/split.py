"""A table view with a detail pane for the highlighted row: side by side when wide, stacked when narrow."""

from __future__ import annotations

from collections.abc import Hashable
from typing import ClassVar

from rich.console import RenderableType
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Container
from textual.widgets import DataTable

from aisci_tui.store import Changes, Store
from aisci_tui.tui.views.base import ViewContext
from aisci_tui.tui.views.table import TableView
from aisci_tui.tui.widgets.detail import DetailPane
from aisci_tui.tui.widgets.table import KeyedTable

#: At least this many columns put the detail beside the list instead of under it.
SIDE_BY_SIDE = 130


class SplitView(TableView):
    """A :class:`TableView` plus a :class:`DetailPane` that follows the cursor."""

    PLACEHOLDER: ClassVar[str] = "Highlight a row to see its details."

    DEFAULT_CSS = """
    SplitView > .split { layout: horizontal; height: 1fr; }
    SplitView > .split > KeyedTable { width: 3fr; height: 1fr; }
    SplitView > .split > DetailPane { width: 2fr; height: 1fr; }
    SplitView.-narrow > .split { layout: vertical; }
    SplitView.-narrow > .split > KeyedTable { width: 1fr; height: 1fr; }
    SplitView.-narrow > .split > DetailPane { width: 1fr; height: 1fr; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open_selected", "Details", id="view.open"),
        Binding("escape", "focus_list", "Back to list", show=False, id="view.back"),
    ]

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._detail_sig: Hashable = None

    def compose(self) -> ComposeResult:
        with Container(classes="split"):
            yield KeyedTable(self.COLUMNS, id=f"{self.VIEW_ID}-table")
            yield DetailPane(self.PLACEHOLDER, id=f"{self.VIEW_ID}-detail")

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
        key = self.selected_key()
        if key is not None and key not in self.rows:
            key = None
        sig = self.detail_signature(key, ctx) if key is not None else (None, self.empty_message())
        if sig == self._detail_sig:
            return
        self._detail_sig = sig
        if key is not None:
            self.pane.show(self.render_detail(key, ctx))
        else:
            self.pane.show(Text(self.empty_message() or self.PLACEHOLDER))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self.show_detail()

    def open_key(self, key: str) -> None:
        self.show_detail()
        self.pane.focus()

    def action_focus_list(self) -> None:
        self.table.focus()

    def on_resize(self) -> None:
        self.set_class(self.size.width < SIDE_BY_SIDE, "-narrow")
