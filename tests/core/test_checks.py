"""Statutory checks against hand-worked figures (thresholds: STANDARDS.md via thresholds.yaml)."""

from __future__ import annotations

import numpy as np
import pytest

from dutyeval.core.checks import (
    CHECKS,
    FAIL,
    INSUFFICIENT,
    PASS,
    CheckError,
    Thresholds,
    default_thresholds,
    run_all,
    run_check,
)
from dutyeval.core.expr import Dataset

P, F, I = PASS, FAIL, INSUFFICIENT  # noqa: E741
# Four counties: 郑州 (Henan, central), 济南 (Shandong, east, own standard), 南京 (Jiangsu, east),
# 成都 (Sichuan, west). Years 2022 and 2023; figures are for 2023 unless given as (2022, 2023).
REGIONS = ["410102", "370102", "320102", "510104"]


def make(figures: dict[str, list], first_year=2022) -> Dataset:
    values = {}
    for code, per_region in figures.items():
        rows = [v if isinstance(v, tuple) else (np.nan, v) for v in per_region]
        values[code] = np.array([[np.nan if x is None else x for x in r] for r in rows], float)
    return Dataset(REGIONS, first_year, 2, values)


def verdicts(name, ds, year=2023, **params):
    return list(run_check(name, ds, year, params).verdict)


@pytest.mark.parametrize(
    "name,figures,params,expected",
    [
        # 两个只增不减, total: equal counts as not decreasing; a missing year is insufficient
        (
            "two_no_decrease_total",
            {"edu_exp_budget": [(100, 101), (100, 100), (100, 99.99), (None, 5)]},
            {},
            [P, P, F, I],
        ),
        # per student, primary: reported figure, or 万元 total × 10000 ÷ enrolment when absent
        (
            "two_no_decrease_per_student",
            {
                "per_student_budget_primary": [(10000, 10001), (10000, 9999), (None, None), (None, 12000)],
                "edu_exp_budget_primary": [(0, 0), (0, 0), (1000, 1100), (1200, 0)],
                "enrol_primary": [(0, 0), (0, 0), (1000, 1000), (1000, 1)],
            },
            {"level": "primary"},
            [P, F, P, P],  # 南京: 10000 → 11000 元 derived; 成都: 12000 reported vs 12000 derived
        ),
        (
            "teacher_pay_parity",
            {
                "teacher_pay_compulsory": [90000, 89999, 90000, None],
                "civil_servant_pay": [90000, 90000, 0, 1],
            },
            {},
            [P, F, I, I],
        ),
        # no national share of payroll: only Henan (郑州) has a default, 1.5 % (15/1000 passes);
        # elsewhere the scheme must state it, so a run without one cannot judge
        (
            "training_funds_share",
            {"training_funds": [15, 30, 1, 30], "teacher_payroll": [1000, 1000, 0, 1000]},
            {},
            [P, I, I, I],
        ),
        (
            "training_funds_share",
            {"training_funds": [15, 14.99, 1, 30], "teacher_payroll": [1000, 1000, 0, 1000]},
            {"threshold": 1.5},
            [P, F, I, P],
        ),
        (
            "training_funds_share",
            {"training_funds": [15, 25, 1, 30], "teacher_payroll": [1000, 1000, 0, 1000]},
            {"threshold": 2.5},
            [F, P, I, P],
        ),
        # 2023 standards: 郑州 650/850 (national after 2020), 济南 710/910, 南京 650/850, 成都 650/850
        (
            "per_student_public_funds",
            {
                "per_student_pub_primary": [650, 709, 650, 649],
                "per_student_pub_junior": [850, 910, 849, None],
            },
            {},
            [P, F, F, F],
        ),
        (
            "per_student_public_funds",
            {
                "per_student_pub_primary": [650, 710, 650, None],
                "per_student_pub_junior": [850, 910, 850, 900],
            },
            {},
            [P, P, P, I],
        ),
        (
            "per_student_public_funds",
            {"per_student_pub_junior": [850, 909, 849, None]},
            {"level": "junior"},
            [P, F, F, I],
        ),
        # gross rates may exceed 100 % (126 % in seed 001)
        ("preschool_gross_enrolment", {"gross_enrol_preschool": [85, 84.99, 126, None]}, {}, [P, F, P, I]),
        ("senior_gross_enrolment", {"gross_enrol_senior": [90, 89.9, 101.5, None]}, {}, [P, F, P, I]),
        # share rates: reported, else derived from enrolments; above 100 % is a data error
        (
            "preschool_public_share",
            {
                "public_kg_share": [50, None, 101, None],
                "enrol_preschool_public": [0, 499, 0, None],
                "enrol_preschool": [0, 1000, 0, 1000],
            },
            {},
            [P, F, I, I],
        ),
        (
            "preschool_affordable_coverage",
            {
                "affordable_kg_coverage": [None, None, 79.9, 80],
                "enrol_preschool_public": [500, 500, 0, 0],
                "enrol_preschool_affordable": [300, 299, 0, 0],
                "enrol_preschool": [1000, 1000, 0, 0],
            },
            {},
            [P, F, F, P],
        ),
        ("compulsory_retention", {"retention_compulsory": [95, 94.9, 109.74, 100]}, {}, [P, F, I, P]),
        (
            "disabled_enrolment",
            {
                "disabled_enrol_rate": [None, 96, None, None],
                "disabled_children_enrolled": [95, 0, 94, 5],
                "disabled_children": [100, 0, 100, 0],
            },
            {},
            [P, P, F, I],
        ),
        # 56+ share ≤ 5 %: 4 + 1 of 100 passes; 5 + 1 fails; only 56–65 with include_super_large=False
        (
            "large_class_share",
            {
                "classes_large": [4, 5, 5, 1],
                "classes_super_large": [1, 1, None, 0],
                "classes_compulsory": [100, 100, 100, 0],
            },
            {},
            [P, F, I, I],
        ),
        (
            "large_class_share",
            {
                "classes_large": [4, 5, 5, 1],
                "classes_super_large": [1, 1, None, 0],
                "classes_compulsory": [100, 100, 100, 0],
            },
            {"include_super_large": False},
            [P, P, P, I],
        ),
        ("super_large_class_share", {"classes_super_large": [0, 1, None, 0]}, {}, [P, F, I, P]),
        # vocational intake share of senior-secondary intake ≥ the scheme's figure (none by default)
        (
            "vocational_share",
            {"intake_vocational": [400, 399, 0, 700], "intake_senior": [600, 601, 0, 300]},
            {},
            [I, I, I, I],
        ),
        (
            "vocational_share",
            {"intake_vocational": [400, 399, 0, 700], "intake_senior": [600, 601, 0, 300]},
            {"threshold": 40},
            [P, F, I, P],
        ),
        (
            "vocational_share",
            {"intake_vocational": [400, 399, 0, 700], "intake_senior": [600, 601, 0, 300]},
            {"threshold": 40, "max": 60},
            [P, F, I, F],
        ),
    ],
)
def test_check_verdicts(name, figures, params, expected):
    assert verdicts(name, make(figures), **params) == expected


def test_teacher_pay_can_compare_the_previous_year():
    ds = make(
        {
            "teacher_pay_compulsory": [(90, 80), (89, 99), (None, 1), (5, 5)],
            "civil_servant_pay": [(90, 90)] * 4,
        }
    )
    assert verdicts("teacher_pay_parity", ds, year_offset=-1) == [P, F, I, F]
    assert "2022年义务教育教师" in run_check("teacher_pay_parity", ds, 2023, {"year_offset": -1}).at(0).rule


def test_outcome_carries_figures_rule_source_and_note():
    ds = make({"retention_compulsory": [95, 94.9, 109.74, None]})
    res = run_check("compulsory_retention", ds, 2023)
    ok, bad, err, none = (res.at(i) for i in range(4))
    assert ok.verdict == "pass" and ok.value == 95 and ok.threshold == 95
    assert ok.rule.startswith("九年义务教育巩固率不低于95%")
    assert ok.figures[0].code == "retention_compulsory" and ok.figures[0].name == "九年义务教育巩固率"
    assert ok.figures[0].year == 2023 and ok.confidence == "H"
    assert bad.verdict == "fail"
    assert err.verdict == "insufficient" and "超过100%" in err.note and err.value is None
    assert (
        none.verdict == "insufficient" and none.note == "缺少计算所需的数据" and none.figures[0].value is None
    )


def test_two_no_decrease_rule_names_the_years_and_growth():
    ds = make({"edu_exp_budget": [(100, 110), (100, 90), (0, 0), (None, 1)]})
    res = run_check("two_no_decrease_total", ds, 2023)
    out = res.at(1)
    assert out.value == pytest.approx(-10.0) and out.verdict == "fail"
    assert "2023年比2022年" in out.rule
    assert [(f.year, f.value) for f in out.figures] == [(2023, 90.0), (2022, 100.0)]
    assert res.at(2).verdict == "pass" and res.at(2).value is None  # 0 → 0: no growth rate, no decrease


def test_per_student_all_levels_skips_levels_without_any_figure():
    ds = make(
        {
            "per_student_budget_primary": [(100, 100), (100, 99), (100, None), (None, None)],
            "per_student_budget_junior": [(200, 201), (200, 200), (200, 200), (None, None)],
        }
    )
    assert verdicts("two_no_decrease_per_student", ds, level="each") == [P, F, I, I]


def test_per_student_no_decrease_is_measured_over_all_students_by_default():
    # 国办发〔2018〕82号: 按在校学生人数平均 — all levels together, 万元 × 10000 ÷ total enrolment:
    #   郑州 50000 ÷ 40000 = 12500 元 → 52000 ÷ 42000 = 12380.95 元: falls (the total rose 4 %): fail
    #   济南 12500 → 51000 ÷ 40800 = 12500 元 exactly: pass
    #   南京 reported 12500 → 12500.0001 元: pass
    #   成都 12500 → 50999.9999 ÷ 40800 = 12499.9975 元: 1 元 of the total less, beyond 0.5 元: fail
    ds = make(
        {
            "edu_exp_budget": [(50000, 52000), (50000, 51000), (None, None), (50000, 50999.9999)],
            "enrol_total": [(40000, 42000), (40000, 40800), (None, None), (40000, 40800)],
            "per_student_budget": [(None, None), (None, None), (12500, 12500.0001), (None, None)],
        }
    )
    res = run_check("two_no_decrease_per_student", ds, 2023)
    assert list(res.verdict) == [F, P, P, F]
    assert verdicts("two_no_decrease_total", ds) == [P, P, I, P]  # the total alone misses both falls
    out = res.at(0)
    assert out.value == pytest.approx((12380.952381 - 12500) / 12500 * 100)  # −0.952 %
    assert "各级各类教育合计" in out.rule and "enrol_total" in {f.code for f in out.figures}
    assert verdicts("two_no_decrease_per_student", make({"edu_exp_budget": [(1, 1)] * 4})) == [I] * 4


def test_per_student_public_funds_by_year_and_province():
    figures = {
        "per_student_pub_primary": [600, 650, 650, 600],
        "per_student_pub_junior": [800, 850, 850, 800],
    }
    ds19, ds = make(figures, first_year=2018), make(figures)
    # 2019: central/west 600/800; Shandong 710/910 from 2017; Jiangsu (east) 650/850
    assert verdicts("per_student_public_funds", ds19, year=2019) == [P, F, P, P]
    res = run_check("per_student_public_funds", ds19, 2019)
    assert "小学710元、初中910元" in res.at(1).rule and "山东" in res.at(1).source
    # 2023: everybody at least 650/850
    assert verdicts("per_student_public_funds", ds, year=2023) == [F, F, P, F]


def test_per_student_public_funds_other_levels():
    ds = make(
        {"per_student_pub_preschool": [500, 499, None, 900], "per_student_pub_senior": [1000, 999, 5, None]}
    )
    assert verdicts("per_student_public_funds", ds, level="preschool") == [P, F, I, P]
    assert run_check("per_student_public_funds", ds, 2023, {"level": "preschool"}).at(2).threshold == 500
    with pytest.raises(CheckError, match="没有“senior”的法定标准"):
        run_check("per_student_public_funds", ds, 2023, {"level": "senior"})
    assert verdicts("per_student_public_funds", ds, level="senior", threshold=1000) == [P, F, F, I]


def test_threshold_overrides_most_specific_wins():
    th = Thresholds(
        {
            "preschool_gross_enrolment": {
                "value": 85,
                "op": ">=",
                "unit": "%",
                "source": "national",
                "confidence": "H",
                "overrides": [
                    {"regions": ["410102"], "value": 95, "source": "county"},
                    {"regions": ["41"], "years": [2021, None], "value": 90, "source": "Henan"},
                    {"regions": ["4101"], "years": [2030, 2031], "value": 99, "source": "city, later"},
                ],
            }
        }
    )
    regions = np.array(["410102", "410105", "410201", "370102"])
    spec = th.specs["preschool_gross_enrolment"]

    def values(year):
        return [spec.entries[i].value for i in th.resolve("preschool_gross_enrolment", regions, year)]

    assert [spec.entries[i].source for i in th.resolve("preschool_gross_enrolment", regions, 2023)] == [
        "county",
        "Henan",
        "Henan",
        "national",
    ]
    assert values(2020) == [95, 85, 85, 85]  # the Henan rule starts in 2021
    assert values(2030) == [95, 99, 90, 85]  # county beats city beats province
    assert values(2032) == [95, 90, 90, 85]


def test_thresholds_file_covers_every_check_with_a_source():
    th = default_thresholds()
    assert set(th.specs) == set(CHECKS)
    for spec in th.specs.values():
        for e in spec.entries:
            assert e.source and e.confidence in ("H", "M", "L")
    assert th.specs["training_funds_share"].entries[0].provincial


def test_bad_configuration_is_a_check_error():
    ds = make({})
    with pytest.raises(CheckError, match="未知的检查项"):
        run_check("no_such_check", ds, 2023)
    with pytest.raises(CheckError, match="level"):
        run_check("two_no_decrease_per_student", ds, 2023, {"level": "college"})
    with pytest.raises(CheckError, match="threshold"):
        run_check("training_funds_share", ds, 2023, {"threshold": "high"})
    with pytest.raises(CheckError, match="未知的参数treshold"):
        run_check("training_funds_share", ds, 2023, {"treshold": 2})


def test_empty_dataset_gives_insufficient_everywhere_without_warnings():
    with np.errstate(all="raise"):
        results = run_all(make({}), 2023)
    assert set(results) == set(CHECKS)
    for res in results.values():
        assert list(res.verdict) == [I] * 4
        assert res.at(0).verdict == "insufficient"


def test_no_nan_in_outcomes():
    import json
    from dataclasses import asdict

    ds = make({"edu_exp_budget": [(0, 0), (None, None), (1, 2), (2, 1)]})
    for res in run_all(ds, 2023).values():
        for i in range(4):
            json.dumps(asdict(res.at(i)), allow_nan=False, ensure_ascii=False)


# ---- precision: verdicts at the precision the data carry (values stored with 4 decimals) --------


def test_training_funds_a_quarter_yuan_short_passes_one_recordable_unit_short_fails():
    # The demo case: 1.5 % of 31600.0150 万元 = 474.000225 万元, which no 4-decimal figure can hold.
    #   474.0002 万元 is 0.000025 万元 = 0.25 元 short (< half a unit, 0.5 元): pass (1.49999992 %)
    #   474.0001 万元 is 1.25 元 short: fail (1.49999960 %)
    # Exactly at the threshold: 150.0000 of 10000.0000 = 1.5 % passes; 149.9999, one unit less, fails.
    ds = make(
        {
            "training_funds": [474.0002, 474.0001, 150.0, 149.9999],
            "teacher_payroll": [31600.0150, 31600.0150, 10000.0, 10000.0],
        }
    )
    res = run_check("training_funds_share", ds, 2023, {"threshold": 1.5})
    assert list(res.verdict) == [P, F, P, F]
    short = res.at(0)
    assert short.value == pytest.approx(1.49999992, abs=1e-8) and short.within_tolerance
    assert short.tolerance == pytest.approx(0.00005 * 100 / 31600.015)  # 0.5 元 of payroll, in %
    assert short.comparison() == "计算值1.49999992%，标准不低于1.5%（差额小于数据记录精度，按达到标准计）"
    assert res.at(1).comparison() == "计算值1.4999996%，标准不低于1.5%"
    assert res.at(2).comparison() == "计算值1.5%，标准不低于1.5%" and not res.at(2).within_tolerance
    assert (short.source, short.confidence) == ("评价方案规定", "")


def test_henan_default_carries_its_source_and_confidence():
    ds = make({"training_funds": [474.0002, 15, 15, 15], "teacher_payroll": [31600.0150, 1000, 1000, 1000]})
    res = run_check("training_funds_share", ds, 2023)
    henan, other = res.at(0), res.at(1)
    assert henan.verdict == "pass" and henan.threshold == 1.5
    assert "豫政〔2013〕59号" in henan.source and henan.confidence == "M"
    assert other.verdict == "insufficient" and other.threshold is None
    assert other.note == "该项没有国家标准，评价方案须规定threshold"


@pytest.mark.parametrize(
    "name,figures,params,expected",
    [
        # not decreasing: equal amounts pass; 1 元 less (one recorded unit of 万元) fails.
        # +5 %: 1000.0001 × 1.05 = 1050.000105; 1050.0001 is 0.05 元 short (pass), 1050.0000 1.05 元 (fail)
        (
            "two_no_decrease_total",
            {"edu_exp_budget": [(12345.6789, 12345.6789), (12345.6789, 12345.6788), (193563.5277, 193563.5276),
                                (9999999.9999, 9999999.9999)]},
            {},
            [P, F, F, P],  # large amounts too: 1 元 less of 19.36 亿元 fails
        ),
        (
            "two_no_decrease_total",
            {"edu_exp_budget": [(1000.0001, 1050.0001), (1000.0001, 1050.0), (None, 1), (None, 1)]},
            {"threshold": 5},
            [P, F, I, I],
        ),
        # per student derived from a 万元 total: 1000.0000 万元 ÷ 1000 pupils = 10000 元 (equal: pass);
        # 999.9999 万元 ÷ 1000 = 9999.9 元, 1 元 of total less (fail); the tolerance is 0.5 元 ÷ 1000
        (
            "two_no_decrease_per_student",
            {
                "per_student_budget_primary": [(10000, None), (10000, None), (None, None), (None, None)],
                "edu_exp_budget_primary": [(None, 1000.0), (None, 999.9999), (None, None), (None, None)],
                "enrol_primary": [(None, 1000), (None, 1000), (None, None), (None, None)],
            },
            {"level": "primary"},
            [P, F, I, I],
        ),
        # a rate recorded with 4 decimals: 95 passes, 94.9999 (one unit below) fails
        ("compulsory_retention", {"retention_compulsory": [95, 94.9999, 95.0001, None]}, {}, [P, F, P, I]),
        # at most 5 %: 50 of 1000 classes passes, 51 fails
        (
            "large_class_share",
            {
                "classes_large": [50, 51, 49, None],
                "classes_super_large": [0, 0, 1, None],
                "classes_compulsory": [1000, 1000, 1000, None],
            },
            {},
            [P, F, P, I],
        ),
        # per-student public funds in 元: 650 passes, 649.9999 fails (2023: 650 for all four)
        ("per_student_public_funds", {"per_student_pub_primary": [650, 649.9999, 650.0001, None]},
         {"level": "primary"}, [P, F, P, I]),  # fmt: skip
    ],
)
def test_exactly_at_threshold_passes_one_recorded_unit_below_fails(name, figures, params, expected):
    assert verdicts(name, make(figures), **params) == expected


def test_float_noise_never_decides():
    # 0.1 + 0.2 style noise: 7 of 20 classes = 35 %, computed 7 × 100 / 20 = 35.00000000000001
    ds = make({"intake_vocational": [7, 7, 7, 7], "intake_senior": [13, 13, 13, 13]})
    assert verdicts("vocational_share", ds, threshold=35) == [P] * 4
    assert verdicts("vocational_share", ds, threshold=35, max=35) == [P] * 4
