from decimal import Decimal

import pytest

from dutyeval.core.catalogue import check_set, check_value, default_catalogue, parse_catalogue, parse_value

CAT = default_catalogue()


def test_the_catalogue_covers_the_figures_of_the_seeds():
    assert len(CAT.elements) >= 40
    kinds = {e.kind for e in CAT.elements}
    assert {"amount", "per_student", "rate", "count", "score"} <= kinds
    for code in ("edu_exp_budget", "per_student_budget_primary", "gross_enrol_preschool", "retention_compulsory",
                 "teacher_pay_compulsory", "classes_large", "training_funds", "satisfaction_parents"):
        assert code in CAT


@pytest.mark.parametrize(
    "code, raw, expected",
    [
        ("edu_exp_budget", "210900.1234", Decimal("210900.1234")),
        ("edu_exp_budget", "1,234.5", Decimal("1234.5000")),
        ("per_student_budget_primary", 13660.7, Decimal("13660.70")),
        ("retention_compulsory", "98.5%", Decimal("98.50")),
        ("enrol_primary", "12000", Decimal("12000")),
        ("enrol_primary", "", None),
    ],
)
def test_parse_value_accepts_what_clerks_type(code, raw, expected):
    assert parse_value(CAT[code], raw) == expected


@pytest.mark.parametrize("code, raw", [("enrol_primary", "12.5"), ("edu_exp_budget", "abc"), ("edu_exp_budget", "NaN")])
def test_parse_value_rejects_bad_input_with_a_chinese_message(code, raw):
    with pytest.raises(ValueError, match="[\u4e00-\u9fff]"):
        parse_value(CAT[code], raw)


def test_a_retention_rate_above_100_is_an_error_but_a_gross_rate_is_not():
    assert check_value(CAT["retention_compulsory"], Decimal("109.74"))[0].severity == "error"
    assert check_value(CAT["gross_enrol_preschool"], Decimal("126")) == []


def test_negative_amounts_are_errors():
    assert check_value(CAT["edu_exp_budget"], Decimal("-1"))[0].severity == "error"


def test_a_part_above_its_whole_is_an_error():
    findings = check_set(CAT, {"enrol_preschool": Decimal(100), "enrol_preschool_public": Decimal(120)})
    assert any(f.code == "enrol_preschool_public" and f.severity == "error" for f in findings)


def test_parts_adding_up_above_the_whole_are_an_error():
    values = {"classes_compulsory": Decimal(100), "classes_large": Decimal(60), "classes_super_large": Decimal(50)}
    assert any(f.code == "classes_compulsory" and f.severity == "error" for f in check_set(CAT, values))


def test_per_student_must_match_total_over_enrolment():
    # 13,660.70 元 × 10,000 students = 13,660.70 万元
    ok = {"edu_exp_budget_primary": Decimal("13660.7000"), "enrol_primary": Decimal(10000),
          "per_student_budget_primary": Decimal("13660.70")}
    assert check_set(CAT, ok) == []
    bad = dict(ok, per_student_budget_primary=Decimal("15000"))
    assert [f.severity for f in check_set(CAT, bad)] == ["warning"]


def test_a_year_over_year_jump_is_a_warning():
    findings = check_set(CAT, {"edu_exp_budget": Decimal(200)}, {"edu_exp_budget": Decimal(100)})
    assert findings[0].severity == "warning" and "+100.0%" in findings[0].message


def test_a_catalogue_with_an_unknown_reference_is_refused():
    with pytest.raises(ValueError, match="unknown element"):
        parse_catalogue({"areas": {"a": "A"}, "elements": [
            {"code": "x", "name": "X", "area": "a", "unit": "人", "kind": "count", "part_of": "nope"}]})
