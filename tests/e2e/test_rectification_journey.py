"""A year of rectification in a real browser: the office generates findings from 泽州县's accepted results
and confirms the list; the county plans two tasks (one with a data target: 大班额 → 0), first forgetting the
department; the office approves; 县财政局 reports progress with evidence and asks for closure; the office
closes that task and escalates the overdue one (督办 notice, 约谈 list); the county generates its
rectification report (Word and PDF); in the next year's cycle the carried task is checked against the
new figures and closes as 数据达标, and the new scheme scores last year's promises from the ledger; a
follow-up visit (回头看) drawn with the draws app finds one closure not true and opens the task again."""

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from evidence.samples import pdf
from rectification.schemes import ledger_scheme

from dutyeval.evaluation.models import Cycle, Submission
from dutyeval.rectification import services
from dutyeval.rectification.models import Finding, RectDocument, Task

pytestmark = pytest.mark.django_db(transaction=True)
SHOTS = os.environ.get("DUTYEVAL_SHOTS")  # a directory to keep screenshots of each page


def shot(page, name):
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


FIGURES = {
    2019: {"edu_exp_budget": "141942.4301", "gen_budget_exp": "880000", "enrol_total": "60000"},
    2020: {"edu_exp_budget": "135433.4018", "gen_budget_exp": "900000", "enrol_total": "61000",
           "public_kg_share": "39.58", "classes_compulsory": "800", "classes_large": "12"},
}


def test_a_year_of_rectification(world, page, login, live_server, fill_all_self_scores, record_history,
                                 persona_password, django_user_model, tmp_path, settings):
    from django.contrib.auth.hashers import make_password

    from dutyeval.departments.models import Department
    from dutyeval.evaluation import services as workflow
    from dutyeval.evaluation.recompute import compute, store

    w, url = world, live_server.url
    settings.MEDIA_ROOT = tmp_path / "media"
    today = timezone.localdate()
    for year, raw in FIGURES.items():
        record_history(w.zezhou, year, raw)
    fill_all_self_scores(w.sub, w.county_filler)
    workflow.submit_submission(w.sub, w.county_filler)
    workflow.accept_submission(w.sub, w.province_admin)
    store(w.cycle, compute(w.cycle))
    fin = Department.objects.create(region=w.zezhou, name="县财政局")
    Department.objects.create(region=w.zezhou, name="县教育局")
    django_user_model.objects.create(username="zz_czj", role="department", region=w.zezhou, department=fin,
                                     password=make_password(persona_password), display_name="财政局 王")

    # the office generates the findings from the results, twice (nothing doubles)
    login("province_admin")
    page.goto(f"{url}/cycles/{w.cycle.pk}/")
    page.click("#rectification-link")
    page.click("#generate-findings")
    page.wait_for_load_state("networkidle")
    assert "已生成整改问题" in page.inner_text(".messages")
    n = Finding.objects.filter(cycle=w.cycle, region=w.zezhou).count()
    assert n >= 3
    page.click("#generate-findings")
    page.wait_for_load_state("networkidle")
    assert "已生成整改问题 0 个" in page.inner_text(".messages")
    assert Finding.objects.filter(cycle=w.cycle, region=w.zezhou).count() == n
    # the office keeps two of them (the rest withdrawn as a reviewer of the list would) and confirms
    budget = Finding.objects.get(cycle=w.cycle, region=w.zezhou, key="check:2.1")
    kg = Finding.objects.get(cycle=w.cycle, region=w.zezhou, key="check:3.2")
    for f in Finding.objects.filter(cycle=w.cycle, region=w.zezhou).exclude(pk__in=[budget.pk, kg.pk]):
        services.withdraw_finding(f, w.province_admin)
    Finding.objects.filter(cycle=w.cycle).update(found_on=today - timedelta(days=60))  # found at the feedback
    page.click(f"#by-region tr[data-region='{w.zezhou.code}'] a")
    page.wait_for_load_state("networkidle")
    page.click(f"#finding-{kg.pk} summary")
    page.fill(f"#finding-{kg.pk} textarea[name=text]",
              "公办园在园幼儿占比39.58%，低于50%的要求；义务教育大班额12个，尚未消除。")
    page.click(f"#finding-{kg.pk} button:has-text('保存修改')")
    page.wait_for_load_state("networkidle")
    shot(page, "1-office-findings")
    page.click("#confirm-findings")
    page.wait_for_load_state("networkidle")
    assert "整改问题清单已确认" in page.inner_text(".messages")

    # the county plans two tasks; the first try forgets the responsible department
    login("county_filler")
    page.goto(f"{url}/s/{w.sub.pk}/")
    page.click(".tabs a:has-text('问题整改')")
    page.select_option("#id_finding", str(budget.pk))
    page.fill("#id_measures", "调整预算，2021年一般公共预算教育支出恢复增长，确保两个只增不减。")
    page.fill("#id_deadline", (today + timedelta(days=30)).isoformat())
    page.click("#save-task")
    page.wait_for_load_state("networkidle")
    assert "请选择责任部门" in page.inner_text(".messages")
    assert not Task.objects.exists()
    shot(page, "2-county-plan-error")
    page.select_option("#id_department", label="县财政局")
    page.click("#save-task")
    page.wait_for_load_state("networkidle")
    page.select_option("#id_finding", str(kg.pk))
    page.fill("#id_measures", "新建城东小学和幼儿园各1所，分流超额学生，消除大班额。")
    page.select_option("#id_department", label="县教育局")
    page.fill("#id_deadline", (today - timedelta(days=5)).isoformat())
    page.select_option("#id_target_element", "classes_large")
    page.select_option("#id_target_op", "le")
    page.fill("#id_target_value", "0")
    page.fill("#id_target_by", (today - timedelta(days=5)).isoformat())
    page.click("#save-task")
    page.wait_for_load_state("networkidle")
    assert Task.objects.count() == 2
    shot(page, "3-county-plan")
    page.click("#submit-plan")
    page.wait_for_load_state("networkidle")
    assert "已报送督导办审核" in page.inner_text(".messages")
    budget_task, kg_task = Task.objects.get(finding=budget), Task.objects.get(finding=kg)

    # the office approves; sets a weekly rhythm
    login("province_admin")
    page.goto(f"{url}/s/{w.sub.pk}/rectification/")
    page.click("#approve-plan")
    page.wait_for_load_state("networkidle")
    assert "审核通过" in page.inner_text("#plan-state")
    page.goto(f"{url}/cycles/{w.cycle.pk}/rectification/")
    page.select_option("#id_rhythm", "weekly")
    page.click("#save-rhythm")
    page.wait_for_load_state("networkidle")

    # 县财政局 sees its own task only, reports progress with evidence and asks for closure
    login("zz_czj")
    page.goto(f"{url}/rectification/")
    assert "调整预算" in page.inner_text("#my-tasks") and "新建城东小学" not in page.inner_text("#my-tasks")
    page.click("#my-tasks a:has-text('查看')")
    evidence = tmp_path / "预算调整批复.pdf"
    evidence.write_bytes(pdf())
    page.fill("#id_text", "县政府常务会议研究通过预算调整，教育支出增加8000万元。")
    page.set_input_files("#id_files", str(evidence))
    page.check("#id_asks_closure")
    page.click("#report-progress")
    page.wait_for_load_state("networkidle")
    assert "已申请验收销号" in page.inner_text(".messages")
    assert "周" in page.inner_text("#reports")  # the weekly period
    shot(page, "4-department-progress")

    # the office closes it, and escalates the overdue one with 约谈
    login("province_admin")
    page.goto(f"{url}/rtasks/{budget_task.pk}/")
    page.click("#close-task")
    page.wait_for_load_state("networkidle")
    assert "已验收销号" in page.inner_text(".messages")
    page.goto(f"{url}/cycles/{w.cycle.pk}/rectification/")
    assert "新建城东小学" not in page.inner_text("#overdue")  # the measures are not shown, the problem is
    assert "公办园在园幼儿占比" in page.inner_text("#overdue")
    page.click("#overdue a:has-text('督办')")
    page.check("#id_interview")
    page.click("#escalate")
    page.wait_for_load_state("networkidle")
    assert "已督办并生成督办通知" in page.inner_text(".messages")
    shot(page, "5-task-escalated")
    page.click("#notices a >> nth=0")
    page.wait_for_load_state("networkidle")
    assert "已超过整改时限5天" in page.inner_text("#doc")
    shot(page, "6-notice")
    page.goto(f"{url}/cycles/{w.cycle.pk}/rectification/")
    assert "泽州县" in page.inner_text("#interviews")
    row = page.locator(f"#by-region tr[data-region='{w.zezhou.code}']").inner_text()
    assert "已审核通过" in row
    # progress over time: this month, one task closed on time and one overdue, drawn by ECharts
    page.wait_for_selector("#progress-chart canvas")
    cells = page.locator("#progress-table tr[data-month]").last.locator("td").all_text_contents()
    assert cells == [f"{today.year}-{today.month:02d}", "0", "1", "1", "0"]
    shot(page, "7-dashboard")
    page.set_viewport_size({"width": 390, "height": 844})  # an office on a phone: the chart fits the width
    page.reload()
    page.wait_for_selector("#progress-chart canvas")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "7-dashboard-phone")
    page.set_viewport_size({"width": 1366, "height": 900})

    # the county generates its rectification report, Word and PDF
    login("county_filler")
    page.goto(f"{url}/s/{w.sub.pk}/rectification/")
    page.click("#generate-report")
    page.wait_for_load_state("networkidle")
    doc = RectDocument.objects.get(kind="report")
    page.click(".doc-row a >> nth=0")
    page.wait_for_load_state("networkidle")
    text = page.inner_text("#doc")
    assert "一、整改工作落实情况" in text and "（一）关于一般公共预算教育支出未实现逐年只增不减的问题。" in text
    assert "二、下一步工作打算" in text
    shot(page, "8-report")
    with page.expect_download() as dl:
        page.click("#docx-link")
    assert dl.value.suggested_filename.endswith(".docx")
    if doc.pdf_path:
        with page.expect_download() as dl:
            page.click("#pdf-link")
        target = Path(SHOTS or tmp_path) / "rectification-report.pdf"
        dl.value.save_as(target)
        assert target.read_bytes()[:4] == b"%PDF"

    # next year: a new cycle of the same office; the carried task is checked against 2021's figures
    # (its scheme scores the ledger: 12.1 half the points off per overdue task, 12.2 the share closed on time)
    nxt = Cycle.objects.create(name="山西省2022年评价", scheme=ledger_scheme(tmp_path), year=2022, data_year=2021,
                               root=w.shanxi)
    Submission.objects.create(cycle=nxt, region=w.zezhou)
    record_history(w.zezhou, 2021, {"classes_compulsory": "790", "classes_large": "0"})
    login("province_admin")
    page.goto(f"{url}/cycles/{nxt.pk}/rectification/")
    carried = page.inner_text("#carried")
    assert "公办园在园幼儿占比" in carried and "一般公共预算教育支出" not in carried  # closed tasks stay behind
    page.click("#check-carried")
    page.wait_for_load_state("networkidle")
    assert "达标销号 1 项" in page.inner_text(".messages")
    assert "数据达标" in page.inner_text(f"#carried tr[data-task='{kg_task.pk}']")
    shot(page, "9-next-cycle")
    kg_task.refresh_from_db()
    assert (kg_task.state, kg_task.closure, kg_task.checked_year) == ("closed", "data", 2021)
    page.click(f"#carried tr[data-task='{kg_task.pk}'] a")
    page.wait_for_load_state("networkidle")
    history = page.inner_text("#history")
    for label in ("保存整改任务", "整改任务开始执行", "督办整改任务", "按新年度数据核验整改任务"):
        assert label in history
    shot(page, "10-task-history")

    # the new cycle scores last year's promises: 2 tasks, the budget one closed on time, the 大班额 one
    # closed by the data check after its deadline (overdue) → 12.2 = 3 × 1/2, 12.1 = 3 × (1 − 0.5 × 1)
    store(nxt, compute(nxt))
    page.goto(f"{url}/s/{Submission.objects.get(cycle=nxt, region=w.zezhou).pk}/scorecard/")
    on_time = page.locator("#scorecard tr[data-code='12.2']").inner_text()
    overdue = page.locator("#scorecard tr[data-code='12.1']").inner_text()
    assert "1.50" in on_time and "1.50" in overdue
    shot(page, "11-next-cycle-scorecard")

    # 回头看: the office draws the regions to revisit (the draws app's page: publish, inputs, draw) and finds
    # the budget task's closure not true on site: the task opens again
    from dutyeval.draws import services as draws

    page.goto(f"{url}/cycles/{w.cycle.pk}/rectification/")
    page.click("#followup-draw")
    page.wait_for_load_state("networkidle")
    assert "整改回头看抽签" in page.inner_text("h1")
    fu = w.cycle.followup_draws.get()
    draws.publish_draw(fu.draw, w.province_admin)
    draws.add_public_input(fu.draw, w.province_admin, "07 21 33", "纪检组 张")
    draws.make_draw(fu.draw, w.province_admin)
    page.goto(f"{url}/cycles/{w.cycle.pk}/rectification/")
    page.click(f"#followups tr[data-task='{budget_task.pk}'] a")
    page.wait_for_load_state("networkidle")
    page.check("#id_verdict_false")
    page.fill("#id_followup_note", "现场核查：追加的8000万元中3000万元尚未拨付到位。")
    page.set_input_files("#id_followup_file", str(evidence))
    page.click("#record-followup")
    page.wait_for_load_state("networkidle")
    assert "整改任务已重新打开" in page.inner_text(".messages")
    assert "尚未拨付到位" in page.inner_text("#followup-checks")
    shot(page, "12-followup-check")
    budget_task.refresh_from_db()
    assert budget_task.state == "open"

    # the reopening requested next year's recompute of 泽州县 by itself (no store() here): now 0 of the 2
    # tasks closed on time → 12.2 = 3 × 0/2; still 1 overdue (the 大班额 one, closed late) → 12.1 = 1.50
    from dutyeval.evaluation.models import RecomputeJob

    job = RecomputeJob.objects.get(cycle=nxt, reason__contains="回头看不属实")
    assert (job.state, job.regions) == ("done", [w.zezhou.code])
    page.goto(f"{url}/s/{Submission.objects.get(cycle=nxt, region=w.zezhou).pk}/scorecard/")
    on_time = page.locator("#scorecard tr[data-code='12.2']").inner_text()
    assert "0.00" in on_time and "1.50" not in on_time
    assert "1.50" in page.locator("#scorecard tr[data-code='12.1']").inner_text()

    # the follow-up as a field-verification visit: a fieldwork team (leader: the reviewer), put on the
    # drawn region's itinerary from the dashboard with a checklist of one task; the leader records on site
    from dutyeval.fieldwork import services as fieldwork
    from dutyeval.fieldwork.models import Visit

    team = fieldwork.create_team(w.cycle, w.province_admin, "回头看第一组")
    fieldwork.add_member(team, w.province_admin, w.reviewer, "leader")
    page.goto(f"{url}/cycles/{w.cycle.pk}/rectification/")
    page.click("#followups details summary")
    form = page.locator(".followup-visit-form")
    form.locator("select[name=region]").select_option(w.zezhou.code)
    form.locator("select[name=team]").select_option(str(team.pk))
    form.locator("input[name=starts]").fill(today.isoformat())
    form.locator("input[name=ends]").fill(today.isoformat())
    form.locator(f"input[name=tasks][value='{kg_task.pk}']").check()
    shot(page, "13-followup-visit-form")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert "已安排泽州县整改回头看：回头看第一组，核查清单1项。" in page.inner_text(".messages")
    visit = Visit.objects.get(team=team)
    assert visit.draw_id == fu.draw_id
    login("reviewer")
    page.goto(f"{url}/fieldwork/teams/{team.pk}/")
    page.click(".followup-link")
    page.wait_for_load_state("networkidle")
    item = page.locator(f".followup-item[data-task='{kg_task.pk}']")
    item.locator("input[name=verdict][value=true]").check()
    item.locator("textarea[name=note]").fill("现场查看：城东小学已投入使用，各班均不超过45人，大班额已消除。")
    item.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert "回头看核查已记录为属实" in page.inner_text(".messages")
    assert "大班额已消除" in page.inner_text(f".followup-item[data-task='{kg_task.pk}'] .result")
    shot(page, "13-followup-visit")
    page.set_viewport_size({"width": 390, "height": 844})  # the team fills it on a phone
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "13-followup-visit-phone")
