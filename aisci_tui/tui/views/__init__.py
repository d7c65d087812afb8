"""The dashboard's views, in key order 0..5."""

from aisci_tui.tui.views.agents import AgentsView
from aisci_tui.tui.views.base import GoTo, SessionChosen, StoreView, ViewContext
from aisci_tui.tui.views.ethics import EthicsView
from aisci_tui.tui.views.events import EventsView
from aisci_tui.tui.views.experiments import ExperimentsView
from aisci_tui.tui.views.home import HomeView
from aisci_tui.tui.views.research import ResearchView

VIEWS: list[type[StoreView]] = [HomeView, ResearchView, AgentsView, ExperimentsView, EthicsView, EventsView]

__all__ = [
    "VIEWS",
    "AgentsView",
    "EthicsView",
    "EventsView",
    "GoTo",
    "ExperimentsView",
    "HomeView",
    "ResearchView",
    "SessionChosen",
    "StoreView",
    "ViewContext",
]
