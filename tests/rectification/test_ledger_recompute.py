"""A ledger change (plan approved, task closed, reopened, fallen overdue) requests the recomputation of
the region in the LATER cycles of the same office, through evaluation's coalesced request; running the
request moves next year's ledger item (hand-computed: 12.2 = 3 × closed on time / total)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from dutyeval.evaluation.models import RecomputeJob, Result
from dutyeval.evaluation.recompute import compute, recompute_task, store
from dutyeval.rectification import services
from dutyeval.rectification.ledger import fell_overdue, ledger_changed
from dutyeval.rectification.models import EvidenceFile, ProgressReport

from .test_ledger import TODAY, _task, next_year  # noqa: F401  (the fixture)


def _score(w, code: str) -> Decimal:
    result = Result.objects.get(submission__cycle=w.nxt, submission__region=w.zezhou)
    return result.rows.get(code=code).score


def _evidence(task):
    report = ProgressReport.objects.create(task=task, period="2021年5月", text="已完成")
    EvidenceFile.objects.create(report=report, filename="验收材料.pdf", stored_name="x.pdf",
                                content_type="application/pdf", size=1, sha256="0" * 64)


def test_closing_a_task_recomputes_the_region_in_next_years_cycle(next_year):  # noqa: F811
    w = next_year
    task = _task(w.plan, w.dept, 1, state="open", deadline=TODAY + timedelta(days=10))
    store(w.nxt, compute(w.nxt))
    assert _score(w, "12.2") == Decimal("0.00")  # 0 of 1 closed on time
    _evidence(task)
    services.close_task(task, w.province_admin, "验收合格")
    (job,) = RecomputeJob.objects.all()
    assert (job.cycle, job.state, job.full, job.regions) == (w.nxt, "queued", False, [w.zezhou.code])
    assert "泽州县整改台账变更：整改任务验收销号" in job.reason
    recompute_task(job.pk)
    job.refresh_from_db()
    assert job.state == "done"
    assert _score(w, "12.2") == Decimal("3.00")  # 1 of 1 closed on time: 3 × 1/1


def test_requests_coalesce_and_reach_only_later_cycles_that_evaluate_the_region(next_year):  # noqa: F811
    w = next_year
    a = ledger_changed(w.cycle, w.zezhou, "整改任务验收销号")
    b = ledger_changed(w.cycle, w.zezhou, "回头看不属实，整改任务重新打开")
    assert [j.pk for j in a] == [j.pk for j in b] and RecomputeJob.objects.count() == 1
    # a change in next year's own tasks: no cycle after it, nothing requested
    assert ledger_changed(w.nxt, w.zezhou, "整改任务验收销号") == []
    # a region the later cycle does not evaluate gets nothing; one it does widens the waiting job
    assert ledger_changed(w.cycle, w.shanxi, "x") == []
    ledger_changed(w.cycle, w.yangcheng, "整改方案审核通过")
    (job,) = RecomputeJob.objects.all()
    assert sorted(job.regions) == sorted([w.zezhou.code, w.yangcheng.code]) and job.cycle == w.nxt


def test_a_task_falling_overdue_yesterday_requests_the_recompute_once(next_year):  # noqa: F811
    w = next_year
    _task(w.plan, w.dept, 1, state="open", deadline=TODAY - timedelta(days=1))
    _task(w.plan, w.dept, 2, state="pending", deadline=TODAY - timedelta(days=1))
    _task(w.plan, w.dept, 3, state="open", deadline=TODAY)  # due today: not overdue yet
    _task(w.plan, w.dept, 4, state="closed", deadline=TODAY - timedelta(days=1), closed_on=TODAY - timedelta(days=2),
          closure="accepted")
    assert fell_overdue(TODAY) == 1  # one (cycle, region): 泽州县 in 2021
    (job,) = RecomputeJob.objects.all()
    assert (job.cycle, job.regions) == (w.nxt, [w.zezhou.code])
    RecomputeJob.objects.all().delete()
    assert fell_overdue(TODAY + timedelta(days=1)) == 1  # task 3's deadline passed the day before
    assert fell_overdue(TODAY + timedelta(days=3)) == 0


def test_approving_a_plan_requests_the_recompute(next_year):  # noqa: F811
    w = next_year
    from dutyeval.rectification.models import Plan

    plan = Plan.objects.create(cycle=w.cycle, region=w.yangcheng, state="submitted")
    services.approve_plan(plan, w.province_admin)
    (job,) = RecomputeJob.objects.all()
    assert (job.cycle, job.regions, "整改方案审核通过" in job.reason) == (w.nxt, [w.yangcheng.code], True)


def test_a_later_cycle_whose_scheme_does_not_read_the_ledger_is_not_recomputed(next_year):  # noqa: F811
    from dutyeval.evaluation.models import Cycle, Submission

    w = next_year
    plain = Cycle.objects.create(name="山西省2023年评价", scheme=w.scheme, year=2023, data_year=2022, root=w.shanxi)
    Submission.objects.create(cycle=plain, region=w.zezhou)
    jobs = ledger_changed(w.cycle, w.zezhou, "整改任务验收销号")
    assert [j.cycle for j in jobs] == [w.nxt]  # 2022 scores the ledger; 2023 uses the shipped scheme
    assert not RecomputeJob.objects.filter(cycle=plain).exists()
