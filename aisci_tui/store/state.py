"""The store: plain-Python state that events are applied to.

One way in (:meth:`Store.apply` for events, :meth:`Store.note` for notices),
and readers that ask what changed since they last looked
(:meth:`Store.take_changes`). Everything is bounded: entities per kind, the
event log, per-agent history and the set of ids remembered for de-duplication.
No Textual here.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable
from typing import Any

from aisci_tui.protocol.errors import ProtocolError
from aisci_tui.protocol.fast import RawEvent
from aisci_tui.protocol.kinds import BY_TABLE, BY_TYPE, ENTITY_KINDS, TABLES, EntityKind
from aisci_tui.protocol.models import Event, SystemEvent, SystemEventData, UnknownMessage
from aisci_tui.sources.base import ConnectionState, Notice
from aisci_tui.store.dedupe import SeenIds
from aisci_tui.store.entity import Entity
from aisci_tui.store.rate import Liveness, RateMeter
from aisci_tui.store.records import Changes, Connection, Counters, LogEntry, StoreLimits
from aisci_tui.store.resync import Resync
from aisci_tui.store.sessionrule import SessionRule
from aisci_tui.textsafe import clean

log = logging.getLogger("aisci_tui.store")


def _newer_or_equal(new: str | None, old: str | None) -> bool:
    """False only when both timestamps are comparable and ``new`` is older."""
    if not new or not old or len(new) != len(old):
        return True
    return new >= old


class Store:
    """State of everything the dashboard shows, fed by one source.

    One table per entity kind (:data:`aisci_tui.protocol.kinds.ENTITY_KINDS`), read as
    ``store.<table>`` (``store.agents``) or ``store.table(name)``; each read validates
    what is pending first."""

    #: The tables as the type checker sees them: at run time each is a property made from the
    #: registry at the end of this module (tests/protocol/test_kinds.py checks the names agree).
    agents: OrderedDict[str, Entity]
    sessions: OrderedDict[str, Entity]
    experiments: OrderedDict[str, Entity]
    assessments: OrderedDict[str, Entity]

    def __init__(
        self,
        limits: StoreLimits | None = None,
        *,
        session_id: str | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limits = limits or StoreLimits()
        self.session_id = session_id
        self._session_rule = SessionRule(session_id)
        self.clock = clock
        self._tables: dict[str, OrderedDict[str, Entity]] = {table: OrderedDict() for table in TABLES}
        #: Entities holding an update not validated yet, per table.
        self._unsettled: dict[str, dict[str, Entity]] = {table: {} for table in TABLES}
        self._n_unsettled = 0
        #: Per entity of a kind with a tracked field (agents), (timestamp, value) each time a
        #: validated update changed that field.
        self._history: dict[str, dict[str, deque[tuple[str | None, Any]]]] = {
            kind.table: {} for kind in ENTITY_KINDS if kind.tracked
        }
        self.log: deque[LogEntry] = deque(maxlen=self.limits.log)
        self.counters = Counters()
        self.connection = Connection()
        self._told: str | None = None  # the reason for the drop last put in the log (until it opens again)
        self._resync = Resync()
        #: When the connection (each server's, with several) came back after a loss.
        self.reopenings = self._resync.reopenings
        #: Sessions that left the table because a session of the same title replaced them.
        self.replaced = self._resync.replaced
        self.rate = RateMeter(clock=clock)
        #: Which events are live (the rate counts only those; history replayed on subscribe is not).
        self.live = Liveness()
        self.version = 0
        self._seen = SeenIds(self.limits.dedupe)
        #: True when the source already drops repeated ids (the WebSocket client does): not checked again.
        self.source_dedupes = False
        self._changes = Changes()
        #: Keys added since the last take_changes (the reader has never seen them).
        self._fresh: dict[str, set[str]] = {table: set() for table in TABLES}
        #: Above this many pending removals, evictions of never-seen keys are no longer reported,
        #: so a reader that stops looking (a paused display) cannot make the store grow.
        self._removed_cap = sum(getattr(self.limits, table) for table in TABLES)
        self._seq = 0

    # -- tables (every read validates what is pending first; store.<table> is table()) ----------

    def table(self, name: str) -> OrderedDict[str, Entity]:
        if name not in BY_TABLE:
            raise KeyError(name)
        if self._n_unsettled:
            self.settle()
        return self._tables[name]

    @property
    def agent_history(self) -> dict[str, deque[tuple[str | None, str]]]:
        """Per agent, (timestamp, status) each time its status changed."""
        if self._n_unsettled:
            self.settle()
        return self._history["agents"]

    def settle(self) -> None:
        """Validate every update still pending; drop the invalid ones (and entities never valid)."""
        for kind, unsettled in self._unsettled.items():
            while unsettled:
                _, entity = unsettled.popitem()
                self._n_unsettled -= 1
                self._resolve(kind, entity)

    # -- input -----------------------------------------------------------------

    def apply(self, event: Event | RawEvent) -> bool:
        """Apply one event. Returns False if it was a duplicate, stale, filtered out or invalid.

        A :class:`RawEvent` is validated when its entity (or the agent history) is
        next read; until then a newer update of the same entity replaces it."""
        c = self.counters
        c.received += 1
        if not self.source_dedupes and not self._seen.add(event.id):
            c.duplicates += 1
            return False
        now = self.clock()
        if self.live.observe(event.timestamp):
            self.rate.hit(now)
        self.connection.last_event_at = now
        if self._session_rule.hides(event):
            c.filtered += 1
            return False
        c.by_type[event.type] = c.by_type.get(event.type, 0) + 1
        if type(event) is RawEvent:
            if not self._upsert_raw(BY_TYPE[event.type].table, event, now):
                c.stale += 1
                return False
            self.version += 1
            return True
        kind = BY_TYPE.get(event.type)
        if kind is not None and isinstance(event, kind.model):
            applied = self._on_entity(kind, event, now)
        elif isinstance(event, SystemEvent):
            applied = True
            data = event.data
            self._log("system_event", data.severity, data.title or data.event_type, event.timestamp, event=data)
        else:
            c.unknown += 1
            self._log("unknown", "info", f"Unknown message type: {event.type}", event.timestamp)
            self.version += 1
            return True
        if applied:
            c.applied += 1
            self.version += 1
        else:
            c.stale += 1
        return applied

    def apply_unknown(self, msg: UnknownMessage) -> None:
        """Record a message of a type this version does not know (shown, never dropped silently)."""
        self.counters.unknown += 1
        self._log("unknown", "info", f"Unknown message type: {msg.type!s:.60}", msg.timestamp)
        self.version += 1

    def note(self, notice: Notice) -> None:
        """Record a connection-state change, a protocol error or an invalid frame."""
        conn = self.connection
        if notice.kind == "state" and notice.state is not None:
            conn.opens += notice.state == ConnectionState.OPEN and conn.state != ConnectionState.OPEN
            conn.state = notice.state
            conn.attempt = notice.attempt
            conn.retry_in = notice.retry_in
            conn.retry_at = self.clock() + notice.retry_in if notice.retry_in is not None else None
            if notice.state == ConnectionState.OPEN:
                conn.fatal = None
                self.live.opened()
            if "endpoints" in notice.details:
                conn.endpoints = list(notice.details["endpoints"])
            states = [(label, state == ConnectionState.OPEN) for label, state, *_ in conn.endpoints or ()]
            self._resync.observe([(None, notice.state == ConnectionState.OPEN), *states], self.clock())
            self._changes.connection = True
            if notice.state == ConnectionState.OPEN:
                self._told = None
            elif notice.state == ConnectionState.RECONNECTING and notice.text and "endpoints" not in notice.details:
                # why the connection is down (a restart the server announced, say) is a connection event
                # in the log, as each server's is with several (their sum, with ``endpoints``, says
                # nothing new); told once, not again at each retry for the same reason
                if notice.text != self._told:
                    self._told = notice.text
                    self._log("info", "info", notice.text, None)
        elif notice.kind == "invalid":
            self.counters.invalid += 1
            self._log("invalid", "warning", notice.text or "Invalid frame", None, details=notice.details)
        elif notice.kind == "unknown":
            self.counters.unknown += 1
            self._log("unknown", "info", notice.text, None, details=notice.details)
        elif notice.kind == "error":  # the server's errors; a restart it announced comes as a reconnection
            self.counters.errors += 1
            self._log("error", notice.severity or "error", notice.text, None, code=notice.code, details=notice.details)
        else:
            self._log("info", notice.severity or "info", notice.text, None, details=notice.details)
        if notice.fatal:
            conn.fatal = notice.text
            self._changes.connection = True
        if notice.severity == "warning" and notice.kind == "info" and notice.text not in conn.warnings:
            conn.warnings.append(notice.text)
            self._changes.connection = True
        self.version += 1

    # -- after a reconnection (aisci_tui.store.resync) ------------------------------

    def unreported(self, key: str, arrived: float) -> bool:
        """Whether the entity ``key`` (arrived at ``arrived``) was not re-reported since its server came back."""
        endpoint = self.connection.endpoint_of(key)
        return self.reopenings.unreported(endpoint[0] if endpoint else None, arrived, self.clock())

    def resync(self) -> bool:
        """Fold the sessions a server replaced (see :mod:`aisci_tui.store.resync`); True when a reopening's
        grace just ended, so what it did not re-report is now unreported."""
        changed = self._changes.tables["sessions"]
        ended, folds = self._resync.sweep(self.clock(), lambda: self.sessions, changed, bool(self.connection.endpoints))
        for old, new, title in folds:
            self._drop("sessions", old, self._tables["sessions"].pop(old))
            text = f"Session {title} ({old}) replaced by {new}, of the same title, after the server came back"
            self._log("info", "info", text, None)
        if ended or folds:
            self.version += 1
        return ended

    def feed(self, items: Iterable[Event | Notice]) -> None:
        for item in items:
            if isinstance(item, Notice):
                self.note(item)
            elif isinstance(item, UnknownMessage):
                self.apply_unknown(item)
            else:
                self.apply(item)

    # -- output ----------------------------------------------------------------

    def take_changes(self) -> Changes:
        if self._n_unsettled:
            self.settle()
        changes, self._changes = self._changes, Changes()
        for fresh in self._fresh.values():
            fresh.clear()
        return changes

    def snapshot(self) -> dict[str, Any]:
        """Everything the store holds as plain JSON-able values (for comparing stores)."""

        def dump(table: OrderedDict[str, Entity]) -> dict[str, Any]:
            return {k: e.data.model_dump(mode="json") for k, e in sorted(table.items())}

        out: dict[str, Any] = {table: dump(self.table(table)) for table in TABLES}
        out["system_events"] = [e.event.model_dump(mode="json") for e in self.log if e.event is not None]
        return out

    # -- deferred validation -------------------------------------------------------

    def _upsert_raw(self, kind: str, raw: RawEvent, now: float) -> bool:
        table = self._tables[kind]
        key = raw.key
        entity = table.get(key)
        if entity is not None:
            pending = entity.pending
            if pending is not None and not _newer_or_equal(raw.timestamp, pending.timestamp):
                self._settle_one(kind, entity)  # older than an unchecked update: is that one real?
                if table.get(key) is not entity:
                    entity = None
                pending = None
        if entity is not None:
            pending = entity.pending
            newest = pending.timestamp if pending is not None else entity.timestamp
            if not _newer_or_equal(raw.timestamp, newest):
                return False
            if pending is not None:
                if pending.checked:
                    self._resolve(kind, entity, registered=True)  # validated already: keep it as state
                else:
                    self.counters.superseded += 1
            else:
                self._unsettled[kind][key] = entity
                self._n_unsettled += 1
            entity.pending = raw
            entity.pending_at = now
        else:
            entity = Entity(key, None, None, None, now, 0)
            entity.pending = raw
            entity.pending_at = now
            table[key] = entity
            self._unsettled[kind][key] = entity
            self._n_unsettled += 1
            self._fresh[kind].add(key)
            self._evict(kind, table)
        self._changes.tables[kind].add(key)
        return True

    def _settle_one(self, kind: str, entity: Entity) -> None:
        if self._unsettled[kind].pop(entity.key, None) is not None:
            self._n_unsettled -= 1
        self._resolve(kind, entity)

    def _resolve(self, kind: str, entity: Entity, *, registered: bool = False) -> None:
        """Validate the entity's pending update; the caller has taken it out of ``_unsettled``
        (``registered``: it stays there, as a newer update replaces this one at once)."""
        raw = entity.pending
        if raw is None:
            return
        entity.pending = None
        try:
            event = raw.validate()
        except ProtocolError as exc:
            self._invalid(exc)
            if not entity.valid:  # never valid, so never shown: it goes without a trace
                table = self._tables[kind]
                if table.get(entity.key) is entity and not registered:
                    del table[entity.key]
                    self._fresh[kind].discard(entity.key)
                    self._changes.tables[kind].discard(entity.key)
                    self._forget(kind, entity.key)
            return
        entity.commit(event, entity.pending_at)
        self.counters.applied += 1
        self._track(BY_TABLE[kind], entity.key, event)

    def _invalid(self, exc: ProtocolError) -> None:
        self.counters.invalid += 1
        text = f"Ignored an invalid frame: {exc.reason}"
        log.warning("invalid event: %s", clean(text, 500))
        self._log("invalid", "warning", text, None)
        self.version += 1

    def _evict(self, kind: str, table: OrderedDict[str, Entity]) -> None:
        fresh = self._fresh[kind]
        cap = getattr(self.limits, kind)
        while len(table) > cap:
            old_key, old = table.popitem(last=False)
            self._drop(
                kind, old_key, old, report=old_key not in fresh or len(self._changes.removed) < self._removed_cap
            )

    def _drop(self, kind: str, key: str, old: Entity, *, report: bool = True) -> None:
        """Forget an entity taken out of its table (``report``: tell readers it went)."""
        if old.pending is not None and self._unsettled[kind].pop(key, None) is not None:
            self._n_unsettled -= 1
            self.counters.superseded += 1
        if report:
            self._changes.removed.add((kind, key))
        self._fresh[kind].discard(key)
        self._changes.tables[kind].discard(key)
        self._forget(kind, key)

    # -- handlers ----------------------------------------------------------------

    def _upsert(self, kind: str, key: str, event: Event, now: float) -> bool:
        table = self._tables[kind]
        current = table.get(key)
        if current is not None:
            if current.pending is not None:  # a checked event supersedes an unchecked one, if newer
                if not _newer_or_equal(event.timestamp, current.pending.timestamp):
                    self._settle_one(kind, current)
                    if table.get(key) is not current:
                        return self._upsert(kind, key, event, now)
                else:
                    if self._unsettled[kind].pop(key, None) is not None:
                        self._n_unsettled -= 1
                    if current.pending.checked:
                        self._resolve(kind, current, registered=True)
                    else:
                        current.pending = None
                        self.counters.superseded += 1
            if current.valid and not _newer_or_equal(event.timestamp, current.timestamp):
                return False
            current.commit(event, now)
        else:
            table[key] = Entity(key, event.data, event.id, event.timestamp, now)
            self._fresh[kind].add(key)
            self._evict(kind, table)
        self._changes.tables[kind].add(key)
        return True

    def _on_entity(self, kind: EntityKind, event: Event, now: float) -> bool:
        key = kind.key_of(event.data)
        if not self._upsert(kind.table, key, event, now):
            return False
        self._track(kind, key, event)
        return True

    def _track(self, kind: EntityKind, key: str, event: Event) -> None:
        """Add the kind's tracked field to the entity's history if it changed (validated events only)."""
        if kind.tracked is None:
            return
        value = getattr(event.data, kind.tracked)
        per_key = self._history[kind.table]
        hist = per_key.get(key)
        if hist is None:
            hist = per_key[key] = deque(maxlen=self.limits.agent_history)
        if not hist or hist[-1][1] != value:
            hist.append((event.timestamp, value))

    def _forget(self, table: str, key: str) -> None:
        """Drop the history of an entity that left its table."""
        per_key = self._history.get(table)
        if per_key is not None:
            per_key.pop(key, None)

    def _log(
        self,
        kind: str,
        severity: str,
        title: str,
        timestamp: str | None,
        *,
        event: SystemEventData | None = None,
        code: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        self._seq += 1
        entry = LogEntry(self._seq, self.clock(), kind, severity, title, timestamp, event, code, details or {})
        self.log.append(entry)
        pending = self._changes.log
        pending.append(entry)
        if len(pending) > self.limits.log:
            del pending[: len(pending) - self.limits.log]


def _table_property(name: str) -> property:
    def read(self: Store) -> OrderedDict[str, Entity]:
        if self._n_unsettled:
            self.settle()
        return self._tables[name]

    return property(read, doc=f"The {name} table (validates what is pending first).")


for _name in TABLES:
    setattr(Store, _name, _table_property(_name))
