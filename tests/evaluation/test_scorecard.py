"""The scorecard: verdicts an inspector can redo (value, threshold, its source and confidence), the
precision the data carry, reviewer overrides, and the self-score service refusing automatic items.

Shanxi scheme (conftest `world`, data year 2020): 6.5 培训经费 (2 points, check training_funds_share,
threshold 1.5 % stated by the scheme), 6.2 教师工资 (4 points, teacher_pay_parity, 义务教育法 §31, H).
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from dutyeval.evaluation import services
from dutyeval.evaluation.models import ItemScore, Result
from dutyeval.evaluation.recompute import compute, result_items, store
from dutyeval.evaluation.scorecard import build_scorecard

YEAR = 2020


def _ind(world, code):
    return world.scheme.indicators.get(code=code)


def _score(world):
    store(world.cycle, compute(world.cycle))
    return Result.objects.get(submission=world.sub)


@pytest.fixture
def figures(world, record_history):
    # 1.5 % of 31600.0150 万元 = 474.000225 万元; 474.0002 is 0.25 元 short, below what the data can
    # record (half a unit of the last digit is 0.5 元): a pass. Teacher pay 90000 ÷ 90000 = 100 %.
    record_history(world.zezhou, YEAR, {
        "training_funds": "474.0002", "teacher_payroll": "31600.0150",
        "teacher_pay_compulsory": "90000", "civil_servant_pay": "90000",
    })  # fmt: skip


def test_a_self_score_on_an_automatic_item_is_refused_by_the_service(world):
    auto, manual = _ind(world, "6.5"), world.scheme.indicators.filter(rule_kind="manual").first()
    errors = services.save_self_scores(world.sub, world.county_filler, {auto.pk: ("2", ""), manual.pk: ("1", "")})
    assert errors == ["指标6.5由数据自动计算或由评审认定，不接受自评"]
    assert not ItemScore.objects.filter(submission=world.sub).exists()  # all or nothing
    veto = world.scheme.indicators.filter(rule_kind="veto").first()
    assert services.save_self_scores(world.sub, world.county_filler, {veto.pk: ("0", "无")})
    # an automatic item sent blank (as a form that lists every item would) is skipped, not stored
    assert services.save_self_scores(world.sub, world.county_filler, {auto.pk: ("", ""), manual.pk: ("1", "")}) == []
    assert list(ItemScore.objects.filter(submission=world.sub).values_list("indicator__code", flat=True)) == [
        manual.code
    ]


def test_a_check_shows_its_value_threshold_source_and_confidence(world, figures, client_as):
    result = _score(world)
    item = result_items(result)["6.5"]
    assert (item["score"], item["auto_verdict"]) == ("2.00", "pass")
    assert item["comparison"] == "计算值1.49999992%，标准不低于1.5%（差额小于数据记录精度，按达到标准计）"
    assert item["source"].startswith("评价方案规定（") and item["confidence"] == ""
    pay = result_items(result)["6.2"]
    assert pay["comparison"] == "计算值100%，标准不低于100%" and pay["confidence"] == "H"
    assert "义务教育法" in pay["source"]
    body = client_as(world.county_filler).get(reverse("scorecard", args=[world.sub.pk])).content.decode()
    assert "计算值1.49999992%，标准不低于1.5%" in body
    assert "标准来源：评价方案规定" in body
    assert "可信度：高（H）" in body


def test_a_reviewer_override_of_a_passed_check_is_badged_as_an_adjustment(world, figures, fill_all_self_scores,
                                                                          client_as):
    fill_all_self_scores(world.sub, world.county_filler)
    sub = services.submit_submission(world.sub, world.county_filler)
    pay = _ind(world, "6.2")
    assert services.save_review_scores(sub, world.reviewer, {pay.pk: ("1", "工资发放不及时", "")}) == []
    _score(world)
    row = next(r for r in build_scorecard(world.sub).rows if r.ind.code == "6.2")
    assert (row.score, row.auto_score, row.auto_verdict) == (Decimal("1.00"), Decimal("4.00"), "pass")
    assert row.verdict == "adjusted"
    funds = next(r for r in build_scorecard(world.sub).rows if r.ind.code == "6.5")
    assert funds.verdict == "pass"
    body = client_as(world.reviewer).get(reverse("scorecard", args=[world.sub.pk])).content.decode()
    line = body[body.index('data-code="6.2"'):]
    line = line[: line.index("</tr>")]
    assert "评审调整" in line and "未达标" not in line and "自动核验：达标" in line
