"""Normalisation: folding, traditional to simplified, stray spaces, split figures, the offset map."""

from __future__ import annotations

import pytest

from dutyeval.core.textfacts.normalize import fold, normalize, to_simplified


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("发布日期: 2023- 01- 29 11: 21", "发布日期:2023-01-29 11:21"),  # seed 002
        ("一般公共预算教育经费18.87亿万 元", "一般公共预算教育经费18.87亿万元"),
        ("配套 15 个系列文件", "配套15个系列文件"),  # seed 004
        ("九年义务教育巩固率达109.74 %", "九年义务教育巩固率达109.74%"),  # seed 003
        ("全县共有学校２６４所，在校生９０９９１人", "全县共有学校264所,在校生90991人"),
        ("一、 自查情况", "一、自查情况"),
        ("Python 3 and GB 2260", "Python 3 and GB 2260"),  # spaces between Latin words stay
        ("投入\u200b5万元", "投入5万元"),
    ],
)
def test_spaces_and_widths(raw, expected):
    assert normalize(raw).text == expected


def test_traditional_characters_become_simplified_phrase_aware():
    # seed 004, item 13 is in traditional characters
    raw = "13. 新時代教育督導體制機制改革邁出新步伐。完善中小學、幼兒園責任督學掛牌督導制度"
    assert normalize(raw).text.startswith(
        "13.新时代教育督导体制机制改革迈出新步伐。完善中小学、幼儿园责任督学挂牌督导制度"
    )
    assert to_simplified("乾隆年間") == "乾隆年间"  # a phrase, not 干隆
    assert fold("简体文本不变") == "简体文本不变"


def test_figure_split_across_lines_is_joined():
    raw = "初中升入高中阶段毛入学率97.3\n\n%。九年义务教育巩固率保持较高水平。"  # seed 003
    assert "毛入学率97.3%" in normalize(raw).text


def test_wrapped_prose_is_joined_but_headings_and_paragraphs_are_not():
    raw = (
        "1. 教育职责进一步优先落实。2021年，市委第155、156次常委会，市政府第70次、71次常务会，市委、市政府专题会专门研究部署教育工作，在中高考、校园\n\n"
        "安全日等重要时间节点带队赴基层学校进行慰问检查。\n\n"
        "2. 教育优先发展政策措施达到历史巅峰。"
    )
    text = normalize(raw).text
    assert "校园安全日" in text
    assert "慰问检查。\n\n2.教育优先" in text


def test_table_rows_keep_their_tabs_and_lines():
    raw = "指标\t2019年\t2020年\n一般公共预算教育支出（万元）\t125,300\t132,800\n生均公用经费（元）\t720\t760"
    text = normalize(raw).text
    assert text.split("\n")[1] == "一般公共预算教育支出(万元)\t125,300\t132,800"


def test_offset_map_points_back_to_the_original():
    raw = "发布日期: 2023- 01- 29\n\n阳泉市 2020 年全市一般公共预算教育经费投入 21.09 亿元，比 2019 年增加 0.09 亿元"
    n = normalize(raw)
    i = n.text.index("21.09亿元")
    s, e = n.span_to_original(i, i + len("21.09亿元"))
    assert raw[s:e] == "21.09 亿元"
    assert n.to_original(len(n.text)) == len(raw)
    assert n.from_original(raw.index("21.09")) == i


def test_soft_breaks_mark_removed_spaces_between_words():
    n = normalize("四、优化结构,强化培训,打造一流的师资队伍 一是专业化教师队伍建设多措并举。")
    assert n.text.index("一是") in n.soft_breaks
