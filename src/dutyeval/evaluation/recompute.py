"""Recomputing a cycle's scores: one grouped query per source, one vectorised scoring pass,
one bulk write (STYLE.md §3). Runs on the task queue; inline when no worker is configured."""

from __future__ import annotations

import time
from datetime import timedelta
from decimal import Decimal
from functools import partial

from django.db import IntegrityError, transaction
from django.utils import timezone
from huey.contrib.djhuey import db_task

from dutyeval.collection.models import DataValue
from dutyeval.core.expr import Dataset
from dutyeval.core.scoring import ManualScore, SchemeScores, score_all
from dutyeval.regions.models import Region

from .models import HISTORY_YEARS, Cycle, ItemScore, RecomputeJob, Result, Submission


def cycle_dataset(cycle: Cycle) -> tuple[Dataset, list[str]]:
    """The figures of every evaluated region and of its child regions (for sum_children()).

    Returns the dataset and the codes of the evaluated regions."""
    targets = list(Submission.objects.filter(cycle=cycle).values_list("region__code", flat=True))
    children = dict(Region.objects.filter(parent__code__in=targets).values_list("code", "parent__code"))
    codes = targets + [c for c in children if c not in set(targets)]
    years = cycle.years_read()
    rows = DataValue.objects.filter(
        region__code__in=codes, year__gte=years.start, year__lt=years.stop
    ).values_list("region__code", "element__code", "year", "value")
    shift = year_shift(cycle)
    if shift:
        # an element collected for another year (finance of N−1) is seen by the core at the data year,
        # so its own history lines up: the core compares each element with its own previous year
        rows = [(r, c, y + shift.get(c, 0), v) for r, c, y, v in rows]
    span = range(cycle.data_year - HISTORY_YEARS, cycle.data_year + 1)
    rows = [row for row in rows if row[2] in span]
    return Dataset.from_records(codes, span, rows, parents=children), targets


def year_shift(cycle: Cycle) -> dict[str, int]:
    """Element code → years to add to its stored year to reach the core's (data) year."""
    return {code: cycle.data_year - int(y) for code, y in cycle.element_years.items() if int(y) != cycle.data_year}


def manual_scores(cycle: Cycle) -> dict[tuple[str, str], ManualScore]:
    rows = ItemScore.objects.filter(submission__cycle=cycle).values_list(
        "submission__region__code", "indicator__code", "self_score", "reviewer_score", "reviewer_note", "vetoed"
    )
    return {
        (r, c): ManualScore(self_score=s, reviewer_score=v, comment=n or "", vetoed=veto)
        for r, c, s, v, n, veto in rows
    }


def compute(cycle: Cycle) -> SchemeScores:
    ds, targets = cycle_dataset(cycle)
    return score_all(cycle.scheme.to_core(), ds, cycle.data_year, manual_scores(cycle), targets=targets)


def _num(v: float | None) -> str | None:
    return None if v is None else format(Decimal(str(round(v, 4))).normalize(), "f")


def _items_json(card, shift: dict[str, int]) -> dict:
    return {
        it.code: {
            "score": str(it.score),
            "contribution": str(it.contribution),
            "status": it.status,
            "who": it.who,
            "rule": it.rule,
            "explanation": it.explanation,
            **it.verdict_json(),  # computed value, threshold, its source and confidence, automatic result
            "figures": [{"code": f.code, "name": f.name, "year": f.year - shift.get(f.code, 0), "value": _num(f.value),
                         "unit": f.unit} for f in it.figures],
        }
        for it in card.items
    }


@transaction.atomic
def store(cycle: Cycle, scores: SchemeScores, progress=lambda p, m: None) -> int:
    subs = {s.region.code: s for s in Submission.objects.filter(cycle=cycle).select_related("region")}
    Result.objects.filter(submission__cycle=cycle).delete()
    shift = year_shift(cycle)
    out = []
    for n, code in enumerate(scores.regions.tolist()):
        card = scores.scorecard(code)
        out.append(
            Result(
                submission=subs[code], total=card.total, grade=card.grade, grade_before_veto=card.grade_before_veto,
                rank=card.rank, vetoes=list(card.vetoes), insufficient=card.insufficient, items=_items_json(card, shift),
            )
        )
        if n % 20 == 0:
            progress(50 + int(45 * n / max(len(subs), 1)), f"生成评分表 {n}/{len(subs)}")
    Result.objects.bulk_create(out, batch_size=500)
    return len(out)


STALE_AFTER = timedelta(minutes=15)  # a running job silent this long died with its worker


def schedule_recompute(cycle: Cycle, reason: str = "", region=None) -> RecomputeJob:
    """Queue a recomputation unless one is already waiting (it will see the newest data).
    `region`: the one evaluated region whose figures or scores changed (None: the whole cycle)."""
    for _attempt in range(3):
        waiting = RecomputeJob.objects.filter(cycle=cycle, state=RecomputeJob.State.QUEUED).first()
        if waiting is not None:
            return waiting
        try:
            with transaction.atomic():
                job = RecomputeJob.objects.create(cycle=cycle, reason=reason[:200])
        except IntegrityError:  # a parallel request queued one first: join it
            continue
        transaction.on_commit(partial(recompute_task, job.pk))
        return job
    raise RuntimeError("could not queue a recomputation")  # three races lost in a row: let the caller retry


def _claim(job_id: int) -> bool:
    """queued → running, unless another job of the cycle is running (the database refuses two)."""
    try:
        with transaction.atomic():
            return RecomputeJob.objects.filter(pk=job_id, state=RecomputeJob.State.QUEUED).update(
                state=RecomputeJob.State.RUNNING, progress=5, message="读取数据", started=timezone.now()
            ) == 1
    except IntegrityError:
        return False


def _retire_stale(cycle_id: int) -> None:
    RecomputeJob.objects.filter(
        cycle_id=cycle_id, state=RecomputeJob.State.RUNNING, started__lt=timezone.now() - STALE_AFTER
    ).update(state=RecomputeJob.State.FAILED, message="计算进程中断（超时）", finished=timezone.now())


@db_task()
def recompute_task(job_id: int) -> dict:
    """Run a queued job, then whatever was queued for its cycle meanwhile. A job that finds another
    job of its cycle running leaves itself queued: the running one takes it when it is done."""
    job = RecomputeJob.objects.filter(pk=job_id).first()
    if job is None:
        return {"ran": 0}
    _retire_stale(job.cycle_id)
    ran = 0
    while job is not None and _claim(job.pk):
        _run(job.pk)
        ran += 1
        job = RecomputeJob.objects.filter(cycle_id=job.cycle_id, state=RecomputeJob.State.QUEUED).first()
    return {"ran": ran}


def _run(job_id: int) -> None:
    job = RecomputeJob.objects.select_related("cycle__scheme").get(pk=job_id)
    t0 = time.perf_counter()

    def progress(pct: int, message: str) -> None:
        RecomputeJob.objects.filter(pk=job.pk).update(progress=pct, message=message)

    try:
        scores = compute(job.cycle)
        progress(50, "计算完成，写入结果")
        n = store(job.cycle, scores, progress)
    except Exception as exc:  # the job records any failure for the page, then re-raises for the log
        RecomputeJob.objects.filter(pk=job.pk).update(state=RecomputeJob.State.FAILED, message=str(exc)[:200],
                                                      finished=timezone.now())
        raise
    seconds = time.perf_counter() - t0
    RecomputeJob.objects.filter(pk=job.pk).update(
        state=RecomputeJob.State.DONE, progress=100, message=f"已计算 {n} 个县（市、区）", finished=timezone.now(),
        seconds=seconds,
    )
