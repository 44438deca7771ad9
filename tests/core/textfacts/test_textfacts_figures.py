"""Figure extraction on real seed snippets: values, units, kinds, years, qualifiers, elements."""

from __future__ import annotations

from decimal import Decimal

import pytest

from dutyeval.core.textfacts import ingest_text


def figs(text: str):
    return ingest_text(text).figures


def one(text: str, quote: str):
    found = [f for f in figs(text) if f.quote == quote]
    assert found, f"{quote!r} not among {[f.quote for f in figs(text)]}"
    return found[0]


@pytest.mark.parametrize(
    "text, quote, value, unit, base_value, base_unit, kind",
    [
        (
            "2021年一般公共预算教育经费18.87亿万元,比上年增长17.82%",
            "18.87亿万元",
            "18.87",
            "亿万元",
            "1887000000",
            "元",
            "amount",
        ),
        ("投资2900余万元,“智安校园”实现全覆盖", "2900余万元", "2900", "万元", "29000000", "元", "amount"),
        (
            "县政府每年投入近4000万元,用于学前、义务、高中",
            "近4000万元",
            "4000",
            "万元",
            "40000000",
            "元",
            "amount",
        ),
        (
            "“十三五”期间,累计投入超过2亿元,实施学前教育扩容提标工程",
            "超过2亿元",
            "2",
            "亿元",
            "200000000",
            "元",
            "amount",
        ),
        ("主动争取省级专项资金2800万,推进平台建设", "2800万", "2800", "万", "28000000", "元", "amount"),
        ("补充教师1500余名", "1500余名", "1500", "名", "1500", "名", "count"),
        ("民办小学报名录取比从2018年的3.87:1下降", "3.87:1", "3.87", ":", "3.87", ":", "ratio"),
        ("越城区得分84.48分,评价等级为B级", "84.48分", "84.48", "分", "84.48", "分", "score"),
        ("全区6—16周岁持证残疾人数", None, None, None, None, None, None),
        ("与20余家单位和百余个社区共建劳动实践基地", "百余个", "100", "个", "100", "个", "count"),
        ("捐献图书两千册", "两千册", "2000", "册", "2000", "册", "count"),
        ("仍有D级危房3,600平方米", "3,600平方米", "3600", "平方米", "3600", "平方米", "area"),
        ("每10万人口拥有一所普通高中", "10万", "10", "万", "100000", "", "count"),
        ("注册率均达100%", "100%", "100", "%", "100", "%", "rate"),
        ("大班额比例为2.6%,同比下降0.1%", "0.1%", "0.1", "%", "0.1", "%", "growth"),
    ],
)
def test_values_units_and_kinds(text, quote, value, unit, base_value, base_unit, kind):
    if quote is None:  # ages are not figures
        assert figs(text) == []
        return
    f = one(text, quote)
    assert (f.value, f.unit, f.base_value, f.base_unit, f.kind) == (
        Decimal(value),
        unit,
        Decimal(base_value),
        base_unit,
        kind,
    )
    assert ingest_text(text).text[f.start : f.end] == f.quote


@pytest.mark.parametrize(
    "text",
    [
        "市委第155、156次常委会,市政府第70次、71次常务会",  # ordinals
        "根据《2021年对市县级政府履行教育职责的评价方案》(晋政教督〔2021〕1号)要求",  # years, document numbers
        "确保一般公共预算教育经费两个只增不减",  # slogans
        "增强“四个意识”、坚定“四个自信”、做到“两个维护”",
        "按照“五个100%”创建目标",
        "发布《课后服务关爱教师10条“暖心”举措》",  # inside a document title
        "建立“1356”教育现代化工作思路,一人一策",
        "发布日期: 2023- 01- 29 11: 21",  # a time, not a ratio
    ],
)
def test_non_figures(text):
    assert figs(text) == []


def test_lists_ranges_and_chinese_numerals():
    quotes = {
        (f.quote, f.value, f.unit)
        for f in figs("培养50名中小学名校长,20名拔尖人才;县级财政按每人每月 600-800 元进行补助")
    }
    assert ("600", Decimal(600), "元") in quotes  # the first end of a range takes the unit of the second
    assert ("800元", Decimal(800), "元") in quotes
    scores = figs("五类人群调测得分分别为8.996、8.980、8.174、8.278、9.162,除社会群众外")
    assert [(f.value, f.kind) for f in scores] == [
        (Decimal(v), "score") for v in ("8.996", "8.980", "8.174", "8.278", "9.162")
    ]
    coef = figs("2021年越城区中小学校际差异系数分别为0.29、0.24,优于国家标准")
    assert [(f.value, f.unit, f.kind, f.metric) for f in coef] == [
        (Decimal("0.29"), "", "ratio", "校际差异系数"),
        (Decimal("0.24"), "", "ratio", "校际差异系数"),
    ]


def test_changes_are_linked_to_what_they_change():
    text = (
        "2021年一般公共预算教育经费18.87亿万元,比上年增长17.82%;生均一般公共预算教育支出为:"
        "初中29246.25元、小学16571.07元、幼儿园8169.31元,分别比上年增长8.62%、12.02%、20.57%。"
    )
    fs = figs(text)
    by = {f.quote: f for f in fs}
    assert by["17.82%"].kind == "growth" and fs[by["17.82%"].refers_to].quote == "18.87亿万元"
    pairs = [(by[g].quote, fs[by[g].refers_to].quote) for g in ("8.62%", "12.02%", "20.57%")]
    assert pairs == [("8.62%", "29246.25元"), ("12.02%", "16571.07元"), ("20.57%", "8169.31元")]
    assert "小学" in by["12.02%"].qualifiers and "初中" not in by["12.02%"].qualifiers
    assert by["20.57%"].metric == "生均一般公共预算教育支出" and by["20.57%"].year == 2021


def test_comparison_value_is_not_the_changed_figure():
    fs = figs("2022年全县一般公共预算教育支出 3.52 亿元，比上年的 3.20 亿元增长 12.5%")
    g = next(f for f in fs if f.kind == "growth")
    assert fs[g.refers_to].quote == "3.52亿元"


def test_amount_changes_and_decreases():
    fs = figs("2020 年全市一般公共预算教育经费投入 21.09 亿元，比 2019 年增加 0.09 亿元")
    inc = fs[1]
    assert (inc.quote, inc.kind, inc.direction, inc.year) == ("0.09亿元", "growth", 1, 2020)
    dec = figs("2018年全区学生近视不良检出率为55.08%,下降了5.78%。")[1]
    assert dec.kind == "growth" and dec.direction == -1 and "下降" in dec.qualifiers
    assert figs("新增学位1,440个")[0].kind == "count"  # 新增 is a count, not a change
    assert figs("大班额比例下降至1.2%")[0].kind == "rate"  # fell TO: a level


def test_years_levels_qualifiers_and_elements():
    text = (
        "2021年越城区学前三年毛入园率达111%,普惠性幼儿园在园幼儿覆盖率达97.6%,"
        "公办幼儿园在园幼儿覆盖率达68.9%,普及普惠水平均优于国家标准。"
    )
    fs = figs(text)
    assert [(f.element, f.year) for f in fs] == [
        ("gross_enrol_preschool", 2021),
        ("affordable_kg_coverage", 2021),
        ("public_kg_share", 2021),
    ]
    assert "城区" not in fs[0].qualifiers  # 越城区 is a name
    assert "幼儿园" in fs[1].qualifiers and "普惠性" in fs[1].qualifiers
    per = figs("2020年全县生均公共财政预算教育事业费支出方面:小学13660.7元,同比增长4.22%;初中15622.6元")
    assert [(f.quote, f.element) for f in per if f.kind == "amount"] == [
        ("13660.7元", "per_student_opex_primary"),
        ("15622.6元", "per_student_opex_junior"),
    ]
    assert per[0].confidence >= 0.9


def test_traditional_text_is_read_like_simplified():
    fs = figs("擴大市級專職督學規模14人，市域738所中小學校、幼兒園教育督導實現全覆蓋，每年安排20萬元")
    assert [(f.quote, f.unit) for f in fs] == [("14人", "人"), ("738所", "所"), ("20万元", "万元")]


def test_elements_need_matching_units_and_differences_are_changes():
    fs = figs("在校学生 90991 人,其中独立幼儿园 127 所(公办 94 所,民办 33 所),在园幼儿 15447 人")
    by = {f.quote: f for f in fs}
    assert by["127所"].element is None  # a count of schools, not of pupils
    assert by["15447人"].element == "enrol_preschool"
    diff = figs("生均公用经费每生每年城市小学1535元,农村小学初中分别高100元")
    assert [(f.quote, f.kind) for f in diff] == [("1535元", "amount"), ("100元", "growth")]


@pytest.mark.parametrize(
    ("text", "quote", "base_value", "base_unit"),
    [
        # units whose first character the hand-kept look-ahead class had left out
        ("新建校舍面积1200㎡，", "1200㎡", Decimal("1200"), "平方米"),
        ("优秀率提高5百分点。", "5百分点", Decimal("5"), "个百分点"),
        ("投入维修资金3百万元。", "3百万元", Decimal("3000000"), "元"),
    ],
)
def test_every_unit_of_the_lists_can_follow_an_integer(text, quote, base_value, base_unit):
    (f,) = [f for f in ingest_text(text).figures if f.quote == quote]
    assert (f.base_value, f.base_unit) == (base_value, base_unit)


def test_the_candidate_scans_let_every_listed_unit_follow_a_number():
    # a unit missing from the scan's look-ahead class is shut out without any error
    from dutyeval.core.textfacts import figures as F

    for unit in (F._RATE_MONEY + "|" + F._COUNT_UNITS).split("|"):
        m = F._ARABIC.match("12" + unit)
        assert m is not None and m.end() == 2 + len(unit), unit
    for unit in F._CN_UNITS.split("|"):
        m = F._CHINESE.match("三十" + unit)
        assert m is not None and m.end() == 2 + len(unit), unit
