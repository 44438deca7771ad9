"""问题整改 pages. The office: a cycle's dashboard (status by region and by theme, overdue list, 约谈
list, tasks carried from earlier cycles), a region's findings and plan; the region: its findings and
plan, its tasks with progress and evidence; a department: its own tasks. Everything is fetched within
the user's scope (404 outside it); every change goes through services.py."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from pathlib import PurePath

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from dutyeval import uploads
from dutyeval.accounts import scoping
from dutyeval.audit.models import AuditLog
from dutyeval.core.rectification import OPS
from dutyeval.departments.models import Department
from dutyeval.evaluation.models import Cycle, Submission
from dutyeval.evidence.detect import ACCEPT, KINDS
from dutyeval.fieldwork.models import Team, Visit
from dutyeval.regions.models import Region

from . import bulletin, documents, followup, services
from .models import EvidenceFile, Finding, FollowUpDraw, Plan, Programme, RectDocument, Rhythm, Task
from .progress import Tally, monthly_progress, tally
from .services import RectificationError, TaskInput


def _int(text) -> int:
    try:
        return int(text)
    except (TypeError, ValueError):
        raise Http404 from None


def _cycle(user, pk: int) -> Cycle:
    cycle = get_object_or_404(Cycle.objects.select_related("scheme", "root"), pk=pk)
    if not scoping.sees_cycle(user, cycle):
        raise Http404
    return cycle


def _submission(user, pk: int) -> Submission:
    """The region-in-cycle a page is about: its own region for a county or department, a region of a
    cycle it sees for an office or reviewer."""
    sub = get_object_or_404(Submission.objects.select_related("cycle__root", "cycle__scheme", "region"), pk=pk)
    scoping.require_view(user, sub.region)
    if user.role not in scoping.OWN_REGION_ROLES and not scoping.sees_cycle(user, sub.cycle):
        raise Http404
    return sub


def _task(user, pk: int) -> Task:
    task = get_object_or_404(Task.objects.select_related("plan__cycle__root", "plan__region", "finding",
                                                         "department"), pk=pk)
    if not services.may_see_task(user, task):
        raise Http404
    return task


# ---- the cycle's dashboard ---------------------------------------------------------------------


@login_required
def dashboard(request, pk: int):
    cycle = _cycle(request.user, pk)
    office = services.is_office(request.user, cycle)
    if request.method == "POST":
        if not office:
            raise Http404
        if request.POST.get("action") == "followup_draw":
            return _followup_draw(request, cycle)
        try:
            messages.success(request, _dashboard_action(request, cycle))
        except RectificationError as exc:
            messages.error(request, str(exc))
        return redirect("rect-dashboard", pk=pk)
    today = timezone.localdate()
    visible = scoping.visible_regions(request.user)
    subs = list(Submission.objects.filter(cycle=cycle, region__in=visible).select_related("region"))
    tasks = list(Task.objects.filter(plan__cycle=cycle, plan__region__in=visible)
                 .select_related("plan__region", "finding", "department"))
    findings = Finding.objects.filter(cycle=cycle, region__in=visible)
    f_counts = defaultdict(lambda: defaultdict(int))
    for region_id, state in findings.values_list("region_id", "state"):
        f_counts[region_id][state] += 1
    plans = {p.region_id: p for p in Plan.objects.filter(cycle=cycle, region__in=visible)}
    by_region_tasks = dict(tally(tasks, lambda t: t.plan.region.code, today))
    regions = [{
        "sub": s, "findings": f_counts[s.region_id], "plan": plans.get(s.region_id),
        "tally": by_region_tasks.get(s.region.code, Tally()),
    } for s in subs if f_counts[s.region_id] or s.region_id in plans]
    themes = tally(tasks, lambda t: t.finding.theme, today)
    overdue = sorted([t for t in tasks if t.overdue_on(today)], key=lambda t: t.deadline)
    for t in overdue:
        t.days_late = (today - t.deadline).days
    carried = [t for t in services.carried_tasks(cycle) if scoping.can_view_region(request.user, t.plan.region)]
    interviews = sorted({t.plan.region.name for t in tasks + carried if t.interview and t.state != Task.State.CLOSED})
    prog = Programme.objects.filter(cycle=cycle).first()
    return render(request, "rectification/dashboard.html", {
        "cycle": cycle, "office": office, "regions": regions, "themes": themes, "overdue": overdue,
        "carried": carried, "interviews": interviews, "today": today,
        "rhythm": prog.rhythm if prog else Rhythm.MONTHLY, "rhythms": Rhythm.choices,
        "total": Tally() if not tasks else dict(tally(tasks, lambda t: "all", today))["all"],
        "progress": monthly_progress(tasks, today), "followups": _followups(cycle, request.user),
        "teams": Team.objects.filter(cycle=cycle) if office else [],
        "bulletins": RectDocument.objects.filter(cycle=cycle, kind=RectDocument.Kind.BULLETIN).order_by("-version")
        if office else [],
        "next_cycle": services.next_cycle(cycle), "no_result": [s.region.name for s in subs
                                                                if s.state not in services.COMPLETE][:20],
    })


def _followup_draw(request, cycle):
    """The draft draw of the regions to revisit, opened on the draws page to check, publish and draw."""
    try:
        fu = followup.prepare_followup_draw(cycle, request.user)
    except RectificationError as exc:
        messages.error(request, str(exc))
        return redirect("rect-dashboard", pk=cycle.pk)
    messages.success(request, "已生成整改回头看抽签名单（草拟）：请核对排除和必抽的理由，公布名单后现场抽签。")
    return redirect("draws:draw", fu.draw_id)


def _followups(cycle, user) -> list[dict]:
    """The cycle's follow-up draws with, once drawn, the chosen regions' tasks (within the viewer's scope)."""
    out = []
    for fu in FollowUpDraw.objects.filter(cycle=cycle).select_related("draw__record"):
        codes = followup.drawn_codes(fu.draw)
        tasks = services.visible_tasks(user, Task.objects.filter(plan__cycle=cycle, plan__region__code__in=codes)
                                       .exclude(state=Task.State.DRAFT)).select_related("plan__region", "finding")
        regions = Region.objects.filter(code__in=codes).order_by("code")
        out.append({"fu": fu, "tasks": sorted(tasks, key=lambda t: (codes.index(t.plan.region.code), t.pk)),
                    "regions": regions,
                    "visits": [v for v in followup.followup_visits(cycle) if v.draw_id == fu.draw_id
                               and followup.may_see_visit(user, v)]})
    return out


def _day(text):
    try:
        return date.fromisoformat(str(text or "").strip())
    except ValueError:
        return None  # fieldwork.add_visit names the missing or bad date


def _followup_visit(post, cycle, user) -> str:
    fu = FollowUpDraw.objects.filter(pk=_int(post.get("followup")), cycle=cycle).select_related("draw").first()
    if fu is None:
        raise RectificationError("请选择回头看抽签")
    region = Region.objects.filter(code=post.get("region", "")).first()
    team = Team.objects.filter(pk=_int(post.get("team")), cycle=cycle).first()
    tasks = [_int(x) for x in post.getlist("tasks")]
    visit = followup.add_followup_visit(fu, team, user, region, starts=_day(post.get("starts")),
                                        ends=_day(post.get("ends")), tasks=tasks)
    return f"已安排{visit.region.name}整改回头看：{visit.team.name}，核查清单{len(tasks)}项。"


def _dashboard_action(request, cycle) -> str:
    post, user, action = request.POST, request.user, request.POST.get("action")
    if action == "generate":
        out = services.generate_findings(cycle, user)
        text = f"已生成整改问题 {out['created']} 个（已有 {out['kept']} 个未重复生成）。"
        if out["without_result"]:
            text += f"评审尚未完成（未审核通过）的区域 {len(out['without_result'])} 个未生成。"
        return text
    if action == "rhythm":
        prog = services.set_rhythm(cycle, user, post.get("rhythm", ""))
        return f"整改进展报送频次已设为“{prog.get_rhythm_display()}”。"
    if action == "followup_visit":
        return _followup_visit(post, cycle, user)
    if action == "bulletin":
        doc = bulletin.generate_bulletin(cycle, user)
        return f"已生成《{doc.title}》第{doc.version}版：在本页“整改进展通报”中查看和下载。"
    if action == "check":
        c = services.check_carried(cycle, user)
        return (f"已按{cycle.year}年评价数据核验结转任务：达标销号 {c['met']} 项，未达标 {c['unmet']} 项，"
                f"无数据 {c['missing']} 项。")
    raise RectificationError("未知的操作")


# ---- one region's findings and plan ------------------------------------------------------------


@login_required
def region(request, pk: int):
    sub = _submission(request.user, pk)
    cycle, reg, user = sub.cycle, sub.region, request.user
    office = services.is_office(user, cycle)
    coordinator = services.is_coordinator(user, reg)
    dept_user = scoping.is_department_user(user)
    errors, typed, edit_task = {}, {}, None
    if request.method == "POST":
        if not (office or coordinator):
            raise Http404
        try:
            messages.success(request, _region_action(request, sub, office, coordinator))
            return redirect("rect-region", pk=pk)
        except RectificationError as exc:
            messages.error(request, str(exc))
            errors, typed = exc.errors, request.POST
    plan = Plan.objects.filter(cycle=cycle, region=reg).first()
    findings = Finding.objects.filter(cycle=cycle, region=reg)
    if not office and not (user.role in scoping.REVIEWER_ROLES or user.role in scoping.OFFICE_ROLES):
        findings = findings.filter(state=Finding.State.CONFIRMED)
    findings = list(findings.order_by("order", "pk"))
    tasks = services.visible_tasks(user, Task.objects.filter(plan__cycle=cycle, plan__region=reg)).select_related(
        "finding", "department").order_by("finding__order", "pk")
    if request.GET.get("edit", "").isdigit() and coordinator:
        edit_task = tasks.filter(pk=int(request.GET["edit"])).first()
    today = timezone.localdate()
    docs = RectDocument.objects.filter(cycle=cycle, region=reg, kind=RectDocument.Kind.REPORT)
    if dept_user:
        docs = docs.none()
        findings = [f for f in findings if any(t.finding_id == f.pk for t in tasks)]
    return render(request, "rectification/region.html", {
        "sub": sub, "cycle": cycle, "region": reg, "plan": plan, "findings": findings, "tasks": list(tasks),
        "office": office, "coordinator": coordinator, "errors": errors, "typed": typed, "edit_task": edit_task,
        "departments": Department.objects.filter(region=reg, active=True),
        "elements": services.catalogue().elements, "ops": OPS.items(), "today": today,
        "can_plan": coordinator and (plan is None or plan.editable) and any(
            f.state == Finding.State.CONFIRMED for f in findings),
        "confirmed": [f for f in findings if f.state == Finding.State.CONFIRMED],
        "drafts": [f for f in findings if f.state == Finding.State.DRAFT],
        "docs": docs, "tab": "rectification",
    })


def _region_action(request, sub, office: bool, coordinator: bool) -> str:
    post, user, action = request.POST, request.user, request.POST.get("action", "")
    cycle, reg = sub.cycle, sub.region
    if office and action in ("edit_finding", "withdraw_finding"):
        f = get_object_or_404(Finding, pk=_int(post.get("finding")), cycle=cycle, region=reg)
        if action == "edit_finding":
            services.edit_finding(f, user, theme=post.get("theme", ""), text=post.get("text", ""))
            return "整改问题已修改。"
        services.withdraw_finding(f, user)
        return "整改问题已撤销。"
    if office and action == "add_finding":
        services.add_finding(cycle, reg, user, theme=post.get("theme", ""), text=post.get("text", ""))
        return "已补充整改问题。"
    if office and action == "confirm":
        services.confirm_findings(cycle, reg, user)
        return f"{reg.name}的整改问题清单已确认，已通知该地区制定整改方案。"
    plan = Plan.objects.filter(cycle=cycle, region=reg).first()
    if office and action in ("approve", "return"):
        if plan is None:
            raise RectificationError("该地区尚无整改方案")
        if action == "approve":
            services.approve_plan(plan, user)
            return "整改方案已审核通过，整改任务开始执行。"
        services.return_plan(plan, user, post.get("reason", ""))
        return "整改方案已退回修改。"
    if action == "report" and (office or coordinator):
        if plan is None:
            raise RectificationError("该地区尚无整改方案")
        doc = documents.generate_report(plan, user)
        return f"已生成整改情况报告（第{doc.version}版）" + (f"；{doc.pdf_error}" if doc.pdf_error else "。")
    if coordinator and action in ("save_task", "delete_task", "submit"):
        if plan is None:
            raise RectificationError("督导办尚未确认整改问题清单")
        if action == "submit":
            services.submit_plan(plan, user)
            return "整改方案已报送督导办审核。"
        task = None
        if post.get("task"):
            task = get_object_or_404(Task, pk=_int(post.get("task")), plan=plan)
        if action == "delete_task":
            if task is None:
                raise Http404
            services.delete_task(task, user)
            return "整改任务已删除。"
        data = TaskInput(finding=post.get("finding"), measures=post.get("measures", ""),
                         department=post.get("department"), deadline=post.get("deadline"),
                         target_element=post.get("target_element", ""), target_op=post.get("target_op", ""),
                         target_value=post.get("target_value", ""), target_by=post.get("target_by"))
        services.save_task(plan, user, data, task)
        return "整改任务已保存。"
    raise RectificationError("未知的操作")


# ---- one task ----------------------------------------------------------------------------------


@login_required
def task_detail(request, pk: int):
    task = _task(request.user, pk)
    user, cycle = request.user, task.plan.cycle
    office = services.is_office(user, cycle)
    reporter = services._may_report(user, task)
    errors, typed = {}, {}
    if request.method == "POST":
        action = request.POST.get("action", "")
        if not ((office and action in ("close", "send_back", "escalate", "followup"))
                or (reporter and action == "progress")):
            raise Http404
        try:
            messages.success(request, _task_action(request, task, action))
            return redirect("rect-task", pk=pk)
        except RectificationError as exc:
            messages.error(request, str(exc))
            errors, typed = exc.errors, request.POST
    task.refresh_from_db()
    reports = task.reports.select_related("author").prefetch_related("files").order_by("-created")
    history = AuditLog.objects.filter(
        Q(object_type="rectification.task", object_id=str(task.pk))
        | Q(object_type="rectification.plan", object_id=str(task.plan_id))
        | Q(object_type="rectification.finding", object_id=str(task.finding_id))
    ).select_related("actor").order_by("created", "id")
    sub = Submission.objects.filter(cycle=cycle, region=task.plan.region).first()
    return render(request, "rectification/task.html", {
        "task": task, "cycle": cycle, "sub": sub, "office": office, "reporter": reporter and task.state in Task.LIVE,
        "reports": reports, "history": history, "errors": errors, "typed": typed, "accept": ACCEPT,
        "today": timezone.localdate(), "target": services.target_text(task),
        "has_evidence": services.has_evidence(task),
        "notices": RectDocument.objects.none() if scoping.is_department_user(user)
        else RectDocument.objects.filter(task=task, kind=RectDocument.Kind.NOTICE),
        "period": services.period_of(timezone.localdate(), services.rhythm_of(cycle)),
        "checks": task.followups.select_related("by", "followup__draw").prefetch_related("files"),
        "chosen": followup.chosen_followups(task) if office and task.state != Task.State.DRAFT else [],
    })


def _task_action(request, task, action) -> str:
    post, user = request.POST, request.user
    if action == "progress":
        files = [(f, f.name) for f in request.FILES.getlist("files")]
        services.report_progress(task, user, text=post.get("text", ""), files=files,
                                 asks_closure=bool(post.get("asks_closure")))
        return "整改进展已报送" + ("，已申请验收销号。" if post.get("asks_closure") else "。")
    if action == "close":
        services.close_task(task, user, post.get("note", ""))
        return "整改任务已验收销号。"
    if action == "send_back":
        services.send_back(task, user, post.get("reason", ""))
        return "已退回，该任务继续整改。"
    if action == "escalate":
        _, doc = services.escalate(task, user, interview=bool(post.get("interview")), note=post.get("note", ""))
        return f"已督办并生成督办通知（第{doc.version}版）" + ("，已列入约谈名单。" if post.get("interview") else "。")
    if action == "followup":
        fu = FollowUpDraw.objects.filter(pk=_int(post.get("followup")), cycle_id=task.plan.cycle_id).first()
        upload = request.FILES.get("file")
        check = followup.record_followup(task, user, followup=fu, verdict=post.get("verdict", ""),
                                         note=post.get("note", ""), visited_on=post.get("visited_on"),
                                         file=(upload, upload.name) if upload else None)
        return f"回头看核查已记录：{check.get_verdict_display()}" + ("，整改任务已重新打开。" if check.reopened else "。")
    raise RectificationError("未知的操作")


# ---- a follow-up visit (a fieldwork visit with a checklist of tasks) -----------------------------


@login_required
def followup_visit(request, pk: int):
    visit = get_object_or_404(Visit.objects.select_related("team__cycle", "region", "draw"), pk=pk)
    if not visit.followup_items.exists() or not followup.may_see_visit(request.user, visit):
        raise Http404
    errors, typed = {}, {}
    if request.method == "POST":
        item = visit.followup_items.select_related("task").filter(task_id=_int(request.POST.get("task"))).first()
        if item is None or request.POST.get("action") != "record":
            raise Http404
        upload = request.FILES.get("file")
        try:
            check = followup.record_followup(
                item.task, request.user, followup=None, visit=visit, verdict=request.POST.get("verdict", ""),
                note=request.POST.get("note", ""), visited_on=request.POST.get("visited_on"),
                file=(upload, upload.name) if upload else None)
            messages.success(request, f"{item.task.finding.theme}：回头看核查已记录为{check.get_verdict_display()}"
                             + ("，整改任务已重新打开。" if check.reopened else "。"))
            return redirect("rect-visit", pk=pk)
        except RectificationError as exc:
            messages.error(request, str(exc))
            errors, typed = exc.errors, request.POST
    return render(request, "rectification/visit.html", {
        "visit": visit, "cycle": visit.team.cycle, "items": followup.checklist(visit), "errors": errors,
        "typed": typed, "members": visit.team.members.select_related("user"), "accept": ACCEPT,
        "today": timezone.localdate(), "office": services.is_office(request.user, visit.team.cycle),
    })


# ---- my tasks ----------------------------------------------------------------------------------


@login_required
def mine(request):
    """Every task the user may see, across cycles: a department's own, a county's, an office's."""
    today = timezone.localdate()
    tasks = list(services.visible_tasks(request.user).exclude(state=Task.State.DRAFT)
                 .select_related("plan__region", "plan__cycle", "finding", "department")
                 .order_by("state", "deadline")[:500])
    return render(request, "rectification/mine.html", {"tasks": tasks, "today": today})


# ---- files -------------------------------------------------------------------------------------


def _file(path, filename: str, content_type: str, attachment: bool = True) -> FileResponse:
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, as_attachment=attachment, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-cache"
    return response


@login_required
def evidence_file(request, pk: int):
    ev = get_object_or_404(EvidenceFile.objects.select_related("report", "followup"), pk=pk)
    _task(request.user, ev.task_id)
    kind = KINDS.get(ev.content_type)
    name = PurePath(ev.filename)
    filename = ev.filename if kind is None or name.suffix.lower() == kind.suffix else f"{name.stem or 'file'}{kind.suffix}"
    return _file(uploads.storage_dir(services.FOLDER) / ev.stored_name, filename, ev.content_type)


def _document(user, pk: int) -> RectDocument:
    doc = get_object_or_404(RectDocument.objects.select_related("cycle__root", "region", "task"), pk=pk)
    scoping.require_whole_view(user, doc.region)  # not for department users
    if user.role not in scoping.OWN_REGION_ROLES and not scoping.sees_cycle(user, doc.cycle):
        raise Http404
    return doc


@login_required
def document_docx(request, pk: int):
    doc = _document(request.user, pk)
    return _file(documents.file_path(doc.docx_path), f"{doc.title}-v{doc.version}.docx",
                 "application/vnd.openxmlformats-officedocument.wordprocessingml.document")


@login_required
def document_pdf(request, pk: int):
    doc = _document(request.user, pk)
    if not doc.pdf_path:
        raise Http404
    return _file(documents.file_path(doc.pdf_path), f"{doc.title}-v{doc.version}.pdf", "application/pdf")


@login_required
def document_view(request, pk: int):
    """The document as printed (a web view of its content), with its downloads."""
    from dutyeval.core.documents.model import OfficialDoc

    doc = _document(request.user, pk)
    return render(request, "rectification/document.html", {"doc": doc, "content": OfficialDoc.from_json(doc.content)})
