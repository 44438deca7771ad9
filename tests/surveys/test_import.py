"""Survey imports through the services: preview writes nothing, confirm writes the figures through
collection (source 满意度调查, audited), quotas and submitted regions need a reason, re-import supersedes."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from dutyeval.audit.models import AuditLog
from dutyeval.collection.models import DataValue
from dutyeval.evaluation.recompute import compute, result_items, store
from dutyeval.surveys import services
from dutyeval.surveys.models import SurveyImport

from .conftest import seed_csv


def values(region, year):
    return {v.element.code: v for v in DataValue.objects.filter(region=region, year=year).select_related("element")}


def test_zhejiang_seed_scores_4_36_of_5_on_item_5_20(zj):
    survey = services.read_import(zj.cycle, zj.admin, seed_csv(), "越城区.csv")
    assert survey.state == "preview" and survey.errors == [] and survey.scale == Decimal(10)
    assert values(zj.yuecheng, 2021) == {}  # a preview writes nothing
    services.confirm_import(survey, zj.admin)
    stored = values(zj.yuecheng, 2021)
    assert stored["satisfaction_students"].value == Decimal("8.996")
    assert stored["satisfaction_npc_cppcc"].value == Decimal("9.162")
    assert {v.source for v in stored.values()} == {"survey"}
    store(zj.cycle, compute(zj.cycle))
    from dutyeval.evaluation.models import Result

    item = result_items(Result.objects.get(submission=zj.sub))["5.20"]
    # (8.996 + 8.980 + 8.174 + 8.278 + 9.162) / 50 × 5 = 0.8718 × 5 = 4.359 → 4.36
    assert item["score"] == "4.36"


def test_zhejiang_defaults_to_the_10_point_scale_and_records_unknown_weights(zj, world):
    setting = services.setting_for(zj.cycle)
    assert setting.scale == Decimal(10) and setting.decimals == 3 and "权重未公开" in setting.weights_note
    assert services.setting_for(world.cycle).scale == Decimal(100)


def test_comparison_with_the_provincial_average(zj):
    # 柯桥区 1 point lower in every group: provincial mean = 越城区 − 0.5, so 越城区 is +0.500 everywhere
    lower = {"学生": "7.996", "教师": "7.980", "家长": "7.174", "社会群众": "7.278", "人大政协": "8.162"}
    extra = "\n".join(f"330603,{g},400,{m}" for g, m in lower.items())
    survey = services.read_import(zj.cycle, zj.admin, seed_csv(extra=extra), "两区.csv")
    services.confirm_import(survey, zj.admin)
    table = services.results_table(services.current_import(zj.cycle))
    yc = next(r for r in table["rows"] if r["code"] == "330602")
    overall = yc["cells"][-1]
    assert overall["group"] == "overall" and overall["mean"] == Decimal("8.718")  # 43.590 / 5
    assert table["provincial"]["overall"] == Decimal("8.218")  # (8.718 + 7.718) / 2
    assert {c["diff"] for c in yc["cells"]} == {Decimal("0.500")}
    assert table["provincial"]["students"] == Decimal("8.496")


def test_out_of_scale_score_imports_nothing_and_names_the_row(zj):
    data = "区域代码,调查对象,得分\n330602,学生,9\n330602,学生,95\n".encode()
    survey = services.read_import(zj.cycle, zj.admin, data, "百分制.csv")
    assert survey.state == "rejected" and survey.errors == [{"row": 3, "reason": "得分 95 超出 0–10 分的量表"}]
    assert not survey.results.exists() and values(zj.yuecheng, 2021) == {}
    assert AuditLog.objects.filter(action="surveys.import.reject", object_id=str(survey.pk)).exists()
    with pytest.raises(services.SurveyError, match="已拒绝"):
        services.confirm_import(survey, zj.admin)


def test_wrong_region_code_is_a_row_error(zj, world):
    # 泽州县 is a real county, but not one this Zhejiang cycle evaluates
    data = seed_csv(extra="140525,学生,10,9\n")
    survey = services.read_import(zj.cycle, zj.admin, data, "x.csv")
    assert survey.state == "rejected"
    assert survey.errors == [{"row": 7, "reason": "区域代码“140525”不是本次评价的被评价区域"}]


def test_under_quota_is_flagged_and_needs_a_recorded_reason(zj):
    services.update_settings(zj.cycle, zj.admin, scale="10", decimals="3", weights={},
                             quotas={"students": "300", "npc_cppcc": "10"}, weights_note="")
    data = "区域代码,调查对象,样本量,平均分\n330602,学生,299,9\n330602,人大政协,10,9.1\n".encode()
    survey = services.read_import(zj.cycle, zj.admin, data, "q.csv")
    assert survey.state == "preview"
    assert survey.under_quota == [{"region": "330602", "group": "students", "n": 299, "quota": 300}]
    with pytest.raises(services.SurveyError, match="样本量低于最低要求"):
        services.confirm_import(survey, zj.admin, reason="  ")
    assert values(zj.yuecheng, 2021) == {}
    services.confirm_import(survey, zj.admin, reason="学生问卷回收不足，经督导办研究接受")
    survey.refresh_from_db()
    assert survey.state == "confirmed" and survey.reason.startswith("学生问卷")
    log = AuditLog.objects.get(action="surveys.import.confirm", object_id=str(survey.pk))
    assert log.data["under_quota"][0]["n"] == 299 and log.data["reason"] == survey.reason


def test_reimport_supersedes_and_keeps_the_old_import(zj):
    first = services.confirm_import(services.read_import(zj.cycle, zj.admin, seed_csv(), "一.csv"), zj.admin)
    data = "区域代码,调查对象,样本量,平均分\n330602,学生,400,9.5\n".encode()
    second = services.confirm_import(services.read_import(zj.cycle, zj.admin, data, "二.csv"), zj.admin)
    first.refresh_from_db()
    assert first.state == "superseded" and first.superseded_by == second
    assert first.results.get(group="students").mean == Decimal("8.996")  # history kept
    assert services.current_import(zj.cycle) == second
    assert values(zj.yuecheng, 2021)["satisfaction_students"].value == Decimal("9.5")
    change = AuditLog.objects.filter(action="collection.values.survey", region=zj.yuecheng).first()
    assert change.data["changes"]["satisfaction_students"] == ["8.9960", "9.500"]
    assert f"#{second.pk}" in change.data["reason"]
    assert AuditLog.objects.get(action="surveys.import.confirm", object_id=str(second.pk)).data["supersedes"] == [
        first.pk]


def test_submitted_region_changes_only_with_a_reason(zj):
    zj.sub.state = "submitted"
    zj.sub.save()
    survey = services.read_import(zj.cycle, zj.admin, seed_csv(), "s.csv")
    assert [r["region"] for r in survey.locked_regions] == ["330602"]
    with pytest.raises(services.SurveyError, match="已提交自评材料"):
        services.confirm_import(survey, zj.admin)
    assert values(zj.yuecheng, 2021) == {}
    services.confirm_import(survey, zj.admin, reason="省满意度调查结果按期导入")
    assert values(zj.yuecheng, 2021)["satisfaction_parents"].value == Decimal("8.174")


def test_a_collection_failure_writes_no_region(zj):
    # 柯桥区 submitted without a reason for it: 越城区 (open) must not be written either
    zj.other_sub.state = "submitted"
    zj.other_sub.save()
    extra = "330603,学生,400,8\n"
    survey = services.read_import(zj.cycle, zj.admin, seed_csv(extra=extra), "s.csv")
    survey.locked_regions = []  # as if the region was submitted between preview and confirm
    survey.save()
    with pytest.raises(services.SurveyError, match="柯桥区"):
        services.confirm_import(survey, zj.admin)
    assert values(zj.yuecheng, 2021) == {} and values(zj.keqiao, 2021) == {}
    survey.refresh_from_db()
    assert survey.state == "preview"


def test_final_results_refuse_a_new_import(zj):
    from dutyeval.release.models import Release

    Release.objects.create(cycle=zj.cycle, stage="final")
    survey = services.read_import(zj.cycle, zj.admin, seed_csv(), "s.csv")
    with pytest.raises(services.SurveyError, match="正式发布"):
        services.confirm_import(survey, zj.admin)


@pytest.mark.parametrize("who", ["coordinator", "other_office", "reviewer"])
def test_only_the_office_running_the_cycle_imports(zj, world, who):
    user = {"coordinator": zj.coordinator, "other_office": world.province_admin, "reviewer": world.reviewer}[who]
    with pytest.raises(PermissionDenied):
        services.read_import(zj.cycle, user, seed_csv(), "s.csv")
    survey = services.read_import(zj.cycle, zj.admin, seed_csv(), "s.csv")
    with pytest.raises(PermissionDenied):
        services.confirm_import(survey, user)
    assert SurveyImport.objects.get().state == "preview" and values(zj.yuecheng, 2021) == {}


@pytest.mark.parametrize("scale,decimals,quota,message", [("0", "3", "", "满分"), ("150", "3", "", "满分"),
                                                          ("10", "9", "", "小数位"), ("10", "3", "-1", "负数"),
                                                          ("十", "3", "", "数字")])
def test_bad_settings_are_refused_and_nothing_changes(zj, scale, decimals, quota, message):
    with pytest.raises(services.SurveyError, match=message):
        services.update_settings(zj.cycle, zj.admin, scale=scale, decimals=decimals, weights={},
                                 quotas={"students": quota}, weights_note="")
    from dutyeval.surveys.models import SurveySetting

    assert not SurveySetting.objects.filter(cycle=zj.cycle).exists()


def test_100_point_scheme_mean_with_two_places(world):
    # the Shanxi cycle: 100-point default, means at two places; 泽州县 students 86, 91, 90 → 267 / 3 = 89.00
    data = "区域代码,调查对象,得分\n140525,学生,86\n140525,学生,91\n140525,学生,90\n140525,家长,88.5\n".encode()
    survey = services.read_import(world.cycle, world.province_admin, data, "s.csv")
    services.confirm_import(survey, world.province_admin)
    stored = values(world.zezhou, world.cycle.data_year)
    assert stored["satisfaction_students"].value == Decimal("89")
    assert stored["satisfaction_parents"].value == Decimal("88.5")
