"""Ethics view: assessments per resource, the highlighted one in full (frameworks, issues, review)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from rich.console import JustifyMethod, RenderableType
from rich.style import Style
from rich.table import Table
from rich.text import Text

from aisci_tui.protocol.models import Filters
from aisci_tui.protocol.times import parse_time
from aisci_tui.store import Store
from aisci_tui.store.query import ALL, FRAMEWORK_NAMES, Column, FilterState, Row, status_state
from aisci_tui.store.rows import ISSUE_RANK, TOTAL_TOLERANCE, assessment_row, renew, resource_name, weighted_total
from aisci_tui.store.sessionrule import hides, named_session, store_owner
from aisci_tui.textsafe import clean
from aisci_tui.tui import format as fmt
from aisci_tui.tui.views.base import ViewContext
from aisci_tui.tui.views.cells import cell, number_cell, score_cell
from aisci_tui.tui.views.sections import bullets, capped, extras, grid, heading, more_note, stack
from aisci_tui.tui.views.split import SESSION_COLUMN, SessionSplitView
from aisci_tui.tui.widgets.badges import ASSESSMENT, ISSUE, badge, lookup
from aisci_tui.tui.widgets.bars import bar, score_tone
from aisci_tui.tui.widgets.tones import Palette

REVIEWER = "llm_reviewer"


def review_text(row: Row, now: datetime) -> tuple[str, str]:
    """The review column: (text, tone) — a flag and countdown when a person must review."""
    if row["review"] is True:
        deadline = row["_deadline"]
        if deadline is None:
            return "⚑ required", "warning"
        left = fmt.countdown(deadline, now)
        return f"⚑ {left}", "error" if left.startswith("overdue") else "warning"
    if row["review"] is False:
        return "no", "muted"
    return fmt.MISSING, "muted"


class EthicsView(SessionSplitView):
    VIEW_ID = "ethics"
    TITLE = "Ethics"
    FILTER_LABEL = "status"
    EMPTY = "No ethical assessments yet."
    KIND = "assessments"
    LIVE = True
    EXPORT_EXTRA = ("name", "mismatch", "worst", "deadline", "session_id")
    PLACEHOLDER = "Highlight an assessment to see its frameworks, issues and review."

    COLUMNS: ClassVar[list[Column]] = [
        Column("resource", "Resource", 0, 0, min_width=14),
        Column("status", "Status", 17, 0),
        Column("score", "Score", 5, 0, numeric=True),
        # only once some assessment's weights disagree with its reported score: else it would repeat Score
        Column("weighted", "Weighted", 8, 2, numeric=True, optional=True),
        Column("confidence", "Conf.", 5, 3, numeric=True),
        Column("issues", "Issues", 10, 1, numeric=True),
        Column("review", "Review", 16, 1),
        Column("type", "Type", 12, 3),
        Column("assessed_by", "Assessed by", 18, 4),
        SESSION_COLUMN,
    ]

    def filter_states(self) -> list[Any]:
        return [
            ALL,
            status_state("review_required", label="review required"),
            status_state("non_compliant", label="non-compliant"),
            status_state("compliant"),
            FilterState("high", "severity", frozenset({"high"}), Filters(severity=["high"]), prefix="issues"),
        ]

    def scope(self, store: Store, ctx: ViewContext) -> tuple[str, dict[str, str | None]] | None:
        if not ctx.session_id:
            return None
        owner = store_owner(store)  # compared by value: a change of ownership rescopes
        return ctx.session_id, {key: owner(key) for key in store.assessments}

    def in_scope(self, key: str, row: Row, scope: Any, ctx: ViewContext) -> bool:
        if scope is None:
            return True
        session_id, owners = scope
        return not hides(session_id, named_session("ethical_assessment", key, row["session_id"], owners.get))

    def build_row(self, store: Store, key: str, item: Any, ctx: ViewContext) -> Row:
        row = assessment_row(item)
        row["name"] = resource_name(store, row["type"], row["resource"])
        row["_review"] = review_text(row, ctx.now)
        row["session"] = self.session_label(store, key, row.get("session_id"), ctx)
        row["weighted"] = row["computed"] if row["mismatch"] else None
        return row

    def refresh_live(self, row: Row, ctx: ViewContext) -> bool:
        if row["review"] is not True or row["_deadline"] is None:
            return False
        return renew(row, "_review", review_text(row, ctx.now))

    def build_cells(self, row: Row, ctx: ViewContext) -> dict[str, Text]:
        p = self.palette
        computed = row["computed"]
        if computed is None:
            weighted = number_cell(fmt.MISSING, p["muted"])
        elif row["mismatch"]:
            weighted = number_cell(f"≠ {computed:.2f}", p["error"])
        else:  # the weights give the score itself: say it agrees rather than print the score twice
            weighted = number_cell("✓", p["success"])
        worst = row["worst"]
        if row["issues"]:
            symbol, word, tone = lookup(ISSUE, worst)
            issues = number_cell(f"{row['issues']} {symbol} {word}", p[tone])
        else:
            issues = number_cell("0", p["muted"])
        text, tone = row["_review"]
        return {
            "resource": cell(row["name"] or row["resource"]),
            "status": badge(ASSESSMENT, row["status"], p),
            "score": score_cell(row["score"], p),
            "weighted": weighted,
            "confidence": number_cell(fmt.percent(row["confidence"])),
            "issues": issues,
            "review": cell(text, p[tone]),
            "type": cell(fmt.words(row["type"])),
            "assessed_by": cell(row["assessed_by"] or fmt.MISSING),
            "session": cell(row["session"] or fmt.MISSING),
        }

    def detail_signature(self, key: str | None, ctx: ViewContext) -> Any:
        row = self.rows.get(key) if key else None
        return (key, self.stamp_of(key), row["_review"] if row else None)

    def render_detail(self, key: str, ctx: ViewContext) -> RenderableType:
        entity = self._store.assessments.get(key) if self._store else None
        if entity is None:
            return Text("This assessment is no longer in the store.")
        row = self.rows.get(key)
        return assessment_detail(entity.data, self.palette, ctx.now, name=row.get("name") if row else None)


def assessment_detail(d: Any, p: Palette, now: datetime, *, name: str | None = None) -> RenderableType:
    """Everything an ethical_assessment event carries, sanitised and capped."""
    a, meta = d.assessment, d.metadata
    title = Text.assemble((clean(name or d.resource_id, 300), "bold"), "  ", badge(ASSESSMENT, a.status, p))
    parts: list[RenderableType] = [title]

    review = _review_banner(a, p, now)
    if review is not None:
        parts.append(review)

    computed = weighted_total(a.frameworks)
    score_line = Text(end="")
    if a.overall_score is not None:
        score_line.append(f"{a.overall_score:.2f}", p[score_tone(a.overall_score)] + Style(bold=True))
    else:
        score_line.append("—")
    if computed is not None:
        total, weights = computed
        mismatch = a.overall_score is not None and abs(total - a.overall_score) > TOTAL_TOLERANCE
        score_line.append(" reported · ", p["muted"])
        score_line.append(f"{total:.2f}", p["error"] if mismatch else p[score_tone(total)])
        score_line.append(" weighted total of the frameworks", p["muted"])
        if mismatch:
            score_line.append("  ≠ reported score", p["error"])
        if abs(weights - 1.0) > 0.001:
            score_line.append(f"  (weights sum to {weights:.2f}, not 1)", p["warning"])
    parts.append(
        grid(
            [
                *([("Resource", d.resource_id)] if name else []),
                ("Resource type", fmt.words(clean(d.resource_type, 60)) if d.resource_type else None),
                ("Session", d.session_id),
                ("Overall score", score_line),
                ("Confidence", fmt.percent(a.confidence)),
                ("Auto-approved", fmt.flag(a.auto_approved)),
            ],
            p,
        )
    )

    if a.frameworks:
        parts += [heading("Frameworks", p), _frameworks(a.frameworks, p)]
    else:
        by = meta.assessed_by if meta else None
        if by == REVIEWER:
            source = (d.model_extra or {}).get("source")
            note = "A flag from the LLM paper reviewer's “Ethical Concerns” answer"
            note += f" ({clean(source, 120)})" if source else ""
            note += ", not a six-framework assessment."
        elif a.status == "not_assessed" or a.status is None:
            note = "Not assessed yet: no framework scores."
        else:
            note = "No framework scores were sent with this assessment."
        parts += [heading("Frameworks", p), Text(note, style=p["muted"])]

    issues = sorted(a.identified_issues, key=lambda i: -ISSUE_RANK.get(i.severity or "", -1))
    parts.append(heading(f"Identified issues ({len(issues):,})", p))
    shown, hidden = capped(issues)
    for issue in shown:
        line = Text.assemble(
            badge(ISSUE, issue.severity, p), (f"  {clean(issue.category, 60) or 'uncategorised'}", "bold")
        )
        if issue.auto_fixable:
            line.append("  [auto-fixable]", p["success"])
        elif issue.auto_fixable is False:
            line.append("  [needs a person]", p["muted"])
        parts.append(line)
        parts.append(Text(f"    {clean(issue.description, 1000) or '—'}", end=""))
        if issue.recommendation:
            parts.append(Text(f"    → {clean(issue.recommendation, 1000)}", style=p["muted"], end=""))
    if not issues:
        parts.append(Text("None", style=p["muted"]))
    if more := more_note(hidden, "issues"):
        parts.append(more)

    if a.recommendations:
        parts += [heading("Recommendations", p), *bullets(a.recommendations, "recommendations", 1000)]

    if meta is not None:
        assessed = parse_time(meta.assessed_at)
        parts += [
            heading("Assessment", p),
            grid(
                [
                    ("Assessed by", meta.assessed_by),
                    ("Version", meta.assessment_version),
                    ("Took", fmt.duration(meta.assessment_duration)),
                    ("Assessed at", fmt.clock_time(assessed, now) if assessed else meta.assessed_at),
                    *extras(meta),
                ],
                p,
            ),
        ]
    other = extras(d) + extras(a)
    if other:
        parts += [heading("Other fields", p), grid(other, p)]
    return stack(parts)


def _review_banner(a: Any, p: Palette, now: datetime) -> Text | None:
    if not a.human_review_required:
        return None
    deadline = parse_time(a.review_deadline)
    left = fmt.countdown(deadline, now) if deadline else None
    overdue = bool(left and left.startswith("overdue"))
    style = (p["error"] if overdue else p["warning"]) + Style(bold=True, reverse=True)
    text = Text()
    text.append(" ⚑ HUMAN REVIEW REQUIRED ", style)
    if deadline is not None:
        text.append(f"  deadline {fmt.clock_time(deadline, now)} ({left})", p["error"] if overdue else p["warning"])
    elif a.review_deadline:
        text.append(f"  deadline {clean(a.review_deadline, 60)}", p["warning"])
    return text


def _frameworks(frameworks: dict[str, Any], p: Palette) -> RenderableType:
    """One aligned line per framework (bar, score, weight, score × weight), its verdict under it, and the total."""
    widths = (16, 12, 5, 6, 8)

    def line(*cells: Text) -> Table:
        table = Table.grid(padding=(0, 1))
        justified: tuple[JustifyMethod, ...] = ("left", "left", "right", "right", "right")
        for width, justify in zip(widths, justified, strict=True):
            table.add_column(width=width, justify=justify, no_wrap=True, overflow="ellipsis")
        table.add_row(*cells)
        return table

    muted = p["muted"]
    parts: list[RenderableType] = [line(*(Text(h, style=muted) for h in ("", "", "score", "weight", "× weight")))]
    ordered = [n for n in FRAMEWORK_NAMES if n in frameworks] + [n for n in frameworks if n not in FRAMEWORK_NAMES]
    shown, hidden = capped(ordered)
    for name in shown:
        fw = frameworks[name]
        weighted = fw.score * fw.weight if fw.score is not None and fw.weight is not None else None
        parts.append(
            line(
                Text(fmt.words(clean(name, 40))),
                bar(fw.score, 12, p[score_tone(fw.score)], muted),
                Text(fmt.fixed(fw.score), style=p[score_tone(fw.score)]),
                Text(fmt.fixed(fw.weight)),
                Text(fmt.fixed(weighted, 3)),
            )
        )
        if fw.assessment:
            parts.append(Text(f"  {clean(fw.assessment, 500)}", style=muted))
    total = weighted_total(frameworks)
    if total is not None:
        parts.append(
            line(
                Text("total", style="bold"),
                Text(""),
                Text(""),
                Text(fmt.fixed(total[1]), style="bold"),
                Text(f"{total[0]:.3f}", style="bold"),
            )
        )
    if note := more_note(hidden, "frameworks"):
        parts.append(note)
    return stack(parts)
