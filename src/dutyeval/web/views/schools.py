from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404
from django.shortcuts import render

from dutyeval.regions.models import School
from dutyeval.regions.services import SCHOOL_SUFFIXES, import_schools


@login_required
def schools(request):
    user = request.user
    if user.role != "province_admin" or user.region_id is None:
        raise Http404
    prefix = user.region.prefix
    result = None
    if request.method == "POST":
        f = request.FILES.get("file")
        if f is None:
            messages.error(request, "请选择文件。")
        elif not f.name.lower().endswith(SCHOOL_SUFFIXES):
            messages.error(request, "只支持 CSV（.csv）或 Excel（.xlsx、.xls）文件。")
        elif f.size > 10 * 1024 * 1024:
            messages.error(request, "文件过大（上限 10 MB）。")
        else:
            try:
                result = import_schools(f.read(), f.name, actor=user, within=prefix)
            except ValueError as exc:
                messages.error(request, str(exc))
            else:
                if result.errors:
                    messages.error(request, f"导入失败：{result.error_count} 处错误，未写入任何数据。")
                else:
                    messages.success(request, f"导入成功：新增 {result.created} 所，更新 {result.updated} 所。")
    by_type = (
        School.objects.filter(county__code__startswith=prefix).values("type").annotate(n=Count("id")).order_by("type")
    )
    labels = dict(School.Type.choices)
    return render(request, "web/schools.html", {
        "result": result,
        "counts": [(labels.get(r["type"], r["type"]), r["n"]) for r in by_type],
        "total": sum(r["n"] for r in by_type),
    })
