"""Pages of field verification. Scope: the office running the cycle sees and manages everything; a
team's members see their team and fill its checklists; the evaluated region sees its own verification
once results are released (公示 on). Anything else is a 404 (not found and not yours look the same);
an action of the other side (a member adding a school, the office filling a checklist) is a 403.
Every change goes through services.py."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render

from dutyeval.accounts import scoping
from dutyeval.draws.models import Draw
from dutyeval.evaluation.cycles import evaluated_regions
from dutyeval.evaluation.models import Cycle, Submission
from dutyeval.regions.models import Region, School
from dutyeval.release.services import region_sees_results
from dutyeval.schemes.models import Indicator

from . import checklist, credibility, services
from .models import FieldFile, FieldFinding, FieldPolicy, Team, TeamMember, Visit, VisitedSchool
from .services import FieldworkError


def _office_cycle(user, pk: int) -> Cycle:
    cycle = get_object_or_404(Cycle.objects.select_related("root", "scheme"), pk=pk)
    if not services.is_office(user, cycle):
        raise Http404
    return cycle


def _team_for(user, pk: int) -> Team:
    team = get_object_or_404(Team.objects.select_related("cycle__root", "cycle__scheme"), pk=pk)
    if not services.may_see_team(user, team):
        raise Http404
    return team


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat((text or "").strip())
    except ValueError:
        return None


def _drawn(cycle: Cycle, kind: str):
    return Draw.objects.filter(cycle=cycle, kind=kind, state=Draw.State.DRAWN).select_related("county", "record")


@login_required
def my_teams(request):
    return render(request, "fieldwork/mine.html", {"seats": TeamMember.objects.filter(user=request.user)
                  .select_related("team__cycle").order_by("-team__cycle__year", "team__name")})


@login_required
def cycle_page(request, pk: int):
    cycle = _office_cycle(request.user, pk)
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "policy":
                services.save_policy(cycle, request.user, count_tolerance=request.POST.get("count_tolerance", ""),
                                     percent_tolerance=request.POST.get("percent_tolerance", ""),
                                     mode=request.POST.get("mode", ""), per_falsified=request.POST.get("per_falsified", ""))
                messages.success(request, "实地核查设置已保存")
            elif action == "team":
                team = services.create_team(cycle, request.user, request.POST.get("name", ""))
                return redirect("fieldwork:team", team.pk)
            elif action == "forward":
                finding = get_object_or_404(services.findings_of(cycle), pk=request.POST.get("finding") or 0)
                services.forward_finding(finding, request.user)
                messages.success(request, "已转入整改问题清单")
            else:
                messages.error(request, "未知的操作")
        except FieldworkError as exc:
            messages.error(request, exc.message)
        return redirect("fieldwork:cycle", cycle.pk)
    teams = Team.objects.filter(cycle=cycle).prefetch_related("members__user", "visits__region")
    return render(request, "fieldwork/cycle.html", {
        "cycle": cycle, "policy": services.policy_of(cycle), "modes": FieldPolicy.Mode.choices, "teams": teams,
        "findings": services.findings_of(cycle).select_related("rectification"),
    })


@login_required
def credibility_page(request, pk: int):
    cycle = _office_cycle(request.user, pk)
    # draft regions draws of the office's later cycles (next year's frame) and of this one
    drafts = Draw.objects.filter(cycle__root=cycle.root, cycle__year__gte=cycle.year, kind=Draw.Kind.REGIONS,
                                 state=Draw.State.DRAFT).select_related("cycle")
    if request.method == "POST":
        draw = get_object_or_404(drafts, pk=request.POST.get("draw") or 0)
        regions = list(Region.objects.filter(code__in=request.POST.getlist("region")))
        try:
            credibility.force_into_draw(draw, request.user, regions, request.POST.get("reason", ""))
            messages.success(request, f"已将 {len(regions)} 个地区列为《{draw.title}》的必抽单位")
            return redirect("draws:draw", draw.pk)
        except FieldworkError as exc:
            messages.error(request, exc.message)
        return redirect("fieldwork:credibility", cycle.pk)
    return render(request, "fieldwork/credibility.html", {"cycle": cycle, "rows": credibility.rows(cycle),
                                                           "drafts": drafts})


def _office_action(request, team: Team) -> None:
    action = request.POST.get("action", "")
    post = request.POST
    if action == "member":
        person = get_user_model().objects.filter(username=post.get("username", "").strip()).first()
        if person is None:
            raise FieldworkError("没有这个用户名")
        services.add_member(team, request.user, person, post.get("role", ""))
    elif action == "remove":
        services.remove_member(get_object_or_404(team.members, pk=post.get("member") or 0), request.user)
    elif action == "visit":
        region = Region.objects.filter(code=post.get("region", "")).first()
        draw = _drawn(team.cycle, Draw.Kind.REGIONS).filter(pk=post.get("draw") or 0).first()
        services.add_visit(team, request.user, region, _date(post.get("starts")), _date(post.get("ends")),
                           draw=draw, reason=post.get("reason", ""))
    elif action == "school":
        visit = get_object_or_404(team.visits, pk=post.get("visit") or 0)
        school = School.objects.filter(code=post.get("school", "").strip()).first()
        services.add_school(visit, request.user, school, reason=post.get("reason", ""))
    elif action == "drawn_schools":
        visit = get_object_or_404(team.visits, pk=post.get("visit") or 0)
        draw = get_object_or_404(_drawn(team.cycle, Draw.Kind.SCHOOLS), pk=post.get("draw") or 0)
        services.add_drawn_schools(visit, request.user, draw)
    else:
        raise FieldworkError("未知的操作")


@login_required
def team_page(request, pk: int):
    team = _team_for(request.user, pk)
    office = services.is_office(request.user, team.cycle)
    seat = services.seat_of(request.user, team)
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "score":
                if seat is None:
                    raise PermissionDenied("只有核查组成员可以现场评分")
                visit = get_object_or_404(team.visits, pk=request.POST.get("visit") or 0)
                ind = get_object_or_404(Indicator, pk=request.POST.get("indicator") or 0)
                services.save_onsite_score(visit, request.user, ind, request.POST.get("score", ""),
                                           request.POST.get("note", ""))
            else:
                if not office:
                    raise PermissionDenied("只有组织本次评价的督导办可以安排实地核查")
                _office_action(request, team)
            messages.success(request, "已保存")
        except FieldworkError as exc:
            messages.error(request, exc.message)
        return redirect("fieldwork:team", team.pk)
    visits = team.visits.select_related("region", "draw").prefetch_related("schools__school", "scores__indicator")
    cycle = team.cycle
    ctx = {"team": team, "office": office, "seat": seat, "visits": visits,
           "members": team.members.select_related("user"), "roles": TeamMember.Role.choices,
           "items": services.manual_items(cycle) if seat else []}
    if office:
        ctx["regions"] = evaluated_regions(cycle.root, cycle.level, cycle.excluded).order_by("code")
        ctx["region_draws"] = _drawn(cycle, Draw.Kind.REGIONS)
        ctx["school_draws"] = _drawn(cycle, Draw.Kind.SCHOOLS)
    return render(request, "fieldwork/team.html", ctx)


def _school_for(user, pk: int) -> VisitedSchool:
    vs = get_object_or_404(VisitedSchool.objects.select_related("visit__team__cycle__root", "visit__region", "school"),
                           pk=pk)
    if not services.may_see_team(user, vs.visit.team):
        raise Http404
    return vs


def _wants_json(request) -> bool:
    return request.headers.get("Accept", "").startswith("application/json")


@login_required
def checklist_page(request, pk: int):
    vs = _school_for(request.user, pk)
    team = vs.visit.team
    seat = services.seat_of(request.user, team)
    if request.method == "POST":
        if seat is None:
            raise PermissionDenied("只有核查组成员可以填写核查表")
        try:
            if request.POST.get("action") == "file":
                upload = request.FILES.get("file")
                services.attach_file(vs, request.user, upload, upload.name if upload else "")
                messages.success(request, "材料已上传")
                return redirect("fieldwork:checklist", vs.pk)
            _vs, stored = services.submit_checklist(vs, request.user, request.POST, request.POST.get("note", ""))
        except FieldworkError as exc:
            if _wants_json(request):
                return JsonResponse({"ok": False, "message": exc.message, "errors": exc.errors}, status=400)
            messages.error(request, exc.message)
            return redirect("fieldwork:checklist", vs.pk)
        text = "核查表已提交" if stored else "核查表此前已提交，内容相同，未重复保存"
        if _wants_json(request):
            return JsonResponse({"ok": True, "stored": stored, "message": text})
        messages.success(request, text)
        return redirect("fieldwork:checklist", vs.pk)
    checks = {f"{c.element}@{c.level}": c for c in vs.checks.select_related("finding")}
    lines = [(line, checks.get(line.key)) for line in checklist.lines(vs.school, team.cycle.data_year)]
    return render(request, "fieldwork/checklist.html", {
        "vs": vs, "team": team, "seat": seat, "lines": lines, "files": vs.files.all(),
        "policy": services.policy_of(team.cycle), "draft_key": f"fieldwork-draft-{vs.pk}-{request.user.pk}",
    })


@login_required
def file_download(request, file: int):
    f = get_object_or_404(FieldFile.objects.select_related("school__visit__team__cycle", "school__visit__region"),
                          pk=file)
    visit = f.school.visit
    sub = Submission.objects.filter(cycle=visit.team.cycle, region=visit.region).first()
    if not (services.may_see_team(request.user, visit.team) or (sub and _region_sees(request.user, sub))):
        raise Http404
    return FileResponse(services.file_path(f).open("rb"), as_attachment=True, filename=f.filename,
                        content_type=f.content_type)


def _region_sees(user, sub: Submission) -> bool:
    """The evaluated region's own people, from 公示 on; never a department user (whole-submission page)."""
    return (scoping.can_view_region(user, sub.region) and user.region_id == sub.region_id
            and not scoping.is_department_user(user) and region_sees_results(sub))


@login_required
def region_page(request, pk: int):
    sub = get_object_or_404(Submission.objects.select_related("cycle__root", "region"), pk=pk)
    if not (services.is_office(request.user, sub.cycle) or _region_sees(request.user, sub)):
        raise Http404
    visits = Visit.objects.filter(team__cycle=sub.cycle, region=sub.region).select_related("team") \
        .prefetch_related("schools__school", "schools__checks", "schools__files", "scores__indicator")
    findings = FieldFinding.objects.filter(check_row__school__visit__in=visits).select_related(
        "check_row__school__school")
    return render(request, "fieldwork/region.html", {"sub": sub, "visits": visits, "findings": findings})
