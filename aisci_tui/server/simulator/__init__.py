"""A deterministic research-session simulator (virtual time, seeded)."""

from aisci_tui.server.simulator.engine import Simulator

__all__ = ["Simulator"]
