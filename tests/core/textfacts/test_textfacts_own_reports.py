"""Reports written for these tests (other provinces and years than the seeds), as .txt (UTF-8
and GBK), as .docx built here with python-docx (with a data table), and as a text .pdf."""

from __future__ import annotations

import importlib.util
import io
from decimal import Decimal

import docx
import pytest

from dutyeval.core.textfacts import ingest_bytes

from .conftest import FIXTURES, ROOT, load_annotation
from .pdfmaker import make_pdf, wrap

spec = importlib.util.spec_from_file_location("ingest_accuracy", ROOT / "bench" / "ingest_accuracy.py")
bench = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bench)  # type: ignore[union-attr]


@pytest.mark.parametrize("name", ["sc_qingshan_2022", "hn_luochuan_2023_gbk"])
def test_own_reports_against_their_annotations(name):
    ann = load_annotation(FIXTURES / f"{name}.json")
    r = bench.evaluate(FIXTURES / ann["seed"], ann, verbose=False)
    assert r["recall_hits"] / r["figures"] >= 0.95
    assert r["precision_hits"] / r["extracted"] >= 0.95
    assert r["anomalies_found"] == r["anomalies"]
    assert r["false_alarms"] == 0


def _as_docx(text: str) -> bytes:
    d = docx.Document()
    for para in text.split("\n"):
        if para.strip():
            d.add_paragraph(para)
    d.add_paragraph("附表 主要指标")
    rows = [
        ["指标", "2021年", "2022年"],
        ["一般公共预算教育支出（万元）", "32,000", "35,200"],
        ["学前三年毛入园率（%）", "91.6", "93.8"],
        ["九年义务教育巩固率（%）", "98.1", "98.6"],
    ]
    t = d.add_table(rows=len(rows), cols=3)
    for i, row in enumerate(rows):
        for j, cell in enumerate(row):
            t.cell(i, j).text = cell
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def _key_facts(report) -> set:
    return {(f.value, f.unit) for f in report.figures}


EXPECTED = {
    (Decimal("3.52"), "亿元"),
    (Decimal("120"), "所"),
    (Decimal("102.3"), "%"),
    (Decimal("0.42"), ""),
    (Decimal("4512"), "人"),
    (Decimal("1200"), "个"),
}
EXPECTED_ANOMALIES = {"parts_exceed_whole", "growth_mismatch", "unit_typo", "rate_over_100", "placeholder"}


def test_same_report_as_docx_with_a_table():
    text = (FIXTURES / "sc_qingshan_2022.txt").read_text("utf-8")
    report = ingest_bytes(_as_docx(text), "青山县自评报告.docx")
    assert report.format == "docx"
    assert EXPECTED <= _key_facts(report)
    assert {a.kind for a in report.anomalies} == EXPECTED_ANOMALIES
    table = {
        (f.quote, f.year, f.element)
        for f in report.figures
        if f.year in (2021, 2022) and "\t" in report.text[f.start - 1 : f.start]
    }
    assert ("35,200", 2022, "edu_exp_budget") in table
    assert ("93.8", 2022, "gross_enrol_preschool") in table
    assert [s.title for s in report.sections if s.level == 1] == [
        "一、基本情况",
        "二、履行教育职责情况",
        "三、存在问题",
        "四、下一步工作",
    ]


def test_same_report_as_pdf_with_wrapped_lines():
    text = (FIXTURES / "sc_qingshan_2022.txt").read_text("utf-8")
    report = ingest_bytes(make_pdf(wrap(text, width=38)), "青山县自评报告.pdf")
    assert report.format == "pdf"
    assert EXPECTED <= _key_facts(report)
    assert {a.kind for a in report.anomalies} == EXPECTED_ANOMALIES
    assert len([s for s in report.sections if s.level == 1]) == 4


def test_gbk_report_with_full_width_digits_is_clean():
    data = (FIXTURES / "hn_luochuan_2023_gbk.txt").read_bytes()
    report = ingest_bytes(data, "洛川市.txt")
    assert report.encoding == "gb18030"
    assert report.anomalies == []
    by_quote = {f.quote: f for f in report.figures}
    assert by_quote["48.67亿元"].element == "edu_exp_budget" and by_quote["48.67亿元"].year == 2023
    assert by_quote["0.4个百分点"].kind == "growth"
    assert by_quote["16.8:1"].value == Decimal("16.8")
