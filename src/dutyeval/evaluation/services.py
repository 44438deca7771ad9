"""Workflow of a submission. Every state change is a named function with an audit record."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dutyeval.accounts import scoping
from dutyeval.audit.services import log_action
from dutyeval.notifications.services import notify
from dutyeval.schemes.models import Indicator

from .models import ItemScore, Narrative, Submission
from .rules import ItemError, NotAllowed, WorkflowError, require_editable, require_fillable, uses_panels

S = Submission.State


def _lock(submission: Submission) -> Submission:
    return Submission.objects.select_for_update().select_related("region", "cycle").get(pk=submission.pk)


def report_errors(sub: Submission) -> list[dict]:
    """Error-level anomalies in the region's analysed self-evaluation report(s)."""
    return [a for doc in sub.reports.filter(state="done") for a in doc.anomalies if a.get("severity") == "error"]


@transaction.atomic
def submit_submission(submission: Submission, user, *, anomaly_reason: str = "") -> Submission:
    """Submit; with error-level anomalies in the uploaded report, only with a reason (recorded)."""
    sub = _lock(submission)
    if not scoping.can_edit_region_data(user, sub.region):
        raise NotAllowed(_("只有本县（市、区）填报联络员可以提交"))
    if sub.state not in (S.DRAFT, S.RETURNED):
        raise WorkflowError(_("当前状态为“%(state)s”，不能提交") % {"state": sub.get_state_display()})
    missing = missing_self_scores(sub)
    if missing:
        raise WorkflowError(
            _("还有 %(n)d 项指标未自评打分（如 %(first)s），请完成后再提交") % {"n": len(missing), "first": missing[0]}
        )
    from dutyeval.evidence.services import require_evidence  # evidence sits above evaluation's models

    require_evidence(sub)  # every item that needs 佐证材料 has a file; else the full list of what is missing
    from .cover import require_cover

    require_cover(sub)  # the 报送文件: 文号, date, issuer and the sealed PDF
    # a first submission after the deadline needs the office's consent, unless the cycle accepts it;
    # a submission the office returned may always come back
    late = sub.state == S.DRAFT and sub.cycle.is_past_deadline
    if late and sub.cycle.late_policy == sub.cycle.LatePolicy.ASK and not sub.late_allowed:
        raise WorkflowError(
            _("已过自评截止时间（%(d)s），须经督导办同意后方可逾期提交")
            % {"d": timezone.localtime(sub.cycle.deadline).strftime("%Y年%m月%d日 %H:%M")}
        )
    anomalies = report_errors(sub)
    anomaly_reason = (anomaly_reason or "").strip()
    if anomalies and not anomaly_reason:
        raise WorkflowError(
            _("自评报告中有 %(n)d 处错误级疑点（如“%(q)s”）。请修改报告重新上传，或填写说明后确认提交")
            % {"n": len(anomalies), "q": anomalies[0].get("quote", "")[:40]}
        )
    old = sub.state
    sub.state = S.SUBMITTED
    sub.submitted_at = timezone.now()
    sub.submitted_by = user
    sub.late = sub.late or late
    sub.save(update_fields=["state", "submitted_at", "submitted_by", "late", "updated"])
    log_action("evaluation.submission.submit", actor=user, obj=sub, region=sub.region,
               data={"from": old, "to": sub.state, "late": late,
                     **({"anomalies": len(anomalies), "reason": anomaly_reason[:2000]} if anomalies else {})})
    first = scoping.city_reviewers_of(sub.region) if needs_city_review(sub) else scoping.cycle_office(sub.cycle)
    notify(first, "submitted", f"{sub.region.name}已提交自评材料",
           f"《{sub.cycle.name}》：{sub.region.name}已提交{'（逾期提交）' if sub.late else ''}，请"
           f"{'复核' if needs_city_review(sub) else '审核'}。", reverse("submission", args=[sub.pk]))
    return sub


def needs_city_review(sub: Submission) -> bool:
    """A county with a city office above it passes that office first in a cycle with 设区市复核."""
    parent = sub.region.parent
    return sub.cycle.has_city_review and parent is not None and parent.level == "city"


def awaiting_office(sub: Submission) -> bool:
    """The submission waits for the office running the cycle (accept or return)."""
    if sub.state == S.FORWARDED:
        return True
    return sub.state == S.SUBMITTED and not needs_city_review(sub)


def _require_office_decision(sub: Submission, user, verb: str) -> None:
    if not scoping.runs_cycle(user, sub.cycle):
        raise NotAllowed(_("只有组织本次评价的督导办管理员可以%(verb)s") % {"verb": verb})
    if sub.state == S.SUBMITTED and needs_city_review(sub):
        raise WorkflowError(_("该材料尚待设区市复核，复核报送后方可%(verb)s") % {"verb": verb})
    if not awaiting_office(sub):
        raise WorkflowError(_("只有已提交（或设区市已复核报送）的材料可以%(verb)s") % {"verb": verb})


@transaction.atomic
def return_submission(submission: Submission, user, reason: str) -> Submission:
    sub = _lock(submission)
    _require_office_decision(sub, user, _("退回"))
    reason = (reason or "").strip()
    if not reason:
        raise WorkflowError(_("退回时必须填写退回原因"))
    old = sub.state
    sub.state = S.RETURNED
    sub.return_reason = reason[:2000]
    sub.save(update_fields=["state", "return_reason", "updated"])
    log_action("evaluation.submission.return", actor=user, obj=sub, region=sub.region,
               data={"from": old, "to": S.RETURNED, "reason": reason})
    notify(scoping.coordinators_of(sub.region), "returned", f"自评材料被退回：{sub.cycle.name}",
           f"退回原因：{reason}", reverse("submission", args=[sub.pk]))
    return sub


@transaction.atomic
def accept_submission(submission: Submission, user) -> Submission:
    sub = _lock(submission)
    _require_office_decision(sub, user, _("审核通过"))
    old = sub.state
    sub.state = S.ACCEPTED
    sub.save(update_fields=["state", "updated"])
    log_action("evaluation.submission.accept", actor=user, obj=sub, region=sub.region,
               data={"from": old, "to": S.ACCEPTED})
    from .recompute import rerank

    rerank(sub.cycle)  # a completed review joins the official ranking
    notify(scoping.coordinators_of(sub.region), "accepted", f"自评材料已审核通过：{sub.cycle.name}",
           f"{sub.region.name}的自评材料已审核通过。", reverse("submission", args=[sub.pk]))
    return sub


def manual_leaves(sub: Submission):
    """Leaf items a county scores itself. Automatic items come from the data; vetoes are
    established by the reviewers, not self-declared."""
    return list(
        Indicator.objects.filter(
            scheme=sub.cycle.scheme, children__isnull=True, rule_kind=Indicator.RuleKind.MANUAL
        ).order_by("order")
    )


def missing_self_scores(sub: Submission) -> list[str]:
    scored = set(
        ItemScore.objects.filter(submission=sub, self_score__isnull=False).values_list("indicator_id", flat=True)
    )
    return [f"{i.code} {i.title}" for i in manual_leaves(sub) if i.pk not in scored]


def parse_points(ind: Indicator, text: str | None) -> tuple[Decimal | None, str]:
    """A score typed by a person: blank is no score; otherwise 0..points, to the hundredth."""
    text = (text or "").strip()
    if not text:
        return None, ""
    try:
        score = Decimal(text).quantize(Decimal("0.01"))
    except InvalidOperation:
        score = None
    if score is None or not score.is_finite():
        return None, _("%(code)s：“%(v)s”不是数字") % {"code": ind.code, "v": text}
    if not (0 <= score <= ind.points):
        return None, _("%(code)s：得分应在 0 到 %(p)s 之间") % {"code": ind.code, "p": ind.points}
    return score, ""


@transaction.atomic
def save_self_scores(submission: Submission, user, entries: dict[int, tuple[str, str]]) -> list[str]:
    """entries: indicator id → (score text, note). Returns error messages; writes nothing if any."""
    sub = _lock(submission)
    indicators = {i.pk: i for i in Indicator.objects.filter(scheme=sub.cycle.scheme, pk__in=entries)}
    require_fillable(sub, user, items=[i.code for i in indicators.values()])
    errors, clean = [], {}
    for pk, (text, note) in entries.items():
        ind = indicators.get(pk)
        if ind is None:
            errors.append(_("指标不属于本方案"))
            continue
        if ind.rule_kind != Indicator.RuleKind.MANUAL:
            # an automatic item is scored from the data, a veto by the reviewer: a self score on one
            # would never count (core.scoring ignores it), so it is refused here, for every caller
            if (text or "").strip() or (note or "").strip():
                errors.append(ItemError(_("指标%(code)s由数据自动计算或由评审认定，不接受自评") % {"code": ind.code}, pk))
            continue
        score, error = parse_points(ind, text)
        if error:
            errors.append(ItemError(error, pk))
            continue
        clean[pk] = (score, note)
    if errors:
        return errors
    changes, notes = {}, {}
    for pk, (score, note) in clean.items():
        row, _created = ItemScore.objects.get_or_create(submission=sub, indicator=indicators[pk])
        note = (note or "")[:2000]
        code = indicators[pk].code
        if row.self_score != score:
            changes[code] = [row.self_score, score]
        if row.self_note != note:
            notes[code] = [row.self_note, note]
        if code in changes or code in notes:
            row.self_score, row.self_note = score, note
            row.save(update_fields=["self_score", "self_note"])
    if changes or notes:
        log_action("evaluation.scores.self", actor=user, obj=sub, region=sub.region,
                   data={"changes": changes, "notes": notes})
        from .recompute import schedule_recompute

        schedule_recompute(sub.cycle, f"{sub.region.name}修改自评得分", region=sub.region)
    return []


@transaction.atomic
def save_narrative(submission: Submission, user, area_code: str, text: str) -> None:
    sub = _lock(submission)
    require_editable(sub, user)
    row, _created = Narrative.objects.get_or_create(submission=sub, area_code=area_code)
    text = (text or "")[:5000]
    if row.text != text:
        old = row.text
        row.text = text
        row.save(update_fields=["text"])
        log_action("evaluation.narrative.change", actor=user, obj=sub, region=sub.region,
                   data={"area": area_code, "old": old, "new": text})


REVIEWABLE = (S.SUBMITTED, S.FORWARDED, S.ACCEPTED)


@transaction.atomic
def save_review_scores(submission: Submission, user, entries: dict[int, tuple[str, str, str]]) -> list[str]:
    """Reviewer scores: indicator id → (score text, note, veto "yes"/"no"/""). All or nothing."""
    sub = _lock(submission)
    if not scoping.reviews_cycle(user, sub.cycle):
        raise NotAllowed(_("只有本次评价的评审专家或督导办管理员可以评审"))
    if uses_panels(sub.cycle) and not scoping.runs_cycle(user, sub.cycle):
        raise WorkflowError(_("本次评价实行分组评审：请在本人所在评审组的页面独立评分"))
    if sub.state not in REVIEWABLE:
        raise WorkflowError(_("只能评审已提交或已通过的材料"))
    indicators = {i.pk: i for i in Indicator.objects.filter(scheme=sub.cycle.scheme, pk__in=entries)}
    errors, clean = [], {}
    for pk, (text, note, veto) in entries.items():
        ind = indicators.get(pk)
        if ind is None:
            errors.append(_("指标不属于本方案"))
            continue
        score, error = parse_points(ind, text) if ind.rule_kind != "veto" else (None, "")
        if error:
            errors.append(error)
            continue
        vetoed = {"yes": True, "no": False}.get(veto or "") if ind.rule_kind == "veto" else None
        clean[pk] = (score, (note or "")[:2000], vetoed)
    if errors:
        return errors
    changes = {}
    for pk, (score, note, vetoed) in clean.items():
        row, _created = ItemScore.objects.get_or_create(submission=sub, indicator=indicators[pk])
        if (row.reviewer_score, row.reviewer_note, row.vetoed) != (score, note, vetoed):
            changes[indicators[pk].code] = {"score": [row.reviewer_score, score], "veto": [row.vetoed, vetoed],
                                            "note": [row.reviewer_note, note]}
            row.reviewer_score, row.reviewer_note, row.vetoed, row.reviewer = score, note, vetoed, user
            row.save(update_fields=["reviewer_score", "reviewer_note", "vetoed", "reviewer"])
    if changes:
        log_action("evaluation.scores.review", actor=user, obj=sub, region=sub.region, data={"changes": changes})
        from .recompute import schedule_recompute

        schedule_recompute(sub.cycle, f"{sub.region.name}评审打分", region=sub.region)
    return []
