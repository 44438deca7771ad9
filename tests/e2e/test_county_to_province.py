"""The main journey, in a real browser: a county fills and submits, the province returns it."""

import pytest

from dutyeval.collection.models import DataValue

pytestmark = pytest.mark.django_db(transaction=True)


def upload(page, data):
    page.set_input_files("#upload-file", {"name": "泽州县2020.xlsx", "mimeType": "application/octet-stream",
                                           "buffer": data})
    page.click("#upload-btn")
    page.wait_for_load_state("networkidle")


def test_county_uploads_fixes_submits_and_province_returns(world, page, login, tmp_path, fill_template,
                                                            attach_all_evidence):
    login("county_filler")
    assert "填报数据、自评打分并提交自评材料" in page.inner_text("#tasks")  # the home page is the task list
    page.click("a.task-link")
    assert "泽州县" in page.inner_text("h1")

    # download the template from the Excel page and fill it, with one bad row
    page.click(".tabs a:has-text('Excel 导入')")
    with page.expect_download() as dl:
        page.click("#download-template")
    template = tmp_path / "template.xlsx"
    dl.value.save_as(template)
    good = {"enrol_primary": 23800, "enrol_junior": 11200, "edu_exp_budget": "202149.1487",
            "gross_enrol_preschool": 104.5}
    upload(page, fill_template(template, {**good, "retention_compulsory": 109.74}))
    errors = page.inner_text("#import-errors")
    assert "1 处错误" in errors and "九年义务教育巩固率" in errors and "100%" in errors and "义务教育" in errors
    assert DataValue.objects.filter(region=world.zezhou).count() == 0  # nothing written

    # fix it and upload again
    upload(page, fill_template(template, {**good, "retention_compulsory": 98.6}))
    assert "导入成功：写入 5 项数据" in page.inner_text(".messages")
    assert DataValue.objects.filter(region=world.zezhou, year=2020).count() == 5

    # self-score every manual item, then submit
    page.click(".tabs a:has-text('自评打分')")
    for i in range(page.locator("form.card").count()):  # each area is saved on its own
        form = page.locator("form.card").nth(i)
        if form.locator("input[name^=score-]").count() == 0:
            continue
        for box in form.locator("input[name^=score-]").all():
            box.fill("1")
        form.locator("textarea[name^=narrative-]").fill("县委县政府高度重视教育工作。")
        form.locator("button.save-area").click()
        page.wait_for_load_state("networkidle")
        assert "已保存" in page.inner_text(".messages")
    attach_all_evidence(world.sub, world.county_filler)  # 佐证材料; uploading in the page: test_evidence.py
    page.click(".tabs a:has-text('概况')")
    # the report goes up as an official document: 文号 with the wrong brackets is normalised, the PDF kept
    from evidence.samples import pdf

    letter = tmp_path / "报送文件.pdf"
    letter.write_bytes(pdf())
    page.fill("#id_number", "泽政办函[2021]12号")
    page.fill("#id_date", "2021-10-20")
    page.fill("#id_issuer", "泽州县人民政府办公室")
    page.fill("#id_approval", "经县人民政府同意")
    page.set_input_files("#id_cover_file", str(letter))
    page.click("#cover-save")
    page.wait_for_load_state("networkidle")
    assert page.inner_text("#cover-number") == "泽政办函〔2021〕12号"
    page.once("dialog", lambda d: d.accept())
    page.click("#submit-btn")
    page.wait_for_load_state("networkidle")
    assert page.inner_text("#state") == "已提交"
    assert page.locator("#submit-btn").count() == 0  # locked

    # the province administrator sees it submitted and returns it
    login("province_admin")
    assert "待审核 1 个" in page.inner_text("#tasks") and "泽州县已提交自评材料" in page.inner_text("#notes")
    page.click("a.task-link")
    row = page.locator("#submissions tr[data-region='140525']")
    assert "已提交" in row.inner_text()
    row.locator("a:has-text('查看')").click()
    page.fill("#id_reason", "请补充教师培训经费佐证材料")
    page.click("#return-btn")
    page.wait_for_load_state("networkidle")
    assert page.inner_text("#state") == "已退回"

    # the county sees the reason and can edit again
    login("county_filler")
    assert "退回原因：请补充教师培训经费佐证材料" in page.inner_text("#tasks")
    assert "自评材料被退回" in page.inner_text("#notes")
    page.click("a.task-link")
    assert "请补充教师培训经费佐证材料" in page.inner_text(".alert")
    assert page.locator("#submit-btn").count() == 1


def test_login_errors_are_in_chinese(world, page, live_server):
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "county_filler")
    page.fill("#id_password", "wrong-password")
    page.click("button[type=submit]")
    assert "用户名或密码不正确" in page.inner_text(".login")


def test_the_overview_chart_renders_from_local_echarts(world, page, login):
    login("province_admin")
    page.click("a.task-link")
    page.wait_for_function("() => document.querySelector('#state-chart canvas') !== null")
    assert page.evaluate("() => typeof window.echarts") == "object"
