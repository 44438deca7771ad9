"""`manage.py rectification_remind`: open tasks due within N days and overdue ones tell the region's
coordinators and the task's department, the office gets its overdue count; once per day."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from dutyeval.notifications.models import Notification
from dutyeval.rectification.models import Finding, Plan, Task


@pytest.fixture
def ledger(reviewed):
    from datetime import date

    w = reviewed
    w.day = date(2025, 6, 10)
    plan = Plan.objects.create(cycle=w.cycle, region=w.zezhou, state="approved")

    def task(n, deadline, state="open", dept=None):
        f = Finding.objects.create(cycle=w.cycle, region=w.zezhou, source="office", key=f"office:{n}",
                                   theme=f"问题{n}", text="x", state="confirmed", found_on=date(2025, 1, 1))
        return Task.objects.create(plan=plan, finding=f, measures=f"措施{n}", department=dept or w.edu,
                                   deadline=deadline, state=state)

    w.soon = task(1, w.day + timedelta(days=3))
    w.late = task(2, w.day - timedelta(days=2), dept=w.fin)
    task(3, w.day + timedelta(days=8))  # outside the 7 days
    task(4, w.day - timedelta(days=5), state="pending")  # the office's to decide
    task(5, w.day - timedelta(days=5), state="closed")
    return w


def _run(*args):
    out = StringIO()
    call_command("rectification_remind", *args, stdout=out)
    return out.getvalue()


def test_due_soon_and_overdue_tasks_remind_once_a_day(ledger):
    w = ledger
    out = _run("--today", w.day.isoformat())
    assert "即将到期提醒 2 条，逾期提醒 2 条，督导办汇总 1 条" in out  # coordinator + department each
    soon = Notification.objects.filter(kind="due_soon")
    assert {n.user.username for n in soon} == {w.county_filler.username, "zz_edu"}
    assert soon.first().title == "整改任务3天后到期：问题1"
    late = Notification.objects.filter(kind="overdue", title__startswith="整改任务")
    assert {n.user.username for n in late} == {w.county_filler.username, "zz_fin"}
    assert late.first().title == "整改任务已逾期2天：问题2" and late.first().url == f"/rtasks/{w.late.pk}/"
    office = Notification.objects.get(user=w.province_admin, kind="overdue")
    assert office.title == f"{w.cycle.name}：1项整改任务已逾期"
    total = Notification.objects.count()
    assert "即将到期提醒 0 条，逾期提醒 0 条，督导办汇总 0 条" in _run("--today", w.day.isoformat())
    assert Notification.objects.count() == total
    # the next day reminds again, with the days counted on
    _run("--today", (w.day + timedelta(days=1)).isoformat())
    assert Notification.objects.filter(title="整改任务已逾期3天：问题2").count() == 2


def test_days_ahead_is_a_setting_and_bad_arguments_send_nothing(ledger):
    w = ledger
    before = Notification.objects.count()  # the review's own messages
    for bad in (["--today", "2025-13-01"], ["--days", "-1"]):
        with pytest.raises(CommandError):
            _run(*bad)
    assert Notification.objects.count() == before
    assert "即将到期提醒 4 条" in _run("--today", w.day.isoformat(), "--days", "8")


def _opened(task, day):
    """The task opened on `day`: its audit record as the plan's approval writes it, written that day."""
    from datetime import datetime, time
    from unittest import mock

    from django.utils import timezone

    from dutyeval.audit.services import log_action

    moment = timezone.make_aware(datetime.combine(day, time(10)))
    with mock.patch("django.utils.timezone.now", return_value=moment):
        log_action("rectification.task.open", actor=None, obj=task, region=task.plan.region, data={})


def test_a_missed_reporting_period_reminds_once_per_period(ledger):
    from datetime import date

    from dutyeval.rectification.models import ProgressReport
    from dutyeval.rectification.reminders import send_missed_reports

    w = ledger  # w.day = 2025-06-10, monthly rhythm: the previous period is 2025年5月
    _opened(w.soon, date(2025, 4, 20))  # open all May, no report of May: reminded
    _opened(w.late, date(2025, 5, 2))  # opened after May began: nothing was due for May
    ProgressReport.objects.create(task=w.soon, period="2025年4月", text="四月进展")  # another period's report
    assert send_missed_reports(w.day) == 2  # the coordinator and the task's department
    missed = Notification.objects.filter(title="整改进展未按期报送：2025年5月")
    assert {n.user.username for n in missed} == {w.county_filler.username, "zz_edu"}
    assert missed.first().url == f"/rtasks/{w.soon.pk}/"
    assert send_missed_reports(w.day + timedelta(days=5)) == 0  # the same period: once
    ProgressReport.objects.create(task=w.soon, period="2025年6月", text="六月进展")
    ProgressReport.objects.create(task=w.late, period="2025年6月", text="六月进展")
    assert send_missed_reports(date(2025, 7, 1)) == 0  # both reported June
    assert send_missed_reports(date(2025, 8, 1)) == 4  # neither reported July (w.late: coordinator + 财政局)


def test_the_rhythm_sets_the_period_and_the_command_reports_the_count(ledger):
    from datetime import date

    from dutyeval.rectification import services

    w = ledger
    services.set_rhythm(w.cycle, w.province_admin, "quarterly")
    _opened(w.soon, date(2025, 1, 1))
    assert "未按期报送整改进展提醒 2 条" in _run("--today", w.day.isoformat())  # 2025年第1季度 missed
    assert Notification.objects.filter(title="整改进展未按期报送：2025年第1季度").count() == 2
