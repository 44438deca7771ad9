"""The outline: marker styles, levels from nesting, glued headings, enumerations that are not headings."""

from __future__ import annotations

from dutyeval.core.textfacts import ingest_text


def outline(text: str):
    return [(s.level, s.title) for s in ingest_text(text).sections]


def test_nested_styles_become_levels():
    text = (
        "一、 自查情况\n\n(一)落实教育优先发展战略\n\n1.加强党对教育工作全面领导。区委、区政府全面贯彻党的教育方针。\n\n"
        "2.落实学校党建工作全面覆盖。越城区坚持政治首位。\n\n(二)落实立德树人的根本任务\n\n"
        "5.落实“五育”并举。按国家课程标准,开足开齐各类课程。\n\n二、工作成效\n\n2021年,我区教育事业发展取得显著成效。"
    )
    assert outline(text) == [
        (1, "一、自查情况"),
        (2, "(一)落实教育优先发展战略"),
        (3, "1.加强党对教育工作全面领导"),
        (3, "2.落实学校党建工作全面覆盖"),
        (2, "(二)落实立德树人的根本任务"),
        (3, "5.落实“五育”并举"),
        (1, "二、工作成效"),
    ]


def test_section_spans_end_at_the_next_heading_of_the_same_or_higher_level():
    text = "一、甲\n(一)乙\n内容。\n(二)丙\n内容。\n二、丁\n内容。"
    report = ingest_text(text)
    spans = {s.title: (s.start, s.end) for s in report.sections}
    assert spans["一、甲"] == (0, report.text.index("二、丁"))
    assert spans["(二)丙"][1] == report.text.index("二、丁")
    assert spans["二、丁"][1] == len(report.text)


def test_full_width_markers_parts_and_numbered_items():
    text = (
        "第一篇 县级自评\n一、自查情况\n（一）党对教育工作的领导全面加强\n"
        "6. 优先保障教育经费。强化各级政府分级负责机制。\n（1）学前教育\n① 公办园\n第二篇 市级整改\n一、整改情况"
    )
    got = outline(text)
    assert got[0] == (1, "第一篇县级自评")
    assert (3, "(一)党对教育工作的领导全面加强") in got
    assert (4, "6.优先保障教育经费") in got  # seed 004's numbered items
    assert (5, "(1)学前教育") in got and (6, "①公办园") in got
    assert got[-2:] == [(1, "第二篇市级整改"), (2, "一、整改情况")]


def test_enumerations_dates_and_figures_are_not_headings():
    text = (
        "一是农村学校点多面散;二是存在优质生源流失的情况;三是学校管理需进一步优化。\n"
        "2021年,市委专题会专门研究部署教育工作。\n2.5%的学校未达标。\n1.\n"
    )
    assert outline(text) == []


def test_heading_run_into_the_previous_paragraph():
    text = "一、自查情况\n\n内容。\n\n二、工作成效\n\n进一步提升义务教育学校优质均衡水平。    三、存在问题与工作举措\n\n越城区教育事业取得了显著成绩。"
    assert outline(text) == [(1, "一、自查情况"), (1, "二、工作成效"), (1, "三、存在问题与工作举措")]
    # a 、-marker after 。 that does not continue the numbering is text, not a heading
    assert outline("一、甲\n内容。五、六个方面的工作。") == [(1, "一、甲")]


def test_heading_glued_to_its_paragraph_with_a_space():
    text = "四、优化结构,强化培训,打造一流的师资队伍 一是专业化教师队伍建设多措并举。出台了意见。"
    assert outline(text) == [(1, "四、优化结构,强化培训,打造一流的师资队伍")]
