"""The feedback report (评价督导报告) carries the region's confirmed rectification list: by theme, with
text and figures; drafts and withdrawn findings never go out. Without a confirmed list the report
keeps the problems it reads from the scores."""

from __future__ import annotations

import io
import os
from pathlib import Path

from docx import Document

from dutyeval.documents.services import compose_document, file_path, generate_document
from dutyeval.rectification import services

LARGE = [{"name": "大班额班级数（56—65人）", "year": 2020, "value": 12, "unit": "个"}]
SHARE = [{"name": "公办园在园幼儿占比", "year": 2020, "value": "39.58", "unit": "%"}]


def _paragraphs(gd) -> list[str]:
    return [p.text for p in Document(io.BytesIO(file_path(gd.docx_path).read_bytes())).paragraphs]


def _section(paras: list[str], start: str, end: str) -> list[str]:
    i = paras.index(start)
    return paras[i + 1 : paras.index(end, i)]


def _findings(w):
    office = w.province_admin
    services.add_finding(w.cycle, w.zezhou, office, theme="学前教育", text="公办园在园幼儿占比未达到50%。",
                         figures=SHARE)
    services.add_finding(w.cycle, w.zezhou, office, theme="义务教育", text="城关二小存在大班额", figures=LARGE)
    services.add_finding(w.cycle, w.zezhou, office, theme="学前教育", text="普惠性民办园认定滞后。")
    dropped = services.add_finding(w.cycle, w.zezhou, office, theme="教育经费", text="已撤销的问题。")
    services.withdraw_finding(dropped, office)
    services.confirm_findings(w.cycle, w.zezhou, office)
    # added after the confirmation: a draft, the office's working state
    services.add_finding(w.cycle, w.zezhou, office, theme="教师队伍", text="尚未确认的问题。")


def test_the_feedback_report_prints_the_confirmed_list_by_theme_and_only_it(reviewed):
    w = reviewed
    _findings(w)
    gd = generate_document(w.cycle, "feedback", w.zezhou, user=w.province_admin, with_pdf=bool(os.environ.get(
        "DUTYEVAL_SHOTS")))
    paras = _paragraphs(gd)
    problems = _section(paras, "三、存在问题", "四、整改要求")
    assert problems == [
        "（一）学前教育",
        "1.公办园在园幼儿占比未达到50%。相关数据：2020年公办园在园幼儿占比39.58%。",
        "2.普惠性民办园认定滞后。",
        "（二）义务教育",
        "1.城关二小存在大班额。相关数据：2020年大班额班级数（56—65人）12个。",
    ]
    text = "\n".join(paras)
    assert "已撤销的问题" not in text and "尚未确认的问题" not in text
    # the generated problems (the reviewer's note on the manual item) give way to the office's list
    assert "会议纪要不全" not in "\n".join(problems)
    demands = _section(paras, "四、整改要求", paras[-1])
    assert "1.学前教育方面的2个问题：逐条制定整改措施，明确责任部门和完成时限。" in demands
    assert "2.义务教育方面的1个问题：逐条制定整改措施，明确责任部门和完成时限。" in demands
    shots = os.environ.get("DUTYEVAL_SHOTS")
    if shots and gd.pdf_path:
        Path(shots, "feedback-findings.pdf").write_bytes(file_path(gd.pdf_path).read_bytes())


def test_every_figure_of_a_finding_says_where_it_comes_from(reviewed):
    w = reviewed
    _findings(w)
    doc = compose_document(w.cycle, "feedback", w.zezhou)
    figs = [r for p in doc.body for r in p.runs if not isinstance(r, str) and r.source.get("kind") == "finding"]
    assert [(f.text, f.value) for f in figs] == [("39.58%", "39.58"), ("12个", "12")]
    assert figs[0].source["rule"] == "整改问题清单（督导办补充，督导办已确认）"
    assert figs[0].source["url"] == f"/s/{w.sub.pk}/rectification/"


def test_without_a_confirmed_list_the_report_keeps_the_problems_from_the_scores(reviewed):
    w = reviewed
    services.add_finding(w.cycle, w.zezhou, w.province_admin, theme="教师队伍", text="尚未确认的问题。")
    doc = compose_document(w.cycle, "feedback", w.zezhou)
    text = "\n".join(p.text for p in doc.body)
    assert "尚未确认的问题" not in text
    assert "会议纪要不全，扣分" in text  # the reviewer's note on the item that lost points, as before
