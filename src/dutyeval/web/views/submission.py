from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from dutyeval.accounts import scoping
from dutyeval.audit.models import AuditLog
from dutyeval.collection.models import DataValue
from dutyeval.core.catalogue import default_catalogue
from dutyeval.evaluation import city_review as city
from dutyeval.evaluation import services
from dutyeval.evaluation.models import CityReview, CoverDocument, ItemScore, Narrative
from dutyeval.evaluation.rules import assigned_codes

from ..forms import ReturnForm
from .common import submission_for


@login_required
def detail(request, pk: int):
    sub = submission_for(request.user, pk)
    cat = default_catalogue()
    stored = DataValue.objects.filter(region=sub.region, year__in=sub.cycle.years_collected())
    filled = {code for code, year in stored.values_list("element__code", "year") if sub.cycle.year_of(code) == year}
    areas = [
        {
            "key": key,
            "name": name,
            "total": len(cat.in_area(key)),
            "filled": sum(1 for e in cat.in_area(key) if e.code in filled),
            "year": sub.cycle.year_of(cat.in_area(key)[0].code) if cat.in_area(key) else sub.cycle.data_year,
        }
        for key, name in cat.areas.items()
    ]
    for a in areas:
        a["pct"] = round(100 * a["filled"] / a["total"]) if a["total"] else 0
    mine = _my_share(sub, request.user, cat, filled)
    if mine is not None:  # a department user: only its own share
        areas = [a for a in areas if any(e.code in mine["elements"] for e in cat.in_area(a["key"]))]
    leaves = services.manual_leaves(sub)
    scored = ItemScore.objects.filter(submission=sub, self_score__isnull=False).count()
    history = AuditLog.objects.filter(
        Q(object_type="evaluation.submission", object_id=str(sub.pk))
        | Q(region=sub.region, action__startswith="collection.", data__year__in=sub.cycle.years_collected())
        | Q(region=sub.region, action="collection.values.correct")
    ).select_related("actor")[:20]
    return render(
        request,
        "web/submission.html",
        {
            "sub": sub,
            "areas": areas,
            "values_filled": len(filled),
            "values_total": len(cat.elements),
            "items_total": len(leaves),
            "items_scored": scored,
            "narratives": Narrative.objects.filter(submission=sub).exclude(text="").count(),
            "history": history,
            "can_edit": scoping.can_edit_region_data(request.user, sub.region) and sub.editable,
            "can_administer": scoping.runs_cycle(request.user, sub.cycle),
            "office_turn": services.awaiting_office(sub),
            "can_city_review": scoping.can_city_review(request.user, sub) and sub.state == sub.State.SUBMITTED,
            "city_review": CityReview.objects.filter(submission=sub).select_related("reviewed_by").first()
            if not scoping.is_department_user(request.user) else None,
            "needs_city_review": sub.state == sub.State.SUBMITTED and services.needs_city_review(sub),
            "grades": city.grade_names(sub) if scoping.can_city_review(request.user, sub) else [],
            "mine": mine,
            "city_form": request.session.pop(f"city-{sub.pk}", None) or {},
            "return_form": ReturnForm(),
            "report": sub.reports.filter(state="done").first(),
            "report_errors": len(services.report_errors(sub)) if sub.editable else 0,
            "cover": (cover := CoverDocument.objects.filter(submission=sub).first()),
            "cover_form": request.session.pop(f"cover-{sub.pk}", None) or (
                {"number": cover.number, "date": cover.date.isoformat(), "issuer": cover.issuer,
                 "approval": cover.approval} if cover else {}),
        },
    )


def _my_share(sub, user, cat, filled) -> dict | None:
    """What a department user fills in this submission, with what is still missing."""
    elements = assigned_codes(sub, user, "element")
    if elements is None:
        return None
    codes = assigned_codes(sub, user, "item")
    from dutyeval.schemes.models import Indicator

    items = list(Indicator.objects.filter(scheme_id=sub.cycle.scheme_id, code__in=codes).order_by("order"))
    scored = set(ItemScore.objects.filter(submission=sub, self_score__isnull=False).values_list("indicator_id", flat=True))
    return {
        "department": user.department,
        "elements": elements,
        "element_rows": [{"el": e, "filled": e.code in filled} for e in cat.elements if e.code in elements],
        "items": [{"ind": i, "scored": i.pk in scored} for i in items],
    }


def _transition(request, pk, action):
    sub = submission_for(request.user, pk, departments=False)
    try:
        action(sub)
    except services.WorkflowError as exc:
        messages.error(request, str(exc))
    return redirect("submission", pk=sub.pk)


@login_required
@require_POST
def submit(request, pk: int):
    def go(sub):
        services.submit_submission(sub, request.user, anomaly_reason=request.POST.get("anomaly_reason", ""))
        messages.success(request, "已提交。提交后材料锁定，如需修改请联系省督导办退回。")

    return _transition(request, pk, go)


@login_required
@require_POST
def return_(request, pk: int):
    def go(sub):
        services.return_submission(sub, request.user, request.POST.get("reason", ""))
        messages.success(request, f"已退回{sub.region.name}的自评材料。")

    return _transition(request, pk, go)


@login_required
@require_POST
def accept(request, pk: int):
    def go(sub):
        services.accept_submission(sub, request.user)
        messages.success(request, f"{sub.region.name}的自评材料已审核通过。")

    return _transition(request, pk, go)


@login_required
@require_POST
def city_review(request, pk: int):
    """设区市复核: forward with an opinion and a recommended grade, or return with a reason. A refused
    form comes back with what was typed."""
    sub = submission_for(request.user, pk, departments=False)
    post = request.POST
    try:
        if post.get("decision") == "return":
            city.return_by_city(sub, request.user, post.get("reason", ""))
            messages.success(request, f"已退回{sub.region.name}的自评材料。")
        else:
            city.forward_to_province(sub, request.user, post.get("opinion", ""), post.get("recommended_grade", ""))
            messages.success(request, f"已复核并报送{sub.region.name}的自评材料。")
    except services.WorkflowError as exc:
        messages.error(request, str(exc))
        request.session[f"city-{sub.pk}"] = {k: post.get(k, "")[:4000] for k in ("opinion", "recommended_grade", "reason")}
    return redirect(f"{reverse('submission', args=[sub.pk])}#city-review")
