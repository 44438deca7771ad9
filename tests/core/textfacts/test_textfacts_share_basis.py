"""A share of institutions mapped to an element counted by child is flagged (issue 13, Part B 5,
wired into ingestion): `普惠园215所，占比65.75%` is 215 of the kindergartens, not of the children."""

from __future__ import annotations

import pytest

from dutyeval.core.textfacts import ingest_text


def _share_basis(text: str):
    report = ingest_text(text)
    return report, [a for a in report.anomalies if a.kind == "share_basis"]


@pytest.mark.parametrize(
    "text",
    [
        "普惠性幼儿园覆盖率：全县普惠园215所，占比65.75%。",
        "普惠性幼儿园覆盖率方面，全县普惠性幼儿园215所，占65.75%。",
    ],
)
def test_a_share_of_kindergartens_mapped_to_the_by_child_coverage_is_warned(text):
    report, found = _share_basis(text)
    fig = next(f for f in report.figures if f.base_unit == "%")
    assert fig.element == "affordable_kg_coverage"  # the mapping the warning is about
    assert len(found) == 1
    a = found[0]
    assert (a.start, a.end, a.severity) == (fig.start, fig.end, "warning")
    assert "215所" in a.message and "按机构数" in a.message
    assert report.to_dict()["anomalies"][0]["kind"] == "share_basis"  # what the report page shows


@pytest.mark.parametrize(
    "text",
    [
        "全县普惠性幼儿园覆盖率达到65.75%，共有普惠园215所。",  # the count comes after: no 所-share
        "全县普惠园215所，占比65.75%。",  # not mapped to a by-child element: nothing to warn about
        "全县30所学校中有12所，课后服务覆盖率40%。",  # a by-institution element
    ],
)
def test_no_warning_without_an_institution_share_on_a_by_child_element(text):
    assert _share_basis(text)[1] == []


def test_only_the_share_stated_after_the_count_of_institutions_is_warned():
    _, found = _share_basis("普惠性幼儿园覆盖率：全县普惠园215所，占比60.2%；在园幼儿覆盖率65.75%。")
    assert [a.quote for a in found] == ["60.2%"]
