"""Submitting while the uploaded report has error-level anomalies needs a reason, which is recorded."""

import pytest
from django.urls import reverse

from dutyeval.audit.models import AuditLog
from dutyeval.evaluation import services
from dutyeval.reports.models import ReportDocument


def _report(world, *anomalies):
    return ReportDocument.objects.create(
        submission=world.sub, filename="自评报告.docx", stored_name="x", size=1, sha256="0" * 64, state="done",
        result={"anomalies": list(anomalies), "figures": []},
    )


ERROR = {"kind": "unit_typo", "severity": "error", "quote": "18.87亿万元", "message": "单位错误"}
WARNING = {"kind": "out_of_range", "severity": "warning", "quote": "生均1.2元", "message": "数值偏小"}


def test_error_anomalies_need_a_reason_and_the_reason_is_on_record(world, fill_all_self_scores):
    fill_all_self_scores(world.sub, world.county_filler)
    _report(world, ERROR, WARNING)
    with pytest.raises(services.WorkflowError, match="1 处错误级疑点"):
        services.submit_submission(world.sub, world.county_filler)
    with pytest.raises(services.WorkflowError):
        services.submit_submission(world.sub, world.county_filler, anomaly_reason="   ")
    world.sub.refresh_from_db()
    assert world.sub.state == "draft"
    services.submit_submission(world.sub, world.county_filler, anomaly_reason="“亿万元”为笔误，数据表中已按亿元填报")
    log = AuditLog.objects.get(action="evaluation.submission.submit")
    assert log.data["anomalies"] == 1 and log.data["reason"].startswith("“亿万元”为笔误")


def test_warnings_alone_do_not_hold_a_submission(world, fill_all_self_scores):
    fill_all_self_scores(world.sub, world.county_filler)
    _report(world, WARNING)
    assert services.submit_submission(world.sub, world.county_filler).state == "submitted"


def test_the_page_asks_for_the_reason_and_shows_it_to_the_office(world, fill_all_self_scores, client_as):
    fill_all_self_scores(world.sub, world.county_filler)
    _report(world, ERROR)
    c = client_as(world.county_filler)
    page = c.get(reverse("submission", args=[world.sub.pk])).content.decode()
    assert 'name="anomaly_reason"' in page and "确认并提交" in page
    c.post(reverse("submission-submit", args=[world.sub.pk]), {"anomaly_reason": "已核实，笔误不影响数据"})
    world.sub.refresh_from_db()
    assert world.sub.state == "submitted"
    office = client_as(world.province_admin).get(reverse("submission", args=[world.sub.pk])).content.decode()
    assert "已核实，笔误不影响数据" in office
