"""Anomalies: each kind on a real seed snippet, and the look-alikes that must stay quiet."""

from __future__ import annotations

from decimal import Decimal

from dutyeval.core.textfacts import ingest_text


def kinds(text: str, **kw) -> list[tuple[str, str]]:
    return [(a.kind, a.quote) for a in ingest_text(text, **kw).anomalies]


def test_unit_typo():
    report = ingest_text("2021年一般公共预算教育经费18.87亿万元,比上年增长17.82%")
    (a,) = report.anomalies
    assert (a.kind, a.quote, a.severity) == ("unit_typo", "18.87亿万元", "error")
    assert "亿万元" in a.message and report.text[a.start : a.end] == a.quote
    assert kinds("安排教师培训经费 612 万万元") == [("unit_typo", "612万万元")]
    assert kinds("投入1.5亿元、2000万元") == []


def test_placeholders_with_units_but_not_names():
    text = (
        "2018年,xx区坚持以习近平新时代中国特色社会主义思想为指导。2018年教师培训费支出xx万元,"
        "受教育比例达xx%。全年共有xx万余名家庭经济困难学生获得资助。落实专项经费约xx万元。"
        "X县总面积2007平方公里,与中国电信xx分公司签订合同。"
    )
    assert kinds(text) == [
        ("placeholder", "xx万元"),
        ("placeholder", "xx%"),
        ("placeholder", "xx万余名"),
        ("placeholder", "约xx万元"),
    ]


def test_missing_number_before_a_unit():
    text = "配齐配强纪检干部,开展业务培训\n\n人次。开展党建督查4次,组织约谈388人次"  # seed 003
    assert [k for k, _ in kinds(text)] == ["placeholder"]


def test_rate_over_100_only_for_non_gross_rates():
    assert kinds("学前三年入园率达 95.40%,九年义务教育巩固率达109.74 %,残疾儿童少年入学率 99.52 %") == [
        ("rate_over_100", "109.74%")
    ]
    assert kinds("2021年越城区学前三年毛入园率达111%,高中阶段毛入学率103.2%") == []
    assert kinds("高中16272.09元,同比增长45.48%;职高15540.68元,同比增长157.56%") == []
    assert kinds("普惠性幼儿园覆盖率达到101.5%") == [("rate_over_100", "101.5%")]


def test_growth_that_disagrees_with_its_amounts():
    bad = "2022年全县一般公共预算教育支出 3.52 亿元，比上年的 3.20 亿元增长 12.5%"
    assert kinds(bad) == [("growth_mismatch", "12.5%")]
    good = "2022年全县一般公共预算教育支出 3.52 亿元，比上年的 3.20 亿元增长 10.0%"
    assert kinds(good) == []
    # amount, increase and rate: 275709 / (2138084 - 275709) = 14.80 %  (seed 001, correct)
    assert kinds("全市2020年度一般公共预算教育支出2138084万元,比2019年增加275709万元,增长14.80%") == []
    assert kinds("全市2020年度一般公共预算教育支出2138084万元,比2019年增加275709万元,增长18.2%") == [
        ("growth_mismatch", "18.2%")
    ]
    # truncated rather than rounded figures are not flagged: 184/212 = 86.79 % printed as 86.7 %
    assert kinds("全区212家学科类培训机构,压减184家,压减率86.7%") == []


def test_annual_average_growth():
    text = "5年间,教师年均总收入从2016年的7.6万元,增长到2020年的11.4万元,年均增长6700元。"  # seed 000
    assert kinds(text) == [("growth_mismatch", "6700元")]
    assert kinds(text.replace("6700元", "9500元")) == []


def test_change_of_a_whole_against_the_changes_of_its_parts():
    text = (
        "二本以上共录取 2076 人,同比增加 130 人;其中一本录取 442 人,同比增加 19 人"
        "(其中 985 高校录取 35 人,同比增加 7 人);二本录取 1634 人,同比增加 91 人。"
    )  # seed 003
    assert kinds(text) == [("growth_mismatch", "130人")]


def test_parts_exceeding_their_whole():
    assert kinds("全县共有各级各类学校 120 所，其中小学 80 所、初中 35 所、普通高中 9 所。") == [
        ("parts_exceed_whole", "120所")
    ]
    # parts that add up, parts at another bracket depth, and a sentence that moves on after ";"
    ok = (
        "全县共有学校 264 所,在校学生 90991 人,其中独立幼儿园 127 所(公办 94 所,民办 33 所),"
        "在园幼儿 15447 人(公办园 8728 人,民办园 6719 人)。"
        "安置点学校 7 所,其中幼儿园 2 所、小学 3 所、初中 2 所;在校学生 6477 人,其中幼儿园 762 人、"
        "小学 4334 人、初中 1381 人;需配备教师 338 人,已配备教师 353 人。"
    )
    assert kinds(ok) == []
    assert kinds("36个党组织中(含2个初中支部,1个退休支部)") == []
    assert kinds("5个党组织中(含4个初中支部,3个退休支部)") == [("parts_exceed_whole", "5个")]


def test_contradiction_with_values_already_entered():
    text = "2021年一般公共预算教育支出18.87亿元,学前三年毛入园率达111%。"
    entered = {"edu_exp_budget": Decimal("188700"), "gross_enrol_preschool": Decimal("108.5")}
    found = ingest_text(text, entered).anomalies
    assert [(a.kind, a.quote, a.severity) for a in found] == [("known_value_mismatch", "111%", "warning")]
    assert "108.5" in found[0].message
    # a figure stated for another year is not compared with this year's value
    assert ingest_text(text, {"gross_enrol_preschool": Decimal("90")}, year=2022).anomalies == []


def test_figure_outside_the_catalogue_range():
    found = kinds("生均一般公共预算教育支出:小学16571.07万元")
    assert found == [("out_of_range", "16571.07万元")]
