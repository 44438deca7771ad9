"""Pages of the draws app: a cycle's draws, one draw through its states, the published files.

Scope: a draw outside the user's scope, or a draft for anyone but the office running the cycle, is
a 404 (not found and not yours look the same). Every change goes through services.py.
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from dutyeval.accounts import scoping
from dutyeval.core import lottery
from dutyeval.evaluation.cycles import evaluated_regions
from dutyeval.evaluation.models import Cycle
from dutyeval.regions.models import Region, School

from . import services
from .models import Draw
from .services import DrawsError


def _cycle_for(user, pk: int) -> Cycle:
    cycle = get_object_or_404(Cycle.objects.select_related("root", "scheme"), pk=pk)
    if not services.sees_draws_of(user, cycle):
        raise Http404
    return cycle


def _draw_for(user, pk: int) -> Draw:
    draw = get_object_or_404(Draw.objects.select_related("cycle__root", "county", "published_by"), pk=pk)
    if not services.can_see(user, draw):
        raise Http404
    return draw


def _office_draw(request, pk: int) -> Draw:
    """A draw the user may see; refuses (403 via PermissionDenied) what only the office may change."""
    draw = _draw_for(request.user, pk)
    if not scoping.runs_cycle(request.user, draw.cycle):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied("只有组织本次评价的督导办可以办理抽签")
    return draw


@login_required
def cycle_draws(request, pk: int):
    cycle = _cycle_for(request.user, pk)
    office = scoping.runs_cycle(request.user, cycle)
    draws = [d for d in Draw.objects.filter(cycle=cycle).select_related("cycle__root", "county", "record")
             if services.can_see(request.user, d)]
    counties = []
    if office:
        regions = evaluated_regions(cycle.root, cycle.level, cycle.excluded).order_by("code")
        with_schools = set(School.objects.filter(county__in=regions).values_list("county_id", flat=True).distinct())
        counties = [(r, r.pk in with_schools) for r in regions]
    return render(request, "draws/cycle.html", {"cycle": cycle, "draws": draws, "office": office,
                                                 "counties": counties,
                                                 "sees_cycle": scoping.sees_cycle(request.user, cycle)})


@login_required
@require_POST
def new_draw(request, pk: int):
    cycle = _cycle_for(request.user, pk)
    if not scoping.runs_cycle(request.user, cycle):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied("只有组织本次评价的督导办可以办理抽签")
    kind = request.POST.get("kind", "")
    county = None
    if kind == Draw.Kind.SCHOOLS:
        county = Region.objects.filter(code=request.POST.get("county", ""), level="county").first()
    try:
        draw = services.prepare_draw(cycle, request.user, kind, county)
    except DrawsError as e:
        messages.error(request, str(e))
        return redirect("draws:cycle", cycle.pk)
    messages.success(request, f"已生成抽签名单（{len(draw.frame['rows'])} 个单位），请核对参数、排除和必抽单位后公布")
    return redirect("draws:draw", draw.pk)


@login_required
def detail(request, pk: int):
    draw = _draw_for(request.user, pk)
    office = scoping.runs_cycle(request.user, draw.cycle)
    params = draw.parameters
    context = {
        "draw": draw,
        "cycle": draw.cycle,
        "office": office,
        "params": params,
        "columns": draw.frame.get("columns", []),
        "rows": services.rows_for_display(draw),
        "strata": services.strata_summary(draw),
        "inputs": list(draw.inputs.order_by("order")),
        "record": draw.record if draw.state == Draw.State.DRAWN else None,
        "exclusions_text": "\n".join(f"{n['code']} {n['reason']}" for n in draw.frame.get("exclusions", [])),
        "forced_text": "\n".join(f"{n['code']} {n['reason']}" for n in draw.frame.get("forced", [])),
        "eligible": len(draw.frame.get("rows", [])) - len(draw.frame.get("exclusions", [])),
        "algorithm": lottery.ALGORITHM,
        "sees_cycle": scoping.sees_cycle(request.user, draw.cycle),
    }
    if context["record"] is not None:
        context["result"] = [
            {**e, "cells": next((r for r in draw.frame["rows"] if r[0] == e["code"]), [e["code"]])}
            for e in draw.record.record["result"]
        ]
    return render(request, "draws/draw.html", context)


def _int(value, default=None):
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return default


@login_required
@require_POST
def edit(request, pk: int):
    draw = _office_draw(request, pk)
    n = _int(request.POST.get("n"))
    minimum = _int(request.POST.get("min_per_stratum"), 1)
    try:
        if n is None:
            raise DrawsError("抽取数量必须是正整数")
        if minimum is None:
            raise DrawsError("每层至少抽取的数量必须是整数")
        services.update_draft(
            draw, request.user, title=request.POST.get("title", ""), n=n,
            strata=request.POST.get("strata") or None, min_per_stratum=minimum,
            exclusions=services.parse_notes(request.POST.get("exclusions", ""), "排除单位"),
            forced=services.parse_notes(request.POST.get("forced", ""), "必抽单位"))
    except DrawsError as e:
        messages.error(request, f"未保存：{e}")
    else:
        messages.success(request, "抽签参数已保存")
    return redirect("draws:draw", draw.pk)


@login_required
@require_POST
def publish(request, pk: int):
    draw = _office_draw(request, pk)
    try:
        draw = services.publish_draw(draw, request.user)
    except DrawsError as e:
        messages.error(request, str(e))
    else:
        messages.success(request, f"名单和承诺值已公布。承诺值（秘密值的 SHA-256）：{draw.commitment}")
    return redirect("draws:draw", draw.pk)


@login_required
@require_POST
def add_input(request, pk: int):
    draw = _office_draw(request, pk)
    try:
        entry = services.add_public_input(draw, request.user, request.POST.get("text", ""), request.POST.get("by", ""))
    except DrawsError as e:
        messages.error(request, str(e))
    else:
        messages.success(request, f"已录入第 {entry.order} 条公开输入：{entry.text}（{entry.by}）")
    return redirect("draws:draw", draw.pk)


@login_required
@require_POST
def make(request, pk: int):
    draw = _office_draw(request, pk)
    try:
        made = services.make_draw(draw, request.user)
    except DrawsError as e:
        messages.error(request, str(e))
    else:
        codes = "、".join(e["code"] for e in made.record["result"])
        messages.success(request, f"抽签完成，抽中：{codes}。记录哈希 {made.record_sha256}")
    return redirect("draws:draw", draw.pk)


def _filename(draw: Draw, suffix: str) -> str:
    """Plain ASCII names, the ones the page's verify command uses."""
    return f'attachment; filename="draw-{draw.pk}-{suffix}"'


@login_required
def frame_csv(request, pk: int):
    draw = _draw_for(request.user, pk)
    response = HttpResponse(lottery.frame_to_csv(draw.lottery_frame).encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = _filename(draw, "frame.csv")
    return response


@login_required
def record_json(request, pk: int):
    draw = _draw_for(request.user, pk)
    if draw.state == Draw.State.DRAFT:
        raise Http404  # nothing is published yet
    body = json.dumps(services.published_json(draw), ensure_ascii=False, indent=2) + "\n"
    response = HttpResponse(body.encode("utf-8"), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = _filename(draw, "record.json" if draw.state == Draw.State.DRAWN else "announcement.json")
    return response
