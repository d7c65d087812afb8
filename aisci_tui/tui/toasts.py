"""Turning system events and protocol errors into toasts a person can read.

Plain Python: :func:`for_system_event` and :func:`for_notice` say what to
show; :class:`ToastLimiter` keeps a flood from burying the screen (the rest
is summarised, and every event is still in the Events view).
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, replace

from aisci_tui.protocol.errors import ERROR_TEXT
from aisci_tui.protocol.models import Event, SystemEventData
from aisci_tui.sources.base import Notice
from aisci_tui.textsafe import clean

#: Textual notification severities for protocol severities.
SEVERITY = {"info": "information", "warning": "warning", "error": "error", "critical": "error"}


@dataclass(frozen=True, slots=True)
class Toast:
    message: str
    title: str
    severity: str  # "information" | "warning" | "error"
    timeout: float | None  # None: the app's default; 0: stays until dismissed
    bell: bool = False


#: Below this size news (information) is not shown as a notification, and others are brief.
SMALL_WIDTH = 100
SMALL_HEIGHT = 30


def for_screen(toast: Toast, width: int, height: int) -> Toast | None:
    """The toast as a screen of this size should show it: on a small one news would cover the rows
    (Home's latest events list it) and warnings go after three seconds; sticky ones stay."""
    if width >= SMALL_WIDTH and height >= SMALL_HEIGHT:
        return toast
    if toast.severity == "information":
        return None
    if toast.timeout == 0:
        return toast
    return replace(toast, timeout=min(toast.timeout or 3.0, 3.0))


def for_system_event(data: SystemEventData) -> Toast:
    severity = (data.severity or "info").lower()
    title = clean(data.title or data.event_type or "System event", 80)
    body = clean(data.description, 240) or clean(data.event_type, 60)
    services = ", ".join(clean(s, 40) for s in data.affected_services[:4])
    if services:
        body = f"{body} (affects {services})"
    critical = severity == "critical"
    return Toast(
        message=body,
        title=("CRITICAL: " if critical else "") + title,
        severity=SEVERITY.get(severity, "information"),
        timeout=0 if critical else None,
        bell=critical,
    )


def for_notice(notice: Notice) -> Toast | None:
    """A toast for an error or a warning; None for state changes, invalid frames and a fatal stop
    (the status line gives the stop a line of its own and the body says what to do: a toast
    that stayed would only cover that)."""
    if notice.fatal and notice.kind != "error":
        return None
    if notice.kind == "error":
        text = clean(notice.text, 300)
        known = ERROR_TEXT.get(notice.code or "")
        title = known or "Server error"
        if notice.code:
            title = f"{title} [{clean(notice.code, 40)}]" if known else f"Server error {clean(notice.code, 40)}"
        return Toast(
            message=text or known or "The server reported an error.",
            title=title,
            severity="error" if notice.severity in ("error", "critical") or notice.fatal else "warning",
            timeout=0 if notice.fatal else None,
        )
    if notice.kind == "info" and notice.severity in ("warning", "error", "critical"):
        return Toast(clean(notice.text, 300), "Warning", SEVERITY.get(notice.severity, "warning"), None)
    return None


class ToastLimiter:
    """At most ``burst`` toasts per ``window`` seconds; the rest are counted, then summarised.

    Critical toasts always pass.
    """

    def __init__(self, burst: int = 3, window: float = 3.0, clock: Callable[[], float] = time.monotonic):
        self.burst = burst
        self.window = window
        self.clock = clock
        self._shown: deque[float] = deque()
        self.suppressed = 0

    def allow(self, toast: Toast) -> bool:
        now = self.clock()
        while self._shown and now - self._shown[0] > self.window:
            self._shown.popleft()
        if toast.bell or len(self._shown) < self.burst:
            self._shown.append(now)
            return True
        self.suppressed += 1
        return False

    def take_summary(self) -> Toast | None:
        """A toast about what was held back, once the window has room again."""
        if not self.suppressed:
            return None
        now = self.clock()
        while self._shown and now - self._shown[0] > self.window:
            self._shown.popleft()
        if len(self._shown) >= self.burst:
            return None
        count, self.suppressed = self.suppressed, 0
        self._shown.append(now)
        noun = "notification" if count == 1 else "notifications"
        return Toast(f"{count} more {noun}; see the Events view (5).", "More events", "information", None)


class Toaster:
    """Decides which toasts to show: all critical ones, others unless paused or in a flood.

    ``show`` puts one toast on screen; ``paused`` says whether the display is frozen.
    """

    def __init__(
        self,
        show: Callable[[Toast], None],
        paused: Callable[[], bool],
        limiter: ToastLimiter | None = None,
        is_fresh: Callable[[str | None], bool] | None = None,
    ) -> None:
        self.show = show
        self.paused = paused
        self.limiter = limiter or ToastLimiter()
        self.is_fresh = is_fresh

    def notice(self, notice: Notice) -> None:
        toast = for_notice(notice)
        if toast is not None:
            self.offer(toast)

    def system(self, event: Event) -> None:
        """A toast for a warning, error or critical system event, unless ``is_fresh`` calls it
        history (the app passes the store's rule, :meth:`aisci_tui.store.rate.Liveness.is_live`).
        News (``info``) is not raised: Home's latest events and the Events view list it, and a
        server announcing routine changes every few seconds would keep a corner of the screen
        covered all day."""
        if self.is_fresh is not None and not self.is_fresh(event.timestamp):
            return
        toast = for_system_event(event.data)
        if toast.severity != "information":
            self.offer(toast)

    def offer(self, toast: Toast) -> None:
        if self.paused() and not toast.bell and toast.timeout != 0:
            self.limiter.suppressed += 1
            return
        if self.limiter.allow(toast):
            self.show(toast)

    def flush(self) -> None:
        """Show the summary of held-back toasts once there is room (and the display runs)."""
        if not self.paused() and (summary := self.limiter.take_summary()):
            self.show(summary)
