"""The registry of entity kinds is what the routing decoder, the store and the settings read."""

from __future__ import annotations

import dataclasses

import orjson

from aisci_tui.protocol.fast import route
from aisci_tui.protocol.kinds import BY_TYPE, ENTITY_KINDS
from aisci_tui.protocol.models import EVENT_MODELS
from aisci_tui.settings import HistoryCaps
from aisci_tui.store import Changes, Store, StoreLimits


def test_every_kind_names_a_model_its_key_and_its_session_link():
    for kind in ENTITY_KINDS:
        assert EVENT_MODELS[kind.type] is kind.model and kind.model.TYPE == kind.type
        fields = kind.model.model_fields["data"].annotation.model_fields
        assert fields[kind.key].is_required(), kind
        assert kind.session in fields, kind


def test_each_kind_has_a_table_a_change_set_a_limit_and_a_setting():
    store = Store()
    changes = Changes()
    caps = {f.name: f.default for f in dataclasses.fields(StoreLimits)}
    for kind in ENTITY_KINDS:
        assert getattr(store, kind.table) is store.table(kind.table) == {}
        assert getattr(changes, kind.table) is changes.tables[kind.table] == set()
        assert caps[kind.table] == kind.limit == HistoryCaps().limits().__getattribute__(kind.table)
    assert list(caps)[: len(ENTITY_KINDS)] == [k.table for k in ENTITY_KINDS]


def test_the_typed_declarations_name_the_registry_tables_in_its_order():
    # Store's table annotations, StoreLimits' fields and HistoryCaps' fields are written out so the
    # type checker can see them; each must say exactly what the registry says.
    tables = [k.table for k in ENTITY_KINDS]
    assert list(Store.__annotations__) == tables
    assert all(isinstance(getattr(Store, t), property) for t in tables)
    limits = [f.name for f in dataclasses.fields(StoreLimits)]
    assert limits[: len(tables)] == tables and not set(limits[len(tables) :]) & set(tables)
    assert list(HistoryCaps.model_fields) == limits
    for f in dataclasses.fields(StoreLimits):
        setting = HistoryCaps.model_fields[f.name]
        assert setting.default == f.default
        assert [m.ge for m in setting.metadata] == [f.metadata["minimum"]]


def test_routing_and_the_store_key_each_kind_by_its_registry_field():
    store = Store()
    for n, kind in enumerate(ENTITY_KINDS):
        model = kind.model.model_fields["data"].annotation
        required = {name: "x" for name, f in model.model_fields.items() if f.is_required()}
        data = required | {kind.session: "ses-1", kind.key: f"key-{n}"}  # a session's key is its session
        if "assessment" in required:
            data["assessment"] = {}
        frame = orjson.dumps(
            {"type": kind.type, "id": f"e{n}", "timestamp": "2025-01-01T00:00:00Z", "data": data}
        ).decode()
        raw = route(frame)
        assert raw is not None and (raw.key, raw.session_id) == (f"key-{n}", data[kind.session])
        assert store.apply(raw)
        assert list(store.table(kind.table)) == [f"key-{n}"]
        assert store.table(kind.table)[f"key-{n}"].event_id == f"e{n}"
    assert store.counters.applied == len(ENTITY_KINDS) == len(BY_TYPE)
