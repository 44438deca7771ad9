"""Panel pages: the office's 评审分组 of a cycle and its expert pool, a member's independent scoring
(and the lead's decisions), the finding files, and the region's 补充材料 page. Every object within
the user's scope; panel data never reaches the evaluated region's own users (404)."""

from __future__ import annotations

import datetime
from collections import Counter

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render

from dutyeval.accounts import scoping
from dutyeval.accounts.models import User
from dutyeval.core import panels as core
from dutyeval.evaluation.models import Cycle, ItemScore, Result
from dutyeval.evaluation.recompute import result_items
from dutyeval.evaluation.rules import WorkflowError, cycle_for, submission_for
from dutyeval.evidence.services import evidence_by_item
from dutyeval.regions.models import Region
from dutyeval.schemes.models import Indicator

from . import services
from . import specialties as spec
from .models import FindingFile, Panel, PanelDecision, PanelMember, PanelScore, SupplementRequest


@login_required
def cycle_panels(request, pk: int):
    """评审分组: settings, the pool, the proposal and the panels with their adjustments."""
    cycle = cycle_for(request.user, pk, run=True)
    if request.method == "POST":
        try:
            notice = _office_action(request, cycle)
        except WorkflowError as exc:
            messages.error(request, str(exc))
        else:
            if notice:
                messages.success(request, notice)
            return redirect("panels", pk=pk)
    policy = services.policy_of(cycle)
    experts = services.pool(cycle)
    labels = spec.labels()
    areas = spec.scheme_areas(cycle.scheme)
    panels = list(Panel.objects.filter(submission__cycle=cycle).select_related("submission__region")
                  .prefetch_related("members__reviewer__expert"))
    loads = Counter(m.reviewer_id for p in panels for m in p.members.all() if m.scores_items)
    proposal, infeasible = None, ""
    short = {p.submission_id for p in panels if sum(m.scores_items for m in p.members.all()) >= policy.minimum}
    if cycle.submissions.exclude(pk__in=short).exists():
        try:
            proposal = services.propose(cycle)
        except WorkflowError as exc:
            infeasible = str(exc)
    names = {u.username: u for u in experts}
    regions = dict(Region.objects.filter(code__in=cycle.submissions.values("region__code")).values_list("code", "name"))
    rows = []
    by_sub = {p.submission_id: p for p in panels}
    for sub in cycle.submissions.select_related("region").order_by("region__code"):
        panel = by_sub.get(sub.pk)
        members = list(panel.members.all()) if panel else []
        covered = set().union(*(m.reviewer.expert.specialties for m in members
                                if m.scores_items and hasattr(m.reviewer, "expert")))
        rows.append({
            "sub": sub, "panel": panel, "members": members,
            "uncovered": [title for _c, (title, specs) in areas.items() if not specs & covered] if panel else [],
            "short": panel is not None and sum(m.scores_items for m in members) < policy.minimum,
            "no_decider": panel is not None and not any(m.decides for m in members),
            "candidates": [u for u in experts if u.pk not in {m.reviewer_id for m in members}
                           and not core.conflicts(u.expert.home.code, sub.region.code, policy.recusal)],
            "proposed": [names[k] for k in proposal.panels.get(sub.region.code, [])] if proposal else [],
            "proposed_lead": proposal.leads.get(sub.region.code) if proposal else None,
            "status": _status(panel, members),
        })
    pool_rows = [{"u": u, "load": loads.get(u.pk, 0), "proposed": proposal.loads.get(u.username, 0) if proposal else None,
                  "specialties": [labels[s] for s in u.expert.specialties if s in labels]} for u in experts]
    return render(request, "panels/cycle.html", {
        "cycle": cycle, "policy": policy, "recusals": services.PanelPolicy.Recusal.choices, "rows": rows,
        "pool": pool_rows, "missing_profiles": services.without_profile(cycle), "proposal": proposal,
        "infeasible": infeasible, "areas": [(c, t, [labels[s] for s in specs]) for c, (t, specs) in areas.items()],
        "regions": regions, "roles": PanelMember.Role.choices,
    })


def _status(panel, members) -> str:
    if panel is None:
        return "未分组"
    if panel.decided_at:
        return "评审完成"
    if panel.reconciled_at:
        return "待组长裁定"
    scoring = [m for m in members if m.scores_items]
    return f"独立评分中（已提交 {sum(1 for m in scoring if m.signed_off_at)}/{len(scoring)}）"


def _office_action(request, cycle: Cycle) -> str:
    action, post, user = request.POST.get("action"), request.POST, request.user
    if action == "policy":
        services.save_policy(cycle, user, minimum=post.get("minimum"), recusal=post.get("recusal", ""),
                             threshold_percent=post.get("threshold_percent"))
        return "评审组设置已保存。"
    if action == "apply":
        services.apply_proposal(cycle, user)
        return "已按分组方案安排评审组，并通知了评审专家。"
    if action in ("add", "remove", "lead"):
        sub = get_object_or_404(cycle.submissions.select_related("region"), pk=post.get("submission") or 0)
        reason = post.get("reason", "")
        if action == "add":
            reviewer = get_object_or_404(User, pk=post.get("reviewer") or 0, region=cycle.root)
            services.add_member(sub, user, reviewer, post.get("role", "member"), reason)
            return f"已将{reviewer}加入{sub.region.name}评审组。"
        member = get_object_or_404(PanelMember.objects.select_related("panel__submission", "reviewer"),
                                   pk=post.get("member") or 0, panel__submission=sub)
        if action == "remove":
            services.remove_member(member, user, reason)
            return f"已将{member.reviewer}移出{sub.region.name}评审组。"
        services.set_lead(member, user, reason)
        return f"{member.reviewer}已设为{sub.region.name}评审组组长。"
    return ""


@login_required
def experts(request):
    """专家库: the office keeps its reviewers' home region, unit and specialties."""
    user = request.user
    if not (user.role in scoping.OFFICE_ROLES and user.region_id):
        raise Http404
    reviewers = list(User.objects.filter(role__in=scoping.REVIEWER_ROLES, region=user.region)
                     .select_related("expert__home").order_by("username"))
    if request.method == "POST":
        reviewer = next((r for r in reviewers if str(r.pk) == request.POST.get("reviewer")), None)
        home = Region.objects.filter(code=request.POST.get("home", "").strip()).first()
        try:
            if reviewer is None:
                raise WorkflowError("请选择专家")
            if home is None:
                raise WorkflowError("所在地区须为有效的行政区划代码（如 140525）")
            services.save_expert(reviewer, user, home=home, unit=request.POST.get("unit", ""),
                                 specialties=request.POST.getlist("specialties"),
                                 active=request.POST.get("active") == "on")
        except WorkflowError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"{reviewer}的专家信息已保存。")
            return redirect("panel-experts")
    return render(request, "panels/experts.html", {
        "reviewers": [(r, getattr(r, "expert", None)) for r in reviewers], "specialties": spec.specialties(),
    })


def _panel_page_sub(user, pk: int):
    sub = submission_for(user, pk, departments=False)
    seat = services.seat_of(user, sub)
    office = scoping.runs_cycle(user, sub.cycle)
    if seat is None and not office:
        raise Http404
    return sub, seat, office


@login_required
def panel(request, pk: int):
    """A member's independent scoring; after everyone signed off, all scores side by side and the lead's
    decisions. The office sees progress, then the same comparison."""
    sub, seat, office = _panel_page_sub(request.user, pk)
    panel_obj = getattr(sub, "panel", None)
    if panel_obj is None:
        raise Http404
    if request.method == "POST":
        if seat is None:
            raise Http404
        try:
            notice, anchor = _member_action(request, sub, seat)
        except WorkflowError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, notice)
            return redirect(f"{request.path}{anchor}")
    seat = services.seat_of(request.user, sub)
    items = services.leaves(sub)
    mine = {s.indicator_id: s for s in PanelScore.objects.filter(member=seat).prefetch_related("cited", "files")} if seat else {}
    members = list(panel_obj.members.select_related("reviewer").order_by("role", "reviewer__username"))
    scoring = [m for m in members if m.scores_items]
    revealed = panel_obj.reconciled_at is not None
    others: dict[int, list] = {}
    if revealed:  # blind until every scoring member has signed off
        for s in PanelScore.objects.filter(member__panel=panel_obj, member__role__in=PanelMember.SCORING
                                           ).select_related("member__reviewer").prefetch_related("files", "cited"):
            others.setdefault(s.indicator_id, []).append(s)
    decisions = {d.indicator_id: d for d in PanelDecision.objects.filter(panel=panel_obj).select_related("decided_by")}
    pending = {i.pk for i in services.pending_items(panel_obj)}
    files = evidence_by_item(sub)
    result = Result.objects.filter(submission=sub).first()
    computed = result_items(result) if result else {}
    self_scores = {s.indicator_id: s for s in ItemScore.objects.filter(submission=sub)}
    requests = {}
    for r in SupplementRequest.objects.filter(submission=sub).select_related("evidence"):
        requests.setdefault(r.indicator_id, []).append(r)
    rows = [{
        "ind": i, "kind": services.item_kind(i), "mine": mine.get(i.pk), "files": files.get(i.pk, []),
        "self": self_scores.get(i.pk), "auto": computed.get(i.code) if i.rule_kind != "manual" else None,
        "all": sorted(others.get(i.pk, []), key=lambda s: s.member.reviewer.username),
        "decision": decisions.get(i.pk), "pending": i.pk in pending, "requests": requests.get(i.pk, []),
    } for i in items]
    editable = bool(seat and seat.scores_items and not seat.signed_off_at and sub.state in services.REVIEWABLE)
    return render(request, "panels/panel.html", {
        "sub": sub, "panel": panel_obj, "seat": seat, "office": office, "members": members, "scoring": scoring,
        "rows": rows, "revealed": revealed, "editable": editable, "policy": services.policy_of(sub.cycle),
        "can_decide": bool(seat and seat.decides and pending), "pending_count": len(pending),
        "missing": services.missing_for_sign_off(sub, seat) if editable else [],
        "today": datetime.date.today(), "tab": "review",
    })


def _entries(request, items) -> dict[int, dict]:
    post = request.POST
    return {i.pk: {"score": post.get(f"score-{i.pk}", ""), "comment": post.get(f"comment-{i.pk}", ""),
                   "veto": post.get(f"veto-{i.pk}", ""), "cite": post.getlist(f"cite-{i.pk}")}
            for i in items if f"comment-{i.pk}" in post}


def _member_action(request, sub, seat) -> tuple[str, str]:
    action, post, user = request.POST.get("action"), request.POST, request.user
    items = services.leaves(sub)
    if action in ("save", "sign_off"):
        errors = services.save_scores(sub, user, _entries(request, items))
        if errors:
            raise WorkflowError("；".join(errors))
        for key, f in request.FILES.items():
            if key.startswith("finding-") and key[8:].isdigit():
                ind = next((i for i in items if i.pk == int(key[8:])), None)
                if ind is not None:
                    services.attach_finding_file(sub, user, ind, f, f.name)
        if action == "sign_off":
            services.sign_off(sub, user)
            return "评分已提交。全部成员提交后方可看到其他成员的评分。", ""
        return "评分草稿已保存（其他成员看不到）。", ""
    ind = get_object_or_404(Indicator, pk=post.get("indicator") or 0, scheme=sub.cycle.scheme)
    if action == "supplement":
        try:
            deadline = datetime.date.fromisoformat(post.get("deadline", ""))
        except ValueError:
            raise WorkflowError("请填写补充期限") from None
        services.request_supplement(sub, user, ind, post.get("note", ""), deadline)
        return f"已要求{sub.region.name}补充{ind.code}的材料。", f"#item-{ind.pk}"
    if action == "decide":
        services.decide(sub, user, ind, score=post.get("score", ""), veto=post.get("veto", ""),
                        reason=post.get("reason", ""))
        return f"{ind.code}已裁定。", f"#item-{ind.pk}"
    raise WorkflowError("未知的操作")


@login_required
def finding_file(request, pk: int, file: int):
    """A veto finding's file: its author, and once the panel's scores are revealed the panel and the office."""
    sub, seat, office = _panel_page_sub(request.user, pk)
    f = get_object_or_404(FindingFile.objects.select_related("score__member__panel"), pk=file,
                          score__member__panel__submission=sub)
    own = seat is not None and f.score.member_id == seat.pk
    if not own and f.score.member.panel.reconciled_at is None:
        raise Http404
    response = FileResponse(services.finding_path(f).open("rb"), as_attachment=True, filename=f.filename,
                            content_type=f.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def supplement(request, pk: int):
    """补充材料: what the panel asked of the region, with deadlines; the coordinator answers here."""
    sub = submission_for(request.user, pk, departments=False)
    coordinator = scoping.can_edit_region_data(request.user, sub.region)
    if not (coordinator or services.seat_of(request.user, sub) or scoping.runs_cycle(request.user, sub.cycle)):
        raise Http404
    if request.method == "POST":
        if not coordinator:
            raise Http404
        req = get_object_or_404(SupplementRequest, pk=request.POST.get("request") or 0, submission=sub)
        f = request.FILES.get("file")
        try:
            services.answer_supplement(req, request.user, request.POST.get("answer", ""), f, f.name if f else "")
        except WorkflowError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"{req.indicator.code}的补充材料已报送评审组。")
            return redirect("supplement", pk=pk)
    reqs = list(SupplementRequest.objects.filter(submission=sub).select_related("indicator", "evidence"))
    return render(request, "panels/supplement.html", {"sub": sub, "requests": reqs, "coordinator": coordinator,
                                                      "today": datetime.date.today()})
