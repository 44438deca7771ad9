"""Daily reminders of rectification deadlines: an open task due within N days, or past its deadline,
tells the region's coordinators and the task's department; the office running the cycle gets one line
per cycle with its overdue count. Run once a day (`manage.py rectification_remind`, or the worker's
schedule in tasks.py); running again the same day sends nothing twice (notifications' dedupe key).

A task waiting for 验收销号 (pending) is the office's to decide, so it reminds nobody."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from django.urls import reverse
from django.utils import timezone

from dutyeval.accounts import scoping
from dutyeval.accounts.models import User
from dutyeval.notifications.services import notify

from .models import Task

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
