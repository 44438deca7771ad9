"""Rectification: named service functions, each checking state and permission, writing, and leaving an
audit record (see models.py for the transition tables). Errors are RectificationError with a Chinese
message; nothing is written when one is raised."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone

from dutyeval import uploads
from dutyeval.accounts import scoping
from dutyeval.audit.services import log_action
from dutyeval.collection.services import values_for
from dutyeval.core.documents.compose import shortfall
from dutyeval.core.documents.model import fmt_number
from dutyeval.core.rectification import OPS, period_of, target_met
from dutyeval.departments.models import Department
from dutyeval.evaluation.models import Cycle, ItemScore, Result, Submission
from dutyeval.evaluation.recompute import word, worded
from dutyeval.evidence.detect import Refused, detect
from dutyeval.notifications.services import notify
from dutyeval.schemes.models import Indicator

from .documents import generate_notice
from .ledger import ledger_changed
from .models import EvidenceFile, Finding, Plan, Programme, ProgressReport, Rhythm, Task
from .rules import RectificationError, catalogue, is_coordinator, is_office, target_text

FOLDER = "rectification"
COMPLETE = (Submission.State.ACCEPTED, Submission.State.LOCKED)
MAX_TEXT = 4000


# ---- who may do what ---------------------------------------------------------------------------


def _require_office(user, cycle: Cycle, what: str) -> None:
    if not is_office(user, cycle):
        raise RectificationError(f"只有组织本次评价的督导办可以{what}")


def may_see_task(user, task: Task) -> bool:
    region = task.plan.region
    if not scoping.can_view_region(user, region):
        return False
    if scoping.is_department_user(user):
        return task.department_id == user.department_id and task.state != Task.State.DRAFT
    if user.role in scoping.OWN_REGION_ROLES:
        return True
    return scoping.sees_cycle(user, task.plan.cycle)


def visible_tasks(user, qs=None):
    """The tasks a user may open: a department its own department's, a county its own region's, an
    office those of the cycles it sees within its subtree."""
    qs = qs if qs is not None else Task.objects.all()
    if not user.is_authenticated:
        return qs.none()
    if user.is_superuser and user.region_id is None:
        return qs
    if user.region_id is None:
        return qs.none()
    if scoping.is_department_user(user):
        return qs.filter(plan__region_id=user.region_id, department_id=user.department_id).exclude(
            state=Task.State.DRAFT)
    if user.role in scoping.OWN_REGION_ROLES:
        return qs.filter(plan__region_id=user.region_id)
    cycles = [c.pk for c in Cycle.objects.select_related("root") if scoping.sees_cycle(user, c)]
    return qs.filter(plan__cycle_id__in=cycles, plan__region__code__startswith=user.region.prefix)


def _notify_region(region, kind: str, title: str, body: str, url: str, department_id=None) -> None:
    users = list(scoping.coordinators_of(region))
    if department_id:
        from dutyeval.accounts.models import User

        users += list(User.objects.filter(role=User.Role.DEPARTMENT, department_id=department_id, is_active=True))
    notify(users, kind, title, body, url)


def _sub_url(cycle: Cycle, region) -> str:
    sub = Submission.objects.filter(cycle=cycle, region=region).only("pk").first()
    return reverse("rect-region", args=[sub.pk]) if sub else ""


# ---- findings ----------------------------------------------------------------------------------


def _area_of(ind: Indicator, by_pk: dict[int, Indicator]) -> Indicator:
    node = ind
    while node.parent_id is not None and node.parent_id in by_pk:
        node = by_pk[node.parent_id]
    return node


def _figures(row) -> list[dict]:
    out = []
    for f in row.figures or []:
        out.append({k: f.get(k) for k in ("code", "name", "year", "value", "unit")})
    return out


def _lost(points: Decimal, score: Decimal | None) -> Decimal | None:
    if score is None:
        return None
    lost = Decimal(points) - Decimal(score)
    return lost if lost > 0 else None


def panel_comments(sub: Submission) -> dict[int, str]:
    """Indicator id → what the review panel's members wrote on it (each distinct comment once, in the
    members' order). The panel's own note on ItemScore starts with how the score was reached (评审组 3 人
    独立评分，分差…); a finding wants the problem the reviewers saw, so their comments win over it."""
    from dutyeval.panels.models import PanelScore

    out: dict[int, list[str]] = {}
    rows = PanelScore.objects.filter(member__panel__submission=sub).exclude(comment="").order_by(
        "member__reviewer__username", "pk").values_list("indicator_id", "comment")
    for ind, comment in rows:
        if comment.strip() not in out.setdefault(ind, []):
            out[ind].append(comment.strip())
    return {ind: "；".join(c) for ind, c in out.items()}


def findings_from_result(sub: Submission) -> list[dict]:
    """What the cycle's results say went wrong in one region, one dict per problem (not yet stored):
    failed statutory checks and automatic items with their explanation and figures, vetoes, reviewer
    notes on items that lost points, and the other items that lost points in the (final) results."""
    result = worded(Result.objects.filter(submission=sub).first())  # the findings quote the explanations
    if result is None:
        return []
    inds = list(Indicator.objects.filter(scheme_id=sub.cycle.scheme_id).order_by("order"))
    by_pk = {i.pk: i for i in inds}
    by_code = {i.code: i for i in inds}
    notes = {s.indicator_id: s.reviewer_note.strip()
             for s in ItemScore.objects.filter(submission=sub).only("indicator_id", "reviewer_note")}
    notes |= panel_comments(sub)
    vetoes = set(result.vetoes or [])
    try:  # the frozen final results, once published, say which vetoes stand
        from dutyeval.release.models import FinalResult

        final = FinalResult.objects.filter(submission=sub).order_by("-version").first()
        if final is not None:
            vetoes |= set(final.vetoes or [])
    except ImportError:  # pragma: no cover - the release app is optional
        pass
    veto_codes = {v.split(" ", 1)[0] for v in vetoes}
    out = []
    for row in result.rows.filter(leaf=True):
        ind = by_code.get(row.code)
        if ind is None:
            continue
        area = _area_of(ind, by_pk)
        base = {"indicator_code": ind.code, "theme_code": area.code, "theme": area.title, "order": ind.order}
        note = notes.get(ind.pk, "")
        if ind.rule_kind == Indicator.RuleKind.VETO:
            if row.status == "violated" or ind.code in veto_codes:
                text = f"触发一票否决：{ind.title}。" + (f"评审认定：{note}" if note else "")
                out.append({**base, "source": Finding.Source.VETO, "text": text, "figures": _figures(row),
                            "points_lost": None})
            continue
        lost = _lost(ind.points, row.score)
        if ind.rule_kind in (Indicator.RuleKind.CHECK, Indicator.RuleKind.AUTO) and (row.failed or lost):
            source = Finding.Source.CHECK if ind.rule_kind == Indicator.RuleKind.CHECK else Finding.Source.AUTO
            why = f"：{row.explanation.strip()}" if row.explanation.strip() else "。"
            text = (f"{ind.title}数据不足，无法核验" if row.status == "insufficient" else shortfall(ind.title)) + why
            out.append({**base, "source": source, "text": text, "figures": _figures(row), "points_lost": lost})
        elif lost:
            if note:
                text = f"{ind.title}：{note}（得分{fmt_number(row.score, '分')}分，满分{fmt_number(ind.points, '分')}分）"
                out.append({**base, "source": Finding.Source.REVIEW, "text": text, "figures": [],
                            "points_lost": lost})
            else:
                text = (f"{ind.title}未得满分：评价得分{fmt_number(row.score, '分')}分，"
                        f"满分{fmt_number(ind.points, '分')}分。")
                out.append({**base, "source": Finding.Source.LOST, "text": text, "figures": [],
                            "points_lost": lost})
    return out


def generate_findings(cycle: Cycle, user, regions=None) -> dict:
    """Draft findings for every evaluated region whose review is complete (or only `regions`). Idempotent: a
    problem already on record — drafted, edited, confirmed or withdrawn — is never added twice."""
    _require_office(user, cycle, "生成整改问题清单")
    subs = Submission.objects.filter(cycle=cycle).select_related("region")
    if regions is not None:
        subs = subs.filter(region__in=regions)
    created, kept, without = 0, 0, []
    word(cycle, subs.filter(state__in=COMPLETE))  # the findings quote the explanations: word them in one pass
    with transaction.atomic():
        for sub in subs:
            # only a complete review (审核通过 / 已锁定) has results a region can be held to
            if sub.state not in COMPLETE or not hasattr(sub, "result"):
                without.append(sub.region.name)
                continue
            found = findings_from_result(sub)
            existing = set(Finding.objects.filter(cycle=cycle, region=sub.region).values_list("key", flat=True))
            new = []
            for f in found:
                key = f"{f['source']}:{f['indicator_code']}"
                if key in existing:
                    kept += 1
                    continue
                existing.add(key)
                new.append(Finding(cycle=cycle, region=sub.region, key=key, **f))
            Finding.objects.bulk_create(new)
            created += len(new)
            if new:
                log_action("rectification.findings.generate", actor=user, obj=cycle, region=sub.region,
                           data={"created": [f.key for f in new]})
    return {"created": created, "kept": kept, "without_result": without}


def _draft_finding(finding: Finding, user) -> Finding:
    _require_office(user, finding.cycle, "修改整改问题清单")
    f = Finding.objects.select_for_update().get(pk=finding.pk)
    if f.state != Finding.State.DRAFT:
        raise RectificationError(f"该问题已{f.get_state_display()}，不能再修改")
    return f


def _clean_text(text: str, field: str, label: str) -> str:
    text = (text or "").strip()
    if not text:
        raise RectificationError(f"请填写{label}", {field: f"请填写{label}"})
    if len(text) > MAX_TEXT:
        raise RectificationError(f"{label}不能超过{MAX_TEXT}字", {field: f"{label}不能超过{MAX_TEXT}字"})
    return text


@transaction.atomic
def edit_finding(finding: Finding, user, *, theme: str, text: str) -> Finding:
    f = _draft_finding(finding, user)
    theme, text = _clean_text(theme, "theme", "问题方面")[:200], _clean_text(text, "text", "问题描述")
    before = {"theme": f.theme, "text": f.text}
    f.theme, f.text = theme, text
    f.save(update_fields=["theme", "text"])
    log_action("rectification.finding.edit", actor=user, obj=f, region=f.region,
               data={"before": before, "after": {"theme": theme, "text": text}})
    return f


FIGURE_KEYS = ("code", "name", "year", "value", "unit")


def _clean_figures(figures) -> list[dict]:
    """[{name, year, value, unit}] as stored with a finding; anything else is refused by name."""
    out = []
    for n, f in enumerate(figures or []):
        if not isinstance(f, dict) or not (f.get("name") or f.get("code")) or "value" not in f:
            raise RectificationError(f"相关数据第{n + 1}项须有名称和数值", {"figures": "相关数据格式不正确"})
        out.append({k: (str(f[k]) if k == "value" and f[k] is not None else f.get(k)) for k in FIGURE_KEYS})
    return out


@transaction.atomic
def add_finding(cycle: Cycle, region, user, *, theme: str, text: str, source: str = Finding.Source.OFFICE,
                key: str = "", figures=None, indicator_code: str = "") -> Finding:
    """A problem the results do not show: typed by the office, or handed over by another module (field
    verification's differences: source="field", key=the difference's own id, figures=[{name, year, value,
    unit}]). With a key the call is idempotent: the finding stored as "<source>:<key>" for the cycle and
    region is returned as it is — edited, confirmed or withdrawn — and nothing is written again."""
    _require_office(user, cycle, "补充整改问题")
    if source not in (Finding.Source.OFFICE, Finding.Source.FIELD, Finding.Source.REVIEW):
        raise RectificationError(f"问题来源“{str(source)[:20]}”不能手工补充")
    if not Submission.objects.filter(cycle=cycle, region=region).exists():
        raise RectificationError(f"{region.name}不是本评价周期的被评价区域")
    key = str(key or "").strip()
    if len(key) > 60:
        raise RectificationError("来源标识不能超过60个字符")
    if key:
        found = Finding.objects.filter(cycle=cycle, region=region, key=f"{source}:{key}").first()
        if found is not None:
            return found
    theme, text = _clean_text(theme, "theme", "问题方面")[:200], _clean_text(text, "text", "问题描述")
    figures = _clean_figures(figures)
    order = (Finding.objects.filter(cycle=cycle, region=region).aggregate(m=Max("order"))["m"] or 0) + 1
    if not key:  # typed by the office: numbered
        n = Finding.objects.filter(cycle=cycle, region=region, source=source).count() + 1
        while Finding.objects.filter(cycle=cycle, region=region, key=f"{source}:{n}").exists():
            n += 1
        key = str(n)
    f = Finding.objects.create(cycle=cycle, region=region, source=source, key=f"{source}:{key}", theme=theme,
                               text=text, figures=figures, indicator_code=indicator_code[:32], order=order)
    log_action("rectification.finding.add", actor=user, obj=f, region=region,
               data={"source": source, "key": f.key, "theme": theme, "text": text, "figures": figures})
    return f


@transaction.atomic
def withdraw_finding(finding: Finding, user) -> Finding:
    f = _draft_finding(finding, user)
    f.state = Finding.State.WITHDRAWN
    f.save(update_fields=["state"])
    log_action("rectification.finding.withdraw", actor=user, obj=f, region=f.region, data={"text": f.text})
    return f


@transaction.atomic
def confirm_findings(cycle: Cycle, region, user) -> Plan:
    """The office confirms the region's list: the region sees it and answers it with a plan."""
    _require_office(user, cycle, "确认整改问题清单")
    drafts = list(Finding.objects.select_for_update().filter(cycle=cycle, region=region, state=Finding.State.DRAFT))
    if not drafts:
        raise RectificationError(f"{region.name}没有待确认的整改问题")
    now = timezone.now()
    Finding.objects.filter(pk__in=[f.pk for f in drafts]).update(
        state=Finding.State.CONFIRMED, confirmed_by=user, confirmed_at=now)
    plan, _ = Plan.objects.get_or_create(cycle=cycle, region=region)
    if plan.state == Plan.State.APPROVED:  # new problems reopen an approved plan for the new tasks
        plan.state = Plan.State.DRAFT
        plan.save(update_fields=["state"])
    log_action("rectification.findings.confirm", actor=user, obj=plan, region=region,
               data={"findings": [f.pk for f in drafts], "count": len(drafts)})
    _notify_region(region, "assigned", f"整改问题清单：{cycle.name}",
                   f"督导办确认了{len(drafts)}个整改问题，请逐条制定整改措施、明确责任部门和整改时限。",
                   _sub_url(cycle, region))
    return plan


# ---- plans and tasks ---------------------------------------------------------------------------


@dataclass
class TaskInput:
    finding: str | int | None
    measures: str
    department: str | int | None
    deadline: str | date | None
    target_element: str = ""
    target_op: str = ""
    target_value: str = ""
    target_by: str | date | None = None


def _date(value, field: str, label: str, errors: dict) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        errors[field] = f"{label}“{str(value)[:20]}”不是有效日期（应如 2022-08-31）"
        return None


def _validate_task(plan: Plan, data: TaskInput) -> dict:
    errors: dict[str, str] = {}
    finding = Finding.objects.filter(pk=data.finding or 0, cycle=plan.cycle, region=plan.region,
                                     state=Finding.State.CONFIRMED).first() if str(data.finding or "").isdigit() else None
    if finding is None:
        errors["finding"] = "请选择本地区已确认的整改问题"
    measures = (data.measures or "").strip()
    if not measures:
        errors["measures"] = "请填写整改措施"
    elif len(measures) > MAX_TEXT:
        errors["measures"] = f"整改措施不能超过{MAX_TEXT}字"
    dept = None
    if str(data.department or "").isdigit():
        dept = Department.objects.filter(pk=data.department, region=plan.region, active=True).first()
    if dept is None:
        errors["department"] = "请选择责任部门（在“责任分工”页维护本地区的部门）"
    deadline = _date(data.deadline, "deadline", "整改时限", errors)
    if deadline is None and "deadline" not in errors:
        errors["deadline"] = "请填写整改时限"
    if deadline and finding and deadline <= finding.found_on:
        errors["deadline"] = f"整改时限 {deadline:%Y-%m-%d} 须晚于问题发现日期 {finding.found_on:%Y-%m-%d}"
    code, op = (data.target_element or "").strip(), (data.target_op or "").strip()
    value, by = None, None
    if code or op or str(data.target_value or "").strip() or data.target_by:
        # a target is checked against a reported figure: never a derived one (the ledger itself)
        if code not in catalogue() or catalogue()[code] in catalogue().derived:
            errors["target_element"] = f"目标数据项“{code[:40]}”不在数据目录中" if code else "请选择目标数据项"
        if op not in OPS:
            errors["target_op"] = "请选择比较方式（≤、≥ 或 =）"
        try:
            value = Decimal(str(data.target_value).strip().replace(",", ""))
            if not value.is_finite():
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            errors["target_value"] = f"目标值“{str(data.target_value)[:20]}”不是数字"
        by = _date(data.target_by, "target_by", "目标达成日期", errors)
        if by is None and "target_by" not in errors:
            errors["target_by"] = "请填写目标达成日期"
        elif by and finding and by <= finding.found_on:
            errors["target_by"] = f"目标达成日期 {by:%Y-%m-%d} 须晚于问题发现日期 {finding.found_on:%Y-%m-%d}"
    return {"errors": errors, "finding": finding, "measures": measures, "department": dept, "deadline": deadline,
            "target_element": code if code else "", "target_op": op if code else "", "target_value": value,
            "target_by": by}


def _editable_plan(plan: Plan, user) -> Plan:
    if not is_coordinator(user, plan.region):
        raise RectificationError("只有本地区的填报联络员可以编制整改方案")
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    if not plan.editable:
        raise RectificationError(f"整改方案{plan.get_state_display()}，不能修改")
    return plan


def _task_json(t: Task) -> dict:
    return {"finding": t.finding_id, "measures": t.measures, "department": t.department.name,
            "deadline": t.deadline.isoformat(), "target": target_text(t), "state": t.state}


@transaction.atomic
def save_task(plan: Plan, user, data: TaskInput, task: Task | None = None) -> Task:
    """Add a task to the plan, or change one, while the plan is being drafted or was returned."""
    plan = _editable_plan(plan, user)
    v = _validate_task(plan, data)
    if v["errors"]:
        raise RectificationError("；".join(v["errors"].values()), v["errors"])
    before = None
    if task is None:
        task = Task(plan=plan)
    else:
        task = Task.objects.select_for_update().get(pk=task.pk, plan=plan)
        before = _task_json(task)
    for field in ("finding", "measures", "department", "deadline", "target_element", "target_op",
                  "target_value", "target_by"):
        setattr(task, field, v[field])
    task.save()
    log_action("rectification.task.save", actor=user, obj=task, region=plan.region,
               data={"before": before, "after": _task_json(task)})
    return task


@transaction.atomic
def delete_task(task: Task, user) -> None:
    plan = _editable_plan(task.plan, user)
    log_action("rectification.task.delete", actor=user, obj=task, region=plan.region, data=_task_json(task))
    task.delete()


@transaction.atomic
def submit_plan(plan: Plan, user) -> Plan:
    plan = _editable_plan(plan, user)
    findings = Finding.objects.filter(cycle=plan.cycle, region=plan.region, state=Finding.State.CONFIRMED)
    unanswered = [f for f in findings.order_by("order") if not plan.tasks.filter(finding=f).exists()]
    if not findings.exists():
        raise RectificationError("没有已确认的整改问题")
    if unanswered:
        raise RectificationError("以下问题尚无整改任务：" + "；".join(f"{f.theme}（{f.text[:30]}）" for f in unanswered[:8]))
    plan.state, plan.submitted_at, plan.return_reason = Plan.State.SUBMITTED, timezone.now(), ""
    plan.save(update_fields=["state", "submitted_at", "return_reason"])
    log_action("rectification.plan.submit", actor=user, obj=plan, region=plan.region,
               data={"tasks": list(plan.tasks.values_list("pk", flat=True))})
    notify(scoping.cycle_office(plan.cycle), "submitted", f"整改方案待审核：{plan.region.name}",
           f"{plan.region.name}报送了整改方案（{plan.tasks.count()}项任务）。", _sub_url(plan.cycle, plan.region))
    return plan


def _submitted_plan(plan: Plan, user, what: str) -> Plan:
    _require_office(user, plan.cycle, what)
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    if plan.state != Plan.State.SUBMITTED:
        raise RectificationError(f"整改方案{plan.get_state_display()}，不在待审核状态")
    return plan


@transaction.atomic
def approve_plan(plan: Plan, user) -> Plan:
    plan = _submitted_plan(plan, user, "审核整改方案")
    plan.state, plan.decided_at, plan.decided_by = Plan.State.APPROVED, timezone.now(), user
    plan.save(update_fields=["state", "decided_at", "decided_by"])
    opened = list(plan.tasks.filter(state=Task.State.DRAFT).values_list("pk", flat=True))
    plan.tasks.filter(pk__in=opened).update(state=Task.State.OPEN)
    log_action("rectification.plan.approve", actor=user, obj=plan, region=plan.region, data={"opened": opened})
    for t in plan.tasks.filter(pk__in=opened):
        log_action("rectification.task.open", actor=user, obj=t, region=plan.region,
                   data={"deadline": t.deadline.isoformat(), "department": t.department.name})
    ledger_changed(plan.cycle, plan.region, "整改方案审核通过")
    url = _sub_url(plan.cycle, plan.region)
    _notify_region(plan.region, "accepted", f"整改方案已审核通过：{plan.cycle.name}",
                   "请按方案推进整改，按期报送整改进展。", url)
    for dept_id in set(plan.tasks.values_list("department_id", flat=True)):
        from dutyeval.accounts.models import User

        notify(User.objects.filter(role=User.Role.DEPARTMENT, department_id=dept_id, is_active=True), "assigned",
               "整改任务", "本部门有整改任务，请按期报送整改进展。", url)
    return plan


@transaction.atomic
def return_plan(plan: Plan, user, reason: str) -> Plan:
    reason = (reason or "").strip()
    if not reason:
        raise RectificationError("退回整改方案须写明原因", {"reason": "请填写退回原因"})
    plan = _submitted_plan(plan, user, "审核整改方案")
    plan.state, plan.return_reason, plan.decided_at, plan.decided_by = Plan.State.RETURNED, reason[:MAX_TEXT], \
        timezone.now(), user
    plan.save(update_fields=["state", "return_reason", "decided_at", "decided_by"])
    log_action("rectification.plan.return", actor=user, obj=plan, region=plan.region, data={"reason": reason})
    _notify_region(plan.region, "returned", f"整改方案被退回：{plan.cycle.name}", reason,
                   _sub_url(plan.cycle, plan.region))
    return plan


@transaction.atomic
def set_rhythm(cycle: Cycle, user, rhythm: str) -> Programme:
    _require_office(user, cycle, "设置整改进展报送频次")
    if rhythm not in Rhythm.values:
        raise RectificationError("请选择报送频次：每周、每月或每季度")
    prog, _ = Programme.objects.get_or_create(cycle=cycle)
    before = prog.rhythm
    prog.rhythm, prog.updated_by = rhythm, user
    prog.save()
    log_action("rectification.rhythm.set", actor=user, obj=cycle, data={"before": before, "after": rhythm})
    return prog


def rhythm_of(cycle: Cycle) -> str:
    prog = Programme.objects.filter(cycle=cycle).first()
    return prog.rhythm if prog else Rhythm.MONTHLY


# ---- progress and closure ----------------------------------------------------------------------


def _may_report(user, task: Task) -> bool:
    region = task.plan.region
    if is_coordinator(user, region):
        return True
    return (scoping.is_department_user(user) and user.region_id == region.pk
            and user.department_id == task.department_id)


def has_evidence(task: Task) -> bool:
    return EvidenceFile.objects.filter(report__task=task).exists()


def _store_files(files) -> list[tuple]:
    """Store each (upload, filename) checked by content; on any refusal nothing stays on disk."""
    stored = []
    try:
        for upload, filename in files:
            s = uploads.store_stream(upload, FOLDER, "", max_bytes=settings.DUTYEVAL_EVIDENCE_MAX_BYTES,
                                     quota=settings.DUTYEVAL_EVIDENCE_QUOTA_BYTES, used=0, what="整改佐证材料")
            stored.append((filename, s, None))
            try:
                kind = detect(s.path)
            except Refused as exc:
                raise RectificationError(f"{filename}：{exc}", {"files": f"{filename}：{exc}"}) from None
            stored[-1] = (filename, s, kind)
    except uploads.UploadRefused as exc:
        for _, s, _ in stored:
            uploads.discard(FOLDER, s.name)
        raise RectificationError(str(exc), {"files": str(exc)}) from None
    except BaseException:
        for _, s, _ in stored:
            uploads.discard(FOLDER, s.name)
        raise
    return stored


def report_progress(task: Task, user, *, text: str, files=(), asks_closure: bool = False,
                    today: date | None = None) -> ProgressReport:
    """A progress report for the current period, with evidence files; `asks_closure` asks the office
    for 验收销号 (the task must then have evidence)."""
    if not _may_report(user, task):
        raise RectificationError("只有本地区填报联络员或该任务的责任部门可以报送整改进展")
    if task.state == Task.State.CLOSED:
        raise RectificationError("该整改任务已销号，不能再报送进展")
    if task.state == Task.State.DRAFT:
        raise RectificationError("整改方案尚未审核通过，暂不能报送进展")
    text = _clean_text(text, "text", "进展情况")
    files = [(u, (n or "材料").replace("/", "_")[-255:]) for u, n in files if u is not None]
    if asks_closure and not files and not has_evidence(task):
        raise RectificationError("申请验收销号须上传佐证材料", {"files": "申请验收销号须上传佐证材料"})
    stored = _store_files(files)
    try:
        with transaction.atomic():
            t = Task.objects.select_for_update().get(pk=task.pk)
            if t.state == Task.State.CLOSED:
                raise RectificationError("该整改任务已销号，不能再报送进展")
            period = period_of(today or timezone.localdate(), rhythm_of(t.plan.cycle))
            report = ProgressReport.objects.create(task=t, period=period, text=text, asks_closure=asks_closure,
                                                   author=user)
            for filename, s, kind in stored:
                EvidenceFile.objects.create(report=report, filename=filename, stored_name=s.name,
                                            content_type=kind.content_type, size=s.size, sha256=s.sha256)
            if asks_closure and t.state == Task.State.OPEN:
                t.state = Task.State.PENDING
                t.save(update_fields=["state"])
            log_action("rectification.progress.report", actor=user, obj=t, region=t.plan.region,
                       data={"period": period, "text": text[:200], "asks_closure": asks_closure,
                             "files": [{"name": f, "sha256": s.sha256} for f, s, _ in stored],
                             "state": t.state})
            if asks_closure:
                notify(scoping.cycle_office(t.plan.cycle), "submitted", f"申请验收销号：{t.plan.region.name}",
                       t.measures[:100], reverse("rect-task", args=[t.pk]))
    except BaseException:
        for _, s, _ in stored:
            uploads.discard(FOLDER, s.name)
        raise
    task.refresh_from_db()
    return report


def _live_task(task: Task, user, what: str) -> Task:
    _require_office(user, task.plan.cycle, what)
    t = Task.objects.select_for_update().select_related("plan__region", "plan__cycle").get(pk=task.pk)
    if t.state == Task.State.CLOSED:
        raise RectificationError("该整改任务已销号")
    if t.state == Task.State.DRAFT:
        raise RectificationError("整改方案尚未审核通过")
    return t


@transaction.atomic
def close_task(task: Task, user, note: str = "") -> Task:
    """验收销号: the office accepts the task as done; only with evidence on record."""
    t = _live_task(task, user, "验收销号")
    if not has_evidence(t):
        raise RectificationError("该任务尚无佐证材料，不能验收销号")
    before = t.state
    t.state, t.closure, t.closed_at, t.closed_by = Task.State.CLOSED, Task.Closure.ACCEPTED, timezone.now(), user
    t.save(update_fields=["state", "closure", "closed_at", "closed_by"])
    log_action("rectification.task.close", actor=user, obj=t, region=t.plan.region,
               data={"before": before, "note": (note or "").strip()[:500], "on_time": t.closed_at.date() <= t.deadline})
    _notify_region(t.plan.region, "accepted", "整改任务已验收销号", t.measures[:100], reverse("rect-task", args=[t.pk]),
                   t.department_id)
    ledger_changed(t.plan.cycle, t.plan.region, "整改任务验收销号")
    return t


@transaction.atomic
def send_back(task: Task, user, reason: str) -> Task:
    reason = (reason or "").strip()
    if not reason:
        raise RectificationError("退回须写明原因", {"reason": "请填写退回原因"})
    t = _live_task(task, user, "退回整改任务")
    if t.state != Task.State.PENDING:
        raise RectificationError("该任务未申请验收销号，无需退回")
    t.state, t.sent_back_reason = Task.State.OPEN, reason[:MAX_TEXT]
    t.save(update_fields=["state", "sent_back_reason"])
    log_action("rectification.task.send_back", actor=user, obj=t, region=t.plan.region, data={"reason": reason})
    _notify_region(t.plan.region, "returned", "整改任务未通过验收", reason, reverse("rect-task", args=[t.pk]),
                   t.department_id)
    return t


def escalate(task: Task, user, *, interview: bool = False, note: str = "", pdf: bool = True,
             today: date | None = None):
    """督办 an overdue task: a 督办 notice (Word/PDF) to the region, and optionally the 约谈 list."""
    today = today or timezone.localdate()
    with transaction.atomic():
        t = _live_task(task, user, "督办")
        if not t.overdue_on(today):
            raise RectificationError(f"该任务整改时限为 {t.deadline:%Y-%m-%d}，尚未逾期，不能督办")
        t.escalated_at = timezone.now()
        t.interview = t.interview or interview
        t.save(update_fields=["escalated_at", "interview"])
        log_action("rectification.task.escalate", actor=user, obj=t, region=t.plan.region,
                   data={"deadline": t.deadline.isoformat(), "interview": t.interview, "note": (note or "")[:500]})
        _notify_region(t.plan.region, "urged", "整改任务督办", f"整改时限 {t.deadline:%Y-%m-%d} 已过，请抓紧整改。",
                       reverse("rect-task", args=[t.pk]), t.department_id)
    doc = generate_notice(t, user, note=note, pdf=pdf, today=today)
    return t, doc


# ---- carry-over --------------------------------------------------------------------------------


def earlier_cycles(cycle: Cycle):
    """Earlier cycles of the same office (same root), whose open tasks carry over into `cycle`."""
    return Cycle.objects.filter(root_id=cycle.root_id, year__lt=cycle.year)


def next_cycle(cycle: Cycle) -> Cycle | None:
    return Cycle.objects.filter(root_id=cycle.root_id, year__gt=cycle.year).order_by("year", "pk").first()


def carried_tasks(cycle: Cycle):
    """Tasks of earlier cycles still open (or closed by this cycle's figures), shown in this cycle."""
    return Task.objects.filter(plan__cycle__in=earlier_cycles(cycle)).filter(
        Q(state__in=Task.LIVE) | Q(checked_cycle=cycle)).select_related(
        "plan__region", "plan__cycle", "finding", "department")


def check_carried(cycle: Cycle, user) -> dict:
    """Check every carried task with a data target against this cycle's figure of the element (the
    year the cycle collects it for): met → closed as 数据达标; not met or missing → flagged."""
    _require_office(user, cycle, "按新年度数据核验整改任务")
    counts = {"met": 0, "unmet": 0, "missing": 0}
    with transaction.atomic():
        tasks = list(Task.objects.select_for_update(of=("self",)).filter(
            plan__cycle__in=earlier_cycles(cycle), state__in=Task.LIVE).exclude(target_element="")
            .select_related("plan__cycle", "plan__region"))
        checked: set[tuple[int, int]] = set()
        values: dict = {}
        for t in tasks:
            year = cycle.year_of(t.target_element)
            key = (t.plan.region_id, year)
            if key not in values:
                values[key] = values_for(t.plan.region, year)
            value = values[key].get(t.target_element)
            verdict = target_met(t.target_op, t.target_value, value)
            result = {True: Task.Check.MET, False: Task.Check.UNMET, None: Task.Check.MISSING}[verdict]
            counts[result] += 1
            t.checked_cycle, t.checked_year, t.checked_value, t.check_result = cycle, year, value, result
            fields = ["checked_cycle", "checked_year", "checked_value", "check_result"]
            before = t.state
            if verdict:
                t.state, t.closure, t.closed_at, t.closed_by = Task.State.CLOSED, Task.Closure.DATA, timezone.now(), user
                fields += ["state", "closure", "closed_at", "closed_by"]
            t.save(update_fields=fields)
            log_action("rectification.task.data_check", actor=user, obj=t, region=t.plan.region,
                       data={"cycle": cycle.pk, "element": t.target_element, "year": year, "value": value,
                             "name": catalogue()[t.target_element].name if t.target_element in catalogue() else "",
                             "target": f"{OPS[t.target_op]} {t.target_value.normalize():f}", "result": result,
                             "before": before, "after": t.state})
            checked.add((t.plan.cycle_id, t.plan.region_id))
        for cycle_id, region_id in checked:
            t = next(x for x in tasks if (x.plan.cycle_id, x.plan.region_id) == (cycle_id, region_id))
            ledger_changed(t.plan.cycle, t.plan.region, "按新年度数据核验整改任务")
    return counts
