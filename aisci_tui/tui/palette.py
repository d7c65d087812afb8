"""Command-palette entries for every dashboard key (from the same table as the footer)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from aisci_tui.tui.bindings import APP_BINDINGS, HELP, RUN_BINDINGS


class DashboardCommands(Provider):
    """Offers each binding's action by name, with its current key, plus export formats and themes."""

    def _commands(self) -> list[tuple[str, str, Callable[[], object]]]:
        app = self.app
        keys = {b.binding.id: key for key, b in app.screen.active_bindings.items() if b.binding.id}
        commands: list[tuple[str, str, Callable[[], object]]] = []
        for binding in (*APP_BINDINGS, *(b for b in RUN_BINDINGS if b.id in keys)):
            if binding.id in ("help", "quit"):
                continue
            help_ = HELP.get(binding.id or "")
            title = help_.title if help_ else binding.description
            key = keys.get(binding.id)
            shown = f"{help_.text if help_ else ''} (key: {app.get_key_display(binding.with_key(key))})" if key else (
                help_.text if help_ else "")
            commands.append((title, shown, partial(app.run_action, binding.action)))
        for fmt in ("json", "csv"):
            commands.append((f"Export the current view as {fmt.upper()}",
                             "Write the rows shown now to a file.",
                             partial(app.run_action, f"export_as('{fmt}')")))
        for name in sorted(getattr(app, "dashboard_themes", ())):
            commands.append((f"Theme: {name}", "Switch to this colour theme.",
                             partial(app.run_action, f"use_theme('{name}')")))
        return commands

    async def discover(self) -> Hits:
        for title, help_text, callback in self._commands():
            yield DiscoveryHit(title, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, callback in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), callback, help=help_text)
