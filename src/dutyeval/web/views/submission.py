from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from dutyeval.accounts import scoping
from dutyeval.audit.models import AuditLog
from dutyeval.collection.models import DataValue
from dutyeval.core.catalogue import default_catalogue
from dutyeval.evaluation import services
from dutyeval.evaluation.models import CoverDocument, ItemScore, Narrative

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
            "can_administer": scoping.can_administer(request.user, sub.region),
            "return_form": ReturnForm(),
            "report": sub.reports.filter(state="done").first(),
            "report_errors": len(services.report_errors(sub)) if sub.editable else 0,
            "cover": (cover := CoverDocument.objects.filter(submission=sub).first()),
            "cover_form": request.session.pop(f"cover-{sub.pk}", None) or (
                {"number": cover.number, "date": cover.date.isoformat(), "issuer": cover.issuer,
                 "approval": cover.approval} if cover else {}),
        },
    )


def _transition(request, pk, action):
    sub = submission_for(request.user, pk)
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
