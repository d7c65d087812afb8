"""The status line: connection, session, rates, pause and warnings, at a glance.

:func:`status_text` builds the lines from plain values (cheap to test);
:class:`StatusLine` is the widget the app refreshes on every tick. Every
state is told by a symbol and a word as well as a colour, so it reads the
same with ``NO_COLOR`` or a 16-colour palette.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.css.query import NoMatches
from textual.widgets import Static

from aisci_tui.sources.base import ConnectionState
from aisci_tui.store import Store
from aisci_tui.textsafe import clean
from aisci_tui.tui.format import duration
from aisci_tui.tui.widgets.tones import COMPONENT_CLASSES, Palette, tone_css

#: symbol, word, palette role ("success" | "warning" | "error" | "muted").
STATE_LOOK: dict[ConnectionState, tuple[str, str, str]] = {
    ConnectionState.CONNECTING: ("◌", "connecting", "warning"),
    ConnectionState.OPEN: ("●", "open", "success"),
    ConnectionState.CLOSING: ("◍", "closing", "warning"),
    ConnectionState.CLOSED: ("○", "closed", "muted"),
    ConnectionState.RECONNECTING: ("↻", "reconnecting", "warning"),
    ConnectionState.ERROR: ("✖", "error", "error"),
}


@dataclass(slots=True)
class StatusInfo:
    """Everything the status line shows, as plain values."""

    state: ConnectionState
    label: str
    session: str  # "Title (id)" or "All sessions (n)"
    rate: float
    since_last: float | None
    attempt: int = 0
    retry_in: float | None = None
    paused: bool = False
    invalid: int = 0
    errors: int = 0
    fatal: str | None = None
    warnings: list[str] = field(default_factory=list)
    #: With several servers: (label, state, attempt, retry_in) of each.
    endpoints: list[tuple[str, ConnectionState, int, float | None]] = field(default_factory=list)


def collect(store: Store, label: str, session_id: str | None, *, paused: bool, insecure: bool = False) -> StatusInfo:
    """Read the store into a :class:`StatusInfo` (no rendering)."""
    now = store.clock()
    conn = store.connection
    if session_id is not None:
        entity = store.sessions.get(session_id)
        title = getattr(entity.data, "title", None) if entity else None
        session = f"{clean(title, 60)} ({clean(session_id, 40)})" if title else f"Session {clean(session_id, 40)}"
    else:
        n = len(store.sessions)
        session = f"All sessions ({n})"
    warnings = [clean(w, 200) for w in conn.warnings]
    if insecure and not any("verif" in w.lower() or "insecure" in w.lower() for w in warnings):
        warnings.insert(0, "--insecure: TLS certificates are NOT verified for this session.")
    return StatusInfo(
        state=conn.state,
        label=clean(label, 80),
        session=session,
        rate=store.rate.per_second(now),
        since_last=None if conn.last_event_at is None else max(0.0, now - conn.last_event_at),
        attempt=conn.attempt,
        retry_in=None if conn.retry_at is None else max(0.0, conn.retry_at - now),
        paused=paused,
        invalid=store.counters.invalid,
        errors=store.counters.errors,
        fatal=clean(conn.fatal, 300) if conn.fatal else None,
        warnings=warnings,
        endpoints=[(clean(label, 40), state, attempt, retry) for label, state, attempt, retry in conn.endpoints or ()],
    )


BOLD = Style(bold=True)
PAUSED = Style(bold=True, reverse=True)


def _endpoints_part(info: StatusInfo, pal: Palette, text: Text) -> None:
    """``● 1/2 open`` and, for each server that is not open, its name, state and ``not live``."""
    states = [state for _, state, _, _ in info.endpoints]
    opened = states.count(ConnectionState.OPEN)
    symbol, word, role = (
        STATE_LOOK[ConnectionState.OPEN] if opened else STATE_LOOK.get(info.state, ("?", str(info.state), "muted"))
    )
    if opened and opened < len(states):
        role = "warning"
    text.append(f"{symbol} {opened}/{len(states)} {STATE_LOOK[ConnectionState.OPEN][1]}", style=pal[role] + BOLD)
    first = True
    for label, state, _, _ in info.endpoints:
        if state == ConnectionState.OPEN:
            continue
        sym, word, down_role = STATE_LOOK.get(state, ("?", str(state), "muted"))
        style = pal[down_role]
        text.append(f" · {sym} {label} not live: {word}", style=style)
        if first and state == ConnectionState.RECONNECTING:  # the countdown the store keeps is this one's
            if info.retry_in is not None:
                text.append(f" in {info.retry_in:.0f}s", style=style)
            if info.attempt:
                text.append(f" (attempt {info.attempt})", style=style)
        first = False


def main_line(info: StatusInfo, palette: Palette | None = None) -> Text:
    """The one-line summary: state, pause, session, rate, last event, problems, server."""
    pal = palette or Palette.plain()
    symbol, word, role = STATE_LOOK.get(info.state, ("?", str(info.state), "muted"))
    text = Text()
    if len(info.endpoints) > 1:
        _endpoints_part(info, pal, text)
    else:
        text.append(f"{symbol} {word}", style=pal[role] + BOLD)
    if info.state == ConnectionState.RECONNECTING and len(info.endpoints) <= 1:
        if info.retry_in is not None:
            text.append(f" in {info.retry_in:.0f}s", style=pal[role])
        if info.attempt:
            text.append(f" (attempt {info.attempt})", style=pal[role])
    if info.paused:
        text.append("  ")
        text.append(" ⏸ PAUSED ", style=PAUSED)
    text.append("  ")
    text.append(info.session, style=BOLD)
    text.append("  ")
    text.append(f"{info.rate:.1f} ev/s", style="")
    last = "no events yet" if info.since_last is None else f"last {duration(info.since_last)} ago"
    text.append(f" · {last}", style=pal["muted"])
    if info.invalid:
        text.append(f" · ⚠ {info.invalid} invalid", style=pal["warning"])
    if info.errors:
        text.append(f" · ✖ {info.errors} errors", style=pal["error"])
    text.append(f"  {info.label}", style=pal["muted"])
    return text


def banner_lines(info: StatusInfo, palette: Palette | None = None) -> Text:
    """Warnings for the whole session and a fatal error, one per line (may wrap); empty if none."""
    pal = palette or Palette.plain()
    text = Text()
    for warning in info.warnings:
        if text:
            text.append("\n")
        text.append(f"⚠ {warning}", style=pal["warning"] + BOLD)
    if info.fatal:
        if text:
            text.append("\n")
        text.append(f"✖ {info.fatal}", style=pal["error"] + BOLD)
    return text


def status_text(info: StatusInfo, palette: Palette | None = None) -> Text:
    """The whole status area as one text: the main line, then the banner lines."""
    text = main_line(info, palette)
    banner = banner_lines(info, palette)
    if banner:
        text.append("\n")
        text.append_text(banner)
    return text


class StatusLine(Vertical):
    """The header: one line that never wraps, and a banner (warnings, fatal error) that does.

    The app calls :meth:`show` with fresh info on each tick; unchanged text is not redrawn.
    """

    DEFAULT_CSS = """
    StatusLine {
        height: auto;
        background: $panel;
        padding: 0 1;
    }
    StatusLine > #status-main {
        height: 1;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    StatusLine > #status-banner {
        height: auto;
        max-height: 6;
    }
    StatusLine > #status-banner.empty {
        display: none;
    }
    """ + tone_css("StatusLine")

    COMPONENT_CLASSES: ClassVar[set[str]] = COMPONENT_CLASSES

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._last: Text | None = None
        self._banner: object = None
        self._frozen: StatusInfo | None = None
        self._freezing = False

    def freeze(self, on: bool) -> None:
        """While paused the counts stay as they were; the connection's state still shows as it is."""
        self._freezing, self._frozen = on, None

    def compose(self) -> ComposeResult:
        yield Static("", id="status-main", markup=False)
        yield Static("", id="status-banner", markup=False, classes="empty")

    def show(self, info: StatusInfo) -> None:
        if self._freezing:
            if self._frozen is None:
                self._frozen = info
            else:
                frozen = self._frozen
                frozen.state, frozen.attempt, frozen.retry_in, frozen.fatal = (
                    info.state,
                    info.attempt,
                    info.retry_in,
                    info.fatal,
                )
                info = frozen
        palette = self._palette()
        text = status_text(info, palette)
        if self._last is not None and text.plain == self._last.plain and text.spans == self._last.spans:
            return
        try:  # the app's timer can tick before this widget's children are mounted, or after they left
            main = self.query_one("#status-main", Static)
            box = self.query_one("#status-banner", Static)
        except NoMatches:
            return
        self._last = text
        banner = banner_lines(info, palette)
        main.update(main_line(info, palette), layout=False)  # one line, full width: its size never changes
        if banner != self._banner:  # a new banner can change the header's height: only then a layout
            self._banner = banner
            box.update(banner)
            box.set_class(not banner, "empty")

    def _palette(self) -> Palette:
        return Palette.of(self)  # the theme's tones, as every view has them
