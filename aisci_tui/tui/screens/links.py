"""``g``: where the highlighted row points (its session, agent, experiment, tree node, resource)."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from aisci_tui.store.links import Link


class LinksScreen(ModalScreen[Link | None]):
    """A short list of links; Enter follows one, Esc goes back."""

    DEFAULT_CSS = """
    LinksScreen { align: center middle; }
    LinksScreen > Vertical { width: 70; max-width: 90%; height: auto; max-height: 80%;
        border: round $primary; background: $surface; padding: 0 1; }
    LinksScreen OptionList { height: auto; max-height: 20; border: none; }
    LinksScreen .links-hint { color: $text-muted; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "close", "Back", id="links.close")]

    def __init__(self, title: str, links: list[Link]) -> None:
        super().__init__()
        self.title_text = title
        self.links = links

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(self.title_text, style="bold"))
            yield OptionList(*(Option(Text(link.label), id=str(n)) for n, link in enumerate(self.links)))
            yield Static(Text("Enter: go there   Esc: back"), classes="links-hint")

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.links[int(event.option.id or 0)])

    def action_close(self) -> None:
        self.dismiss(None)
