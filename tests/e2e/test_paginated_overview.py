"""In a real browser: a province's overview of all its counties comes fifty at a time; the pager keeps the
filter, and the totals above always count every county."""

import pytest

from dutyeval.evaluation.models import Submission
from dutyeval.regions.models import Region

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_province_pages_through_its_counties_with_a_filter(world, page, login, live_server):
    taken = set(Submission.objects.filter(cycle=world.cycle).values_list("region_id", flat=True))
    counties = Region.objects.filter(code__startswith="14", level="county").exclude(pk__in=taken)
    Submission.objects.bulk_create([Submission(cycle=world.cycle, region=r) for r in counties])
    Submission.objects.filter(cycle=world.cycle, region__code__startswith="1401").update(state="submitted")
    total = Submission.objects.filter(cycle=world.cycle).count()
    submitted = Submission.objects.filter(cycle=world.cycle, state="submitted").count()
    assert total > 100 and 0 < submitted <= 50

    login("province_admin")
    page.goto(f"{live_server.url}/cycles/{world.cycle.pk}/")
    rows = page.locator("#submissions tr[data-region]")
    assert rows.count() == 50
    pages = -(-total // 50)
    assert page.inner_text("#page-label") == f"第 1 / {pages} 页，共 {total} 个"
    first = rows.first.get_attribute("data-region")

    page.click(".pager a[rel=next]")
    assert page.inner_text("#page-label").startswith(f"第 2 / {pages} 页")
    assert rows.first.get_attribute("data-region") > first  # the next fifty, in code order
    page.click(".pager a:has-text('末页')")
    assert rows.count() == total - 50 * (pages - 1)
    assert page.locator(".stat .n").first.inner_text() == str(total)  # the totals count every county

    # a filter narrows the list to one page: no pager, and the count says so
    page.select_option("select[name=state]", "submitted")
    page.click("form.toolbar button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert rows.count() == submitted and page.locator(".pager").count() == 0
    assert f"共 {submitted} 个" in page.inner_text("form.toolbar")
