"""Daily reminders of rectification deadlines: an open task due within N days, or past its deadline,
tells the region's coordinators and the task's department; the office running the cycle gets one line
per cycle with its overdue count. Run once a day (`manage.py rectification_remind`, or the worker's
schedule in tasks.py); running again the same day sends nothing twice (notifications' dedupe key).

A task waiting for 验收销号 (pending) is the office's to decide, so it reminds nobody.

Missed reports (send_missed_reports): an open task that was open for the whole of the previous
reporting period (the cycle's rhythm) and has no progress report of that period tells the region's
coordinators and its department once per period (dedupe key `rect-missed:<task>:<period>`)."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from django.urls import reverse
from django.utils import timezone

from dutyeval.accounts import scoping
from dutyeval.accounts.models import User
from dutyeval.audit.models import AuditLog
from dutyeval.core.rectification import previous_period
from dutyeval.notifications.services import notify

from .models import Programme, ProgressReport, Rhythm, Task

DAYS = 7


def _recipients(task: Task) -> list:
    users = list(scoping.coordinators_of(task.plan.region))
    return users + list(User.objects.filter(role=User.Role.DEPARTMENT, department_id=task.department_id,
                                            is_active=True))


def send_task_reminders(days: int = DAYS, today: date | None = None) -> dict[str, int]:
    """Messages sent: {"due_soon": n, "overdue": n, "office": n}."""
    today = today or timezone.localdate()
    sent: Counter = Counter()
    tasks = (Task.objects.filter(state=Task.State.OPEN, deadline__lte=today + timedelta(days=days))
             .select_related("plan__region", "plan__cycle", "finding").order_by("deadline", "pk"))
    overdue_by_cycle: Counter = Counter()
    cycles = {}
    for t in tasks:
        url = reverse("rect-task", args=[t.pk])
        if t.deadline < today:
            late = (today - t.deadline).days
            overdue_by_cycle[t.plan.cycle_id] += 1
            cycles[t.plan.cycle_id] = t.plan.cycle
            sent["overdue"] += notify(
                _recipients(t), "overdue", f"整改任务已逾期{late}天：{t.finding.theme}",
                f"{t.plan.region.name}：{t.measures[:80]}（整改时限 {t.deadline:%Y-%m-%d}），请抓紧整改并报送进展。",
                url, dedupe_key=f"rect-overdue:{t.pk}:{today}")
        else:
            left = (t.deadline - today).days
            when = "今天到期" if left == 0 else f"{left}天后到期"
            sent["due_soon"] += notify(
                _recipients(t), "due_soon", f"整改任务{when}：{t.finding.theme}",
                f"{t.plan.region.name}：{t.measures[:80]}（整改时限 {t.deadline:%Y-%m-%d}）。", url,
                dedupe_key=f"rect-due:{t.pk}:{today}")
    for cycle_id, n in overdue_by_cycle.items():
        cycle = cycles[cycle_id]
        sent["office"] += notify(scoping.cycle_office(cycle), "overdue", f"{cycle.name}：{n}项整改任务已逾期",
                                 "请在整改看板查看逾期清单并督办。", reverse("rect-dashboard", args=[cycle_id]),
                                 dedupe_key=f"rect-office:{cycle_id}:{today}")
    return {k: sent[k] for k in ("due_soon", "overdue", "office")}


def _opened_on(tasks) -> dict[int, date]:
    """The day each task opened (its plan's approval, rectification.task.open), else its plan's decision."""
    first: dict[int, date] = {}
    rows = AuditLog.objects.filter(action="rectification.task.open", object_type="rectification.task",
                                   object_id__in=[str(t.pk) for t in tasks]).values_list("object_id", "created")
    for pk, created in rows:
        day = timezone.localtime(created).date()
        first[int(pk)] = min(day, first.get(int(pk), day))
    for t in tasks:
        if t.pk not in first and t.plan.decided_at:
            first[t.pk] = timezone.localtime(t.plan.decided_at).date()
    return first


def send_missed_reports(today: date | None = None) -> int:
    """Messages sent for open tasks without a progress report in the previous reporting period."""
    today = today or timezone.localdate()
    tasks = list(Task.objects.filter(state=Task.State.OPEN).select_related("plan__region", "plan__cycle", "finding")
                 .order_by("pk"))
    rhythms = dict(Programme.objects.filter(cycle_id__in={t.plan.cycle_id for t in tasks})
                   .values_list("cycle_id", "rhythm"))
    opened = _opened_on(tasks)
    reported = set(ProgressReport.objects.filter(task__in=tasks).values_list("task_id", "period"))
    sent = 0
    for t in tasks:
        label, first, last = previous_period(today, rhythms.get(t.plan.cycle_id, Rhythm.MONTHLY))
        if t.pk not in opened or opened[t.pk] > first:
            continue  # not yet open when the period began: nothing was due
        if (t.pk, label) in reported:
            continue
        sent += notify(_recipients(t), "due_soon", f"整改进展未按期报送：{label}",
                       f"{t.plan.region.name}：{t.measures[:80]}。{label}没有报送整改进展，请及时报送。",
                       reverse("rect-task", args=[t.pk]), dedupe_key=f"rect-missed:{t.pk}:{label}")
    return sent
