"""Reading the store for tables: columns and their fitting, sorting, matching, filter cycles,
and lookups across entities. The rows themselves are built in :mod:`aisci_tui.store.rows`.

Plain Python (no Textual, no Rich): the dashboard's views turn rows into
cells, and exports write them as they are. A row is a ``dict`` from column key
to a raw value (a string straight from the server, a number, a bool or None);
keys starting with ``_`` are helpers for the view and never exported.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from aisci_tui.protocol.models import FRAMEWORKS, Filters
from aisci_tui.store.state import Store

#: Event severities, least to most severe.
SEVERITY_RANK = {"info": 0, "warning": 1, "error": 2, "critical": 3}
#: The six ethical frameworks in the guide's order.
FRAMEWORK_NAMES = FRAMEWORKS

Row = dict[str, Any]


# -- columns --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Column:
    """One table column. ``width`` 0 makes it flexible: it takes the space left over."""

    key: str
    label: str
    width: int = 10
    priority: int = 0  # 0 is always shown; higher numbers are dropped first when narrow
    numeric: bool = False  # numeric columns sort descending first
    min_width: int = 10  # for flexible columns
    optional: bool = False  # shown only once some row has a value for it
    sort_by: str | None = None  # the row field to sort by, when not the column's own (e.g. a stable timestamp)


def fit_columns(
    columns: Sequence[Column],
    available: int,
    padding: int = 1,
    skip: Iterable[str] = (),
    widest: Mapping[str, int] | None = None,
) -> list[tuple[Column, int]]:
    """The columns that fit in ``available`` cells, in their original order, with widths.

    Priority-0 columns are always kept; others are added from the lowest
    priority number up until one does not fit. Flexible columns share what is
    left. Columns named in ``skip`` are left out.

    With ``widest`` (the widest cell seen per column), widths follow content:
    a flexible column takes no more than its widest cell (and its label), and
    space left over first widens columns whose cells are cut.
    """
    if widest is not None:
        return _fit_to_content(columns, available, padding, skip, widest)
    pad = 2 * padding
    skipped = set(skip)
    columns = [c for c in columns if c.key not in skipped]

    def need(col: Column) -> int:
        return (col.width or col.min_width) + pad

    chosen = {i for i, c in enumerate(columns) if c.priority == 0}
    used = sum(need(columns[i]) for i in chosen)
    for i in sorted(range(len(columns)), key=lambda i: columns[i].priority):
        if i in chosen:
            continue
        if used + need(columns[i]) > available:
            break  # a less important column never takes the place of a more important one
        chosen.add(i)
        used += need(columns[i])
    flexible = [i for i in chosen if not columns[i].width]
    spare = max(0, available - used)
    out: list[tuple[Column, int]] = []
    for i, col in enumerate(columns):
        if i not in chosen:
            continue
        width = col.width
        if not width:
            width = col.min_width + spare // len(flexible) + (1 if flexible.index(i) < spare % len(flexible) else 0)
        out.append((col, width))
    return out


def _fit_to_content(
    columns: Sequence[Column], available: int, padding: int, skip: Iterable[str], widest: Mapping[str, int]
) -> list[tuple[Column, int]]:
    pad = 2 * padding
    skipped = set(skip)
    columns = [c for c in columns if c.key not in skipped]

    def content(col: Column) -> int:  # what the column's cells and label need
        seen = widest.get(col.key)
        return max(len(col.label) + 2, seen) if seen is not None else (col.width or col.min_width)

    def least(col: Column) -> int:  # no wider than the content, once some is known
        return min(col.width or col.min_width, content(col))

    chosen = {i for i, c in enumerate(columns) if c.priority == 0}
    used = sum(least(columns[i]) + pad for i in chosen)
    for i in sorted(range(len(columns)), key=lambda i: columns[i].priority):
        if i in chosen:
            continue
        if used + least(columns[i]) + pad > available:
            break
        chosen.add(i)
        used += least(columns[i]) + pad
    widths = {i: least(columns[i]) for i in chosen}
    spare = max(0, available - used)
    # what is left goes first to cut fixed columns (the most important first), each up to its widest
    # cell, then in equal shares to the flexible ones, each up to its widest cell
    for i in sorted((i for i in chosen if columns[i].width), key=lambda i: (columns[i].priority, i)):
        grow = min(spare, max(0, content(columns[i]) - widths[i]))
        widths[i] += grow
        spare -= grow
    short = [i for i in sorted(chosen) if not columns[i].width and widths[i] < content(columns[i])]
    while spare > 0 and short:
        share = max(1, spare // len(short))
        for i in list(short):
            grow = min(share, spare, content(columns[i]) - widths[i])
            widths[i] += grow
            spare -= grow
            if widths[i] >= content(columns[i]):
                short.remove(i)
    return [(col, widths[i]) for i, col in enumerate(columns) if i in chosen]


# -- sorting and matching ---------------------------------------------------------


def sort_key(value: Any, reverse: bool = False) -> tuple[int, int, Any]:
    """A key that orders numbers before words and puts missing values last in either direction."""
    missing = value is None or (isinstance(value, float) and math.isnan(value))
    if missing:
        return (0 if reverse else 1, 0, 0)
    present = 1 if reverse else 0
    if isinstance(value, bool):
        return (present, 0, float(value))
    if isinstance(value, int | float):
        return (present, 0, float(value))
    if isinstance(value, datetime):
        return (present, 0, value.timestamp())
    if isinstance(value, Mapping | list | tuple | set | frozenset):
        return (present, 0, float(len(value)))
    return (present, 1, str(value).casefold())


def search_text(parts: Iterable[str]) -> str:
    """What the ``/`` filter looks in: the shown texts, case-folded."""
    return "\x00".join(parts).casefold()


def matches(haystack: str, needle: str) -> bool:
    """Case-insensitive substring match; an empty needle matches everything."""
    return not needle or needle.casefold() in haystack


# -- filter cycles ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FilterState:
    """One step of a view's ``f`` cycle: rows whose ``field`` is in ``values`` (None: every row)."""

    label: str
    field: str = "status"
    values: frozenset[str] | None = None
    server: Filters | None = None
    prefix: str | None = None  # shown before the label instead of the cycle's name

    def accepts(self, row: Mapping[str, Any]) -> bool:
        if self.values is None:
            return True
        value = row.get(self.field)
        if isinstance(value, set | frozenset | list | tuple):
            return any(v in self.values for v in value)
        return value in self.values


def status_state(name: str, *values: str, label: str | None = None) -> FilterState:
    """Rows with one of ``values`` as status; the server can apply it as a status filter."""
    vals = values or (name,)
    return FilterState(label or name, "status", frozenset(vals), Filters(status=list(vals)))


def severity_at_least(minimum: str, label: str | None = None, field_name: str = "severity") -> FilterState:
    """Rows at or above ``minimum`` event severity (a server-side severity filter too)."""
    floor = SEVERITY_RANK[minimum]
    vals = [s for s, rank in SEVERITY_RANK.items() if rank >= floor]
    text = label or (minimum if minimum == "critical" else f"≥{minimum}")
    return FilterState(text, field_name, frozenset(vals), Filters(severity=vals))


ALL = FilterState("all")


@dataclass(slots=True)
class FilterCycle:
    """The states ``f`` steps through; the first is normally :data:`ALL`."""

    name: str
    states: Sequence[FilterState]
    index: int = 0

    @property
    def state(self) -> FilterState:
        return self.states[self.index]

    @property
    def label(self) -> str:
        state = self.state
        return "all" if state.values is None else f"{state.prefix or self.name}: {state.label}"

    def advance(self) -> str:
        self.index = (self.index + 1) % len(self.states)
        return self.label


# -- helpers over the store ---------------------------------------------------------------


def agent_name(store: Store, agent_id: str | None) -> str | None:
    """The agent's display name from the store, else its id."""
    if not agent_id:
        return None
    entity = store.agents.get(agent_id)
    if entity is not None and entity.data.name:
        return entity.data.name
    return agent_id


def session_agent_ids(store: Store, session_id: str) -> set[str]:
    """Agents of a session: those naming it, and those in its activities."""
    ids = {key for key, ent in store.agents.items() if ent.data.session_id == session_id}
    session = store.sessions.get(session_id)
    if session is not None:
        ids.update(a.agent_id for a in session.data.activities if a.agent_id)
    return ids


@dataclass(slots=True)
class SessionCounts:
    agents_busy: int = 0
    agents_total: int = 0
    experiments_done: int = 0
    experiments_failed: int = 0
    experiments_total: int = 0
    agent_ids: set[str] = field(default_factory=set)


def session_counts(store: Store) -> dict[str, SessionCounts]:
    """Agents busy/total and experiments done/failed per session, in one pass."""
    out: dict[str, SessionCounts] = {sid: SessionCounts() for sid in store.sessions}
    for sid, ent in store.sessions.items():
        out[sid].agent_ids.update(a.agent_id for a in ent.data.activities if a.agent_id)
    for key, ent in store.agents.items():
        sid = ent.data.session_id
        if sid is not None:
            out.setdefault(sid, SessionCounts()).agent_ids.add(key)
    for counts in out.values():
        for key in counts.agent_ids:
            agent = store.agents.get(key)
            if agent is None:
                continue
            counts.agents_total += 1
            counts.agents_busy += agent.data.status == "busy"
    for ent in store.experiments.values():
        sid = ent.data.session_id
        if sid is None:
            continue
        counts = out.setdefault(sid, SessionCounts())
        counts.experiments_total += 1
        counts.experiments_done += ent.data.status == "completed"
        counts.experiments_failed += ent.data.status == "failed"
    return out


class SessionTally:
    """:func:`session_counts` and :func:`session_agent_ids` kept up to date from the store's
    :class:`Changes`: each change recounts only the sessions it touches (a full pass rebuilds)."""

    def __init__(self) -> None:
        self._counts: dict[str, SessionCounts] = {}
        #: Agents naming each session, and agents in each session's activities.
        self._named: dict[str, set[str]] = {}
        self._active: dict[str, set[str]] = {}
        #: Sessions whose activities name each agent.
        self._in_activities: dict[str, set[str]] = {}
        #: As last counted: each agent's session, each experiment's (session, status).
        self._agent_session: dict[str, str | None] = {}
        self._experiment: dict[str, tuple[str | None, str | None]] = {}
        #: Per session, its experiments by status.
        self._statuses: dict[str, Counter[str | None]] = {}
        #: The store counted, and the event id each entity was counted at.
        self._store: Store | None = None
        self._stamps: dict[str, dict[str, Any]] = {"sessions": {}, "agents": {}, "experiments": {}}

    def counts(self, session_id: str) -> SessionCounts | None:
        return self._counts.get(session_id)

    def agent_ids(self, session_id: str) -> frozenset[str]:
        return frozenset(self._named.get(session_id, set()) | self._active.get(session_id, set()))

    def update(self, store: Store, changes: Any, full: bool) -> set[str]:
        """Bring the counts up to date (``full``: from scratch); the sessions whose counts changed."""
        before = dict(self._counts)
        scratch = full and store is not self._store
        if scratch:
            self.__init__()  # type: ignore[misc]
            self._store = store
            sessions, agents, experiments = set(store.sessions), set(store.agents), set(store.experiments)
        elif full:  # the same store: what changed since last counted, by event id
            sessions, agents, experiments = (
                self._diff(kind, store.table(kind)) for kind in ("sessions", "agents", "experiments")
            )
        else:
            removed: dict[str, set[str]] = {}
            for kind, key in changes.removed:
                removed.setdefault(kind, set()).add(key)
            sessions = changes.sessions | removed.get("sessions", set())
            agents = changes.agents | removed.get("agents", set())
            experiments = changes.experiments | removed.get("experiments", set())
        touched = set(before) if scratch else set()
        for sid in sessions:
            touched |= self._session(store, sid)
        for key in agents:
            touched |= self._agent(store, key)
        for key in experiments:
            touched |= self._experiment_changed(store, key)
        return {sid for sid in touched if self._recount(store, sid) != before.get(sid)}

    def _diff(self, kind: str, table: Mapping[str, Any]) -> set[str]:
        seen = self._stamps[kind]
        return {k for k, e in table.items() if seen.get(k) != e.event_id} | (seen.keys() - table.keys())

    def _stamp(self, kind: str, key: str, entity: Any) -> None:
        if entity is None:
            self._stamps[kind].pop(key, None)
        else:
            self._stamps[kind][key] = entity.event_id

    def _session(self, store: Store, sid: str) -> set[str]:
        entity = store.sessions.get(sid)
        self._stamp("sessions", sid, entity)
        ids = {a.agent_id for a in entity.data.activities if a.agent_id} if entity is not None else set()
        for key in self._active.get(sid, set()) - ids:
            self._in_activities.get(key, set()).discard(sid)
        for key in ids:
            self._in_activities.setdefault(key, set()).add(sid)
        self._active[sid] = ids
        return {sid}

    def _agent(self, store: Store, key: str) -> set[str]:
        entity = store.agents.get(key)
        self._stamp("agents", key, entity)
        old = self._agent_session.pop(key, None)
        if old is not None:
            self._named.get(old, set()).discard(key)
        new = entity.data.session_id if entity is not None else None
        if entity is not None:
            self._agent_session[key] = new
            if new is not None:
                self._named.setdefault(new, set()).add(key)
        return {s for s in (old, new) if s is not None} | self._in_activities.get(key, set())

    def _experiment_changed(self, store: Store, key: str) -> set[str]:
        entity = store.experiments.get(key)
        self._stamp("experiments", key, entity)
        old_sid, old_status = self._experiment.pop(key, (None, None))
        if old_sid is not None:
            self._statuses[old_sid][old_status] -= 1
        new = entity.data.session_id if entity is not None else None
        if entity is not None and new is not None:
            self._experiment[key] = (new, entity.data.status)
            self._statuses.setdefault(new, Counter())[entity.data.status] += 1
        return {s for s in (old_sid, new) if s is not None}

    def _recount(self, store: Store, sid: str) -> SessionCounts | None:
        named, active = self._named.get(sid, set()), self._active.get(sid, set())
        statuses = self._statuses.get(sid, Counter())
        if sid not in store.sessions and not named and statuses.total() <= 0:
            self._counts.pop(sid, None)
            return None
        ids = named | active
        counts = SessionCounts(
            agent_ids=set(ids),
            experiments_total=statuses.total(),
            experiments_done=statuses["completed"],
            experiments_failed=statuses["failed"],
        )
        agents = store.agents
        for key in ids:
            agent = agents.get(key)
            if agent is not None:
                counts.agents_total += 1
                counts.agents_busy += agent.data.status == "busy"
        self._counts[sid] = counts
        return counts
