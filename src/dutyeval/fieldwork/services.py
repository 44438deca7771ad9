"""Field verification: every state change is a named function with an audit record (models.py has the
workflow). The rules are core's: recusal is core.panels.conflicts (the panels' rule, at the cycle's panel
recusal level), tolerance, combination and credibility are core.fieldcheck.

Who may do what: the office running the cycle (accounts.scoping.runs_cycle) manages teams; a team's
members (leader, members, observer) see their team and fill its checklists; nobody else sees anything.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django.utils import timezone

from dutyeval import uploads
from dutyeval.accounts import scoping
from dutyeval.audit.services import log_action
from dutyeval.core import fieldcheck
from dutyeval.core.panels import conflicts
from dutyeval.draws.models import Draw
from dutyeval.evaluation.cycles import evaluated_regions
from dutyeval.evaluation.models import Cycle
from dutyeval.panels.services import policy_of as panel_policy_of
from dutyeval.regions.models import Region, School
from dutyeval.schemes.models import Indicator

from . import checklist
from .models import (
    Check,
    FieldFile,
    FieldFinding,
    FieldPolicy,
    OnsiteScore,
    Team,
    TeamMember,
    Visit,
    VisitedSchool,
)

FILES_FOLDER = "fieldwork"
MAX_REASON = 500


class FieldworkError(Exception):
    """Refused as asked; the message is for users (Chinese). `errors`: form field → message."""

    def __init__(self, message: str, errors: dict | None = None):
        super().__init__(message)
        self.message, self.errors = message, errors or {}


# ---------------------------------------------------------------------------------------------
# Who


def is_office(user, cycle: Cycle) -> bool:
    return scoping.runs_cycle(user, cycle)


def _require_office(user, cycle: Cycle) -> None:
    if not is_office(user, cycle):
        raise FieldworkError("只有组织本次评价的督导办可以安排实地核查")


def seat_of(user, team: Team) -> TeamMember | None:
    if not user.is_authenticated:
        return None
    return team.members.filter(user=user).first()


def may_see_team(user, team: Team) -> bool:
    return is_office(user, team.cycle) or seat_of(user, team) is not None


def _require_member(user, team: Team) -> TeamMember:
    seat = seat_of(user, team)
    if seat is None:
        raise FieldworkError("只有本核查组成员可以填写")
    return seat


def teams_of(user):
    return Team.objects.filter(members__user=user).select_related("cycle").distinct() if user.is_authenticated \
        else Team.objects.none()


def home_of(person) -> Region | None:
    """Where a person comes from, for recusal: the expert profile's unit, else the region the account acts for."""
    try:
        return person.expert.home
    except ObjectDoesNotExist:  # no expert profile
        return person.region


def policy_of(cycle: Cycle) -> FieldPolicy:
    return FieldPolicy.objects.filter(cycle=cycle).first() or FieldPolicy(cycle=cycle)


def _recusal_level(cycle: Cycle) -> str:
    return panel_policy_of(cycle).recusal


def _conflict(person, region: Region, level: str) -> str | None:
    home = home_of(person)
    if home is None:
        return f"{person}没有所在地区（专家信息或账号所属区域），无法核对区域回避"
    if conflicts(home.code, region.code, level):
        return f"{person}来自{home.name}，按区域回避不能核查{region.name}"
    return None


# ---------------------------------------------------------------------------------------------
# Settings and teams


def _decimal(text, label: str, field: str, *, low=Decimal(0), high=None) -> Decimal:
    try:
        value = Decimal(str(text).strip())
    except (InvalidOperation, ValueError):
        raise FieldworkError(f"{label}须为数字", {field: "须为数字"}) from None
    if not value.is_finite() or value < low or (high is not None and value > high):
        raise FieldworkError(f"{label}超出范围", {field: "超出范围"})
    return value


@transaction.atomic
def save_policy(cycle: Cycle, user, *, count_tolerance, percent_tolerance, mode: str, per_falsified) -> FieldPolicy:
    _require_office(user, cycle)
    if mode not in FieldPolicy.Mode.values:
        raise FieldworkError("未知的使用方式", {"mode": "未知的使用方式"})
    new = {"count_tolerance": _decimal(count_tolerance, "计数允许误差", "count_tolerance", high=Decimal(10000)),
           "percent_tolerance": _decimal(percent_tolerance, "允许误差百分比", "percent_tolerance", high=Decimal(100)),
           "mode": mode, "per_falsified": _decimal(per_falsified, "每项扣分", "per_falsified", high=Decimal(100))}
    policy = FieldPolicy.objects.select_for_update().filter(cycle=cycle).first() or FieldPolicy(cycle=cycle)
    old = {k: str(getattr(policy, k)) for k in new}
    for k, v in new.items():
        setattr(policy, k, v)
    policy.updated_by = user
    policy.save()
    log_action("fieldwork.policy.save", actor=user, obj=cycle, region=cycle.root,
               data={"old": old, "new": {k: str(v) for k, v in new.items()}})
    return policy


@transaction.atomic
def create_team(cycle: Cycle, user, name: str) -> Team:
    _require_office(user, cycle)
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise FieldworkError("请填写核查组名称（不超过 100 字）", {"name": "请填写"})
    team = Team.objects.create(cycle=cycle, name=name, created_by=user)
    log_action("fieldwork.team.create", actor=user, obj=team, region=cycle.root, data={"name": name})
    return team


@transaction.atomic
def add_member(team: Team, user, person, role: str) -> TeamMember:
    """A leader, member or observer (评估视导员); refused when the person may not visit one of the team's regions."""
    _require_office(user, team.cycle)
    if role not in TeamMember.Role.values:
        raise FieldworkError("未知的组内角色")
    if person is None or not person.is_active:
        raise FieldworkError("请选择人员")
    if team.members.filter(user=person).exists():
        raise FieldworkError(f"{person}已在本核查组")
    if role == TeamMember.Role.LEADER and team.members.filter(role=role).exists():
        raise FieldworkError("每个核查组只有一名组长")
    level = _recusal_level(team.cycle)
    for visit in team.visits.select_related("region"):
        problem = _conflict(person, visit.region, level)
        if problem:
            raise FieldworkError(problem)
    member = TeamMember.objects.create(team=team, user=person, role=role)
    log_action("fieldwork.member.add", actor=user, obj=team, region=team.cycle.root,
               data={"user": person.username, "role": role})
    return member


@transaction.atomic
def remove_member(member: TeamMember, user) -> None:
    team = member.team
    _require_office(user, team.cycle)
    log_action("fieldwork.member.remove", actor=user, obj=team, region=team.cycle.root,
               data={"user": member.user.username, "role": member.role})
    member.delete()


def _drawn_codes(draw: Draw) -> list[str]:
    record = getattr(draw, "record", None)
    return [row["code"] for row in record.record.get("result", [])] if record else []


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if len(reason) > MAX_REASON:
        raise FieldworkError(f"理由不能超过 {MAX_REASON} 字", {"reason": "过长"})
    return reason


@transaction.atomic
def add_visit(team: Team, user, region: Region, starts: date, ends: date, *, draw: Draw | None = None,
              reason: str = "") -> Visit:
    """A region on the itinerary: one drawn by the cycle's regions draw (linked), or added with a reason."""
    cycle = team.cycle
    _require_office(user, cycle)
    if region is None or not evaluated_regions(cycle.root, cycle.level, cycle.excluded).filter(pk=region.pk).exists():
        raise FieldworkError("请选择本次评价的一个被评价地区", {"region": "不是被评价地区"})
    if starts is None or ends is None or ends < starts:
        raise FieldworkError("请填写核查日期（结束不早于开始）", {"starts": "日期有误"})
    reason = _reason(reason)
    if draw is not None:
        if draw.cycle_id != cycle.pk or draw.kind != Draw.Kind.REGIONS or region.code not in _drawn_codes(draw):
            raise FieldworkError(f"{region.name}不在所选抽签的结果中", {"draw": "不在抽签结果中"})
    elif not reason:
        raise FieldworkError("未经抽签确定的核查地区须写明理由", {"reason": "请写明理由"})
    if team.visits.filter(region=region).exists():
        raise FieldworkError(f"{region.name}已在本组行程中")
    level = _recusal_level(cycle)
    for m in team.members.select_related("user"):
        problem = _conflict(m.user, region, level)
        if problem:
            raise FieldworkError(problem)
    visit = Visit.objects.create(team=team, region=region, starts=starts, ends=ends, draw=draw, reason=reason)
    log_action("fieldwork.visit.add", actor=user, obj=visit, region=region,
               data={"team": team.name, "starts": str(starts), "ends": str(ends),
                     "draw": draw.pk if draw else None, "reason": reason})
    return visit


@transaction.atomic
def add_school(visit: Visit, user, school: School, *, draw: Draw | None = None, reason: str = "") -> VisitedSchool:
    """A school of the visited county: drawn on the day by its schools draw (linked), or added with a reason."""
    _require_office(user, visit.team.cycle)
    if school is None or school.county_id != visit.region_id:
        raise FieldworkError(f"该学校不在{visit.region.name}", {"school": "不在核查地区"})
    reason = _reason(reason)
    if draw is not None:
        if draw.county_id != visit.region_id or draw.kind != Draw.Kind.SCHOOLS or school.code not in _drawn_codes(draw):
            raise FieldworkError(f"{school.name}不在所选学校抽签的结果中", {"draw": "不在抽签结果中"})
    elif not reason:
        raise FieldworkError("督导办增加的核查学校须写明理由", {"reason": "请写明理由"})
    if visit.schools.filter(school=school).exists():
        raise FieldworkError(f"{school.name}已在核查学校中")
    vs = VisitedSchool.objects.create(visit=visit, school=school, draw=draw, reason=reason)
    log_action("fieldwork.school.add", actor=user, obj=vs, region=visit.region,
               data={"school": school.code, "draw": draw.pk if draw else None, "reason": reason})
    return vs


def add_drawn_schools(visit: Visit, user, draw: Draw) -> list[VisitedSchool]:
    """Every school a drawn schools draw of the visited county picked, not yet on the list."""
    _require_office(user, visit.team.cycle)
    if draw.county_id != visit.region_id or draw.kind != Draw.Kind.SCHOOLS or not _drawn_codes(draw):
        raise FieldworkError("请选择该县（市、区）已完成的学校抽签")
    have = set(visit.schools.values_list("school__code", flat=True))
    out = []
    with transaction.atomic():
        for school in School.objects.filter(code__in=_drawn_codes(draw)).exclude(code__in=have).order_by("code"):
            out.append(add_school(visit, user, school, draw=draw))
    return out


# ---------------------------------------------------------------------------------------------
# Checklists


def _tolerance(policy: FieldPolicy, kind: str) -> dict:
    return {"percent": policy.percent_tolerance} if kind == "measure" else {"absolute": policy.count_tolerance}


def parse_values(lines, values: dict) -> dict[str, Decimal]:
    """Every line's verified value, or FieldworkError naming each bad field (nothing is stored)."""
    out, errors = {}, {}
    for line in lines:
        text = str(values.get(line.key, "")).strip().replace(",", "").replace("，", "")
        if not text:
            errors[line.key] = "请填写核查值"
            continue
        try:
            v = Decimal(text)
        except InvalidOperation:
            errors[line.key] = f"“{text[:20]}”不是数字"
            continue
        if not v.is_finite() or v < 0 or v >= Decimal("1e12"):
            errors[line.key] = "超出范围"
            continue
        out[line.key] = v.quantize(Decimal("0.01"))
    if errors:
        raise FieldworkError(f"核查表有 {len(errors)} 项需要改正，未提交", errors)
    return out


def _num(d: Decimal) -> str:
    """1200, 5040.5 — not 1200.00 or 1.2E+3."""
    return format(d.normalize(), "f")


def _finding_text(vs: VisitedSchool, line, verified: Decimal, dev: fieldcheck.Deviation) -> str:
    sign = "多报" if dev.difference < 0 else "少报"
    return (f"{vs.school.name}{line.label}（{line.level_label}）：填报 {_num(line.reported)}{line.unit}，"
            f"核查 {_num(verified)}{line.unit}，{sign} {_num(abs(dev.difference))}{line.unit}（偏差 {dev.relative:.1%}）")


def submit_checklist(vs: VisitedSchool, user, values: dict, note: str = "") -> tuple[VisitedSchool, bool]:
    """Store the whole checklist at once. Returns (school, stored now). A repeated submit of the same
    values (the phone resending after a dropped connection) changes nothing and is accepted; a
    submit with other values after the first is refused and audited (outside the transaction that
    refuses it, so the record stays)."""
    with transaction.atomic():
        vs, stored, refused = _submit(vs, user, values, note)
    if refused is not None:
        log_action("fieldwork.checklist.refused", actor=user, obj=vs, region=vs.visit.region, data=refused)
        raise FieldworkError("该校核查表已提交，不能再修改")
    return vs, stored


def _submit(vs: VisitedSchool, user, values: dict, note: str):
    vs = VisitedSchool.objects.select_for_update().select_related("visit__team__cycle", "visit__region", "school") \
        .get(pk=vs.pk)
    team, cycle = vs.visit.team, vs.visit.team.cycle
    _require_member(user, team)
    lines = checklist.lines(vs.school, cycle.data_year)
    if not lines:
        raise FieldworkError(f"{vs.school.name}没有{cycle.data_year}年的填报数据，无可核查项")
    parsed = parse_values(lines, values)
    note = (note or "").strip()[:4000]
    if vs.submitted_at:
        stored = {f"{c.element}@{c.level}": c.verified for c in vs.checks.all()}
        if stored == parsed:
            return vs, False, None
        return vs, False, {"school": vs.school.code, "values": {k: str(v) for k, v in parsed.items()}}
    policy = policy_of(cycle)
    found = []
    for line in lines:
        verified = parsed[line.key]
        dev = fieldcheck.deviation(line.reported, verified, **_tolerance(policy, line.kind))
        check = Check.objects.create(school=vs, element=line.element, level=line.level, reported=line.reported,
                                     verified=verified, beyond=dev.beyond)
        if dev.beyond:
            FieldFinding.objects.create(check_row=check, text=_finding_text(vs, line, verified, dev))
            found.append(line.key)
    vs.submitted_at, vs.submitted_by, vs.note = timezone.now(), user, note
    vs.save(update_fields=["submitted_at", "submitted_by", "note"])
    log_action("fieldwork.checklist.submit", actor=user, obj=vs, region=vs.visit.region,
               data={"school": vs.school.code, "values": {k: str(v) for k, v in parsed.items()}, "beyond": found})
    return vs, True, None


def attach_file(vs: VisitedSchool, user, upload, filename: str) -> FieldFile:
    """An interview record or photo, checked by content like 佐证材料 (evidence.detect)."""
    from dutyeval.evidence.detect import Refused, detect
    from dutyeval.evidence.services import clean_filename

    _require_member(user, vs.visit.team)
    name = clean_filename(filename)
    if not name:
        raise FieldworkError("请选择要上传的文件")
    limit = settings.DUTYEVAL_EVIDENCE_MAX_BYTES
    try:
        stored = uploads.store_stream(upload, FILES_FOLDER, "", max_bytes=limit, quota=limit, used=0, what="核查材料")
    except uploads.UploadRefused as exc:
        raise FieldworkError(f"《{name}》：{exc}") from None
    try:
        kind = detect(stored.path)
    except Refused as exc:
        uploads.discard(FILES_FOLDER, stored.name)
        raise FieldworkError(f"《{name}》未上传：{exc}") from None
    f = FieldFile.objects.create(school=vs, filename=name, stored_name=stored.name, content_type=kind.content_type,
                                 size=stored.size, sha256=stored.sha256, uploaded_by=user)
    log_action("fieldwork.file.upload", actor=user, obj=vs, region=vs.visit.region,
               data={"file": name, "size": stored.size, "sha256": stored.sha256})
    return f


def file_path(f: FieldFile):
    return uploads.storage_dir(FILES_FOLDER) / f.stored_name


# ---------------------------------------------------------------------------------------------
# On-site scores and findings


def manual_items(cycle: Cycle) -> list[Indicator]:
    return list(Indicator.objects.filter(scheme_id=cycle.scheme_id, children__isnull=True,
                                         rule_kind=Indicator.RuleKind.MANUAL).order_by("order", "code"))


@transaction.atomic
def save_onsite_score(visit: Visit, user, indicator: Indicator, score: str, note: str) -> OnsiteScore:
    _require_member(user, visit.team)
    cycle = visit.team.cycle
    if indicator.scheme_id != cycle.scheme_id or indicator.rule_kind != Indicator.RuleKind.MANUAL \
            or indicator.children.exists():
        raise FieldworkError("只有人工评分的末级指标可以现场评分")
    value = _decimal(score, f"{indicator.code}现场评分", "score", high=indicator.points)
    note = (note or "").strip()
    if not note or len(note) > 2000:
        raise FieldworkError("请填写评分说明（不超过 2000 字）", {"note": "请填写"})
    row = OnsiteScore.objects.filter(visit=visit, indicator=indicator).first()
    old = {"score": str(row.score), "note": row.note} if row else None
    row = row or OnsiteScore(visit=visit, indicator=indicator)
    row.score, row.note, row.by = value.quantize(Decimal("0.01")), note, user
    row.save()
    log_action("fieldwork.score.save", actor=user, obj=visit, region=visit.region,
               data={"item": indicator.code, "old": old, "new": {"score": str(row.score), "note": note}})
    return row


@transaction.atomic
def forward_finding(finding: FieldFinding, user):
    """Into the region's rectification list, through rectification's own service (source 实地核查差异)."""
    from dutyeval.rectification import services as rect

    finding = FieldFinding.objects.select_for_update().select_related("check_row__school__visit__team__cycle",
                                                                       "check_row__school__visit__region") \
        .get(pk=finding.pk)
    visit = finding.check_row.school.visit
    _require_office(user, visit.team.cycle)
    if finding.rectification_id:
        raise FieldworkError("该问题已转入整改清单")
    try:
        check = finding.check_row
        figures = [{"name": f"{check.label}{what}", "year": visit.team.cycle.data_year, "value": value,
                    "unit": checklist.UNIT[check.element]}
                   for what, value in (("（填报）", check.reported), ("（核查）", check.verified))]
        # source "field" with the check's id as key: rectification stores it once, whoever forwards it twice
        rf = rect.add_finding(visit.team.cycle, visit.region, user, theme="实地核查数据不实", text=finding.text,
                              source=rect.Finding.Source.FIELD, key=f"check-{check.pk}", figures=figures)
    except rect.RectificationError as exc:
        raise FieldworkError(str(exc)) from None
    finding.rectification = rf
    finding.save(update_fields=["rectification"])
    log_action("fieldwork.finding.forward", actor=user, obj=visit, region=visit.region,
               data={"finding": finding.pk, "rectification": rf.pk})
    return rf


def findings_of(cycle: Cycle, region: Region | None = None):
    qs = FieldFinding.objects.filter(check_row__school__visit__team__cycle=cycle).select_related(
        "check_row__school__school", "check_row__school__visit__region")
    return qs.filter(check_row__school__visit__region=region) if region is not None else qs
