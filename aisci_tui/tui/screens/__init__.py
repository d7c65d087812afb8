"""Screens pushed over the dashboard: help, export format, links, terminal too small."""

from aisci_tui.tui.screens.export_dialog import ExportDialog
from aisci_tui.tui.screens.help import HelpRow, HelpScreen, help_rows
from aisci_tui.tui.screens.links import LinksScreen
from aisci_tui.tui.screens.too_small import TooSmallScreen

__all__ = ["ExportDialog", "HelpRow", "HelpScreen", "LinksScreen", "TooSmallScreen", "help_rows"]
