"""The row keys: ``/`` filters by text, ``f`` steps the status or severity filter, ``s``/``S`` sort.

Each view says what it can do; this mixin keeps what was chosen per view (for its tab's state
words) and asks for a full redraw. (Its handlers go by name, not ``@on``: Textual collects
decorated handlers only from its own classes, and a mixin is not one.)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import App

from aisci_tui.tui.chrome import FilterInput

if TYPE_CHECKING:
    from aisci_tui.tui.ingest import RenderGate
    from aisci_tui.tui.views.base import StoreView

    _Base = App[int]
else:
    _Base = object


class RowKeys(_Base):
    """Mixed into the dashboard app, which provides the views, their state, the filter line and the gate."""

    view_state: dict[str, dict[str, str]]
    gate: RenderGate
    _filter_box: FilterInput

    if TYPE_CHECKING:

        @property
        def current_view(self) -> StoreView: ...

        def _update_tabs(self) -> None: ...

        def _focus_view(self) -> None: ...

        def _apply_server_filters(self) -> None: ...

    def action_text_filter(self) -> None:
        self._filter_box.open(self.view_state[self.current_view.VIEW_ID].get("text", ""))

    def on_filter_input_applied(self, message: FilterInput.Applied) -> None:
        view = self.current_view
        view.set_text_filter(message.text)
        self.view_state[view.VIEW_ID]["text"] = message.text
        self._update_tabs()
        self.gate.request_full()

    def on_filter_input_closed(self, message: FilterInput.Closed) -> None:
        self._focus_view()

    def action_cycle_filter(self) -> None:
        view = self.current_view
        if view.FILTER_LABEL is None:
            self.notify(f"The {view.TITLE} view has no status or severity filter.", markup=False)
            return
        self.view_state[view.VIEW_ID]["filter"] = view.cycle_filter()
        self._update_tabs()
        self.gate.request_full()
        self._apply_server_filters()

    def action_sort_next(self) -> None:
        self._sorted(self.current_view.sort_next())

    def action_sort_menu(self) -> None:
        from aisci_tui.tui.widgets.sortmenu import SortMenu

        view = self.current_view
        columns = view.sort_columns()
        if not columns:
            self.notify(f"The {view.TITLE} view has nothing to sort.", markup=False)
            return

        def chosen(key: str | None) -> None:
            if key is not None:
                self._sorted(view.sort_by(key or None))

        self.push_screen(SortMenu(columns, getattr(view, "sort_column", None), getattr(view, "reverse", False)), chosen)

    def action_sort_reverse(self) -> None:
        self._sorted(self.current_view.sort_reverse())

    def _sorted(self, label: str) -> None:
        self.view_state[self.current_view.VIEW_ID]["sort"] = label
        self._update_tabs()
        self.gate.request_full()
