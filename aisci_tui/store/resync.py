"""What a server stopped reporting after it came back, and the sessions it replaced.

When the connection (or, with several servers, one of them) opens again after it was lost,
the server re-reports what it still has within :data:`RESYNC_GRACE` seconds (the history it
sends on subscribe). After that, an entity of that server not reported since the reopening
is *unreported*: it may be gone, and is shown so.

An unreported session that has the title of a session the same server reported since the
reopening was *replaced*: the server came back with another world, or the run was started
again under a new id. Showing both would show one piece of research twice, one copy live
and one frozen, so the old one leaves the sessions table (as an eviction does, so every
reader drops it), a line in the event log says which replaced which, and its id and title
are kept so that rows still naming it (its agents, its experiments) can say "replaced".
Plain Python.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

#: Seconds after a reopening for the server to re-report what it still has.
RESYNC_GRACE = 15.0
#: Replaced sessions remembered (oldest forgotten first).
REPLACED_LIMIT = 1_000


@dataclass(slots=True)
class Reopenings:
    """When each connection came back after a loss, by the store's clock.

    Keyed by endpoint label with several servers, and by None for the connection as a whole."""

    at: dict[str | None, float] = field(default_factory=dict)
    #: Reopenings whose grace has not been taken into account yet, with when it ends.
    due: dict[str | None, float] = field(default_factory=dict)
    _open: dict[str | None, bool] = field(default_factory=dict)

    def observe(self, key: str | None, is_open: bool, now: float) -> bool:
        """Take in one connection's state; True when it reopened (opened again after having been open)."""
        was = self._open.get(key)
        if is_open or was is not None:
            self._open[key] = is_open
        if is_open and was is False:
            self.at[key] = now
            self.due[key] = now + RESYNC_GRACE
            return True
        return False

    def take_due(self, now: float) -> list[str | None]:
        """The connections whose grace ended since the last call (each reopening once)."""
        ended = [key for key, until in self.due.items() if now >= until]
        for key in ended:
            del self.due[key]
        return ended

    def unreported(self, key: str | None, arrived: float, now: float) -> bool:
        """Not reported by connection ``key`` since it came back, once it had the grace to do so."""
        at = self.at.get(key)
        return at is not None and now - at >= RESYNC_GRACE and arrived < at


@dataclass(frozen=True, slots=True)
class Replaced:
    """A session folded into the one that replaced it."""

    title: str
    by: str  # the replacing session's id


class ReplacedSessions(OrderedDict[str, Replaced]):
    """Old session id -> :class:`Replaced`, bounded."""

    def add(self, key: str, replaced: Replaced) -> None:
        self[key] = replaced
        self.move_to_end(key)
        while len(self) > REPLACED_LIMIT:
            self.popitem(last=False)


#: What :class:`Suspects` reads of a session: id -> (title, arrived).
Sessions = dict[str, tuple[str | None, float]]


@dataclass(slots=True)
class Suspects:
    """Per connection, the titled sessions it has not re-reported since it came back (title -> id).

    Filled when a reopening's grace ends; each is folded when a session of its title and
    connection is reported (then or later), and forgotten when it is reported itself."""

    by_key: dict[str | None, dict[str, str]] = field(default_factory=dict)

    def start(self, key: str | None, sessions: Sessions, since: float) -> None:
        """The grace after connection ``key``'s reopening at ``since`` ended; ``sessions``: its own."""
        self.by_key[key] = {title: sid for sid, (title, arrived) in sessions.items() if title and arrived < since}

    def forget(self, key: str | None) -> None:
        self.by_key.pop(key, None)

    def matches(self, key: str | None, sessions: Sessions) -> list[tuple[str, str, str]]:
        """(old id, new id, title) for sessions of connection ``key`` just reported whose title a suspect has;
        ``sessions``: those reported since the reopening. A suspect reported itself is cleared instead."""
        suspects = self.by_key.get(key)
        if not suspects:
            return []
        out = []
        for sid, (title, _) in sessions.items():
            if title is None or title not in suspects:
                continue
            old = suspects.pop(title)
            if old != sid:
                out.append((old, sid, title))
        return out


def sessions_of(table: Mapping[str, Any], label: str | None, keys: Iterable[str]) -> Sessions:
    """(title, arrived) of the valid sessions among ``keys`` from server ``label`` (None: any)."""
    return {
        key: (ent.data.title, ent.arrived)
        for key in keys
        if (ent := table.get(key)) is not None and ent.valid and (label is None or key.startswith(label + "/"))
    }


class Resync:
    """The store's part in a reconnection: reopenings, suspects and the sessions replaced."""

    def __init__(self) -> None:
        self.reopenings = Reopenings()
        self.replaced = ReplacedSessions()
        self._suspects = Suspects()

    def observe(self, states: Iterable[tuple[str | None, bool]], now: float) -> None:
        """Each connection's state (None: the whole), as a state notice tells them."""
        for key, is_open in states:
            if self.reopenings.observe(key, is_open, now):
                self._suspects.forget(key)

    def sweep(
        self, now: float, sessions: Callable[[], Mapping[str, Any]], changed: set[str], several: bool
    ) -> tuple[bool, list[tuple[str, str, str]]]:
        """(whether a reopening's grace just ended, the (old, new, title) sessions replaced now);
        ``changed``: the sessions reported since the last look; ``several``: there are several servers."""
        ended = self.reopenings.take_due(now)
        if not ended and not (changed and self._suspects.by_key):
            return False, []
        table = sessions()
        for label in ended:
            if label is None and several:
                continue  # several servers: each is resynced on its own, never one against another
            self._suspects.start(label, sessions_of(table, label, table), self.reopenings.at[label])
        folds = []
        for label in list(self._suspects.by_key):
            at = self.reopenings.at[label]
            keys = table if label in ended else list(changed)
            fresh = {k: v for k, v in sessions_of(table, label, keys).items() if v[1] >= at}
            for old, new, title in self._suspects.matches(label, fresh):
                if old in table:
                    self.replaced.add(old, Replaced(title, new))
                    folds.append((old, new, title))
        return bool(ended), folds
