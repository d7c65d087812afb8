"""Rows from store entities: extraction, filters, sorting and column fitting (plain Python)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from aisci_tui.protocol import from_obj
from aisci_tui.store import Store
from aisci_tui.store.query import (
    ALL,
    Column,
    FilterCycle,
    FilterState,
    agent_name,
    fit_columns,
    matches,
    search_text,
    session_agent_ids,
    session_counts,
    severity_at_least,
    sort_key,
    status_state,
)
from aisci_tui.store.rows import (
    agent_row,
    assessment_row,
    experiment_row,
    export_value,
    log_row,
    main_metric,
    refresh_heartbeat,
    session_row,
    weighted_total,
)

NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
_n = 0


def ev(kind: str, **data):
    global _n
    _n += 1
    stamp = (NOW - timedelta(minutes=5) + timedelta(milliseconds=_n)).isoformat().replace("+00:00", "Z")
    return from_obj({"type": kind, "id": f"q-{_n}", "timestamp": stamp, "data": data})


def store_with(*events) -> Store:
    store = Store()
    store.feed(events)
    return store


# -- columns ---------------------------------------------------------------------


COLS = [
    Column("name", "Name", 0, 0, min_width=10),
    Column("status", "Status", 8, 0),
    Column("cpu", "CPU", 5, 1),
    Column("task", "Task", 12, 2),
    Column("uptime", "Up", 4, 3),
]


def test_fit_columns_keeps_priority_zero_and_drops_the_least_important_first():
    wide = fit_columns(COLS, 200)
    assert [c.key for c, _ in wide] == ["name", "status", "cpu", "task", "uptime"]
    # the flexible column takes everything the fixed ones leave (padding 1 each side)
    assert sum(w + 2 for _, w in wide) == 200
    narrow = fit_columns(COLS, 12 + 10 + 7)
    assert [c.key for c, _ in narrow] == ["name", "status", "cpu"]
    tiny = fit_columns(COLS, 5)
    assert [c.key for c, _ in tiny] == ["name", "status"]


def test_fit_columns_never_lets_a_later_column_jump_ahead_and_can_skip():
    # room for "uptime" (6) but not for "task" (14): stop at task, uptime stays hidden
    cols = fit_columns(COLS, 12 + 10 + 7 + 8)
    assert [c.key for c, _ in cols] == ["name", "status", "cpu"]
    assert [c.key for c, _ in fit_columns(COLS, 200, skip=["cpu"])] == ["name", "status", "task", "uptime"]


# -- sorting and matching ------------------------------------------------------------


def test_sort_key_orders_numbers_before_words_and_missing_last_either_way():
    rows = {"a": {"v": 3}, "b": {"v": None}, "c": {"v": 1.5}, "d": {"v": "zeta"}, "e": {"v": "Alpha"}}

    def order(reverse: bool) -> list[str]:
        return sorted(rows, key=lambda k: (sort_key(rows[k]["v"], reverse), k), reverse=reverse)

    assert order(False) == ["c", "a", "e", "d", "b"]
    assert order(True) == ["d", "e", "a", "c", "b"]
    assert sort_key(float("nan")) == sort_key(None)
    assert sort_key(True) < sort_key(2)


def test_text_matching_is_case_insensitive_substring():
    hay = search_text(["Literature Scout", "● busy"])
    assert matches(hay, "scout")
    assert matches(hay, "BUSY")
    assert matches(hay, "")
    assert not matches(hay, "idle")


def test_filter_cycle_steps_through_states_with_labels_and_server_filters():
    cycle = FilterCycle("status", [ALL, status_state("busy"), status_state("idle")])
    assert cycle.label == "all" and cycle.state.server is None
    assert cycle.advance() == "status: busy"
    assert cycle.state.server.status == ["busy"]
    assert cycle.state.accepts({"status": "busy"}) and not cycle.state.accepts({"status": "idle"})
    assert cycle.advance() == "status: idle"
    assert cycle.advance() == "all"


def test_severity_threshold_states_and_set_valued_fields():
    warn = severity_at_least("warning")
    assert warn.label == "≥warning"
    assert warn.server.severity == ["warning", "error", "critical"]
    assert warn.accepts({"severity": "critical"}) and not warn.accepts({"severity": "info"})
    assert severity_at_least("critical").label == "critical"
    high = FilterState("high", "severity", frozenset({"high"}), prefix="issues")
    assert high.accepts({"severity": frozenset({"low", "high"})})
    assert not high.accepts({"severity": frozenset({"low"})})
    assert FilterCycle("status", [ALL, high], index=1).label == "issues: high"


# -- rows ----------------------------------------------------------------------


def test_agent_row_flattens_the_event_and_marks_stale_heartbeats():
    store = store_with(
        ev(
            "agent_status",
            agent_id="a1",
            name="Scout",
            status="busy",
            session_id="s1",
            current_task={"type": "data_analysis", "progress": 0.65},
            performance={"cpu_usage": 0.45, "memory_usage": 0.67, "response_time": 1.2, "success_rate": 0.95},
            health={"last_heartbeat": "2026-01-01T11:59:50Z", "uptime": 86400, "error_count": 2},
        )
    )
    row = agent_row(store.agents["a1"], NOW)
    assert row["name"] == "Scout" and row["task"] == "data_analysis" and row["progress"] == 0.65
    assert row["cpu"] == 0.45 and row["errors"] == 2 and row["uptime"] == 86400
    assert row["heartbeat"] == 10.0 and row["stale"] is False
    assert refresh_heartbeat(row, NOW + timedelta(seconds=25))
    assert row["heartbeat"] == 35.0 and row["stale"] is True
    assert not refresh_heartbeat(row, NOW + timedelta(seconds=25))
    # a heartbeat from the future (clock skew) reads as zero, not negative
    assert refresh_heartbeat(row, NOW - timedelta(minutes=1)) and row["heartbeat"] == 0.0


def test_agent_without_optional_parts_gives_none_not_errors():
    store = store_with(ev("agent_status", agent_id="a2", status="weird"))
    row = agent_row(store.agents["a2"], NOW)
    assert row["name"] == "a2" and row["status"] == "weird"
    assert row["task"] is None and row["cpu"] is None and row["heartbeat"] is None and row["stale"] is False


def test_session_membership_and_counts():
    store = store_with(
        ev("agent_status", agent_id="a1", status="busy", session_id="s1"),
        ev("agent_status", agent_id="a2", status="idle", session_id="s1"),
        ev("agent_status", agent_id="a3", status="busy"),  # named only in s1's activities
        ev("agent_status", agent_id="b1", status="busy", session_id="s2"),
        ev("research_progress", session_id="s1", activities=[{"agent_id": "a3", "activity": "x"}]),
        ev("research_progress", session_id="s2"),
        ev("experiment_results", experiment_id="e1", session_id="s1", status="completed"),
        ev("experiment_results", experiment_id="e2", session_id="s1", status="failed"),
        ev("experiment_results", experiment_id="e3", session_id="s1", status="partial"),
    )
    assert session_agent_ids(store, "s1") == {"a1", "a2", "a3"}
    counts = session_counts(store)
    s1 = counts["s1"]
    assert (s1.agents_busy, s1.agents_total) == (2, 3)
    assert (s1.experiments_done, s1.experiments_failed, s1.experiments_total) == (1, 1, 3)
    assert (counts["s2"].agents_busy, counts["s2"].agents_total) == (1, 1)
    row = session_row(store.sessions["s1"], s1)
    assert row["agents_busy"] == 2 and row["experiments_failed"] == 1


def test_experiment_row_main_metric_tags_and_agent_name():
    store = store_with(
        ev("agent_status", agent_id="a1", name="Runner", status="busy"),
        ev(
            "experiment_results",
            experiment_id="e1",
            status="completed",
            title="T",
            results={"metrics": {"validation loss [pair_sum] final": 1.56, "note": "text"}},
            execution={"agent_id": "a1", "duration": 12},
            stage="2_baseline_tuning",
            step=7,
            ablation_name="no dropout",
            is_seed_node=True,
        ),
    )
    row = experiment_row(store.experiments["e1"], store)
    assert row["metric_name"] == "validation loss [pair_sum] final" and row["metric"] == 1.56
    assert row["agent"] == "Runner" and row["duration"] == 12
    assert row["stage"] == "2_baseline_tuning" and row["step"] == 7
    assert row["tags"] == "ablation: no dropout, seed"
    assert agent_name(store, "missing") == "missing" and agent_name(store, None) is None


def test_main_metric_prefers_accuracy_then_a_named_main_metric():
    store = store_with(
        ev(
            "experiment_results",
            experiment_id="e1",
            status="completed",
            results={"metrics": {"accuracy": 0.9, "f1": 0.5}},
        ),
        ev(
            "experiment_results",
            experiment_id="e2",
            status="completed",
            results={"metrics": {"f1": 0.5, "main_metric": 0.7}},
        ),
        ev("experiment_results", experiment_id="e3", status="failed"),
    )
    assert main_metric(store.experiments["e1"].data.results.metrics) == ("accuracy", 0.9)
    assert main_metric(store.experiments["e2"].data.results.metrics) == ("main_metric", 0.7)
    assert experiment_row(store.experiments["e3"], store)["metric"] is None


def _frameworks(overall_scores: dict[str, tuple[float, float]]):
    return {name: {"score": s, "weight": w} for name, (s, w) in overall_scores.items()}


def test_weighted_total_and_mismatch_flag():
    fw = _frameworks(
        {
            "utilitarian": (0.9, 0.25),
            "deontological": (0.8, 0.2),
            "virtue_ethics": (0.85, 0.15),
            "care_ethics": (0.88, 0.2),
            "justice_ethics": (0.82, 0.1),
            "precautionary": (0.78, 0.1),
        }
    )
    store = store_with(
        ev("ethical_assessment", resource_id="ok", assessment={"overall_score": 0.85, "frameworks": fw}),
        ev(
            "ethical_assessment",
            resource_id="bad",
            assessment={
                "overall_score": 0.60,
                "frameworks": fw,
                "identified_issues": [{"severity": "low"}, {"severity": "high"}],
                "human_review_required": True,
                "review_deadline": "2026-01-08T12:00:00Z",
            },
        ),
        ev("ethical_assessment", resource_id="none", assessment={"status": "not_assessed"}),
    )
    total, weights = weighted_total(store.assessments["ok"].data.assessment.frameworks)
    assert round(total, 3) == 0.849 and round(weights, 6) == 1.0
    ok = assessment_row(store.assessments["ok"])
    assert ok["mismatch"] is False and ok["issues"] == 0 and ok["worst"] is None
    bad = assessment_row(store.assessments["bad"])
    assert bad["mismatch"] is True and bad["worst"] == "high" and bad["severity"] == {"low", "high"}
    assert bad["review"] is True and bad["_deadline"] == datetime(2026, 1, 8, 12, tzinfo=UTC)
    none = assessment_row(store.assessments["none"])
    assert none["computed"] is None and none["mismatch"] is False and none["status"] == "not_assessed"


def test_log_rows_for_system_events_and_notices():
    from aisci_tui.sources.base import Notice

    store = store_with(
        ev(
            "system_event",
            event_type="maintenance",
            severity="warning",
            title="Maint",
            description="d",
            affected_services=["a", "b"],
            actions_required=["save"],
            scheduled_time="2026-01-02T02:00:00Z",
            estimated_duration=1800,
            alternatives={"continue_offline": True},
        )
    )
    store.note(
        Notice(kind="error", text="Rate limited", code="RATE_LIMITED", severity="error", details={"retry_after": 2})
    )
    first, second = list(store.log)
    row = log_row(first)
    assert row["kind"] == "maintenance" and row["services"] == "a, b" and row["actions"] == "save"
    assert row["alternatives"] == "continue_offline=True" and row["duration"] == 1800
    err = log_row(second)
    assert err["kind"] == "RATE_LIMITED" and err["severity"] == "error" and err["description"] == "retry_after: 2"
    assert err["time"] is None


def test_export_value_makes_sets_and_times_json_friendly():
    assert export_value(frozenset({"b", "a"})) == ["a", "b"]
    assert export_value(NOW) == "2026-01-01T12:00:00+00:00"
    assert export_value(1.5) == 1.5


def test_resource_name_resolves_experiments_agents_and_sessions():
    from aisci_tui.protocol import from_obj
    from aisci_tui.store import Store
    from aisci_tui.store.rows import resource_name

    store = Store()
    store.feed(
        [
            from_obj(
                {
                    "type": "experiment_results",
                    "id": "1",
                    "data": {"experiment_id": "e1", "status": "completed", "title": "Width sweep"},
                }
            ),
            from_obj(
                {"type": "agent_status", "id": "2", "data": {"agent_id": "a1", "status": "idle", "name": "Scout"}}
            ),
            from_obj({"type": "research_progress", "id": "3", "data": {"session_id": "s1", "title": "Pruning"}}),
        ]
    )
    assert resource_name(store, "experiment", "e1") == "Width sweep"
    assert resource_name(store, "agent", "a1") == "Scout"
    assert resource_name(store, "research_session", "s1") == "Pruning"
    assert resource_name(store, None, "a1") == "Scout"
    assert resource_name(store, "agent", "e1") is None  # the wrong kind is not guessed
    assert resource_name(store, "experiment", "missing") is None
