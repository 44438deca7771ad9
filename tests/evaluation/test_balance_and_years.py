"""A cycle's scheme scores the counties' 差异系数 from their school records, and its check texts name the
year of each figure when finance is collected for the year before the data year (hand-computed)."""

from decimal import Decimal

import pytest
import yaml

from dutyeval.collection.models import DataElement, DataValue
from dutyeval.core.balance import QUALITY_INDICATORS
from dutyeval.evaluation.balance_figures import uses_balance
from dutyeval.evaluation.models import Cycle, Result, Submission
from dutyeval.evaluation.recompute import compute, result_items, store
from dutyeval.regions.models import School, SchoolYearRecord
from dutyeval.schemes.services import freeze, import_scheme_file

SCHEME = {
    "code": "balance-test-2021-county", "version": 1, "title": "均衡测试方案", "issuer": "测试督导办",
    "doc_number": "测督〔2021〕2号", "year": 2021, "level": "county", "total_points": 6,
    "grade_bands": [{"name": "合格", "min_score": 3}, {"name": "不合格", "min_score": 0}],
    "indicators": [{"code": "1", "title": "均衡与投入", "points": 6, "children": [
        {"code": "1.1", "title": "小学差异系数", "points": 2,
         "rule": {"kind": "check", "check": "balance_cv", "params": {"level": "primary"}}},
        {"code": "1.2", "title": "初中差异系数（表达式）", "points": 2,
         "rule": {"kind": "auto", "expression": "#{balance_cv_max_junior} <= 0.45"}},
        {"code": "1.3", "title": "三个增长", "points": 2, "rule": {"kind": "check", "check": "three_growths"}},
    ]}],
}  # fmt: skip
# STANDARDS §1.2 worked example (students, books): CV 0.5153 > 0.50. Junior: 100 and 100 pupils with 90 and
# 110 of every resource: X̄ = 1, S = 0.1, CV = 0.1.
PRIMARY = [(45, 279), (37, 137), (89, 935), (76, 160), (55, 402)]
JUNIOR = [(100, 90), (100, 110)]


@pytest.fixture
def cycle(world, tmp_path):
    path = tmp_path / "balance-test-2021-county.yaml"
    path.write_text(yaml.safe_dump(SCHEME, allow_unicode=True), "utf-8")
    scheme, _ = import_scheme_file(path)
    freeze(scheme)
    # finance collected for 2019, the school year's figures for 2020
    cycle = Cycle.objects.create(name="均衡测试", scheme=scheme, year=2021, data_year=2020, root=world.shanxi,
                                 element_years={"edu_exp_budget": 2019, "fiscal_recurrent_revenue": 2019})  # fmt: skip
    Submission.objects.create(cycle=cycle, region=world.zezhou)
    for i, (level, schools) in enumerate((("primary", PRIMARY), ("junior", JUNIOR))):
        for j, (students, resource) in enumerate(schools):
            school = School.objects.create(code=f"t{i}{j}", name=f"测试学校{i}{j}", type=School.Type.choices[0][0],
                                           county=world.zezhou)  # fmt: skip
            SchoolYearRecord.objects.create(school=school, year=2020, level=level, students=students,
                                            **{k.code: resource for k in QUALITY_INDICATORS})  # fmt: skip
    el = {e.code: e for e in DataElement.objects.all()}
    # 教育支出 1000 → 1100 万元 (+10 %), 财政经常性收入 2000 → 2100 (+5 %): stored at their own years
    DataValue.objects.bulk_create([
        DataValue(element=el[c], region=world.zezhou, year=y, value=Decimal(v), source="test")
        for c, y, v in (("edu_exp_budget", 2018, 1000), ("edu_exp_budget", 2019, 1100),
                        ("fiscal_recurrent_revenue", 2018, 2000), ("fiscal_recurrent_revenue", 2019, 2100))
    ])  # fmt: skip
    return cycle


def test_balance_figures_and_years_reach_the_scores(world, cycle):
    assert uses_balance(cycle.scheme_id) and not uses_balance(world.scheme.pk)
    store(cycle, compute(cycle))
    items = result_items(Result.objects.get(submission__cycle=cycle))
    primary, junior, growth = items["1.1"], items["1.2"], items["1.3"]
    assert primary["status"] == "scored" and primary["score"] == "0.00" and "不符合" in primary["explanation"]
    assert abs(primary["value"] - 0.5153) < 5e-5 and primary["threshold"] == 0.5
    assert primary["figures"][0]["name"] == "小学校际差异系数（7项指标中的最大值）"
    assert junior["score"] == "2.00"
    assert growth["score"] == "2.00" and abs(growth["value"] - 5.0) < 1e-9
    assert "（2019年比2018年）" in growth["rule"]
    assert {(f["code"], f["year"]) for f in growth["figures"]} >= {("edu_exp_budget", 2019), ("edu_exp_budget", 2018)}


def test_without_school_records_the_balance_items_are_insufficient(world, cycle):
    SchoolYearRecord.objects.all().delete()
    store(cycle, compute(cycle))
    items = result_items(Result.objects.get(submission__cycle=cycle))
    assert items["1.1"]["status"] == "insufficient" and items["1.2"]["status"] == "insufficient"


def test_the_scorecard_names_finance_and_school_years(world, cycle, client):
    from dutyeval.evaluation.scorecard import _labelled, build_scorecard

    store(cycle, compute(cycle))
    sub = Submission.objects.get(cycle=cycle)
    row = next(r for r in build_scorecard(sub).rows if r.ind.code == "1.3")
    assert {(f["code"], f["label"]) for f in row.figures} >= {("edu_exp_budget", "2019年"), ("edu_exp_budget", "2018年")}
    assert _labelled([{"code": "enrol_total", "year": 2020}])[0]["label"] == "2020/2021学年"
    assert _labelled([{"code": "gone", "year": 2020}])[0]["label"] == "2020年"
    client.force_login(world.province_admin)
    page = client.get(f"/s/{sub.pk}/scorecard/").content.decode()
    assert "一般公共预算教育支出（2019年）" in page and "（2019年比2018年）" in page
