"""The incremental recompute (one region, then the cycle's ranks) gives exactly what a full recompute
gives, after any sequence of changes to figures, self scores and reviewer scores (Hypothesis)."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.test import TestCase
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dutyeval.collection.models import DataElement, DataValue
from dutyeval.collection.services import ValidationFailed, correct_values
from dutyeval.collection.signals import values_changed
from dutyeval.evaluation import services
from dutyeval.evaluation.models import RecomputeJob, Result, ResultItem
from dutyeval.evaluation.recompute import compute, schedule_recompute, store, worded

FACTORS = (None, "0.5", "0.97", "1", "1.03", "1.5")  # None deletes the figure


change = st.one_of(
    st.tuples(st.just("value"), st.integers(0, 5), st.integers(0, 200), st.integers(2019, 2020),
              st.sampled_from(FACTORS)),
    st.tuples(st.just("self"), st.integers(0, 5), st.integers(0, 200), st.floats(0, 1), st.booleans()),
    st.tuples(st.just("review"), st.integers(0, 5), st.integers(0, 200), st.floats(0, 1),
              st.sampled_from(("yes", "no", ""))),
)  # fmt: skip


def _apply(world, kind, i, j, a, b) -> None:
    sub = world.subs[i % len(world.subs)]
    if kind == "value":
        _change_value(world, sub.region, world.elements[j % len(world.elements)], a, b)
        return
    ind = world.leaves[j % len(world.leaves)]
    score = "" if b is False else str((ind.points * Decimal(str(a))).quantize(Decimal("0.01")))
    if kind == "self":
        if ind.rule_kind == "manual" and sub.editable:
            assert (
                services.save_self_scores(sub, world.coordinators[sub.region_id], {ind.pk: (score, "")}) == []
            )
    elif sub.state in services.REVIEWABLE:  # reviewers also override automatic items
        entry = (score if ind.rule_kind != "veto" else "", "复核意见", b if ind.rule_kind == "veto" else "")
        assert services.save_review_scores(sub, world.reviewer, {ind.pk: entry}) == []


def _change_value(world, region, code, year, factor) -> None:
    row = DataValue.objects.filter(region=region, year=year, element__code=code).first()
    if row is None and factor is None:
        return
    base = row.value if row is not None else Decimal(10)
    new = None if factor is None else (base * Decimal(factor)).quantize(Decimal("0.01"))
    try:
        correct_values(region, year, {code: new}, user=world.province_admin, reason="性质测试")
    except ValidationFailed:  # refused by the cross-field rules: written as an import would, then announced
        DataValue.objects.filter(region=region, year=year, element__code=code).delete()
        if new is not None:
            DataValue.objects.create(
                element=DataElement.objects.get(code=code),
                region=region,
                year=year,
                value=new,
                source="imported",
            )
        values_changed.send(sender=None, region=region, year=year)


def _assert_full_recompute_equals(cycle, incremental: dict) -> None:
    """A full recompute stores the numbers and leaves the words to the first reader: its numbers as
    stored, and every region's words once read, equal the incremental rows; so do the rows of a full
    recompute that words every region at once."""
    store(cycle, compute(cycle))
    assert not Result.objects.filter(submission__cycle=cycle, worded=True).exists()
    assert _snapshot(cycle, words=False) == _numbers_of(incremental)
    for result in Result.objects.filter(submission__cycle=cycle):
        assert worded(result).worded
    assert _snapshot(cycle) == incremental
    store(cycle, compute(cycle), words=True)
    assert _snapshot(cycle) == incremental


NUMBERS = ("code", "leaf", "score", "contribution", "status", "who", "failed")


def _numbers_of(snapshot: dict) -> dict:
    at = [f.name for f in ResultItem._meta.fields if f.name not in ("id", "result")]
    keep = [at.index(f) for f in NUMBERS]
    return {code: (res, sorted((tuple(row[k] for k in keep) for row in rows), key=repr))
            for code, (res, rows) in snapshot.items()}  # fmt: skip


def _snapshot(cycle, *, words: bool = True) -> dict:
    """Every result and row of the cycle, as a reader sees them (a result left unworded is worded first);
    words=False: the numbers alone, as stored."""
    for result in Result.objects.filter(submission__cycle=cycle, worded=False) if words else ():
        worded(result)
    results = {
        r.submission.region.code: (
            r.total,
            r.grade,
            r.grade_before_veto,
            r.rank,
            tuple(r.vetoes),
            r.insufficient,
        )
        for r in Result.objects.filter(submission__cycle=cycle).select_related("submission__region")
    }
    rows: dict[str, list] = {}
    fields = [f.name for f in ResultItem._meta.fields if f.name not in ("id", "result")] if words else NUMBERS
    for item in ResultItem.objects.filter(result__submission__cycle=cycle).select_related(
        "result__submission__region"
    ):
        rows.setdefault(item.result.submission.region.code, []).append(
            tuple(getattr(item, f) for f in fields)
        )
    return {code: (results[code], sorted(rows.get(code, []), key=repr)) for code in results}


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(batches=st.lists(st.lists(change, min_size=1, max_size=4), min_size=1, max_size=4))
def test_incremental_recompute_equals_a_full_recompute(cycle_world, batches):
    world = cycle_world
    with transaction.atomic():
        for batch in batches:
            # one batch is what arrives while a job waits: the changes coalesce into one job
            with TestCase.captureOnCommitCallbacks(execute=True):
                for ch in batch:
                    _apply(world, *ch)
            assert not RecomputeJob.objects.filter(
                cycle=world.cycle, state__in=("queued", "running")
            ).exists()
        assert not RecomputeJob.objects.filter(cycle=world.cycle, full=True).exists()  # none fell back
        incremental = _snapshot(world.cycle)
        _assert_full_recompute_equals(world.cycle, incremental)
        transaction.set_rollback(True)  # the next example starts from the fixture's state


def test_a_change_recomputes_only_its_region_and_moves_the_ranks(
    cycle_world, django_capture_on_commit_callbacks
):
    world = cycle_world
    sub = next(s for s in world.subs if s.editable)
    before = dict(
        Result.objects.filter(submission__cycle=world.cycle).values_list("submission_id", "computed_at")
    )
    manual = [i for i in world.leaves if i.rule_kind == "manual"]
    entries = {i.pk: (str(i.points), "") for i in manual}
    with django_capture_on_commit_callbacks(execute=True):
        services.save_self_scores(sub, world.coordinators[sub.region_id], entries)
    job = RecomputeJob.objects.filter(cycle=world.cycle).first()
    assert job.state == "done" and not job.full and job.regions == [sub.region.code]
    after = dict(
        Result.objects.filter(submission__cycle=world.cycle).values_list("submission_id", "computed_at")
    )
    assert [pk for pk in after if after[pk] != before[pk]] == [sub.pk]  # the others were not rewritten
    incremental = _snapshot(world.cycle)
    _assert_full_recompute_equals(world.cycle, incremental)


def test_requests_coalesce_and_a_full_request_widens_the_waiting_job(cycle_world):
    world = cycle_world
    a, b = world.subs[0].region, world.subs[1].region
    first = schedule_recompute(world.cycle, "甲", region=a)
    assert schedule_recompute(world.cycle, "乙", region=b).pk == first.pk
    assert schedule_recompute(world.cycle, "甲", region=a.code).pk == first.pk
    first.refresh_from_db()
    assert (first.full, first.regions) == (False, [a.code, b.code])
    schedule_recompute(world.cycle, "全部")
    first.refresh_from_db()
    assert (first.full, first.regions) == (True, [])
    assert RecomputeJob.objects.filter(cycle=world.cycle, state="queued").count() == 1
