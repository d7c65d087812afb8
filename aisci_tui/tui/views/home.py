"""Home: every session on a line, then what needs a person, then the latest events.

Everything comes from the :class:`~aisci_tui.store.overview.Overview`, which the
dashboard keeps up to date from the store's changes; a redraw only lays out what
fits on the screen. Enter on a line goes to the thing it names.
"""

from __future__ import annotations

from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from aisci_tui.protocol.times import parse_time
from aisci_tui.sources.base import ConnectionState
from aisci_tui.store import Changes, Store
from aisci_tui.store.overview import Attention, Overview, SessionLine
from aisci_tui.textsafe import clean
from aisci_tui.tui import format as fmt
from aisci_tui.tui.run import searchtree
from aisci_tui.tui.views.base import GoTo, StoreView, ViewContext
from aisci_tui.tui.views.home_lines import attention_text, fit, session_text
from aisci_tui.tui.widgets.linelist import LineList

_SEVERITY = {"critical": ("‼", "error"), "error": ("✖", "error"), "warning": ("▲", "warning"), "info": ("●", "muted")}


def _look(store: Store, line: SessionLine) -> tuple[bool, bool]:
    """(stale, its server live) of a session's line: not reported again since its server came back
    (it may be gone), and whether the server it comes from is open (with several, one may be down)."""
    ent = store.sessions.get(line.session_id)
    stale = ent is not None and store.unreported(line.session_id, ent.arrived)
    return stale, store.connection.is_live(line.session_id)


def _sessions_note(lines: list[SessionLine], looks: dict[str, tuple[bool, bool]], live: bool, clock: str) -> str:
    """``4 · 2 running · 1 stale · 1 not live``, counted as the lines are marked: a stale line is
    neither running nor finished, and a line whose server is down (while others are open) is not live."""
    stale = down = running = 0
    for line in lines:
        is_stale, server_live = looks[line.session_id]
        if is_stale:
            stale += 1
        elif line.finished:
            continue
        elif live and not server_live:
            down += 1
        else:
            running += 1
    note = f"{len(lines)} · {running} running"
    note += f" · {stale} stale" if stale else ""
    note += f" · {down} not live" if down else ""
    return note if live else f"{note} · not live · as of {clock}"


class HomeView(StoreView):
    """The first view: sessions, what needs attention, latest events."""

    VIEW_ID = "home"
    TITLE = "Home"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open_selected", "Go to", id="view.open"),
        Binding("escape", "dismiss_catch_up", "Dismiss", id="home.dismiss"),
    ]

    DEFAULT_CSS = """
    HomeView { layout: vertical; }
    HomeView > #home-catchup { height: auto; max-height: 12; padding: 0 1; display: none;
        border: round $accent; }
    HomeView.-catchup > #home-catchup { display: block; }
    HomeView > OptionList { height: 1fr; border: none; padding: 0; }
    HomeView > OptionList:focus { border: none; }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._own = Overview()  # used when the dashboard hands no overview in (a view on its own)
        self._overview: Overview | None = None
        self._targets: dict[str, tuple[str, str]] = {}
        self._sig: object = None
        self._bests: dict[str, tuple[tuple[int, str | None], tuple[str, bool]]] = {}
        self._laid_out: int | None = None  # the width the lines were last laid out to

    def compose(self) -> ComposeResult:
        yield Static(id="home-catchup", markup=False)
        yield LineList(id="home-list")

    @property
    def overview(self) -> Overview:
        return self._overview or self._own

    def update_view(self, store: Store, changes: Changes, ctx: ViewContext, full: bool) -> None:
        if ctx.overview is None:
            self._own.update(store, changes, ctx.now)
        self._overview = ctx.overview
        model = self.overview
        size = self.size
        live = store.connection.state == ConnectionState.OPEN
        sig = (
            model.version,
            store.log[-1].seq if store.log else 0,
            size,
            int(ctx.now.timestamp()),
            ctx.session_id,
            live,
            store.connection.fatal,
            self.palette,
            str(store.connection.endpoints),
        )
        if sig == self._sig and not full:
            return
        self._sig = sig
        self._draw(store, ctx, live)

    def _draw(self, store: Store, ctx: ViewContext, live: bool) -> None:
        p, now, model = self.palette, self.now() if self._ctx else ctx.now, self.overview
        now = ctx.now
        width = self._laid_out = max(40, self.size.width - 2)
        box = self.query_one("#home-list", LineList)
        height = max(8, box.size.height or self.size.height)
        options: list[Option] = []
        targets: dict[str, tuple[str, str]] = {}

        def add(prompt: Text, target: tuple[str, str] | None = None) -> None:
            oid = f"o{len(options)}"
            options.append(Option(prompt, id=oid, disabled=target is None))
            if target is not None:
                targets[oid] = target

        def heading(title: str, note: str = "") -> None:
            text = Text(title, style=p["accent"] + Style(bold=True), end="", no_wrap=True)
            if note:
                text.append(f"  {note}", p["muted"])
            add(text)

        lines = model.lines(ctx.session_id)
        looks = {line.session_id: _look(store, line) for line in lines}
        heading("Sessions", _sessions_note(lines, looks, live, fmt.clock_time(now, now)))
        if not lines:
            add(Text(self.empty_text(store), style=p["muted"]))
        runs = any(line.run for line in lines)
        for line in lines[: max(3, height // 3)]:
            stale, server_live = looks[line.session_id]
            endpoint = store.connection.endpoint_of(line.session_id)  # with several servers: which one
            line_live = live and server_live and not stale
            server = f"{endpoint[0]} " if endpoint else ""
            tail = "  not live" if live and not server_live else ""
            text = session_text(
                line,
                width - len(server) - len(tail),
                now,
                p,
                live=line_live,
                stale=stale,
                runs=runs,
                best=self._run_best(store, line) if line.run else None,
            )
            if server:
                text = Text.assemble((server, p["muted"]), text, end="", no_wrap=True)
            if tail:
                text.append(tail, p["warning"])
            if not line_live:
                text.stylize(Style(dim=True))
            add(text, ("session", line.session_id))

        items = model.attention(ctx.session_id)
        room = height - len(options) - 2 - 4  # keep four lines for the latest events
        total = sum(item.count for item in items)
        heading(
            "Needs attention",
            "" if not items else f"{total}" if total == len(items) else f"{total} ({len(items)} lines)",
        )
        if not items and live:
            add(
                Text(
                    "Nothing needs attention: no failed experiments, agents in error, stale heartbeats, "
                    "non-compliant assessments, reviews due or error events.",
                    style=p["success"],
                )
            )
        elif not items:  # an all-clear would claim what nobody is watching
            add(Text("Nothing reported so far needs attention, but this is not live.", style=p["muted"]))
        shown = items[: max(1, room - (1 if len(items) > room else 0))] if items else []
        for item in shown:
            add(
                attention_text(item, self._label_of(store, item), self._session_name(item), width, now, p),
                (item.kind, item.key),
            )
        if len(items) > len(shown):
            rest = items[len(shown) :]
            more = sum(item.count for item in rest)
            lines_more = f"{len(rest)} more" if more == len(rest) else f"{len(rest)} more lines ({more} items)"
            add(Text(f"  … {lines_more}, oldest and least urgent", style=p["muted"]))

        heading("Latest events")
        log = store.log
        free = max(2, height - len(options))
        if not log:
            add(Text("No system events or errors so far.", style=p["muted"]))
        for entry in list(reversed(log))[:free]:
            sid = entry.event.session_id if entry.event is not None else None
            if ctx.session_id is not None and sid not in (None, ctx.session_id):
                continue
            symbol, tone = _SEVERITY.get(entry.severity, ("●", "muted"))
            moment = parse_time(entry.timestamp)
            text = Text(f"{fmt.clock_time(moment, now) if moment else '':>8} ", style=p["muted"], end="")
            text.append(f"{symbol} {entry.severity:<8.8} ", p[tone])
            text.append(clean(entry.title, 300))
            add(fit(text, width), ("event", str(entry.seq)))

        keep = box.highlighted_option.id if box.highlighted_option is not None else None
        keep_target = self._targets.get(keep) if keep else None
        same_shape = list(targets.items()) == list(self._targets.items())
        self._targets = targets
        box.show(options)
        if same_shape and box.highlighted is not None:
            return  # the same lines in the same places: the highlight stays where it is
        index = next(
            (i for i, o in enumerate(options) if keep_target and targets.get(o.id or "") == keep_target),
            next((i for i, o in enumerate(options) if not o.disabled), None),
        )
        if index is not None:
            box.highlighted = index

    def on_resize(self, event: events.Resize) -> None:
        """Lay out again at once when the width changed: drawn while hidden (no size yet), Home would
        otherwise keep the narrowest layout until the next redraw."""
        if self._laid_out is not None and max(40, event.size.width - 2) != self._laid_out:
            self._sig = None
            self.resync()

    def _run_best(self, store: Store, line: SessionLine) -> tuple[str, bool]:
        """The run's current stage's best, as the tree's headline has it (worked out once per change)."""
        from aisci_tui.tui.run.view import stage_best  # the tree's module imports the views

        version = self.overview.version
        memo = self._bests.get(line.session_id)
        if memo is not None and memo[0] == (version, line.stage):
            return memo[1]
        summaries = searchtree.stages(store, line.session_id)
        summary = next((s for s in summaries if s.key.stage == line.stage), summaries[-1] if summaries else None)
        best = stage_best(summary) if summary is not None else ("no good node yet", False)
        self._bests[line.session_id] = ((version, line.stage), best)
        return best

    def empty_text(self, store: Store) -> str:
        fatal = store.connection.fatal
        if fatal:
            return "Nothing to show: not connected (the line above says why)."
        return "No research session has reported progress yet."

    def _label_of(self, store: Store, item: Attention) -> str:
        if item.kind == "assessment":
            for table, what in (
                (store.experiments, "experiment"),
                (store.sessions, "session"),
                (store.agents, "agent"),
            ):
                ent = table.get(item.key)
                if ent is not None:
                    name = getattr(ent.data, "title", None) or getattr(ent.data, "name", None) or item.key
                    return f"{what} {name}"
        return item.text

    def _session_name(self, item: Attention) -> str:
        if item.session_id is None or item.kind == "session":
            return ""
        line = self.overview.sessions.get(item.session_id)
        return line.title if line is not None else item.session_id

    # -- keys -------------------------------------------------------------------------------

    def highlighted_target(self) -> tuple[str, str] | None:
        option = self.query_one("#home-list", OptionList).highlighted_option
        return self._targets.get(option.id or "") if option is not None else None

    def open_selected(self) -> None:
        box = self.query_one("#home-list", OptionList)
        option = box.highlighted_option
        if option is not None and option.id in self._targets:
            kind, key = self._targets[option.id]
            self.post_message(GoTo(kind, key))

    def action_open_selected(self) -> None:
        self.open_selected()

    def show_catch_up(self, text: Text | None) -> None:
        """Show "since you last looked" above the lists until dismissed (None: nothing to say)."""
        if text is None:
            return
        self.query_one("#home-catchup", Static).update(text)
        self.add_class("-catchup")
        self.refresh_bindings()
        self._sig = None
        self.call_after_refresh(self.resync)  # the lists have fewer lines now

    @property
    def catching_up(self) -> bool:
        return self.has_class("-catchup")

    def action_dismiss_catch_up(self) -> None:
        self.remove_class("-catchup")
        self.refresh_bindings()
        self._sig = None
        self.call_after_refresh(self.resync)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "dismiss_catch_up":
            return self.catching_up
        return True

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id in self._targets:
            kind, key = self._targets[event.option.id]
            self.post_message(GoTo(kind, key))
