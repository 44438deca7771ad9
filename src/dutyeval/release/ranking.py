"""The official ranking: only regions whose review is complete are graded and ranked; a region
capped by a veto ranks by its capped grade (all 优秀 before all 良好 …, by total within a grade);
the others are listed as 未完成, never as 不合格."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Case, IntegerField, Value, When

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


def official_submissions(cycle, regions=None):
    """The cycle's evaluated regions in the official order, as a query a page can slice: ranked ones
    by their stored rank (`recompute.rerank`: complete reviews only, capped grade first, then total;
    ties share a rank 1, 2, 2, 4), then the unranked (rank 0, 未完成) by code."""
    subs = Submission.objects.filter(cycle=cycle)
    if regions is not None:
        subs = subs.filter(region__in=regions)
    unranked = Case(When(result__rank__gt=0, then=Value(0)), default=Value(1), output_field=IntegerField())
    return (subs.select_related("region", "region__parent", "result")
            .order_by(unranked, "result__rank", "region__code"))


def rows_of(submissions) -> list[Row]:
    """Rows for submissions read by `official_submissions` (a whole list or one page of it)."""
    rows = []
    for sub in submissions:
        result = getattr(sub, "result", None)  # a missing reverse one-to-one raises AttributeError
        complete = sub.state in COMPLETE and result is not None and result.rank > 0
        rows.append(Row(sub, result, complete, result.rank if complete else None))
    return rows


def official_rows(cycle, regions=None) -> list[Row]:
    """Every evaluated region of the cycle (or of `regions`) in the official order."""
    return rows_of(official_submissions(cycle, regions))


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
