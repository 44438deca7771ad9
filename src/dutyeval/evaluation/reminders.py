"""Reminders: due in three days, overdue (a daily job), and the office's 催报 to every late region at once."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from dutyeval.accounts import scoping
from dutyeval.audit.services import log_action
from dutyeval.notifications.services import notify

from .models import Cycle, Submission
from .rules import WorkflowError

DUE_SOON = timedelta(days=3)


def _deadline_text(cycle: Cycle) -> str:
    return timezone.localtime(cycle.deadline).strftime("%Y年%m月%d日 %H:%M")


def send_deadline_reminders(now=None) -> int:
    """Tell the coordinators of every unsubmitted region whose deadline is within three days or past.
    Safe to run more than once a day: each reminder is sent once per submission and day."""
    now = now or timezone.now()
    sent = 0
    open_subs = (Submission.objects.filter(cycle__state=Cycle.State.PUBLISHED, cycle__deadline__isnull=False,
                                           cycle__deadline__lte=now + DUE_SOON, state__in=Submission.EDITABLE)
                 .select_related("cycle", "region"))
    for sub in open_subs:
        overdue = sub.cycle.deadline < now
        kind = "overdue" if overdue else "due_soon"
        title = (f"{sub.cycle.name}：自评材料已逾期" if overdue
                 else f"{sub.cycle.name}：自评材料将于{_deadline_text(sub.cycle)}截止")
        body = f"{sub.region.name}尚未提交自评材料，截止时间为{_deadline_text(sub.cycle)}。"
        sent += notify(scoping.coordinators_of(sub.region), kind, title, body,
                       reverse("submission", args=[sub.pk]), dedupe_key=f"{kind}:{sub.pk}:{timezone.localdate(now)}")
    return sent


@transaction.atomic
def urge_late_regions(cycle: Cycle, user) -> int:
    """催报: one message to the coordinators of every region that has not submitted after the deadline."""
    if not scoping.runs_cycle(user, cycle):
        raise WorkflowError("只有督导办管理员可以催报")
    if not cycle.is_past_deadline:
        raise WorkflowError("尚未到自评截止时间，不能催报")
    late = list(Submission.objects.filter(cycle=cycle, state__in=Submission.EDITABLE).select_related("region"))
    for sub in late:
        notify(scoping.coordinators_of(sub.region), "urged", f"催报：{cycle.name}",
               f"{sub.region.name}的自评材料已过截止时间（{_deadline_text(cycle)}）仍未提交，请尽快提交。",
               reverse("submission", args=[sub.pk]))
    log_action("evaluation.cycle.urge", actor=user, obj=cycle, region=cycle.root,
               data={"regions": [s.region.code for s in late]})
    return len(late)
