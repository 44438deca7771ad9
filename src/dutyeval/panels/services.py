"""Every change to review panels: named functions that check who and when, write, and leave an audit
record (STYLE.md §1). The rules themselves (recusal, the proposal, reconciliation) are pure, in
dutyeval.core.panels. See docs/review.md."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dutyeval import uploads
from dutyeval.accounts import scoping
from dutyeval.accounts.models import User
from dutyeval.audit.services import log_action
from dutyeval.core import panels as core
from dutyeval.evaluation.models import Cycle, ItemScore, Submission
from dutyeval.evaluation.rules import WorkflowError, uses_panels
from dutyeval.notifications.services import notify
from dutyeval.regions.models import Region
from dutyeval.schemes.models import Indicator

from . import specialties as spec
from .models import (
    Expert,
    FindingFile,
    Panel,
    PanelDecision,
    PanelMember,
    PanelPolicy,
    PanelScore,
    SupplementRequest,
)

Role = PanelMember.Role
REVIEWABLE = (Submission.State.SUBMITTED, Submission.State.FORWARDED, Submission.State.ACCEPTED)
FINDINGS_FOLDER = "panel_findings"


# ---- reading -------------------------------------------------------------------------------------

def policy_of(cycle: Cycle) -> PanelPolicy:
    """The cycle's panel rules; the defaults (2 members, city recusal, 20 %) when none were saved."""
    return PanelPolicy.objects.filter(cycle=cycle).first() or PanelPolicy(cycle=cycle)


def seat_of(user, sub: Submission) -> PanelMember | None:
    if not user.is_authenticated:
        return None
    return PanelMember.objects.filter(panel__submission=sub, reviewer=user).select_related("panel").first()


def is_pool_reviewer(user, cycle: Cycle) -> bool:
    """A reviewer acting for the cycle's office: the people panels are made of."""
    return user.is_authenticated and user.role in scoping.REVIEWER_ROLES and user.region_id == cycle.root_id


def visible_in_cycle(user, cycle: Cycle, regions):
    """The regions a cycle's overview and results list for this user: in a panel cycle a reviewer of the
    office sees only the regions of their own panels."""
    if is_pool_reviewer(user, cycle) and uses_panels(cycle):
        return regions.filter(pk__in=PanelMember.objects.filter(reviewer=user, panel__submission__cycle=cycle)
                              .values("panel__submission__region"))
    return regions


def pool(cycle: Cycle) -> list[User]:
    """Reviewers of the cycle's office with an active expert profile, by user name."""
    return list(User.objects.filter(role__in=scoping.REVIEWER_ROLES, region=cycle.root, is_active=True,
                                    expert__active=True).select_related("expert__home").order_by("username"))


def without_profile(cycle: Cycle) -> list[User]:
    return list(User.objects.filter(role__in=scoping.REVIEWER_ROLES, region=cycle.root, is_active=True)
                .exclude(expert__active=True).order_by("username"))


def item_kind(ind: Indicator) -> str:
    """How a panel treats a leaf: manual (score + comment from every member), veto (a finding from every
    member), auto / auto_veto (what the data gave stands unless a member overrides it, with a note)."""
    if ind.rule_kind == Indicator.RuleKind.MANUAL:
        return "manual"
    if ind.rule_kind == Indicator.RuleKind.VETO:
        return "veto" if (ind.rule.get("params") or {}).get("manual") else "auto_veto"
    return "auto"


def leaves(sub: Submission) -> list[Indicator]:
    return list(Indicator.objects.filter(scheme=sub.cycle.scheme, children__isnull=True).order_by("order"))


def _proposal_inputs(cycle: Cycle):
    policy = policy_of(cycle)
    experts = pool(cycle)
    areas = spec.scheme_areas(cycle.scheme)
    existing = {}
    for m in PanelMember.objects.filter(panel__submission__cycle=cycle).select_related("panel__submission__region",
                                                                                        "reviewer"):
        if m.scores_items:
            existing.setdefault(m.panel.submission.region.code, []).append(m.reviewer.username)
    regions = list(Submission.objects.filter(cycle=cycle).values_list("region__code", flat=True))
    core_experts = [core.Expert(u.username, u.expert.home.code, frozenset(u.expert.specialties)) for u in experts]
    return policy, experts, areas, existing, regions, core_experts


def propose(cycle: Cycle) -> core.Proposal:
    """The deterministic proposal for the cycle (existing members kept, panels topped up to the minimum).
    Raises WorkflowError naming every region that cannot be staffed."""
    policy, _experts, areas, existing, regions, core_experts = _proposal_inputs(cycle)
    try:
        return core.propose(regions, core_experts, minimum=policy.minimum, recusal=policy.recusal,
                            areas={code: specs for code, (_t, specs) in areas.items()}, existing=existing)
    except core.Infeasible as exc:
        names = dict(Region.objects.filter(code__in=exc.shortages).values_list("code", "name"))
        raise WorkflowError(
            _("专家库不足以组成评审组（回避范围：%(r)s，每组至少 %(n)d 人）：%(list)s。请补充专家或调整设置。") % {
                "r": policy.get_recusal_display(), "n": policy.minimum,
                "list": "；".join(_("%(name)s可选专家 %(have)d 人") % {"name": names.get(c, c), "have": have}
                                 for c, (have, _need) in exc.shortages.items())}
        ) from None


# ---- the office: policy, experts, assignment -------------------------------------------------------

def _require_office(user, cycle: Cycle) -> None:
    if not scoping.runs_cycle(user, cycle):
        raise WorkflowError(_("只有组织本次评价的督导办管理员可以安排评审组"))


@transaction.atomic
def save_policy(cycle: Cycle, user, *, minimum, recusal: str, threshold_percent) -> PanelPolicy:
    _require_office(user, cycle)
    try:
        minimum = int(minimum)
        threshold = Decimal(str(threshold_percent)).quantize(Decimal("0.01"))
    except (TypeError, ValueError, InvalidOperation):
        raise WorkflowError(_("每组人数须为整数，分差阈值须为数字")) from None
    if not 1 <= minimum <= 9:
        raise WorkflowError(_("每个评审组至少 1 人、至多 9 人"))
    if not (Decimal(0) <= threshold <= Decimal(100)):
        raise WorkflowError(_("分差阈值应在 0 到 100 之间"))
    if recusal not in PanelPolicy.Recusal.values:
        raise WorkflowError(_("未知的回避范围"))
    policy = PanelPolicy.objects.select_for_update().filter(cycle=cycle).first() or PanelPolicy(cycle=cycle)
    old = {"minimum": policy.minimum, "recusal": policy.recusal, "threshold_percent": policy.threshold_percent}
    new = {"minimum": minimum, "recusal": recusal, "threshold_percent": threshold}
    if old == new and policy.pk:
        return policy
    if threshold != policy.threshold_percent and PanelDecision.objects.filter(panel__submission__cycle=cycle).exists():
        raise WorkflowError(_("已有评审组形成结论，不能再修改分差阈值"))
    for m in PanelMember.objects.filter(panel__submission__cycle=cycle).select_related(
            "reviewer__expert__home", "panel__submission__region"):
        if core.conflicts(m.reviewer.expert.home.code, m.panel.submission.region.code, recusal):
            raise WorkflowError(_("按新的回避范围，%(who)s须回避%(region)s，请先调整该评审组") % {
                "who": m.reviewer, "region": m.panel.submission.region.name})
    policy.minimum, policy.recusal, policy.threshold_percent, policy.updated_by = minimum, recusal, threshold, user
    policy.save()
    log_action("panels.policy.save", actor=user, obj=cycle, region=cycle.root, data={"old": old, "new": new})
    return policy


@transaction.atomic
def save_expert(reviewer: User, user, *, home: Region, unit: str, specialties: list[str], active: bool = True) -> Expert:
    """The office of the reviewer's region keeps the reviewer's expert profile."""
    if not (user.is_authenticated and user.role in scoping.OFFICE_ROLES and user.region_id == reviewer.region_id
            and reviewer.role in scoping.REVIEWER_ROLES):
        raise WorkflowError(_("只有专家所属督导办的管理员可以维护专家信息"))
    known = spec.labels()
    unknown = [s for s in specialties if s not in known]
    if unknown:
        raise WorkflowError(_("未知的专业领域：%(s)s") % {"s": "、".join(unknown)})
    specialties = [s for s in known if s in set(specialties)]  # vocabulary order, no duplicates
    expert = Expert.objects.select_for_update().filter(user=reviewer).first()
    old = None if expert is None else {"home": expert.home.code, "unit": expert.unit,
                                       "specialties": expert.specialties, "active": expert.active}
    new = {"home": home.code, "unit": (unit or "").strip()[:100], "specialties": specialties, "active": active}
    if old == new:
        return expert
    if expert is None:
        expert = Expert(user=reviewer)
    expert.home, expert.unit, expert.specialties, expert.active = home, new["unit"], specialties, active
    expert.save()
    log_action("panels.expert.save", actor=user, obj=expert, region=reviewer.region,
               data={"reviewer": reviewer.username, "old": old, "new": new})
    return expert


def _tell_assigned(users, cycle: Cycle, regions: list[str]) -> None:
    notify(users, "assigned", f"评审任务：{cycle.name}",
           f"您被安排评审：{'、'.join(regions)}。请在“我的待办”中打开，独立评分后提交。", reverse("home"))


@transaction.atomic
def apply_proposal(cycle: Cycle, user) -> core.Proposal:
    """Assign the proposal: new panels for regions without one, panels below the minimum topped up."""
    _require_office(user, cycle)
    Cycle.objects.select_for_update().get(pk=cycle.pk)
    if cycle.state != Cycle.State.PUBLISHED:
        raise WorkflowError(_("评价周期发布后才能安排评审组"))
    proposal = propose(cycle)
    subs = {s.region.code: s for s in Submission.objects.filter(cycle=cycle).select_related("region")}
    users = {u.username: u for u in pool(cycle)}
    added: dict[str, list[str]] = {}
    for code, members in proposal.panels.items():
        panel, _created = Panel.objects.get_or_create(submission=subs[code], defaults={"created_by": user})
        have = set(panel.members.values_list("reviewer__username", flat=True))
        for key in members:
            if key in have:
                continue
            role = Role.LEAD if proposal.leads.get(code) == key else Role.MEMBER
            PanelMember.objects.create(panel=panel, reviewer=users[key], role=role, assigned_by=user)
            added.setdefault(key, []).append(subs[code].region.name)
    policy = policy_of(cycle)
    log_action("panels.proposal.apply", actor=user, obj=cycle, region=cycle.root, data={
        "policy": {"minimum": policy.minimum, "recusal": policy.recusal, "threshold_percent": policy.threshold_percent},
        "panels": proposal.panels, "leads": proposal.leads, "uncovered": proposal.uncovered,
        "pool": sorted(users)})
    for key, regions in added.items():
        _tell_assigned([users[key]], cycle, regions)
    return proposal


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise WorkflowError(_("调整评审组须填写理由"))
    return reason[:2000]


def _panel_for_change(sub: Submission, user) -> Panel:
    _require_office(user, sub.cycle)
    panel, _created = Panel.objects.get_or_create(submission=sub, defaults={"created_by": user})
    return Panel.objects.select_for_update().get(pk=panel.pk)


@transaction.atomic
def add_member(sub: Submission, user, reviewer: User, role: str, reason: str) -> PanelMember:
    reason = _reason(reason)
    panel = _panel_for_change(sub, user)
    if role not in Role.values:
        raise WorkflowError(_("未知的组内角色"))
    if reviewer not in pool(sub.cycle):
        raise WorkflowError(_("%(who)s不在本次评价的专家库中") % {"who": reviewer})
    policy = policy_of(sub.cycle)
    if core.conflicts(reviewer.expert.home.code, sub.region.code, policy.recusal):
        raise WorkflowError(_("%(who)s来自%(home)s，按“%(r)s”须回避%(region)s") % {
            "who": reviewer, "home": reviewer.expert.home.name, "r": policy.get_recusal_display(),
            "region": sub.region.name})
    if panel.members.filter(reviewer=reviewer).exists():
        raise WorkflowError(_("%(who)s已在该评审组中") % {"who": reviewer})
    if role in PanelMember.DECIDING and panel.members.filter(role__in=PanelMember.DECIDING).exists():
        raise WorkflowError(_("该评审组已有组长或第三方裁定人，请用“设为组长”调整"))
    if role in PanelMember.SCORING and panel.reconciled_at:
        raise WorkflowError(_("该评审组已汇总评分，不能再增加评分成员；可增加第三方裁定人"))
    member = PanelMember.objects.create(panel=panel, reviewer=reviewer, role=role, assigned_by=user)
    log_action("panels.member.add", actor=user, obj=sub, region=sub.region,
               data={"reviewer": reviewer.username, "role": role, "reason": reason})
    _tell_assigned([reviewer], sub.cycle, [sub.region.name])
    return member


@transaction.atomic
def remove_member(member: PanelMember, user, reason: str) -> None:
    reason = _reason(reason)
    sub = member.panel.submission
    _panel_for_change(sub, user)
    member = PanelMember.objects.select_related("reviewer").get(pk=member.pk)
    if member.signed_off_at:
        raise WorkflowError(_("%(who)s已提交评分，不能移出评审组") % {"who": member.reviewer})
    drafts = member.scores.count()
    log_action("panels.member.remove", actor=user, obj=sub, region=sub.region,
               data={"reviewer": member.reviewer.username, "role": member.role, "reason": reason,
                     "draft_scores": drafts})
    member.delete()
    _after_change(member.panel, user)


@transaction.atomic
def set_lead(member: PanelMember, user, reason: str) -> PanelMember:
    """Make a scoring member the panel's lead; a previous lead stays as a member, an arbiter must go first."""
    reason = _reason(reason)
    sub = member.panel.submission
    panel = _panel_for_change(sub, user)
    member = PanelMember.objects.select_related("reviewer").get(pk=member.pk, panel=panel)
    if member.role == Role.LEAD:
        return member
    if member.role != Role.MEMBER:
        raise WorkflowError(_("只有评分成员可以设为组长"))
    if panel.members.filter(role=Role.ARBITER).exists():
        raise WorkflowError(_("该评审组由第三方裁定，请先移出第三方裁定人"))
    old = panel.members.filter(role=Role.LEAD).select_related("reviewer").first()
    if old:
        old.role = Role.MEMBER
        old.save(update_fields=["role"])
    member.role = Role.LEAD
    member.save(update_fields=["role"])
    log_action("panels.member.lead", actor=user, obj=sub, region=sub.region,
               data={"reviewer": member.reviewer.username, "previous": old.reviewer.username if old else None,
                     "reason": reason})
    return member


# ---- members: independent scores, sign-off -------------------------------------------------------

def _lock(sub: Submission) -> Submission:
    return Submission.objects.select_for_update().select_related("region", "cycle", "cycle__scheme").get(pk=sub.pk)


def _scoring_seat(sub: Submission, user) -> PanelMember:
    seat = seat_of(user, sub)
    if seat is None or not seat.scores_items:
        raise WorkflowError(_("只有该评审组的评分成员可以评分"))
    if sub.state not in REVIEWABLE:
        raise WorkflowError(_("只能评审已提交或已通过的材料"))
    return seat


def _parse_score(ind: Indicator, text: str) -> Decimal | None:
    from dutyeval.evaluation.services import parse_points

    score, error = parse_points(ind, text)
    if error:
        raise WorkflowError(error)
    return score


VETO_VALUES = {"yes": True, "no": False, "": None}


@transaction.atomic
def save_scores(submission: Submission, user, entries: dict[int, dict]) -> list[str]:
    """A member's draft: indicator id → {"score", "comment", "veto", "cite": [evidence ids]}. All or
    nothing; returns the error messages. Refused after the member signed off."""
    sub = _lock(submission)
    seat = _scoring_seat(sub, user)
    if seat.signed_off_at:
        raise WorkflowError(_("您已提交评分，不能再修改"))
    items = {i.pk: i for i in leaves(sub)}
    own_files = set(sub.evidence.values_list("pk", flat=True))
    errors, clean = [], {}
    for pk, entry in entries.items():
        ind = items.get(pk)
        if ind is None:
            errors.append(_("指标不属于本方案"))
            continue
        kind = item_kind(ind)
        try:
            score = _parse_score(ind, entry.get("score", "")) if kind in ("manual", "auto") else None
        except WorkflowError as exc:
            errors.append(str(exc))
            continue
        veto = VETO_VALUES.get(entry.get("veto") or "") if kind in ("veto", "auto_veto") else None
        cite = {int(c) for c in entry.get("cite", ()) if str(c).isdigit()} & own_files
        clean[pk] = (score, (entry.get("comment") or "").strip()[:2000], veto, cite)
    if errors:
        return errors
    changed = {}
    for pk, (score, comment, veto, cite) in clean.items():
        row = PanelScore.objects.filter(member=seat, indicator_id=pk).first()
        before = None if row is None else (row.score, row.comment, row.veto, set(row.cited.values_list("pk", flat=True)))
        if before == (score, comment, veto, cite) or (row is None and (score, comment, veto, cite) == (None, "", None, set())):
            continue
        if row is None:
            row = PanelScore(member=seat, indicator_id=pk)
        row.score, row.comment, row.veto = score, comment, veto
        row.save()
        row.cited.set(cite)
        changed[items[pk].code] = {"score": score, "veto": veto}
    if changed:
        # the values stay in the panel's tables until sign-off; the log says only what was touched
        log_action("panels.score.save", actor=user, obj=sub, region=sub.region, data={"items": sorted(changed)})
    return []


@transaction.atomic
def attach_finding_file(submission: Submission, user, indicator: Indicator, upload, filename: str) -> FindingFile:
    """Evidence for a member's veto finding, checked by content like 佐证材料, never shown to the region."""
    from django.conf import settings

    from dutyeval.evidence.detect import Refused, detect
    from dutyeval.evidence.services import EvidenceRefused, clean_filename

    sub = _lock(submission)
    seat = _scoring_seat(sub, user)
    if seat.signed_off_at:
        raise WorkflowError(_("您已提交评分，不能再修改"))
    if item_kind(indicator) not in ("veto", "auto_veto") or indicator.scheme_id != sub.cycle.scheme_id:
        raise WorkflowError(_("只有一票否决项需要认定材料"))
    name = clean_filename(filename)
    if not name:
        raise EvidenceRefused(_("请选择要上传的文件"))
    limit = settings.DUTYEVAL_EVIDENCE_MAX_BYTES
    try:
        stored = uploads.store_stream(upload, FINDINGS_FOLDER, "", max_bytes=limit, quota=limit, used=0, what="认定材料")
    except uploads.UploadRefused as exc:
        raise EvidenceRefused(_("《%(f)s》：%(e)s") % {"f": name, "e": exc}) from None
    try:
        kind = detect(stored.path)
    except Refused as exc:
        uploads.discard(FINDINGS_FOLDER, stored.name)
        raise EvidenceRefused(_("《%(f)s》未上传：%(e)s") % {"f": name, "e": exc}) from None
    score, _created = PanelScore.objects.get_or_create(member=seat, indicator=indicator)
    f = FindingFile.objects.create(score=score, filename=name, stored_name=stored.name, content_type=kind.content_type,
                                   size=stored.size, sha256=stored.sha256)
    log_action("panels.finding.upload", actor=user, obj=sub, region=sub.region,
               data={"item": indicator.code, "file": name, "size": stored.size, "sha256": stored.sha256})
    return f


def finding_path(f: FindingFile):
    return uploads.storage_dir(FINDINGS_FOLDER) / f.stored_name


def missing_for_sign_off(sub: Submission, seat: PanelMember) -> list[str]:
    """What a member must still give before signing off, one line per item."""
    scores = {s.indicator_id: s for s in seat.scores.prefetch_related("cited", "files")}
    out = []
    for ind in leaves(sub):
        s, kind = scores.get(ind.pk), item_kind(ind)
        label = f"{ind.code} {ind.title}"
        if kind == "manual" and (s is None or s.score is None or not s.comment):
            out.append(_("%(i)s：须评分并填写评审意见") % {"i": label})
        elif kind == "veto" and (s is None or s.veto is None):
            out.append(_("%(i)s：须认定是否触发一票否决") % {"i": label})
        elif kind == "auto" and s is not None and s.score is not None and not s.comment:
            out.append(_("%(i)s：调整自动计算结果须填写说明") % {"i": label})
        elif kind == "auto_veto" and s is not None and s.veto is not None and not s.comment:
            out.append(_("%(i)s：改变法定指标的自动认定须填写说明") % {"i": label})
        if s is not None and s.veto and kind in ("veto", "auto_veto"):
            if not s.comment:
                out.append(_("%(i)s：认定触发一票否决须写明理由") % {"i": label})
            if not (s.cited.exists() or s.files.exists()):
                out.append(_("%(i)s：认定触发一票否决须有证据（引用佐证材料或上传认定材料）") % {"i": label})
    return out


@transaction.atomic
def sign_off(submission: Submission, user) -> PanelMember:
    """A member's scores become final. When the last scoring member signs off, the panel's scores are
    reconciled: agreed items are decided and written, the others go to the lead."""
    sub = _lock(submission)
    seat = _scoring_seat(sub, user)
    if seat.signed_off_at:
        raise WorkflowError(_("您已提交评分"))
    missing = missing_for_sign_off(sub, seat)
    if missing:
        raise WorkflowError(_("还有 %(n)d 项未完成，不能提交：%(list)s") % {"n": len(missing), "list": "；".join(missing)})
    seat.signed_off_at = timezone.now()
    seat.save(update_fields=["signed_off_at"])
    scores = {s.indicator.code: {"score": s.score, "veto": s.veto, "comment": s.comment}
              for s in seat.scores.select_related("indicator")}
    log_action("panels.score.sign_off", actor=user, obj=sub, region=sub.region, data={"scores": scores})
    _after_change(seat.panel, user)
    return seat


def _after_change(panel: Panel, user) -> None:
    """Reconcile when every scoring member (at least one) has signed off."""
    panel = Panel.objects.select_for_update().get(pk=panel.pk)
    scoring = list(panel.members.filter(role__in=PanelMember.SCORING))
    if panel.reconciled_at or not scoring or any(m.signed_off_at is None for m in scoring):
        return
    if len(scoring) < policy_of(panel.submission.cycle).minimum:
        return
    reconcile(panel, user)


def reconcile(panel: Panel, user) -> dict[str, core.Reconciled]:
    sub = panel.submission
    threshold = policy_of(sub.cycle).threshold_percent
    by_item: dict[int, list[PanelScore]] = {}
    for s in PanelScore.objects.filter(member__panel=panel, member__role__in=PanelMember.SCORING):
        by_item.setdefault(s.indicator_id, []).append(s)
    n = panel.members.filter(role__in=PanelMember.SCORING).count()
    outcomes, agreed = {}, []
    for ind in leaves(sub):
        given = by_item.get(ind.pk, [])
        kind = item_kind(ind)
        if kind in ("manual", "veto") and len(given) < n:  # cannot happen after sign-off; never guess
            out, method = core.Reconciled(agreed=False), PanelDecision.Method.LEAD
        elif kind == "manual":
            out = core.reconcile_scores(ind.points, [s.score for s in given], threshold)
            method = PanelDecision.Method.MEAN
        elif kind == "veto":
            out = core.reconcile_vetoes([s.veto for s in given])
            method = PanelDecision.Method.AGREED
        elif kind == "auto":
            overrides = [s.score for s in given] + [None] * (n - len(given))
            out = core.reconcile_overrides(ind.points, overrides, threshold)
            method = PanelDecision.Method.MEAN if out.score is not None else PanelDecision.Method.KEPT
        else:
            findings = [s.veto for s in given] + [None] * (n - len(given))
            out = core.Reconciled(agreed=len(set(findings)) == 1, vetoed=findings[0] if findings else None)
            method = PanelDecision.Method.AGREED if out.vetoed is not None else PanelDecision.Method.KEPT
        outcomes[ind.code] = out
        if out.agreed:
            agreed.append(PanelDecision(panel=panel, indicator=ind, method=method, score=out.score,
                                        vetoed=out.vetoed, reason=_panel_note(given, out)))
    PanelDecision.objects.bulk_create(agreed)
    panel.reconciled_at = timezone.now()
    pending = [c for c, o in outcomes.items() if not o.agreed]
    if not pending:
        panel.decided_at = panel.reconciled_at
    panel.save(update_fields=["reconciled_at", "decided_at"])
    log_action("panels.panel.reconcile", actor=user, obj=sub, region=sub.region, data={
        "threshold_percent": threshold, "agreed": {d.indicator.code: {"method": d.method, "score": d.score,
                                                                     "veto": d.vetoed} for d in agreed},
        "to_lead": pending})
    _write(panel, [d for d in agreed if d.method != PanelDecision.Method.KEPT], user)
    if pending:
        decider = panel.members.filter(role__in=PanelMember.DECIDING).select_related("reviewer").first()
        notify([decider.reviewer] if decider else scoping.cycle_office(sub.cycle), "assigned",
               f"待裁定：{sub.region.name} {len(pending)} 项评分差异超过阈值",
               f"《{sub.cycle.name}》：{'、'.join(pending)}", reverse("panel", args=[sub.pk]))
    return outcomes


def _panel_note(given: list[PanelScore], out: core.Reconciled) -> str:
    comments = "；".join(s.comment for s in given if s.comment)
    if out.score is not None:
        head = _("评审组 %(n)d 人独立评分，分差 %(d)s 未超过阈值 %(l)s，取平均分 %(s)s") % {
            "n": len(given), "d": out.spread, "l": out.limit, "s": out.score}
    else:
        head = _("评审组 %(n)d 人认定一致") % {"n": len(given)}
    return f"{head}。{comments}" if comments else head


def _write(panel: Panel, decisions: list[PanelDecision], user) -> None:
    """Write decided items to evaluation.ItemScore (reviewer score, note, veto), the one place results
    read them from, with the audit record the scorecard's history reads, and recompute the region."""
    if not decisions:
        return
    sub = panel.submission
    decider = panel.members.filter(role__in=PanelMember.DECIDING).select_related("reviewer").first()
    changes = {}
    for d in decisions:
        row, _created = ItemScore.objects.get_or_create(submission=sub, indicator=d.indicator)
        veto_item = d.indicator.rule_kind == Indicator.RuleKind.VETO
        score = None if veto_item else d.score
        vetoed = d.vetoed if veto_item else None
        note = d.reason[:2000]
        if (row.reviewer_score, row.reviewer_note, row.vetoed) == (score, note, vetoed):
            continue
        changes[d.indicator.code] = {"score": [row.reviewer_score, score], "veto": [row.vetoed, vetoed],
                                     "note": [row.reviewer_note, note]}
        row.reviewer_score, row.reviewer_note, row.vetoed = score, note, vetoed
        row.reviewer = d.decided_by or (decider.reviewer if decider else None)
        row.save(update_fields=["reviewer_score", "reviewer_note", "vetoed", "reviewer"])
    if changes:
        log_action("evaluation.scores.review", actor=user, obj=sub, region=sub.region,
                   data={"changes": changes, "panel": panel.pk})
        from dutyeval.evaluation.recompute import schedule_recompute

        schedule_recompute(sub.cycle, f"{sub.region.name}评审组评分", region=sub.region)


def pending_items(panel: Panel) -> list[Indicator]:
    """Items the panel's lead still has to decide (after reconciliation)."""
    if not panel.reconciled_at:
        return []
    decided = set(panel.decisions.values_list("indicator_id", flat=True))
    return [i for i in leaves(panel.submission) if i.pk not in decided]


@transaction.atomic
def decide(submission: Submission, user, indicator: Indicator, *, score: str = "", veto: str = "",
           reason: str = "") -> PanelDecision:
    """The lead (or third reviewer) decides an item where the members differ, with a reason."""
    sub = _lock(submission)
    seat = seat_of(user, sub)
    if seat is None or not seat.decides:
        raise WorkflowError(_("只有评审组组长或第三方裁定人可以裁定"))
    panel = Panel.objects.select_for_update().get(pk=seat.panel_id)
    if indicator.pk not in {i.pk for i in pending_items(panel)}:
        raise WorkflowError(_("该项无需裁定或已裁定"))
    reason = (reason or "").strip()
    if not reason:
        raise WorkflowError(_("裁定须写明理由"))
    kind = item_kind(indicator)
    value, vetoed = None, None
    if kind in ("manual", "auto"):
        value = _parse_score(indicator, score)
        if value is None and kind == "manual":
            raise WorkflowError(_("请填写裁定得分"))
    else:
        vetoed = VETO_VALUES.get(veto or "")
        if vetoed is None and kind == "veto":
            raise WorkflowError(_("请认定是否触发一票否决"))
        if vetoed:
            backed = PanelScore.objects.filter(member__panel=panel, indicator=indicator, veto=True).exclude(comment="")
            if not any(s.cited.exists() or s.files.exists() for s in backed):
                raise WorkflowError(_("认定触发一票否决须有评审专家提交的理由和证据"))
    d = PanelDecision.objects.create(panel=panel, indicator=indicator, method=PanelDecision.Method.LEAD, score=value,
                                     vetoed=vetoed, reason=_("组长裁定：%(r)s") % {"r": reason[:1900]}, decided_by=user)
    log_action("panels.item.decide", actor=user, obj=sub, region=sub.region,
               data={"item": indicator.code, "score": value, "veto": vetoed, "reason": reason})
    if value is not None or vetoed is not None:
        _write(panel, [d], user)
    if not pending_items(panel):
        panel.decided_at = timezone.now()
        panel.save(update_fields=["decided_at"])
        notify(scoping.cycle_office(sub.cycle), "accepted", f"{sub.region.name}评审组已完成评审",
               f"《{sub.cycle.name}》：评审组结论已计入评分表。", reverse("scorecard", args=[sub.pk]))
    return d


# ---- 补充材料 ------------------------------------------------------------------------------------

@transaction.atomic
def request_supplement(submission: Submission, user, indicator: Indicator, note: str,
                       deadline: datetime.date) -> SupplementRequest:
    sub = _lock(submission)
    seat = _scoring_seat(sub, user)
    if seat.signed_off_at:
        raise WorkflowError(_("您已提交评分，不能再要求补充材料"))
    if indicator.scheme_id != sub.cycle.scheme_id or indicator.children.exists():
        raise WorkflowError(_("指标不属于本方案"))
    note = (note or "").strip()
    if not note:
        raise WorkflowError(_("请写明需要补充的材料"))
    if deadline is None or deadline < timezone.localdate():
        raise WorkflowError(_("补充期限不能早于今天"))
    if SupplementRequest.objects.filter(submission=sub, indicator=indicator, state=SupplementRequest.State.OPEN).exists():
        raise WorkflowError(_("该项已有待补充的要求"))
    req = SupplementRequest.objects.create(submission=sub, indicator=indicator, note=note[:2000], deadline=deadline,
                                           requested_by=user)
    log_action("panels.supplement.request", actor=user, obj=sub, region=sub.region,
               data={"item": indicator.code, "note": note, "deadline": deadline.isoformat()})
    notify(scoping.coordinators_of(sub.region), "returned", f"请补充材料：{indicator.code} {indicator.title}",
           f"《{sub.cycle.name}》评审组要求补充：{note}（{deadline:%Y年%m月%d日}前）",
           reverse("supplement", args=[sub.pk]))
    return req


@transaction.atomic
def answer_supplement(req: SupplementRequest, user, answer: str, upload=None, filename: str = "") -> SupplementRequest:
    """The region's coordinator answers with a note and/or a file; the file becomes 佐证材料 of the item,
    which the panel sees beside it."""
    sub = _lock(req.submission)
    if not scoping.can_edit_region_data(user, sub.region):
        raise WorkflowError(_("只有本县（市、区）填报联络员可以补充材料"))
    req = SupplementRequest.objects.select_for_update().select_related("indicator").get(pk=req.pk, submission=sub)
    if req.state != SupplementRequest.State.OPEN:
        raise WorkflowError(_("该要求已补充"))
    answer = (answer or "").strip()
    if not answer and upload is None:
        raise WorkflowError(_("请填写补充说明或上传材料"))
    ev = _store_supplement(sub, req.indicator, user, upload, filename) if upload is not None else None
    req.state, req.answer, req.answered_by, req.answered_at = SupplementRequest.State.ANSWERED, answer[:2000], user, timezone.now()
    req.evidence = ev
    req.save(update_fields=["state", "answer", "answered_by", "answered_at", "evidence"])
    log_action("panels.supplement.answer", actor=user, obj=sub, region=sub.region,
               data={"item": req.indicator.code, "answer": answer, "evidence": ev.pk if ev else None,
                     "file": ev.filename if ev else None, "sha256": ev.sha256 if ev else None})
    notify([req.requested_by], "submitted", f"{sub.region.name}已补充材料：{req.indicator.code}",
           answer[:200], reverse("panel", args=[sub.pk]))
    return req


def _store_supplement(sub: Submission, indicator: Indicator, user, upload, filename: str):
    """Store like evidence.services.upload_evidence (content check, size, the region's quota), but for a
    submitted submission: a 补充材料 answers a panel's request, it does not reopen the submission."""
    from django.conf import settings

    from dutyeval.evidence.detect import Refused, detect
    from dutyeval.evidence.models import Evidence
    from dutyeval.evidence.services import FOLDER, EvidenceRefused, clean_filename, stored_bytes

    name = clean_filename(filename)
    if not name:
        raise EvidenceRefused(_("请选择要上传的文件"))
    try:
        stored = uploads.store_stream(upload, FOLDER, "", max_bytes=settings.DUTYEVAL_EVIDENCE_MAX_BYTES,
                                      quota=settings.DUTYEVAL_EVIDENCE_QUOTA_BYTES, used=stored_bytes(sub.region),
                                      what="佐证材料")
    except uploads.UploadRefused as exc:
        raise EvidenceRefused(_("《%(f)s》：%(e)s") % {"f": name, "e": exc}) from None
    try:
        kind = detect(stored.path)
    except Refused as exc:
        uploads.discard(FOLDER, stored.name)
        raise EvidenceRefused(_("《%(f)s》未上传：%(e)s") % {"f": name, "e": exc}) from None
    return Evidence.objects.create(submission=sub, indicator=indicator, filename=name, stored_name=stored.name,
                                   content_type=kind.content_type, size=stored.size, sha256=stored.sha256,
                                   uploaded_by=user, note="补充材料")
