"""The pure parts: number formats, title lines, Chinese numerals, JSON round trip."""

from datetime import date
from decimal import Decimal

import pytest

from dutyeval.core.documents.compose import cn
from dutyeval.core.documents.model import Annex, Fig, OfficialDoc, Para, Table, fmt_number, title_lines


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (Decimal("145433.4018"), "万元", "145433.4"),
        (Decimal("13660.70"), "元", "13660.7"),
        (Decimal("2.4594"), "%", "2.46"),
        (Decimal("100"), "%", "100"),
        (Decimal("7041"), "人", "7041"),
        (Decimal("85.7"), "分", "85.70"),
        (Decimal("0.005"), "分", "0.01"),  # half up, as an office rounds
        (Decimal("-0.001"), "%", "0"),
        (None, "元", "—"),
    ],
)
def test_it_prints_figures_as_an_official_document_does(value, unit, text):
    assert fmt_number(value, unit) == text


@pytest.mark.parametrize(
    ("n", "text"), [(1, "一"), (10, "十"), (11, "十一"), (12, "十二"), (20, "二十"), (21, "二十一")]
)
def test_it_numbers_headings_in_chinese(n, text):
    assert cn(n) == text


@pytest.mark.parametrize(
    "title",
    [
        "对县级人民政府2021年履行教育职责评价报告",
        "迎泽区人民政府办公室关于迎泽区人民政府2021年履行教育职责自查自评情况的报告",
        "关于2021年对县级人民政府履行教育职责评价结果的通报",
        "短标题",
    ],
)
def test_titles_break_into_balanced_lines_without_a_lone_character(title):
    lines = title_lines(title)
    assert "".join(lines) == title
    assert all(len(line) <= 20 for line in lines)
    assert len(lines) == 1 or all(len(line) >= 4 for line in lines)


def test_a_title_breaks_after_a_word():
    assert title_lines("对县级人民政府2021年履行教育职责评价报告") == [
        "对县级人民政府2021年",
        "履行教育职责评价报告",
    ]


def test_the_content_round_trips_through_json():
    f = Fig(text="85.71", value="85.71", unit="分", source={"kind": "result", "rule": "总分"})
    doc = OfficialDoc(
        kind="notice",
        issuer_mark="办公室",
        number="〔2021〕1号",
        title="通报",
        addressee="各县：",
        body=[Para("h1", ["一、结果"]), Para("p", ["得分", f, "分。"], lead="（一）")],
        signature="办公室",
        date=date(2021, 11, 9),
        annexes=[Annex(title="结果", table=Table(headers=["a"], rows=[[f]], widths_mm=[10]))],
    )
    back = OfficialDoc.from_json(doc.to_json())
    assert back == doc
    assert back.figures() == [f, f]
    assert back.date_text == "2021年11月9日"


@pytest.mark.parametrize(
    ("title", "problem"),
    [
        ("一般公共预算教育支出逐年只增不减", "一般公共预算教育支出未实现逐年只增不减"),
        ("幼儿园生均一般公共预算教育支出不下降", "幼儿园生均一般公共预算教育支出出现下降"),
        ("小学生均公用经费达标", "小学生均公用经费未达标"),
        ("大班额（56—65人）比例控制在目标以内", "大班额（56—65人）比例超出控制目标"),
        ("超大班额（66人及以上）清零", "超大班额（66人及以上）未清零"),
        (
            "义务教育教师平均工资收入水平不低于当地公务员平均工资收入水平",
            "义务教育教师平均工资收入水平低于当地公务员平均工资收入水平",
        ),
        ("足额安排教师培训经费", "未足额安排教师培训经费"),
        ("中职与普通高中招生规模大体相当（职普比）", "未达到“中职与普通高中招生规模大体相当（职普比）”要求"),
    ],
)
def test_a_problem_says_what_fell_short_of_the_requirement(title, problem):
    from dutyeval.core.documents.compose import shortfall

    assert shortfall(title) == problem


@pytest.mark.parametrize(
    ("number", "prefix"),
    [("晋政教督〔2021〕1号", "晋政教督"), ("鲁政办发〔2018〕29号", "鲁政办发"), ("", "")],
)
def test_the_offices_number_prefix_comes_from_its_scheme(number, prefix):
    from dutyeval.core.documents.compose import office_prefix

    assert office_prefix(number) == prefix


def test_an_item_names_a_school_year_figure_by_its_school_year():
    """一般公共预算教育支出 is a finance-year figure (2019年), 在园幼儿数 a school-year one (2019/2020学年)."""
    from dutyeval.core.documents.compose import ItemFacts, item_sentence
    from dutyeval.core.documents.model import fig

    item = ItemFacts(code="3.1", title="普惠", points=Decimal("2"), rule_kind="check",
                     figures=[fig(Decimal("11690"), "人", {}), fig(Decimal("10000"), "人", {}),
                              fig(Decimal("198767.04"), "万元", {}), fig(None, "人", {})],
                     figure_years=[2019, 2018, 2019, 2019],
                     figure_names=["公办园在园幼儿数", "公办园在园幼儿数", "一般公共预算教育支出", "在园幼儿数"],
                     figure_year_kinds=["school", "school", "finance", "school"])
    text = "".join(r if isinstance(r, str) else r.text for r in item_sentence(item))
    assert "2019/2020学年全县公办园在园幼儿数11690人，2018/2019学年10000人" in text
    assert "2019年全县一般公共预算教育支出198767.04万元" in text
    assert "2019/2020学年在园幼儿数" in text  # named as missing by its school year too
