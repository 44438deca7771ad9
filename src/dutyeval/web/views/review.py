from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render

from dutyeval.accounts import scoping
from dutyeval.evaluation import services
from dutyeval.evaluation.models import ItemScore, Result
from dutyeval.evaluation.recompute import result_items
from dutyeval.evaluation.rules import uses_panels
from dutyeval.schemes.models import Indicator

from .common import submission_for


@login_required
def review(request, pk: int):
    sub = submission_for(request.user, pk, departments=False)
    if not scoping.reviews_cycle(request.user, sub.cycle):
        raise Http404
    if uses_panels(sub.cycle) and not scoping.runs_cycle(request.user, sub.cycle):
        return redirect("panel", pk=pk)  # a panel's member scores there, blind; others never get here
    leaves = list(Indicator.objects.filter(scheme=sub.cycle.scheme, children__isnull=True).order_by("order"))
    if request.method == "POST":
        entries = {
            i.pk: (request.POST.get(f"score-{i.pk}", ""), request.POST.get(f"note-{i.pk}", ""),
                   request.POST.get(f"veto-{i.pk}", ""))
            for i in leaves
        }
        try:
            errors = services.save_review_scores(sub, request.user, entries)
        except services.WorkflowError as exc:
            errors = [str(exc)]
        if not errors:
            messages.success(request, "评审得分已保存，系统正在重新计算。")
            return redirect("review", pk=pk)
        for e in errors:
            messages.error(request, e)
    scores = {s.indicator_id: s for s in ItemScore.objects.filter(submission=sub)}
    result = Result.objects.filter(submission=sub).first()
    computed = result_items(result) if result else {}
    rows = [{"ind": i, "s": scores.get(i.pk), "auto": computed.get(i.code)} for i in leaves]
    report = sub.reports.filter(state="done").first()
    return render(request, "web/review.html", {
        "sub": sub, "rows": rows, "report": report,
        "can_edit": sub.state in services.REVIEWABLE,
    })
