"""Rules added after the second held-out batch's first run (issue 13): breakdowns after 其中 that
are all of their total, a missing number followed by a verb, doubled units kept on the figure."""

from __future__ import annotations

import pytest

from dutyeval.core.textfacts import ingest_text


def _kinds(text: str) -> list[tuple[str, str]]:
    return [(a.kind, a.quote) for a in ingest_text(text).anomalies]


@pytest.mark.parametrize(
    ("text", "whole"),
    [
        ("全县义务教育学校32所，其中小学、初中分别为21所、9所。", "32所"),  # 30, short of 32
        ("全市共有中小学校87所，其中小学、初中、高中分别为52所、29所、4所。", "87所"),  # 85
        ("全县幼儿园27所，其中公办园、民办园分别为12所、17所。", "27所"),  # 29, over
    ],
)
def test_a_complete_partition_after_qizhong_must_add_up(text, whole):
    assert ("parts_exceed_whole", whole) in _kinds(text)


@pytest.mark.parametrize(
    "text",
    [
        "全县义务教育学校30所，其中小学、初中分别为21所、9所。",  # adds up
        # 公办园 and 普惠性民办园 leave out the other private kindergartens: 其中 is a subset
        "全县幼儿园27所，其中公办园、普惠性民办园分别为12所、10所。",
        # schools of two levels are counted apart
        "全县义务教育学校32所，其中小学、初中分别为21所、9所，九年一贯制学校2所。",
        # the list is not the one its total names (义务教育 is not named)
        "全县共有学校40所，其中小学、初中分别为21所、9所。",
        # the whole is the figure outside the brackets: 21+9 = 30 of 32, not of 2
        "全县义务教育学校32所（含九年一贯制学校2所），其中小学21所、初中9所。",
    ],
)
def test_no_alarm_when_the_list_is_not_all_of_the_total(text):
    assert not [k for k, _ in _kinds(text) if k == "parts_exceed_whole"], text


@pytest.mark.parametrize(
    ("text", "quote"),
    [
        ("全县共有学校所完成“县管校聘”改革。", "共有学校所"),
        ("县财政安排专项资金万元用于乡村教师周转宿舍建设。", "专项资金万元"),
        ("全县共有教师人参加培训。", "共有教师人"),
    ],
)
def test_a_missing_number_followed_by_a_verb_is_a_placeholder(text, quote):
    assert ("placeholder", quote) in _kinds(text)


@pytest.mark.parametrize(
    "text", ["各学校所完成的工作量不同。", "全县教师人参加培训的积极性高。", "这是学校所用于教学的场地。"]
)
def test_the_particle_suo_is_not_a_missing_number(text):
    assert not [k for k, _ in _kinds(text) if k == "placeholder"], text


@pytest.mark.parametrize(
    ("text", "quote", "unit", "base_unit"),
    [
        ("生均公用经费按小学720元元的标准", "720元元", "元元", "元"),
        ("普惠性幼儿园覆盖率86.5%%。", "86.5%%", "%%", "%"),
        ("全年下达公用经费7310万元元。", "7310万元元", "万元元", "元"),
    ],
)
def test_a_doubled_unit_stays_on_the_figure_and_is_flagged(text, quote, unit, base_unit):
    r = ingest_text(text)
    f = next(f for f in r.figures if f.quote == quote)
    assert (f.unit, f.base_unit) == (unit, base_unit)
    assert ("unit_typo", quote) in [(a.kind, a.quote) for a in r.anomalies]
