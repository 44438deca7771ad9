from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from dutyeval.accounts import scoping
from dutyeval.evaluation import services
from dutyeval.evaluation.models import ItemScore, Narrative
from dutyeval.evaluation.scorecard import build_scorecard
from dutyeval.schemes.models import Indicator

from .common import submission_for


@login_required
def self_evaluation(request, pk: int):
    sub = submission_for(request.user, pk)
    can_edit = scoping.can_edit_region_data(request.user, sub.region) and sub.editable
    indicators = list(Indicator.objects.filter(scheme=sub.cycle.scheme).order_by("order"))
    leaves = [i for i in indicators if not any(c.parent_id == i.pk for c in indicators)]
    errors = []
    if request.method == "POST":
        scoping.require_edit(request.user, sub.region)
        entries = {
            i.pk: (request.POST.get(f"score-{i.pk}", ""), request.POST.get(f"note-{i.pk}", ""))
            for i in leaves if i.rule_kind == "manual"
        }
        try:
            errors = services.save_self_scores(sub, request.user, entries)
            if not errors:
                for area in (i for i in indicators if i.depth == 1):
                    services.save_narrative(sub, request.user, area.code, request.POST.get(f"narrative-{area.code}", ""))
        except services.WorkflowError as exc:
            errors = [str(exc)]
        if not errors:
            messages.success(request, "自评得分和自评情况已保存。")
            return redirect("self-evaluation", pk=pk)
        for e in errors:
            messages.error(request, e)
    scores = {s.indicator_id: s for s in ItemScore.objects.filter(submission=sub)}
    narratives = {n.area_code: n.text for n in Narrative.objects.filter(submission=sub)}
    groups = []
    for area in (i for i in indicators if i.depth == 1):
        items = [i for i in leaves if i.code == area.code or i.code.startswith(area.code + ".")]
        groups.append(
            {
                "area": area,
                "narrative": request.POST.get(f"narrative-{area.code}", narratives.get(area.code, "")),
                "items": [
                    {
                        "ind": i,
                        "score": request.POST.get(f"score-{i.pk}") if request.method == "POST" else getattr(scores.get(i.pk), "self_score", None),
                        "note": getattr(scores.get(i.pk), "self_note", ""),
                    }
                    for i in items
                ],
            }
        )
    return render(request, "web/self_evaluation.html", {"sub": sub, "groups": groups, "can_edit": can_edit})


@login_required
def scorecard(request, pk: int):
    sub = submission_for(request.user, pk)
    card = build_scorecard(sub)
    return render(request, "web/scorecard.html", {"sub": sub, "card": card})
