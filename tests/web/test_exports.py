"""Tables export to Excel with the page's own scope and withholding (#11 item 5)."""

import io

from django.urls import reverse
from openpyxl import load_workbook

from dutyeval.evaluation import services as workflow
from dutyeval.evaluation.recompute import compute, store
from dutyeval.schemes.models import Indicator


def _sheet(response):
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    return load_workbook(io.BytesIO(response.content)).active


def test_overview_export_lists_the_regions_in_scope(world, client_as):
    rows = list(_sheet(client_as(world.province_admin).get(reverse("cycle-xlsx", args=[world.cycle.pk])))
                .iter_rows(min_row=4, values_only=True))
    assert {r[0] for r in rows} == {"140525", "140522"} and rows[0][3] == "填报中"
    assert client_as(world.county_filler).get(reverse("cycle-xlsx", args=[world.cycle.pk])).status_code == 404
    assert client_as(world.outsider).get(reverse("cycle-xlsx", args=[world.cycle.pk])).status_code == 404


def test_scorecard_export_withholds_the_review_before_publicity(world, client_as, fill_all_self_scores):
    fill_all_self_scores(world.sub, world.county_filler)
    workflow.submit_submission(world.sub, world.county_filler)
    item = Indicator.objects.filter(scheme=world.scheme, children__isnull=True, rule_kind="manual").order_by("order")[0]
    workflow.save_review_scores(world.sub, world.reviewer, {item.pk: ("1", "不全", "")})
    store(world.cycle, compute(world.cycle))
    url = reverse("scorecard-xlsx", args=[world.sub.pk])
    county = {r[0]: r for r in _sheet(client_as(world.county_filler).get(url)).iter_rows(min_row=4, values_only=True)}
    office = {r[0]: r for r in _sheet(client_as(world.province_admin).get(url)).iter_rows(min_row=4, values_only=True)}
    assert county[item.code][4] is None and county[item.code][5] is None  # no reviewer score, no final score
    assert office[item.code][4] == 1 and office[item.code][5] == 1
    assert client_as(world.other_filler).get(url).status_code == 404
