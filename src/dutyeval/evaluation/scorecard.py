"""A county's scorecard page data: every item with points, self score, computed score, rule,
figures and the history of its changes."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from dutyeval.audit.models import AuditLog
from dutyeval.core.catalogue import default_catalogue
from dutyeval.schemes.models import Indicator

from .models import ItemScore, Result, ResultItem, Submission
from .recompute import worded


@dataclass
class CardRow:
    ind: Indicator
    is_leaf: bool
    self_score: Decimal | None = None
    self_note: str = ""
    reviewer_score: Decimal | None = None
    score: Decimal | None = None
    status: str = ""
    who: str = ""
    rule: str = ""
    explanation: str = ""
    figures: list = field(default_factory=list)
    history: list = field(default_factory=list)
    # what automation found (core.scoring.ItemScore.verdict_json), kept when a reviewer overrides it
    auto_score: Decimal | None = None
    auto_verdict: str = ""
    comparison: str = ""  # 计算值…，标准不低于…
    source: str = ""  # of the threshold
    confidence: str = ""

    @property
    def adjusted(self) -> bool:
        """A reviewer's score replaced a different automatic result."""
        return (
            self.ind.rule_kind not in ("manual", "veto")
            and self.who == "reviewer"
            and self.auto_score is not None
            and self.score != self.auto_score
        )

    @property
    def verdict(self) -> str:
        """pass / fail / insufficient / adjusted (评审调整) for automatic items, for the badge.
        A reviewer's override is its own badge: it says nothing about whether the data met the rule."""
        if self.ind.rule_kind == "manual" or not self.status:
            return ""
        if self.ind.rule_kind == "veto":
            if self.status in ("insufficient", "unscored"):
                return "insufficient"
            return "fail" if self.status == "violated" else "pass"
        if self.adjusted:
            return "adjusted"
        if self.status in ("insufficient", "unscored"):
            return "insufficient"
        if self.auto_verdict in ("pass", "fail", "insufficient"):
            return self.auto_verdict
        return "pass" if self.score == self.ind.points else "fail"

    @property
    def confidence_label(self) -> str:
        """H / M / L as STANDARDS.md defines them."""
        return {"H": "高（H）", "M": "中（M）", "L": "低（L）"}.get(self.confidence, self.confidence)

    @property
    def auto_verdict_label(self) -> str:
        return {"pass": "达标", "fail": "未达标", "insufficient": "数据不足"}.get(self.auto_verdict, "")


@dataclass
class Card:
    rows: list[CardRow]
    result: Result | None
    self_total: Decimal
    total_points: Decimal

    def withhold_review(self) -> None:
        """What an evaluated region sees before 公示: its self scores and what its own figures give on
        the automatic items, never the reviewers' scores, notes, vetoes, totals, grade or rank."""
        self.result = None
        for row in self.rows:
            row.reviewer_score = None
            row.history = [h for h in row.history if not h["who"].startswith("评审")]
            if row.ind.rule_kind in ("manual", "veto") or row.who == "reviewer" or not row.is_leaf:
                # a reviewer's finding, or a subtotal that includes one
                row.score, row.status, row.who, row.explanation = None, "", "", ""


def _labelled(figures) -> list:
    """Each figure with its year in words: 2019年 for a finance figure, 2020/2021学年 for a school-year one."""
    cat = default_catalogue()
    return [
        {**f, "label": cat[f["code"]].year_label(f["year"]) if f.get("code") in cat else f"{f.get('year')}年"}
        for f in figures or ()
        if isinstance(f, dict)
    ]


def build_scorecard(sub: Submission) -> Card:
    indicators = list(Indicator.objects.filter(scheme=sub.cycle.scheme).order_by("order"))
    parents = {i.parent_id for i in indicators}
    scores = {s.indicator_id: s for s in ItemScore.objects.filter(submission=sub)}
    result = worded(Result.objects.filter(submission=sub).first())
    # this region's typed rows: leaves with their explanation, inner indicators with the core's subtotal
    computed = {r.code: r for r in ResultItem.objects.filter(result=result)} if result else {}
    history = _history(sub)
    rows = []
    for ind in indicators:
        s = scores.get(ind.pk)
        row = CardRow(ind=ind, is_leaf=ind.pk not in parents, history=history.get(ind.code, []))
        if s:
            row.self_score, row.self_note, row.reviewer_score = s.self_score, s.self_note, s.reviewer_score
        item = computed.get(ind.code)
        if item is not None and item.leaf:
            row.score = item.score
            row.status, row.who, row.rule = item.status, item.who, item.rule
            row.explanation, row.figures = item.explanation, _labelled(item.figures)
            row.auto_score, row.auto_verdict = item.auto_score, item.auto_verdict
            row.comparison, row.source, row.confidence = item.comparison, item.source, item.confidence
        elif item is not None:
            row.score = item.contribution  # the core's subtotal: the signed sum of the leaves below
        rows.append(row)
    self_total = sum((r.self_score or Decimal(0)) for r in rows if r.is_leaf)
    return Card(rows=rows, result=result, self_total=self_total, total_points=sub.cycle.scheme.total_points)


def _history(sub: Submission) -> dict[str, list[dict]]:
    """Self- and reviewer-score changes per indicator code, newest first, from the audit log."""
    out: dict[str, list[dict]] = {}
    logs = AuditLog.objects.filter(
        action__in=("evaluation.scores.self", "evaluation.scores.review"),
        object_type="evaluation.submission",
        object_id=str(sub.pk),
    ).select_related("actor")
    for log in logs:
        what = "自评" if log.action.endswith(".self") else "评审"
        for code, change in log.data.get("changes", {}).items():
            old, new = change if isinstance(change, list) else change["score"]
            if isinstance(change, dict) and change["veto"][0] != change["veto"][1]:
                old, new = _veto_label(change["veto"][0]), _veto_label(change["veto"][1])
            out.setdefault(code, []).append(
                {"when": log.created, "who": f"{what} {log.actor or '系统'}", "old": old, "new": new}
            )
    return out


def _veto_label(v: bool | None) -> str:
    return {True: "触发否决", False: "未触发", None: "未认定"}[v]
