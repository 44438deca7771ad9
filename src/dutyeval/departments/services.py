"""责任分工: a region's departments, their accounts, what of a submission each fills, and how far each is.

Every change is a named function with an audit record. Only the region's coordinator manages its
departments and assignments; department users fill what is theirs (evaluation.rules enforces it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dutyeval.accounts import scoping
from dutyeval.accounts.models import User
from dutyeval.audit.services import log_action
from dutyeval.collection.models import DataValue
from dutyeval.core.catalogue import default_catalogue
from dutyeval.evaluation.models import ItemScore, Submission
from dutyeval.evaluation.rules import WorkflowError
from dutyeval.evidence.models import Evidence
from dutyeval.evidence.services import requires_evidence
from dutyeval.notifications.services import notify
from dutyeval.schemes.models import Indicator

from .models import Assignment, Department

Kind = Assignment.Kind
MAX_DEPARTMENTS = 80  # 阳泉 works with 34; far more is a typing accident
# which department a data area goes to by default: the first whose name contains one of these
AREA_DEFAULTS = {"finance": ("财政",), "teachers": ("教育", "人社", "人力资源")}
FALLBACK = ("教育",)


def require_coordinator(user, sub: Submission) -> None:
    if not scoping.can_edit_region_data(user, sub.region):
        raise WorkflowError(_("只有本县（市、区）填报联络员可以设置责任分工"))


def lead_names(text: str) -> list[str]:
    """The departments a scheme's 牵头单位 names, lead first: "县财政局、县教育局" → [县财政局, 县教育局]."""
    return [n.strip() for n in re.split(r"[、，,;；/]", text or "") if n.strip()]


def scheme_department_names(sub: Submission) -> list[str]:
    """Every department the scheme names as 牵头单位, in scheme order, each once."""
    names: list[str] = []
    for text in Indicator.objects.filter(scheme_id=sub.cycle.scheme_id).order_by("order").values_list(
            "department", flat=True):
        for name in lead_names(text):
            if name not in names:
                names.append(name)
    return names


@transaction.atomic
def save_department(sub: Submission, user, name: str, *, department: Department | None = None,
                    active: bool = True) -> Department:
    """Add a department to the region's list, or rename / (de)activate one."""
    require_coordinator(user, sub)
    name = (name or "").strip()
    if not name:
        raise WorkflowError(_("请填写部门名称"))
    if len(name) > 64:
        raise WorkflowError(_("部门名称不能超过 64 个字"))
    region = sub.region
    if department is None:
        if Department.objects.filter(region=region).count() >= MAX_DEPARTMENTS:
            raise WorkflowError(_("部门不能超过 %(n)d 个") % {"n": MAX_DEPARTMENTS})
        department = Department(region=region, order=Department.objects.filter(region=region).count() + 1)
    elif department.region_id != region.pk:
        raise WorkflowError(_("部门不属于本地区"))
    old = {"name": department.name, "active": department.active} if department.pk else None
    department.name, department.active = name, active
    try:
        with transaction.atomic():
            department.save()
    except IntegrityError:
        raise WorkflowError(_("已有名为“%(n)s”的部门") % {"n": name}) from None
    log_action("departments.department.save", actor=user, obj=department, region=region,
               data={"old": old, "new": {"name": name, "active": active}})
    return department


@transaction.atomic
def add_scheme_departments(sub: Submission, user) -> int:
    """Add every department the scheme names as 牵头单位 that the region's list lacks. Returns how many."""
    require_coordinator(user, sub)
    have = set(Department.objects.filter(region=sub.region).values_list("name", flat=True))
    added = 0
    for name in scheme_department_names(sub):
        if name not in have:
            save_department(sub, user, name)
            added += 1
    return added


@transaction.atomic
def create_department_user(sub: Submission, user, department: Department, *, username: str, display_name: str,
                           password: str) -> User:
    """A login for one department of the region; it sees and fills only what is assigned to it."""
    require_coordinator(user, sub)
    if department.region_id != sub.region_id or not department.active:
        raise WorkflowError(_("部门不属于本地区或已停用"))
    username = (username or "").strip()
    if not re.fullmatch(r"[A-Za-z0-9_.@+-]{3,40}", username):
        raise WorkflowError(_("用户名须为 3～40 位字母、数字或 _ . @ + -"))
    if User.objects.filter(username__iexact=username).exists():
        raise WorkflowError(_("用户名“%(u)s”已被使用") % {"u": username})
    account = User(username=username, display_name=(display_name or "").strip()[:64] or department.name,
                   role=User.Role.DEPARTMENT, region=sub.region, department=department)
    try:
        validate_password(password, account)
    except ValidationError as exc:
        raise WorkflowError("；".join(exc.messages)) from None
    account.set_password(password)
    account.save()
    log_action("departments.user.create", actor=user, obj=account, region=sub.region,
               data={"username": username, "department": department.name})
    return account


def default_department_for(sub: Submission, kind: str, code: str, departments: list[Department],
                           leads: dict[str, str], areas: dict[str, str]) -> Department | None:
    by_name = {d.name: d for d in departments}
    if kind == Kind.ITEM:
        for name in lead_names(leads.get(code, "")):
            if name in by_name:
                return by_name[name]
        return None
    for word in AREA_DEFAULTS.get(areas.get(code, ""), FALLBACK):
        for d in departments:
            if word in d.name:
                return d
    return None


def assignable(sub: Submission) -> dict[str, list[tuple[str, str]]]:
    """What can be assigned: leaf items and data elements, as (code, title), in their order."""
    leaves = Indicator.objects.filter(scheme_id=sub.cycle.scheme_id, children__isnull=True).order_by("order")
    return {
        Kind.ITEM: [(i.code, i.title) for i in leaves],
        Kind.ELEMENT: [(e.code, e.name) for e in default_catalogue().elements],
    }


@transaction.atomic
def assign_defaults(sub: Submission, user) -> int:
    """Assign every unassigned item to its scheme 牵头单位 and every data element by its area
    (finance → 财政, the rest → 教育). Existing assignments are kept. Returns how many were made."""
    require_coordinator(user, sub)
    departments = list(Department.objects.filter(region=sub.region, active=True))
    have = set(Assignment.objects.filter(submission=sub).values_list("kind", "code"))
    leads = dict(Indicator.objects.filter(scheme_id=sub.cycle.scheme_id).values_list("code", "department"))
    areas = {e.code: e.area for e in default_catalogue().elements}
    changes = {}
    for kind, rows in assignable(sub).items():
        for code, _title in rows:
            if (kind, code) in have:
                continue
            dept = default_department_for(sub, kind, code, departments, leads, areas)
            if dept is not None:
                changes[(kind, code)] = dept
    return _apply(sub, user, changes, defaults=True)


@transaction.atomic
def save_assignments(sub: Submission, user, wanted: dict[tuple[str, str], int | None]) -> int:
    """(kind, code) → department id, or None to take it back to the coordinator. All or nothing."""
    require_coordinator(user, sub)
    valid = {(k, c) for k, rows in assignable(sub).items() for c, _t in rows}
    departments = {d.pk: d for d in Department.objects.filter(region=sub.region, active=True)}
    changes = {}
    for key, dept_id in wanted.items():
        if key not in valid:
            raise WorkflowError(_("“%(c)s”不是本方案的指标或数据项") % {"c": key[1]})
        if dept_id is not None and dept_id not in departments:
            raise WorkflowError(_("所选部门不属于本地区或已停用"))
        changes[key] = departments.get(dept_id) if dept_id is not None else None
    return _apply(sub, user, changes)


def _apply(sub: Submission, user, changes: dict, *, defaults: bool = False) -> int:
    current = {(a.kind, a.code): a for a in Assignment.objects.filter(submission=sub).select_related("department")}
    log = {}
    for (kind, code), dept in changes.items():
        row = current.get((kind, code))
        before = row.department.name if row else None
        after = dept.name if dept else None
        if before == after:
            continue
        if dept is None:
            row.delete()
        elif row is None:
            Assignment.objects.create(submission=sub, kind=kind, code=code, department=dept)
        else:
            row.department = dept
            row.save(update_fields=["department"])
        log[f"{kind}:{code}"] = [before, after]
    if log:
        log_action("departments.assign", actor=user, obj=sub, region=sub.region,
                   data={"changes": log, "defaults": defaults})
        _tell_assigned(sub, {d.pk: d for d in changes.values() if d is not None}, log)
    return len(log)


def _tell_assigned(sub: Submission, departments: dict[int, Department], log: dict) -> None:
    """Each department that received something is told what, in one message."""
    for dept in departments.values():
        names = {e.code: e.name for e in default_catalogue().elements}
        got = [names.get(code, code) if kind == Kind.ELEMENT else f"指标{code}"
               for kind, code in (key.split(":", 1) for key, (_b, after) in log.items() if after == dept.name)]
        if not got:
            continue
        users = User.objects.filter(department=dept, role=User.Role.DEPARTMENT, is_active=True)
        notify(users, "assigned", f"新的分工任务：{sub.cycle.name}",
               f"{sub.region.name}填报联络员将 {len(got)} 项分给{dept.name}：{'、'.join(got[:8])}"
               f"{'等' if len(got) > 8 else ''}。", reverse("submission", args=[sub.pk]))


@dataclass
class Progress:
    """How far one department is with what is assigned to it."""

    department: Department | None  # None: kept by the coordinator
    items: int = 0
    items_done: int = 0
    elements: int = 0
    elements_done: int = 0
    missing: list[str] = field(default_factory=list)  # "code title", first few
    users: int = 0

    @property
    def complete(self) -> bool:
        return self.items_done == self.items and self.elements_done == self.elements


def progress(sub: Submission) -> list[Progress]:
    """Per department (and the coordinator's own share): items done (a manual item has its self
    score, an item needing evidence has a file) and data elements filled for their year."""
    cycle, cat = sub.cycle, default_catalogue()
    leaves = list(Indicator.objects.filter(scheme_id=cycle.scheme_id, children__isnull=True).order_by("order"))
    scored = set(ItemScore.objects.filter(submission=sub, self_score__isnull=False).values_list("indicator_id", flat=True))
    with_files = set(Evidence.objects.filter(submission=sub).values_list("indicator_id", flat=True))
    filled = {code for code, year in DataValue.objects.filter(region=sub.region, year__in=cycle.years_collected())
              .values_list("element__code", "year") if cycle.year_of(code) == year}
    owner = {(a.kind, a.code): a.department_id for a in Assignment.objects.filter(submission=sub)}
    rows = {d.pk: Progress(d, users=d.n_users) for d in Department.objects.filter(region=sub.region).annotate(
        n_users=_count_active_users())}
    rows[None] = Progress(None)
    for ind in leaves:
        row = rows.get(owner.get((Kind.ITEM, ind.code)), rows[None])
        row.items += 1
        done = (ind.rule_kind != "manual" or ind.pk in scored) and (not requires_evidence(ind) or ind.pk in with_files)
        row.items_done += done
        if not done and len(row.missing) < 5:
            row.missing.append(f"{ind.code} {ind.title}")
    for el in cat.elements:
        row = rows.get(owner.get((Kind.ELEMENT, el.code)), rows[None])
        row.elements += 1
        row.elements_done += el.code in filled
        if el.code not in filled and len(row.missing) < 5:
            row.missing.append(el.name)
    return [r for r in rows.values() if r.department is None or r.department.active or r.items or r.elements]


def _count_active_users():
    from django.db.models import Count, Q

    return Count("users", filter=Q(users__is_active=True))


def remind(sub: Submission, user, department: Department) -> int:
    """Tell a department's users what of theirs is still missing (the coordinator's 提醒)."""
    require_coordinator(user, sub)
    if department.region_id != sub.region_id:
        raise WorkflowError(_("部门不属于本地区"))
    row = next((p for p in progress(sub) if p.department and p.department.pk == department.pk), None)
    if row is None or row.complete:
        raise WorkflowError(_("%(d)s分工的内容已全部完成，无需提醒") % {"d": department.name})
    users = User.objects.filter(department=department, role=User.Role.DEPARTMENT, is_active=True)
    if not users.exists():
        raise WorkflowError(_("%(d)s还没有账号，请先开设部门账号") % {"d": department.name})
    deadline = (f"，截止时间{timezone.localtime(sub.cycle.deadline):%Y年%m月%d日 %H:%M}"
                if sub.cycle.deadline else "")
    sent = notify(users, "urged", f"请尽快完成{sub.cycle.name}的分工任务",
                  f"尚有 {row.items - row.items_done} 项指标、{row.elements - row.elements_done} 项数据未完成{deadline}。"
                  f"如：{'；'.join(row.missing[:3])}", reverse("submission", args=[sub.pk]))
    log_action("departments.remind", actor=user, obj=sub, region=sub.region,
               data={"department": department.name, "users": sent})
    return sent
