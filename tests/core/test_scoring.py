"""Scheme scoring against a hand-scored fixture.

The scheme under test (100 points; 优秀 ≥ 90, 良好 ≥ 80, 合格 ≥ 65, 不合格 below):

    A 经费保障
      A.1  10  check two_no_decrease_total
      A.2  10  auto  #{teacher_pay_compulsory} >= #{civil_servant_pay}
      A.3  10  auto  #{public_kg_share} / 50            (share of points, clamped)
    B 管理
      B.1  20  manual
      B.2  50  manual
    C.1   3  bonus      auto #{gross_enrol_senior} >= 95
    D.1   5  deduction  auto #{classes_super_large} > 0
    V.1   veto (cap 良好)  #{dangerous_building_area} > 0
    V.2   veto (cap 合格)  manual
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest

from dutyeval.core import scoring
from dutyeval.core.expr import Dataset
from dutyeval.core.scheme import GradeBand, Indicator, Rule, Scheme
from dutyeval.core.scoring import (
    ManualScore,
    ScoringError,
    competition_rank,
    region_depth,
    score_all,
    score_region,
)

D = Decimal
BANDS = (
    GradeBand("优秀", D(90)),
    GradeBand("良好", D(80)),
    GradeBand("合格", D(65)),
    GradeBand("不合格", D(0)),
)


def leaf(code, points, rule, kind="item", title=None):
    return Indicator(code=code, title=title or f"指标{code}", points=D(points), rule=rule, kind=kind)


def make_scheme(*extra: Indicator) -> Scheme:
    return Scheme(
        code="test",
        version=1,
        title="测试方案",
        issuer="测试",
        doc_number="测〔2023〕1号",
        year=2023,
        level="county",
        total_points=D(100),
        grade_bands=BANDS,
        indicators=(
            Indicator(
                code="A",
                title="经费保障",
                children=(
                    leaf("A.1", 10, Rule(kind="check", check="two_no_decrease_total")),
                    leaf(
                        "A.2",
                        10,
                        Rule(kind="auto", expression="#{teacher_pay_compulsory} >= #{civil_servant_pay}"),
                    ),
                    leaf("A.3", 10, Rule(kind="auto", expression="#{public_kg_share} / 50")),
                ),
            ),
            Indicator(code="B", title="管理", children=(leaf("B.1", 20, Rule()), leaf("B.2", 50, Rule()))),
            leaf("C.1", 3, Rule(kind="auto", expression="#{gross_enrol_senior} >= 95"), kind="bonus"),
            leaf("D.1", 5, Rule(kind="auto", expression="#{classes_super_large} > 0"), kind="deduction"),
            leaf("V.1", 0, Rule(kind="veto", expression="#{dangerous_building_area} > 0", cap_grade="良好")),
            leaf("V.2", 0, Rule(kind="veto", params={"manual": True}, cap_grade="合格")),
            *extra,
        ),
    )


REGIONS = ["410100", "410102", "410103", "410104", "410105"]  # a city and its four counties
nan = np.nan


def make_ds() -> Dataset:
    def col(*per_county):  # city first (no data), then K1..K4; tuples are (2022, 2023)
        rows = [(nan, nan)] + [v if isinstance(v, tuple) else (nan, v) for v in per_county]
        return np.array([[nan if x is None else x for x in r] for r in rows], float)

    return Dataset(
        REGIONS,
        2022,
        2,
        {
            "edu_exp_budget": col((100, 110), (100, 90), (100, 100), (None, 50)),
            "teacher_pay_compulsory": col(10, 9, 8, 10),
            "civil_servant_pay": col(9, 9, 9, 9),
            "public_kg_share": col(50, 40, 25.5, 60),
            "gross_enrol_senior": col(96, 90, None, 95),
            "classes_super_large": col(0, 2, 0, 1),
            "dangerous_building_area": col(50, 0, 0, None),
        },
        parent=[-1, 0, 0, 0, 0],
    )


MANUAL = {
    ("410102", "B.1"): ManualScore(self_score=D(18), reviewer_score=D("17.5")),
    ("410102", "B.2"): ManualScore(reviewer_score=D(45), comment="材料齐全"),
    ("410102", "V.2"): ManualScore(vetoed=False),
    ("410103", "B.1"): ManualScore(self_score=D(20)),
    ("410103", "B.2"): ManualScore(self_score=D(40)),
    ("410104", "A.2"): ManualScore(self_score=D(10), reviewer_score=D("7.9")),
    ("410104", "B.2"): ManualScore(reviewer_score=D(50)),
    ("410105", "B.1"): ManualScore(self_score=D(25), reviewer_score=D(12)),
    ("410105", "B.2"): ManualScore(self_score=D(44), reviewer_score=D(50)),
    ("410105", "V.2"): ManualScore(vetoed=True),
}
COUNTIES = REGIONS[1:]


@pytest.fixture
def scores():
    return score_all(make_scheme(), make_ds(), 2023, MANUAL, targets=COUNTIES)


# hand-scored: A.1 A.2 A.3 B.1 B.2 C.1 D.1 → total, grade before veto, grade, rank
EXPECTED = {
    "410102": (["10", "10", "10", "17.5", "45", "3", "0"], "95.50", "优秀", "良好", 1),  # V.1: 危房 → 良好
    "410103": (["0", "10", "8", "20", "40", "0", "5"], "73.00", "合格", "合格", 3),
    "410104": (["10", "7.9", "5.1", "0", "50", "0", "0"], "73.00", "合格", "合格", 3),  # tie with 410103
    "410105": (["0", "10", "10", "12", "50", "3", "5"], "80.00", "良好", "合格", 2),  # V.2 → 合格
}


@pytest.mark.parametrize("region", COUNTIES)
def test_hand_scored_totals_grades_and_ranks(scores, region):
    items, total, raw, grade, rank = EXPECTED[region]
    card = scores.scorecard(region)
    assert [it.score for it in card.items[:7]] == [D(x).quantize(D("0.01")) for x in items]
    assert card.total == D(total) and str(card.total) == total
    assert (card.grade_before_veto, card.grade, card.rank) == (raw, grade, rank)


def test_ranking_is_competition_ranking(scores):
    assert [(r, c, str(t), g) for r, c, t, g in scores.ranking()] == [
        (1, "410102", "95.50", "良好"),
        (2, "410105", "80.00", "合格"),
        (3, "410103", "73.00", "合格"),
        (3, "410104", "73.00", "合格"),
    ]
    assert list(competition_rank(np.array([5, 3, 3, 1]))) == [1, 2, 2, 4]
    assert list(competition_rank(np.array([5, 3, 3, 1]), ["a", "b", "a", "b"])) == [1, 1, 2, 2]


def test_every_item_explains_itself(scores):
    k1 = {it.code: it for it in scores.scorecard("410102").items}
    assert k1["B.1"].who == "reviewer" and k1["B.1"].explanation.startswith("复核评定得17.50分（自评18分）")
    assert "意见：材料齐全" in k1["B.2"].explanation
    assert k1["A.1"].who == "auto" and k1["A.1"].rule.startswith("一般公共预算教育支出逐年只增不减")
    assert [(f.year, f.value) for f in k1["A.1"].figures] == [(2023, 110.0), (2022, 100.0)]
    a2 = k1["A.2"]
    assert a2.rule == "自动计算：#{teacher_pay_compulsory} >= #{civil_servant_pay}"
    assert {(f.code, f.value) for f in a2.figures} == {
        ("teacher_pay_compulsory", 10.0),
        ("civil_servant_pay", 9.0),
    }
    assert a2.explanation == "结果为“是”，得10.00分（满分10.00分）"
    assert k1["V.1"].status == "violated" and "等次最高为良好" in k1["V.1"].explanation
    assert k1["V.2"].status == "clear" and k1["V.2"].who == "reviewer"
    assert k1["A.3"].explanation.startswith("计算值为1，得10.00分")


def test_reviewer_overrides_automation_but_self_score_does_not(scores):
    k3 = {it.code: it for it in scores.scorecard("410104").items}
    assert k3["A.2"].who == "reviewer" and k3["A.2"].score == D("7.90")
    assert "自动计算得0.00分；复核评定得7.90分" in k3["A.2"].explanation
    k2 = {it.code: it for it in scores.scorecard("410103").items}
    assert k2["B.1"].who == "self" and "尚未复核" in k2["B.1"].explanation


def test_missing_data_is_insufficient_not_a_pass(scores):
    k4 = {it.code: it for it in scores.scorecard("410105").items}
    assert k4["A.1"].status == "insufficient" and k4["A.1"].score == D("0.00")
    assert "数据不足" in k4["A.1"].explanation
    assert k4["V.1"].status == "insufficient" and "请核实" in k4["V.1"].explanation
    card = scores.scorecard("410105")
    assert card.insufficient == 2
    k3 = {it.code: it for it in scores.scorecard("410104").items}
    assert k3["C.1"].status == "insufficient"  # no bonus without data
    assert k3["B.1"].status == "unscored" and k3["B.1"].explanation == "尚未评分"


def test_bonus_deduction_signs_and_subtotals(scores):
    card = scores.scorecard("410103")
    d = {it.code: it for it in card.items}["D.1"]
    assert (d.score, d.contribution) == (D("5.00"), D("-5.00"))
    assert "扣5.00分" in d.explanation
    assert card.subtotals == {"A": D("18.00"), "B": D("60.00")}
    assert card.vetoes == ()
    assert scores.scorecard("410105").vetoes == ("V.2 指标V.2",)


def test_manual_score_is_clamped_to_the_points(scores):
    # 410105 self-scored 25 on a 20-point item, but the reviewer's 12 counts; check a clamp alone
    s = score_all(
        make_scheme(), make_ds(), 2023, {("410102", "B.1"): ManualScore(self_score=D(25))}, COUNTIES
    )
    assert s.scorecard("410102").items[3].score == D("20.00")


def test_points_are_decimal_with_half_up_rounding():
    extra = leaf("E.1", 3, Rule(kind="auto", expression="0.125"))  # 0.375 points → 0.38
    s = score_all(make_scheme(extra), make_ds(), 2023, MANUAL, COUNTIES)
    item = s.scorecard("410102").items[-1]
    assert item.score == D("0.38") and isinstance(item.score, Decimal)
    assert s.total(0) == D("95.88")


def test_each_check_runs_once_for_all_regions(monkeypatch):
    calls = []
    real = scoring.run_check

    def spy(name, ds, year, params=None, thresholds=None):
        calls.append(name)
        return real(name, ds, year, params, thresholds)

    monkeypatch.setattr(scoring, "run_check", spy)
    twice = leaf("A.9", 1, Rule(kind="check", check="two_no_decrease_total"))
    score_all(make_scheme(twice), make_ds(), 2023, MANUAL, COUNTIES)
    assert calls == ["two_no_decrease_total"]


def test_score_region_matches_score_all_and_ranks_among_peers(scores):
    card = score_region(make_scheme(), make_ds(), 2023, "410104", MANUAL)
    assert card == scores.scorecard("410104")
    assert list(region_depth(make_ds())) == [0, 1, 1, 1, 1]


def test_sum_children_figures_for_a_city():
    extra = leaf("E.1", 4, Rule(kind="auto", expression="sum_children(#{classes_super_large}) == 0"))
    s = score_all(make_scheme(extra), make_ds(), 2023, {}, targets=["410100"])
    item = s.scorecard("410100").items[-1]
    assert item.figures[0].value == 3.0 and "下级合计" in item.figures[0].name
    assert item.score == D("0.00") and item.status == "scored"


@pytest.mark.parametrize(
    "rule,match",
    [
        (Rule(kind="auto", expression="#{a} >"), "指标X.1.*位置6"),
        (Rule(kind="check", check="nope"), "指标X.1.*未知的检查项"),
        (Rule(kind="auto"), "缺少expression"),
        (Rule(kind="veto", expression="#{a} > 0", cap_grade="特等"), "封顶等次"),
    ],
)
def test_bad_rules_raise_scoring_error_naming_the_indicator(rule, match):
    with pytest.raises(ScoringError, match=match):
        score_all(make_scheme(leaf("X.1", 1, rule)), make_ds(), 2023)


def test_library_schemes_score_on_data_without_crashing():
    from dutyeval.core.schemefile import load_library

    ds = make_ds()
    for scheme in load_library():
        s = score_all(scheme, ds, 2023, targets=COUNTIES)
        for region in COUNTIES:
            card = s.scorecard(region)
            assert isinstance(card.total, Decimal) and card.grade in {b.name for b in scheme.grade_bands}
            assert len(card.items) == len(scheme.leaves())


@pytest.mark.parametrize("seed", range(5))
def test_total_is_the_sum_of_contributions_and_ranks_are_consistent(seed):
    rng = np.random.default_rng(seed)
    manual = {
        (r, c): ManualScore(
            self_score=D(int(rng.integers(-500, 6000))) / 100,
            reviewer_score=D(int(rng.integers(0, 6000))) / 100 if rng.random() < 0.5 else None,
            vetoed=bool(rng.random() < 0.3) if c == "V.2" else None,
        )
        for r in COUNTIES
        for c in ("A.2", "B.1", "B.2", "D.1", "V.2")
    }
    s = score_all(make_scheme(), make_ds(), 2023, manual, COUNTIES)
    cards = [s.scorecard(r) for r in COUNTIES]
    for card in cards:
        assert card.total == max(sum(it.contribution for it in card.items), D(0))
        for it in card.items:
            assert D(0) <= it.score <= it.points or it.rule_kind == "veto"
        caps = {"V.1": 1, "V.2": 2}
        worst = max([caps[v.split()[0]] for v in card.vetoes], default=0)
        names = [b.name for b in BANDS]
        assert names.index(card.grade) == max(names.index(card.grade_before_veto), worst)
    for a in cards:
        assert a.rank == 1 + sum(b.total > a.total for b in cards)


def test_a_self_score_never_overrides_an_automatic_item():
    # 410104: teacher pay 8 < civil-servant pay 9, so A.2 (auto, 10 points) earns 0. The county
    # self-scores it 10, with no reviewer score: the item stays at the automatic 0 points.
    # A.1 (check): 2023 100 = 2022 100, growth 0 % ≥ 0 % → 10 points; self score 0 changes nothing.
    manual = {("410104", "A.2"): ManualScore(self_score=D(10)), ("410104", "A.1"): ManualScore(self_score=D(0))}
    s = score_all(make_scheme(), make_ds(), 2023, manual, COUNTIES)
    items = {it.code: it for it in s.scorecard("410104").items}
    assert (items["A.2"].score, items["A.2"].who) == (D("0.00"), "auto")
    assert (items["A.1"].score, items["A.1"].who) == (D("10.00"), "auto")
    assert items["A.2"].explanation == "结果为“否”，得0.00分（满分10.00分）"
    # total without manual items: A.1 10 + A.2 0 + A.3 (25.5 / 50 = 0.51 → 5.10) = 15.10
    assert s.total(s.index("410104")) == D("15.10")


def test_a_total_never_falls_below_zero():
    # 410103 with three extra 20-point deduction items that all apply (expression true):
    # items 0 (A.1 falls 100 → 90) + 10 (A.2: 9 >= 9) + 8 (A.3: 40 / 50 = 0.8) = 18, deductions
    # 5 (D.1: 2 super-large classes) + 3 × 20 = 65 → 18 − 65 = −47, shown as 0.
    extra = [leaf(f"D.{k}", 20, Rule(kind="auto", expression="1 > 0"), kind="deduction") for k in (2, 3, 4)]
    s = score_all(make_scheme(*extra), make_ds(), 2023, {}, COUNTIES)
    card = s.scorecard("410103")
    assert sum(it.contribution for it in card.items) == D("-47.00")
    assert card.total == D("0.00")
    assert card.grade == "不合格"


def test_a_check_item_shows_value_threshold_source_and_confidence(scores):
    # A.1 for 410102: (110 − 100) ÷ 100 = +10 % against "not below 0 %" (国办发〔2018〕82号, M)
    a1 = {it.code: it for it in scores.scorecard("410102").items}["A.1"]
    assert (a1.value, a1.threshold, a1.unit) == (pytest.approx(10.0), 0.0, "%")
    assert a1.comparison == "计算值10%，标准不低于0%"
    assert a1.explanation == "计算值10%，标准不低于0%，符合，得10.00分（满分10.00分）"
    assert "国办发〔2018〕82号" in a1.source and a1.confidence == "M"
    assert a1.auto_verdict == "pass" and a1.auto_score == D("10.00") and not a1.overridden


def test_a_threshold_the_scheme_states_is_named_as_the_schemes():
    # 1.5 % of 31600.0150 万元 = 474.000225; 474.0002 is 0.25 元 short, below the data's precision
    extra = Indicator(
        code="E.1", title="培训经费", points=D(2), assumed=True,
        rule=Rule(kind="check", check="training_funds_share", params={"threshold": 1.5}),
    )  # fmt: skip
    ds = Dataset(["410102"], 2023, 1, {"training_funds": np.array([[474.0002]]),
                                       "teacher_payroll": np.array([[31600.0150]])})  # fmt: skip
    item = score_all(make_scheme(extra), ds, 2023).scorecard("410102").items[-1]
    assert item.score == D("2.00") and item.auto_verdict == "pass"
    assert item.comparison.startswith("计算值1.49999992%，标准不低于1.5%（差额小于数据记录精度")
    assert item.source == "评价方案规定（测试方案；分值或标准为推定）" and item.confidence == ""


def test_a_reviewer_override_is_marked_and_keeps_the_automatic_result(scores):
    a2 = {it.code: it for it in scores.scorecard("410104").items}["A.2"]  # auto 0, reviewer 7.9
    assert a2.overridden and a2.auto_score == D("0.00") and a2.auto_verdict == "fail"
