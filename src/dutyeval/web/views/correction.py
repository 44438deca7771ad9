"""The office corrects figures of a region, also of years a submitted cycle has locked, with a reason."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render

from dutyeval.accounts import scoping
from dutyeval.audit.models import AuditLog
from dutyeval.collection.services import Conflict, ValidationFailed, YearClosed, correct_values, values_for
from dutyeval.core.catalogue import default_catalogue

from .common import submission_for


@login_required
def correct(request, pk: int):
    sub = submission_for(request.user, pk, departments=False)
    if not scoping.runs_cycle(request.user, sub.cycle):
        raise PermissionDenied("只有上级督导办管理员可以更正数据")
    cat = default_catalogue()
    years = list(reversed(sub.cycle.years_read()))
    form = {"element": "", "year": str(sub.cycle.data_year), "value": "", "reason": ""}
    errors: list[str] = []
    if request.method == "POST":
        form = {k: request.POST.get(k, "").strip() for k in form}
        errors = _apply(request, sub, cat, years, form)
        if not errors:
            return redirect("data-correct", pk=pk)
    year = int(form["year"]) if form["year"].isdigit() and int(form["year"]) in years else sub.cycle.data_year
    current = values_for(sub.region, year)
    history = list(AuditLog.objects.filter(region=sub.region, action="collection.values.correct")
                   .select_related("actor")[:50])
    for h in history:  # element names for the table, not codes
        h.rows = [(cat[c].name if c in cat else c, old, new) for c, (old, new) in h.data.get("changes", {}).items()]
    return render(request, "web/correct.html", {
        "sub": sub, "elements": cat.elements, "years": years, "form": form, "errors": errors,
        "current": _plain(current.get(form["element"])), "history": history,
    })


def _apply(request, sub, cat, years, form) -> list[str]:
    if form["element"] not in cat:
        return ["请选择数据项"]
    if not form["year"].isdigit() or int(form["year"]) not in years:
        return ["请选择本周期读取的年度"]
    try:
        written, warnings = correct_values(sub.region, int(form["year"]), {form["element"]: form["value"]},
                                           user=request.user, reason=form["reason"])
    except ValidationFailed as exc:
        return [p.reason for p in exc.problems]
    except (YearClosed, Conflict) as exc:
        return [str(exc)]
    for w in warnings:
        messages.warning(request, w.reason)
    name = cat[form["element"]].name
    messages.success(request, f"已更正 {form['year']}年“{name}”（{written} 项），并已重新计算得分。" if written
                     else f"{form['year']}年“{name}”与原值相同，未作更改。")
    return []


def _plain(value) -> str | None:
    if value is None:
        return None
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text
