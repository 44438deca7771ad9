"""Release stages, appeals and the final publication. Every change is a named function with an
audit record; see models.py for the transitions."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dutyeval import uploads
from dutyeval.accounts import scoping
from dutyeval.audit.services import log_action
from dutyeval.evaluation.models import Cycle, ItemScore, Submission
from dutyeval.evaluation.rules import WorkflowError
from dutyeval.evaluation.services import parse_points
from dutyeval.evidence.detect import Refused, detect
from dutyeval.notifications.services import notify
from dutyeval.schemes.models import Indicator

from .models import Appeal, FinalResult, Release
from .ranking import COMPLETE, apply_outcomes, official_rows

Stage = Release.Stage
FOLDER = "appeals"
MAX_APPEAL_DAYS = 30


def release_of(cycle: Cycle) -> Release:
    return Release.objects.get_or_create(cycle=cycle)[0]


def current_release(cycle: Cycle) -> Release:
    """For reading: the cycle's release, or an unsaved internal one (a page view writes nothing)."""
    return Release.objects.filter(cycle=cycle).first() or Release(cycle=cycle)


def stage_of(cycle: Cycle) -> str:
    release = Release.objects.filter(cycle=cycle).only("stage").first()
    return release.stage if release else Stage.INTERNAL


def region_sees_results(sub: Submission) -> bool:
    """An evaluated region sees its scores, the reviewers' notes and its rank from 公示 on."""
    return stage_of(sub.cycle) != Stage.INTERNAL


def _locked_release(cycle: Cycle, user) -> Release:
    if not scoping.runs_cycle(user, cycle):
        raise WorkflowError(_("只有组织本次评价的督导办管理员可以发布结果"))
    release_of(cycle)
    return Release.objects.select_for_update().select_related("cycle").get(cycle=cycle)


def _end_of_day(day) -> datetime:
    return datetime.combine(day, time(23, 59, 59), tzinfo=timezone.get_current_timezone())


@transaction.atomic
def save_outcome_rules(cycle: Cycle, user, *, award_top_n: int, award_grade: str, award_amount: Decimal,
                       praise_grades: list[str], criticize_grades: list[str], interview_on_veto: bool) -> Release:
    release = _locked_release(cycle, user)
    if release.stage == Stage.FINAL:
        raise WorkflowError(_("结果已正式发布，奖励和通报规则不能再改"))
    grades = [b["name"] for b in cycle.scheme.grade_bands]
    for g in [award_grade, *praise_grades, *criticize_grades]:
        if g not in grades:
            raise WorkflowError(_("“%(g)s”不是本方案的等次（%(all)s）") % {"g": g, "all": "、".join(grades)})
    if not 0 <= award_top_n <= 100:
        raise WorkflowError(_("奖励名额应在 0 到 100 之间"))
    if award_amount < 0:
        raise WorkflowError(_("奖励金额不能为负数"))
    old = {f: getattr(release, f) for f in ("award_top_n", "award_grade", "award_amount", "praise_grades",
                                            "criticize_grades", "interview_on_veto")}
    release.award_top_n, release.award_grade, release.award_amount = award_top_n, award_grade, award_amount
    release.praise_grades, release.criticize_grades = praise_grades, criticize_grades
    release.interview_on_veto = interview_on_veto
    release.save()
    log_action("release.outcomes.save", actor=user, obj=cycle, region=cycle.root,
               data={"old": {k: str(v) for k, v in old.items()},
                     "new": {"award_top_n": award_top_n, "award_grade": award_grade, "award_amount": str(award_amount),
                             "praise": praise_grades, "criticize": criticize_grades, "interview": interview_on_veto}})
    return release


@transaction.atomic
def open_publicity(cycle: Cycle, user, appeal_days: int) -> Release:
    """公示: every evaluated region sees its own result and may appeal until the deadline (end of day)."""
    release = _locked_release(cycle, user)
    if release.stage != Stage.INTERNAL:
        raise WorkflowError(_("结果已在%(s)s阶段") % {"s": release.get_stage_display()})
    if not 1 <= appeal_days <= MAX_APPEAL_DAYS:
        raise WorkflowError(_("申诉期应为 1 到 %(n)d 天") % {"n": MAX_APPEAL_DAYS})
    complete = Submission.objects.filter(cycle=cycle, state__in=COMPLETE).count()
    if not complete:
        raise WorkflowError(_("还没有评审完成（审核通过）的地区，不能公示"))
    now = timezone.now()
    release.stage, release.appeal_days, release.publicity_at = Stage.PUBLICITY, appeal_days, now
    release.appeal_deadline = _end_of_day(timezone.localtime(now).date() + timedelta(days=appeal_days))
    release.save()
    incomplete = Submission.objects.filter(cycle=cycle).exclude(state__in=COMPLETE).count()
    log_action("release.publicity.open", actor=user, obj=cycle, region=cycle.root,
               data={"appeal_days": appeal_days, "deadline": release.appeal_deadline.isoformat(),
                     "complete": complete, "incomplete": incomplete})
    for sub in Submission.objects.filter(cycle=cycle, state__in=COMPLETE).select_related("region"):
        notify(scoping.coordinators_of(sub.region), "accepted", f"评价结果公示：{cycle.name}",
               f"请查看本地区各项得分；如有异议，请于{timezone.localtime(release.appeal_deadline):%Y年%m月%d日}前逐项申诉。",
               reverse("scorecard", args=[sub.pk]))
    return release


def _score_now(sub: Submission, ind: Indicator) -> Decimal | None:
    from dutyeval.evaluation.models import ResultItem

    item = ResultItem.objects.filter(result__submission=sub, code=ind.code).only("score").first()
    return item.score if item else None


@transaction.atomic
def file_appeal(submission: Submission, user, indicator: Indicator, reason: str, upload=None,
                filename: str = "") -> Appeal:
    """申诉 of one item by the region's coordinator, within the window, once per item."""
    sub = Submission.objects.select_for_update().select_related("cycle", "region").get(pk=submission.pk)
    if not scoping.can_edit_region_data(user, sub.region):
        raise WorkflowError(_("只有本地区填报联络员可以申诉"))
    release = current_release(sub.cycle)
    if release.stage != Stage.PUBLICITY:
        raise WorkflowError(_("只能在结果公示期间申诉"))
    if timezone.now() > release.appeal_deadline:
        raise WorkflowError(_("申诉期已于%(d)s截止") % {"d": f"{timezone.localtime(release.appeal_deadline):%Y年%m月%d日 %H:%M}"})
    if sub.state not in COMPLETE:
        raise WorkflowError(_("本地区评审未完成，没有可申诉的结果"))
    if indicator.scheme_id != sub.cycle.scheme_id or indicator.children.exists():
        raise WorkflowError(_("只能对本方案的末级指标申诉"))
    if Appeal.objects.filter(submission=sub, indicator=indicator, version=release.version).exists():
        raise WorkflowError(_("指标%(c)s已申诉过，每项只能申诉一次") % {"c": indicator.code})
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise WorkflowError(_("请写明申诉理由（至少 5 个字）"))
    if len(reason) > 4000:
        raise WorkflowError(_("申诉理由不能超过 4000 字"))
    appeal = Appeal(submission=sub, indicator=indicator, version=release.version, reason=reason, filed_by=user,
                    score_before=_score_now(sub, indicator))
    if upload is not None:
        stored = uploads.store_stream(upload, FOLDER, "", max_bytes=settings.DUTYEVAL_EVIDENCE_MAX_BYTES,
                                      quota=settings.DUTYEVAL_EVIDENCE_QUOTA_BYTES, used=0, what="申诉材料")
        try:
            detect(stored.path)
        except Refused as exc:
            uploads.discard(FOLDER, stored.name)
            raise WorkflowError(_("申诉材料未上传：%(e)s") % {"e": exc}) from None
        appeal.filename, appeal.stored_name, appeal.sha256 = (filename or "申诉材料")[:255], stored.name, stored.sha256
    appeal.save()
    log_action("release.appeal.file", actor=user, obj=sub, region=sub.region,
               data={"item": indicator.code, "reason": reason, "score": str(appeal.score_before),
                     "file": appeal.filename, "sha256": appeal.sha256})
    notify(scoping.cycle_office(sub.cycle), "submitted", f"{sub.region.name}对指标{indicator.code}提出申诉",
           reason[:200], reverse("release", args=[sub.cycle_id]))
    return appeal


@transaction.atomic
def decide_appeal(appeal: Appeal, user, *, upheld: bool, new_score: str = "", decision: str = "") -> Appeal:
    """The office upholds an appeal with a new score (written as the reviewers' score, recomputed) or
    rejects it with a reason."""
    appeal = Appeal.objects.select_for_update().select_related("submission__cycle", "submission__region",
                                                               "indicator").get(pk=appeal.pk)
    sub = appeal.submission
    release = _locked_release(sub.cycle, user)
    if release.stage != Stage.PUBLICITY:
        raise WorkflowError(_("只能在结果公示期间处理申诉"))
    if appeal.state != Appeal.State.OPEN:
        raise WorkflowError(_("该申诉已处理"))
    decision = (decision or "").strip()
    if not decision:
        raise WorkflowError(_("请填写处理意见"))
    if upheld:
        score, error = parse_points(appeal.indicator, new_score)
        if error or score is None:
            raise WorkflowError(error or _("申诉成立须填写改判得分"))
        row, _created = ItemScore.objects.get_or_create(submission=sub, indicator=appeal.indicator)
        row.reviewer_score, row.reviewer_note, row.reviewer = score, f"申诉改判：{decision}"[:2000], user
        row.save(update_fields=["reviewer_score", "reviewer_note", "reviewer"])
        appeal.new_score = score
    appeal.state = Appeal.State.UPHELD if upheld else Appeal.State.REJECTED
    appeal.decision, appeal.decided_by, appeal.decided_at = decision[:4000], user, timezone.now()
    appeal.save()
    log_action("release.appeal.decide", actor=user, obj=sub, region=sub.region,
               data={"item": appeal.indicator.code, "upheld": upheld, "old": str(appeal.score_before),
                     "new": str(appeal.new_score) if upheld else None, "reason": decision})
    notify(scoping.coordinators_of(sub.region), "accepted" if upheld else "returned",
           f"申诉{'成立' if upheld else '不成立'}：指标{appeal.indicator.code}", decision[:200],
           reverse("appeals", args=[sub.pk]))
    if upheld:
        from dutyeval.evaluation.recompute import schedule_recompute

        schedule_recompute(sub.cycle, f"{sub.region.name}申诉改判")
    return appeal


@transaction.atomic
def finalize(cycle: Cycle, user) -> Release:
    """正式发布: after the window, with every appeal decided: freeze the ranking and outcomes as this
    version's FinalResult rows and lock the complete submissions."""
    release = _locked_release(cycle, user)
    if release.stage != Stage.PUBLICITY:
        raise WorkflowError(_("须先公示结果，申诉期结束后才能正式发布"))
    if timezone.now() <= release.appeal_deadline:
        raise WorkflowError(_("申诉期至%(d)s，截止后才能正式发布")
                            % {"d": f"{timezone.localtime(release.appeal_deadline):%Y年%m月%d日 %H:%M}"})
    pending = Appeal.objects.filter(submission__cycle=cycle, version=release.version, state=Appeal.State.OPEN).count()
    if pending:
        raise WorkflowError(_("还有 %(n)d 件申诉未处理") % {"n": pending})
    from dutyeval.evaluation.recompute import compute, store

    store(cycle, compute(cycle))  # the published numbers include every decided appeal, now
    release.version += 1
    rows = apply_outcomes(official_rows(cycle), release)
    FinalResult.objects.bulk_create([
        FinalResult(release=release, version=release.version, submission=r.submission, region_code=r.region.code,
                    region_name=r.region.name, total=r.total, grade=r.grade, grade_before_veto=r.grade_before_veto,
                    rank=r.rank, vetoes=r.vetoes, outcomes=r.outcomes)
        for r in rows
    ])
    locked = Submission.objects.filter(cycle=cycle, state=Submission.State.ACCEPTED).update(state=Submission.State.LOCKED)
    release.stage, release.final_at = Stage.FINAL, timezone.now()
    release.save()
    log_action("release.final.publish", actor=user, obj=cycle, region=cycle.root,
               data={"version": release.version, "ranked": sum(1 for r in rows if r.complete),
                     "incomplete": sum(1 for r in rows if not r.complete), "locked": locked})
    return release


@transaction.atomic
def reopen(cycle: Cycle, user, reason: str) -> Release:
    """A new version of published results, only by a recorded decision: back to 公示."""
    release = _locked_release(cycle, user)
    if release.stage != Stage.FINAL:
        raise WorkflowError(_("只有已正式发布的结果可以重新发布"))
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise WorkflowError(_("重新发布须写明决定及理由（至少 5 个字）"))
    release.stage = Stage.PUBLICITY
    release.appeal_deadline = timezone.now()  # no new appeal window unless reopened for one
    release.save()
    log_action("release.final.reopen", actor=user, obj=cycle, region=cycle.root,
               data={"version": release.version, "reason": reason})
    return release


def final_rows(cycle: Cycle, regions=None):
    """The published results of the current version (empty before the first final publication)."""
    release = Release.objects.filter(cycle=cycle).first()
    if release is None or release.version == 0:
        return FinalResult.objects.none()
    qs = FinalResult.objects.filter(release=release, version=release.version).order_by(
        F("rank").asc(nulls_last=True), "region_code")  # the unranked (未完成) last, on every database
    if regions is not None:
        qs = qs.filter(submission__region__in=regions)
    return qs


def outcomes_by_submission(cycle: Cycle) -> dict[int, list[str]]:
    """Awards, 通报 and 约谈 per submission: as published once final, else by the cycle's current rules."""
    published = final_rows(cycle)
    if published.exists():
        return {f.submission_id: list(f.outcomes) for f in published}
    return {r.submission.pk: r.outcomes for r in apply_outcomes(official_rows(cycle), current_release(cycle))}
