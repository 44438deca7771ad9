from __future__ import annotations

from collections import Counter
from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from dutyeval.accounts import scoping
from dutyeval.evaluation.models import Cycle, CycleStage, Submission
from dutyeval.notifications.models import Notification
from dutyeval.notifications.services import mark_all_read
from dutyeval.paging import paginate, query_without_page

SELF_TOTALS = {
    "self_total": Sum("scores__self_score"),
    "scored": Count("scores", filter=Q(scores__self_score__isnull=False)),
}
SORTS = {
    "region": "region__code",
    "state": "state",
    "submitted": "submitted_at",
    "score": "self_total",
    "updated": "updated",
}


@login_required
def home(request):
    """Each user's task list (what is due, overdue, returned, awaiting review, with dates) and messages."""
    user = request.user
    if user.is_superuser and user.region_id is None:
        return redirect("admin:index")
    from dutyeval.panels import tasks as panel_tasks

    if user.role == "county_coordinator":
        tasks = panel_tasks.supplement_tasks(user) + _county_tasks(user)
    elif scoping.is_department_user(user):
        tasks = _department_tasks(user)
    elif user.role in scoping.REVIEWER_ROLES:  # in a panel cycle: their own panels only
        tasks = panel_tasks.reviewer_tasks(user, _office_tasks(user))
    else:
        tasks = _office_tasks(user)
    notes = list(Notification.objects.filter(user=user)[:30])
    return render(request, "web/home.html", {"tasks": tasks, "notes": notes,
                                             "can_urge": scoping.can_administer(user, user.region)
                                             if user.region_id else False})


@login_required
@require_POST
def read_all(request):
    mark_all_read(request.user)
    return redirect("home")


def _county_tasks(user) -> list[dict]:
    tasks = []
    subs = (Submission.objects.filter(region_id=user.region_id, cycle__state=Cycle.State.PUBLISHED)
            .select_related("cycle", "region").order_by("-cycle__year"))
    for sub in subs:
        what = {
            Submission.State.DRAFT: "填报数据、自评打分并提交自评材料",
            Submission.State.RETURNED: "按退回意见修改后重新提交",
            Submission.State.SUBMITTED: "已提交，等待审核",
            Submission.State.FORWARDED: "设区市已复核报送，等待省级审核",
            Submission.State.ACCEPTED: "已审核通过",
            Submission.State.LOCKED: "结果已发布，材料已锁定",
        }[sub.state]
        if sub.editable:  # what is still missing, so the clerk knows how far there is to go
            what += "（" + _progress(sub) + "）"
        tasks.append({"title": sub.cycle.name, "what": what, "url": reverse("submission", args=[sub.pk]),
                      "due": sub.cycle.deadline if sub.editable else None, "overdue": sub.overdue,
                      "state": sub.state, "state_label": sub.get_state_display(),
                      "note": sub.return_reason if sub.state == Submission.State.RETURNED else "",
                      "open": sub.editable})
    return tasks


def _department_tasks(user) -> list[dict]:
    """A department's share of each open submission of its region, with how far it is."""
    from dutyeval.departments.services import progress

    tasks = []
    subs = (Submission.objects.filter(region_id=user.region_id, cycle__state=Cycle.State.PUBLISHED,
                                      assignments__department_id=user.department_id)
            .distinct().select_related("cycle", "region").order_by("-cycle__year"))
    for sub in subs:
        row = next((p for p in progress(sub) if p.department and p.department.pk == user.department_id), None)
        if row is None:
            continue
        what = (f"{user.department.name}分工：指标 {row.items_done}/{row.items}，数据 {row.elements_done}/{row.elements}"
                if sub.editable else f"材料{sub.get_state_display()}")
        tasks.append({"title": sub.cycle.name, "what": what, "url": reverse("submission", args=[sub.pk]),
                      "due": sub.cycle.deadline if sub.editable else None, "overdue": sub.overdue and not row.complete,
                      "state": sub.state, "state_label": "已完成" if row.complete else sub.get_state_display(),
                      "note": "", "open": sub.editable and not row.complete})
    return tasks


def _progress(sub: Submission) -> str:
    from dutyeval.collection.models import DataValue
    from dutyeval.core.catalogue import default_catalogue
    from dutyeval.evaluation.services import missing_self_scores
    from dutyeval.evidence.services import missing_evidence

    cat, cycle = default_catalogue(), sub.cycle
    stored = DataValue.objects.filter(region=sub.region, year__in=cycle.years_collected()).values_list(
        "element__code", "year")
    filled = sum(1 for code, year in stored if code in cat and cycle.year_of(code) == year)
    parts = [f"数据已填 {filled}/{len(cat.elements)}"]
    unscored, no_evidence = len(missing_self_scores(sub)), len(missing_evidence(sub))
    parts.append(f"{unscored} 项未自评打分" if unscored else "自评打分已完成")
    if no_evidence:
        parts.append(f"{no_evidence} 项缺佐证材料")
    return "，".join(parts)


def _office_tasks(user) -> list[dict]:
    if user.region_id is None:
        return []
    tasks = []
    administer = scoping.can_administer(user, user.region)
    own = Q(root__code__startswith=user.region.prefix)
    if user.region.level == "city":  # the province's cycles whose counties this city reviews first
        own |= Q(root__code=user.region.code[:2] + "0000", level="county", stages__kind=CycleStage.Kind.CITY_REVIEW)
    cycles = Cycle.objects.filter(own).distinct().select_related("root").order_by("-year", "-created")
    for cycle in cycles:
        if cycle.state == Cycle.State.DRAFT:
            if administer and scoping.runs_cycle(user, cycle):
                tasks.append({"title": cycle.name, "what": "草拟中：核对设置后发布", "open": True, "state": "draft",
                              "state_label": "草拟", "url": reverse("cycle-edit", args=[cycle.pk]), "due": None})
            continue
        counts = Counter(Submission.objects.filter(cycle=cycle, region__in=scoping.visible_regions(user))
                         .values_list("state", flat=True))
        waiting_state = "submitted"
        if cycle.root_id != user.region_id and cycle.has_city_review:  # a city reviewing the province's cycle
            waiting = counts[Submission.State.SUBMITTED]
        elif cycle.has_city_review:  # the province: what its cities forwarded (and counties without a city)
            waiting_state = "forwarded"
            waiting = counts[Submission.State.FORWARDED] + Submission.objects.filter(
                cycle=cycle, state=Submission.State.SUBMITTED).exclude(region__parent__level="city").count()
        else:
            waiting = counts[Submission.State.SUBMITTED]
        late = counts[Submission.State.DRAFT] + counts[Submission.State.RETURNED] if cycle.is_past_deadline else 0
        overview = reverse("cycle", args=[cycle.pk])
        tasks.append({"title": cycle.name, "cycle": cycle, "open": bool(waiting or late), "url": overview,
                      "what": f"{'待复核' if cycle.root_id != user.region_id else '待审核'} {waiting} 个"
                      + (f"，逾期未提交 {late} 个" if late else ""),
                      "waiting_url": f"{overview}?state={waiting_state}", "late": late, "due": cycle.deadline,
                      "state": "submitted" if waiting else "accepted", "state_label": "待办" if waiting or late else "无待办"})
    return tasks


@login_required
def overview(request, pk: int):
    cycle = get_object_or_404(Cycle.objects.select_related("scheme", "root"), pk=pk)
    if not (scoping.sees_cycle(request.user, cycle)):
        raise Http404
    from dutyeval.panels.services import visible_in_cycle

    regions = visible_in_cycle(request.user, cycle, scoping.visible_regions(request.user))
    subs = Submission.objects.filter(cycle=cycle, region__in=regions).select_related("region", "region__parent")
    state = request.GET.get("state", "")
    if state in Submission.State.values:
        subs = subs.filter(state=state)
    city = request.GET.get("city", "")
    if city:
        subs = subs.filter(region__parent__code=city)
    sort = request.GET.get("sort", "region")
    desc = sort.startswith("-")
    field = SORTS.get(sort.lstrip("-"), "region__code")
    count = subs.count()  # without the sums: counting needs no join of the scores
    if field == "self_total":  # sorting by the self-score total needs it for every region
        subs = subs.annotate(**SELF_TOTALS)
    page = paginate(request, subs.order_by(("-" if desc else "") + field, "region__code"), count=count)
    if field != "self_total":  # otherwise only for the page shown
        totals = {t["pk"]: t for t in Submission.objects.filter(pk__in=[s.pk for s in page]).values("pk")
                  .annotate(**SELF_TOTALS)}  # fmt: skip
        for r in page:
            r.self_total, r.scored = totals[r.pk]["self_total"], totals[r.pk]["scored"]
    for r in page:  # SQLite sums decimals as floats; show points to the hundredth
        r.self_total = None if r.self_total is None else Decimal(str(r.self_total)).quantize(Decimal("0.01"))
    # counts per city and state in one grouped query: the page never loads every region of the country
    counted = (
        Submission.objects.filter(cycle=cycle, region__in=regions).order_by()
        .values_list("region__parent__code", "region__parent__name", "state").annotate(n=Count("pk"))
    )  # fmt: skip
    by_city: dict[str, Counter] = {}
    names: dict[str, str] = {}
    for code, name, key, n in sorted(counted, key=lambda x: x[0] or ""):
        by_city.setdefault(name or "", Counter())[key] += n
        if code:
            names[code] = name
    states = list(Submission.State.choices)
    chart = {
        "cities": list(by_city),
        "series": [{"name": str(label), "key": key, "data": [by_city[c][key] for c in by_city]} for key, label in states],
    }
    totals = sum(by_city.values(), Counter())
    cities = sorted(names.items())
    return render(
        request,
        "web/cycle.html",
        {
            "cycle": cycle,
            "rows": page,
            "page": page,
            "query": query_without_page(request),
            "chart": chart,
            "totals": [(key, label, totals[key]) for key, label in states],
            "total": sum(totals.values()),
            "sort": sort,
            "state": state,
            "city": city,
            "cities": cities,
            "can_administer": scoping.runs_cycle(request.user, cycle),
            "past_deadline": cycle.is_past_deadline,
        },
    )
