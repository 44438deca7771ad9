"""School-balance engine against hand-computed values (STANDARDS §1.1, §1.2, §2)."""

from __future__ import annotations

import json
import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dutyeval.core.balance import (
    BASIC_EXTRA_COLUMNS,
    FAIL,
    INSUFFICIENT,
    JUNIOR,
    PASS,
    PRIMARY,
    QUALITY_INDICATORS,
    SchoolTable,
    coefficient,
    compute_balance,
)
from dutyeval.core.balance_cli import CsvError, main, read_schools_csv

CODES = [i.code for i in QUALITY_INDICATORS]
# A primary school of 1000 pupils exactly at every 优质均衡 standard (§1.1).
AT_STANDARD_PRIMARY = dict(zip(CODES, [42, 10, 9, 4500, 7500, 2_000_000, 23], strict=True))
AT_STANDARD_JUNIOR = dict(zip(CODES, [53, 10, 9, 5800, 10200, 2_500_000, 24], strict=True))


def school(county="340207", code="s1", level="primary", students=1000, **figures):
    base = dict(AT_STANDARD_PRIMARY if level in ("primary", "小学") else AT_STANDARD_JUNIOR)
    base.update(figures)
    return {"county_code": county, "school_code": code, "level": level, "students": students, **base}


def table(*rows):
    return SchoolTable.from_records(list(rows))


# ---- the worked example of the published method ---------------------------------------------
WORKED_STUDENTS = [45, 37, 89, 76, 55]
WORKED_BOOKS = [279, 137, 935, 160, 402]


def hand_cv(students, resource):
    """§1.2 by hand, in exact fractions: X̄ = ΣR/ΣP, Σd = Σ (P_i/P)(X_i − X̄)²."""
    P = sum(students)
    xbar = Fraction(sum(resource), P)
    sum_d = sum(
        Fraction(p, P) * (Fraction(r, p) - xbar) ** 2 for p, r in zip(students, resource, strict=True)
    )
    return xbar, sum_d, math.sqrt(sum_d) / float(xbar)


def test_worked_example_of_the_published_method():
    xbar, sum_d, cv = hand_cv(WORKED_STUDENTS, WORKED_BOOKS)
    assert xbar == Fraction(1913, 302)
    assert float(sum_d) == pytest.approx(10.653, abs=5e-4)  # the document prints Σd = 10.65
    assert round(cv, 4) == 0.5153
    assert coefficient(WORKED_STUDENTS, WORKED_BOOKS) == pytest.approx(cv, rel=1e-12)


def test_worked_example_through_the_table_gives_county_value_sd_and_cv():
    rows = [
        school(code=f"s{i}", students=p, **{c: b for c in CODES})
        for i, (p, b) in enumerate(zip(WORKED_STUDENTS, WORKED_BOOKS, strict=True))
    ]
    r = compute_balance(table(*rows))
    xbar, sum_d, cv = hand_cv(WORKED_STUDENTS, WORKED_BOOKS)
    k = CODES.index("teaching_area_m2")  # a per-pupil indicator: display value = X̄ itself
    assert r.county_value[0, k] == pytest.approx(float(xbar), rel=1e-12)
    assert r.sd[0, k] == pytest.approx(math.sqrt(sum_d), rel=1e-12)
    assert r.cv[0] == pytest.approx([cv] * 7, rel=1e-12)  # CV does not depend on the ×100 scale
    assert r.cv_pass[0].sum() == 0  # 0.5153 > 0.50


def test_two_schools_weighted_not_unweighted():
    # X = 4 and 6 for 100 and 300 pupils: X̄ = 2200/400 = 5.5, Σd = .25·2.25 + .75·.25 = .75
    rows = [
        school(code="a", students=100, teaching_area_m2=400),
        school(code="b", students=300, teaching_area_m2=1800),
    ]
    r = compute_balance(table(*rows))
    k = CODES.index("teaching_area_m2")
    assert r.county_value[0, k] == pytest.approx(5.5)
    assert r.cv[0, k] == pytest.approx(math.sqrt(0.75) / 5.5, rel=1e-12)
    unweighted = np.std([4.0, 6.0]) / 5.0
    assert r.cv[0, k] != pytest.approx(unweighted)


# ---- per-school standard: ≥6 of 7 met, the rest ≥85 % ---------------------------------------
@pytest.mark.parametrize(
    "level,figures,met,meets",
    [
        ("primary", {}, 7, True),
        ("primary", {"sports_area_m2": 6375}, 6, True),  # 6.375 = exactly 85 % of 7.5
        ("primary", {"sports_area_m2": 6374}, 6, False),  # just under 85 %
        ("primary", {"sports_area_m2": 7499, "multimedia_rooms": 22}, 5, False),
        ("primary", {"teachers_above_degree": 41}, 6, True),  # 4.1 of 4.2 = 97.6 %
        ("junior", {}, 7, True),
        ("junior", {"teachers_above_degree": 52}, 6, True),
        ("junior", {"teachers_above_degree": 42}, 6, False),  # 4.2 < 85 % of 5.3 = 4.505
        ("junior", {"teachers_above_degree": 45, "equipment_value_yuan": 2_124_999}, 5, False),
    ],
)
def test_school_standard(level, figures, met, meets):
    r = compute_balance(table(school(level=level, **figures)))
    assert int(r.met[0].sum()) == met
    assert bool(r.meets[0]) is meets
    assert r.quality_verdict[0] == (PASS if meets else FAIL)


def test_primary_and_junior_standards_differ():
    # 4500 m² for 1000 pupils meets the primary 4.5 m² but not the junior 5.8 m².
    r = compute_balance(table(school(level="junior", teaching_area_m2=4500)))
    assert not r.met[0, CODES.index("teaching_area_m2")]


# ---- coefficient thresholds, per indicator, per level ----------------------------------------
def test_threshold_is_050_primary_045_junior():
    # equal enrolments, X = 1.47 and 0.53: CV = |a−b|/(a+b) = 0.47
    rows = [
        school(code="a", students=100, level=lv, teaching_area_m2=147, county="c")
        for lv in ("primary", "junior")
    ] + [
        school(code="b", students=100, level=lv, teaching_area_m2=53, county="c")
        for lv in ("primary", "junior")
    ]
    r = compute_balance(table(*rows))
    k = CODES.index("teaching_area_m2")
    p, j = r.find("c", "primary"), r.find("c", "junior")
    assert r.cv[p, k] == pytest.approx(0.47) and r.cv[j, k] == pytest.approx(0.47)
    assert r.cv_pass[p, k] and not r.cv_pass[j, k]


def test_every_indicator_must_pass_not_their_mean():
    # six indicators identical across schools (CV 0), one with CV 0.6 → mean 0.086 but a fail
    rows = [
        school(code="a", students=100, equipment_value_yuan=100 * 8000),
        school(code="b", students=100, equipment_value_yuan=100 * 2000),
    ]
    r = compute_balance(table(*rows))
    k = CODES.index("equipment_value_yuan")
    assert r.cv[0, k] == pytest.approx(0.6)
    assert r.composite[0] == pytest.approx(0.6 / 7)
    assert r.quality_verdict[0] == FAIL
    assert r.basic_verdict[0] == PASS
    assert r.composite_basis == "quality7"
    assert any("生均教学仪器设备值差异系数0.6000" in s for s in r.reasons(0))


def test_basic_balance_uses_the_eight_indicators_when_columns_exist():
    extra = {"computers": 10, "books": 3000, "teachers": 6, "teachers_mid_title": 3}
    rows = [
        school(code="a", students=100, books=100 * 30, **{k: v for k, v in extra.items() if k != "books"}),
        school(code="b", students=100, books=100 * 10, **{k: v for k, v in extra.items() if k != "books"}),
    ]
    r = compute_balance(table(*rows))
    assert r.composite_basis == "basic8"
    # books: CV = 20/40 = 0.5; the other seven basic indicators are equal across schools
    assert r.basic_cv[0] == pytest.approx([0, 0, 0, 0, 0.5, 0, 0, 0])
    assert r.composite[0] == pytest.approx(0.5 / 8)


def test_composite_above_threshold_fails_basic_balance():
    rows = [
        school(code="a", students=100, **{c: v * 5 for c, v in AT_STANDARD_PRIMARY.items()}),
        school(code="b", students=100, **{c: v / 10 for c, v in AT_STANDARD_PRIMARY.items()}),
    ]
    r = compute_balance(table(*rows))
    assert r.composite[0] == pytest.approx(4.9 / 5.1)
    assert r.basic_verdict[0] == FAIL


# ---- bad input ---------------------------------------------------------------------------------
def test_zero_students_school_is_excluded_not_a_division_by_zero():
    rows = [school(code="a"), school(code="empty", students=0)]
    r = compute_balance(table(*rows))
    assert list(r.status) == [0, 1]
    assert r.n_used[0] == 1 and r.quality_verdict[0] == PASS
    assert "在校生数为0" in r.problem[1]


@pytest.mark.parametrize("bad", [{"sports_area_m2": -5}, {"sports_area_m2": None}, {"students": None}])
def test_negative_or_missing_figure_makes_the_county_insufficient(bad):
    rows = [school(code="a"), school(code="b", **bad)]
    r = compute_balance(table(*rows))
    assert r.quality_verdict[0] == INSUFFICIENT and r.basic_verdict[0] == INSUFFICIENT
    assert r.status[1] == 2 and r.problem[1]
    assert "不能作出判定" in r.reasons(0)[0]


def test_duplicate_school_codes_are_flagged_in_the_same_county_only():
    rows = [school(code="a", county="c1"), school(code="a", county="c1"), school(code="a", county="c2")]
    r = compute_balance(table(*rows))
    assert list(r.status) == [2, 2, 0]
    assert "重复" in r.problem[0]
    assert r.quality_verdict[r.find("c1", PRIMARY)] == INSUFFICIENT
    assert r.quality_verdict[r.find("c2", PRIMARY)] == PASS


def test_single_school_county_has_coefficient_zero_and_says_so():
    r = compute_balance(table(school()))
    assert list(r.cv[0]) == [0.0] * 7
    assert any("仅1所学校" in s for s in r.reasons(0))


def test_resource_absent_everywhere_gives_unknown_cv_and_fail_without_nan_in_report():
    rows = [school(code="a", multimedia_rooms=0), school(code="b", multimedia_rooms=0)]
    r = compute_balance(table(*rows))
    k = CODES.index("multimedia_rooms")
    assert not r.cv_known[0, k] and r.quality_verdict[0] == FAIL
    report = r.group_report(0)
    json.dumps(report, allow_nan=False)  # raises if a NaN slipped through
    assert report["indicators"][k]["cv"] is None


def test_from_records_names_the_bad_record():
    with pytest.raises(ValueError, match="第2条记录 level"):
        table(school(), school(level="高中"))
    with pytest.raises(ValueError, match="第1条记录 students：“many”不是数字"):
        table(school(students="many"))


def test_empty_table():
    r = compute_balance(table())
    assert len(r) == 0


def test_vectorised_run_equals_county_by_county():
    rng = np.random.default_rng(7)
    rows = []
    for c in range(6):
        for s in range(int(rng.integers(1, 9))):
            lv = ("primary", "junior")[s % 2]
            figs = {k: float(v * rng.uniform(0.5, 1.6)) for k, v in AT_STANDARD_PRIMARY.items()}
            rows.append(
                school(county=f"c{c}", code=f"s{s}", level=lv, students=int(rng.integers(20, 2000)), **figs)
            )
    whole = compute_balance(table(*rows))
    for g in range(len(whole)):
        part = [r for r in rows if r["county_code"] == whole.county[g]]
        one = compute_balance(table(*part))
        h = one.find(str(whole.county[g]), int(whole.level[g]))
        np.testing.assert_allclose(whole.cv[g], one.cv[h], rtol=1e-12)
        assert whole.quality_verdict[g] == one.quality_verdict[h]


# ---- CSV and CLI -------------------------------------------------------------------------------
HEADER = "county_code,school_code,level,students," + ",".join(CODES)


def csv_line(county, code, level, students, figures):
    return ",".join([county, code, level, str(students), *(str(figures[c]) for c in CODES)])


def test_cli_json_reports_coefficients_schools_and_verdict(tmp_path, capsys):
    lines = [HEADER]
    for i, (p, b) in enumerate(zip(WORKED_STUDENTS, WORKED_BOOKS, strict=True)):
        lines.append(csv_line("340207", f"s{i}", "小学", p, {c: b for c in CODES}))
    path = tmp_path / "schools.csv"
    path.write_text("\ufeff" + "\n".join(lines) + "\n", encoding="utf-8")
    assert main([str(path), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    (grp,) = doc["groups"]
    assert grp["county_code"] == "340207" and grp["level"] == "primary"
    assert [i["cv"] for i in grp["indicators"]] == [0.515257] * 7
    assert grp["quality_verdict"] == "fail"
    assert len(grp["school_list"]) == 5 and all(s["standards_met"] is not None for s in grp["school_list"])


def test_cli_text_output(tmp_path, capsys):
    path = tmp_path / "s.csv"
    path.write_text(
        "\n".join([HEADER, csv_line("c", "a", "junior", 1000, AT_STANDARD_JUNIOR)]), encoding="utf-8"
    )
    assert main([str(path)]) == 0
    out = capsys.readouterr().out
    assert "初中" in out and "7/7项达标" in out and "优质均衡资源配置：达标" in out


def test_cli_rejects_bad_file_with_row_and_column(tmp_path, capsys):
    bad = csv_line("c", "a", "高中", 100, AT_STANDARD_PRIMARY)
    text = csv_line("c", "b", "primary", "many", AT_STANDARD_PRIMARY)
    path = tmp_path / "bad.csv"
    path.write_text("\n".join([HEADER, bad, text]), encoding="utf-8")
    assert main([str(path), "--json"]) == 2
    err = capsys.readouterr().err
    assert "第2行 level" in err and "第3行 students" in err


def test_csv_missing_columns(tmp_path):
    path = tmp_path / "m.csv"
    path.write_text("county_code,school_code\nc,a\n", encoding="utf-8")
    with pytest.raises(CsvError, match="missing columns: level"):
        read_schools_csv(path)


def test_csv_optional_basic_columns_are_read(tmp_path):
    path = tmp_path / "b.csv"
    row = csv_line("c", "a", "primary", 100, AT_STANDARD_PRIMARY) + ",1,2,3,4"
    path.write_text(HEADER + "," + ",".join(BASIC_EXTRA_COLUMNS) + "\n" + row, encoding="utf-8")
    t = read_schools_csv(path)
    assert t.resources["teachers_mid_title"][0] == 4 and t.rows[0] == 2
    assert t.level[0] == PRIMARY and JUNIOR == 1


def test_same_code_in_both_levels_is_a_nine_year_school_not_a_duplicate():
    r = compute_balance(table(school(code="a"), school(code="a", level="junior")))
    assert list(r.status) == [0, 0]


# ---- properties --------------------------------------------------------------------------------

schools_st = st.lists(
    # resources are real-world figures: zero or at least a thousandth of a unit (no denormals)
    st.tuples(st.integers(1, 5000), st.one_of(st.just(0.0), st.floats(1e-3, 1e7))),
    min_size=1,
    max_size=30,
)


@given(schools_st)
@settings(max_examples=300)
def test_cv_equals_the_published_formula_computed_directly(schools):
    students = [p for p, _ in schools]
    resource = [r for _, r in schools]
    P, R = sum(students), sum(resource)
    if R == 0:
        with pytest.raises(ValueError, match="均值为0"):
            coefficient(students, resource)
        return
    xbar = R / P
    sd = math.sqrt(sum(p / P * (r / p - xbar) ** 2 for p, r in schools))
    assert coefficient(students, resource) == pytest.approx(sd / xbar, rel=1e-9, abs=1e-12)


@given(schools_st, st.floats(0.01, 1000))
@settings(max_examples=200)
def test_cv_does_not_depend_on_the_unit(schools, factor):
    students = [p for p, _ in schools]
    resource = [r for _, r in schools]
    if sum(resource) == 0:
        return
    scaled = [r * factor for r in resource]
    assert coefficient(students, scaled) == pytest.approx(
        coefficient(students, resource), rel=1e-9, abs=1e-12
    )
