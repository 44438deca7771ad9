"""A satisfaction survey in a real browser: the Zhejiang office uploads the published group means of two
districts (one group under its quota), reads the preview, confirms with a reason, sees the table against
the provincial average and exports it; after 公示 越城区 reads its own results on a phone-sized screen."""

import os
from decimal import Decimal

import pytest
from surveys.conftest import seed_csv, zj  # noqa: F401 (fixture)

from dutyeval.collection.models import DataValue
from dutyeval.release.models import Release
from dutyeval.surveys import services

pytestmark = pytest.mark.django_db(transaction=True)
SHOTS = os.environ.get("DUTYEVAL_SHOTS")  # a directory: keep screenshots of each page while developing


def shot(page, name):
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def test_office_imports_survey_and_region_reads_it_after_release(zj, page, login, live_server,  # noqa: F811
                                                                 persona_password, tmp_path):
    for user in (zj.admin, zj.coordinator):
        user.set_password(persona_password)
        user.save()
    services.update_settings(zj.cycle, zj.admin, scale="10", decimals="3", weights={},
                             quotas={"students": "300", "npc_cppcc": "10"}, weights_note=services.ZHEJIANG_WEIGHTS)
    file = tmp_path / "浙江省满意度调查.csv"
    keqiao = {"学生": "8.812", "教师": "8.655", "家长": "8.390", "社会群众": "8.301", "人大政协": "8.870"}
    file.write_bytes(seed_csv(n=400, extra="\n".join(f"330603,{g},{8 if g == '人大政协' else 350},{m}"
                                                     for g, m in keqiao.items())))
    login("zj_admin")
    page.goto(f"{live_server.url}/cycles/{zj.cycle.pk}/")
    page.click("#surveys-link")
    page.click("#survey-import-link")
    bad = tmp_path / "百分制.csv"
    bad.write_text("区域代码,调查对象,得分\n330602,学生,9\n330602,学生,92\n330699,家长,8\n", encoding="utf-8")
    page.set_input_files("#survey-file", str(bad))
    page.click("#survey-upload")
    page.wait_for_load_state("networkidle")
    errors = page.inner_text("#survey-errors")
    assert "得分 92 超出 0–10 分的量表" in errors and "330699" in errors and page.locator("#survey-confirm").count() == 0
    shot(page, "survey-0-errors")
    page.goto(f"{live_server.url}/surveys/cycles/{zj.cycle.pk}/import/")
    page.set_input_files("#survey-file", str(file))
    page.click("#survey-upload")
    page.wait_for_load_state("networkidle")
    assert page.inner_text("#survey-state") == "待确认" and page.inner_text("#rows-read") == "10"
    assert "样本量不足（1 组）" in page.inner_text("#survey-quota")
    shot(page, "survey-1-preview")
    page.fill("#survey-reason", "柯桥区人大政协代表问卷仅回收8份，经研究接受")
    page.click("#survey-confirm")
    page.wait_for_load_state("networkidle")
    assert "已导入" in page.inner_text(".messages")
    table = page.inner_text("#survey-results")
    # students: (8.996 + 8.812) / 2 = 8.904; 越城区 +0.092
    assert "8.904" in table and "+0.092" in table
    shot(page, "survey-2-results")
    with page.expect_download() as download:
        page.click("#survey-export")
    assert download.value.suggested_filename.endswith(".xlsx")
    assert DataValue.objects.get(region=zj.yuecheng, element__code="satisfaction_students").value == Decimal("8.996")

    Release.objects.create(cycle=zj.cycle, stage="publicity")
    page.set_viewport_size({"width": 390, "height": 844})
    login("zj_yuecheng")
    page.goto(f"{live_server.url}/s/{zj.sub.pk}/")
    page.click("text=满意度调查")
    page.wait_for_load_state("networkidle")
    text = page.inner_text("#survey-region")
    assert "8.996" in text and "+0.092" in text
    # the region sees no other region's figures
    assert "8.812" not in page.content()
    shot(page, "survey-3-region-phone")
