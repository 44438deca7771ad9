"""Shares counted by institution vs by child (issue #13 Part B 5): 普惠园215所，占比65.75% is a share of
kindergartens, so a by-child element filled with it is warned about."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from dutyeval.core.catalogue import (
    check_set,
    default_catalogue,
    parse_catalogue,
    share_basis_findings,
    share_basis_in_text,
    text_share_finding,
)

CAT = default_catalogue()
# seed 003: "普惠园达到215所,占比65.75%" — 215 of 327 kindergartens is 65.749 %. By child the county has
# 5000 public + 4000 affordable private of 10000 children: 90 %.
COUNTS = {
    "kindergartens": D(327), "kindergartens_public": D(100), "kindergartens_affordable_private": D(115),
    "enrol_preschool": D(10000), "enrol_preschool_public": D(5000), "enrol_preschool_affordable": D(4000),
}  # fmt: skip
SEED_LINE = "全年,新增公办园53所,增幅120.45%,公办园占比由15%提升到30%。普惠园达到215所,占比65.75%,占比率稳步提升。"


def test_the_two_coverages_are_two_elements_saying_what_they_count():
    child, inst = CAT["affordable_kg_coverage"], CAT["affordable_kg_share_by_institution"]
    assert (child.share_basis, inst.share_basis) == ("child", "institution")
    assert child.other_basis == inst.code and inst.other_basis == child.code
    assert inst.share_of == (("kindergartens_public", "kindergartens_affordable_private"), ("kindergartens",))
    assert CAT["public_kg_share"].share_basis == "child"
    assert CAT["after_school_coverage"].share_basis == "institution"


def test_by_child_share_equal_to_the_institution_ratio_is_warned():
    findings = check_set(CAT, {**COUNTS, "affordable_kg_coverage": D("65.75")})
    assert [(f.code, f.severity) for f in findings] == [("affordable_kg_coverage", "warning")]
    assert "按机构数计算的比例" in findings[0].message and "65.75%" in findings[0].message


@pytest.mark.parametrize(
    "value,warned",
    [
        (D("90.00"), False),  # the by-child ratio itself
        (D("65.7"), True),  # 65.749 to one decimal
        (D("65.8"), False),  # not the institution ratio at that precision
        (D("66"), False),  # a whole percentage matches too many ratios to tell
        (D("65.749"), True),
    ],
)
def test_warning_only_at_the_precision_entered(value, warned):
    assert bool(share_basis_findings(CAT, {**COUNTS, "affordable_kg_coverage": value})) is warned


def test_no_warning_when_counts_are_missing_or_both_ratios_agree():
    partial = {k: v for k, v in COUNTS.items() if k != "kindergartens"}
    assert share_basis_findings(CAT, {**partial, "affordable_kg_coverage": D("65.75")}) == []
    # 50 of 100 kindergartens and 5000 of 10000 children: the same 50 %, nothing tells them apart
    same = {**COUNTS, "kindergartens_public": D(50), "kindergartens_affordable_private": D(0),
            "kindergartens": D(100), "enrol_preschool_affordable": D(0), "affordable_kg_coverage": D("50.00")}  # fmt: skip
    assert share_basis_findings(CAT, same) == []
    # a share by institution entered in the by-institution element is what it asks for
    assert share_basis_findings(CAT, {**COUNTS, "affordable_kg_share_by_institution": D("65.75")}) == []


def test_the_seed_sentence_is_a_share_of_institutions():
    assert share_basis_in_text(SEED_LINE) == [(215, D("65.75"))]
    finding = text_share_finding(CAT["affordable_kg_coverage"], SEED_LINE, D("65.75"))
    assert finding is not None and finding.severity == "warning" and "215所" in finding.message
    assert text_share_finding(CAT["affordable_kg_share_by_institution"], SEED_LINE, D("65.75")) is None
    # a share of children in words is not flagged
    assert share_basis_in_text("享受普惠性学前教育资源的幼儿占比80.1%") == []
    assert text_share_finding(CAT["affordable_kg_coverage"], SEED_LINE, D("80.1")) is None


def test_catalogue_rejects_unknown_year_kind_and_basis():
    base = {"areas": {"finance": "教育投入"}, "elements": [{"code": "x", "name": "x", "area": "finance",
                                                             "unit": "万元", "kind": "amount"}]}  # fmt: skip
    bad_year = {**base, "elements": [{**base["elements"][0], "year_kind": "fiscal"}]}
    with pytest.raises(ValueError, match="year_kind"):
        parse_catalogue(bad_year)
    bad_basis = {**base, "elements": [{**base["elements"][0], "kind": "rate", "share_basis": "people"}]}
    with pytest.raises(ValueError, match="share_basis"):
        parse_catalogue(bad_basis)
    dangling = {**base, "elements": [{**base["elements"][0], "other_basis": "nowhere"}]}
    with pytest.raises(ValueError, match="unknown element nowhere"):
        parse_catalogue(dangling)
