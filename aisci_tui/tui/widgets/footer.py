"""A footer that rebuilds its keys only when the keys it would show changed.

Textual's ``Footer`` recomposes (unmounts and mounts every key widget, then
lays out the screen again) whenever the screen says its bindings may have
changed, which happens on every focus change. Switching views moves focus
from one table to another with the same keys, so most of those rebuilds
would produce the same footer; this one skips them.
"""

from __future__ import annotations

from collections.abc import Hashable

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer


class SteadyFooter(Footer):
    """``Footer`` without the rebuilds that would change nothing."""

    def __init__(self, *, id: str | None = None, compact: bool = False, show_command_palette: bool = True) -> None:
        super().__init__(id=id, compact=compact, show_command_palette=show_command_palette)
        self._shown: Hashable | None = None

    def keys_shown(self, screen: Screen) -> Hashable:
        """Everything the footer's content depends on: each shown key, its label, state and group."""
        app = self.app
        keys = tuple(
            (
                binding.key,
                app.get_key_display(binding),
                binding.description,
                binding.action,
                enabled,
                tooltip,
                binding.tooltip,
                binding.group,
            )
            for (_, binding, enabled, tooltip) in screen.active_bindings.values()
            if binding.show
        )
        palette = None
        if self.show_command_palette and app.ENABLE_COMMAND_PALETTE:
            entry = screen.active_bindings.get(app.COMMAND_PALETTE_BINDING)
            if entry is not None:
                _, binding, enabled, _ = entry
                palette = (binding.key, app.get_key_display(binding), binding.description, enabled, binding.tooltip)
        return keys, palette

    def compose(self) -> ComposeResult:
        if self._bindings_ready:
            self._shown = self.keys_shown(self.screen)
        yield from super().compose()

    def bindings_changed(self, screen: Screen) -> None:
        if self._bindings_ready and self.is_attached and screen is self.screen and screen.app.app_focus:
            shown = self.keys_shown(screen)
            if shown == self._shown:
                return
            self._shown = shown  # a rebuild is on its way: the same keys again need no second one
        super().bindings_changed(screen)
