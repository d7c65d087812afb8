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
from aisci_tui.protocol.models import (
    AgentStatusData,
    EthicalAssessmentData,
    Event,
    ExperimentResultsData,
    ResearchProgressData,
    SystemEventData,
    UnknownMessage,
)
from aisci_tui.sources.base import ConnectionState, Notice
from aisci_tui.store.dedupe import SeenIds
from aisci_tui.store.entity import Entity
from aisci_tui.store.rate import RateMeter
from aisci_tui.store.records import KINDS, Changes, Connection, Counters, LogEntry, StoreLimits
from aisci_tui.store.sessionrule import SessionRule
from aisci_tui.textsafe import clean

log = logging.getLogger("aisci_tui.store")


#: The table each deferrable event type updates.
_RAW_KINDS = {"agent_status": "agents", "research_progress": "sessions",
              "experiment_results": "experiments", "ethical_assessment": "assessments"}


def _newer_or_equal(new: str | None, old: str | None) -> bool:
    """False only when both timestamps are comparable and ``new`` is older."""
    if not new or not old or len(new) != len(old):
        return True
    return new >= old


class Store:
    """State of everything the dashboard shows, fed by one source."""

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
        self._tables: dict[str, OrderedDict[str, Entity]] = {kind: OrderedDict() for kind in KINDS}
        #: Entities holding an update not validated yet, per kind.
        self._unsettled: dict[str, dict[str, Entity]] = {kind: {} for kind in KINDS}
        self._n_unsettled = 0
        #: Per agent, (timestamp, status) each time a validated update changed its status.
        self._history: dict[str, deque[tuple[str | None, str]]] = {}
        self.log: deque[LogEntry] = deque(maxlen=self.limits.log)
        self.counters = Counters()
        self.connection = Connection()
        self.rate = RateMeter(clock=clock)
        self.version = 0
        self._seen = SeenIds(self.limits.dedupe)
        #: True when the source already drops repeated ids (the WebSocket client does): not checked again.
        self.source_dedupes = False
        self._changes = Changes()
        #: Keys added since the last take_changes (the reader has never seen them).
        self._fresh: dict[str, set[str]] = {kind: set() for kind in KINDS}
        #: Above this many pending removals, evictions of never-seen keys are no longer reported,
        #: so a reader that stops looking (a paused display) cannot make the store grow.
        self._removed_cap = sum(getattr(self.limits, kind) for kind in KINDS)
        self._seq = 0

    # -- tables (every read validates what is pending first) ---------------------

    @property
    def agents(self) -> OrderedDict[str, Entity]:
        if self._n_unsettled:
            self.settle()
        return self._tables["agents"]

    @property
    def sessions(self) -> OrderedDict[str, Entity]:
        if self._n_unsettled:
            self.settle()
        return self._tables["sessions"]

    @property
    def experiments(self) -> OrderedDict[str, Entity]:
        if self._n_unsettled:
            self.settle()
        return self._tables["experiments"]

    @property
    def assessments(self) -> OrderedDict[str, Entity]:
        if self._n_unsettled:
            self.settle()
        return self._tables["assessments"]

    @property
    def agent_history(self) -> dict[str, deque[tuple[str | None, str]]]:
        if self._n_unsettled:
            self.settle()
        return self._history

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
        if type(event) is RawEvent:
            return self._apply_raw(event)
        c = self.counters
        c.received += 1
        if not self.source_dedupes and not self._seen.add(event.id):
            c.duplicates += 1
            return False
        now = self.clock()
        self.rate.hit(now)
        self.connection.last_event_at = now
        data = event.data
        if self._session_rule.hides(event):
            c.filtered += 1
            return False
        c.by_type[event.type] = c.by_type.get(event.type, 0) + 1
        handler = self._HANDLERS.get(type(data))
        if handler is None:
            c.unknown += 1
            self._log("unknown", "info", f"Unknown message type: {event.type}", event.timestamp)
            self.version += 1
            return True
        applied = handler(self, event, now)
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
            conn.state = notice.state
            conn.attempt = notice.attempt
            conn.retry_in = notice.retry_in
            conn.retry_at = self.clock() + notice.retry_in if notice.retry_in is not None else None
            if notice.state == ConnectionState.OPEN:
                conn.fatal = None
            self._changes.connection = True
        elif notice.kind == "invalid":
            self.counters.invalid += 1
            self._log("invalid", "warning", notice.text or "Invalid frame", None, details=notice.details)
        elif notice.kind == "unknown":
            self.counters.unknown += 1
            self._log("unknown", "info", notice.text, None, details=notice.details)
        elif notice.kind == "error":
            self.counters.errors += 1
            self._log("error", notice.severity or "error", notice.text, None,
                      code=notice.code, details=notice.details)
        else:
            self._log("info", notice.severity or "info", notice.text, None, details=notice.details)
        if notice.fatal:
            conn.fatal = notice.text
            self._changes.connection = True
        if notice.severity == "warning" and notice.kind == "info" and notice.text not in conn.warnings:
            conn.warnings.append(notice.text)
            self._changes.connection = True
        self.version += 1

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

        return {
            "agents": dump(self.agents),
            "sessions": dump(self.sessions),
            "experiments": dump(self.experiments),
            "assessments": dump(self.assessments),
            "system_events": [e.event.model_dump(mode="json") for e in self.log if e.event is not None],
        }

    def table(self, kind: str) -> OrderedDict[str, Entity]:
        if kind not in KINDS:
            raise KeyError(kind)
        return getattr(self, kind)

    # -- deferred validation -------------------------------------------------------

    def _apply_raw(self, raw: RawEvent) -> bool:
        c = self.counters
        c.received += 1
        if not self.source_dedupes and not self._seen.add(raw.id):
            c.duplicates += 1
            return False
        now = self.clock()
        self.rate.hit(now)
        self.connection.last_event_at = now
        if self._session_rule.hides(raw):
            c.filtered += 1
            return False
        c.by_type[raw.type] = c.by_type.get(raw.type, 0) + 1
        if not self._upsert_raw(_RAW_KINDS[raw.type], raw, now):
            c.stale += 1
            return False
        self.version += 1
        return True

    def _upsert_raw(self, kind: str, raw: RawEvent, now: float) -> bool:
        table = self._tables[kind]
        key = raw.key
        entity = table.get(key)
        if entity is not None:
            pending = entity.pending
            if pending is not None and not _newer_or_equal(raw.timestamp, pending.timestamp):
                if self._unsettled[kind].pop(key, None) is not None:
                    self._n_unsettled -= 1
                self._resolve(kind, entity)  # older than an unchecked update: is that one real?
                if table.get(key) is not entity:
                    entity = None
                pending = None
        if entity is not None:
            pending = entity.pending
            newest = pending.timestamp if pending is not None else entity._timestamp
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
            entity._settle = self._settler(kind)
            table[key] = entity
            self._unsettled[kind][key] = entity
            self._n_unsettled += 1
            self._fresh[kind].add(key)
            self._evict(kind, table)
        getattr(self._changes, kind).add(key)
        return True

    def _settler(self, kind: str) -> Callable[[Entity], None]:
        def settle(entity: Entity) -> None:
            if self._unsettled[kind].pop(entity.key, None) is not None:
                self._n_unsettled -= 1
            self._resolve(kind, entity)
        return settle

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
                    getattr(self._changes, kind).discard(entity.key)
                    if kind == "agents":
                        self._history.pop(entity.key, None)
            return
        entity.commit(event, entity.pending_at)
        self.counters.applied += 1
        if kind == "agents":
            self._record_status(entity.key, event)

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
            if old.pending is not None and self._unsettled[kind].pop(old_key, None) is not None:
                self._n_unsettled -= 1
                self.counters.superseded += 1
            removed = self._changes.removed
            if old_key not in fresh or len(removed) < self._removed_cap:
                removed.add((kind, old_key))
            fresh.discard(old_key)
            getattr(self._changes, kind).discard(old_key)
            if kind == "agents":
                self._history.pop(old_key, None)

    # -- handlers ----------------------------------------------------------------

    def _upsert(self, kind: str, key: str, event: Event, now: float) -> bool:
        table = self._tables[kind]
        current = table.get(key)
        if current is not None:
            if current.pending is not None:  # a checked event supersedes an unchecked one, if newer
                if not _newer_or_equal(event.timestamp, current.pending.timestamp):
                    self._settler(kind)(current)
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
            if current.valid and not _newer_or_equal(event.timestamp, current._timestamp):
                return False
            current.commit(event, now)
        else:
            table[key] = entity = Entity(key, event.data, event.id, event.timestamp, now)
            entity._settle = self._settler(kind)
            self._fresh[kind].add(key)
            self._evict(kind, table)
        getattr(self._changes, kind).add(key)
        return True

    def _on_agent(self, event: Event, now: float) -> bool:
        data: AgentStatusData = event.data
        if not self._upsert("agents", data.agent_id, event, now):
            return False
        self._record_status(data.agent_id, event)
        return True

    def _record_status(self, agent_id: str, event: Event) -> None:
        """Add the agent's status to its history if it changed (validated events only)."""
        status = event.data.status
        hist = self._history.get(agent_id)
        if hist is None:
            hist = self._history[agent_id] = deque(maxlen=self.limits.agent_history)
        if not hist or hist[-1][1] != status:
            hist.append((event.timestamp, status))

    def _on_progress(self, event: Event, now: float) -> bool:
        data: ResearchProgressData = event.data
        return self._upsert("sessions", data.session_id, event, now)

    def _on_experiment(self, event: Event, now: float) -> bool:
        data: ExperimentResultsData = event.data
        return self._upsert("experiments", data.experiment_id, event, now)

    def _on_assessment(self, event: Event, now: float) -> bool:
        data: EthicalAssessmentData = event.data
        return self._upsert("assessments", data.resource_id, event, now)

    def _on_system(self, event: Event, now: float) -> bool:
        data: SystemEventData = event.data
        self._log("system_event", data.severity, data.title or data.event_type, event.timestamp, event=data)
        return True

    _HANDLERS: dict[type, Callable[[Store, Event, float], bool]] = {
        AgentStatusData: _on_agent,
        ResearchProgressData: _on_progress,
        ExperimentResultsData: _on_experiment,
        EthicalAssessmentData: _on_assessment,
        SystemEventData: _on_system,
    }

    def _log(self, kind: str, severity: str, title: str, timestamp: str | None, *,
             event: SystemEventData | None = None, code: str | None = None,
             details: dict[str, Any] | None = None) -> None:
        self._seq += 1
        entry = LogEntry(self._seq, self.clock(), kind, severity, title, timestamp, event, code, details or {})
        self.log.append(entry)
        pending = self._changes.log
        pending.append(entry)
        if len(pending) > self.limits.log:
            del pending[: len(pending) - self.limits.log]
