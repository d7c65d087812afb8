"""Screens pushed over the dashboard: help, export format, terminal too small."""

from aisci_tui.tui.screens.export_dialog import ExportDialog
from aisci_tui.tui.screens.help import HelpRow, HelpScreen, help_rows
from aisci_tui.tui.screens.too_small import TooSmallScreen

__all__ = ["ExportDialog", "HelpRow", "HelpScreen", "TooSmallScreen", "help_rows"]
