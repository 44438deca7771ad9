"""责任分工 page of a submission: the region's departments and their accounts, what each fills, and how
far each is. The coordinator changes it; offices above may look; department users never see it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from dutyeval.accounts import scoping
from dutyeval.evaluation.rules import WorkflowError, submission_for

from . import services
from .models import Assignment, Department


@login_required
def page(request, pk: int):
    sub = submission_for(request.user, pk, departments=False)
    if scoping.is_department_user(request.user):
        raise Http404
    coordinator = scoping.can_edit_region_data(request.user, sub.region)
    form = {}
    if request.method == "POST":
        if not coordinator:
            raise Http404
        form = request.POST
        try:
            notice = _act(request, sub)
        except WorkflowError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, notice)
            return redirect(f"{request.path}#{request.POST.get('action', '')}")
    departments = list(Department.objects.filter(region=sub.region))
    owner = {(a.kind, a.code): a.department_id for a in Assignment.objects.filter(submission=sub)}
    table = {kind: [{"code": c, "title": t, "department": owner.get((kind, c))} for c, t in rows]
             for kind, rows in services.assignable(sub).items()}
    return render(request, "departments/page.html", {
        "sub": sub, "departments": departments, "active": [d for d in departments if d.active],
        "progress": services.progress(sub), "items": table[Assignment.Kind.ITEM],
        "elements": table[Assignment.Kind.ELEMENT], "can_manage": coordinator, "form": form,
        "overdue": sub.cycle.is_past_deadline and sub.editable,
        "scheme_names": [n for n in services.scheme_department_names(sub) if n not in {d.name for d in departments}],
    })


def _department(request, sub) -> Department:
    try:
        return get_object_or_404(Department, pk=int(request.POST.get("department", "")), region=sub.region)
    except ValueError:
        raise Http404 from None


def _act(request, sub) -> str:
    action, post, user = request.POST.get("action"), request.POST, request.user
    if action == "add":
        d = services.save_department(sub, user, post.get("name", ""))
        return f"已添加部门“{d.name}”。"
    if action == "scheme":
        n = services.add_scheme_departments(sub, user)
        return f"已按评价方案的牵头单位添加 {n} 个部门。"
    if action == "toggle":
        d = _department(request, sub)
        services.save_department(sub, user, d.name, department=d, active=not d.active)
        return f"已{'启用' if not d.active else '停用'}“{d.name}”。"
    if action == "account":
        account = services.create_department_user(
            sub, user, _department(request, sub), username=post.get("username", ""),
            display_name=post.get("display_name", ""), password=post.get("password", ""))
        return f"已为{account.department.name}开设账号“{account.username}”。请将用户名和初始密码告知该部门。"
    if action == "defaults":
        n = services.assign_defaults(sub, user)
        return f"已按牵头单位分配 {n} 项。"
    if action == "assign":
        n = services.save_assignments(sub, user, _wanted(post))
        return f"责任分工已保存（调整 {n} 项）。"
    if action == "remind":
        d = _department(request, sub)
        n = services.remind(sub, user, d)
        return f"已提醒{d.name}（{n} 个账号）。"
    raise WorkflowError("未知的操作")


def _wanted(post) -> dict[tuple[str, str], int | None]:
    """Fields `a-<kind>-<code>` hold a department id, or "" for the coordinator."""
    wanted = {}
    for key, value in post.items():
        if not key.startswith("a-"):
            continue
        kind, _sep, code = key[2:].partition("-")
        if kind not in Assignment.Kind.values:
            raise WorkflowError("分工表格式不正确")
        try:
            wanted[(kind, code)] = int(value) if value else None
        except ValueError:
            raise WorkflowError("所选部门无效") from None
    return wanted
