"""The results of a cycle as an Excel workbook for the officials' appraisal (政绩考核): one row
per evaluated region, written with the same text-safe writer as every other export."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from dutyeval.collection.excel import append_text_safe
from dutyeval.evaluation.models import Cycle, Result, Submission

from .content import COMPLETE

HEADERS = [
    "序号",
    "行政区划代码",
    "设区市",
    "被评价区域",
    "评审状态",
    "总分",
    "等次",
    "否决前等次",
    "排名",
    "一票否决情形",
    "数据不足项",
    "奖励与通报",
    "结果计算时间",
]


def results_rows(cycle: Cycle, regions) -> list[list]:
    subs = (
        Submission.objects.filter(cycle=cycle, region__in=regions)
        .select_related("region__parent")
        .order_by("region__code")
    )
    results = {r.submission_id: r for r in Result.objects.filter(submission__in=subs)}
    outcomes = _outcomes(cycle)
    rows = []
    for sub in subs:
        r = results.get(sub.pk)
        complete = sub.state in COMPLETE and r is not None
        rows.append(
            [
                None,
                sub.region.code,
                sub.region.parent.name if sub.region.parent else "",
                sub.region.name,
                sub.get_state_display() if complete else f"未完成（{sub.get_state_display()}）",
                r.total if complete else None,
                r.grade if complete else "未完成",
                r.grade_before_veto if complete else "",
                r.rank if complete else None,
                "；".join(r.vetoes) if complete else "",
                r.insufficient if complete else None,
                "、".join(outcomes.get(sub.pk, [])),
                r.computed_at.strftime("%Y-%m-%d %H:%M") if r else "",
            ]
        )
    # the complete regions first, by rank; the incomplete after them, by code
    rows.sort(key=lambda x: (x[8] is None, x[8] or 0, x[1]))
    for n, row in enumerate(rows, start=1):
        row[0] = n
    return rows


def _outcomes(cycle: Cycle) -> dict[int, list[str]]:
    from dutyeval.release.services import outcomes_by_submission

    return outcomes_by_submission(cycle)


def results_workbook(cycle: Cycle, regions) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "评价结果"
    append_text_safe(ws, [f"{cycle.name} 评价结果（供政绩考核使用）"])
    ws["A1"].font = Font(bold=True, size=14)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADERS))
    append_text_safe(ws, ["评审未完成的区域不评定等次、不排名，列为“未完成”。一票否决触发时等次按方案封顶。"])
    append_text_safe(ws, HEADERS)
    for cell in ws[3]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for row in results_rows(cycle, regions):
        append_text_safe(ws, row)
        # region codes are identifiers, not numbers: text cells keep their leading digits as typed
        ws.cell(ws.max_row, 2).number_format = "@"
        ws.cell(ws.max_row, 6).number_format = "0.00"
    for col, width in enumerate((6, 14, 12, 16, 16, 9, 8, 10, 6, 40, 10, 24, 17), start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = "E4"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
