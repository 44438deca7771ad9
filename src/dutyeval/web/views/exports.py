"""Excel exports of the tables a user sees: the cycle overview and a region's scorecard (the results
table's export is the appraisal workbook in documents/excel.py). Same scope as the pages; every
text cell written as text (collection.excel.append_text_safe)."""

from __future__ import annotations

import io

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q, Sum
from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.styles import Font

from dutyeval.accounts import scoping
from dutyeval.collection.excel import append_text_safe
from dutyeval.evaluation.models import Submission
from dutyeval.evaluation.rules import cycle_for, submission_for
from dutyeval.evaluation.scorecard import build_scorecard
from dutyeval.release.services import region_sees_results

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _workbook(title: str, note: str, headers: list[str], rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = title[:31]
    append_text_safe(ws, [title])
    ws["A1"].font = Font(bold=True, size=13)
    append_text_safe(ws, [note])
    append_text_safe(ws, headers)
    for cell in ws[3]:
        cell.font = Font(bold=True)
    for row in rows:
        append_text_safe(ws, row)
    ws.freeze_panes = "A4"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _response(data: bytes, filename: str) -> HttpResponse:
    resp = HttpResponse(data, content_type=XLSX)
    resp["Content-Disposition"] = f"attachment; filename={filename}"
    return resp


@login_required
def overview_xlsx(request, pk: int):
    cycle = cycle_for(request.user, pk)
    from dutyeval.panels.services import visible_in_cycle

    regions = visible_in_cycle(request.user, cycle, scoping.visible_regions(request.user))
    subs = (Submission.objects.filter(cycle=cycle, region__in=regions).select_related("region__parent")
            .annotate(self_total=Sum("scores__self_score"),
                      scored=Count("scores", filter=Q(scores__self_score__isnull=False)))
            .order_by("region__code"))
    rows = [[s.region.code, s.region.parent.name if s.region.parent else "", s.region.name, s.get_state_display(),
             "是" if s.overdue else "", "是" if s.late else "",
             s.submitted_at.strftime("%Y-%m-%d %H:%M") if s.submitted_at else "", s.scored,
             float(s.self_total) if s.self_total is not None else None] for s in subs]
    data = _workbook(f"{cycle.name} 评价总览", f"共 {len(rows)} 个被评价地区（导出范围与页面一致）",
                     ["行政区划代码", "设区市", "被评价地区", "状态", "逾期未提交", "逾期提交", "提交时间",
                      "已自评项数", "自评得分合计"], rows)
    return _response(data, f"overview-{cycle.pk}.xlsx")


@login_required
def scorecard_xlsx(request, pk: int):
    sub = submission_for(request.user, pk, departments=False)
    card = build_scorecard(sub)
    released = request.user.role not in scoping.OWN_REGION_ROLES or region_sees_results(sub)
    if not released:
        card.withhold_review()  # the export shows what the page shows
    rows = [[r.ind.code, r.ind.title, r.ind.points, r.self_score if r.is_leaf else None,
             (r.reviewer_score if r.is_leaf else None) if released else None, r.score,
             r.explanation] for r in card.rows]
    note = "" if released else "评审进行中：评审得分、总分、等次和排名在结果公示后可见。"
    data = _workbook(f"{sub.region.name} 评分表", note or f"{sub.cycle.name}",
                     ["编号", "指标", "分值", "自评", "评审", "得分", "依据"], rows)
    return _response(data, f"scorecard-{sub.region.code}-{sub.cycle.pk}.xlsx")
