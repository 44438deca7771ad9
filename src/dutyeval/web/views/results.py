from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from dutyeval.accounts import scoping
from dutyeval.evaluation.models import RecomputeJob
from dutyeval.evaluation.ranking import cycle_results, results_summary
from dutyeval.evaluation.recompute import schedule_recompute
from dutyeval.evaluation.rules import cycle_for
from dutyeval.paging import paginate, query_without_page


@login_required
def results(request, pk: int):
    cycle = cycle_for(request.user, pk)
    from dutyeval.panels.services import visible_in_cycle

    results = cycle_results(cycle, visible_in_cycle(request.user, cycle, scoping.visible_regions(request.user)))
    summary = results_summary(cycle, results)  # the charts: grouped queries over all results, cached
    page = paginate(request, results, count=summary["count"])  # the table: one page of them
    return render(
        request,
        "web/results.html",
        {
            "cycle": cycle,
            "rows": page,
            "page": page,
            "query": query_without_page(request),
            "charts": {
                "distribution": summary["distribution"],
                "grades": [{"name": n, "value": c} for n, c in summary["grades"]],
                "failing": summary["failing"],
            },
            "grades": summary["grades"],
            "incomplete": summary["incomplete"],
            "job": RecomputeJob.objects.filter(cycle=cycle).first(),
            "can_administer": scoping.runs_cycle(request.user, cycle),
        },
    )


@login_required
def job_status(request, pk: int):
    cycle = cycle_for(request.user, pk)
    return render(request, "web/_job.html", {"cycle": cycle, "job": RecomputeJob.objects.filter(cycle=cycle).first()})


@login_required
@require_POST
def recompute(request, pk: int):
    cycle = cycle_for(request.user, pk)
    if not scoping.runs_cycle(request.user, cycle):
        raise Http404
    schedule_recompute(cycle, f"{request.user}手动重新计算")
    messages.success(request, "已开始重新计算。")
    return redirect("results", pk=pk)
