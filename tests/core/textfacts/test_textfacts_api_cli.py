"""The public API's JSON shape and the `dutyeval ingest` command."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from dutyeval.cli import main as dutyeval_main
from dutyeval.core.textfacts import Report, ingest_bytes, ingest_path
from dutyeval.core.textfacts.cli import main

SAMPLE = (
    "一、自查情况\n\n(一)落实教育保障政策\n\n8. 保证教育投入。2021年一般公共预算教育经费18.87亿万元,"
    "比上年增长17.82%;学前三年毛入园率达111%,九年义务教育巩固率达109.74 %。\n"
)

FIGURE_KEYS = ["quote", "start", "end", "value", "unit", "base_value", "base_unit", "kind", "year", "qualifiers",
               "metric", "element", "confidence"]  # fmt: skip


def test_json_has_exactly_the_shape_of_the_issue():
    report = ingest_bytes(SAMPLE.encode("gbk"), "r.txt")
    d = json.loads(report.to_json())
    assert list(d) == ["sections", "figures", "anomalies", "text"]
    assert list(d["sections"][0]) == ["level", "title", "start", "end"]
    assert list(d["figures"][0]) == FIGURE_KEYS
    assert list(d["anomalies"][0]) == ["kind", "quote", "start", "end", "message", "severity"]
    f = next(f for f in d["figures"] if f["quote"] == "18.87亿万元")
    assert f["value"] == 18.87 and f["base_value"] == 1887000000 and f["year"] == 2021
    assert f["element"] == "edu_exp_budget" and 0 < f["confidence"] <= 1
    for item in d["figures"] + d["anomalies"]:
        assert d["text"][item["start"] : item["end"]] == item["quote"]
    assert {a["kind"] for a in d["anomalies"]} == {"unit_typo", "rate_over_100"}


def test_report_maps_back_to_the_original_and_keeps_decimals():
    report = ingest_bytes(SAMPLE.encode(), "r.txt", {"edu_exp_budget": Decimal("188700")})
    assert isinstance(report, Report) and report.format == "txt" and report.encoding == "utf-8"
    f = next(f for f in report.figures if f.quote == "109.74%")
    s, e = report.original_span(f.start, f.end)
    assert report.original[s:e] == "109.74 %"
    assert f.value == Decimal("109.74")


def test_ingest_path_refuses_big_files_without_reading_them(tmp_path):
    from dutyeval.core.textfacts import IngestError

    big = tmp_path / "big.txt"
    with big.open("wb") as fh:
        fh.truncate(50 * 1024 * 1024)
    with pytest.raises(IngestError, match="过大"):
        ingest_path(big)


def test_cli_summary(tmp_path, capsys):
    p = tmp_path / "越城区.txt"
    p.write_text(SAMPLE, "utf-8")
    assert main([str(p)]) == 0
    out = capsys.readouterr().out
    assert "一、自查情况" in out and "unit_typo" in out and "18.87亿万元" in out and "edu_exp_budget" in out


def test_cli_json_is_one_object(tmp_path, capsys):
    p = tmp_path / "r.txt"
    p.write_text(SAMPLE, "utf-8")
    assert dutyeval_main(["ingest", str(p), "--json"]) == 0  # through the `dutyeval` console script
    lines = capsys.readouterr().out.strip().split("\n")
    assert len(lines) == 1 and list(json.loads(lines[0])) == ["sections", "figures", "anomalies", "text"]


def test_cli_directory_gives_one_line_per_report(tmp_path, capsys):
    (tmp_path / "a.txt").write_text(SAMPLE, "utf-8")
    (tmp_path / "b.txt").write_bytes(SAMPLE.encode("gb18030"))
    (tmp_path / "c.docx").write_bytes(b"PK\x03\x04 truncated archive")
    (tmp_path / "notes.csv").write_text("ignored", "utf-8")
    assert main([str(tmp_path), "--json"]) == 1  # c.docx is unreadable
    rows = [json.loads(line) for line in capsys.readouterr().out.strip().split("\n")]
    assert [r["path"].rsplit("/", 1)[1] for r in rows] == ["a.txt", "b.txt", "c.docx"]
    assert rows[0]["figures"] == rows[1]["figures"]
    assert "error" in rows[2] and "c.docx" in rows[2]["error"]


def test_cli_known_values_and_errors(tmp_path, capsys):
    p = tmp_path / "r.txt"
    p.write_text(SAMPLE, "utf-8")
    assert main([str(p), "--json", "--known", "gross_enrol_preschool=105"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert "known_value_mismatch" in {a["kind"] for a in d["anomalies"]}
    assert main([str(tmp_path / "missing.txt")]) == 1
    (tmp_path / "empty.txt").write_bytes(b"")
    assert main([str(tmp_path / "empty.txt")]) == 1
    assert "为空" in capsys.readouterr().err
