"""The scheme YAML format: the shipped library loads, bad files fail loudly and precisely,
schemes round-trip, and the fingerprint tracks content.

The small scheme most tests start from (`tiny`), drawn as a tree:

    total 10, bands 优秀 ≥ 9 / 合格 ≥ 6 / 不合格 ≥ 0
    1  投入 (6)
       1.1  两个只增不减 (4)       check two_no_decrease_total
       1.2  生均 (2)
            1.2.1  小学 (1)        check two_no_decrease_per_student level=primary
            1.2.2  初中 (1)        auto  #{per_student_budget_junior} >= #{per_student_budget_junior}[y-1]
    2  管理 (4)
       2.1  会议纪要 (4)           manual
       2.2  经验推广 (1, bonus)    manual, not counted in the sum
    3  否决 (0)
       3.1  D级危房 (0)           veto  #{dangerous_building_area} > 0, cap 合格
"""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
import yaml

from dutyeval.core import schemefile
from dutyeval.core.checks import default_thresholds
from dutyeval.core.scheme import Scheme
from dutyeval.core.schemefile import (
    KNOWN_CHECKS,
    SchemeFileError,
    dump_scheme,
    fingerprint,
    library_paths,
    load_library,
    load_scheme,
    parse_scheme,
    scheme_to_dict,
)

TINY = {
    "code": "tiny-2021-county",
    "version": 1,
    "title": "测试方案",
    "issuer": "测试督导办",
    "doc_number": "测督〔2021〕1号",
    "year": 2021,
    "level": "county",
    "total_points": 10,
    "grade_bands": [
        {"name": "优秀", "min_score": 9},
        {"name": "合格", "min_score": 6},
        {"name": "不合格", "min_score": 0},
    ],
    "indicators": [
        {
            "code": "1",
            "title": "投入",
            "points": 6,
            "children": [
                {
                    "code": "1.1",
                    "title": "两个只增不减",
                    "points": 4,
                    "evidence": ["财政决算报表"],
                    "department": "县财政局",
                    "rule": {"kind": "check", "check": "two_no_decrease_total"},
                },
                {
                    "code": "1.2",
                    "title": "生均",
                    "points": 2,
                    "children": [
                        {
                            "code": "1.2.1",
                            "title": "小学",
                            "points": 1,
                            "rule": {
                                "kind": "check",
                                "check": "two_no_decrease_per_student",
                                "params": {"level": "primary"},
                            },
                        },
                        {
                            "code": "1.2.2",
                            "title": "初中",
                            "points": 1,
                            "rule": {
                                "kind": "auto",
                                "expression": "#{per_student_budget_junior} >= #{per_student_budget_junior}[y-1]",
                            },
                        },
                    ],
                },
            ],
        },
        {
            "code": "2",
            "title": "管理",
            "points": 4,
            "children": [
                {"code": "2.1", "title": "会议纪要", "points": 4, "evidence": ["会议纪要"], "assumed": True},
                {"code": "2.2", "title": "经验推广", "points": 1, "kind": "bonus"},
            ],
        },
        {
            "code": "3",
            "title": "否决",
            "points": 0,
            "children": [
                {
                    "code": "3.1",
                    "title": "D级危房",
                    "points": 0,
                    "rule": {
                        "kind": "veto",
                        "expression": "#{dangerous_building_area} > 0",
                        "cap_grade": "合格",
                    },
                }
            ],
        },
    ],
}


def tiny() -> dict:
    return copy.deepcopy(TINY)


def write(tmp_path: Path, data: dict | str, name: str = "broken.yaml") -> Path:
    path = tmp_path / name
    text = data if isinstance(data, str) else yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    path.write_text(text, encoding="utf-8")
    return path


def errors_of(tmp_path: Path, data: dict | str, name: str = "broken.yaml") -> list[str]:
    with pytest.raises(SchemeFileError) as info:
        load_scheme(write(tmp_path, data, name))
    return info.value.errors


def leaf(data: dict, *path: int) -> dict:
    """indicators[path[0]].children[path[1]]... of a scheme dict."""
    node = data["indicators"][path[0]]
    for i in path[1:]:
        node = node["children"][i]
    return node


# ---- the shipped library -------------------------------------------------------------------------


def test_library_ships_the_four_schemes():
    names = {p.name for p in library_paths()}
    assert names == {
        "shanxi-2021-county.yaml",
        "shanxi-2021-city.yaml",
        "zhejiang-2021-county.yaml",
        "district-2018-report-6part-37.yaml",
    }
    assert len(load_library()) == 4


@pytest.mark.parametrize("path", library_paths(), ids=lambda p: p.stem)
def test_each_library_file_loads_round_trips_and_sums_to_its_total(path):
    scheme = load_scheme(path)
    assert scheme.code == path.stem
    top = sum((i.points for i in scheme.indicators if i.kind == "item"), Decimal(0))
    assert top == scheme.total_points == 100
    assert parse_scheme(scheme_to_dict(scheme), "again") == scheme
    # the Django app stores the canonical dict as JSON
    assert parse_scheme(json.loads(json.dumps(scheme_to_dict(scheme))), "json") == scheme
    assert parse_scheme(yaml.safe_load(dump_scheme(scheme)), "dumped") == scheme
    assert any(i.rule.kind == "check" and i.rule.check == "two_no_decrease_total" for i in scheme.leaves())
    # every point is a reasoned assumption until the official texts are found; say so on every item
    assert all(i.assumed for i in scheme.all_indicators())


def _items(scheme: Scheme) -> list:
    return [c for top in scheme.indicators if top.points > 0 for c in top.children]


def test_shanxi_has_12_areas_38_items_automatic_items_and_vetoes():
    s = load_scheme(next(p for p in library_paths() if p.stem == "shanxi-2021-county"))
    assert s.doc_number == "晋政教督〔2021〕1号"
    assert [t.code for t in s.indicators if t.points > 0] == [str(n) for n in range(1, 13)]
    assert len(_items(s)) == 38
    checks = {(i.rule.check, i.rule.params.get("level")) for i in s.leaves() if i.rule.kind == "check"}
    assert ("two_no_decrease_total", None) in checks
    assert {lvl for c, lvl in checks if c == "two_no_decrease_per_student"} == {
        "preschool",
        "primary",
        "junior",
        "senior",
        "vocational",
    }
    assert ("teacher_pay_parity", None) in checks
    vetoes = [i for i in s.leaves() if i.rule.kind == "veto"]
    assert vetoes and all(v.rule.cap_grade in {b.name for b in s.grade_bands} for v in vetoes)
    assert [b.name for b in s.grade_bands] == ["优秀", "良好", "合格", "不合格"]
    assert s.grade_for(Decimal("89.5")) == "良好"


def test_zhejiang_has_20_items_in_5_areas_numbered_as_in_the_report():
    s = load_scheme(next(p for p in library_paths() if p.stem == "zhejiang-2021-county"))
    items = _items(s)
    assert len(s.indicators) == 5 and len(items) == 20
    assert [i.code.split(".")[1] for i in items] == [str(n) for n in range(1, 21)]


def test_district_report_structure_has_6_parts_and_37_items_and_says_it_is_not_national():
    s = load_scheme(next(p for p in library_paths() if p.stem == "district-2018-report-6part-37"))
    items = _items(s)
    assert [len(t.children) for t in s.indicators] == [9, 3, 11, 6, 5, 3]
    assert [i.code.split(".")[1] for i in items] == [str(n) for n in range(1, 38)]
    assert "非国家评价方案" in s.title and "国家评价办法" not in s.title
    assert "not the national scheme" in s.notes
    # the district's own thresholds, as its report states them (seed 003 lines 229 and 245)
    params = {i.rule.check: i.rule.params for i in s.leaves() if i.rule.kind == "check"}
    assert params["vocational_share"] == {"threshold": 45}
    assert params["training_funds_share"] == {"threshold": 2.5}


def test_zhejiang_satisfaction_is_the_mean_of_five_groups_on_the_10_point_scale():
    from dutyeval.core.expr import Dataset
    from dutyeval.core.scoring import score_all

    s = load_scheme(next(p for p in library_paths() if p.stem == "zhejiang-2021-county"))
    item = next(i for i in s.leaves() if i.code == "5.20")
    refs = {c for c, _ in schemefile._REF.findall(item.rule.expression)}
    assert refs == {f"satisfaction_{g}" for g in ("students", "teachers", "parents", "public", "npc_cppcc")}
    # seed 002 item 20: 8.996 8.980 8.174 8.278 9.162 → (43.59 / 5) / 10 = 0.8718 of 5 points = 4.359 → 4.36
    figures = {
        "satisfaction_students": 8.996,
        "satisfaction_teachers": 8.980,
        "satisfaction_parents": 8.174,
        "satisfaction_public": 8.278,  # 社会群众
        "satisfaction_npc_cppcc": 9.162,  # 人大政协
    }
    ds = Dataset(["330602"], 2021, 1, {c: np.array([[v]]) for c, v in figures.items()})
    card = score_all(s, ds, 2021).scorecard("330602")
    assert next(i for i in card.items if i.code == "5.20").score == Decimal("4.36")


@pytest.mark.parametrize(
    ("check", "params", "needs"),
    [
        ("training_funds_share", {}, True),  # only Henan's 1.5 %: no national figure
        ("training_funds_share", {"threshold": 1.5}, False),
        ("vocational_share", {}, True),  # “大体相当” has no number
        ("vocational_share", {"max": 60}, True),
        ("vocational_share", {"threshold": 40}, False),
        ("per_student_public_funds", {"level": "senior"}, True),  # no national standard for the level
        ("per_student_public_funds", {"level": "primary"}, False),
        ("teacher_pay_parity", {}, False),
        ("higher_vocational_per_student", {}, True),  # 省定 standard, only quoted in seed 004
        ("higher_vocational_per_student", {"threshold": 12000}, False),
        ("senior_schools_per_population", {"model": True}, True),  # 每10万人口一所: a city's own plan
        ("senior_schools_per_population", {"threshold": 10}, False),
    ],
)
def test_a_weakly_sourced_threshold_must_be_stated_by_the_scheme(tmp_path, check, params, needs):
    data = tiny()
    leaf(data, 1, 0)["rule"] = {"kind": "check", "check": check, "params": params}
    if not needs:
        parse_scheme(data, "ok")
        return
    errors = errors_of(tmp_path, data)
    assert any(
        e.startswith("broken.yaml: indicators[1].children[0].rule.params.threshold: check " + check)
        and "state the scheme's own figure as threshold" in e
        for e in errors
    ), errors


# ---- good input ----------------------------------------------------------------------------------


def test_tiny_scheme_parses_with_decimals_defaults_and_bonus_outside_the_sum():
    s = parse_scheme(tiny(), "tiny")
    assert s.total_points == Decimal(10) and isinstance(s.indicators[0].points, Decimal)
    bonus = s.indicators[1].children[1]
    assert bonus.kind == "bonus" and bonus.rule.kind == "manual"
    assert s.indicators[0].children[0].evidence == ("财政决算报表",)
    assert s.indicators[2].children[0].rule.cap_grade == "合格"


def test_reviewer_confirmed_veto_needs_no_expression():
    data = tiny()
    leaf(data, 2, 0)["rule"] = {"kind": "veto", "params": {"manual": True}, "cap_grade": "合格"}
    assert parse_scheme(data, "t").indicators[2].children[0].rule.params == {"manual": True}


def test_integer_codes_and_numeric_strings_are_accepted():
    data = tiny()
    data["indicators"][1]["code"] = 2  # YAML `code: 2`
    leaf(data, 1, 0)["points"] = "4.0"
    assert parse_scheme(data, "t").indicators[1].children[0].points == Decimal(4)


# ---- bad input: every message names the file and the path ----------------------------------------


def test_wrong_type_names_file_and_path(tmp_path):
    data = tiny()
    leaf(data, 1, 0)["points"] = "abc"
    errors = errors_of(tmp_path, data, "shanxi-2021-county.yaml")
    assert "shanxi-2021-county.yaml: indicators[1].children[0].points: expected a number, got 'abc'" in errors


def test_missing_key(tmp_path):
    data = tiny()
    del data["doc_number"]
    del leaf(data, 0, 1, 0)["title"]
    errors = errors_of(tmp_path, data)
    assert "broken.yaml: doc_number: missing (required)" in errors
    assert "broken.yaml: indicators[0].children[1].children[0].title: missing (required)" in errors


def test_unknown_key_with_suggestion(tmp_path):
    data = tiny()
    leaf(data, 0, 0)["pionts"] = 4
    data["isuer"] = "x"
    errors = errors_of(tmp_path, data)
    assert any(e.startswith("broken.yaml: indicators[0].children[0].pionts: unknown key") for e in errors)
    assert any("isuer: unknown key (did you mean 'issuer'?)" in e for e in errors)


def test_duplicate_code(tmp_path):
    data = tiny()
    leaf(data, 1, 1)["code"] = "2.1"
    errors = errors_of(tmp_path, data)
    assert any(
        e.startswith("broken.yaml: indicators[1].children[1].code: duplicate code '2.1'")
        and "indicators[1].children[0]" in e
        for e in errors
    )


def test_code_must_sit_under_its_parent(tmp_path):
    data = tiny()
    leaf(data, 0, 0)["code"] = "2.9"
    errors = errors_of(tmp_path, data)
    assert any(
        e.startswith("broken.yaml: indicators[0].children[0].code: code '2.9' does not fit") for e in errors
    )


def test_float_code_is_rejected_with_a_hint_to_quote(tmp_path):
    errors = errors_of(
        tmp_path, yaml.safe_dump(tiny(), allow_unicode=True).replace("code: '1.1'", "code: 1.10")
    )
    assert any("code: expected a string, got the number 1.1; quote codes" in e for e in errors)


def test_children_not_summing_to_parent(tmp_path):
    data = tiny()
    leaf(data, 0, 1, 0)["points"] = 2
    errors = errors_of(tmp_path, data)
    assert (
        "broken.yaml: indicators[0].children[1].points: 2 points for '1.2', but its children add up to 3"
        in errors
    )


def test_top_level_not_summing_to_total(tmp_path):
    data = tiny()
    data["total_points"] = 12
    errors = errors_of(tmp_path, data)
    assert "broken.yaml: indicators: top-level points add up to 10, but total_points is 12" in errors


def test_sum_is_still_checked_when_a_child_has_another_error(tmp_path):
    data = tiny()
    leaf(data, 1, 0)["assumed"] = "yes"
    leaf(data, 1, 0)["points"] = 3
    errors = errors_of(tmp_path, data)
    assert "broken.yaml: indicators[1].children[0].assumed: expected true or false, got 'yes'" in errors
    assert any(e.startswith("broken.yaml: indicators[1].points: 4 points for '2'") for e in errors)


def test_unknown_check_and_missing_or_bad_params(tmp_path):
    data = tiny()
    leaf(data, 0, 0)["rule"]["check"] = "two_no_decrease_totl"
    leaf(data, 0, 1, 0)["rule"]["params"] = {"level": "kindergarten", "colour": 1}
    errors = errors_of(tmp_path, data)
    assert any(
        e.startswith(
            "broken.yaml: indicators[0].children[0].rule.check: unknown check 'two_no_decrease_totl'"
        )
        and "did you mean 'two_no_decrease_total'" in e
        for e in errors
    )
    assert any(
        e.startswith("broken.yaml: indicators[0].children[1].children[0].rule.params.level:") for e in errors
    )
    assert any(".rule.params.colour: unknown parameter" in e for e in errors)


def test_per_student_check_is_over_all_students_unless_the_scheme_names_levels(tmp_path):
    data = tiny()
    del leaf(data, 0, 1, 0)["rule"]["params"]  # the statutory measure: all students together
    assert parse_scheme(data, "total").leaves()[1].rule.params == {}
    for level in ("total", "each", "vocational"):
        leaf(data, 0, 1, 0)["rule"]["params"] = {"level": level}
        parse_scheme(data, level)
    leaf(data, 0, 1, 0)["rule"]["params"] = {"level": "all"}
    errors = errors_of(tmp_path, data)
    assert any(
        e.startswith("broken.yaml: indicators[0].children[1].children[0].rule.params.level: 'all' is not one of")
        for e in errors
    )


def test_unknown_data_element_in_expression(tmp_path):
    data = tiny()
    leaf(data, 0, 1, 1)["rule"]["expression"] = "#{per_student_budget_junoir} >= 0"
    errors = errors_of(tmp_path, data)
    assert any(
        e.startswith(
            "broken.yaml: indicators[0].children[1].children[1].rule.expression: unknown data element"
        )
        and "per_student_budget_junoir" in e
        for e in errors
    )


@pytest.mark.parametrize(
    "expression", ["#{edu_exp_budget} >= ", "(#{edu_exp_budget} > 1", "#{edu_exp_budget} >> 2 2"]
)
def test_expression_that_does_not_parse(tmp_path, expression):
    data = tiny()
    leaf(data, 0, 1, 1)["rule"]["expression"] = expression
    errors = errors_of(tmp_path, data)
    assert any(
        e.startswith("broken.yaml: indicators[0].children[1].children[1].rule.expression:") for e in errors
    )


@pytest.mark.parametrize(
    ("rule", "where"),
    [
        ({"kind": "magic"}, "rule.kind: 'magic' is not one of manual, auto, check, veto"),
        ({"kind": "auto"}, "rule.expression: an auto rule needs an expression"),
        ({"kind": "check"}, "rule.check: a check rule needs the name of a check"),
        ({"kind": "veto"}, "rule: a veto needs an expression or a check"),
        ({"kind": "manual", "check": "teacher_pay_parity"}, "rule.check: a manual rule takes no check"),
        (
            {"kind": "check", "check": "teacher_pay_parity", "cap_grade": "合格"},
            "rule.cap_grade: only a veto",
        ),
        (
            {"kind": "veto", "check": "teacher_pay_parity", "cap_grade": "良好"},
            "rule.cap_grade: '良好' is not a grade band",
        ),
    ],
)
def test_rule_kinds_are_validated(tmp_path, rule, where):
    data = tiny()
    leaf(data, 1, 0)["rule"] = rule
    errors = errors_of(tmp_path, data)
    assert any(e.startswith(f"broken.yaml: indicators[1].children[0].{where}") for e in errors), errors


def test_veto_expression_must_be_a_condition(tmp_path):
    data = tiny()
    leaf(data, 2, 0)["rule"]["expression"] = "#{dangerous_building_area} + 1"
    errors = errors_of(tmp_path, data)
    assert any(
        e.startswith("broken.yaml: indicators[2].children[0].rule.expression: a veto expression")
        for e in errors
    )


def test_rule_on_an_inner_node_is_rejected(tmp_path):
    data = tiny()
    data["indicators"][0]["rule"] = {"kind": "check", "check": "two_no_decrease_total"}
    assert (
        "broken.yaml: indicators[0].rule: only leaf items carry a rule; this indicator has children"
        in errors_of(tmp_path, data)
    )


def test_grade_bands_unique_and_descending(tmp_path):
    data = tiny()
    data["grade_bands"] = [
        {"name": "优秀", "min_score": 9},
        {"name": "优秀", "min_score": 6},
        {"name": "不合格", "min_score": 7},
    ]
    errors = errors_of(tmp_path, data)
    assert "broken.yaml: grade_bands[1].name: duplicate grade band '优秀'" in errors
    assert any(
        e.startswith("broken.yaml: grade_bands[2].min_score: bands must be listed highest first")
        for e in errors
    )


def test_scheme_level_values(tmp_path):
    data = tiny()
    data.update(level="town", version=0, year="2021", code="Tiny Scheme")
    errors = errors_of(tmp_path, data)
    assert "broken.yaml: level: 'town' is not one of province, city, county" in errors
    assert "broken.yaml: version: must be 1 or more, got 0" in errors
    assert "broken.yaml: year: expected a whole number, got '2021'" in errors
    assert any(e.startswith("broken.yaml: code: 'Tiny Scheme' must be a slug") for e in errors)


def test_all_errors_are_collected_in_one_exception(tmp_path):
    data = tiny()
    del data["title"]
    leaf(data, 1, 0)["points"] = "abc"
    leaf(data, 0, 0)["rule"]["check"] = "nope"
    errors = errors_of(tmp_path, data)
    assert len(errors) >= 3
    assert all(e.startswith("broken.yaml: ") for e in errors)


def test_exception_text_lists_every_error():
    data = tiny()
    del data["title"]
    data["level"] = "town"
    with pytest.raises(SchemeFileError) as info:
        parse_scheme(data, "db:tiny v1")
    text = str(info.value)
    assert text.startswith("db:tiny v1: 2 errors in scheme")
    assert "db:tiny v1: title: missing (required)" in text and "db:tiny v1: level:" in text


def test_yaml_syntax_error_names_file_and_line(tmp_path):
    errors = errors_of(tmp_path, "code: x\ntitle: [unclosed\n")
    assert len(errors) == 1 and errors[0].startswith("broken.yaml: line ")


def test_duplicate_yaml_key_is_an_error_not_a_silent_overwrite(tmp_path):
    text = yaml.safe_dump(tiny(), allow_unicode=True, sort_keys=False)
    text = text.replace("total_points: 10\n", "total_points: 10\ntotal_points: 12\n")
    errors = errors_of(tmp_path, text)
    assert len(errors) == 1 and "found duplicate key 'total_points'" in errors[0]


def test_top_level_must_be_a_mapping(tmp_path):
    assert errors_of(tmp_path, "- just\n- a list\n") == [
        "broken.yaml: (top level): expected a mapping of keys, got ['just', 'a list']"
    ]


def test_every_known_check_is_accepted():
    for name, spec in KNOWN_CHECKS.items():
        data = tiny()
        params = {"level": "primary"} if "level" in spec else {}
        if default_thresholds().specs[name].scheme_must_state(params.get("level")):  # no default: the scheme states it
            params["threshold"] = 2
        leaf(data, 1, 0)["rule"] = {"kind": "check", "check": name, "params": params}
        parse_scheme(data, name)


# ---- round-trip and fingerprint ------------------------------------------------------------------


def test_round_trip_through_dict_and_yaml(tmp_path):
    s = parse_scheme(tiny(), "tiny")
    assert parse_scheme(scheme_to_dict(s), "again") == s
    path = tmp_path / "tiny.yaml"
    path.write_text(dump_scheme(s), encoding="utf-8")
    assert load_scheme(path) == s


def test_fingerprint_is_stable_across_layout_and_spelling():
    a = parse_scheme(tiny(), "a")
    data = tiny()
    data["total_points"] = "10.00"  # same number, other spelling
    leaf(data, 1, 0)["note"] = ""  # a default written out
    data["indicators"][0]["children"][0] = dict(reversed(list(leaf(data, 0, 0).items())))  # key order
    b = parse_scheme(data, "b")
    assert fingerprint(a) == fingerprint(b) == fingerprint(parse_scheme(scheme_to_dict(a), "c"))
    assert len(fingerprint(a)) == 64


@pytest.mark.parametrize(
    "change",
    [
        lambda d: leaf(d, 1, 0).update(title="会议纪要（修订）"),
        lambda d: leaf(d, 0, 0)["evidence"].append("教育经费统计年报"),
        lambda d: leaf(d, 2, 0)["rule"].update(cap_grade="不合格"),
        lambda d: d["grade_bands"][1].update(min_score=5),
        lambda d: leaf(d, 1, 1).update(points=2),
    ],
)
def test_fingerprint_changes_when_content_changes(change):
    data = tiny()
    change(data)
    assert fingerprint(parse_scheme(data, "changed")) != fingerprint(parse_scheme(tiny(), "tiny"))


def test_fingerprint_ignores_version_so_a_bump_alone_is_not_a_content_change():
    data = tiny()
    data["version"] = 2
    assert fingerprint(parse_scheme(data, "v2")) == fingerprint(parse_scheme(tiny(), "v1"))


def test_editing_a_library_file_changes_its_fingerprint(tmp_path):
    src = next(p for p in library_paths() if p.stem == "shanxi-2021-county")
    original = fingerprint(load_scheme(src))
    copy_path = tmp_path / src.name
    copy_path.write_text(
        src.read_text(encoding="utf-8").replace("# Format", "# Comment only. Format"), "utf-8"
    )
    assert fingerprint(load_scheme(copy_path)) == original  # comments are not content
    copy_path.write_text(src.read_text(encoding="utf-8").replace("min_score: 80", "min_score: 85"), "utf-8")
    assert fingerprint(load_scheme(copy_path)) != original


def test_the_example_in_the_documentation_is_valid(tmp_path):
    doc = Path(__file__).resolve().parents[2] / "docs" / "schemes.md"
    example = doc.read_text(encoding="utf-8").split("```yaml\n", 1)[1].split("```", 1)[0]
    scheme = load_scheme(write(tmp_path, example, "example.yaml"))
    assert scheme.indicators[0].children[3].kind == "bonus"
    assert scheme.leaves()[-1].rule.params == {"manual": True}


def test_check_parameters_agree_with_the_checks_library():
    """Every check and parameter the library accepts is known to the scheme validator."""
    from dutyeval.core import checks, schemefile

    assert set(schemefile.KNOWN_CHECKS) == set(checks.check_names())
    for name, spec in schemefile.KNOWN_CHECKS.items():
        assert set(spec) == set(checks.PARAMS[name]), name

