"""The survey pages: the office uploads, previews and confirms; the region sees its results only after
release; the export carries the table shown."""

from __future__ import annotations

import io
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from dutyeval.collection.models import DataValue
from dutyeval.surveys import services
from dutyeval.surveys.models import SurveyImport

from .conftest import seed_csv, xlsx


def _upload(client, zj, data: bytes, name: str):
    return client.post(reverse("surveys:import", args=[zj.cycle.pk]), {"file": SimpleUploadedFile(name, data)})


def test_office_uploads_previews_and_confirms(client, zj):
    client.force_login(zj.admin)
    page = client.get(reverse("cycle", args=[zj.cycle.pk])).content.decode()
    assert reverse("surveys:cycle", args=[zj.cycle.pk]) in page  # linked from the cycle page
    rows = [["区域代码", "调查对象", "样本量", "平均分"]] + [["330602", g, 400, float(m)] for g, m in
                                                     {"学生": "8.996", "家长": "8.174"}.items()]
    resp = _upload(client, zj, xlsx(rows), "结果.xlsx")
    survey = SurveyImport.objects.get()
    assert resp.status_code == 302 and resp["Location"] == reverse("surveys:preview", args=[survey.pk])
    html = client.get(resp["Location"]).content.decode()
    assert "8.996" in html and "8.174" in html and "确认导入" in html
    assert not DataValue.objects.filter(region=zj.yuecheng).exists()
    resp = client.post(reverse("surveys:confirm", args=[survey.pk]))
    assert resp.status_code == 302
    assert DataValue.objects.get(region=zj.yuecheng, element__code="satisfaction_parents").value == Decimal("8.174")
    html = client.get(reverse("surveys:cycle", args=[zj.cycle.pk])).content.decode()
    assert "越城区" in html and "8.996" in html and "结果.xlsx" in html


def test_preview_of_a_bad_file_lists_rows_and_offers_no_confirm(client, zj):
    client.force_login(zj.admin)
    resp = _upload(client, zj, "区域代码,调查对象,得分\n330602,学生,11\n".encode(), "坏.csv")
    html = client.get(resp["Location"]).content.decode()
    assert "得分 11 超出 0–10 分的量表" in html and "survey-confirm" not in html
    # a confirm posted anyway is refused with the reason, nothing written
    resp = client.post(reverse("surveys:confirm", args=[SurveyImport.objects.get().pk]), follow=True)
    assert "不能确认" in resp.content.decode()
    assert not DataValue.objects.filter(region=zj.yuecheng).exists()


def test_under_quota_preview_asks_for_a_reason(client, zj):
    services.update_settings(zj.cycle, zj.admin, scale="10", decimals="3", weights={}, quotas={"students": "300"},
                             weights_note="")
    client.force_login(zj.admin)
    resp = _upload(client, zj, "区域代码,调查对象,样本量,平均分\n330602,学生,12,9\n".encode(), "q.csv")
    html = client.get(resp["Location"]).content.decode()
    assert "样本量不足（1 组）" in html and 'name="reason"' in html
    resp = client.post(reverse("surveys:confirm", args=[SurveyImport.objects.get().pk]), follow=True)
    assert "须填写理由" in resp.content.decode()
    assert SurveyImport.objects.get().state == "preview"


def test_settings_page_saves_scale_weights_and_quotas(client, zj):
    client.force_login(zj.admin)
    resp = client.post(reverse("surveys:settings", args=[zj.cycle.pk]),
                       {"scale": "10", "decimals": "3", "weight_parents": "2", "quota_students": "300",
                        "weights_note": "家长权重加倍（示例）"})
    assert resp.status_code == 302
    setting = services.setting_for(zj.cycle)
    assert setting.weights == {"parents": "2"} and setting.quotas == {"students": 300}


def test_region_sees_its_results_only_after_release(client, zj):
    other = "\n".join(f"330603,{g},400,8" for g in ("学生", "教师", "家长", "社会群众", "人大政协"))
    services.confirm_import(services.read_import(zj.cycle, zj.admin, seed_csv(extra=other), "s.csv"), zj.admin)
    client.force_login(zj.coordinator)
    url = reverse("surveys:region", args=[zj.sub.pk])
    html = client.get(url).content.decode()
    assert "公示后可查看" in html and "8.996" not in html
    assert client.get(reverse("surveys:region", args=[zj.other_sub.pk])).status_code == 404
    assert client.get(reverse("surveys:cycle", args=[zj.cycle.pk])).status_code == 404
    assert client.get(reverse("surveys:export", args=[zj.cycle.pk])).status_code == 404
    from dutyeval.release.models import Release

    Release.objects.create(cycle=zj.cycle, stage="publicity")
    html = client.get(url).content.decode()
    # students 8.996 vs the mean of 8.996 and 8 = 8.498: +0.498
    assert "8.996" in html and "8.498" in html and "+0.498" in html
    assert "8.718" in html  # overall, equal weights


def test_export_has_the_table_with_differences(client, zj):
    other = "\n".join(f"330603,{g},400,8" for g in ("学生", "教师", "家长", "社会群众", "人大政协"))
    services.confirm_import(services.read_import(zj.cycle, zj.admin, seed_csv(extra=other), "s.csv"), zj.admin)
    client.force_login(zj.admin)
    resp = client.get(reverse("surveys:export", args=[zj.cycle.pk]))
    assert resp.status_code == 200
    ws = load_workbook(io.BytesIO(resp.content)).active
    rows = [[Decimal(str(c.value)) if isinstance(c.value, float) else c.value for c in row]
            for row in ws.iter_rows(min_row=3)]
    header, yc, kq, prov = rows[0], rows[1], rows[2], rows[3]
    assert header[:3] == ["区域代码", "区域", "学生（平均分）"] and header[7] == "总平均（平均分）"
    assert header[8] == "学生（与省均差）"
    assert yc[:3] == ["330602", "越城区", Decimal("8.996")] and yc[7] == Decimal("8.718")
    assert yc[8] == Decimal("0.498") and kq[8] == Decimal("-0.498")
    # overall: 越城区 8.718, 柯桥区 8.000 → province 8.359
    assert prov[1] == "全省（各地区平均）" and prov[2] == Decimal("8.498") and prov[7] == Decimal("8.359")


def test_other_offices_and_reviewers_cannot_import(client, zj, world):
    for user in (world.province_admin, world.reviewer, zj.coordinator):
        client.force_login(user)
        assert client.get(reverse("surveys:import", args=[zj.cycle.pk])).status_code == 404
        assert _upload(client, zj, seed_csv(), "s.csv").status_code == 404
    assert not SurveyImport.objects.exists()
