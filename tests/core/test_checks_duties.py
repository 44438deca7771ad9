"""The checks of issue #13 Part B 2–4 against hand-worked figures, at the threshold and one recorded unit
off it (figures carry 4 decimals; amounts in 万元 are exact to the yuan)."""

from __future__ import annotations

import numpy as np
import pytest

from dutyeval.core.balance import JUNIOR, PRIMARY, QUALITY_INDICATORS, SchoolTable, compute_balance
from dutyeval.core.catalogue import default_catalogue, year_label
from dutyeval.core.checks import CHECKS, FAIL, INSUFFICIENT, PASS, CheckError, default_thresholds, run_check
from dutyeval.core.checks_duties import balance_figures, with_balance
from dutyeval.core.expr import Dataset
from dutyeval.core.schemefile import KNOWN_CHECKS

P, F, I = PASS, FAIL, INSUFFICIENT  # noqa: E741
# 郑州 (Henan), 济南 (Shandong: 710/910 元), 南京 (Jiangsu), 成都 (Sichuan); 2023 standards 650/850 elsewhere
REGIONS = ["410102", "370102", "320102", "510104"]


def make(figures: dict[str, list], year_shift=None) -> Dataset:
    """Figures for 2023, or (2022, 2023) pairs; None is missing."""
    values = {}
    for code, per_region in figures.items():
        rows = [v if isinstance(v, tuple) else (None, v) for v in per_region]
        values[code] = np.array([[np.nan if x is None else x for x in r] for r in rows], float)
    return Dataset(REGIONS, 2022, 2, values, year_shift=year_shift)


def verdicts(name, ds, **params):
    return list(run_check(name, ds, 2023, params).verdict)


CASES = [
    # 三个增长: education spending grows 10 %; revenue by one recorded unit (1 元) less than 10 % passes,
    # exactly 10 % fails ("高于" is strict), one unit more fails; a missing year is insufficient
    ("three_growths", {"edu_exp_budget": [(1000, 1100)] * 4,
                       "fiscal_recurrent_revenue": [(1000, 1099.9999), (1000, 1100), (1000, 1100.0001), (None, 1)]},
     {}, [P, F, F, I]),  # fmt: skip
    # …and 1 元 more education spending against equal revenue growth passes
    ("three_growths", {"edu_exp_budget": [(1000, 1100.0001), (1000, 1100.0000), (0, 5), (1000, 900)],
                       "fiscal_recurrent_revenue": [(1000, 1100)] * 4}, {}, [P, F, I, F]),  # fmt: skip
    # 两项附加 used for education: scheme states 100 %
    ("edu_surcharge_use", {"edu_surcharge_to_edu": [500, 499.9999, 600, None], "edu_surcharge": [500, 500, 500, 500]},
     {"threshold": 100}, [P, F, P, I]),  # fmt: skip
    # 民办义务教育 ≤ 5 % of primary + junior pupils: 50 of 1000 passes, 51 fails; a reported rate wins
    ("private_compulsory_share", {"enrol_compulsory_private": [50, 51, 51, None],
                                  "enrol_primary": [600, 600, 600, 600], "enrol_junior": [400, 400, 400, 400],
                                  "private_compulsory_share": [None, None, 5.0, 5.0001]},
     {"threshold": 5}, [P, F, P, F]),  # fmt: skip
    # 课后服务 by school: 30 of 20 + 10 schools
    ("after_school_coverage", {"schools_after_school": [30, 29, None, 31], "schools_primary": [20] * 4,
                               "schools_junior": [10] * 4, "after_school_coverage": [None, None, 100, None]},
     {"threshold": 100}, [P, F, P, I]),  # 31 of 30 schools is a data error  # fmt: skip
    ("physical_health_pass_rate", {"physical_health_pass_rate": [90, 89.9999, 100, 100.0001]},
     {"threshold": 90}, [P, F, P, I]),  # fmt: skip
    # myopia falls by at least 0.5 points on the previous school year
    ("myopia_decrease", {"myopia_rate": [(50, 49.5), (50, 49.5001), (50, 51), (None, 40)]},
     {"threshold": 0.5}, [P, F, F, I]),  # fmt: skip
    ("safe_campus_rate", {"safe_campus_rate": [95, 94.9999, None, 101]}, {"threshold": 95}, [P, F, I, I]),
    ("dual_teacher_share", {"teachers_voc_dual": [100, 99, 0, 1], "teachers_voc_specialist": [200, 200, 0, 200]},
     {"threshold": 50}, [P, F, I, F]),  # fmt: skip
    # posts filled within the quota: 1000 of 1000 passes, 1001 fails
    ("staffing_quota", {"staff_in_quota_compulsory": [1000, 1001, 0, None], "staff_quota_compulsory": [1000] * 4},
     {"threshold": 100}, [P, F, P, I]),  # fmt: skip
    # non-staff kindergarten teachers' pay ≥ 75 % of staff pay: 45000 of 60000; 1 分 less fails
    ("kg_nonstaff_pay", {"kg_teacher_pay_nonstaff": [45000, 44999.99, 60000, None],
                         "kg_teacher_pay_staff": [60000] * 4}, {"threshold": 75}, [P, F, P, I]),  # fmt: skip
    # kindergarten classes within the size rule ≥ 85 % (default): 15 of 100 too big passes, 16 fails
    ("kg_class_size", {"kg_classes_oversize": [15, 16, 0, None], "kg_classes": [100, 100, 100, 100]}, {},
     [P, F, P, I]),  # fmt: skip
    ("senior_large_class_share", {"classes_senior_large": [10, 11, 0, 1], "classes_senior": [100, 100, 100, 0]},
     {"threshold": 10}, [P, F, P, I]),  # fmt: skip
    # teacher training ≥ 5 % of the schools' public funds budget (default): 50 of 1000 万元; 1 元 less fails
    ("training_funds_pub_share", {"school_training_funds": [50, 49.9999, 50.0001, None],
                                  "school_pub_funds_budget": [1000] * 4}, {}, [P, F, P, I]),  # fmt: skip
]


@pytest.mark.parametrize("name,figures,params,expected", CASES)
def test_check_at_the_threshold_and_one_recorded_unit_off(name, figures, params, expected):
    assert verdicts(name, make(figures), **params) == expected


@pytest.mark.parametrize(
    "name",
    ["edu_surcharge_use", "private_compulsory_share", "after_school_coverage", "physical_health_pass_rate",
     "myopia_decrease", "safe_campus_rate", "dual_teacher_share", "staffing_quota", "kg_nonstaff_pay",
     "senior_large_class_share"],
)  # fmt: skip
def test_weakly_sourced_checks_need_the_schemes_threshold(name):
    spec = default_thresholds().specs[name]
    assert spec.scheme_must_state() and spec.entries[0].confidence == "L"
    figures = next(f for n, f, _p, _e in CASES if n == name)
    res = run_check(name, make(figures), 2023)
    assert list(res.verdict) == [I] * 4
    assert res.at(0).note == "该项没有国家标准，评价方案须规定threshold"


def test_three_growths_names_the_years_each_element_belongs_to():
    # finance collected for the year before the data year: the dataset stores it at 2023 with a shift of 1
    ds = make({"edu_exp_budget": [(1000, 1100)] * 4, "fiscal_recurrent_revenue": [(1000, 1050)] * 4},
              year_shift={"edu_exp_budget": 1, "fiscal_recurrent_revenue": 1})  # fmt: skip
    out = run_check("three_growths", ds, 2023).at(0)
    assert "（2022年比2021年）" in out.rule and out.verdict == "pass"
    assert out.value == pytest.approx(5.0) and out.comparison() == "计算值5个百分点，标准高于0个百分点"


def test_myopia_compares_school_years():
    out = run_check("myopia_decrease", make({"myopia_rate": [(50, 49)] * 4}), 2023, {"threshold": 0.5}).at(0)
    assert "2023/2024学年比2022/2023学年下降不少于0.5个百分点" in out.rule
    assert [f.year_label for f in out.figures] == ["2023/2024学年", "2022/2023学年"]


def test_two_no_decrease_rules_name_finance_and_school_years():
    ds = make({"edu_exp_budget": [(100, 101)] * 4, "enrol_total": [(10, 10)] * 4},
              year_shift={"edu_exp_budget": 1})  # fmt: skip
    assert "2022年比2021年" in run_check("two_no_decrease_total", ds, 2023).at(0).rule
    rule = run_check("two_no_decrease_per_student", ds, 2023).at(0).rule
    assert "2022年（在校生2023/2024学年）比2021年（在校生2022/2023学年）" in rule


def test_year_labels_follow_the_catalogue():
    cat = default_catalogue()
    assert cat["edu_exp_budget"].year_kind == "finance" and cat["enrol_total"].year_kind == "school"
    assert cat["teacher_pay_compulsory"].year_kind == "finance" and cat["teachers_compulsory"].year_kind == "school"
    assert year_label(2020, "school") == "2020/2021学年" and year_label(2020) == "2020年"
    assert all(e.year_kind in ("finance", "school") for e in cat.elements)


# ---- 生均公用经费: standard vs actual disbursement --------------------------------------------
# 1000 primary + 500 junior pupils, 200 boarders, 3 small schools with 150 pupils (funded as 300), 20 in
# a special school. 成都 2023 (650/850): 650000 + 425000 + 200×200 + 150×650 + 20×6000 = 1332500 元.
# 济南 (Shandong 710/910): 710000 + 455000 + 40000 + 150×710 + 120000 = 1431500 元.
COUNTS = {"enrol_primary": [1000] * 4, "enrol_junior": [500] * 4, "enrol_boarding": [200, 200, None, 200],
          "small_schools": [3] * 4, "enrol_small_schools": [150] * 4, "enrol_special_school": [20] * 4}  # fmt: skip


def test_disbursement_against_the_standard_with_extras():
    ds = make({**COUNTS, "pub_funds_disbursed": [133.2499, 143.15, 200, 133.25]})
    res = run_check("public_funds_disbursed", ds, 2023)
    assert list(res.verdict) == [F, P, I, P]  # 郑州 1 元 short; 南京 has no boarding figure
    assert res.value[3] == pytest.approx(100.0)
    assert res.value[1] == pytest.approx(100.0)
    assert "小学650元、初中850元" in res.at(3).rule and "小学710元、初中910元" in res.at(1).rule
    assert "不足100人的村小学和教学点按100人" in res.at(3).rule


def test_disbursement_parameters_come_from_the_scheme():
    # 700/900, boarding 300, special 7000: 700000 + 450000 + 60000 + 150×700 + 140000 = 1455000 元
    params = {"primary": 700, "junior": 900, "boarding": 300, "special": 7000}
    ds = make({**COUNTS, "pub_funds_disbursed": [145.5, 145.4999, 145.5, 145.5]})
    assert verdicts("public_funds_disbursed", ds, **params) == [P, F, I, P]
    # no floor: the small schools are funded by their own 150 pupils only, 97500 元 less
    assert run_check("public_funds_disbursed", ds, 2023, {**params, "floor": 0}).value[0] == pytest.approx(
        1455000 / (1455000 - 150 * 700) * 100
    )
    with pytest.raises(CheckError):
        run_check("public_funds_disbursed", ds, 2023, {"boarding": "两百"})


# ---- balance: 差异系数 from school records ---------------------------------------------------
def _table(groups):
    """groups: (county, level, [(students, resource)]) with one resource for all 7 indicators."""
    rows = [(c, lv, s, r) for c, lv, schools in groups for s, r in schools]
    return SchoolTable(
        county=[r[0] for r in rows], school=[str(i) for i in range(len(rows))], level=[r[1] for r in rows],
        students=[r[2] for r in rows], resources={i.code: [r[3] for r in rows] for i in QUALITY_INDICATORS},
    )  # fmt: skip


# The published worked example (STANDARDS §1.2): 5 schools 45/279, 37/137, 89/935, 76/160, 55/402 → CV 0.5153.
# Two schools of 100 pupils with x = 1 ∓ a have X̄ = 1, S = a, so CV = a: 0.45 exactly, 0.4501, 0.1.
WORKED = [(45, 279), (37, 137), (89, 935), (76, 160), (55, 402)]
SCHOOLS = _table([
    ("410102", PRIMARY, WORKED), ("410102", JUNIOR, [(100, 90), (100, 110)]),
    ("370102", PRIMARY, [(100, 90), (100, 110)]), ("370102", JUNIOR, [(100, 55), (100, 145)]),
    ("510104", PRIMARY, [(100, 90), (100, 110)]), ("510104", JUNIOR, [(100, 54.99), (100, 145.01)]),
])  # fmt: skip


def test_balance_figures_are_the_hand_computed_coefficients():
    figs = balance_figures(compute_balance(SCHOOLS))
    assert figs[("410102", "balance_cv_max_primary")] == pytest.approx(0.5153, abs=5e-5)
    assert figs[("410102", "balance_cv_max_junior")] == pytest.approx(0.1)
    assert figs[("370102", "balance_cv_max_junior")] == pytest.approx(0.45)
    assert figs[("510104", "balance_cv_max_junior")] == pytest.approx(0.4501)


def test_balance_check_national_thresholds_by_level():
    ds = with_balance(make({}), compute_balance(SCHOOLS), 2023)
    # 郑州 primary 0.5153 > 0.50; 济南 junior exactly 0.45 passes; 成都 junior 0.4501 fails; 南京 no schools
    assert verdicts("balance_cv", ds) == [F, P, I, F]
    assert verdicts("balance_cv", ds, level="junior") == [P, P, I, F]
    out = run_check("balance_cv", ds, 2023, {"level": "primary"}).at(0)
    assert out.value == pytest.approx(0.5153, abs=5e-5) and out.threshold == 0.5
    assert out.figures[0].name == "小学校际差异系数（7项指标中的最大值）"
    # a scheme quoting its own targets (Zhejiang's report: 小学 0.29, 初中 0.24)
    assert verdicts("balance_cv", ds, threshold={"primary": 0.29, "junior": 0.24}) == [F, F, I, F]
    # 综合差异系数 (mean of the 7, equal here) against the basic-balance 0.65 / 0.55
    assert verdicts("balance_cv_composite", ds) == [P, P, I, P]


def test_every_check_is_known_to_the_scheme_validator_and_cites_a_source():
    assert set(KNOWN_CHECKS) == set(CHECKS)
    for name, spec in default_thresholds().specs.items():
        assert spec.entries[0].source and spec.entries[0].confidence in ("H", "M", "L"), name


# ---- what a scheme file may say ----------------------------------------------------------------
def _scheme(rule: dict) -> dict:
    return {
        "code": "t-2021-county", "version": 1, "title": "测试方案", "issuer": "测试督导办", "doc_number": "测〔2021〕1号",
        "year": 2021, "level": "county", "total_points": 10,
        "grade_bands": [{"name": "合格", "min_score": 6}, {"name": "不合格", "min_score": 0}],
        "indicators": [{"code": "1", "title": "投入", "points": 10,
                        "children": [{"code": "1.1", "title": "检查", "points": 10, "rule": rule}]}],
    }  # fmt: skip


def _errors(rule: dict) -> list[str]:
    from dutyeval.core.schemefile import SchemeFileError, parse_scheme

    try:
        parse_scheme(_scheme(rule))
    except SchemeFileError as err:
        return err.errors
    return []


def test_scheme_files_state_weak_thresholds_and_may_leave_national_ones():
    assert _errors({"kind": "check", "check": "balance_cv", "params": {"level": "both"}}) == []
    assert _errors({"kind": "check", "check": "balance_cv", "params": {"level": "junior", "threshold": 0.24}}) == []
    assert _errors({"kind": "check", "check": "training_funds_pub_share"}) == []
    missing = _errors({"kind": "check", "check": "private_compulsory_share"})
    assert len(missing) == 1 and "threshold" in missing[0]
    assert _errors({"kind": "check", "check": "private_compulsory_share", "params": {"threshold": 5}}) == []
    bad = _errors({"kind": "check", "check": "public_funds_disbursed", "params": {"boarding": "两百", "flor": 100}})
    assert len(bad) == 2
    assert _errors({"kind": "check", "check": "public_funds_disbursed",
                    "params": {"boarding": 300, "floor": 100, "special": 7000}}) == []  # fmt: skip
