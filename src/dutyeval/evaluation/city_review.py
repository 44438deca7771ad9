"""设区市复核: in a province cycle of counties whose calendar has a city review stage, the city office
reviews each county's submission first and returns it, or forwards it to the province with an
opinion and a recommended grade (seed 003: 设区市"复查复评" before the province's review)."""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dutyeval.accounts import scoping
from dutyeval.audit.services import log_action
from dutyeval.notifications.services import notify

from .models import CityReview, Submission
from .rules import WorkflowError

S = Submission.State


def grade_names(sub: Submission) -> list[str]:
    """The grades the scheme awards (优秀, 良好 …), best first: the choices of a recommended grade."""
    return [b.name for b in sub.cycle.scheme.to_core().grade_bands]


def _locked_for_city(submission: Submission, user) -> Submission:
    sub = Submission.objects.select_for_update().select_related("region", "cycle").get(pk=submission.pk)
    if not scoping.can_city_review(user, sub):
        raise WorkflowError(_("只有该县（市、区）所在设区市的督导办或复核人员可以复核"))
    if sub.state != S.SUBMITTED:
        raise WorkflowError(_("只有已提交、待设区市复核的材料可以复核（当前状态：%(s)s）") % {"s": sub.get_state_display()})
    return sub


@transaction.atomic
def forward_to_province(submission: Submission, user, opinion: str, recommended_grade: str) -> Submission:
    """复核报送: the city's opinion and recommended grade go up with the submission."""
    sub = _locked_for_city(submission, user)
    opinion = (opinion or "").strip()
    if not opinion:
        raise WorkflowError(_("复核报送须填写复核意见"))
    if len(opinion) > 4000:
        raise WorkflowError(_("复核意见不能超过 4000 字"))
    grades = grade_names(sub)
    if recommended_grade not in grades:
        raise WorkflowError(_("请选择建议等次（%(g)s）") % {"g": "、".join(grades)})
    CityReview.objects.update_or_create(
        submission=sub,
        defaults={"opinion": opinion, "recommended_grade": recommended_grade, "reviewed_by": user,
                  "reviewed_at": timezone.now()},
    )
    sub.state = S.FORWARDED
    sub.save(update_fields=["state", "updated"])
    log_action("evaluation.submission.city_forward", actor=user, obj=sub, region=sub.region,
               data={"from": S.SUBMITTED, "to": S.FORWARDED, "opinion": opinion, "grade": recommended_grade})
    url = reverse("submission", args=[sub.pk])
    notify(scoping.cycle_office(sub.cycle), "forwarded", f"{sub.region.parent.name}已复核报送{sub.region.name}",
           f"《{sub.cycle.name}》：建议等次{recommended_grade}。复核意见：{opinion[:200]}", url)
    notify(scoping.coordinators_of(sub.region), "forwarded", f"设区市已复核报送：{sub.cycle.name}",
           f"{sub.region.parent.name}已复核并报送省级。", url)
    return sub


@transaction.atomic
def return_by_city(submission: Submission, user, reason: str) -> Submission:
    sub = _locked_for_city(submission, user)
    reason = (reason or "").strip()
    if not reason:
        raise WorkflowError(_("退回时必须填写退回原因"))
    sub.state = S.RETURNED
    sub.return_reason = reason[:2000]
    sub.save(update_fields=["state", "return_reason", "updated"])
    log_action("evaluation.submission.city_return", actor=user, obj=sub, region=sub.region,
               data={"from": S.SUBMITTED, "to": S.RETURNED, "reason": reason})
    notify(scoping.coordinators_of(sub.region), "returned", f"设区市复核退回：{sub.cycle.name}",
           f"退回原因：{reason}", reverse("submission", args=[sub.pk]))
    return sub
