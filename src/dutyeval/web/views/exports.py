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


def _verdict(flag) -> str:
    return "无法计算" if flag is None else ("达标" if flag else "未达标")


@login_required
def balance_xlsx(request, pk: int):
    """The county's balance page as a workbook: per level, the seven indicators with their
    coefficients, then every school with its seven values (the page's two tables)."""
    from dutyeval.core.balance import QUALITY_INDICATORS
    from dutyeval.regions.balance import county_balance

    sub = submission_for(request.user, pk, departments=False)
    year = sub.cycle.data_year
    names = [i.name for i in QUALITY_INDICATORS]
    rows: list[list] = []
    for r in county_balance(sub.region, year):
        rows.append([r["level_name"], f"综合差异系数 {r['composite_cv'] if r['composite_cv'] is not None else '—'}",
                     f"标准 ≤{r['composite_max']}", _verdict({"pass": True, "fail": False}.get(r["basic_verdict"]))])
        rows += [[r["level_name"], f"{i['name']}（{i['unit']}）", i["standard"], i["county_value"], i["cv"],
                  i["cv_max"], _verdict(i["cv_pass"])] for i in r["indicators"]]
        rows += [[r["level_name"], s["school_code"], s["name"], s["students"], *s["values"],
                  s["standards_met"], "达标" if s["meets_standard"] else (s.get("problem") or "未达标")]
                 for s in r["school_list"]]
    note = (f"{year}年；每级先列 7 项指标（标准、县域值、差异系数、上限、判定），再列逐校 7 项指标值"
            f"（指标1–7：{'；'.join(names)}）")
    data = _workbook(f"{sub.region.name} 义务教育均衡", note,
                     ["学段", "指标/学校标识码", "标准/学校", "县域值/在校生", "差异系数/指标1", "上限/指标2",
                      "判定/指标3", "指标4", "指标5", "指标6", "指标7", "达标项", "结论"], rows)
    return _response(data, f"balance-{sub.region.code}-{year}.xlsx")
