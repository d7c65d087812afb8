"""Ethics view: scores against the weighted total, review countdowns, reviewer flags, filters."""

from __future__ import annotations

from datetime import timedelta

from aisci_tui.tui.views.ethics import EthicsView
from tests.tui.harness import NOW, Harness, assessment, cell, experiment, iso, shown, static_text

WEIGHTS = {
    "utilitarian": (0.90, 0.25),
    "deontological": (0.80, 0.20),
    "virtue_ethics": (0.85, 0.15),
    "care_ethics": (0.88, 0.20),
    "justice_ethics": (0.82, 0.10),
    "precautionary": (0.78, 0.10),
}


def frameworks(**overrides: tuple[float, float]) -> dict:
    scores = {**WEIGHTS, **overrides}
    return {name: {"score": s, "weight": w, "assessment": f"{name} verdict"} for name, (s, w) in scores.items()}


def guide_like(**extra) -> dict:
    return {
        "overall_score": 0.85,
        "status": "compliant",
        "confidence": 0.92,
        "frameworks": frameworks(),
        "identified_issues": [
            {
                "severity": "low",
                "category": "bias",
                "description": "Potential sampling bias",
                "recommendation": "Include more diverse data sources",
                "auto_fixable": True,
            },
            {
                "severity": "high",
                "category": "privacy",
                "description": "Identifiable records",
                "recommendation": "Remove names",
                "auto_fixable": False,
            },
        ],
        "recommendations": ["Validate findings with independent peer review"],
        "human_review_required": False,
        "auto_approved": True,
        "review_deadline": "2026-01-08T12:00:00Z",
        **extra,
    }


META = {
    "resource_type": "experiment",
    "metadata": {
        "assessed_by": "ethical_framework_agent",
        "assessment_version": "2.1",
        "assessment_duration": 45,
        "assessed_at": "2026-01-01T11:59:00Z",
    },
}


async def test_scores_weighted_total_mismatch_and_detail():
    view = EthicsView()
    app = Harness(view)
    async with app.run_test(size=(170, 60)) as pilot:
        app.feed(
            assessment("exp-1", **guide_like(), data=META),
            assessment("exp-2", **guide_like(overall_score=0.60, status="review_required"), data=META),
        )
        app.sync()
        await pilot.pause()
        assert cell(view, "exp-1", "status") == "✓ compliant"
        assert cell(view, "exp-1", "score") == "0.85" and cell(view, "exp-1", "weighted") == "✓"
        assert cell(view, "exp-2", "status") == "⚠ review required"
        assert cell(view, "exp-2", "weighted") == "≠ 0.85"  # 0.849 computed against 0.60 reported
        assert view.table.get_cell("exp-2", "weighted").style == view.palette["error"]
        assert cell(view, "exp-1", "issues") == "2 ✖ high" and cell(view, "exp-1", "confidence") == "92%"
        text = static_text(view.pane.query_one(".detail-body"), 150)
        for needle in (
            "exp-1",
            "✓ compliant",
            "0.85 reported",
            "weighted total of the frameworks",
            "utilitarian",
            "0.9",
            "0.25",
            "0.225",
            "utilitarian verdict",
            "virtue ethics",
            "total",
            "0.849",
            "✖ high  privacy",
            "[needs a person]",
            "→ Remove names",
            "▪ low  bias",
            "[auto-fixable]",
            "• Validate findings",
            "ethical_framework_agent",
            "45s",
            "Auto-approved",
            "yes",
        ):
            assert needle in text, needle
        assert text.index("✖ high") < text.index("▪ low")  # issues by severity, worst first
        assert "HUMAN REVIEW" not in text
        view.table.move_cursor(row=1)
        await pilot.pause()
        text = static_text(view.pane.query_one(".detail-body"), 150)
        assert "≠ reported score" in text


async def test_human_review_countdown_is_prominent_and_ticks():
    view = EthicsView()
    app = Harness(view)
    deadline = NOW + timedelta(days=6, hours=23)
    async with app.run_test(size=(170, 50)) as pilot:
        app.feed(
            assessment(
                "ses-1",
                **guide_like(status="review_required", human_review_required=True, review_deadline=iso(deadline)),
                data={"resource_type": "research_session"},
            ),
            assessment("ok", **guide_like()),
        )
        app.sync()
        await pilot.pause()
        assert cell(view, "ses-1", "review") == "⚑ in 6d 23h"
        assert cell(view, "ok", "review") == "no"
        text = static_text(view.pane.query_one(".detail-body"), 150)
        assert "⚑ HUMAN REVIEW REQUIRED" in text and "(in 6d 23h)" in text
        app.now = deadline + timedelta(hours=2)
        app.sync()
        await pilot.pause()
        assert cell(view, "ses-1", "review") == "⚑ overdue by 2h 00m"
        assert view.table.get_cell("ses-1", "review").style == view.palette["error"]
        assert "overdue by 2h 00m" in static_text(view.pane.query_one(".detail-body"), 150)


async def test_assessments_without_frameworks_are_shown_as_what_they_are():
    view = EthicsView()
    app = Harness(view)
    async with app.run_test(size=(170, 40)) as pilot:
        app.feed(
            assessment("run-1", status="not_assessed"),
            assessment(
                "run-2",
                status="review_required",
                overall_score=None,
                identified_issues=[
                    {"severity": "medium", "category": "safety", "description": "The reviewer flagged ethical concerns"}
                ],
                data={
                    "resource_type": "research_session",
                    "source": "review_text.txt",
                    "metadata": {"assessed_by": "llm_reviewer"},
                },
            ),
        )
        app.sync()
        await pilot.pause()
        assert cell(view, "run-1", "status") == "– not assessed"
        assert cell(view, "run-1", "score") == "—"
        assert "weighted" not in [c.key for c, _ in view.table.shown], "no weights disagree: no column repeating Score"
        text = static_text(view.pane.query_one(".detail-body"), 150)
        assert "Not assessed yet" in text and "utilitarian" not in text
        view.table.move_cursor(row=1)
        await pilot.pause()
        text = static_text(view.pane.query_one(".detail-body"), 150)
        assert "LLM paper reviewer" in text and "review_text.txt" in text and "not a six-framework" in text
        assert view.cells_for("run-2")["assessed_by"].plain == "llm_reviewer"


async def test_filter_cycle_by_status_and_issue_severity():
    view = EthicsView()
    app = Harness(view)
    async with app.run_test(size=(140, 30)) as pilot:
        app.feed(
            assessment("a", **guide_like()),
            assessment("b", overall_score=0.7, status="review_required"),
            assessment("c", overall_score=0.4, status="non_compliant", identified_issues=[{"severity": "medium"}]),
        )
        app.sync()
        await pilot.pause()
        seen = []
        for _ in range(5):
            label = view.cycle_filter()
            seen.append((label, shown(view), view.server_filters()))
        assert [s[0] for s in seen] == [
            "status: review required",
            "status: non-compliant",
            "status: compliant",
            "issues: high",
            "all",
        ]
        assert [s[1] for s in seen] == [["b"], ["c"], ["a"], ["a"], ["a", "b", "c"]]
        assert seen[0][2].status == ["review_required"] and seen[3][2].severity == ["high"]
        assert seen[4][2] is None
        view.set_text_filter("non-compliant")
        assert shown(view) == ["c"]


async def test_session_scope_includes_resources_of_the_session():
    view = EthicsView()
    app = Harness(view, session_id="s1")
    async with app.run_test(size=(140, 30)) as pilot:
        app.feed(
            experiment("exp-in", session_id="s1"),
            experiment("exp-out", session_id="s2"),
            assessment("exp-in", **guide_like()),
            assessment("exp-out", **guide_like()),
            assessment("s1", **guide_like(), data={"resource_type": "research_session"}),
            assessment("tagged", **guide_like(), data={"session_id": "s1"}),
        )
        app.sync()
        await pilot.pause()
        assert set(shown(view)) == {"exp-in", "s1", "tagged"}


async def test_hostile_assessment_text_is_literal_and_capped():
    view = EthicsView()
    app = Harness(view)
    async with app.run_test(size=(140, 40)) as pilot:
        app.feed(
            assessment(
                "[red]r[/]\x1b[5m",
                **guide_like(
                    recommendations=[f"[link=https://evil]do {i}[/link]" for i in range(100_000)],
                    identified_issues=[{"severity": "high", "description": "\x1b]52;c;eA==\x07" + "d" * 600_000}],
                ),
            )
        )
        app.sync()
        await pilot.pause()
        key = shown(view)[0]
        assert cell(view, key, "resource").startswith("[red]r[/]")
        text = static_text(view.pane.query_one(".detail-body"), 150)
        assert "[link=https://evil]do 0[/link]" in text and "and 99,950 more recommendations" in text
        assert "\x1b" not in text and len(text) < 60_000
