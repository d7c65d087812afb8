"""The dashboard's key table: one list feeds the footer, the help screen and the command palette.

Each binding's ``tooltip`` says what it does (``"Title. Longer text."``): the
footer shows it on hover, the help screen its title, the palette both.

Every binding has an ``id``; the ``[keymap]`` table of the config file maps
ids to other keys (``pause = "space"``), applied with ``App.set_keymap``.
"""

from __future__ import annotations

from textual.binding import Binding, BindingType

VIEWS_GROUP = Binding.Group("Views", compact=True)
REPLAY_GROUP = Binding.Group("Replay", compact=True)

#: View ids in key order 0..5 (must match ``aisci_tui.tui.views.VIEWS``); the tree view is 6.
VIEW_IDS = ("home", "research", "agents", "experiments", "ethics", "events")


def explain(binding: Binding) -> tuple[str, str]:
    """The help screen's title and the palette's longer text, from the binding's tooltip
    (``"Title. Longer text."``); the short description when there is no tooltip."""
    title, _, text = (binding.tooltip or binding.description).partition(". ")
    return title.rstrip("."), text


APP_BINDINGS: list[Binding] = [
    *(
        Binding(
            str(n),
            f"show_view('{view}')",
            view.title(),
            id=f"view-{view}",
            group=VIEWS_GROUP,
            tooltip=f"Show the {view.title()} view.",
        )
        for n, view in enumerate(VIEW_IDS)
    ),
    Binding(
        "slash",
        "text_filter",
        "Filter",
        id="filter",
        tooltip="Filter rows. Type to keep only rows containing the text; Enter keeps it, Escape clears it.",
    ),
    Binding(
        "f",
        "cycle_filter",
        "Status",
        id="cycle-filter",
        tooltip="Cycle the status/severity filter. Step through the view's status or severity filter.",
    ),
    Binding(
        "s",
        "sort_menu",
        "Sort",
        id="sort",
        tooltip="Sort by a column. Open the sort menu: each column's key sorts by it (again: reverse).",
    ),
    Binding(
        "S",
        "sort_reverse",
        "Reverse sort",
        id="sort-reverse",
        show=False,
        tooltip="Reverse the sort order. Flip between ascending and descending.",
    ),
    Binding(
        "p",
        "toggle_pause",
        "Pause",
        id="pause",
        tooltip="Pause or resume the display. Freeze the screen; events keep arriving and are shown on resume.",
    ),
    # not in the footer, which keeps room for ? and q
    Binding(
        "r",
        "reconnect",
        "Reconnect",
        id="reconnect",
        show=False,
        tooltip="Reconnect now. Drop the connection and connect again without waiting for the backoff.",
    ),
    Binding(
        "e",
        "export",
        "Export",
        id="export",
        tooltip="Export the current view. Write what the view shows to a JSON or CSV file.",
    ),
    Binding(
        "g",
        "links",
        "Go to",
        id="links",
        show=False,
        tooltip="Go to what the row names. Its session, agent, current experiment, tree node, plots or resource.",
    ),
    Binding(
        "x",
        "dismiss_notifications",
        "Dismiss",
        id="dismiss",
        show=False,
        tooltip="Dismiss the notifications. Take down every notification, the ones that stay until dismissed too.",
    ),
    Binding(
        "ctrl+s",
        "save_svg",
        "Screenshot",
        id="screenshot",
        show=False,
        tooltip="Save an SVG screenshot. Write the screen as an SVG image.",
    ),
    Binding("question_mark", "help", "Help", id="help", tooltip="Show the keys. This screen."),
    Binding("q", "quit", "Quit", id="quit", tooltip="Quit. Leave the dashboard and restore the terminal."),
    # before the screen's copy binding, as in other terminal dashboards
    Binding(
        "ctrl+c",
        "quit",
        "Quit",
        id="quit-interrupt",
        show=False,
        priority=True,
        tooltip="Quit. Leave the dashboard and restore the terminal.",
    ),
]

#: Keys that exist only for some sources: the tree view (run folders and their
#: recordings) and replay controls (a recording). The app hides them otherwise.
RUN_BINDINGS: list[Binding] = [
    Binding(
        "6",
        "show_view('tree')",
        "Tree",
        id="view-tree",
        group=VIEWS_GROUP,
        tooltip="Show the Tree view. The search tree of a stage with the plots of the highlighted node.",
    ),
    Binding(
        "space",
        "replay_pause",
        "Play/pause",
        id="replay-pause",
        group=REPLAY_GROUP,
        tooltip="Pause or resume the replay. Stop the recording's clock; p only freezes the screen.",
    ),
    Binding(
        "comma",
        "replay_seek(-60)",
        "-1 min",
        id="replay-back",
        group=REPLAY_GROUP,
        tooltip="Replay: back one minute. Rebuild the state as it was a minute earlier.",
    ),
    Binding(
        "full_stop",
        "replay_seek(60)",
        "+1 min",
        id="replay-forward",
        group=REPLAY_GROUP,
        tooltip="Replay: forward one minute. Deliver the next minute of the recording at once.",
    ),
    Binding(
        "circumflex_accent",
        "replay_start",
        "Start",
        id="replay-start",
        group=REPLAY_GROUP,
        show=False,
        tooltip="Replay: back to the start. Clear the screen and play the recording from the start.",
    ),
    Binding(
        "dollar_sign",
        "replay_end",
        "End",
        id="replay-end",
        group=REPLAY_GROUP,
        show=False,
        tooltip="Replay: jump to the end. Deliver the rest of the recording at once.",
    ),
    Binding(
        "minus",
        "replay_speed(0.5)",
        "Slower",
        id="replay-slower",
        group=REPLAY_GROUP,
        show=False,
        tooltip="Replay: half the speed. Play the recording half as fast.",
    ),
    Binding(
        "plus,equals_sign",
        "replay_speed(2.0)",
        "Faster",
        id="replay-faster",
        group=REPLAY_GROUP,
        show=False,
        tooltip="Replay: double the speed. Play the recording twice as fast.",
    ),
]

#: In the sort menu (``s``): one key per column, in the order the view shows them.
SORT_KEYS = "123456789abcdeghijklmnoprtuvwxyz"
SORT_MENU_BINDINGS: list[BindingType] = [
    *(
        Binding(key, f"pick({n})", f"Column {n + 1}", id=f"sort.column-{n + 1}", show=False)
        for n, key in enumerate(SORT_KEYS)
    ),
    Binding("escape,s,q", "close", "Close", id="sort.close"),
]

#: In a table view: the highlighted row in full (cells are cut to their column's width).
ROW_BINDINGS: list[Binding] = [
    Binding(
        "v",
        "show_row",
        "Full row",
        id="view.row",
        show=False,
        tooltip="Show the highlighted row in full. Every column of the row, nothing cut.",
    ),
]

#: Everything the dashboard binds, in footer order (the tree key beside the view keys).
ALL_BINDINGS: list[Binding] = [
    *APP_BINDINGS[: len(VIEW_IDS)],
    RUN_BINDINGS[0],
    *APP_BINDINGS[len(VIEW_IDS) :],
    *RUN_BINDINGS[1:],
]


def binding_ids() -> list[str]:
    return [b.id for b in (*APP_BINDINGS, *RUN_BINDINGS) if b.id]


def check_keymap(keymap: dict[str, str]) -> str | None:
    """A sentence describing the first problem with a keymap, or None if it can be used."""
    known = set(binding_ids())
    for binding_id, key in keymap.items():
        if binding_id not in known:
            return f"The keymap names an unknown binding {binding_id!r}; known ids: {', '.join(sorted(known))}."
        if not isinstance(key, str) or not key.strip():
            return f"The keymap gives binding {binding_id!r} an empty key."
    return None
