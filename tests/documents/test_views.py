"""The web side: each figure of the web view traces to its source; downloads only within scope;
drafts of the office's documents stay with the office; the results workbook."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse

from dutyeval.documents import services
from dutyeval.documents.models import GeneratedDocument


@pytest.fixture
def documents(evaluated):
    w = evaluated
    w.self_report = services.generate_document(
        w.cycle, "self_report", w.zezhou, user=w.county_filler, with_pdf=False
    )
    w.feedback = services.generate_document(
        w.cycle, "feedback", w.zezhou, user=w.province_admin, with_pdf=False
    )
    w.notice = services.generate_document(w.cycle, "notice", user=w.province_admin, with_pdf=False)
    return w


def test_each_figure_links_to_its_source(documents, client_as):
    w = documents
    page = client_as(w.province_admin).get(reverse("documents:document", args=[w.self_report.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    # the 2020 education spending: its figure jumps to a source row naming element, region, year,
    # value, origin, who entered it and when, with a link to the data page where it was entered
    n = next(
        s["n"]
        for s in page.context["sources"]
        if s["fig"].source.get("element") == "edu_exp_budget" and s["fig"].source.get("year") == 2020
    )
    assert f'href="#src-{n}"' in html and f'id="src-{n}"' in html
    source = page.context["sources"][n - 1]
    lines = dict(source["lines"])
    assert lines["数据项"] == "一般公共预算教育支出（edu_exp_budget）"
    assert lines["区域"] == "泽州县（140525）" and lines["年度"] == "2020年"
    assert lines["数值"] == "145433.4018 万元"
    assert lines["填报人"] == "province_admin" and lines["来源"] == "督导办更正"
    assert (
        source["url"]
        == reverse("data-area", kwargs={"pk": w.sub.pk, "area": "finance"}) + "#f-edu_exp_budget"
    )
    # a computed figure names its rule and the figures it was computed from
    computed = next(s for s in page.context["sources"] if s["fig"].source.get("kind") == "computed")
    assert dict(computed["lines"])["计算规则"] and computed["inputs"]
    # user text is escaped in the page
    assert "&lt;b&gt;不是标记&lt;/b&gt;" in html


def test_a_county_downloads_only_its_own(documents, client_as):
    w = documents
    own, other = client_as(w.county_filler), None
    assert own.get(reverse("documents:docx", args=[w.self_report.pk])).status_code == 200
    other = client_as(w.other_filler)
    for name in ("documents:document", "documents:docx", "documents:pdf"):
        assert other.get(reverse(name, args=[w.self_report.pk])).status_code == 404
    assert client_as(w.outsider).get(reverse("documents:docx", args=[w.self_report.pk])).status_code == 404
    # the province's documents are the office's: not for a county
    assert client_as(w.county_filler).get(reverse("documents:docx", args=[w.notice.pk])).status_code == 404
    assert client_as(w.province_admin).get(reverse("documents:docx", args=[w.notice.pk])).status_code == 200


def test_a_feedback_report_reaches_its_county_when_published(documents, client_as):
    w = documents
    url = reverse("documents:docx", args=[w.feedback.pk])
    assert client_as(w.county_filler).get(url).status_code == 404
    assert client_as(w.reviewer).get(url).status_code == 200
    assert (
        client_as(w.province_admin).post(reverse("documents:publish", args=[w.feedback.pk])).status_code
        == 302
    )
    assert GeneratedDocument.objects.get(pk=w.feedback.pk).published
    resp = client_as(w.county_filler).get(url)
    assert resp.status_code == 200
    assert b"".join(resp.streaming_content)[:2] == b"PK"
    assert client_as(w.other_filler).get(url).status_code == 404


def test_only_the_office_publishes_its_documents(documents, client_as):
    w = documents
    assert (
        client_as(w.county_filler).post(reverse("documents:publish", args=[w.notice.pk])).status_code == 404
    )
    assert client_as(w.reviewer).post(reverse("documents:publish", args=[w.notice.pk])).status_code == 404
    assert not GeneratedDocument.objects.get(pk=w.notice.pk).published
    # a county publishes its own self report (its final version)
    client_as(w.county_filler).post(reverse("documents:publish", args=[w.self_report.pk]))
    assert GeneratedDocument.objects.get(pk=w.self_report.pk).published


def test_generating_from_the_page_refuses_an_incomplete_review(evaluated, client_as):
    w = evaluated
    resp = client_as(w.province_admin).post(
        reverse("documents:generate", args=[w.cycle.pk]),
        {"kind": "feedback", "region": "140522"},
        follow=True,
    )
    assert "阳城县的评审尚未完成" in resp.content.decode()
    assert not GeneratedDocument.objects.exists()
    # a county may draft only its own self report
    resp = client_as(w.other_filler).post(
        reverse("documents:generate", args=[w.cycle.pk]), {"kind": "self_report", "region": "140525"}
    )
    assert resp.status_code == 404 and not GeneratedDocument.objects.exists()


def test_the_results_workbook_has_one_row_per_region(evaluated, client_as):
    from openpyxl import load_workbook

    w = evaluated
    resp = client_as(w.province_admin).get(reverse("documents:results-xlsx", args=[w.cycle.pk]))
    assert resp.status_code == 200
    ws = load_workbook(io.BytesIO(resp.content)).active
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=4)]
    assert [r[1] for r in rows] == ["140525", "140522"]
    zezhou, yangcheng = rows
    result = w.sub.result
    assert (zezhou[5], zezhou[6], zezhou[8]) == (float(result.total), result.grade, result.rank)
    assert yangcheng[6] == "未完成" and yangcheng[5] is None and yangcheng[8] is None
    assert ws.cell(4, 2).data_type == "s"  # a region code is text
    assert (
        client_as(w.county_filler).get(reverse("documents:results-xlsx", args=[w.cycle.pk])).status_code
        == 404
    )


def test_the_cycle_page_lists_documents_in_scope(documents, client_as):
    w = documents
    page = client_as(w.county_filler).get(reverse("documents:cycle", args=[w.cycle.pk]))
    assert page.status_code == 200
    assert [d.pk for d in page.context["docs"]] == [w.self_report.pk]
    page = client_as(w.province_admin).get(reverse("documents:cycle", args=[w.cycle.pk]))
    assert {d.pk for d in page.context["docs"]} == {w.self_report.pk, w.feedback.pk, w.notice.pk}
    assert client_as(w.outsider).get(reverse("documents:cycle", args=[w.cycle.pk])).status_code == 404
