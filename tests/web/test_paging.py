"""Lists of regions come a page at a time; the counts and charts above them still cover every region."""

import re

import pytest

from dutyeval.evaluation.models import Submission
from dutyeval.evaluation.ranking import cycle_results, failing_checks, grade_counts
from dutyeval.evaluation.recompute import compute, store
from dutyeval.regions.models import Region


@pytest.fixture
def province_cycle(world):
    """Every county of Shanxi evaluated (more than two pages)."""
    taken = set(Submission.objects.filter(cycle=world.cycle).values_list("region_id", flat=True))
    counties = Region.objects.filter(code__startswith="14", level="county").exclude(pk__in=taken)
    Submission.objects.bulk_create([Submission(cycle=world.cycle, region=r) for r in counties])
    world.n = Submission.objects.filter(cycle=world.cycle).count()
    assert world.n > 100
    return world


def _rows(html: str, table: str) -> int:
    body = html.split(f'id="{table}"', 1)[1].split("</table>", 1)[0]
    return body.count("<tr") - 1  # the header row


def test_the_overview_shows_fifty_regions_a_page_and_counts_them_all(province_cycle, client_as):
    w = province_cycle
    c = client_as(w.province_admin)
    html = c.get(f"/cycles/{w.cycle.pk}/").content.decode()
    assert _rows(html, "submissions") == 50 and f"共 {w.n} 个" in html
    assert re.search(
        rf'<div class="n">{w.n}</div><div class="l">被评价', html
    )  # the totals count every region
    last = -(-w.n // 50)
    html = c.get(f"/cycles/{w.cycle.pk}/?page={last}&sort=-region").content.decode()
    assert _rows(html, "submissions") == w.n - 50 * (last - 1)
    assert (
        f"第 {last} / {last} 页" in html
        and "sort=-region" in html.split('id="page-label"')[0].rsplit("<nav", 1)[1]
    )
    assert (
        _rows(c.get(f"/cycles/{w.cycle.pk}/?page=999").content.decode(), "submissions") > 0
    )  # the last page


def test_results_are_paged_and_their_charts_count_in_sql(
    province_cycle, client_as, django_assert_max_num_queries
):
    w = province_cycle
    store(w.cycle, compute(w.cycle))
    c = client_as(w.province_admin)
    with django_assert_max_num_queries(40):  # no query per region
        html = c.get(f"/cycles/{w.cycle.pk}/results/").content.decode()
    assert _rows(html, "ranking") == 50
    results = cycle_results(w.cycle, Region.objects.all())
    assert sum(n for _name, n in grade_counts(results, w.cycle.scheme.grade_bands)) == w.n
    failing = failing_checks(w.cycle, results)
    assert failing and all(f["fail"] + f["insufficient"] <= w.n for f in failing)
    assert failing[0]["insufficient"] == w.n  # no figures stored: every automatic item lacks data everywhere
