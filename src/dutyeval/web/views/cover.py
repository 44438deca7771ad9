"""The 报送文件 of a submission: recorded by the county, shown to the office, its PDF within scope only."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from dutyeval.accounts import scoping
from dutyeval.evaluation import cover as covers
from dutyeval.evaluation.models import CoverDocument
from dutyeval.evaluation.services import WorkflowError

from .common import submission_for


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


@login_required
@require_POST
def record(request, pk: int):
    sub = submission_for(request.user, pk, departments=False)
    scoping.require_edit(request.user, sub.region)
    upload = request.FILES.get("file")
    try:
        covers.record_cover_document(
            sub, request.user, number=request.POST.get("number", ""), day=_day(request.POST.get("date", "")),
            issuer=request.POST.get("issuer", ""), approval=request.POST.get("approval", ""),
            upload=upload, filename=upload.name if upload else "",
        )
    except covers.CoverInvalid as exc:
        messages.error(request, "报送文件未登记，请按提示修改。")
        # shown once, next to each field, with what was typed
        request.session[f"cover-{pk}"] = {**{k: request.POST.get(k, "") for k in ("number", "date", "issuer", "approval")},
                                          "errors": exc.errors}
    except WorkflowError as exc:
        messages.error(request, str(exc))
    else:
        request.session.pop(f"cover-{pk}", None)
        messages.success(request, "报送文件已登记。")
    return redirect("submission", pk=pk)


@login_required
def download(request, pk: int):
    sub = submission_for(request.user, pk, departments=False)
    cover = CoverDocument.objects.filter(submission=sub).exclude(stored_name="").first()
    if cover is None:
        raise Http404
    resp = FileResponse(covers.path_of(cover).open("rb"), content_type="application/pdf", as_attachment=True,
                        filename=cover.filename or "报送文件.pdf")
    resp["X-Content-Type-Options"] = "nosniff"
    return resp
