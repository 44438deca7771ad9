"""Evidence pages: the upload per item (also as an htmx fragment of the self-evaluation page), delete,
download and preview. Every object is fetched within the user's region scope (404 outside it)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from dutyeval.accounts import scoping
from dutyeval.evaluation.rules import may_fill, require_assigned, submission_for
from dutyeval.evaluation.services import WorkflowError

from . import services
from .detect import ACCEPT
from .models import Evidence

# What a preview may do: show itself, nothing else. `sandbox` gives it an opaque origin (no cookies,
# no scripts, no forms) even if a crafted file got past the content check; only our pages frame it.
PREVIEW_CSP = "sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; frame-ancestors 'self'"


def _htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def cell_context(user, sub, ind, *, editable: bool, files=None, errors=(), notice: str = "") -> dict:
    """What evidence/_cell.html needs for one item (shared by the template tag and the views)."""
    if files is None:
        files = list(services.Evidence.objects.filter(submission=sub, indicator=ind).order_by("uploaded_at", "pk"))
    return {
        "sub": sub, "ind": ind, "files": files, "errors": list(errors), "notice": notice, "accept": ACCEPT,
        "max_mb": settings.DUTYEVAL_EVIDENCE_MAX_BYTES // 1048576,
        "required": services.requires_evidence(ind),
        "editable": editable and may_fill(sub, user, item=ind.code),
    }


@login_required
def item(request, pk: int, indicator: int):
    """GET: the item's files (a page of its own); POST: upload one file (field `evidence-<id>` or `file`)."""
    sub = submission_for(request.user, pk)
    try:
        ind = services.items_of(sub, indicator)
    except WorkflowError:
        raise Http404 from None
    require_assigned(sub, request.user, "item", ind.code)
    errors, notice = [], ""
    if request.method == "POST":
        scoping.require_fill(request.user, sub.region)
        f = request.FILES.get(f"evidence-{ind.pk}") or request.FILES.get("file")
        try:
            if f is None:
                raise WorkflowError("请先选择要上传的文件")
            ev = services.upload_evidence(sub, ind, request.user, f, f.name, request.POST.get("note", ""))
        except WorkflowError as exc:
            errors.append(str(exc))
        else:
            notice = f"已上传《{ev.filename}》。"
        if not _htmx(request):
            for e in errors:
                messages.error(request, e)
            if notice:
                messages.success(request, notice)
            return redirect("evidence-item", pk=sub.pk, indicator=ind.pk)
    ctx = cell_context(request.user, sub, ind, editable=True, errors=errors, notice=notice)
    if _htmx(request):
        return render(request, "evidence/_cell.html", ctx)
    return render(request, "evidence/item.html", ctx)


def _evidence_for(user, pk: int) -> Evidence:
    ev = get_object_or_404(Evidence.objects.select_related("submission__region", "submission__cycle", "indicator"),
                           pk=pk)
    scoping.require_view(user, ev.submission.region)
    require_assigned(ev.submission, user, "item", ev.indicator.code)
    return ev


@login_required
@require_POST
def delete(request, pk: int):
    ev = _evidence_for(request.user, pk)
    sub, ind = ev.submission, ev.indicator
    scoping.require_fill(request.user, sub.region)
    errors, notice = [], ""
    try:
        services.delete_evidence(ev, request.user)
    except WorkflowError as exc:
        errors.append(str(exc))
    else:
        notice = f"已删除《{ev.filename}》。"
    if _htmx(request):
        sub.refresh_from_db()
        return render(request, "evidence/_cell.html",
                      cell_context(request.user, sub, ind, editable=True, errors=errors, notice=notice))
    for e in errors:
        messages.error(request, e)
    if notice:
        messages.success(request, notice)
    return redirect("evidence-item", pk=sub.pk, indicator=ind.pk)


def _file_response(ev: Evidence, *, attachment: bool) -> FileResponse:
    path = services.path_of(ev)
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, as_attachment=attachment, filename=ev.download_name, content_type=ev.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-cache"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


@login_required
def download(request, pk: int):
    return _file_response(_evidence_for(request.user, pk), attachment=True)


@login_required
@xframe_options_sameorigin
def preview(request, pk: int):
    """PDFs and images inline, for the page to frame or show; other kinds are only downloaded."""
    ev = _evidence_for(request.user, pk)
    if not ev.previewable:
        raise Http404
    response = _file_response(ev, attachment=False)
    response["Content-Security-Policy"] = PREVIEW_CSP
    return response
