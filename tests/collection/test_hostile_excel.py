"""The values import and the workbooks we write, fed what an attacker or a careless county sends."""

import io
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from collection.hostile_xlsx import (
    bad_inputs,
    billion_laughs,
    formula_rows,
    header_rows,
    huge_numbers,
    meta_sheet,
    million_bad_rows,
    sheet_xml,
    xlsx,
)
from dutyeval.collection import excel as xl
from dutyeval.collection.models import DataValue, ImportAttempt
from dutyeval.collection.services import import_excel

MAX = 20 * 1024 * 1024


def _import(world, data, name="t.xlsx"):
    return import_excel(world.zezhou, 2020, data, name, user=world.county_filler, max_bytes=MAX)


def _no_formulas(data: bytes) -> list[str]:
    wb = load_workbook(io.BytesIO(data))
    return [f"{ws.title}!{c.coordinate}" for ws in wb.worksheets for row in ws.iter_rows() for c in row
            if c.data_type == "f"]


def test_it_writes_formula_text_back_as_text_in_the_error_workbook(world, client_as):
    attempt = _import(world, formula_rows())
    assert not attempt.ok
    r = client_as(world.county_filler).get(reverse("import-errors", args=[attempt.pk]))
    assert r.status_code == 200
    assert _no_formulas(r.content) == []
    texts = {c.value for row in load_workbook(io.BytesIO(r.content)).active.iter_rows() for c in row}
    assert "=cmd|' /C calc'!A0" in texts  # kept as the user wrote it, only not evaluated


@pytest.mark.parametrize("text", ["=1+1", "+1+1", "-1+1", "@SUM(A1)", "\t=1+1", "\r=1+1", '=HYPERLINK("x")'])
def test_no_workbook_we_write_has_a_formula(text):
    errors = [{"sheet": text, "row": 3, "field": text, "label": text, "reason": text}]
    assert _no_formulas(xl.errors_workbook(errors, errors)) == []
    assert _no_formulas(xl.build_template("140525", text, 2020, {}, {})) == []


def test_a_sheet_with_far_more_rows_than_the_template_is_refused_quickly(world):
    data = million_bad_rows(100_000)
    started = time.perf_counter()
    attempt = _import(world, data)
    assert time.perf_counter() - started < 5
    assert not attempt.ok and attempt.error_count == 1
    assert "行" in attempt.errors[0]["reason"] and "模板" in attempt.errors[0]["reason"]


def test_only_the_first_thousand_errors_are_stored_with_the_count_of_the_rest(world, client_as):
    sheets = {"填写说明": meta_sheet()}
    for area in ("教育投入", "学前教育", "义务教育"):
        sheets[area] = sheet_xml(header_rows() + [[f"bad_{area}_{i}", "", "", 1] for i in range(900)])
    attempt = _import(world, xlsx(sheets))
    stored = ImportAttempt.objects.get(pk=attempt.pk)
    assert stored.error_count == 2700 and len(stored.errors) == 1000 and stored.errors_truncated
    c = client_as(world.county_filler)
    body = c.get(reverse("data-excel", args=[world.sub.pk])).content.decode()
    assert "2700" in body
    wb = load_workbook(io.BytesIO(c.get(reverse("import-errors", args=[attempt.pk])).content))
    rows = list(wb.active.iter_rows(values_only=True))
    assert len(rows) <= 1003 and any("1700" in str(v) for v in rows[-1])


def test_a_long_cell_does_not_bloat_the_stored_errors(world):
    rows = header_rows() + [["x" * 100_000, "", "", 1], ["enrol_primary", "", "", "9" * 100_000]]
    attempt = _import(world, xlsx({"填写说明": meta_sheet(), "教育投入": sheet_xml(rows)}))
    assert not attempt.ok and attempt.error_count == 2
    assert all(len(e["reason"]) < 200 and len(e["field"]) < 100 for e in attempt.errors)


def test_the_excel_page_does_not_load_old_error_lists(world, client_as, django_assert_max_num_queries):
    for _ in range(5):
        _import(world, xlsx({"填写说明": meta_sheet(),
                             "教育投入": sheet_xml(header_rows() + [[f"bad{i}", "", "", 1] for i in range(900)])}))
    c = client_as(world.county_filler)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert c.get(reverse("data-excel", args=[world.sub.pk])).status_code == 200
    attempts_sql = [q["sql"] for q in ctx.captured_queries if "collection_importattempt" in q["sql"]]
    assert attempts_sql and not any('"errors"' in q for q in attempts_sql)


@pytest.mark.parametrize("value", ["1E+30", "1e300", "9" * 5000, "NaN", "Infinity", "-Infinity", "sNaN",
                                   "1e999999999", "12345678901234567.5"])
def test_out_of_range_numbers_are_validation_errors_not_crashes(world, fill_template, value):
    data = fill_template(xl.build_template("140525", "泽州县", 2020, {}, {}), {"edu_exp_budget": value})
    attempt = _import(world, data)
    assert not attempt.ok and attempt.errors[0]["field"] == "edu_exp_budget"
    assert DataValue.objects.count() == 0


def test_huge_and_odd_numbers_in_one_file_are_each_reported(world):
    attempt = _import(world, huge_numbers())
    assert not attempt.ok
    reasons = " ".join(e["reason"] for e in attempt.errors)
    assert "超出可记录范围" in reasons and DataValue.objects.count() == 0


@pytest.mark.parametrize("builder", [billion_laughs])
def test_dtd_laden_sheets_are_refused_before_parsing(world, builder):
    attempt = _import(world, builder())
    assert not attempt.ok and "DTD" in attempt.errors[0]["reason"]


@pytest.fixture(scope="module")
def hostile_dir(tmp_path_factory):
    return bad_inputs(tmp_path_factory.mktemp("bad-inputs"))


def _names():
    from collection.hostile_xlsx import TOOL, hostile_workbooks

    tool_files = ["binary.txt", "empty.txt", "gb18030.txt", "huge.txt", "junk.pdf", "laughs.docx",
                  "long-line.txt", "malformed.docx", "nested-numbers.txt", "not-a-docx.docx", "utf16.txt",
                  "utf8-bom.txt", "zipbomb.docx"]
    return (tool_files if TOOL.exists() else []) + sorted(hostile_workbooks())


@pytest.mark.parametrize("name", _names())
def test_every_hostile_file_is_refused_cleanly_by_the_values_import(world, client_as, hostile_dir, name):
    c = client_as(world.county_filler)
    data = hostile_dir[name].read_bytes()
    r = c.post(reverse("data-excel", args=[world.sub.pk]), {"file": SimpleUploadedFile(name, data)})
    assert r.status_code < 500
    assert r.status_code in (200, 400, 413) and "导入成功" not in r.content.decode()
    assert DataValue.objects.count() == 0
    for a in ImportAttempt.objects.all():
        assert not a.ok and a.error_count >= 1 and len(a.errors) <= 1000
