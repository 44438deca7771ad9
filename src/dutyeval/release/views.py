"""结果发布 (office): stages, outcome rules, appeals, the published list; 申诉 (region): its appeals."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from dutyeval.accounts import scoping
from dutyeval.evaluation.models import ResultItem
from dutyeval.evaluation.rules import WorkflowError, cycle_for, submission_for
from dutyeval.paging import paginate, query_without_page
from dutyeval.schemes.models import Indicator

from . import services
from .models import Appeal
from .ranking import apply_outcomes, official_submissions, rows_of


@login_required
def release(request, pk: int):
    cycle = cycle_for(request.user, pk)
    rel = services.current_release(cycle)
    office = scoping.runs_cycle(request.user, cycle)
    if request.method == "POST":
        if not office:
            raise Http404
        try:
            messages.success(request, _act(request, cycle))
        except WorkflowError as exc:
            messages.error(request, str(exc))
        return redirect("release", pk=pk)
    visible = scoping.visible_regions(request.user)
    if rel.stage == rel.Stage.FINAL:
        page, published = paginate(request, services.final_rows(cycle, visible)), True
        rows = page.object_list
    else:
        page, published = paginate(request, official_submissions(cycle, visible)), False
        rows = apply_outcomes(rows_of(page.object_list), rel)
    appeals = (Appeal.objects.filter(submission__cycle=cycle, submission__region__in=visible)
               .select_related("submission__region", "indicator", "decided_by").order_by("state", "filed_at"))
    return render(request, "release/release.html", {
        "cycle": cycle, "release": rel, "rows": rows, "page": page, "query": query_without_page(request),
        "published": published, "appeals": appeals,
        "can_manage": office, "grades": [b["name"] for b in cycle.scheme.grade_bands],
    })


def _act(request, cycle) -> str:
    post, user, action = request.POST, request.user, request.POST.get("action")
    if action == "publicity":
        rel = services.open_publicity(cycle, user, _int(post.get("appeal_days"), "申诉期"))
        return f"已公示，申诉期至{rel.appeal_deadline:%Y年%m月%d日}。"
    if action == "outcomes":
        try:
            amount = Decimal(post.get("award_amount") or "0")
        except InvalidOperation:
            raise WorkflowError("奖励金额不是数字") from None
        services.save_outcome_rules(
            cycle, user, award_top_n=_int(post.get("award_top_n"), "奖励名额"), award_grade=post.get("award_grade", ""),
            award_amount=amount, praise_grades=post.getlist("praise_grades"),
            criticize_grades=post.getlist("criticize_grades"), interview_on_veto=bool(post.get("interview_on_veto")))
        return "奖励和通报规则已保存。"
    if action == "decide":
        appeal = get_object_or_404(Appeal, pk=_int(post.get("appeal"), "申诉"), submission__cycle=cycle)
        services.decide_appeal(appeal, user, upheld=post.get("upheld") == "yes", new_score=post.get("new_score", ""),
                               decision=post.get("decision", ""))
        return f"已处理{appeal.submission.region.name}对指标{appeal.indicator.code}的申诉。"
    if action == "final":
        rel = services.finalize(cycle, user)
        return f"结果已正式发布（第 {rel.version} 版）。"
    if action == "reopen":
        services.reopen(cycle, user, post.get("reason", ""))
        return "已重新打开公示，修改后可再次正式发布（新版本）。"
    raise WorkflowError("未知的操作")


def _int(text, what: str) -> int:
    try:
        return int(text)
    except (TypeError, ValueError):
        raise WorkflowError(f"{what}须为整数") from None


@login_required
def appeals(request, pk: int):
    """A region's appeals in 公示: its items with their scores, and a form per appeal."""
    sub = submission_for(request.user, pk, departments=False)
    rel = services.current_release(sub.cycle)
    coordinator = scoping.can_edit_region_data(request.user, sub.region)
    typed = {}
    if request.method == "POST":
        if not coordinator:
            raise Http404
        ind = get_object_or_404(Indicator, pk=_safe_int(request.POST.get("indicator")), scheme=sub.cycle.scheme)
        upload = request.FILES.get("file")
        try:
            services.file_appeal(sub, request.user, ind, request.POST.get("reason", ""), upload,
                                 upload.name if upload else "")
        except WorkflowError as exc:
            messages.error(request, str(exc))
            typed = {"indicator": ind.pk, "reason": request.POST.get("reason", "")}
        else:
            messages.success(request, f"已对指标{ind.code}提出申诉，等待督导办处理。")
            return redirect("appeals", pk=pk)
    if not services.region_sees_results(sub) and not scoping.sees_cycle(request.user, sub.cycle):
        raise Http404  # before 公示 a region has nothing to appeal against
    mine = Appeal.objects.filter(submission=sub).select_related("indicator").order_by("-filed_at")
    appealed = {a.indicator_id for a in mine if a.version == rel.version}
    leaves = Indicator.objects.filter(scheme=sub.cycle.scheme, children__isnull=True).order_by("order")
    scores = dict(ResultItem.objects.filter(result__submission=sub, leaf=True).values_list("code", "score"))
    items = [{"ind": i, "score": scores.get(i.code), "appealed": i.pk in appealed} for i in leaves]
    return render(request, "release/appeals.html", {
        "sub": sub, "release": rel, "appeals": mine, "items": items, "typed": typed,
        "can_appeal": coordinator and rel.stage == rel.Stage.PUBLICITY and sub.state in ("accepted", "locked"),
    })


def _safe_int(text) -> int:
    try:
        return int(text)
    except (TypeError, ValueError):
        raise Http404 from None
