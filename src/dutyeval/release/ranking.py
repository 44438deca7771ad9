"""The official ranking: only regions whose review is complete are graded and ranked; a region
capped by a veto ranks by its capped grade (all 优秀 before all 良好 …, by total within a grade);
the others are listed as 未完成, never as 不合格."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from dutyeval.evaluation.models import Result, Submission

COMPLETE = (Submission.State.ACCEPTED, Submission.State.LOCKED)


@dataclass
class Row:
    submission: Submission
    result: Result | None
    complete: bool
    rank: int | None = None
    outcomes: list[str] = field(default_factory=list)

    @property
    def region(self):
        return self.submission.region

    @property
    def total(self) -> Decimal | None:
        return self.result.total if self.result and self.complete else None

    @property
    def grade(self) -> str:
        return self.result.grade if self.result and self.complete else ""

    @property
    def grade_before_veto(self) -> str:
        return self.result.grade_before_veto if self.result and self.complete else ""

    @property
    def vetoes(self) -> list:
        return list(self.result.vetoes) if self.result and self.complete else []


def official_rows(cycle) -> list[Row]:
    """Every evaluated region of the cycle, ranked ones first (by capped grade, then total), then
    the incomplete ones by code. Ties share a rank (1, 2, 2, 4)."""
    order = {b["name"]: i for i, b in enumerate(cycle.scheme.grade_bands)}
    results = {r.submission_id: r for r in Result.objects.filter(submission__cycle=cycle)}
    subs = Submission.objects.filter(cycle=cycle).select_related("region", "region__parent").order_by("region__code")
    rows = [Row(s, results.get(s.pk), s.state in COMPLETE and s.pk in results) for s in subs]
    ranked = sorted((r for r in rows if r.complete),
                    key=lambda r: (order.get(r.result.grade, len(order)), -r.result.total, r.region.code))
    previous, rank = None, 0
    for i, row in enumerate(ranked, start=1):
        key = (row.result.grade, row.result.total)
        if key != previous:
            rank, previous = i, key
        row.rank = rank
    return ranked + [r for r in rows if not r.complete]


def apply_outcomes(rows: list[Row], release) -> list[Row]:
    """奖励 (the first N ranked within the award grade), 通报表扬, 通报批评 and 约谈, by the cycle's rules."""
    for row in rows:
        row.outcomes = []
        if not row.complete:
            continue
        # ties at the last place share it (1, 2, 3, 3 → four awards)
        if row.grade == release.award_grade and row.rank <= release.award_top_n:
            amount = f"（{release.award_amount:,.2f}元）" if release.award_amount else ""
            row.outcomes.append(f"奖励{amount}")
        if row.grade in (release.praise_grades or []):
            row.outcomes.append("通报表扬")
        if row.grade in (release.criticize_grades or []):
            row.outcomes.append("通报批评")
        if release.interview_on_veto and row.vetoes:
            row.outcomes.append("约谈")
    return rows
