"""The rectification workflow: findings from results (idempotent), plans, the task state machine, bad
input refused with nothing changed, closure, 督办, carry-over and the automatic data check."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone
from evidence.samples import pdf

from dutyeval.audit.models import ACTION_LABELS, AuditLog
from dutyeval.evaluation.models import Cycle, Submission
from dutyeval.rectification import documents, services
from dutyeval.rectification.models import EvidenceFile, Finding, Plan, ProgressReport, RectDocument, Task
from dutyeval.rectification.services import RectificationError, TaskInput

TODAY = timezone.localdate()


def _state():
    """Everything a refused step must leave as it was."""
    return (
        list(Task.objects.order_by("pk").values_list("pk", "state", "measures", "deadline", "closure")),
        list(Plan.objects.order_by("pk").values_list("pk", "state")),
        list(Finding.objects.order_by("pk").values_list("pk", "state", "text")),
        ProgressReport.objects.count(), EvidenceFile.objects.count(), AuditLog.objects.count(),
    )


def _planned(w, *, deadline=None):
    """Findings generated and confirmed; one task per confirmed finding (the first with a data target)."""
    services.generate_findings(w.cycle, w.province_admin)
    plan = services.confirm_findings(w.cycle, w.zezhou, w.province_admin)
    findings = list(Finding.objects.filter(cycle=w.cycle, region=w.zezhou).order_by("order"))
    for n, f in enumerate(findings):
        target = {"target_element": "classes_large", "target_op": "le", "target_value": "0",
                  "target_by": str(TODAY + timedelta(days=200))} if n == 0 else {}
        services.save_task(plan, w.county_filler, TaskInput(
            finding=f.pk, measures=f"措施{n}", department=(w.edu if n == 0 else w.fin).pk,
            deadline=deadline or str(TODAY + timedelta(days=90)), **target))
    return plan, findings


def docx_text(data: bytes) -> tuple[list[str], list]:
    from docx import Document

    d = Document(io.BytesIO(data))
    return [p.text for p in d.paragraphs], [[[c.text for c in row.cells] for row in t.rows] for t in d.tables]


def _pdf_upload():
    return (io.BytesIO(pdf()), "验收材料.pdf")


def test_findings_come_from_the_results_once_and_the_office_edits_them(reviewed):
    w = reviewed
    out = services.generate_findings(w.cycle, w.province_admin)
    assert out["created"] > 0 and out["without_result"] == ["阳城县"]
    fs = {f.key: f for f in Finding.objects.filter(cycle=w.cycle, region=w.zezhou)}
    # 两个只增不减: 135433.4018 against 141942.4301 → −4.5857%, the figures of both years kept
    budget = fs["check:2.1"]
    assert budget.theme == "优先保障教育投入" and budget.theme_code == "2"
    assert "未实现逐年只增不减" in budget.text and "-4.5857%" in budget.text
    assert {(x["year"], x["value"]) for x in budget.figures} == {(2020, "135433.4018"), (2019, "141942.4301")}
    assert budget.points_lost == Decimal("4.00")
    # the reviewer's note on an item that lost 2 of its 3 points
    review = fs[f"review:{w.item.code}"]
    assert "会议纪要不全" in review.text and review.points_lost == Decimal("2.00")
    assert fs["check:3.2"].text.startswith("公办园在园幼儿占比未达标")
    assert "数据不足，无法核验" in fs["check:2.2.1"].text
    # the office edits one and withdraws another; a second run adds nothing and restores nothing
    services.edit_finding(budget, w.province_admin, theme="教育投入", text="一般公共预算教育支出下降4.59%。")
    services.withdraw_finding(fs["check:2.2.1"], w.province_admin)
    again = services.generate_findings(w.cycle, w.province_admin)
    assert again["created"] == 0 and again["kept"] == len(fs)
    assert Finding.objects.get(pk=budget.pk).text == "一般公共预算教育支出下降4.59%。"
    assert Finding.objects.get(pk=fs["check:2.2.1"].pk).state == "withdrawn"
    # only the office running the cycle decides the list
    before = _state()
    for user in (w.county_filler, w.reviewer, w.outsider):
        with pytest.raises(RectificationError):
            services.generate_findings(w.cycle, user)
        with pytest.raises(RectificationError):
            services.confirm_findings(w.cycle, w.zezhou, user)
    assert _state() == before
    plan = services.confirm_findings(w.cycle, w.zezhou, w.province_admin)
    assert plan.state == "draft"
    assert not Finding.objects.filter(cycle=w.cycle, region=w.zezhou, state="draft").exists()
    with pytest.raises(RectificationError, match="已确认"):
        services.edit_finding(budget, w.province_admin, theme="x", text="y")
    codes = set(AuditLog.objects.filter(action__startswith="rectification.").values_list("action", flat=True))
    assert {"rectification.findings.generate", "rectification.finding.edit", "rectification.finding.withdraw",
            "rectification.findings.confirm"} <= codes
    assert codes <= set(ACTION_LABELS)


def test_bad_tasks_are_refused_with_a_clear_message_and_nothing_changes(reviewed):
    w = reviewed
    services.generate_findings(w.cycle, w.province_admin)
    plan = services.confirm_findings(w.cycle, w.zezhou, w.province_admin)
    f = Finding.objects.filter(cycle=w.cycle, region=w.zezhou).first()
    good = dict(finding=f.pk, measures="制定整改方案", department=w.edu.pk, deadline=str(TODAY + timedelta(days=30)))
    cases = [
        ({**good, "deadline": ""}, "deadline", "请填写整改时限"),
        ({**good, "department": ""}, "department", "请选择责任部门"),
        ({**good, "department": w.edu.pk + 999}, "department", "请选择责任部门"),
        ({**good, "deadline": str(f.found_on - timedelta(days=1))}, "deadline", "须晚于问题发现日期"),
        ({**good, "deadline": "2022-13-01"}, "deadline", "不是有效日期"),
        ({**good, "measures": "  "}, "measures", "请填写整改措施"),
        ({**good, "target_element": "no_such", "target_op": "le", "target_value": "0",
          "target_by": str(TODAY + timedelta(days=9))}, "target_element", "不在数据目录中"),
        ({**good, "target_element": "classes_large", "target_op": "le", "target_value": "零",
          "target_by": str(TODAY + timedelta(days=9))}, "target_value", "不是数字"),
        ({**good, "target_element": "classes_large", "target_op": "", "target_value": "0",
          "target_by": str(TODAY + timedelta(days=9))}, "target_op", "请选择比较方式"),
        ({**good, "target_element": "classes_large", "target_op": "le", "target_value": "0"}, "target_by",
         "请填写目标达成日期"),
    ]
    before = _state()
    for data, field, message in cases:
        with pytest.raises(RectificationError) as exc:
            services.save_task(plan, w.county_filler, TaskInput(**data))
        assert message in exc.value.errors[field], (data, exc.value.errors)
    # another department's region's department, or the office, may not write the plan
    for user in (w.province_admin, w.edu_user, w.other_filler):
        with pytest.raises(RectificationError, match="填报联络员"):
            services.save_task(plan, user, TaskInput(**good))
    with pytest.raises(RectificationError, match="尚无整改任务"):
        services.submit_plan(plan, w.county_filler)
    assert _state() == before


def test_the_task_state_machine(reviewed):
    """draft → (approve) open → report(closure) pending → send back open → report(closure) pending → close."""
    w = reviewed
    plan, findings = _planned(w)
    task = plan.tasks.get(finding=findings[0])
    before = _state()
    with pytest.raises(RectificationError, match="尚未审核通过"):
        services.report_progress(task, w.county_filler, text="进展")
    with pytest.raises(RectificationError, match="只有组织本次评价的督导办"):
        services.approve_plan(plan, w.county_filler)
    with pytest.raises(RectificationError, match="不在待审核状态"):
        services.approve_plan(plan, w.province_admin)
    assert _state() == before
    services.submit_plan(plan, w.county_filler)
    with pytest.raises(RectificationError, match="须写明原因"):
        services.return_plan(plan, w.province_admin, "  ")
    services.return_plan(plan, w.province_admin, "措施不具体")
    assert Plan.objects.get(pk=plan.pk).state == "returned"
    services.save_task(plan, w.county_filler, TaskInput(
        finding=findings[0].pk, measures="新建学校2所，消除大班额", department=w.edu.pk,
        deadline=str(TODAY + timedelta(days=60)), target_element="classes_large", target_op="le", target_value="0",
        target_by=str(TODAY + timedelta(days=60))), task)
    services.submit_plan(plan, w.county_filler)
    services.approve_plan(plan, w.province_admin)
    assert set(plan.tasks.values_list("state", flat=True)) == {"open"}
    task.refresh_from_db()

    # the other department may not report on it; its own department may
    with pytest.raises(RectificationError, match="责任部门"):
        services.report_progress(task, w.fin_user, text="不是我的")
    before = _state()
    with pytest.raises(RectificationError, match="须上传佐证材料"):
        services.report_progress(task, w.edu_user, text="完成了", asks_closure=True)
    with pytest.raises(RectificationError, match="不能验收销号"):
        services.close_task(task, w.province_admin)
    with pytest.raises(RectificationError, match="未申请验收销号"):
        services.send_back(task, w.province_admin, "材料不全")
    assert _state() == before
    services.report_progress(task, w.edu_user, text="已完成规划选址", files=[_pdf_upload()], asks_closure=True)
    task.refresh_from_db()
    assert task.state == "pending"
    with pytest.raises(RectificationError, match="须写明原因"):
        services.send_back(task, w.province_admin, "")
    services.send_back(task, w.province_admin, "缺少竣工验收材料")
    task.refresh_from_db()
    assert task.state == "open" and task.sent_back_reason == "缺少竣工验收材料"
    # evidence already on record: a closure request needs no new file
    services.report_progress(task, w.county_filler, text="补充说明", asks_closure=True)
    with pytest.raises(RectificationError, match="只有组织本次评价的督导办"):
        services.close_task(task, w.county_filler)
    services.close_task(task, w.province_admin, "材料齐全")
    task.refresh_from_db()
    assert task.state == "closed" and task.closure == "accepted" and task.closed_by == w.province_admin

    # a closed task takes no progress report and no second closure, and nothing changes
    before = _state()
    with pytest.raises(RectificationError, match="已销号，不能再报送进展"):
        services.report_progress(task, w.county_filler, text="再报", files=[_pdf_upload()])
    with pytest.raises(RectificationError, match="已销号"):
        services.close_task(task, w.province_admin)
    assert _state() == before
    stored = list((Path(settings.MEDIA_ROOT) / "rectification").iterdir())
    assert len(stored) == 1  # the refused report left no file behind
    codes = list(AuditLog.objects.filter(object_type="rectification.task", object_id=str(task.pk))
                 .order_by("id").values_list("action", flat=True))
    assert codes == ["rectification.task.save", "rectification.task.save", "rectification.task.open",
                     "rectification.progress.report", "rectification.task.send_back",
                     "rectification.progress.report", "rectification.task.close"]


def test_a_refused_file_leaves_nothing(reviewed):
    w = reviewed
    plan, findings = _planned(w)
    services.submit_plan(plan, w.county_filler)
    services.approve_plan(plan, w.province_admin)
    task = plan.tasks.first()
    before = _state()
    with pytest.raises(RectificationError, match="只接受"):
        services.report_progress(task, w.county_filler, text="x", files=[(io.BytesIO(b"<html>hi</html>"), "a.pdf")])
    assert _state() == before


def test_overdue_tasks_are_escalated_with_a_notice_and_the_interview_list(reviewed):
    w = reviewed
    plan, findings = _planned(w, deadline=str(TODAY + timedelta(days=10)))
    services.submit_plan(plan, w.county_filler)
    services.approve_plan(plan, w.province_admin)
    task = plan.tasks.order_by("pk").last()
    with pytest.raises(RectificationError, match="尚未逾期"):
        services.escalate(task, w.province_admin, pdf=False)
    later = TODAY + timedelta(days=11)
    assert task.overdue_on(later) and not task.overdue_on(TODAY + timedelta(days=10))
    with pytest.raises(RectificationError):
        services.escalate(task, w.county_filler, today=later, pdf=False)
    t, doc = services.escalate(task, w.province_admin, interview=True, note="请于十五日内报告", pdf=False, today=later)
    assert t.escalated_at and t.interview
    assert doc.kind == "notice" and doc.task == t and doc.version == 1
    paragraphs, _ = docx_text(documents.file_path(doc.docx_path).read_bytes())
    text = "\n".join(paragraphs)
    assert "关于督促泽州县加快履行教育职责评价问题整改的通知" in text.replace("\n", "")
    assert "已超过整改时限1天" in text and "列入约谈名单" in text and w.fin.name in text
    assert AuditLog.objects.filter(action="rectification.task.escalate", object_id=str(t.pk)).exists()


def test_carried_tasks_are_checked_against_the_next_cycles_figures(reviewed, record_history):
    """Hand-computed: 大班额 ≤ 0 with 0 in 2021 → met, closed 数据达标; 公办园占比 ≥ 50 with 46.20 → unmet;
    生均公用经费 ≥ 650 without a 2021 figure → missing. A task without a target stays open, carried."""
    w = reviewed
    plan, findings = _planned(w)
    tasks = list(plan.tasks.order_by("pk"))
    targets = [("classes_large", "le", "0"), ("public_kg_share", "ge", "50"), ("per_student_pub_primary", "ge", "650")]
    for t, (code, op, value) in zip(tasks, targets, strict=False):
        services.save_task(plan, w.county_filler, TaskInput(
            finding=t.finding_id, measures=t.measures, department=t.department_id, deadline=str(t.deadline),
            target_element=code, target_op=op, target_value=value, target_by=str(TODAY + timedelta(days=30))), t)
    services.submit_plan(plan, w.county_filler)
    services.approve_plan(plan, w.province_admin)
    plain = tasks[3]
    assert not Task.objects.get(pk=plain.pk).target_element
    nxt = Cycle.objects.create(name="山西省2022年评价", scheme=w.scheme, year=2022, data_year=2021, root=w.shanxi)
    Submission.objects.create(cycle=nxt, region=w.zezhou)
    assert services.next_cycle(w.cycle) == nxt
    assert {t.pk for t in services.carried_tasks(nxt)} == {t.pk for t in tasks}
    assert not services.carried_tasks(w.cycle).exists()  # never in its own or an earlier cycle
    record_history(w.zezhou, 2021, {"classes_large": "0", "classes_compulsory": "790", "public_kg_share": "46.20"})
    with pytest.raises(RectificationError):
        services.check_carried(nxt, w.county_filler)
    counts = services.check_carried(nxt, w.province_admin)
    assert counts == {"met": 1, "unmet": 1, "missing": 1}
    met, unmet, missing = (Task.objects.get(pk=t.pk) for t in tasks[:3])
    assert (met.state, met.closure, met.check_result, met.checked_year, met.checked_value) == (
        "closed", "data", "met", 2021, Decimal("0"))
    assert (unmet.state, unmet.check_result, unmet.checked_value) == ("open", "unmet", Decimal("46.2"))
    assert (missing.state, missing.check_result, missing.checked_value) == ("open", "missing", None)
    assert Task.objects.get(pk=plain.pk).check_result == ""
    # still shown in the new cycle: the open ones, and the one this cycle's figures closed
    assert {t.pk for t in services.carried_tasks(nxt)} == {t.pk for t in tasks}
    log = AuditLog.objects.get(action="rectification.task.data_check", object_id=str(met.pk))
    assert log.data["value"] == "0.0000" and log.data["result"] == "met" and log.data["after"] == "closed"


def test_the_rectification_report_follows_the_hz_structure(reviewed):
    w = reviewed
    plan, findings = _planned(w)
    services.submit_plan(plan, w.county_filler)
    services.approve_plan(plan, w.province_admin)
    task = plan.tasks.order_by("pk").first()
    services.report_progress(task, w.county_filler, text="新建城东小学，已开工", files=[_pdf_upload()])
    services.close_task(task, w.province_admin)
    with pytest.raises(RectificationError):
        documents.generate_report(plan, w.other_filler, pdf=False)
    doc = documents.generate_report(plan, w.county_filler, pdf=False)
    assert doc.kind == RectDocument.Kind.REPORT and doc.version == 1
    paragraphs, _ = docx_text(documents.file_path(doc.docx_path).read_bytes())
    text = "\n".join(paragraphs)
    assert "泽州县人民政府关于2021年履行教育职责评价反馈问题整改情况的报告" in text.replace("\n", "")
    assert "一、整改工作落实情况" in text and "二、下一步工作打算" in text
    sections = [p for p in paragraphs if p.startswith("（") and "关于" in p[:6]]
    assert len(sections) == len(findings) and sections[0].startswith("（一）关于")
    assert "已于" in text and "通过验收销号" in text and "新建城东小学" in text
    assert "大班额班级数（56—65人） ≤ 0个" in text  # the first task's data target
    assert documents.generate_report(plan, w.province_admin, pdf=False).version == 2


@pytest.mark.parametrize("day,rhythm,expected", [
    (date(2025, 5, 14), "weekly", "2025年第20周"),
    (date(2021, 1, 1), "weekly", "2020年第53周"),  # ISO: the week of Thursday 2020-12-31
    (date(2025, 5, 14), "monthly", "2025年5月"),
    (date(2025, 3, 31), "quarterly", "2025年第1季度"),
    (date(2025, 10, 1), "quarterly", "2025年第4季度"),
])
def test_periods(day, rhythm, expected):
    from dutyeval.core.rectification import period_of

    assert period_of(day, rhythm) == expected


@pytest.mark.parametrize("op,target,value,expected", [
    ("le", "0", "0", True), ("le", "0", "1", False), ("le", "0", None, None),
    ("ge", "650", "650.00", True), ("ge", "650", "649.99", False),
    ("eq", "100", "100.0", True), ("eq", "100", "99.9", False),
])
def test_targets(op, target, value, expected):
    from dutyeval.core.rectification import target_met

    assert target_met(op, Decimal(target), None if value is None else Decimal(value)) is expected
