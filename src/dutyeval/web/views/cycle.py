from __future__ import annotations

from collections import Counter
from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from dutyeval.accounts import scoping
from dutyeval.evaluation.models import Cycle, Submission

SORTS = {
    "region": "region__code",
    "state": "state",
    "submitted": "submitted_at",
    "score": "self_total",
    "updated": "updated",
}


@login_required
def home(request):
    user = request.user
    if user.role == "county_coordinator":
        sub = Submission.objects.filter(region_id=user.region_id).order_by("-cycle__year").first()
        if sub:
            return redirect("submission", pk=sub.pk)
        return render(request, "web/empty.html", {"message": "本县暂无评价任务。"})
    if user.region_id:
        cycle = (Cycle.objects.filter(root__code__startswith=user.region.prefix[:2], state=Cycle.State.PUBLISHED)
                 .order_by("-year").first())
        if cycle:
            return redirect("cycle", pk=cycle.pk)
        if scoping.can_administer(user, user.region):
            return redirect("cycle-list")
    if user.is_superuser:
        return redirect("admin:index")
    return render(request, "web/empty.html", {"message": "暂无评价任务。"})


@login_required
def overview(request, pk: int):
    cycle = get_object_or_404(Cycle.objects.select_related("scheme", "root"), pk=pk)
    if not (scoping.can_review(request.user, cycle.root) or request.user.is_superuser):
        raise Http404
    regions = scoping.visible_regions(request.user)
    subs = (
        Submission.objects.filter(cycle=cycle, region__in=regions)
        .select_related("region", "region__parent")
        .annotate(self_total=Sum("scores__self_score"), scored=Count("scores", filter=Q(scores__self_score__isnull=False)))
    )
    state = request.GET.get("state", "")
    if state in Submission.State.values:
        subs = subs.filter(state=state)
    city = request.GET.get("city", "")
    if city:
        subs = subs.filter(region__parent__code=city)
    sort = request.GET.get("sort", "region")
    desc = sort.startswith("-")
    field = SORTS.get(sort.lstrip("-"), "region__code")
    subs = subs.order_by(("-" if desc else "") + field, "region__code")
    rows = list(subs)
    for r in rows:  # SQLite sums decimals as floats; show points to the hundredth
        r.self_total = None if r.self_total is None else Decimal(str(r.self_total)).quantize(Decimal("0.01"))
    all_subs = Submission.objects.filter(cycle=cycle, region__in=regions).select_related("region__parent")
    by_city: dict[str, Counter] = {}
    for s in all_subs:
        by_city.setdefault(s.region.parent.name if s.region.parent else "", Counter())[s.state] += 1
    states = list(Submission.State.choices)
    chart = {
        "cities": list(by_city),
        "series": [{"name": str(label), "key": key, "data": [by_city[c][key] for c in by_city]} for key, label in states],
    }
    totals = Counter(s.state for s in all_subs)
    cities = sorted({(s.region.parent.code, s.region.parent.name) for s in all_subs if s.region.parent})
    return render(
        request,
        "web/cycle.html",
        {
            "cycle": cycle,
            "rows": rows,
            "chart": chart,
            "totals": [(key, label, totals[key]) for key, label in states],
            "total": sum(totals.values()),
            "sort": sort,
            "state": state,
            "city": city,
            "cities": cities,
            "can_administer": scoping.can_administer(request.user, cycle.root),
            "past_deadline": cycle.is_past_deadline,
        },
    )
