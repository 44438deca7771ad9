"""The results page's failing-checks chart counts every item row of its scope; it is remembered until
the cycle's results change, and never shared between scopes."""

from __future__ import annotations

from decimal import Decimal

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dutyeval.collection.models import DataElement, DataValue
from dutyeval.evaluation.models import ResultItem
from dutyeval.evaluation.ranking import cycle_results, failing_checks
from dutyeval.evaluation.recompute import compute, store
from dutyeval.regions.models import Region


def _item_queries(ctx) -> int:
    return sum(ResultItem._meta.db_table in q["sql"] for q in ctx.captured_queries)


def test_failing_checks_are_counted_once_until_the_results_change(world):
    cache.clear()
    store(world.cycle, compute(world.cycle))
    results = cycle_results(world.cycle, Region.objects.all())
    first = failing_checks(world.cycle, results)
    assert first and all(f["insufficient"] == 2 for f in first)  # two counties, no figures at all
    with CaptureQueriesContext(connection) as ctx:
        assert failing_checks(world.cycle, results) == first
    assert _item_queries(ctx) == 0  # remembered: the item rows are not counted again

    # new figures for one county: the recompute writes new results, so the chart is counted again
    element = DataElement.objects.get(code="edu_exp_budget")
    county = world.sub.region
    for year in range(2015, 2022):
        DataValue.objects.create(element=element, region=county, year=year, value=Decimal("100"), source="imported")
    store(world.cycle, compute(world.cycle))
    with CaptureQueriesContext(connection) as ctx:
        after = failing_checks(world.cycle, results)
    assert _item_queries(ctx) == 1  # counted again, not served from before
    assert after == _uncached(world, results)


def test_a_narrower_scope_is_counted_for_itself(world):
    cache.clear()
    store(world.cycle, compute(world.cycle))
    everyone = failing_checks(world.cycle, cycle_results(world.cycle, Region.objects.all()))
    one = failing_checks(world.cycle, cycle_results(world.cycle, Region.objects.filter(pk=world.sub.region_id)))
    assert {f["insufficient"] for f in everyone} == {2} and {f["insufficient"] for f in one} == {1}


def _uncached(world, results):
    from dutyeval.evaluation.ranking import _failing_checks

    return _failing_checks(world.cycle, results, 12)


def test_the_results_summary_is_one_query_until_the_results_or_the_ranked_set_change(world):
    from dutyeval.evaluation.models import Result
    from dutyeval.evaluation.ranking import results_summary
    from dutyeval.evaluation.recompute import rerank

    cache.clear()
    store(world.cycle, compute(world.cycle))
    results = cycle_results(world.cycle, Region.objects.all())
    first = results_summary(world.cycle, results)
    assert first["count"] == 2 and first["incomplete"] == 2 and sum(n for _g, n in first["grades"]) == 0
    with CaptureQueriesContext(connection) as ctx:
        assert results_summary(world.cycle, results) == first
    assert len(ctx.captured_queries) == 1  # the version only

    # a review completed: re-ranked without a row written, so the grade counts must follow
    world.sub.state = "accepted"
    world.sub.save(update_fields=["state"])
    rerank(world.cycle)
    after = results_summary(world.cycle, results)
    assert after["incomplete"] == 1 and sum(n for _g, n in after["grades"]) == 1
    grade = Result.objects.get(submission=world.sub).grade
    assert dict(after["grades"])[grade] == 1
