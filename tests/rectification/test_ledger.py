"""Next year's scheme scores the rectification ledger (rectification/ledger.py → the derived elements of
core/catalogue.yaml → an ordinary auto expression). Scores are hand-computed from the tasks made here."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from dutyeval.evaluation.models import Cycle, Submission
from dutyeval.evaluation.recompute import compute
from dutyeval.rectification.ledger import ledger_counts
from dutyeval.rectification.models import Finding, Plan, Task

from .schemes import ledger_scheme

TODAY = timezone.localdate()


def _at(day):
    return timezone.make_aware(datetime.combine(day, time(16, 0)))


def _task(plan, dept, n, *, state, deadline, closed_on=None, **kw):
    f = Finding.objects.create(cycle=plan.cycle, region=plan.region, source="office", key=f"office:{n}",
                               theme="问题", text=f"问题{n}", state="confirmed", found_on=TODAY - timedelta(days=400))
    return Task.objects.create(plan=plan, finding=f, measures=f"措施{n}", department=dept, deadline=deadline,
                               state=state, closed_at=_at(closed_on) if closed_on else None, **kw)


@pytest.fixture
def next_year(world, tmp_path):
    """泽州县 with last year's tasks; the 2022 cycle of the same office uses the ledger scheme."""
    from dutyeval.departments.models import Department

    w = world
    dept = Department.objects.create(region=w.zezhou, name="县教育局")
    w.plan = Plan.objects.create(cycle=w.cycle, region=w.zezhou, state="approved")
    w.dept = dept
    w.nxt = Cycle.objects.create(name="山西省2022年评价", scheme=ledger_scheme(tmp_path), year=2022, data_year=2021,
                                 root=w.shanxi)
    for region in (w.zezhou, w.yangcheng):
        Submission.objects.create(cycle=w.nxt, region=region)
    return w


def _item(scores, region, code):
    return next(it for it in scores.scorecard(region.code).items if it.code == code)


def test_four_tasks_three_on_time_one_overdue(next_year):
    w, d = next_year, TODAY - timedelta(days=30)
    _task(w.plan, w.dept, 1, state="closed", deadline=d, closed_on=d - timedelta(days=10), closure="accepted")
    _task(w.plan, w.dept, 2, state="closed", deadline=d, closed_on=d, closure="accepted")  # on the day: on time
    _task(w.plan, w.dept, 3, state="closed", deadline=d, closed_on=d - timedelta(days=1), closure="data",
          target_element="classes_large", target_op="le", target_value=0, check_result="met")
    _task(w.plan, w.dept, 4, state="open", deadline=d)  # past its deadline, still open
    draft = Plan.objects.create(cycle=w.cycle, region=w.yangcheng)
    _task(draft, w.dept, 5, state="draft", deadline=d)  # a plan never approved is no promise
    counts = ledger_counts(w.nxt, [w.zezhou.pk, w.yangcheng.pk])
    assert counts[w.zezhou.pk] == {"rectification_tasks_total": 4, "rectification_closed_on_time": 3,
                                   "rectification_overdue": 1, "rectification_targets_total": 1,
                                   "rectification_targets_met": 1}
    assert set(counts[w.yangcheng.pk].values()) == {0}

    scores = compute(w.nxt)
    on_time, overdue = _item(scores, w.zezhou, "12.2"), _item(scores, w.zezhou, "12.1")
    assert (on_time.score, on_time.who, on_time.status) == (Decimal("2.25"), "auto", "scored")  # 3 × 3/4
    assert overdue.score == Decimal("1.50")  # 3 × (1 − 0.5 × 1)
    assert {f.code: f.value for f in on_time.figures} == {"rectification_tasks_total": 4,
                                                          "rectification_closed_on_time": 3}
    # a region without tasks last year kept every promise it had: full points, not 数据不足
    assert _item(scores, w.yangcheng, "12.2").score == Decimal("3.00")
    assert _item(scores, w.yangcheng, "12.1").score == Decimal("3.00")


def test_late_closure_is_overdue_and_a_future_deadline_is_neither(next_year):
    w = next_year
    past, future = TODAY - timedelta(days=30), TODAY + timedelta(days=30)
    _task(w.plan, w.dept, 1, state="closed", deadline=past, closed_on=past + timedelta(days=1), closure="accepted")
    _task(w.plan, w.dept, 2, state="pending", deadline=future)
    _task(w.plan, w.dept, 3, state="open", deadline=past - timedelta(days=5))
    c = ledger_counts(w.nxt, [w.zezhou.pk])[w.zezhou.pk]
    assert (c["rectification_tasks_total"], c["rectification_closed_on_time"], c["rectification_overdue"]) == (3, 0, 2)
    scores = compute(w.nxt)
    assert _item(scores, w.zezhou, "12.1").score == Decimal("0.00")  # 1 − 0.5 × 2 clamps at 0
    assert _item(scores, w.zezhou, "12.2").score == Decimal("0.00")
    # as of a day before the open task fell due, it was not yet overdue
    earlier = ledger_counts(w.nxt, [w.zezhou.pk], today=past - timedelta(days=6))[w.zezhou.pk]
    assert earlier["rectification_overdue"] == 1


def test_a_first_cycle_has_no_ledger_to_score(world, tmp_path):
    w = world
    first = Cycle.objects.create(name="山西省2019年评价", scheme=ledger_scheme(tmp_path), year=2019, data_year=2018,
                                 root=w.shanxi)
    Submission.objects.create(cycle=first, region=w.zezhou)
    assert ledger_counts(first, [w.zezhou.pk]) == {}
    item = _item(compute(first), w.zezhou, "12.2")
    assert (item.status, item.score) == ("insufficient", Decimal("0.00"))


def test_ledger_expressions_validate_and_a_typo_is_named():
    from dutyeval.core.schemefile import expression_problems

    from .schemes import ON_TIME, OVERDUE

    assert expression_problems(ON_TIME) == [] and expression_problems(OVERDUE) == []
    assert "rectification_overdue" in expression_problems("#{rectification_overdu} == 0")[0]
