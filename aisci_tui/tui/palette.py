"""Command-palette entries: every dashboard key (from the same table as the footer), and "go to" anything."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider

from aisci_tui.textsafe import clean
from aisci_tui.tui.bindings import APP_BINDINGS, RUN_BINDINGS, explain
from aisci_tui.tui.views.base import GoTo

if TYPE_CHECKING:
    from aisci_tui.tui.app import DashboardApp


class DashboardCommands(Provider):
    """Offers each binding's action by name, with its current key, plus export formats and themes."""

    def _commands(self) -> list[tuple[str, str, Callable[[], object]]]:
        app = self.app
        keys = {b.binding.id: key for key, b in app.screen.active_bindings.items() if b.binding.id}
        commands: list[tuple[str, str, Callable[[], object]]] = []
        for binding in (*APP_BINDINGS, *(b for b in RUN_BINDINGS if b.id in keys)):
            if binding.id in ("help", "quit"):
                continue
            title, text = explain(binding)
            key = keys.get(binding.id or "")
            shown = f"{text} (key: {app.get_key_display(binding.with_key(key))})" if key else text
            commands.append((title, shown, partial(app.run_action, binding.action)))
        for fmt in ("json", "csv"):
            commands.append(
                (
                    f"Export the current view as {fmt.upper()}",
                    "Write the rows shown now to a file.",
                    partial(app.run_action, f"export_as('{fmt}')"),
                )
            )
        for name in sorted(getattr(app, "dashboard_themes", ())):
            commands.append(
                (f"Theme: {name}", "Switch to this colour theme.", partial(app.run_action, f"use_theme('{name}')"))
            )
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


#: How many things of each kind the palette looks through (the newest first).
GOTO_LIMIT = 5000


class GoToCommands(Provider):
    """ "Go to": any session, agent, experiment or tree node, found by name or id."""

    def _targets(self) -> list[tuple[str, str, str, str]]:
        """(text to match, help, kind, key) for everything in the store."""
        store = cast("DashboardApp", self.app).store  # the only app that lists these commands
        has_tree = "tree" in getattr(self.app, "views", {})
        out: list[tuple[str, str, str, str]] = []
        for key, ent in list(reversed(store.sessions.items()))[:GOTO_LIMIT]:
            out.append(
                (f"Session {clean(ent.data.title or key, 100)} ({clean(key, 40)})", "research session", "session", key)
            )
        for key, ent in list(reversed(store.agents.items()))[:GOTO_LIMIT]:
            out.append((f"Agent {clean(ent.data.name or key, 100)} ({clean(key, 40)})", "agent", "agent", key))
        for key, ent in list(reversed(store.experiments.items()))[:GOTO_LIMIT]:
            d = ent.data
            out.append((f"Experiment {clean(d.title or key, 100)} ({clean(key, 40)})", "experiment", "experiment", key))
            node = (d.model_extra or {}).get("node_id")
            if has_tree and node:
                out.append((f"Node {clean(str(node), 60)} ({clean(key, 60)})", "tree node", "node", key))
        return out

    def _go(self, kind: str, key: str) -> None:
        self.app.post_message(GoTo(kind, key))

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for text, help_text, kind, key in self._targets():
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, matcher.highlight(text), partial(self._go, kind, key), help=f"Go to this {help_text}")
