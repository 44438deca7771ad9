"""Rules added after the third held-out batch (issue 13 Part A), each on sentences in new
wording (other provinces, levels and layouts than the batch's texts)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from dutyeval.core.textfacts import ingest_text


def _kinds(text: str, kind: str) -> list[str]:
    return [a.quote for a in ingest_text(text).anomalies if a.kind == kind]


# ---- flattened score tables, row by row ----------------------------------------------------
ROW_TABLE = "各县（市、区）评价得分如下：\n\n县区\n\n得分\n\n等级\n\n城关区\n\n93.5\n\nA\n\n东湖县\n\n90.25\n\nA\n\n西山县\n\n84\n\nB\n\n南岭县\n\n79.75\n\nC\n\n四、下一步工作\n"


def test_a_table_flattened_row_by_row_gives_its_score_column():
    r = ingest_text(ROW_TABLE)
    scores = [(f.quote, f.kind, f.unit) for f in r.figures if f.kind == "score"]
    assert scores == [
        ("93.5", "score", ""),
        ("90.25", "score", ""),
        ("84", "score", ""),
        ("79.75", "score", ""),
    ]


def test_two_score_columns_of_a_row_by_row_table():
    text = "单位\n教育投入(30分)\n总分\n等次\n甲县\n27.5\n91.5\n优秀\n乙县\n24\n86.5\n良好\n丙县\n21.5\n78\n合格\n"
    r = ingest_text(text)
    scores = [f.quote for f in r.figures if f.kind == "score" and f.unit == ""]
    assert scores == ["27.5", "91.5", "24", "86.5", "21.5", "78"]


def test_a_row_by_row_table_without_a_score_header_gives_nothing():
    text = "单位\n编号\n备注\n甲县\n27.5\n新建\n乙县\n24\n改建\n丙县\n21.5\n新建\n"
    assert [f.quote for f in ingest_text(text).figures if f.kind == "score"] == []


# ---- places counted with a digit -----------------------------------------------------------
def test_places_counted_with_a_digit():
    r = ingest_text("全省有7市31县的学前三年毛入园率超过95%，辖区内另有2区。")
    assert [(f.quote, f.value, f.unit) for f in r.figures if f.kind == "count"] == [
        ("7市", Decimal(7), "市"),
        ("31县", Decimal(31), "县"),
        ("2区", Decimal(2), "区"),
    ]


def test_a_year_before_a_place_word_is_no_count():
    assert ingest_text("2022县域义务教育优质均衡发展督导评估").figures == []


# ---- ratios a:b ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("普职比为6.1:3.9", Decimal("1.5641")),
        ("职普比为4.5:5.5", Decimal("0.8182")),
        ("生师比为13.6:1", Decimal("13.6")),
    ],
)
def test_a_ratio_is_the_quotient_of_its_terms(text, value):
    (f,) = ingest_text(text).figures
    assert (f.kind, f.unit, f.value, f.base_value) == ("ratio", ":", value, value)


# ---- a measure word with no number after a counted facility --------------------------------
@pytest.mark.parametrize(
    "text",
    ["全县共建成标准化心理咨询室个，", "全市新认定劳动教育实践基地个，", "全县组建乡村学校少年宫社团个。"],
)
def test_a_facility_noun_left_without_its_number(text):
    assert _kinds(text, "placeholder"), text


@pytest.mark.parametrize("text", ["加强教管中心人、财、物管理", "局机关各科室所，", "以学生发展为中心，"])
def test_a_facility_noun_before_another_word_is_no_blank(text):
    assert not _kinds(text, "placeholder"), text


# ---- complete partitions that list the schools spanning two levels --------------------------
def test_a_partition_that_lists_two_level_schools_must_add_up():
    text = "全区义务教育学校84所，其中小学、初中、九年一贯制学校分别为50所、21所、11所。"
    assert _kinds(text, "parts_exceed_whole") == ["84所"]
    ok = "全区义务教育学校84所，其中小学、初中、九年一贯制学校分别为50所、23所、11所。"
    assert _kinds(ok, "parts_exceed_whole") == []


def test_two_level_schools_counted_apart_still_excuse_the_list():
    text = "全区义务教育学校84所（另有九年一贯制学校11所），其中小学、初中分别为50所、21所。"
    assert _kinds(text, "parts_exceed_whole") == []


# ---- a part must count the same kind of thing as its whole ----------------------------------
def test_pupils_are_no_part_of_teachers():
    text = "全县教职工2410人。其中初中9所，在校学生1.86万人；小学31所，在校学生2.2万人。"
    assert _kinds(text, "parts_exceed_whole") == []


def test_places_are_no_part_of_classes():
    text = "全市仍有大班额班级93个，其中56人以上的90个、66人以上的3个，主要分布在东部3个县区。"
    assert _kinds(text, "parts_exceed_whole") == []


def test_parts_of_the_same_kind_are_still_summed():
    text = "全县专任教师1200人，其中小学教师700人、初中教师560人。"
    assert _kinds(text, "parts_exceed_whole") == ["1200人"]
    text = "全县大班额班级40个，其中大班额38个、超大班额5个，分布在3个乡镇。"
    assert _kinds(text, "parts_exceed_whole") == ["40个"]


# ---- shares of a whole stated in another clause ---------------------------------------------
def test_the_share_of_a_part_after_qizhong_is_of_the_breakdown_s_whole():
    text = "全年选派支教教师160人，占全县专任教师2400人的6.7%；其中音体美教师40人，占支教总数的30%。"
    assert _kinds(text, "share_mismatch") == ["30%"]  # 40/160 = 25 %, not of the 2400
    assert _kinds(text.replace("30%", "25%"), "share_mismatch") == []
    assert _kinds("全县新招聘教师250人。其中研究生学历60人，占比20%。", "share_mismatch") == ["20%"]


def test_a_share_of_another_base_after_qizhong_is_not_checked():
    text = "全年选派支教教师160人，其中音体美教师40人，占全县音体美教师的12%。"
    assert _kinds(text, "share_mismatch") == []


def test_a_sentence_that_names_its_base_checks_the_share_of_its_part():
    text = "全县适龄残疾儿童少年320人。全县适龄残疾儿童少年中，已安置入学的296人，安置比例达到95.3%。"
    assert _kinds(text, "share_mismatch") == ["95.3%"]  # 296/320 = 92.5 %
    assert _kinds(text.replace("95.3%", "92.5%"), "share_mismatch") == []


def test_a_named_base_that_is_not_the_nearest_count_is_not_guessed():
    text = (
        "全县在园幼儿5200人，专任教师300人。全县在园幼儿中，在公办园就读的2600人，公办园在园幼儿占比为45%。"
    )
    assert _kinds(text, "share_mismatch") == []


def test_the_base_of_a_share_is_not_the_whole_of_the_breakdown_after_it():
    text = "全年选派支教教师160人，占全县专任教师2400人的6.7%；其中音体美教师170人。"
    assert _kinds(text, "parts_exceed_whole") == ["160人"]
