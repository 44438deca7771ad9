"""An office opens a cycle in the UI: scheme, years per kind of data, regions, calendar, publish; late rules."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from dutyeval.audit.models import AuditLog
from dutyeval.collection.models import DataValue
from dutyeval.collection.services import YearClosed, save_values
from dutyeval.evaluation import cycles
from dutyeval.evaluation import services as workflow
from dutyeval.evaluation.models import Cycle, Submission
from dutyeval.regions.models import Region


def _form(world, **over):
    today = date.today()
    data = {
        "name": "山西省2027年对县级政府履行教育职责评价",
        "scheme": world.scheme.pk, "year": 2027, "data_year": 2026, "level": "county", "late_policy": "ask",
        "area_finance": "-1", "area_preschool": "0", "area_compulsory": "0", "area_senior": "0",
        "area_teachers": "0", "area_satisfaction": "0",
        "notice_starts": today, "notice_ends": today,
        "self_evaluation_starts": today, "self_evaluation_ends": today + timedelta(days=30),
        "online_review_starts": today + timedelta(days=31), "online_review_ends": today + timedelta(days=45),
        "excluded": ["140522", "140525"],
    }
    data.update(over)
    return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in data.items()}


def test_the_province_office_opens_and_publishes_a_cycle_without_the_admin(world, client_as):
    c = client_as(world.province_admin)
    assert "新建评价周期" in c.get(reverse("cycle-list")).content.decode()
    r = c.post(reverse("cycle-new"), _form(world))
    assert r.status_code == 302, r.content.decode()[:2000]
    cycle = Cycle.objects.get(year=2027)
    assert cycle.state == "draft" and cycle.root == world.shanxi and cycle.created_by == world.province_admin
    # finance figures are of the year before the school-year figures
    assert cycle.year_of("edu_exp_budget") == 2025 and cycle.year_of("enrol_primary") == 2026
    assert cycle.years_collected() == [2025, 2026]
    assert timezone.localtime(cycle.deadline).strftime("%Y-%m-%d %H:%M") == \
        (date.today() + timedelta(days=30)).strftime("%Y-%m-%d 23:59")
    assert not Submission.objects.filter(cycle=cycle).exists()  # a draft creates no tasks
    page = c.get(reverse("cycle-edit", args=[cycle.pk])).content.decode()
    counties = Region.objects.filter(code__startswith="14", level="county").count()
    assert f'id="region-count">{counties - 2}<' in page
    r = c.post(reverse("cycle-publish", args=[cycle.pk]))
    assert r.status_code == 302
    cycle.refresh_from_db()
    assert cycle.state == "published" and cycle.published_at is not None
    codes = set(Submission.objects.filter(cycle=cycle).values_list("region__code", flat=True))
    assert len(codes) == counties - 2 and "140525" not in codes and "140522" not in codes
    assert AuditLog.objects.filter(action="evaluation.cycle.publish", data__regions=counties - 2).exists()
    # a published cycle's settings are closed
    r = c.post(reverse("cycle-edit", args=[cycle.pk]), _form(world, name="改名"), follow=True)
    assert "已发布" in r.content.decode()
    cycle.refresh_from_db()
    assert cycle.name.startswith("山西省2027年")
    listing = c.get(reverse("cycle-list")).content.decode()
    assert "山西省2027年对县级政府履行教育职责评价" in listing and "已发布" in listing


@pytest.mark.parametrize("over, field_message", [
    ({"self_evaluation_ends": date.today() - timedelta(days=1)}, "截止日期早于开始日期"),
    ({"data_year": 2028}, "数据年度不能晚于评价年度"),
    ({"self_evaluation_starts": "", "self_evaluation_ends": ""}, "这个字段是必填项"),
    ({"online_review_ends": ""}, "须同时填写开始和截止日期"),
    ({"level": "city"}, "与被评价层级“设区市”不一致"),
    ({"year": "二〇二七"}, "输入整数"),
    ({"self_evaluation_ends": "2027-02-30"}, "有效的日期"),
])
def test_bad_input_is_refused_next_to_its_field_and_nothing_is_saved(world, client_as, over, field_message):
    c = client_as(world.province_admin)
    r = c.post(reverse("cycle-new"), _form(world, **over))
    body = r.content.decode()
    assert r.status_code == 200 and field_message in body
    assert 'value="山西省2027年对县级政府履行教育职责评价"' in body  # what was typed is kept
    assert not Cycle.objects.filter(year=2027).exists()


def test_excluding_every_region_is_refused(world, client_as):
    codes = list(Region.objects.filter(code__startswith="14", level="county").values_list("code", flat=True))
    r = client_as(world.province_admin).post(reverse("cycle-new"), _form(world, excluded=codes))
    assert "排除后没有被评价的区域" in r.content.decode()


def test_only_the_office_opens_cycles_and_only_its_own(world, client_as):
    for user in (world.county_filler, world.reviewer):
        c = client_as(user)
        assert c.get(reverse("cycle-new")).status_code == 403
        assert c.post(reverse("cycle-new"), _form(world)).status_code == 403
    assert not Cycle.objects.filter(year=2027).exists()
    client_as(world.province_admin).post(reverse("cycle-new"), _form(world))
    cycle = Cycle.objects.get(year=2027)
    other = client_as(world.outsider)  # Hebei's office
    assert other.get(reverse("cycle-edit", args=[cycle.pk])).status_code == 404
    assert other.post(reverse("cycle-publish", args=[cycle.pk])).status_code == 404
    cycle.refresh_from_db()
    assert cycle.state == "draft"


def _cycle_with_finance_a_year_earlier(world):
    draft = cycles.CycleDraft(
        name="测试周期", scheme=world.scheme, year=2027, data_year=2026, level="county",
        area_years={"finance": 2025}, excluded=[],
        stages={"self_evaluation": (date.today(), date.today() + timedelta(days=10))},
    )
    cycle = cycles.save_draft(world.province_admin, world.shanxi, draft)
    cycles.publish_cycle(cycle, world.province_admin)
    return cycle, Submission.objects.get(cycle=cycle, region=world.zezhou)


def test_each_element_is_written_for_its_own_data_year(world):
    cycle, _ = _cycle_with_finance_a_year_earlier(world)
    save_values(world.zezhou, 2025, {"edu_exp_budget": "1000"}, user=world.county_filler, source="entered")
    save_values(world.zezhou, 2026, {"enrol_primary": 500}, user=world.county_filler, source="entered")
    with pytest.raises(YearClosed, match="一般公共预算教育支出"):
        save_values(world.zezhou, 2026, {"edu_exp_budget": "1000"}, user=world.county_filler, source="entered")
    with pytest.raises(YearClosed):
        save_values(world.zezhou, 2025, {"enrol_primary": 500}, user=world.county_filler, source="entered")


def test_scoring_compares_each_element_with_its_own_previous_year(world, record_history):
    from dutyeval.evaluation.recompute import compute, result_items, store

    cycle, sub = _cycle_with_finance_a_year_earlier(world)
    record_history(world.zezhou, 2024, {"edu_exp_budget": "1000"})
    save_values(world.zezhou, 2025, {"edu_exp_budget": "999.9999"}, user=world.county_filler, source="entered")
    store(cycle, compute(cycle))
    item = result_items(sub.result)["2.1"]  # 两个只增不减 (total): 2025 finance fell by one yuan against 2024
    assert item["status"] == "scored" and item["score"] == "0.00", item
    assert {(f["year"], f["value"]) for f in item["figures"]} >= {(2025, "999.9999"), (2024, "1000")}


def test_the_area_form_shows_the_year_of_its_kind_of_data(world, client_as):
    _, sub = _cycle_with_finance_a_year_earlier(world)
    c = client_as(world.county_filler)
    assert "2025年数据填报" in c.get(reverse("data-area", args=[sub.pk, "finance"])).content.decode()
    assert "2026年数据填报" in c.get(reverse("data-area", args=[sub.pk, "compulsory"])).content.decode()
    r = c.post(reverse("data-area", args=[sub.pk, "finance"]), {"edu_exp_budget": "1200", "orig-edu_exp_budget": ""})
    assert r.status_code == 302
    assert DataValue.objects.get(region=world.zezhou, element__code="edu_exp_budget").year == 2025


def _past_deadline(world, policy="ask"):
    Cycle.objects.filter(pk=world.cycle.pk).update(deadline=timezone.now() - timedelta(hours=1), late_policy=policy)
    world.sub.refresh_from_db()


def test_a_late_first_submission_needs_the_office_s_consent(world, fill_all_self_scores, client_as):
    fill_all_self_scores(world.sub, world.county_filler)
    _past_deadline(world)
    with pytest.raises(workflow.WorkflowError, match="须经督导办同意"):
        workflow.submit_submission(world.sub, world.county_filler)
    overview = client_as(world.province_admin).get(reverse("cycle", args=[world.cycle.pk])).content.decode()
    assert "逾期" in overview
    c = client_as(world.province_admin)
    c.post(reverse("submission-allow-late", args=[world.sub.pk]), {"reason": ""})
    world.sub.refresh_from_db()
    assert not world.sub.late_allowed
    c.post(reverse("submission-allow-late", args=[world.sub.pk]), {"reason": "因汛情延误，经研究同意"})
    world.sub.refresh_from_db()
    assert world.sub.late_allowed
    assert AuditLog.objects.get(action="evaluation.submission.allow_late").data["reason"] == "因汛情延误，经研究同意"
    sub = workflow.submit_submission(world.sub, world.county_filler)
    assert sub.state == "submitted" and sub.late


def test_a_cycle_that_accepts_late_submissions_records_them(world, fill_all_self_scores):
    fill_all_self_scores(world.sub, world.county_filler)
    _past_deadline(world, policy="accept")
    sub = workflow.submit_submission(world.sub, world.county_filler)
    assert sub.late and AuditLog.objects.get(action="evaluation.submission.submit").data["late"] is True


def test_a_returned_submission_may_come_back_after_the_deadline(world, fill_all_self_scores):
    fill_all_self_scores(world.sub, world.county_filler)
    workflow.submit_submission(world.sub, world.county_filler)
    workflow.return_submission(world.sub, world.province_admin, "补充佐证材料")
    _past_deadline(world)
    assert workflow.submit_submission(world.sub, world.county_filler).state == "submitted"


def test_the_excel_template_and_import_follow_each_kind_of_data_s_year(world, client_as, fill_template):
    import io

    from openpyxl import load_workbook

    _, sub = _cycle_with_finance_a_year_earlier(world)
    c = client_as(world.county_filler)
    template = c.get(reverse("data-template", args=[sub.pk])).content
    wb = load_workbook(io.BytesIO(template))
    assert wb["教育投入"]["D2"].value == "2025年填报值" and wb["义务教育"]["D2"].value == "2026年填报值"
    filled = fill_template(template, {"edu_exp_budget": 1500, "enrol_primary": 800})
    from django.core.files.uploadedfile import SimpleUploadedFile

    r = c.post(reverse("data-excel", args=[sub.pk]), {"file": SimpleUploadedFile("t.xlsx", filled)})
    assert "导入成功" in r.content.decode()
    stored = dict(DataValue.objects.filter(region=world.zezhou).values_list("element__code", "year"))
    assert stored == {"edu_exp_budget": 2025, "enrol_primary": 2026}
