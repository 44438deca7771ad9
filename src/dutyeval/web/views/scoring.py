from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from dutyeval.accounts import scoping
from dutyeval.evaluation import services
from dutyeval.evaluation.models import ItemScore, Narrative
from dutyeval.evaluation.rules import assigned_codes, may_fill
from dutyeval.evaluation.scorecard import build_scorecard
from dutyeval.release.services import region_sees_results
from dutyeval.schemes.models import Indicator

from .common import submission_for


@login_required
def self_evaluation(request, pk: int):
    """Self scores, notes and the narrative, saved one area (一级指标) at a time. A score that cannot
    be taken keeps everything the user typed in that area and shows its reason next to the field."""
    sub = submission_for(request.user, pk)
    can_edit = may_fill(sub, request.user)
    coordinator = scoping.can_edit_region_data(request.user, sub.region)
    indicators = list(Indicator.objects.filter(scheme=sub.cycle.scheme).order_by("order"))
    leaves = [i for i in indicators if not any(c.parent_id == i.pk for c in indicators)]
    assigned = assigned_codes(sub, request.user, "item")  # a department user: only its own items
    if assigned is not None:
        leaves = [i for i in leaves if i.code in assigned]
    areas = [i for i in indicators if i.depth == 1 and any(_in_area(leaf, i) for leaf in leaves)]
    posted_area, item_errors = None, {}
    if request.method == "POST":
        scoping.require_fill(request.user, sub.region)
        posted_area = next((a for a in areas if a.code == request.POST.get("area")), None)
        if posted_area is None:
            messages.error(request, "请在某一类指标下点击“保存本类”。")
            return redirect("self-evaluation", pk=pk)
        mine = [i for i in leaves if _in_area(i, posted_area)]
        entries = {i.pk: (request.POST.get(f"score-{i.pk}", ""), request.POST.get(f"note-{i.pk}", ""))
                   for i in mine if i.rule_kind == "manual"}
        try:
            errors = services.save_self_scores(sub, request.user, entries)
            if not errors and coordinator:  # the area's narrative is the coordinator's
                services.save_narrative(sub, request.user, posted_area.code,
                                        request.POST.get(f"narrative-{posted_area.code}", ""))
        except services.WorkflowError as exc:
            errors = [str(exc)]
        if not errors:
            messages.success(request, f"“{posted_area.title}”的自评得分和自评情况已保存。")
            return redirect(f"{request.path}#area-{posted_area.code}")
        for e in errors:
            if getattr(e, "pk", None):
                item_errors[e.pk] = e
            else:
                messages.error(request, e)
        messages.error(request, f"“{posted_area.title}”有 {len(errors)} 处需要修改，本类均未保存；已填写的内容保留在页面上。")
    scores = {s.indicator_id: s for s in ItemScore.objects.filter(submission=sub)}
    narratives = {n.area_code: n.text for n in Narrative.objects.filter(submission=sub)}
    groups = []
    for area in areas:
        typed = area is posted_area  # the area just posted shows what was typed, the others what is stored
        groups.append({
            "area": area,
            "narrative": request.POST.get(f"narrative-{area.code}", "") if typed else narratives.get(area.code, ""),
            "items": [
                {
                    "ind": i,
                    "score": request.POST.get(f"score-{i.pk}", "") if typed
                    else getattr(scores.get(i.pk), "self_score", None),
                    "note": request.POST.get(f"note-{i.pk}", "") if typed else getattr(scores.get(i.pk), "self_note", ""),
                    "error": item_errors.get(i.pk, ""),
                }
                for i in leaves if _in_area(i, area)
            ],
        })
    return render(request, "web/self_evaluation.html",
                  {"sub": sub, "groups": groups, "can_edit": can_edit, "narrative_editable": can_edit and coordinator,
                   "show_narrative": assigned is None})


def _in_area(ind: Indicator, area: Indicator) -> bool:
    return ind.code == area.code or ind.code.startswith(area.code + ".")


@login_required
def scorecard(request, pk: int):
    sub = submission_for(request.user, pk, departments=False)
    card = build_scorecard(sub)
    # the evaluated region sees totals, grade, rank and the reviewers' scores and notes from 公示 on
    own_region = request.user.role in scoping.OWN_REGION_ROLES
    released = not own_region or region_sees_results(sub)
    if not released:
        card.withhold_review()
    # the stored rank is the official one (recompute.rerank): 0 until the review is complete (未完成)
    rank = (card.result.rank or None) if card.result else None
    return render(request, "web/scorecard.html",
                  {"sub": sub, "card": card, "released": released, "official_rank": rank})
