"""The command line and the background job generate the same documents as the web."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from dutyeval.documents import services
from dutyeval.documents.models import DocumentJob, GeneratedDocument

from .conftest import docx_text


def test_make_documents_writes_the_files(evaluated, tmp_path):
    w = evaluated
    call_command(
        "make_documents",
        cycle=w.cycle.pk,
        kind="feedback",
        region="140525",
        out=str(tmp_path / "out"),
        no_pdf=True,
    )
    files = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert files == ["140525-泽州县-评价督导报告（反馈）-v1.docx"]
    paragraphs, _ = docx_text((tmp_path / "out" / files[0]).read_bytes())
    assert "泽州县人民政府：" in paragraphs


def test_make_documents_refuses_bad_input_and_writes_nothing(evaluated, tmp_path):
    w = evaluated
    out = tmp_path / "out"
    with pytest.raises(CommandError, match="阳城县的评审尚未完成"):
        call_command(
            "make_documents", cycle=w.cycle.pk, kind="feedback", region="140522", out=str(out), no_pdf=True
        )
    with pytest.raises(CommandError, match="不是评价周期"):
        call_command(
            "make_documents", cycle=w.cycle.pk, kind="feedback", region="130102", out=str(out), no_pdf=True
        )
    with pytest.raises(CommandError, match="评价周期 999 不存在"):
        call_command("make_documents", cycle=999, kind="notice", out=str(out), no_pdf=True)
    assert not out.exists() and not GeneratedDocument.objects.exists()


def test_make_documents_for_every_region(evaluated, tmp_path):
    w = evaluated
    call_command(
        "make_documents", cycle=w.cycle.pk, kind="self_report", out=str(tmp_path / "out"), no_pdf=True
    )
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "140522-阳城县-自查自评报告-v1.docx",
        "140525-泽州县-自查自评报告-v1.docx",
    ]


def test_the_bulk_job_generates_with_progress_and_lists_what_it_skipped(
    evaluated, django_capture_on_commit_callbacks
):
    w = evaluated
    with django_capture_on_commit_callbacks(execute=True):
        job = services.schedule_bulk(w.cycle, ["self_report", "feedback"], w.province_admin, with_pdf=False)
    job.refresh_from_db()
    assert job.state == DocumentJob.State.DONE and job.progress == 100
    assert job.generated == 3  # two self reports, one feedback report
    assert [s["region"] for s in job.skipped] == ["阳城县"]
    assert "评审尚未完成" in job.skipped[0]["reason"]
    assert GeneratedDocument.objects.filter(kind="feedback").count() == 1
    assert all(d.created_by == w.province_admin for d in GeneratedDocument.objects.all())


def test_the_dutyeval_console_script_runs_it(evaluated, tmp_path, capsys):
    from dutyeval.cli import main

    w = evaluated
    assert main(["make_documents", "--cycle", str(w.cycle.pk), "--kind", "notice", "--out", str(tmp_path / "o"),
                 "--no-pdf"]) == 0  # fmt: skip
    assert [p.name for p in (tmp_path / "o").iterdir()] == ["评价结果通报-v1.docx"]
    assert "已生成 1 份公文" in capsys.readouterr().out
