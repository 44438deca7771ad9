"""A full recompute stores every region's numbers and leaves the items' words (rule, explanation,
figures, the check's value and threshold) to the first reader: the scorecard, the review and panel
pages, documents and rectification findings word a region when they first read it, and then show
exactly what a recompute wording every region at once would have stored (the property test in
test_incremental.py proves that over random changes)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from dutyeval.core.scheme import Scheme
from dutyeval.evaluation import recompute
from dutyeval.evaluation.models import Result, ResultItem
from dutyeval.evaluation.ranking import failing_checks
from dutyeval.evaluation.recompute import compute, result_items, store, word, worded
from dutyeval.evaluation.scorecard import build_scorecard


def _rows(cycle) -> dict:
    fields = [f.name for f in ResultItem._meta.fields if f.name not in ("id", "result")]
    return {
        (item.result.submission_id, item.code): tuple(getattr(item, f) for f in fields)
        for item in ResultItem.objects.filter(result__submission__cycle=cycle).select_related("result")
    }


def test_a_full_recompute_stores_numbers_and_the_first_read_words_the_region(cycle_world):
    cycle, sub = cycle_world.cycle, cycle_world.subs[0]
    store(cycle, compute(cycle), words=True)
    eager = _rows(cycle)
    failing = failing_checks(cycle, Result.objects.filter(submission__cycle=cycle))

    store(cycle, compute(cycle))  # as the worker's full recompute does
    assert set(Result.objects.filter(submission__cycle=cycle).values_list("worded", flat=True)) == {False}
    assert not ResultItem.objects.filter(result__submission__cycle=cycle).exclude(explanation="").exists()
    # what pages over many regions read in SQL is all there
    assert failing_checks(cycle, Result.objects.filter(submission__cycle=cycle)) == failing

    card = build_scorecard(sub)  # the scorecard page's first view
    assert card.result.worded and any(row.explanation for row in card.rows if row.is_leaf)
    mine = {key: row for key, row in _rows(cycle).items() if key[0] == sub.pk}
    assert mine == {key: row for key, row in eager.items() if key[0] == sub.pk}
    # the other regions wait for their own readers
    assert Result.objects.filter(submission__cycle=cycle, worded=False).count() == len(cycle_world.subs) - 1


def test_reading_twice_words_once(cycle_world, django_assert_max_num_queries):
    cycle = cycle_world.cycle
    store(cycle, compute(cycle))
    result = Result.objects.get(submission=cycle_world.subs[1])
    first = worded(result)
    assert first.pk != result.pk and first.worded  # the region's result was written again, with words
    with django_assert_max_num_queries(0):
        assert worded(first) is first
    assert all("explanation" in it for it in result_items(first).values())


def test_a_document_over_many_regions_words_them_in_one_pass(cycle_world, monkeypatch):
    cycle = cycle_world.cycle
    store(cycle, compute(cycle))
    calls = []
    real = recompute.compute
    monkeypatch.setattr(recompute, "compute", lambda c, only=None: calls.append(only) or real(c, only))
    assert word(cycle, cycle_world.subs[:4]) == 4
    assert calls == [sorted(s.region.code for s in cycle_world.subs[:4])]
    assert Result.objects.filter(submission__cycle=cycle, worded=False).count() == len(cycle_world.subs) - 4
    assert word(cycle, cycle_world.subs[:4]) == 0 and len(calls) == 1  # nothing left to word there
    assert word(cycle) == len(cycle_world.subs) - 4


def test_one_region_and_a_relatively_scored_scheme_are_worded_when_stored(cycle_world, monkeypatch):
    cycle, code = cycle_world.cycle, cycle_world.subs[2].region.code
    store(cycle, compute(cycle, [code]), only=[code])  # the job for one changed region
    assert Result.objects.get(submission=cycle_world.subs[2]).worded
    # a scheme that scores against the other regions: a region's words need every region's figures
    monkeypatch.setattr(Scheme, "is_relative", lambda self: True)
    store(cycle, compute(cycle))
    assert set(Result.objects.filter(submission__cycle=cycle).values_list("worded", flat=True)) == {True}


@pytest.mark.parametrize("page", ["scorecard", "review"])
def test_pages_word_the_region_they_show(cycle_world, client, page):
    cycle, sub = cycle_world.cycle, cycle_world.subs[0]
    store(cycle, compute(cycle))
    user = cycle_world.coordinators[sub.region_id] if page == "scorecard" else cycle_world.reviewer
    client.force_login(user)
    response = client.get(reverse(page, kwargs={"pk": sub.pk}))
    assert response.status_code == 200
    assert Result.objects.get(submission=sub).worded
    assert "满分" in response.content.decode()  # an explanation: 复核评定…（满分…分）or 自评…（满分…分）


def test_the_worker_words_the_cycle_after_a_full_recompute(
    cycle_world, monkeypatch, django_capture_on_commit_callbacks
):
    cycle = cycle_world.cycle
    calls = []
    real = recompute.word
    monkeypatch.setattr(recompute, "word", lambda c, subs=None: calls.append(len(subs)) or real(c, subs))
    monkeypatch.setattr(recompute, "WORD_BATCH", 4)
    with django_capture_on_commit_callbacks(execute=True):  # the job runs after the commit, inline here
        job = recompute.schedule_recompute(cycle, "测试")  # the whole cycle
    job.refresh_from_db()
    assert job.state == "done"
    # numbers first, then the words a batch at a time: 6 regions in batches of 4 and 2
    assert calls == [4, 2]
    assert set(Result.objects.filter(submission__cycle=cycle).values_list("worded", flat=True)) == {True}
    assert recompute.word_task.call_local(cycle.pk) == 0  # nothing left
