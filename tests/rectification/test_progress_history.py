"""The dashboard's progress chart reads a reopened task from its audit trail, not from its current dates:
closed in the months it was closed, open (or overdue) again after the follow-up reopened it."""

from __future__ import annotations

from datetime import date, datetime, time
from unittest import mock

from django.utils import timezone

from dutyeval.audit.services import log_action
from dutyeval.rectification.models import Finding, Plan, Task
from dutyeval.rectification.progress import monthly_progress


def _log(action, task, day, **data):
    moment = timezone.make_aware(datetime.combine(day, time(10)))
    with mock.patch("django.utils.timezone.now", return_value=moment):
        log_action(action, actor=None, obj=task, region=task.plan.region, data=data)


def test_a_task_reopened_by_a_follow_up_is_counted_by_its_history(reviewed):
    w = reviewed
    plan = Plan.objects.create(cycle=w.cycle, region=w.zezhou, state="approved")
    f = Finding.objects.create(cycle=w.cycle, region=w.zezhou, source="office", key="office:1", theme="问题",
                               text="x", state="confirmed", found_on=date(2025, 1, 1))
    # today: open again, no closing time (the follow-up cleared it)
    task = Task.objects.create(plan=plan, finding=f, measures="措施", department=w.edu, deadline=date(2025, 3, 31),
                               state="open")
    data_closed = Task.objects.create(plan=plan, finding=f, measures="措施2", department=w.edu,
                                      deadline=date(2025, 3, 31), state="closed", closure="data")
    _log("rectification.task.open", task, date(2025, 1, 10))
    _log("rectification.task.open", data_closed, date(2025, 1, 10))
    _log("rectification.task.close", task, date(2025, 2, 20), before="open")
    _log("rectification.task.data_check", data_closed, date(2025, 2, 25), after="open", result="unmet")
    _log("rectification.task.data_check", data_closed, date(2025, 4, 2), after="closed", result="met")
    _log("rectification.task.reopen", task, date(2025, 4, 5), before="closed")
    rows = monthly_progress([task, data_closed], date(2025, 4, 30))
    table = [(r["month"], r["open"], r["overdue"], r["closed_on_time"], r["closed_late"]) for r in rows]
    assert table == [
        ("2025-01", 2, 0, 0, 0),
        ("2025-02", 1, 0, 1, 0),  # the unmet data check closed nothing
        ("2025-03", 1, 0, 1, 0),  # by its current dates the reopened task would be open here
        ("2025-04", 0, 1, 0, 1),  # reopened: overdue; the other closed by data after its deadline
    ]
