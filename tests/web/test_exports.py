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


def test_balance_export_lists_the_coefficients_and_every_school(world, client_as):
    from dutyeval.regions.models import School, SchoolYearRecord

    for code, students, teachers in (("S1", 100, 5), ("S2", 300, 15)):  # 5 per 100 pupils in both: CV 0
        school = School.objects.create(code=code, name=f"{code}小学", county=world.zezhou, type="primary")
        SchoolYearRecord.objects.create(school=school, year=world.cycle.data_year, level="primary", students=students,
                                        teachers_above_degree=teachers)
    rows = list(_sheet(client_as(world.province_admin).get(reverse("balance-xlsx", args=[world.sub.pk])))
                .iter_rows(min_row=4, values_only=True))
    teachers_row = next(r for r in rows if str(r[1]).startswith("每百名学生拥有高于规定学历教师数"))
    assert teachers_row[0] == "小学" and teachers_row[4] == 0
    schools = {r[1]: r for r in rows if r[1] in ("S1", "S2")}
    assert schools["S1"][2] == "S1小学" and schools["S2"][3] == 300 and schools["S1"][4] == 5
    assert client_as(world.county_filler).get(reverse("balance-xlsx", args=[world.sub.pk])).status_code == 200
    assert client_as(world.other_filler).get(reverse("balance-xlsx", args=[world.sub.pk])).status_code == 404
