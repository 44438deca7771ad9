"""Result rows are written by COPY on PostgreSQL and by batched INSERTs elsewhere: text that COPY reads
specially (tabs, line breaks, backslashes) arrives as it was written."""

from decimal import Decimal

import pytest

from dutyeval.evaluation.models import Result, ResultItem
from dutyeval.evaluation.recompute import _copy_text, result_items, write_items


def test_copy_text_escapes_only_what_copy_reads_specially():
    assert _copy_text("计算值1.5%，符合") == "计算值1.5%，符合"
    assert _copy_text("a\tb\nc\rd\\e") == "a\\tb\\nc\\rd\\\\e"
    assert [_copy_text(v) for v in (None, True, False, Decimal("-3.50"), 1.25)] == [
        "\\N",
        "t",
        "f",
        "-3.50",
        "1.25",
    ]


def test_item_rows_come_back_as_written(world):
    result = Result.objects.create(
        submission=world.sub, total=Decimal("1.00"), grade="", grade_before_veto="", rank=1
    )
    text = "意见：第一行\n第二行\t制表\\反斜杠"
    row = (result.pk, "1.1", True, Decimal("1.50"), Decimal("-1.50"), "scored", "reviewer", True, None, "",
           "规则", text, 0.1, None, "%", "", "", "", '[{"code": "x", "value": "1.5"}]')  # fmt: skip
    write_items([row])
    item = ResultItem.objects.get(result=result)
    assert item.explanation == text and item.contribution == Decimal("-1.50") and item.failed
    assert item.figures == [{"code": "x", "value": "1.5"}] and item.auto_score is None and item.value == 0.1
    assert result_items(result)["1.1"]["explanation"] == text  # the dict readers of Result.items get the same


@pytest.mark.parametrize("n", [0, 4999, 5001])
def test_blocks_of_any_size(world, n):
    result = Result.objects.create(
        submission=world.sub, total=Decimal("1.00"), grade="", grade_before_veto="", rank=1
    )
    rows = [(result.pk, f"c{k}", True, Decimal("0.00"), Decimal("0.00"), "", "", False, None, "", "", "", None,
             None, "", "", "", "", "[]") for k in range(n)]  # fmt: skip
    write_items(rows)
    assert ResultItem.objects.filter(result=result).count() == n
