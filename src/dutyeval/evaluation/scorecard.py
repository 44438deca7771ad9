"""A county's scorecard: every item with its points, self score, automatic score and figures."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from dutyeval.schemes.models import Indicator

from .models import ItemScore, Submission


@dataclass
class CardRow:
    ind: Indicator
    is_leaf: bool
    self_score: Decimal | None = None
    self_note: str = ""
    reviewer_score: Decimal | None = None
    auto_score: Decimal | None = None
    verdict: str = ""  # pass / fail / insufficient
    rule_text: str = ""
    figures: list = field(default_factory=list)


@dataclass
class Card:
    rows: list[CardRow]
    self_total: Decimal
    auto_total: Decimal | None
    total_points: Decimal
    grade: str = ""
    veto: list[str] = field(default_factory=list)


def build_scorecard(sub: Submission) -> Card:
    indicators = list(Indicator.objects.filter(scheme=sub.cycle.scheme).order_by("order"))
    parents = {i.parent_id for i in indicators}
    scores = {s.indicator_id: s for s in ItemScore.objects.filter(submission=sub)}
    auto = _auto_results(sub)
    rows = []
    for ind in indicators:
        s = scores.get(ind.pk)
        row = CardRow(ind=ind, is_leaf=ind.pk not in parents)
        if s:
            row.self_score, row.self_note, row.reviewer_score = s.self_score, s.self_note, s.reviewer_score
        result = auto.get(ind.code)
        if result:
            row.auto_score, row.verdict = result["score"], result["verdict"]
            row.rule_text, row.figures = result["rule"], result["figures"]
        rows.append(row)
    self_total = sum((r.self_score or Decimal(0)) for r in rows if r.is_leaf)
    auto_total = sum((r.auto_score or Decimal(0)) for r in rows if r.is_leaf and r.auto_score is not None) if auto else None
    return Card(rows=rows, self_total=self_total, auto_total=auto_total, total_points=sub.cycle.scheme.total_points)


def _auto_results(sub: Submission) -> dict[str, dict]:
    """Automatic item results keyed by indicator code (filled in by the scoring bridge)."""
    from .autoscore import auto_results_for

    return auto_results_for(sub)
