"""The Shanxi city scheme (shanxi-2021-city, reconstructed from seed 004, 阳泉市): loading, totals,
grade bands, and the city items scored on hand-computed figures."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal

import numpy as np
import pytest

from dutyeval.core.catalogue import check_set, default_catalogue, parse_value
from dutyeval.core.checks import FAIL, INSUFFICIENT, PASS, run_check
from dutyeval.core.expr import Dataset
from dutyeval.core.schemefile import library_paths, load_library, load_scheme
from dutyeval.core.scoring import ManualScore, score_all

D = Decimal
CITY = next(p for p in library_paths() if p.stem == "shanxi-2021-city")
COUNTY = next(p for p in library_paths() if p.stem == "shanxi-2021-county")
# 阳泉市, 晋城市, 大同市 (the figures below are invented, except 阳泉's 16477.24 元 of seed 004)
YANGQUAN, JINCHENG, DATONG = "140300", "140500", "140200"


@pytest.fixture(scope="module")
def scheme():
    return load_scheme(CITY)


def _items(s):
    return [c for top in s.indicators if top.points > 0 for c in top.children]


def _leaf(s, code):
    return next(i for i in s.leaves() if i.code == code)


def _ds(regions, figures, year=2021):
    """figures: code → one value per region (None = not reported), all for `year`."""
    values = {c: np.array([[np.nan if v is None else v] for v in vs], float) for c, vs in figures.items()}
    return Dataset(regions, year, 1, values)


# ---- the file ------------------------------------------------------------------------------------


def test_the_city_scheme_loads_with_the_library_and_is_for_cities(scheme):
    assert scheme in load_library()
    county = load_scheme(COUNTY)
    assert (scheme.code, scheme.version, scheme.level, scheme.year) == ("shanxi-2021-city", 1, "city", 2021)
    # the same notice as the county scheme: one 《对市县级政府履行教育职责的评价方案》 for both levels
    assert (scheme.issuer, scheme.doc_number) == (county.issuer, county.doc_number) == (
        "山西省人民政府教育督导委员会", "晋政教督〔2021〕1号")
    assert "阳政办函〔2021〕174号" in scheme.source
    assert all(i.assumed for i in scheme.all_indicators())  # nothing official was found


def test_12_areas_38_items_and_100_points_as_seed_004_counts_them(scheme):
    # seed 004: “对照12个方面评价重点38项具体内容”
    areas = [t for t in scheme.indicators if t.points > 0]
    assert [t.code for t in areas] == [str(n) for n in range(1, 13)]
    assert len(_items(scheme)) == 38
    assert scheme.total_points == sum(t.points for t in areas) == D(100)
    assert [t.points for t in areas] == [D(p) for p in (10, 12, 8, 12, 8, 12, 6, 6, 6, 8, 6, 6)]
    for ind in scheme.all_indicators():
        if ind.children:
            assert ind.points == sum(c.points for c in ind.children if c.kind == "item"), ind.code
    # departments are the city's
    assert all(not i.department or i.department.startswith("市") for i in scheme.all_indicators())


def test_grade_bands_are_those_of_the_county_reconstruction(scheme):
    assert [(b.name, b.min_score) for b in scheme.grade_bands] == [
        ("优秀", D(90)), ("良好", D(80)), ("合格", D(60)), ("不合格", D(0))]
    assert scheme.grade_for(D("90")) == "优秀"
    assert scheme.grade_for(D("89.99")) == "良好"
    assert scheme.grade_for(D("60")) == "合格"
    assert scheme.grade_for(D("59.99")) == "不合格"


def test_the_city_items_of_seed_004_are_there_with_their_rules(scheme):
    hv = _leaf(scheme, "2.4")  # item 6: 高职高专 per-student spending against the 省定 standard
    assert hv.title == "公办普通高职高专生均一般公共预算教育经费不低于省定标准" and hv.points == 2
    assert (hv.rule.kind, hv.rule.check, hv.rule.params) == ("check", "higher_vocational_per_student",
                                                             {"threshold": 12000})
    assert "16477.24" in hv.note and "12000" in hv.note
    senior = _leaf(scheme, "5.2.1")  # item 10: one 普通高中 per 100,000 residents
    assert senior.rule.check == "senior_schools_per_population" and senior.rule.params == {"threshold": 10}
    model = _leaf(scheme, "5.2.2")  # item 10: one 省级示范普通高中 per 300,000
    assert model.rule.params == {"model": True, "threshold": 30}
    meeting = next(i for i in scheme.all_indicators() if i.code == "5.3")  # item 11: the joint meeting
    assert "职业教育联席会议制度" in meeting.title and "联席会议纪要" in meeting.evidence
    assert all(c.rule.kind == "manual" for c in meeting.children)
    assert [c.points for c in meeting.children] == [D(1), D(1)]


# ---- the city items on hand-computed figures -------------------------------------------------------


def test_higher_vocational_spending_against_the_provincial_12000(scheme):
    # 阳泉 16477.24 元 (seed 004: 超出省定12000元标准37.3%: 16477.24 / 12000 − 1 = 0.37310);
    # 晋城 exactly 12000 passes; 大同 11999.99, one recorded 分 below, loses the 2 points
    ds = _ds([YANGQUAN, JINCHENG, DATONG], {"per_student_budget_higher_voc": [16477.24, 12000, 11999.99]})
    assert round(16477.24 / 12000 - 1, 3) == 0.373
    s = score_all(scheme, ds, 2021)
    items = {r: next(i for i in s.scorecard(r).items if i.code == "2.4") for r in (YANGQUAN, JINCHENG, DATONG)}
    assert [items[r].score for r in (YANGQUAN, JINCHENG, DATONG)] == [D("2.00"), D("2.00"), D("0.00")]
    assert [items[r].auto_verdict for r in (YANGQUAN, JINCHENG, DATONG)] == ["pass", "pass", "fail"]
    assert items[YANGQUAN].comparison == "计算值16477.24元，标准不低于12000元"
    assert items[YANGQUAN].source.startswith("评价方案规定") and "推定" in items[YANGQUAN].source
    # not reported: no points, and marked 数据不足, never a pass
    card = score_all(scheme, _ds([YANGQUAN], {"per_student_budget_higher_voc": [None]}), 2021).scorecard(YANGQUAN)
    missing = next(i for i in card.items if i.code == "2.4")
    assert missing.status == "insufficient" and missing.score == D("0.00")


def test_one_senior_high_school_per_100000_residents(scheme):
    # 阳泉: 14 schools, 1,318,505 residents → 94.18 万 / 14 = 9.4179 万人/所 ≤ 10: pass
    # 晋城: 12 schools, 1,300,000 → 10.8333 万人/所 > 10 (0.923 per 100,000): the point is lost
    # 大同: 13 schools, 1,300,000 → exactly 10 万人/所: pass
    ds = _ds([YANGQUAN, JINCHENG, DATONG], {"schools_senior": [14, 12, 13],
                                            "resident_population": [1318505, 1300000, 1300000]})
    s = score_all(scheme, ds, 2021)
    got = {r: next(i for i in s.scorecard(r).items if i.code == "5.2.1") for r in (YANGQUAN, JINCHENG, DATONG)}
    assert [got[r].score for r in (YANGQUAN, JINCHENG, DATONG)] == [D("1.00"), D("0.00"), D("1.00")]
    assert got[JINCHENG].value == pytest.approx(130 / 12)
    assert got[JINCHENG].comparison == "计算值10.8333万人/所，标准不高于10万人/所"
    assert got[DATONG].comparison == "计算值10万人/所，标准不高于10万人/所"


def test_one_provincial_model_senior_high_school_per_300000_residents(scheme):
    # 1,300,000 residents: 4 model schools → 32.5 万人/所 > 30 (lost); 5 → 26 (0.5 points); none → lost
    ds = _ds([YANGQUAN, JINCHENG, DATONG], {"schools_senior": [14, 14, 14], "schools_senior_model": [4, 5, 0],
                                            "resident_population": [1300000] * 3})
    s = score_all(scheme, ds, 2021)
    got = {r: next(i for i in s.scorecard(r).items if i.code == "5.2.2") for r in (YANGQUAN, JINCHENG, DATONG)}
    assert [got[r].score for r in (YANGQUAN, JINCHENG, DATONG)] == [D("0.00"), D("0.50"), D("0.00")]
    assert [got[r].auto_verdict for r in (YANGQUAN, JINCHENG, DATONG)] == ["fail", "pass", "fail"]
    assert got[YANGQUAN].value == pytest.approx(32.5)


def test_a_city_total_from_its_city_items_and_the_joint_meeting(scheme):
    # Only the city items are filled, so every other item scores 0 (数据不足 or unscored):
    #   阳泉: 2.4 pass 2 + 5.2.1 pass 1 + 5.2.2 pass 0.5 + 5.3.1 self 1 + 5.3.2 reviewer 0.5 = 5.00
    #   晋城: 2.4 fail 0 + 5.2.1 fail 0 (12 schools / 130万) + 5.2.2 pass 0.5 + 5.3.1 self 0 = 0.50
    ds = _ds([YANGQUAN, JINCHENG], {
        "per_student_budget_higher_voc": [16477.24, 11000],
        "schools_senior": [14, 12], "schools_senior_model": [5, 5],
        "resident_population": [1318505, 1300000],
    })
    manual = {
        (YANGQUAN, "5.3.1"): ManualScore(self_score=D(1)),
        (YANGQUAN, "5.3.2"): ManualScore(self_score=D(1), reviewer_score=D("0.5")),
        (JINCHENG, "5.3.1"): ManualScore(self_score=D(0)),
    }
    s = score_all(scheme, ds, 2021, manual)
    yq, jc = s.scorecard(YANGQUAN), s.scorecard(JINCHENG)
    assert (yq.total, yq.grade, yq.rank) == (D("5.00"), "不合格", 1)
    assert (jc.total, jc.grade, jc.rank) == (D("0.50"), "不合格", 2)
    assert yq.subtotals["5"] == D("3.00") and yq.subtotals["5.3"] == D("1.50") and yq.subtotals["2"] == D("2.00")
    assert jc.subtotals["5.2"] == D("0.50")
    assert yq.vetoes == ()


# ---- the checks behind them, without the scheme -------------------------------------------------------


def test_without_a_stated_threshold_the_checks_cannot_judge_except_shanxis_quoted_standard():
    ds = Dataset(["140300", "410100"], 2021, 1, {
        "per_student_budget_higher_voc": np.array([[16477.24], [16477.24]]),
        "schools_senior": np.array([[14.0], [14.0]]), "resident_population": np.array([[1318505.0], [1318505.0]]),
    })
    hv = run_check("higher_vocational_per_student", ds, 2021)
    assert list(hv.verdict) == [PASS, INSUFFICIENT]  # Shanxi: the 12000 元 quoted in seed 004; Henan: none
    assert "阳政办函〔2021〕174号" in hv.at(0).source and hv.at(0).confidence == "L"
    assert hv.at(1).note == "该项没有国家标准，评价方案须规定threshold"
    sp = run_check("senior_schools_per_population", ds, 2021)
    assert list(sp.verdict) == [INSUFFICIENT, INSUFFICIENT]  # no figure anywhere: the scheme states it
    assert list(run_check("senior_schools_per_population", ds, 2021, {"threshold": 9}).verdict) == [FAIL, FAIL]


# ---- the data elements ----------------------------------------------------------------------------------


def test_the_new_data_elements_follow_the_catalogue_conventions():
    cat = default_catalogue()
    hv = cat["per_student_budget_higher_voc"]
    assert (hv.area, hv.unit, hv.kind, hv.level) == ("finance", "元", "per_student", "高职高专")
    assert parse_value(hv, "16,477.24") == D("16477.24")
    for code in ("schools_senior", "schools_senior_model"):
        assert (cat[code].area, cat[code].unit, cat[code].kind) == ("senior", "所", "count")
    pop = cat["resident_population"]
    assert (pop.unit, pop.kind) == ("人", "count") and parse_value(pop, "1318505") == D(1318505)
    with pytest.raises(ValueError, match="[\u4e00-\u9fff]"):
        parse_value(pop, "131.85万人")
    # more model schools than schools is an error
    findings = check_set(cat, {"schools_senior": D(12), "schools_senior_model": D(13)})
    assert any(f.code == "schools_senior_model" and f.severity == "error" for f in findings)


# ---- offered to a province office opening a cycle of 设区市 --------------------------------------------


def _form(world, scheme, **over):
    today = date.today()
    data = {
        "name": "山西省2027年对市级政府履行教育职责评价",
        "scheme": scheme.pk, "year": 2027, "data_year": 2026, "level": "city", "late_policy": "ask",
        "area_finance": "-1", "area_preschool": "0", "area_compulsory": "0", "area_senior": "0",
        "area_teachers": "0", "area_satisfaction": "0",
        "self_evaluation_starts": today, "self_evaluation_ends": today + timedelta(days=30),
        "excluded": [],
    }
    data.update(over)
    return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in data.items()}


def test_load_schemes_offers_the_city_scheme_for_a_city_cycle(world, client_as):
    from django.core.management import call_command
    from django.urls import reverse

    from dutyeval.evaluation.models import Cycle, Submission
    from dutyeval.regions.models import Region
    from dutyeval.schemes.models import Scheme

    out = io.StringIO()
    call_command("load_schemes", stdout=out)
    assert "shanxi-2021-city.yaml: shanxi-2021-city v1 created" in out.getvalue()
    city_scheme = Scheme.objects.get(code="shanxi-2021-city")
    assert city_scheme.level == "city" and city_scheme.total_points == 100
    c = client_as(world.province_admin)
    page = c.get(reverse("cycle-new")).content.decode()
    assert f'value="{city_scheme.pk}"' in page
    # the county scheme does not fit a cycle of cities; the city scheme does
    r = c.post(reverse("cycle-new"), _form(world, world.scheme))
    assert r.status_code == 200 and "该方案的评价对象是“县（市、区）”，与被评价层级“设区市”不一致" in r.content.decode()
    r = c.post(reverse("cycle-new"), _form(world, city_scheme, excluded=["140300"]))
    assert r.status_code == 302, r.content.decode()[:2000]
    cycle = Cycle.objects.get(year=2027)
    assert (cycle.level, cycle.scheme_id) == ("city", city_scheme.pk)
    assert c.post(reverse("cycle-publish", args=[cycle.pk])).status_code == 302
    cities = set(Region.objects.filter(code__startswith="14", level="city").values_list("code", flat=True))
    codes = set(Submission.objects.filter(cycle=cycle).values_list("region__code", flat=True))
    assert codes == cities - {"140300"} and len(codes) == 10
    city_scheme.refresh_from_db()
    assert city_scheme.is_frozen


def test_a_published_city_cycle_scores_the_city_items_from_the_citys_figures(world, django_user_model):
    from dutyeval.collection.services import save_values
    from dutyeval.evaluation import cycles
    from dutyeval.evaluation.models import Submission
    from dutyeval.evaluation.recompute import compute, result_items, store
    from dutyeval.regions.models import Region
    from dutyeval.schemes.services import import_scheme_file

    city_scheme, _ = import_scheme_file(CITY)
    draft = cycles.CycleDraft(
        name="山西省2027年对市级政府履行教育职责评价", scheme=city_scheme, year=2027, data_year=2026, level="city",
        area_years={"finance": 2025}, excluded=[],
        stages={"self_evaluation": (date.today(), date.today() + timedelta(days=10))},
    )
    cycle = cycles.save_draft(world.province_admin, world.shanxi, draft)
    cycles.publish_cycle(cycle, world.province_admin)
    jincheng = Region.objects.get(code=JINCHENG)
    # an evaluated city's own coordinator (填报联络员 of 晋城市) fills its figures
    filler = django_user_model.objects.create(username="jincheng_filler", role="county_coordinator", region=jincheng)
    # finance of 2025 (the year before the school-year data), schools and population of 2026
    save_values(jincheng, 2025, {"per_student_budget_higher_voc": "11999.99"}, user=filler, source="entered")
    save_values(jincheng, 2026, {"schools_senior": 12, "schools_senior_model": 5, "resident_population": 1300000},
                user=filler, source="entered")
    store(cycle, compute(cycle))
    items = result_items(Submission.objects.get(cycle=cycle, region=jincheng).result)
    assert (items["2.4"]["status"], items["2.4"]["score"]) == ("scored", "0.00")
    assert (items["5.2.1"]["status"], items["5.2.1"]["score"]) == ("scored", "0.00")
    assert (items["5.2.2"]["status"], items["5.2.2"]["score"]) == ("scored", "0.50")
