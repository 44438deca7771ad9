"""Parallel requests on the embedded default and on PostgreSQL: no 500s, one recompute per cycle.

Found in review: 20 parallel submits gave 8×500 "database is locked" on SQLite; 20 parallel
recomputes created 14 jobs of which 10 failed.
"""

import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from dutyeval.evaluation.models import RecomputeJob, Result, Submission
from dutyeval.evaluation.recompute import schedule_recompute
from dutyeval.regions.models import Region

N = 20


def _in_parallel(calls):
    """Run each call in its own thread (own database connection), all released at once."""
    barrier = threading.Barrier(len(calls))
    out: list = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait()
            out[i] = call()
        except Exception as exc:  # a crash is a result too: the assertions name it
            out[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return out


def _poster(user, url, data=None):
    client = Client()
    client.force_login(user)
    return lambda: client.post(url, data or {}).status_code


@pytest.mark.django_db(transaction=True)
def test_twenty_parallel_submits_all_succeed_without_errors(world, fill_all_self_scores, django_user_model):
    counties = list(Region.objects.filter(code__startswith="14", level="county").exclude(code="140525")[: N - 1])
    pairs = [(world.county_filler, world.sub)]
    for county in counties:
        user = django_user_model.objects.create(username=f"c{county.code}", role="county_coordinator", region=county)
        sub = Submission.objects.create(cycle=world.cycle, region=county)
        fill_all_self_scores(sub, user)
        pairs.append((user, sub))
    fill_all_self_scores(world.sub, world.county_filler)
    codes = _in_parallel([_poster(u, reverse("submission-submit", args=[s.pk])) for u, s in pairs])
    assert codes == [302] * N, codes
    assert Submission.objects.filter(pk__in=[s.pk for _, s in pairs], state="submitted").count() == N


@pytest.mark.django_db(transaction=True)
def test_twenty_parallel_submits_of_one_submission_submit_it_once(world, fill_all_self_scores):
    from dutyeval.audit.models import AuditLog

    fill_all_self_scores(world.sub, world.county_filler)
    codes = _in_parallel([_poster(world.county_filler, reverse("submission-submit", args=[world.sub.pk]))] * N)
    assert codes == [302] * N, codes  # refused ones come back to the page with a message
    assert AuditLog.objects.filter(action="evaluation.submission.submit").count() == 1


@pytest.mark.django_db(transaction=True)
def test_twenty_parallel_recomputes_coalesce_and_none_fails(world):
    codes = _in_parallel([_poster(world.province_admin, reverse("cycle-recompute", args=[world.cycle.pk]))] * N)
    assert codes == [302] * N, codes
    jobs = RecomputeJob.objects.filter(cycle=world.cycle)
    assert not jobs.filter(state="failed").exists()
    assert not jobs.filter(state__in=["queued", "running"]).exists()  # every request's job ran
    assert 1 <= jobs.count() <= N // 2, jobs.count()  # requests that met a waiting job joined it
    assert Result.objects.filter(submission__cycle=world.cycle).count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_change_during_a_run_is_computed_by_the_running_job_after_it(world, monkeypatch):
    from dutyeval.evaluation import recompute

    real_run, seen = recompute._run, []

    def run_while_a_county_saves(job_id):
        seen.append(job_id)
        if len(seen) == 1:  # a save arrives mid-run: its job waits, its own task finds the cycle busy
            later = schedule_recompute(world.cycle, "mid-run save")
            later.refresh_from_db()
            assert later.state == "queued"
            assert schedule_recompute(world.cycle, "another save").pk == later.pk  # coalesced
        real_run(job_id)

    monkeypatch.setattr(recompute, "_run", run_while_a_county_saves)
    first = schedule_recompute(world.cycle, "first")
    assert len(seen) == 2 and seen[0] == first.pk
    assert list(RecomputeJob.objects.filter(cycle=world.cycle).values_list("state", flat=True)) == ["done", "done"]


@pytest.mark.django_db(transaction=True)
def test_a_job_left_running_by_a_dead_worker_does_not_block_the_cycle_forever(world):
    from datetime import timedelta

    from django.utils import timezone

    dead = RecomputeJob.objects.create(cycle=world.cycle, state="running",
                                       started=timezone.now() - timedelta(hours=1))
    job = schedule_recompute(world.cycle, "after a crash")
    job.refresh_from_db()
    dead.refresh_from_db()
    assert job.state == "done" and dead.state == "failed" and "中断" in dead.message
