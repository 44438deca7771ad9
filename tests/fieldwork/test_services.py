"""Field verification services: teams and recusal, itinerary from draws, checklists, findings, scores."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from dutyeval.audit.models import AuditLog
from dutyeval.fieldwork import checklist, services
from dutyeval.fieldwork.models import Check, FieldFinding, OnsiteScore, VisitedSchool
from dutyeval.fieldwork.services import FieldworkError

from .conftest import values


def test_team_built_from_draws(team, fw):
    assert fw.visit.draw == fw.region_draw and fw.visited.draw == fw.school_draw
    assert [m.role for m in team.members.order_by("role")] == ["leader", "observer"]
    actions = list(AuditLog.objects.filter(action__startswith="fieldwork.").values_list("action", flat=True))
    assert actions.count("fieldwork.member.add") == 2 and "fieldwork.visit.add" in actions
    assert "fieldwork.school.add" in actions


def test_member_from_the_visited_city_refused(team, fw):
    with pytest.raises(FieldworkError, match="区域回避"):
        services.add_member(team, fw.province_admin, fw.jc, "member")
    assert not team.members.filter(user=fw.jc).exists()


def test_visit_to_the_members_own_city_refused(fw):
    t = services.create_team(fw.cycle, fw.province_admin, "第二核查组")
    services.add_member(t, fw.province_admin, fw.jc, "leader")
    with pytest.raises(FieldworkError, match="区域回避"):
        services.add_visit(t, fw.province_admin, fw.zezhou, date(2021, 10, 1), date(2021, 10, 2), draw=fw.region_draw)
    assert not t.visits.exists()


def test_recusal_follows_the_panel_setting(fw):
    """At county-level recusal (the panels' setting) a 晋城市 expert may visit 泽州县."""
    from dutyeval.panels.models import PanelPolicy

    PanelPolicy.objects.create(cycle=fw.cycle, recusal="county")
    t = services.create_team(fw.cycle, fw.province_admin, "第三核查组")
    services.add_member(t, fw.province_admin, fw.jc, "leader")
    services.add_visit(t, fw.province_admin, fw.zezhou, date(2021, 10, 1), date(2021, 10, 2), draw=fw.region_draw)


def test_undrawn_region_needs_a_reason_and_must_be_in_the_draw(fw):
    t = services.create_team(fw.cycle, fw.province_admin, "第二核查组")
    drawn = [r["code"] for r in fw.region_draw.record.record["result"]]
    assert "140525" in drawn
    with pytest.raises(FieldworkError, match="理由"):
        services.add_visit(t, fw.province_admin, fw.yangcheng, date(2021, 10, 1), date(2021, 10, 2))
    if "140522" not in drawn:
        with pytest.raises(FieldworkError, match="不在所选抽签"):
            services.add_visit(t, fw.province_admin, fw.yangcheng, date(2021, 10, 1), date(2021, 10, 2),
                               draw=fw.region_draw)
    v = services.add_visit(t, fw.province_admin, fw.yangcheng, date(2021, 10, 1), date(2021, 10, 2),
                           reason="群众举报核实")
    assert v.draw is None and v.reason == "群众举报核实"
    with pytest.raises(FieldworkError, match="日期"):
        services.add_visit(t, fw.province_admin, fw.zezhou, date(2021, 10, 3), date(2021, 10, 2), draw=fw.region_draw)


def test_school_must_be_in_the_visited_county(team, fw):
    with pytest.raises(FieldworkError, match="不在泽州县"):
        services.add_school(fw.visit, fw.province_admin, fw.other_school, reason="顺路")
    with pytest.raises(FieldworkError, match="理由"):
        services.add_school(fw.visit, fw.province_admin, fw.school)  # no draw, no reason (and already there)


def test_only_the_office_arranges(team, fw):
    for who in (fw.ty, fw.reviewer, fw.county_filler, fw.outsider):
        with pytest.raises(FieldworkError, match="督导办"):
            services.create_team(fw.cycle, who, "x")
        with pytest.raises(FieldworkError, match="督导办"):
            services.add_member(team, who, fw.ty2, "member")


def test_checklist_difference_becomes_a_finding(team, fw):
    lines = checklist.lines(fw.school, fw.cycle.data_year)
    assert len(lines) == len(checklist.ELEMENTS)
    # 1 student fewer (count tolerance 0) → finding; 5040 m² against 5000 is within 1 % → none
    vs, stored = services.submit_checklist(fw.visited, fw.ty, values(lines, **{
        "students@primary": "1199", "teaching_area_m2@primary": "5040"}))
    assert stored and vs.submitted_at and vs.submitted_by == fw.ty
    assert Check.objects.filter(school=vs).count() == len(lines)
    findings = list(FieldFinding.objects.all())
    assert len(findings) == 1
    f = findings[0]
    assert f.check_row.element == "students" and f.check_row.reported == 1200 and f.check_row.verified == 1199
    assert "多报 1人" in f.text and "泽州县第一小学" in f.text
    assert AuditLog.objects.filter(action="fieldwork.checklist.submit").count() == 1


def test_area_beyond_the_percent_tolerance(team, fw):
    from dutyeval.fieldwork.models import FieldPolicy

    FieldPolicy.objects.create(cycle=fw.cycle, percent_tolerance=Decimal("0.5"))
    lines = checklist.lines(fw.school, fw.cycle.data_year)
    services.submit_checklist(fw.visited, fw.ty, values(lines, **{"teaching_area_m2@primary": "5040"}))
    assert list(FieldFinding.objects.values_list("check_row__element", flat=True)) == ["teaching_area_m2"]


def test_bad_value_stores_nothing(team, fw):
    lines = checklist.lines(fw.school, fw.cycle.data_year)
    with pytest.raises(FieldworkError) as exc:
        services.submit_checklist(fw.visited, fw.ty, values(lines, **{"students@primary": "一千二", "backbone_teachers@primary": ""}))
    assert set(exc.value.errors) == {"students@primary", "backbone_teachers@primary"}
    assert "不是数字" in exc.value.errors["students@primary"]
    fw.visited.refresh_from_db()
    assert fw.visited.submitted_at is None and not Check.objects.exists()
    with pytest.raises(FieldworkError, match="需要改正"):
        services.submit_checklist(fw.visited, fw.ty, values(lines, **{"students@primary": "-3"}))
    assert not Check.objects.exists()


def test_submit_twice_is_idempotent_and_a_change_is_refused(team, fw):
    lines = checklist.lines(fw.school, fw.cycle.data_year)
    first = values(lines, **{"students@primary": "1150"})
    services.submit_checklist(fw.visited, fw.ty2, first)
    again, stored = services.submit_checklist(fw.visited, fw.ty, dict(first))
    assert stored is False and Check.objects.count() == len(lines) and FieldFinding.objects.count() == 1
    with pytest.raises(FieldworkError, match="已提交"):
        services.submit_checklist(fw.visited, fw.ty, values(lines, **{"students@primary": "1100"}))
    assert Check.objects.get(element="students").verified == 1150
    assert AuditLog.objects.filter(action="fieldwork.checklist.refused").count() == 1


def test_non_member_cannot_fill(team, fw):
    lines = checklist.lines(fw.school, fw.cycle.data_year)
    for who in (fw.province_admin, fw.reviewer, fw.jc, fw.county_filler):
        with pytest.raises(FieldworkError, match="成员"):
            services.submit_checklist(fw.visited, who, values(lines))
    assert VisitedSchool.objects.get().submitted_at is None


def test_onsite_score_checked(team, fw):
    item = services.manual_items(fw.cycle)[0]
    with pytest.raises(FieldworkError, match="须为数字"):
        services.save_onsite_score(fw.visit, fw.ty, item, "abc", "现场查看")
    with pytest.raises(FieldworkError, match="超出范围"):
        services.save_onsite_score(fw.visit, fw.ty, item, str(item.points + 1), "现场查看")
    with pytest.raises(FieldworkError, match="评分说明"):
        services.save_onsite_score(fw.visit, fw.ty, item, "1", " ")
    with pytest.raises(FieldworkError, match="成员"):
        services.save_onsite_score(fw.visit, fw.reviewer, item, "1", "x")
    row = services.save_onsite_score(fw.visit, fw.ty, item, "1.5", "现场查看台账")
    assert row.score == Decimal("1.50") and OnsiteScore.objects.count() == 1


def test_forward_finding_into_rectification(team, fw):
    from dutyeval.rectification.models import Finding

    lines = checklist.lines(fw.school, fw.cycle.data_year)
    services.submit_checklist(fw.visited, fw.ty, values(lines, **{"multimedia_rooms@primary": "20"}))
    f = FieldFinding.objects.get()
    with pytest.raises(FieldworkError, match="督导办"):
        services.forward_finding(f, fw.ty)
    rf = services.forward_finding(f, fw.province_admin)
    assert rf.source == Finding.Source.FIELD and rf.region == fw.zezhou and rf.text == f.text
    assert [(x["name"], x["value"]) for x in rf.figures] == [("网络多媒体教室数（小学）（填报）", "30.00"),
                                                             ("网络多媒体教室数（小学）（核查）", "20.00")]
    with pytest.raises(FieldworkError, match="已转入"):
        services.forward_finding(f, fw.province_admin)
    assert Finding.objects.filter(cycle=fw.cycle, region=fw.zezhou).count() == 1


def test_recusal_without_expert_profile_uses_the_account_region(team, fw, django_user_model):
    from dutyeval.regions.models import Region

    city_staff = django_user_model.objects.create(username="jc_office", role="city_admin",
                                                  region=Region.objects.get(code="140500"))
    with pytest.raises(FieldworkError, match="来自晋城市"):
        services.add_member(team, fw.province_admin, city_staff, "member")
    province_staff = services.add_member(team, fw.province_admin, fw.reviewer, "member")  # 山西省 itself: allowed
    assert province_staff.role == "member"
