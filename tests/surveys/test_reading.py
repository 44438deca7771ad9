"""Reading survey files and computing means: every number checked against a hand computation."""

from __future__ import annotations

import io
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook

from dutyeval.surveys import compute
from dutyeval.surveys.reading import FileRefused, read_file

REGIONS = {"330602", "330603"}
TEN = Decimal(10)


def csv_bytes(text: str, encoding: str = "utf-8") -> bytes:
    return text.encode(encoding)


def xlsx_bytes(rows: list[list]) -> bytes:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_per_respondent_rows_sum_per_region_and_group():
    data = csv_bytes("区域代码,调查对象,得分,问卷编号\n"
                     "330602,学生,9,q1\n330602,学生,8.5,q2\n330602,学生,7,q3\n"
                     "330602,家长,10,q4\n330603,学生,6,q1\n")
    r = read_file(data, "s.csv", scale=TEN, regions=REGIONS)
    assert r.errors == [] and r.layout == "respondent" and r.rows_read == 5
    assert r.cells[("330602", "students")] == [3, Decimal("24.5")]
    assert r.cells[("330602", "parents")] == [1, Decimal(10)]
    assert r.cells[("330603", "students")] == [1, Decimal(6)]
    # 24.5 / 3 = 8.1666… → 8.167 at three places, half up
    assert compute.mean_of(3, Decimal("24.5"), 3) == Decimal("8.167")


def test_aggregate_rows_from_xlsx_keep_the_published_mean():
    data = xlsx_bytes([["区域代码", "调查对象", "样本量", "平均分"],
                       [330602, "人大政协代表", 12, 9.162], ["330602", "社会群众", 400, "8.278"]])
    r = read_file(data, "s.xlsx", scale=TEN, regions=REGIONS)
    assert r.errors == [] and r.layout == "aggregate"
    n, total = r.cells[("330602", "npc_cppcc")]
    assert n == 12 and compute.mean_of(n, total, 3) == Decimal("9.162")
    assert compute.mean_of(*r.cells[("330602", "public")], 3) == Decimal("8.278")


def test_every_bad_row_is_reported_with_its_row_number():
    data = csv_bytes("区域代码,调查对象,得分\n330602,学生,9\n330602,学生,10.5\n999999,学生,8\n"
                     "330602,外星人,8\n330602,教师,很满意\n330602,教师,-1\n")
    r = read_file(data, "s.csv", scale=TEN, regions=REGIONS)
    rows = {(e["row"], e["reason"]) for e in r.errors}
    assert (3, "得分 10.5 超出 0–10 分的量表") in rows
    assert any(row == 4 and "999999" in why and "不是本次评价的被评价区域" in why for row, why in rows)
    assert any(row == 5 and "外星人" in why for row, why in rows)
    assert any(row == 6 and "不是数字" in why for row, why in rows)
    assert any(row == 7 and "超出" in why for row, why in rows)
    assert len(r.errors) == 5


def test_a_100_point_scale_accepts_what_a_10_point_scale_refuses():
    data = csv_bytes("区域代码,调查对象,得分\n330602,学生,86\n")
    assert read_file(data, "s.csv", scale=Decimal(100), regions=REGIONS).errors == []
    assert read_file(data, "s.csv", scale=TEN, regions=REGIONS).errors[0]["row"] == 2


def test_aggregate_checks_sample_size_and_duplicates():
    data = csv_bytes("区域代码,调查对象,样本量,平均分\n330602,学生,0,9\n330602,教师,2.5,9\n"
                     "330602,家长,10,8\n330602,家长,10,8\n")
    reasons = [(e["row"], e["reason"]) for e in read_file(data, "s.csv", scale=TEN, regions=REGIONS).errors]
    assert (2, "样本量“0”须为正整数") in reasons and (3, "样本量“2.5”须为正整数") in reasons
    assert any(row == 5 and "重复" in why for row, why in reasons)


def test_duplicate_questionnaire_in_one_region_is_an_error():
    data = csv_bytes("区域代码,调查对象,得分,问卷编号\n330602,学生,9,A1\n330602,家长,9,A1\n330603,学生,9,A1\n")
    errors = read_file(data, "s.csv", scale=TEN, regions=REGIONS).errors
    assert [e["row"] for e in errors] == [3]


def test_gb18030_csv_is_read():
    data = csv_bytes("区域代码,调查对象,得分\n330602,教师,9\n", "gb18030")
    assert read_file(data, "s.csv", scale=TEN, regions=REGIONS).cells[("330602", "teachers")] == [1, Decimal(9)]


@pytest.mark.parametrize("header", ["代码,人,分\n", "区域代码,调查对象\n", "区域代码,调查对象,样本量\n"])
def test_a_header_without_the_needed_columns_is_refused(header):
    with pytest.raises(FileRefused, match="表头"):
        read_file(csv_bytes(header + "330602,学生,9\n"), "s.csv", scale=TEN, regions=REGIONS)


def test_a_header_alone_is_refused():
    with pytest.raises(FileRefused, match="没有数据行"):
        read_file(csv_bytes("区域代码,调查对象,得分\n"), "s.csv", scale=TEN, regions=REGIONS)


@pytest.fixture(scope="module")
def bad_inputs(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("bad")
    tool = Path("/work/shared/tools/make-bad-inputs.py")
    if not tool.exists():
        pytest.skip("shared tool make-bad-inputs.py not present")
    subprocess.run([sys.executable, str(tool), str(out)], check=True, capture_output=True)
    return out


@pytest.mark.parametrize("name", ["binary.txt", "empty.txt", "huge.txt", "junk.pdf", "laughs.docx", "long-line.txt",
                                  "malformed.docx", "not-a-docx.docx", "utf16.txt", "zipbomb.docx",
                                  "nested-numbers.txt", "gb18030.txt", "utf8-bom.txt"])
def test_hostile_and_foreign_files_are_refused_whole(bad_inputs, name):
    data = (bad_inputs / name).read_bytes()
    try:
        r = read_file(data, name, scale=TEN, regions=REGIONS)
    except FileRefused as exc:
        assert str(exc)  # a message for the user
    else:  # a text file that happens to parse is still no survey: no header of ours, so refused above
        pytest.fail(f"{name} was read as a survey: {r}")


def test_a_zip_bomb_workbook_is_refused_before_parsing():
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", b"<row>" + b"0" * (120 * 1024 * 1024))
    with pytest.raises(FileRefused, match="过大|结构|损坏|Excel"):
        read_file(buf.getvalue(), "bomb.xlsx", scale=TEN, regions=REGIONS)


def test_weighted_overall_mean_and_equal_weights_by_default():
    means = {"students": Decimal("8.996"), "teachers": Decimal("8.980"), "parents": Decimal("8.174"),
             "public": Decimal("8.278"), "npc_cppcc": Decimal("9.162")}
    # equal weights: 43.590 / 5 = 8.718 (the report's own 8.704 uses weights nobody published)
    assert compute.weighted_mean(means, {}, 3) == Decimal("8.718")
    # parents counting twice: (43.590 + 8.174) / 6 = 51.764 / 6 = 8.62733… → 8.627
    assert compute.weighted_mean(means, {"parents": Decimal(2)}, 3) == Decimal("8.627")


def test_provincial_mean_rounds_half_up_on_the_decimal_value():
    # (8.996 + 8.981) / 2 = 8.9885 exactly → 8.989; a float-only rounding could give 8.988
    table = {"a": {"students": Decimal("8.996")}, "b": {"students": Decimal("8.981")}}
    full, prov = compute.comparison(table, {}, 3, ["students"])
    assert prov == {"students": Decimal("8.989"), "overall": Decimal("8.989")}
    assert full["a"]["students"] - prov["students"] == Decimal("0.007")


def test_provincial_mean_leaves_out_regions_without_the_group():
    table = {"a": {"students": Decimal("9"), "parents": Decimal("7")}, "b": {"students": Decimal("8")}}
    _, prov = compute.comparison(table, {}, 2, ["students", "parents"])
    # students (9 + 8) / 2 = 8.5; parents only a: 7; overall a = 8, b = 8 → 8
    assert prov == {"students": Decimal("8.50"), "parents": Decimal("7.00"), "overall": Decimal("8.00")}


def test_quota_flags_small_and_missing_groups():
    cells = {("a", "students"): 300, ("a", "teachers"): 99}
    flags = compute.under_quota(cells, ["a"], {"students": 300, "teachers": 100, "npc_cppcc": 10})
    assert flags == [{"region": "a", "group": "teachers", "n": 99, "quota": 100},
                     {"region": "a", "group": "npc_cppcc", "n": 0, "quota": 10}]
