"""Generating documents from the data: the numbers in the .docx equal the data, incomplete reviews
are refused with nothing written, published documents are frozen, every step is audited."""

from __future__ import annotations

from decimal import Decimal

import pytest

from dutyeval.audit.models import AuditLog
from dutyeval.documents import services
from dutyeval.documents.models import DocumentImmutable, GeneratedDocument
from dutyeval.evaluation.models import Result
from dutyeval.evaluation.recompute import result_items

from .conftest import docx_text, number_after


def _generate(world, kind, region=None, **kw):
    return services.generate_document(
        world.cycle, kind, region, user=world.province_admin, with_pdf=False, **kw
    )


def test_the_feedback_report_prints_the_result_as_computed(evaluated):
    w = evaluated
    gd = _generate(w, "feedback", w.zezhou, number="晋政教督办〔2021〕12号")
    data = services.file_path(gd.docx_path).read_bytes()
    paragraphs, tables = docx_text(data)
    text = "\n".join(paragraphs)
    result = Result.objects.get(submission=w.sub)
    assert number_after(text, "你县评价得分") == result.total
    assert f"评价等次为{result.grade}" in text
    assert "晋政教督办〔2021〕12号" in paragraphs
    assert "泽州县人民政府：" in paragraphs
    # every scored item of the annex table equals the stored result, row by row
    rows = {row[0]: row for row in tables[0][1:]}
    for code, item in result_items(result).items():
        if code in rows and rows[code][4]:
            assert Decimal(rows[code][4]) == Decimal(item["score"]), code
    assert Decimal(tables[0][-1][4]) == result.total
    # a problem with its figure: 公办园在园幼儿占比 49.58%, standard 50%
    problem = next(p for p in paragraphs if "公办园在园幼儿占比" in p and "49.58%" in p)
    assert "标准不低于50%" in problem and "未达标" in problem
    assert gd.docx_sha256 and gd.status == "draft" and gd.version == 1


def test_the_self_report_is_drafted_from_the_submission(evaluated):
    w = evaluated
    gd = services.generate_document(w.cycle, "self_report", w.zezhou, user=w.county_filler, with_pdf=False)
    paragraphs, tables = docx_text(services.file_path(gd.docx_path).read_bytes())
    text = "\n".join(paragraphs)
    # the county's own words, escaped (a "<b>" in a narrative is text, not markup, and the file opens)
    assert "县委常委会专题研究教育工作4次，建立县级领导联系学校制度。<b>不是标记</b> & 符号" in text
    self_total = sum(
        Decimal(row[3]) for row in tables[0][1:-1] if row[0].count(".") >= 1 and row[3] not in ("", "—")
    )
    assert number_after(text, "我县自评得分") == self_total == Decimal(tables[0][-1][3])
    for heading in ("一、自查自评情况", "二、主要成效及经验做法", "三、存在问题", "四、下一步工作"):
        assert heading in paragraphs
    assert "山西省人民政府教育督导委员会办公室：" in paragraphs
    # a figure read from the data: 2020 一般公共预算教育支出 145433.4018 万元, printed to two places
    growth = next(p for p in paragraphs if "一般公共预算教育支出逐年只增不减" in p)
    assert "145433.4万元" in growth and "141942.43万元" in growth and "2.46%" in growth


def test_an_incomplete_review_is_refused_and_nothing_is_written(evaluated, media):
    w = evaluated
    logs = AuditLog.objects.count()
    with pytest.raises(services.DocumentRefused, match="阳城县的评审尚未完成（当前状态：填报中）"):
        _generate(w, "feedback", w.yangcheng)
    assert not GeneratedDocument.objects.exists()
    assert AuditLog.objects.count() == logs
    assert not (media / "documents").exists()


def test_province_documents_cover_only_complete_reviews(evaluated):
    w = evaluated
    notice = _generate(w, "notice")
    paragraphs, tables = docx_text(services.file_path(notice.docx_path).read_bytes())
    assert "晋政教督〔2021〕　　号" in paragraphs  # the serial number is written in when issued
    text = "\n".join(paragraphs)
    assert "另有1个县（市、区）评审尚未完成" in text
    assert [row[2] for row in tables[0][1:]] == ["泽州县"]
    assert tables[0][1][0] == "1"  # the rank among the complete regions
    assert Decimal(tables[0][1][3]) == Result.objects.get(submission=w.sub).total
    report = _generate(w, "provincial")
    paragraphs, _ = docx_text(services.file_path(report.docx_path).read_bytes())
    assert "一、主要成绩和成效" in paragraphs and "二、存在的主要问题" in paragraphs
    # the problems are quantified: public kindergarten share 49.58% < 50% in 泽州县
    assert any("泽州县49.58%" in p for p in paragraphs)


def test_publishing_freezes_a_document_and_records_its_sha256(evaluated):
    w = evaluated
    gd = _generate(w, "feedback", w.zezhou)
    services.publish_document(gd, w.province_admin)
    gd.refresh_from_db()
    assert gd.published and gd.published_by == w.province_admin
    log = AuditLog.objects.get(action="documents.document.publish")
    assert log.data["docx_sha256"] == gd.docx_sha256
    gd.title = "改过的标题"
    with pytest.raises(DocumentImmutable):
        gd.save()
    with pytest.raises(DocumentImmutable):
        gd.delete()
    with pytest.raises(services.DocumentRefused, match="已发布的公文不能修改"):
        services.publish_document(gd, w.province_admin)
    again = _generate(w, "feedback", w.zezhou)
    assert again.version == 2 and again.status == "draft"
    gd.refresh_from_db()
    assert gd.title != "改过的标题" and gd.published


def test_a_changed_file_cannot_be_published(evaluated):
    w = evaluated
    gd = _generate(w, "notice")
    services.file_path(gd.docx_path).write_bytes(b"tampered")
    with pytest.raises(services.DocumentRefused, match="SHA-256 不一致"):
        services.publish_document(gd, w.province_admin)
    assert not GeneratedDocument.objects.get(pk=gd.pk).published


def test_every_generation_is_audited(evaluated):
    w = evaluated
    gd = _generate(w, "self_report", w.zezhou)
    log = AuditLog.objects.get(action="documents.document.generate")
    assert log.actor == w.province_admin and log.object_id == str(gd.pk) and log.region == w.zezhou
    assert log.data["docx_sha256"] == gd.docx_sha256


def test_without_libreoffice_the_pdf_step_says_so(evaluated, monkeypatch):
    from dutyeval.documents import pdf

    monkeypatch.setattr(pdf, "soffice", lambda: None)
    gd = services.generate_document(evaluated.cycle, "notice", user=evaluated.province_admin)
    assert gd.pdf_path == "" and "未安装 LibreOffice" in gd.pdf_error
    assert services.file_path(gd.docx_path).exists()


def test_typical_cases_are_the_offices_choice(evaluated):
    from dutyeval.evaluation.models import Narrative

    w = evaluated
    narrative = Narrative.objects.get(submission=w.sub, area_code="1")
    assert services.choose_cases(w.cycle, w.province_admin, [narrative.pk, 999999]) == 1
    report = _generate(w, "provincial")
    paragraphs, _ = docx_text(services.file_path(report.docx_path).read_bytes())
    i = paragraphs.index("泽州县")
    assert paragraphs[i + 1].startswith("1.县委常委会专题研究教育工作4次")
    assert AuditLog.objects.filter(action="documents.cases.choose").count() == 1


def test_the_notice_prints_the_awards_and_the_lists_the_release_rules_make(evaluated):
    from dutyeval.release import services as release

    w = evaluated
    grade = Result.objects.get(submission=w.sub).grade
    release.save_outcome_rules(w.cycle, w.province_admin, award_top_n=3, award_grade=grade,
                               award_amount=Decimal("300000"), praise_grades=[grade], criticize_grades=[],
                               interview_on_veto=True)
    paragraphs, tables = docx_text(services.file_path(_generate(w, "notice").docx_path).read_bytes())
    assert "二、表彰奖励和通报" in paragraphs and "三、有关要求" in paragraphs
    assert "对泽州县予以表彰，各给予奖励经费30万元。" in paragraphs
    assert "对泽州县予以通报表扬。" in paragraphs
    assert not any("通报批评" in p or "约谈" in p for p in paragraphs)  # nobody is criticised or vetoed
    assert tables[0][0][-1] == "奖励与通报" and tables[0][1][-1] == "奖励、通报表扬"
