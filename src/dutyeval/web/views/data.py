from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from dutyeval.accounts import scoping
from dutyeval.collection import excel as xl
from dutyeval.collection.models import DataValue, ImportAttempt
from dutyeval.collection.services import (
    Conflict,
    ValidationFailed,
    YearClosed,
    import_excel,
    save_values,
    values_for,
)
from dutyeval.core.catalogue import default_catalogue
from dutyeval.evaluation.rules import assigned_codes, may_fill

from .common import submission_for

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _fmt(v):
    if v is None:
        return ""
    return format(v.normalize(), "f") if v == v.to_integral_value() else format(v, "f").rstrip("0").rstrip(".")


def _seen(text: str) -> Decimal | None:
    """The value a form showed when it was loaded (its hidden `orig-` field)."""
    try:
        value = Decimal(text)
    except (InvalidOperation, TypeError):
        return None
    return value if value.is_finite() else None


@login_required
def area_form(request, pk: int, area: str):
    sub = submission_for(request.user, pk)
    cat = default_catalogue()
    if area not in cat.areas:
        raise Http404
    elements = cat.in_area(area)
    # the cycle sets one data year per 填报类别 (finance may be the year before the school year)
    year = sub.cycle.year_of(elements[0].code) if elements else sub.cycle.data_year
    mine = assigned_codes(sub, request.user, "element")  # a department user: only its own elements
    if mine is not None:
        elements = [e for e in elements if e.code in mine]
        if not elements:
            raise Http404
    can_edit = may_fill(sub, request.user)
    current = {
        v.element.code: v
        for v in DataValue.objects.filter(region=sub.region, year=year, element__area=area).select_related("element", "author")
    }
    previous = values_for(sub.region, year - 1)
    posted, originals, errors, conflicts = {}, {}, {}, {}
    if request.method == "POST":
        scoping.require_fill(request.user, sub.region)
        posted = {e.code: request.POST.get(e.code, "").strip() for e in elements}
        originals = {e.code: request.POST.get(f"orig-{e.code}", "").strip() for e in elements}
        # only what this user changed is written, so a stale form cannot revert another session's edit
        changed = {c: v for c, v in posted.items() if v != originals[c]}
        try:
            written, warns = save_values(sub.region, year, changed, user=request.user, source="entered",
                                         expected={c: _seen(originals[c]) for c in changed}, only=mine)
        except YearClosed as exc:
            messages.error(request, str(exc))
            return redirect("data-area", pk=pk, area=area)
        except ValidationFailed as exc:
            for p in exc.problems:
                errors.setdefault(p.field, []).append(p.reason)
            messages.error(request, f"有 {len(exc.problems)} 处错误，本页数据均未保存，请修改后重新保存。")
        except Conflict as exc:
            for item in exc.items:
                conflicts[item.code] = {"author": item.author, "updated": item.updated,
                                        "current": _fmt(item.current), "expected": _fmt(item.expected)}
                originals[item.code] = _fmt(item.current)  # saving again means: mine replaces theirs
            messages.error(request, f"有 {len(exc.items)} 项数据在您打开本页后已被他人修改，本页数据均未保存。"
                                    "请核对标出的数据项后再次保存。")
        else:
            for w in warns:
                messages.warning(request, w.reason)
            messages.success(request, f"已保存（更新 {written} 项）。")
            return redirect("data-area", pk=pk, area=area)
    rows = []
    for e in elements:
        cur = current.get(e.code)
        shown = _fmt(cur.value) if cur else ""
        rows.append(
            {
                "el": e,
                "value": posted.get(e.code, shown),
                "orig": originals.get(e.code, shown),
                "row": cur,
                "previous": _fmt(previous.get(e.code)),
                "errors": errors.get(e.code, []),
                "conflict": conflicts.get(e.code),
            }
        )
    return render(
        request,
        "web/data_area.html",
        {"sub": sub, "area": area, "area_name": cat.areas[area], "areas": _areas_for(sub, request.user, cat), "rows": rows,
         "year": year, "can_edit": can_edit},
    )


def _areas_for(sub, user, cat) -> dict[str, str]:
    """The area tabs a user has something to fill in."""
    mine = assigned_codes(sub, user, "element")
    if mine is None:
        return cat.areas
    return {a: name for a, name in cat.areas.items() if any(e.code in mine for e in cat.in_area(a))}


@login_required
def excel_template(request, pk: int):
    sub = submission_for(request.user, pk, departments=False)
    cycle, cat = sub.cycle, default_catalogue()
    year = cycle.data_year
    current, previous = {}, {}
    for y in cycle.years_collected():  # each element's value of its own year (finance may be N−1)
        mine = {e.code for e in cat.elements if cycle.year_of(e.code) == y}
        current.update({c: v for c, v in values_for(sub.region, y).items() if c in mine})
        previous.update({c: v for c, v in values_for(sub.region, y - 1).items() if c in mine})
    area_years = {a: cycle.year_of(els[0].code) for a in cat.areas if (els := cat.in_area(a))}
    data = xl.build_template(sub.region.code, sub.region.name, year, current, previous, area_years=area_years)
    resp = HttpResponse(data, content_type=XLSX)
    resp["Content-Disposition"] = f"attachment; filename=template-{sub.region.code}-{year}.xlsx"
    return resp


@login_required
def excel(request, pk: int):
    sub = submission_for(request.user, pk, departments=False)
    year = sub.cycle.data_year
    can_edit = scoping.can_edit_region_data(request.user, sub.region) and sub.editable
    attempt = None
    if request.method == "POST":
        scoping.require_edit(request.user, sub.region)
        upload = request.FILES.get("file")
        if not sub.editable:
            messages.error(request, "材料已提交，退回前不能修改。")
        elif upload is None:
            messages.error(request, "请选择要上传的 Excel 文件。")
        elif upload.size > settings.DUTYEVAL_MAX_UPLOAD_BYTES:
            messages.error(request, "文件过大。")
        else:
            attempt = import_excel(
                sub.region, year, upload.read(), upload.name, user=request.user,
                max_bytes=settings.DUTYEVAL_MAX_UPLOAD_BYTES, year_of=sub.cycle.year_of,
            )
            if attempt.ok:
                messages.success(request, f"导入成功：写入 {attempt.written} 项数据。")
            else:
                messages.error(request, f"导入失败：发现 {attempt.error_count} 处错误，未写入任何数据。")
    # the list shows counts only: never load old error lists to draw this page
    recent = (ImportAttempt.objects.filter(region=sub.region, year=year).select_related("user")
              .defer("errors", "warnings")[:8])
    return render(request, "web/data_excel.html",
                  {"sub": sub, "year": year, "attempt": attempt, "recent": recent, "can_edit": can_edit})


@login_required
def import_errors(request, pk: int):
    attempt = get_object_or_404(ImportAttempt.objects.select_related("region"), pk=pk)
    scoping.require_whole_view(request.user, attempt.region)
    data = xl.errors_workbook(attempt.errors, attempt.warnings, total=attempt.error_count)
    resp = HttpResponse(data, content_type=XLSX)
    resp["Content-Disposition"] = f"attachment; filename=import-errors-{attempt.pk}.xlsx"
    return resp
