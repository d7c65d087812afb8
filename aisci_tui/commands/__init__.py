"""One module per command; each exposes ``register(app)``."""

from aisci_tui.commands import dashboard, events, serve, token

COMMAND_MODULES = [dashboard, serve, events, token]
