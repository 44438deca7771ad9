"""The two-tier journey in a real browser: the province opens a cycle with a city review stage, the
county gives two items to its 财政局, the 财政局 fills them with evidence, the coordinator submits
with its 文号, the city reviewer forwards with an opinion and a grade, and the province sees it."""

from datetime import date, timedelta

import pytest
from evidence.samples import pdf

from dutyeval.evaluation.models import CityReview, Cycle, Submission
from dutyeval.evidence.models import Evidence
from dutyeval.evidence.services import requires_evidence
from dutyeval.schemes.models import Indicator

pytestmark = pytest.mark.django_db(transaction=True)
NAME = "山西省2027年对县级政府履行教育职责评价"
SHOTS = None  # set to a directory to keep screenshots of each page while developing


def shot(page, name):
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def test_two_tier_cycle_with_departments(world, page, login, live_server, evidence_media, fill_all_self_scores,
                                         persona_password, django_user_model):
    from django.contrib.auth.hashers import make_password

    django_user_model.objects.create(username="jc_review", role="city_reviewer", region=world.zezhou.parent,
                                     password=make_password(persona_password), display_name="晋城市复核 张")
    today = date.today()

    # the province opens a two-tier cycle in the UI
    login("province_admin")
    page.goto(f"{live_server.url}/cycles/new/")
    page.fill("#id_name", NAME)
    page.select_option("#id_scheme", str(world.scheme.pk))
    page.fill("#id_year", "2027")
    page.fill("#id_data_year", "2026")
    for kind, start, end in (("notice", 0, 0), ("self_evaluation", 0, 30), ("city_review", 31, 40),
                             ("online_review", 41, 50)):
        page.fill(f"#id_{kind}_starts", (today + timedelta(days=start)).isoformat())
        page.fill(f"#id_{kind}_ends", (today + timedelta(days=end)).isoformat())
    page.click("#save-cycle")
    page.wait_for_load_state("networkidle")
    shot(page, "1-cycle-form")
    page.once("dialog", lambda d: d.accept())
    page.click("#publish-cycle")
    page.wait_for_load_state("networkidle")
    cycle = Cycle.objects.get(name=NAME)
    assert cycle.state == "published" and cycle.has_city_review
    sub = Submission.objects.get(cycle=cycle, region=world.zezhou)
    manual = [i for i in Indicator.objects.filter(scheme=world.scheme, children__isnull=True, rule_kind="manual")
              .order_by("order") if requires_evidence(i)][:2]

    # the county coordinator gives two items to 县财政局, with an account for it
    login("county_filler")
    page.click(f"a.task-link:has-text('{NAME}')")
    page.click(".tabs a:has-text('责任分工')")
    page.fill("#id_dept_name", "县财政局")
    page.click("#add-department")
    page.wait_for_load_state("networkidle")
    page.fill("#id_acc_user", "zz_czj")
    page.fill("#id_acc_name", "王会计")
    page.fill("#id_acc_pw", persona_password)
    page.click("#create-account")
    page.wait_for_load_state("networkidle")
    assert "已为县财政局开设账号“zz_czj”" in page.inner_text(".messages")
    for ind in manual:
        page.select_option(f"select[name='a-item-{ind.code}']", label="县财政局")
    page.click("#save-assignments")
    page.wait_for_load_state("networkidle")
    assert "责任分工已保存（调整 2 项）" in page.inner_text(".messages")
    row = page.locator("tr.dept-row[data-dept='县财政局']")
    assert "0/2" in row.inner_text()
    shot(page, "2-departments")

    # the 财政局 user sees its two items only, scores them and uploads evidence
    login("zz_czj")
    assert "县财政局分工：指标 0/2" in page.inner_text("#tasks")
    page.click("a.task-link")
    mine = page.inner_text("#mine")
    assert manual[0].title in mine and manual[1].title in mine
    shot(page, "3-department-home")
    page.click(".tabs a:has-text('自评打分')")
    assert page.locator("input[name^=score-]").count() == 2
    for ind in manual:
        page.fill(f"input[name=score-{ind.pk}]", str(ind.points))
        cell = page.locator(f"#evidence-{ind.pk}")
        cell.locator("input[type=file]").set_input_files(
            {"name": f"{ind.code}财政局佐证.pdf", "mimeType": "application/pdf", "buffer": pdf()})
        cell.locator("button.ev-up").click()
        page.wait_for_selector(f"#evidence-{ind.pk} .ev-name")
    page.locator("button.save-area").first.click()
    page.wait_for_load_state("networkidle")
    assert "已保存" in page.inner_text(".messages")
    shot(page, "4-department-scoring")
    assert Evidence.objects.filter(submission=sub, uploaded_by__username="zz_czj").count() == 2
    r = page.request.get(f"{live_server.url}/s/{sub.pk}/scorecard/")
    assert r.status == 404  # the whole submission is not the department's

    # the coordinator completes the rest and submits with its 文号
    login("county_filler")
    page.goto(f"{live_server.url}/s/{sub.pk}/departments/")
    assert "2/2" in page.locator("tr.dept-row[data-dept='县财政局']").inner_text()
    fill_all_self_scores(sub, world.county_filler, cover=False)
    page.goto(f"{live_server.url}/s/{sub.pk}/")
    from django.conf import settings as dj

    letter = __import__("pathlib").Path(dj.MEDIA_ROOT) / "letter.pdf"
    letter.parent.mkdir(parents=True, exist_ok=True)
    letter.write_bytes(pdf())
    page.fill("#id_number", "泽政办函〔2027〕8号")
    page.fill("#id_date", today.isoformat())
    page.fill("#id_issuer", "泽州县人民政府办公室")
    page.fill("#id_approval", "经县人民政府同意")
    page.set_input_files("#id_cover_file", str(letter))
    page.click("#cover-save")
    page.wait_for_load_state("networkidle")
    page.once("dialog", lambda d: d.accept())
    page.click("#submit-btn")
    page.wait_for_load_state("networkidle")
    assert page.inner_text("#state") == "已提交"

    # the city reviewer forwards it with an opinion and a recommended grade
    login("jc_review")
    assert "待复核 1 个" in page.inner_text("#tasks")
    page.goto(f"{live_server.url}/s/{sub.pk}/")
    page.select_option("#id_city_grade", "良好")
    page.fill("#id_city_opinion", "数据与佐证材料一致；教师培训经费占比偏低，建议良好。")
    shot(page, "5-city-review")
    page.click("#city-forward-btn")
    page.wait_for_load_state("networkidle")
    assert page.inner_text("#state") == "市级已复核报送"
    assert CityReview.objects.get(submission=sub).recommended_grade == "良好"

    # the province sees the city's opinion and accepts
    login("province_admin")
    assert "晋城市已复核报送泽州县" in page.inner_text("#notes")
    page.goto(f"{live_server.url}/s/{sub.pk}/")
    assert page.inner_text("#city-grade") == "良好"
    assert "教师培训经费占比偏低" in page.inner_text("#city-opinion")
    shot(page, "6-province-sees-opinion")
    page.locator("form[action$='/accept/'] button").click()
    page.wait_for_load_state("networkidle")
    assert page.inner_text("#state") == "已通过"
