"""Pages of the surveys app. The office running a cycle imports and sees every region; an evaluated
region sees its own results once the cycle's results are released (公示 on). Out of scope is a 404;
in scope but not allowed is a 403. Every change goes through services.py."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from dutyeval.accounts import scoping
from dutyeval.evaluation.rules import cycle_for, submission_for
from dutyeval.release.services import region_sees_results
from dutyeval.web.views.exports import _response, _workbook

from . import compute, services
from .groups import GROUPS, label
from .models import SurveyImport
from .reading import MAX_BYTES
from .services import SurveyError


def _office_sees(user, cycle) -> bool:
    return scoping.runs_cycle(user, cycle) or scoping.can_administer(user, cycle.root)


def _results_cycle(user, pk: int):
    cycle = cycle_for(user, pk)
    if not _office_sees(user, cycle):
        raise PermissionDenied("只有督导办可以查看全部地区的满意度调查结果")
    return cycle


def _import_for(user, pk: int) -> SurveyImport:
    survey = get_object_or_404(SurveyImport.objects.select_related("cycle__root", "cycle__scheme"), pk=pk)
    if not scoping.runs_cycle(user, survey.cycle):
        raise Http404
    return survey


@login_required
def cycle_results(request, pk: int):
    cycle = _results_cycle(request.user, pk)
    current = services.current_import(cycle)
    return render(request, "surveys/cycle.html", {
        "cycle": cycle, "current": current, "office": scoping.runs_cycle(request.user, cycle),
        "table": _table(current), "setting": services.setting_for(cycle),
        "history": cycle.survey_imports.select_related("uploaded_by", "confirmed_by")[:50],
    })


def _table(survey):
    if survey is None:
        return None
    table = services.results_table(survey)
    table["headers"] = [label(g) for g in table["groups"]] + ["总平均"]
    table["provincial_row"] = [table["provincial"].get(g) for g in [*table["groups"], "overall"]]
    return table


@login_required
def upload(request, pk: int):
    cycle = cycle_for(request.user, pk, run=True)
    if request.method == "POST":
        f = request.FILES.get("file")
        if f is None:
            messages.error(request, "请选择要导入的文件")
        elif f.size > MAX_BYTES:
            messages.error(request, f"文件过大，上限 {MAX_BYTES // 1048576} MB")
        else:
            survey = services.read_import(cycle, request.user, f.read(MAX_BYTES + 1), f.name)
            return redirect("surveys:preview", survey.pk)
    setting = services.setting_for(cycle)
    return render(request, "surveys/import.html", {"cycle": cycle, "setting": setting, "rows": _setting_rows(setting)})


def _setting_rows(setting) -> list[dict]:
    return [{"group": g, "weight": setting.weights.get(g.code, ""), "quota": setting.quotas.get(g.code, "")}
            for g in GROUPS]


@login_required
def edit_settings(request, pk: int):
    cycle = cycle_for(request.user, pk, run=True)
    setting = services.setting_for(cycle)
    if request.method == "POST":
        try:
            services.update_settings(
                cycle, request.user, scale=request.POST.get("scale", ""), decimals=request.POST.get("decimals", ""),
                weights={g.code: request.POST.get(f"weight_{g.code}", "") for g in GROUPS},
                quotas={g.code: request.POST.get(f"quota_{g.code}", "") for g in GROUPS},
                weights_note=request.POST.get("weights_note", ""))
        except SurveyError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "满意度调查设置已保存")
            return redirect("surveys:import", cycle.pk)
    return render(request, "surveys/settings.html", {"cycle": cycle, "setting": setting,
                                                     "rows": _setting_rows(setting)})


@login_required
def preview(request, pk: int):
    survey = _import_for(request.user, pk)
    results = list(survey.results.select_related("region"))
    by_region: dict = {}
    for r in results:
        by_region.setdefault(r.region, {})[r.group] = r
    groups = [g for g in GROUPS if any(r.group == g.code for r in results)]
    decimals = services.setting_for(survey.cycle).decimals
    for r in results:
        r.shown = compute.rounded(r.mean, decimals)  # stored to 4 places; shown as the setting rounds
    names = {r.region.code: r.region.name for r in results}
    rows = [{"region": region, "cells": [cells.get(g.code) for g in groups]}
            for region, cells in sorted(by_region.items(), key=lambda kv: kv[0].code)]
    under = [{**u, "label": label(u["group"]), "name": names.get(u["region"], "")} for u in survey.under_quota]
    return render(request, "surveys/preview.html", {
        "survey": survey, "cycle": survey.cycle, "groups": groups, "rows": rows, "under": under,
        "setting": services.setting_for(survey.cycle), "needs_reason": bool(survey.under_quota or survey.locked_regions),
    })


@login_required
@require_POST
def confirm(request, pk: int):
    survey = _import_for(request.user, pk)
    try:
        services.confirm_import(survey, request.user, reason=request.POST.get("reason", ""))
    except SurveyError as exc:
        messages.error(request, str(exc))
        return redirect("surveys:preview", survey.pk)
    messages.success(request, "满意度调查结果已导入，并写入各地区的满意度数据")
    return redirect("surveys:cycle", survey.cycle_id)


@login_required
def export(request, pk: int):
    cycle = _results_cycle(request.user, pk)
    table = _table(services.current_import(cycle))
    if table is None:
        raise Http404
    headers = (["区域代码", "区域"] + [f"{h}（平均分）" for h in table["headers"]]
               + [f"{h}（与省均差）" for h in table["headers"]])
    rows = [[r["code"], r["name"], *[c["mean"] for c in r["cells"]], *[c["diff"] for c in r["cells"]]]
            for r in table["rows"]]
    rows.append(["", "全省（各地区平均）", *table["provincial_row"]])
    note = f"{format(table['setting'].scale.normalize(), 'f')}分制；与省均差 = 本地区平均分 − 各被评价地区平均分的平均"
    return _response(_workbook(f"{cycle.name} 满意度调查结果", note, headers, rows), f"survey-{cycle.pk}.xlsx")


@login_required
def region_results(request, pk: int):
    sub = submission_for(request.user, pk, departments=False)
    office = _office_sees(request.user, sub.cycle)
    if not office and not scoping.can_edit_region_data(request.user, sub.region):
        raise PermissionDenied("只有督导办和本地区填报联络员可以查看本地区的满意度调查结果")
    released = office or region_sees_results(sub)
    row, table = None, None
    current = services.current_import(sub.cycle) if released else None
    if current is not None:
        table = _table(current)
        row = next((r for r in table["rows"] if r["code"] == sub.region.code), None)
    cells = []
    if row:
        for c, header, prov in zip(row["cells"], table["headers"], table["provincial_row"], strict=True):
            cells.append({**c, "label": header, "provincial": prov})
    return render(request, "surveys/region.html", {"sub": sub, "cycle": sub.cycle, "released": released,
                                                   "cells": cells, "current": current, "office": office,
                                                   "setting": services.setting_for(sub.cycle)})
