"""Offices open cycles: draft, calendar, publish (which creates every region's submission), late decisions.

Transition table (docs/workflow.md):

    (new)  --save_draft-->  draft       (province or city office of the cycle's region)
    draft  --save_draft-->  draft
    draft  --publish-->     published   (scheme frozen; one submission per evaluated region)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from dutyeval.accounts import scoping
from dutyeval.audit.services import log_action
from dutyeval.core.catalogue import default_catalogue
from dutyeval.notifications.services import notify
from dutyeval.regions.models import Region
from dutyeval.schemes.services import freeze

from .models import Cycle, CycleStage, Submission
from .rules import WorkflowError


@dataclass
class CycleDraft:
    """What an office sets when it opens a cycle (validated by web.forms.CycleForm)."""

    name: str
    scheme: object
    year: int
    data_year: int
    level: str
    late_policy: str = Cycle.LatePolicy.ASK
    area_years: dict[str, int] = field(default_factory=dict)  # 填报类别 → data year of its figures
    excluded: list[str] = field(default_factory=list)
    stages: dict[str, tuple[date, date]] = field(default_factory=dict)


def evaluated_regions(root: Region, level: str, excluded=()):
    """The regions a cycle of `root` evaluates at `level` (default: all under the office)."""
    return Region.objects.filter(level=level, code__startswith=root.prefix).exclude(code__in=list(excluded))


def element_years(data_year: int, area_years: dict[str, int]) -> dict[str, int]:
    cat = default_catalogue()
    return {e.code: int(area_years[e.area]) for e in cat.elements
            if e.area in area_years and int(area_years[e.area]) != data_year}


def _end_of_day(d: date) -> datetime:
    return datetime.combine(d, time(23, 59, 59), tzinfo=ZoneInfo(settings.TIME_ZONE))


@transaction.atomic
def save_draft(user, root: Region, draft: CycleDraft, cycle: Cycle | None = None) -> Cycle:
    if not scoping.can_administer(user, root):
        raise WorkflowError("只有本级督导办管理员可以设置评价周期")
    if cycle is not None:
        cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
        if cycle.state != Cycle.State.DRAFT:
            raise WorkflowError("评价周期已发布，不能再修改设置")
    cycle = cycle or Cycle(root=root, created_by=user, state=Cycle.State.DRAFT)
    before = _snapshot(cycle) if cycle.pk else None
    cycle.name, cycle.scheme, cycle.year, cycle.data_year = draft.name, draft.scheme, draft.year, draft.data_year
    cycle.level, cycle.late_policy = draft.level, draft.late_policy
    cycle.element_years = element_years(draft.data_year, draft.area_years)
    cycle.excluded = sorted(draft.excluded)
    self_eval = draft.stages.get(CycleStage.Kind.SELF_EVALUATION)
    cycle.deadline = _end_of_day(self_eval[1]) if self_eval else None
    cycle.save()
    CycleStage.objects.filter(cycle=cycle).delete()
    CycleStage.objects.bulk_create(
        [CycleStage(cycle=cycle, kind=k, starts=s, ends=e) for k, (s, e) in draft.stages.items()]
    )
    log_action("evaluation.cycle.draft", actor=user, obj=cycle, region=root,
               data={"before": before, "after": _snapshot(cycle)})
    return cycle


def _snapshot(cycle: Cycle) -> dict:
    return {"name": cycle.name, "scheme": cycle.scheme_id, "year": cycle.year, "data_year": cycle.data_year,
            "level": cycle.level, "element_years": cycle.element_years, "excluded": cycle.excluded,
            "deadline": cycle.deadline.isoformat() if cycle.deadline else None, "late_policy": cycle.late_policy}


@transaction.atomic
def publish_cycle(cycle: Cycle, user) -> int:
    """Freeze the scheme and create one submission per evaluated region. Returns their number."""
    cycle = Cycle.objects.select_for_update().select_related("root", "scheme").get(pk=cycle.pk)
    if not scoping.runs_cycle(user, cycle):
        raise WorkflowError("只有本级督导办管理员可以发布评价周期")
    if cycle.state != Cycle.State.DRAFT:
        raise WorkflowError("评价周期已发布")
    if cycle.deadline is None:
        raise WorkflowError("请先设置“自查自评与数据填报”阶段的截止日期")
    if cycle.deadline < timezone.now():
        raise WorkflowError("自评截止日期已过，请先修改日程")
    regions = list(evaluated_regions(cycle.root, cycle.level, cycle.excluded))
    if not regions:
        raise WorkflowError("没有被评价的区域：请检查被评价层级和排除名单")
    if cycle.scheme.level != cycle.level:
        raise WorkflowError("评价方案的评价对象层级与本周期不一致")
    freeze(cycle.scheme, actor=user)
    Submission.objects.bulk_create([Submission(cycle=cycle, region=r) for r in regions], ignore_conflicts=True)
    cycle.state, cycle.published_at = Cycle.State.PUBLISHED, timezone.now()
    cycle.save(update_fields=["state", "published_at"])
    log_action("evaluation.cycle.publish", actor=user, obj=cycle, region=cycle.root,
               data={"regions": len(regions), "excluded": cycle.excluded})
    deadline = timezone.localtime(cycle.deadline).strftime("%Y年%m月%d日 %H:%M")
    for sub in Submission.objects.filter(cycle=cycle).select_related("region"):
        notify(scoping.coordinators_of(sub.region), "assigned", f"新的评价任务：{cycle.name}",
               f"请于{deadline}前完成数据填报、自评打分并提交。", reverse("submission", args=[sub.pk]))
    return len(regions)


@transaction.atomic
def allow_late_submission(submission: Submission, user, reason: str) -> Submission:
    """The office lets one region submit after the deadline; the decision and its reason are recorded."""
    sub = Submission.objects.select_for_update().select_related("region", "cycle").get(pk=submission.pk)
    if not scoping.runs_cycle(user, sub.cycle):
        raise WorkflowError("只有上级督导办管理员可以同意逾期提交")
    if not sub.editable:
        raise WorkflowError("材料已提交，无需同意逾期提交")
    reason = (reason or "").strip()
    if not reason:
        raise WorkflowError("同意逾期提交须填写理由")
    sub.late_allowed = True
    sub.save(update_fields=["late_allowed", "updated"])
    log_action("evaluation.submission.allow_late", actor=user, obj=sub, region=sub.region,
               data={"reason": reason[:2000], "deadline": sub.cycle.deadline.isoformat() if sub.cycle.deadline else None})
    notify(scoping.coordinators_of(sub.region), "late_allowed", f"督导办已同意逾期提交：{sub.cycle.name}",
           f"理由：{reason}", reverse("submission", args=[sub.pk]))
    return sub
