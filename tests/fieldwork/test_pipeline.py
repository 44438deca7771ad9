"""Field verification in the results: the recompute hook and the credibility index, by hand."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from dutyeval.core.scoring import ManualScore
from dutyeval.evaluation.models import ItemScore, Result, ResultItem
from dutyeval.fieldwork import checklist, credibility, services
from dutyeval.fieldwork.hooks import apply_field_verification
from dutyeval.fieldwork.models import FieldPolicy

from .conftest import values


@pytest.fixture
def items(fw):
    a, b = services.manual_items(fw.cycle)[:2]
    return a, b


def test_no_fieldwork_leaves_scores_alone(fw, items):
    scores = {("140525", items[0].code): ManualScore(self_score=D(2), reviewer_score=D(3))}
    assert apply_field_verification(fw.cycle, scores) is scores


def test_onsite_score_overrides_online_in_the_computed_result(team, fw, items):
    from dutyeval.evaluation.recompute import compute

    a, b = items
    ItemScore.objects.create(submission=fw.sub, indicator=a, self_score=a.points, reviewer_score=a.points)
    ItemScore.objects.create(submission=fw.sub, indicator=b, self_score=b.points, reviewer_score=b.points)
    first = compute(fw.cycle)
    before = {it.code: it.score for it in first.scorecard("140525").items}
    other_before = [(it.code, it.score) for it in first.scorecard("140522").items]
    assert before[a.code] == a.points
    services.save_onsite_score(fw.visit, fw.ty, a, "0.5", "现场查看：制度未落实")
    second = compute(fw.cycle)
    after = {it.code: it.score for it in second.scorecard("140525").items}
    assert after[a.code] == D("0.5") and after[b.code] == b.points  # only the item scored on site moved
    assert [(it.code, it.score) for it in second.scorecard("140522").items] == other_before  # not visited


def test_deduct_per_falsified_figure(team, fw, items):
    a, b = items
    FieldPolicy.objects.create(cycle=fw.cycle, mode="deduct_per_falsified", per_falsified=D(2))
    lines = checklist.lines(fw.school, fw.cycle.data_year)
    services.submit_checklist(fw.visited, fw.ty, values(lines, **{"students@primary": "1100",
                                                                   "multimedia_rooms@primary": "25"}))
    services.save_onsite_score(fw.visit, fw.ty, a, "0", "现场评分不用于此方式")
    # 2 falsified × 2 = 4 points: a 3 → 0, then b 5 → 4 (items in scheme order)
    scores = {("140525", a.code): ManualScore(reviewer_score=D(3)), ("140525", b.code): ManualScore(self_score=D(5)),
              ("140522", a.code): ManualScore(reviewer_score=D(3))}
    out = apply_field_verification(fw.cycle, scores)
    assert out[("140525", a.code)].reviewer_score == D(0)
    assert out[("140525", b.code)].reviewer_score == D(4) and out[("140525", b.code)].self_score == D(5)
    assert out[("140522", a.code)] == scores[("140522", a.code)]


def test_credibility_rows_by_hand(team, fw, items):
    a, b = items
    ItemScore.objects.create(submission=fw.sub, indicator=a, self_score=D(3))
    ItemScore.objects.create(submission=fw.sub, indicator=b, self_score=D(2))
    result = Result.objects.create(submission=fw.sub, total=D(80), grade="良好", grade_before_veto="良好", rank=1)
    for ind, score in ((a, D(1)), (b, D(2))):
        ResultItem.objects.create(result=result, code=ind.code, leaf=True, score=score, contribution=score)
    lines = checklist.lines(fw.school, fw.cycle.data_year)
    # students 1200 reported, 1000 verified → 0.2; the other 7 figures equal → 0
    services.submit_checklist(fw.visited, fw.ty, values(lines, **{"students@primary": "1000"}))
    full = a.points + b.points
    ds = D(2) / full  # |(3 + 2) − (1 + 2)| / full marks
    dv = D("0.2") / len(lines)
    expected = (1 - (ds + dv) / 2).quantize(D("0.0001"))
    rows = credibility.rows(fw.cycle)
    assert [r.region.code for r in rows] == ["140525"]  # 阳城县 has nothing to compare
    row = rows[0]
    assert (row.self_total, row.final_total, row.full_marks) == (D(5), D(3), full)
    assert row.result.index == expected and row.result.figures == len(lines)


def test_low_index_forced_into_next_draw(team, fw):
    from dutyeval.draws import services as draws
    from dutyeval.evaluation.models import Cycle
    from dutyeval.fieldwork.services import FieldworkError

    nxt = Cycle.objects.create(name="山西省2022年评价", scheme=fw.scheme, year=2022, data_year=2021, root=fw.shanxi)
    draft = draws.prepare_draw(nxt, fw.province_admin, "regions")
    with pytest.raises(FieldworkError, match="理由"):
        credibility.force_into_draw(draft, fw.province_admin, [fw.zezhou], " ")
    with pytest.raises(FieldworkError, match="督导办"):
        credibility.force_into_draw(draft, fw.ty, [fw.zezhou], "可信度低")
    with pytest.raises(FieldworkError, match="尚未公布"):
        credibility.force_into_draw(fw.region_draw, fw.province_admin, [fw.zezhou], "可信度低")
    draft = credibility.force_into_draw(draft, fw.province_admin, [fw.zezhou], "2021年自评可信度 0.62")
    assert {"code": "140525", "reason": "2021年自评可信度 0.62"} in draft.frame["forced"]
