"""The dashboard's progress over time: each task's status at every month's end (core.rectification),
dated from the audit trail — the day the task opened (rectification.task.open) — and from the task's
own deadline and closing time."""

from __future__ import annotations

from django.db.models import Min
from django.utils import timezone

from dutyeval.audit.models import AuditLog
from dutyeval.core.rectification import progress_by_month

from .models import Task


def monthly_progress(tasks, today) -> list[dict]:
    live = [t for t in tasks if t.state != Task.State.DRAFT]
    opened = dict(AuditLog.objects.filter(action="rectification.task.open", object_type="rectification.task",
                                          object_id__in=[str(t.pk) for t in live])
                  .values("object_id").annotate(first=Min("created")).values_list("object_id", "first"))

    def day(moment):
        return timezone.localtime(moment).date() if moment else None

    return progress_by_month(
        [(day(opened.get(str(t.pk))) or day(t.plan.decided_at) or day(t.created), t.deadline, day(t.closed_at))
         for t in live], today)
