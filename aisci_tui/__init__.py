"""aisci-tui: a terminal dashboard for AI-Scientist-v2 research runs."""

__version__ = "0.1.0"
