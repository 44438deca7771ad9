from decimal import Decimal

from django.urls import reverse
from openpyxl import load_workbook

from dutyeval.collection.models import DataValue, ImportAttempt
from dutyeval.collection.services import import_excel


def test_the_area_form_saves_all_or_nothing(world, client_as):
    c = client_as(world.county_filler)
    url = reverse("data-area", args=[world.sub.pk, "compulsory"])
    r = c.post(url, {"enrol_primary": "23800", "retention_compulsory": "109.74"})
    assert r.status_code == 200 and "不能超过100%" in r.content.decode()
    assert not DataValue.objects.filter(region=world.zezhou).exists()
    r = c.post(url, {"enrol_primary": "23800", "retention_compulsory": "98.6"})
    assert r.status_code == 302
    assert DataValue.objects.get(region=world.zezhou, element__code="retention_compulsory").value == Decimal("98.6")


def test_the_area_form_shows_last_years_value(world, client_as, record_history):
    record_history(world.zezhou, 2019, {"enrol_primary": 22222})
    body = client_as(world.county_filler).get(reverse("data-area", args=[world.sub.pk, "compulsory"])).content.decode()
    assert "22222" in body and "2019年数值（参考）" in body


def test_the_error_list_downloads_as_excel(world, client_as, tmp_path):
    attempt = import_excel(world.zezhou, 2020, b"junk", "x.xlsx", user=world.county_filler, max_bytes=10**6)
    c = client_as(world.county_filler)
    r = c.get(reverse("import-errors", args=[attempt.pk]))
    assert r.status_code == 200
    path = tmp_path / "e.xlsx"
    path.write_bytes(r.content)
    ws = load_workbook(path).active
    assert [c.value for c in ws[1]][:3] == ["工作表", "行号", "数据项代码"] and "Excel" in ws["F2"].value
    assert client_as(world.other_filler).get(reverse("import-errors", args=[attempt.pk])).status_code == 404
    assert ImportAttempt.objects.count() == 1


def test_the_overview_sorts_and_filters(world, client_as):
    c = client_as(world.province_admin)
    url = reverse("cycle", args=[world.cycle.pk])
    body = c.get(url + "?sort=-region").content.decode()
    assert body.index("阳城县") > body.index("泽州县")
    body = c.get(url + "?state=submitted").content.decode()
    assert "没有符合条件" in body


def test_a_submitted_form_is_read_only(world, client_as, fill_all_self_scores):
    from dutyeval.evaluation.services import submit_submission

    fill_all_self_scores(world.sub, world.county_filler)
    submit_submission(world.sub, world.county_filler)
    c = client_as(world.county_filler)
    r = c.post(reverse("data-area", args=[world.sub.pk, "compulsory"]), {"enrol_primary": "1"}, follow=True)
    assert "退回前不能修改" in r.content.decode()
    assert not DataValue.objects.filter(region=world.zezhou).exists()


def test_the_scorecard_lists_every_item(world, client_as):
    body = client_as(world.county_filler).get(reverse("scorecard", args=[world.sub.pk])).content.decode()
    assert "两个只增不减" in body or "只增不减" in body
