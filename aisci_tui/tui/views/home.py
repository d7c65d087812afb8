"""Home: every session on a line, then what needs a person, then the latest events.

Everything comes from the :class:`~aisci_tui.store.overview.Overview`, which the
dashboard keeps up to date from the store's changes; a redraw only lays out what
fits on the screen. Enter on a line goes to the thing it names.
"""

from __future__ import annotations

from datetime import UTC, datetime
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
from aisci_tui.tui.widgets.bars import bar
from aisci_tui.tui.widgets.linelist import LineList
from aisci_tui.tui.widgets.plot import resample, sparkline
from aisci_tui.tui.widgets.tones import Palette

SPARK = 12
_SEVERITY = {"critical": ("‼", "error"), "error": ("✖", "error"), "warning": ("▲", "warning"), "info": ("●", "muted")}


def _when(epoch: float | None) -> datetime | None:
    return datetime.fromtimestamp(epoch, UTC) if epoch is not None else None


def _fit(text: Text, width: int) -> Text:
    text.no_wrap = True
    text.overflow = "ellipsis"
    text.truncate(width, overflow="ellipsis")
    return text


#: The fields of a session line: (name, width, priority); lower priorities stay longer when narrow.
#: ``cost`` is there only beside a run folder's line; a run's best widens on wide screens (:func:`field_widths`).
SESSION_FIELDS = (
    ("progress", 15, 0),
    ("phase", 18, 2),
    ("eta", 12, 1),
    ("agents", 10, 5),  # " 5/10 busy"
    ("experiments", 8, 4),
    ("best", 10, 3),
    ("cost", 11, 3),
    ("spark", SPARK, 6),
    ("state", 10, 1),
)
TITLE_MIN = 20
#: From this width a run's best shows its metric's name (``validation loss ↓ 0.4867``), not only ``↓ 0.4867``.
WIDE_BEST, WIDE = 28, 160


def field_widths(width: int, runs: bool = False) -> dict[str, int]:
    """Each field's width; beside a run's line the phase gives a cell to the cost (room at 120 columns)."""
    sizes = {name: size for name, size, _ in SESSION_FIELDS}
    if runs:
        sizes["phase"] -= 1
        if width >= WIDE:
            sizes["best"] = WIDE_BEST
    return sizes


def session_fields(width: int, runs: bool = False) -> list[str]:
    """The fields that fit beside a title of at least :data:`TITLE_MIN` cells, in display order.

    Most important first, each taken if it still fits; ``runs``: a run folder's line is shown (its cost).
    """
    budget = width - 2 - max(TITLE_MIN, width // 4)
    sizes = field_widths(width, runs)
    kept: set[str] = set()
    for name, _, _ in sorted(SESSION_FIELDS, key=lambda f: f[2]):
        if sizes[name] + 2 > budget or (name == "cost" and not runs):
            continue
        kept.add(name)
        budget -= sizes[name] + 2
    return [name for name, _, _ in SESSION_FIELDS if name in kept]


def best_text(best: tuple[str, bool], width: int) -> str:
    """A run's best in ``width`` cells: the tree's text, then without its dataset scope, then the short form
    (``↓ 0.4867``, ``0 good yet``)."""
    text, found = best
    head = text.rpartition(" (")[0] if text.endswith(")") and " (" in text else text
    if found:
        words = head.split()
        short = " ".join(words[-2:]) if len(words) > 1 and words[-2] in ("↓", "↑") else words[-1] if words else ""
    else:
        short = "0 good yet" if text == "no good node yet" else text
    return next((t for t in (text, head, short) if len(t) <= width), short)


def cost_text(line: SessionLine) -> str:
    """``$12.34``; ``no cost yet`` until token_tracker.json is written (after plot aggregation)."""
    return f"${line.cost_usd:,.2f}" if line.cost_usd is not None else "no cost yet"


def session_text(
    line: SessionLine,
    width: int,
    now: datetime,
    p: Palette,
    *,
    live: bool = True,
    stale: bool = False,
    runs: bool = False,
    best: tuple[str, bool] | None = None,
) -> Text:
    """``● Title  ███░░ 78%  analysis  ETA 16m  4/8 busy  1✓ 1✖  best 0.626  ▂▃▅▇``, fields dropped to fit.

    ``best``: a run folder's stage best as the tree says it (:func:`~aisci_tui.tui.run.view.stage_best`),
    shown instead of the best accuracy; ``runs``: a run's line is on the screen (room for its cost).
    """
    if stale:  # not reported again since the server came back: it may be gone
        mark, tone, state = "?", "muted", "stale"
    elif line.finished:
        mark, tone, state = "✓", "success", "finished"
    elif line.agents_error:
        mark, tone, state = "✖", "error", f"{line.agents_error} erroring"
    elif line.stalled:
        mark, tone, state = "⏸", "warning", "stalled"
    else:
        mark, tone, state = "●", "primary", ""
    names = session_fields(width, runs)
    widths = field_widths(width, runs)
    parts: dict[str, Text] = {}
    if "progress" in names:
        progress = bar(line.progress, 10, p["primary"], p["muted"])
        progress.append(f" {fmt.percent(line.progress):>4}")
        parts["progress"] = progress
    parts["phase"] = Text(fmt.words(clean(line.phase, 40)) or "—")
    if line.finished:
        eta = ""  # a finished session has no ETA
    elif not live:
        eta = "ETA —"  # nothing counts down while the server is away
    else:
        due = parse_time(line.eta)
        left = fmt.countdown(due, now) if due else f"in {fmt.duration(line.remaining)}" if line.remaining else "—"
        eta = f"ETA {left.removeprefix('in ')}"
    parts["eta"] = Text(eta)
    busy = 0 if line.finished else line.agents_busy
    parts["agents"] = Text(f"{busy:>2}/{line.agents_total} busy")
    exps = Text(f"{line.experiments_done:>2}✓ ", end="")
    exps.append(f"{line.experiments_failed}✖", p["error"] if line.experiments_failed else p["muted"])
    parts["experiments"] = exps
    if best is not None:
        parts["best"] = Text(clean(best_text(best, widths["best"]), 200), style=p["success" if best[1] else "muted"])
    else:
        parts["best"] = Text(
            f"best {line.best:.3f}" if line.best is not None else "best —",
            style=p["success"] if line.best is not None else p["muted"],
        )
    parts["cost"] = Text(cost_text(line) if line.run else "", style=p["muted"] if line.cost_usd is None else Style())
    if "spark" in names:
        parts["spark"] = sparkline(resample(list(line.history), SPARK), SPARK, low=0.0, high=1.0, style=p["accent"])
    parts["state"] = Text(state, style=p[tone])
    title_w = width - 2 - sum(widths[n] + 2 for n in names)
    text = Text(end="", no_wrap=True)
    text.append(f"{mark} ", p[tone] + Style(bold=True))
    text.append(f"{clean(line.title, 200)[:title_w]:<{title_w}}", Style(bold=not line.finished))
    for name in names:
        part = parts[name]
        part.truncate(widths[name], overflow="ellipsis", pad=True)
        text.append("  ")
        text.append_text(part)
    return _fit(text, width)


def ago(since: float | None, now: datetime) -> str:
    """A short age: ``42s``, ``25m``, ``3h 05m``, ``2d 4h`` (blank when unknown)."""
    if since is None:
        return ""
    seconds = max(0, int(now.timestamp() - since))
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m"
    if seconds < 86400:
        return f"{seconds // 3600}h {seconds % 3600 // 60:02d}m"
    return f"{seconds // 86400}d {seconds % 86400 // 3600}h"


def attention_text(item: Attention, name: str, session: str, width: int, now: datetime, p: Palette) -> Text:
    """``✖ Experiment failed  Ablation …  Session  12m`` (and ``due in 2d 3h`` for assessments)."""
    symbol = "✖" if item.tone == "error" else "▲"
    text = Text(end="", no_wrap=True)
    text.append(f"{symbol} {item.what:<18.18}", p[item.tone] + Style(bold=item.tone == "error"))
    tail = Text(end="")
    if item.deadline:
        due = parse_time(item.deadline)
        tail.append(
            f"  {'due ' + fmt.countdown(due, now).removeprefix('in ') if due else clean(item.deadline, 30):<14.14}",
            p["warning"],
        )
    elif width >= 100:
        tail.append(" " * 16)
    if session and width >= 100:
        tail.append(f"  {clean(session, 200)[:22]:<22}", p["muted"])
    elif width >= 100:
        tail.append(" " * 24)
    tail.append(f"  {ago(item.since, now):>7}", p["muted"])
    room = max(8, width - text.cell_len - tail.cell_len - 1)
    text.append(f" {clean(name, 300)[:room]:<{room}}")
    text.append_text(tail)
    return _fit(text, width)


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
        running = sum(not s.finished for s in lines)
        as_of = "" if live else f"not live · as of {fmt.clock_time(now, now)}"
        heading("Sessions", f"{len(lines)} · {running} running" + (f" · {as_of}" if as_of else ""))
        if not lines:
            add(Text(self.empty_text(store), style=p["muted"]))
        runs = any(line.run for line in lines)
        for line in lines[: max(3, height // 3)]:
            ent = store.sessions.get(line.session_id)
            stale = ent is not None and store.unreported(line.session_id, ent.arrived)
            endpoint = store.connection.endpoint_of(line.session_id)  # with several servers: which one
            server_live = store.connection.is_live(line.session_id)  # its server may be down
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
        heading("Needs attention", f"{len(items)}" if items else "")
        if not items:
            add(
                Text(
                    "Nothing needs attention: no failed experiments, agents in error, stale heartbeats, "
                    "non-compliant assessments, reviews due or error events.",
                    style=p["success"],
                )
            )
        shown = items[: max(1, room - (1 if len(items) > room else 0))] if items else []
        for item in shown:
            add(
                attention_text(item, self._label_of(store, item), self._session_name(item), width, now, p),
                (item.kind, item.key),
            )
        if len(items) > len(shown):
            add(Text(f"  … {len(items) - len(shown)} more, oldest and least urgent", style=p["muted"]))

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
            add(_fit(text, width), ("event", str(entry.seq)))

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
            return f"Nothing to show: {clean(fatal, 300)}"
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
