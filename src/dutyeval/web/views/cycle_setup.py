"""Offices open, set up and publish their cycles, and decide on late submissions, without /admin/."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from dutyeval.accounts import scoping
from dutyeval.core.catalogue import default_catalogue
from dutyeval.evaluation import cycles, reminders
from dutyeval.evaluation.models import Cycle
from dutyeval.evaluation.services import WorkflowError

from ..forms import CycleForm
from .common import submission_for


def _office_root(user):
    """The region an office user runs cycles for; others may not open this part."""
    if user.region_id is None or not scoping.can_administer(user, user.region):
        raise PermissionDenied("只有督导办管理员可以设置评价周期")
    return user.region


def _own_cycle(user, pk: int) -> Cycle:
    cycle = get_object_or_404(Cycle.objects.select_related("root", "scheme"), pk=pk)
    if not scoping.runs_cycle(user, cycle):
        raise Http404
    return cycle


@login_required
def cycle_list(request):
    root = _office_root(request.user)
    rows = (Cycle.objects.filter(root__code__startswith=root.prefix).select_related("scheme", "root")
            .prefetch_related("stages").order_by("-year", "-created"))
    return render(request, "web/cycles.html", {"cycles": rows, "root": root})


@login_required
def cycle_edit(request, pk: int | None = None):
    root = _office_root(request.user)
    cycle = _own_cycle(request.user, pk) if pk else None
    if cycle is not None and cycle.state != Cycle.State.DRAFT:
        messages.error(request, "评价周期已发布，不能再修改设置。")
        return redirect("cycle-list")
    areas = default_catalogue().areas
    initial = CycleForm.initial_for(cycle) if cycle else {"level": "county", "late_policy": "ask"}
    form = CycleForm(request.POST or None, root=cycle.root if cycle else root, areas=areas, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = cycles.save_draft(request.user, cycle.root if cycle else root, form.to_draft(), cycle)
        except WorkflowError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "已保存为草拟状态。核对日程和被评价区域后，请点击“发布”。")
            return redirect("cycle-edit", pk=saved.pk)
    preview = None
    if cycle is not None:
        preview = cycles.evaluated_regions(cycle.root, cycle.level, cycle.excluded).count()
    return render(request, "web/cycle_form.html", {"form": form, "cycle": cycle, "root": root, "preview": preview})


@login_required
@require_POST
def cycle_publish(request, pk: int):
    cycle = _own_cycle(request.user, pk)
    try:
        n = cycles.publish_cycle(cycle, request.user)
    except WorkflowError as exc:
        messages.error(request, str(exc))
        return redirect("cycle-edit", pk=pk)
    messages.success(request, f"已发布：{n} 个被评价区域的自评任务已生成。")
    return redirect("cycle", pk=pk)


@login_required
@require_POST
def allow_late(request, pk: int):
    sub = submission_for(request.user, pk, departments=False)
    try:
        cycles.allow_late_submission(sub, request.user, request.POST.get("reason", ""))
    except WorkflowError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"已同意{sub.region.name}逾期提交。")
    return redirect("submission", pk=pk)


@login_required
@require_POST
def urge(request, pk: int):
    """催报: one message to every region that has not submitted after the deadline."""
    cycle = _own_cycle(request.user, pk)
    try:
        n = reminders.urge_late_regions(cycle, request.user)
    except WorkflowError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"已向 {n} 个逾期未提交的地区发出催报。" if n else "没有逾期未提交的地区。")
    return redirect("home" if request.POST.get("next") == "home" else reverse("cycle", args=[pk]))
