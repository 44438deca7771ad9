from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from dutyeval.accounts import scoping
from dutyeval.core.catalogue import default_catalogue
from dutyeval.evaluation.rules import submission_for
from dutyeval.evaluation.services import WorkflowError

from . import services
from .highlight import segments
from .models import ReportDocument


@login_required
def upload(request, pk: int):
    sub = submission_for(request.user, pk, departments=False)
    can_edit = scoping.can_edit_region_data(request.user, sub.region) and sub.editable
    if request.method == "POST":
        scoping.require_edit(request.user, sub.region)
        f = request.FILES.get("file")
        if f is None:
            messages.error(request, "请选择报告文件。")
        else:
            try:
                doc = services.upload_report(sub, request.user, f, f.name)
            except WorkflowError as exc:
                messages.error(request, str(exc))
            else:
                if doc.state == doc.State.FAILED:
                    messages.error(request, doc.error)
                else:
                    return redirect("report", pk=doc.pk)
    docs = ReportDocument.objects.filter(submission=sub)
    return render(request, "reports/upload.html", {"sub": sub, "docs": docs, "can_edit": can_edit})


def _doc_for(user, pk: int) -> ReportDocument:
    doc = get_object_or_404(ReportDocument.objects.select_related("submission__region", "submission__cycle"), pk=pk)
    scoping.require_whole_view(user, doc.submission.region)
    return doc


@login_required
def detail(request, pk: int):
    doc = _doc_for(request.user, pk)
    sub = doc.submission
    cat = default_catalogue()
    figures = doc.figures
    for i, f in enumerate(figures):
        f["index"] = i
        f["element_name"] = cat[f["element"]].name if f.get("element") in cat else ""
        f["accepted"] = str(i) in doc.accepted
    anomalies = doc.anomalies
    for i, a in enumerate(anomalies):
        a["index"] = i
    mapped = [f for f in figures if f["element"]]
    return render(
        request,
        "reports/detail.html",
        {
            "doc": doc,
            "sub": sub,
            "segments": segments(doc.result.get("text", ""), figures, anomalies) if doc.result else [],
            "figures": figures,
            "mapped": mapped,
            "anomalies": anomalies,
            "sections": doc.result.get("sections", []),
            "can_edit": scoping.can_edit_region_data(request.user, sub.region) and sub.editable,
            "confirm": _confirm_index(request, figures),
        },
    )


def _confirm_index(request, figures) -> int | None:
    text = request.GET.get("confirm", "")
    return int(text) if text.isdigit() and int(text) < len(figures) else None


@login_required
@require_POST
def accept(request, pk: int, index: int):
    doc = _doc_for(request.user, pk)
    scoping.require_edit(request.user, doc.submission.region)
    try:
        code = services.accept_figure(doc, index, request.user, confirmed=request.POST.get("confirmed") == "1")
    except services.NeedsConfirmation as exc:
        messages.warning(request, "请确认后再采纳：" + "；".join(exc.risks))
        return redirect(reverse("report", args=[pk]) + f"?confirm={index}#fig-{index}")
    except WorkflowError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"已采纳为“{default_catalogue()[code].name}”，来源记为报告提取。")
    return redirect(reverse("report", args=[pk]) + f"#fig-{index}")
