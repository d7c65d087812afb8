"""Fuzzing the store: generated streams (duplicates, stale and garbage timestamps, foreign sessions,
invalid frames, notices) never leave it inconsistent.

Invariants checked after every step:

- every table stays within its cap; the log, per-agent history and pending changes too;
- every entity's key equals its data's id, and it holds the newest event applied for that key;
- an event is refused exactly when its id was seen before, it names another session, or it is
  older than what the store holds for its key (an older update never overwrites a newer one);
- no event id is applied twice, and a repeated id is always counted as a duplicate;
- the counters add up (received = applied + duplicates + stale + filtered; per-type counts match);
- a session-scoped store holds nothing of another session;
- the snapshot is plain JSON without NaN or infinity.
"""

from __future__ import annotations

import json
from collections import defaultdict

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aisci_tui.protocol import Event, ProtocolError, decode
from aisci_tui.protocol.models import UnknownMessage
from aisci_tui.sources.base import ConnectionState, Notice
from aisci_tui.store import Store, StoreLimits
from tests.hardening.conftest import FUZZ_COUNTS
from tests.hardening.hostile import BytesChooser, envelope, mutate
from tests.hardening.test_fuzz_decode import fuzz

#: The fuzz tests run in one process, so the session's fuzz budget (tests/hardening/conftest.py)
#: sees them all and is checked.
pytestmark = pytest.mark.xdist_group("fuzz")

STORE_CASES = 1_200
LIMITS = StoreLimits(agents=4, sessions=3, experiments=3, assessments=3, log=5, agent_history=3)
KEY_OF = {
    "agent_status": ("agents", "agent_id"),
    "research_progress": ("sessions", "session_id"),
    "experiment_results": ("experiments", "experiment_id"),
    "ethical_assessment": ("assessments", "resource_id"),
}


class Model:
    """What a correct store must have done, tracked independently of it."""

    def __init__(self, session: str | None) -> None:
        self.session = session
        self.seen: set[str] = set()
        self.applied: list[str] = []
        self.last: dict[str, dict[str, str]] = defaultdict(dict)
        self.duplicates = 0
        self.received = 0
        self.invalid = 0
        self.errors = 0
        self.unknown = 0


def older(new: str | None, old: str | None) -> bool:
    """True when both timestamps are comparable (same ISO shape) and ``new`` is earlier."""
    return bool(new and old and len(new) == len(old) and new < old)


def apply(store: Store, model: Model, event: Event) -> None:
    """Apply ``event`` and check the store accepted or refused it for the right reason."""
    duplicate = event.id in model.seen
    session = getattr(event.data, "session_id", None)
    filtered = model.session is not None and session is not None and session != model.session
    kind_key = KEY_OF.get(event.type)
    current = None
    if kind_key is not None:
        kind, field = kind_key
        current = store.table(kind).get(getattr(event.data, field))
    before = current.event_id if current is not None else None
    stale = current is not None and older(event.timestamp, current.timestamp)
    model.received += 1
    model.seen.add(event.id)
    ok = store.apply(event)
    assert ok == (not duplicate and not filtered and not stale), (
        f"apply={ok} for duplicate={duplicate} filtered={filtered} stale={stale}"
    )
    if duplicate:
        model.duplicates += 1
    if ok:
        model.applied.append(event.id)
        if kind_key is not None:
            kind, field = kind_key
            model.last[kind][getattr(event.data, field)] = event.id
    elif kind_key is not None:  # refused: the entity is untouched
        kind, field = kind_key
        after = store.table(kind).get(getattr(event.data, field))
        assert (after.event_id if after is not None else None) == before


def check(store: Store, model: Model) -> None:
    limits, c = store.limits, store.counters
    for kind, (cap, field) in {
        "agents": (limits.agents, "agent_id"),
        "sessions": (limits.sessions, "session_id"),
        "experiments": (limits.experiments, "experiment_id"),
        "assessments": (limits.assessments, "resource_id"),
    }.items():
        table = store.table(kind)
        assert len(table) <= cap, f"{kind} over its cap"
        for key, entity in table.items():
            assert entity.key == key == getattr(entity.data, field), f"{kind} key differs from its data id"
            assert entity.event_id == model.last[kind][key], f"{kind}[{key!r}] is not the newest applied"
            if model.session is not None:
                assert getattr(entity.data, "session_id", None) in (None, model.session)
    assert len(store.log) <= limits.log
    assert set(store.agent_history) <= set(store.agents)
    assert all(len(h) <= limits.agent_history for h in store.agent_history.values())
    seqs = [e.seq for e in store.log]
    assert seqs == sorted(set(seqs))
    assert len(model.applied) == len(set(model.applied)), "an event was applied twice"
    assert c.received == model.received
    assert c.duplicates == model.duplicates
    assert c.applied == len(model.applied)
    assert c.received == c.applied + c.duplicates + c.stale + c.filtered
    assert sum(c.by_type.values()) == c.applied + c.stale
    assert c.invalid == model.invalid and c.errors == model.errors and c.unknown == model.unknown


def test_store_stays_consistent_under_generated_streams():
    ran = 0

    @fuzz(STORE_CASES)
    @given(st.binary(min_size=32, max_size=1_200))
    def prop(blob):
        nonlocal ran
        ran += 1
        c = BytesChooser(blob, wild=25)
        now = [1000.0]
        session = c.choice((None, None, "s1"))
        store = Store(LIMITS, session_id=session, clock=lambda: now[0])
        model = Model(session)
        events: list[Event] = []
        version = store.version
        for _ in range(c.integer(1, 40)):
            step = c.integer(0, 11)
            if step <= 6:
                obj = envelope(c)
                frame = mutate(c, obj) if step == 0 else json.dumps(obj, allow_nan=True)
                try:
                    msg = decode(frame)
                except ProtocolError as exc:
                    store.note(Notice("invalid", exc.reason))
                    model.invalid += 1
                else:
                    if isinstance(msg, Event):
                        events.append(msg)
                        apply(store, model, msg)
                    elif isinstance(msg, UnknownMessage):
                        store.apply_unknown(msg)
                        model.unknown += 1
            elif step <= 8 and events:
                apply(store, model, c.choice(events))  # the same event again, as after a reconnect
            elif step == 9:
                kind = c.choice(("state", "error", "invalid", "info"))
                store.note(
                    Notice(
                        kind,
                        text=c.choice(("x", "", "[b]y[/b]\x1b[2J")),
                        code=c.choice((None, "E")),
                        severity=c.choice(("info", "warning", "error")),
                        fatal=c.integer(0, 5) == 0,
                        state=c.choice(list(ConnectionState)) if kind == "state" else None,
                        retry_in=c.choice((None, 0.0, 3.5)),
                    )
                )
                model.errors += kind == "error"
                model.invalid += kind == "invalid"
            elif step == 10:
                changes = store.take_changes()
                for kind in ("agents", "sessions", "experiments", "assessments"):
                    assert getattr(changes, kind) <= set(store.table(kind)), "a change names an evicted key"
                assert len(changes.log) <= LIMITS.log
            else:
                now[0] += c.choice((0.001, 0.5, 3.0, 3600.0))
            assert store.version >= version
            version = store.version
            check(store, model)
        json.dumps(store.snapshot(), allow_nan=False)

    prop()
    FUZZ_COUNTS["store streams"] = ran
    assert ran == STORE_CASES
