"""The whole demo province as one background job: a self report for each of its counties and a
feedback report for each county whose review is complete; the rest are listed with the reason."""

from __future__ import annotations

import pytest

from dutyeval.documents import services
from dutyeval.documents.models import DocumentJob, GeneratedDocument
from dutyeval.evaluation.models import Submission

from .conftest import docx_text, number_after


@pytest.fixture
def demo(db, media):
    from dutyeval.evaluation.demo import build_demo

    return build_demo(schools_per_city=10)


def test_the_demo_province_gets_every_document_as_a_job(demo, django_capture_on_commit_callbacks):
    cycle = demo.cycle
    with django_capture_on_commit_callbacks(execute=True):
        job = services.schedule_bulk(cycle, ["self_report", "feedback"], with_pdf=False)
    job.refresh_from_db()
    assert job.state == DocumentJob.State.DONE, job.message
    complete = Submission.objects.filter(cycle=cycle, state__in=["accepted", "locked"]).count()
    assert demo.counties == 117 and complete > 0
    assert GeneratedDocument.objects.filter(kind="self_report").count() == 117
    assert GeneratedDocument.objects.filter(kind="feedback").count() == complete
    assert job.generated == 117 + complete and len(job.skipped) == 117 - complete
    # the numbers in each feedback report equal the results
    for gd in GeneratedDocument.objects.filter(kind="feedback").select_related("region"):
        sub = Submission.objects.select_related("result").get(cycle=cycle, region=gd.region)
        paragraphs, tables = docx_text(services.file_path(gd.docx_path).read_bytes())
        text = "\n".join(paragraphs)
        assert number_after(text, "评价得分") == sub.result.total, gd.region.name
        assert f"评价等次为{sub.result.grade}" in text
        assert tables[0][-1][4] == str(sub.result.total)
    for kind in ("provincial", "notice"):
        gd = services.generate_document(cycle, kind, with_pdf=False)
        paragraphs, _ = docx_text(services.file_path(gd.docx_path).read_bytes())
        assert any(
            f"其中{complete}个已完成评审" in p or f"{complete}个县（市、区）完成评价" in p for p in paragraphs
        )
