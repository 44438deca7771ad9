"""The office's rectification bulletin (整改进展通报): counts on the day, overdue tasks named, by region."""

from datetime import timedelta

import pytest
from django.urls import reverse

from dutyeval.audit.models import AuditLog
from dutyeval.rectification import bulletin, documents, services
from dutyeval.rectification.models import RectDocument
from dutyeval.rectification.services import RectificationError
from rectification.test_workflow import TODAY, _pdf_upload, _planned, docx_text


def _approved(w):
    plan, findings = _planned(w, deadline=str(TODAY + timedelta(days=10)))
    services.submit_plan(plan, w.county_filler)
    services.approve_plan(plan, w.province_admin)
    return plan, list(plan.tasks.order_by("pk"))


def test_the_bulletin_counts_each_region_on_its_day_and_names_the_overdue(reviewed):
    w = reviewed
    with pytest.raises(RectificationError, match="尚无审核通过"):
        bulletin.generate_bulletin(w.cycle, w.province_admin, pdf=False)
    plan, tasks = _approved(w)
    services.report_progress(tasks[0], w.county_filler, text="已完成", files=[_pdf_upload()], asks_closure=True)
    services.close_task(tasks[0], w.province_admin)
    n = len(tasks)
    later = TODAY + timedelta(days=13)  # three days past every other task's deadline
    doc = bulletin.generate_bulletin(w.cycle, w.province_admin, pdf=False, today=later)
    assert doc.kind == "bulletin" and doc.region == w.shanxi and doc.version == 1
    paragraphs, tables = docx_text(documents.file_path(doc.docx_path).read_bytes())
    text = "".join(paragraphs)
    # hand-counted: n tasks, 1 closed on time, n − 1 overdue by 3 days; closure rate 1/n
    rate = f"{100 / n:.1f}%"
    assert f"1个县（市、区）共制定整改任务{n}项，已验收销号1项（其中逾期销号0项），尚未销号{n - 1}项" in text
    assert f"其中已超过整改时限{n - 1}项、已申请验收0项，总体销号率{rate}" in text
    assert text.count("已逾期3天") == n - 1 and w.fin.name in text
    assert "请泽州县人民政府对逾期任务逐项分析原因" in text
    row = next(r for t in tables for r in t if len(r) > 1 and r[1] == "泽州县")
    assert row == ["1", "泽州县", str(n), "1", f"{n - 1}（{n - 1}）", rate]
    assert AuditLog.objects.filter(action="rectification.bulletin.generate", object_id=str(doc.pk)).exists()
    # on the deadline day nothing is overdue yet
    doc2 = bulletin.generate_bulletin(w.cycle, w.province_admin, pdf=False, today=TODAY + timedelta(days=10))
    assert doc2.version == 2 and "没有超过整改时限未销号的任务" in "".join(docx_text(
        documents.file_path(doc2.docx_path).read_bytes())[0])


def test_only_the_office_issues_a_bulletin_and_only_it_reads_it(reviewed, client_as):
    w = reviewed
    _approved(w)
    for user in (w.county_filler, w.reviewer, w.outsider):
        with pytest.raises(RectificationError):
            bulletin.generate_bulletin(w.cycle, user, pdf=False)
    assert not RectDocument.objects.exists()
    r = client_as(w.county_filler).post(reverse("rect-dashboard", args=[w.cycle.pk]), {"action": "bulletin"})
    assert r.status_code == 404 and not RectDocument.objects.exists()
    r = client_as(w.province_admin).post(reverse("rect-dashboard", args=[w.cycle.pk]), {"action": "bulletin"})
    assert r.status_code == 302
    doc = RectDocument.objects.get(kind="bulletin")
    page = client_as(w.province_admin).get(reverse("rect-dashboard", args=[w.cycle.pk])).content.decode()
    assert reverse("rect-doc", args=[doc.pk]) in page
    assert client_as(w.county_filler).get(reverse("rect-doc", args=[doc.pk])).status_code == 404
    assert client_as(w.province_admin).get(reverse("rect-doc-docx", args=[doc.pk])).status_code == 200


def test_the_rectification_report_names_a_school_year_figure_by_its_school_year():
    from dutyeval.rectification.models import Finding

    f = Finding(figures=[{"code": "enrol_preschool_public", "name": "公办园在园幼儿数", "year": 2019, "value": "11690",
                          "unit": "人"},
                         {"code": "edu_exp_budget", "name": "一般公共预算教育支出", "year": 2019,
                          "value": "198767.04", "unit": "万元"}])
    assert documents._figures(f) == "2019/2020学年公办园在园幼儿数11690人；2019年一般公共预算教育支出198767.04万元"
