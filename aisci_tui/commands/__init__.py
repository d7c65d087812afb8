"""One module per command; each exposes ``register(app)``."""

from aisci_tui.commands import dashboard, events, replay, serve, token, watch

COMMAND_MODULES = [dashboard, watch, replay, serve, events, token]
