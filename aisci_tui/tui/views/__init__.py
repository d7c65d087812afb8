"""The dashboard's five views, in key order 1..5."""

from aisci_tui.tui.views.agents import AgentsView
from aisci_tui.tui.views.base import SessionChosen, StoreView, ViewContext
from aisci_tui.tui.views.ethics import EthicsView
from aisci_tui.tui.views.events import EventsView
from aisci_tui.tui.views.experiments import ExperimentsView
from aisci_tui.tui.views.research import ResearchView

VIEWS: list[type[StoreView]] = [ResearchView, AgentsView, ExperimentsView, EthicsView, EventsView]

__all__ = [
    "VIEWS",
    "AgentsView",
    "EthicsView",
    "EventsView",
    "ExperimentsView",
    "ResearchView",
    "SessionChosen",
    "StoreView",
    "ViewContext",
]
