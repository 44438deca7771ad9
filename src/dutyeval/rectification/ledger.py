"""The rectification ledger as figures a scheme item can score (seed 001: 整改落实情况将纳入下一年度评价).

At recomputation, for each region of a cycle, the tasks of the office's earlier cycles (same root,
earlier year; plans approved) are counted in one grouped query, as of that day, and handed to the
scoring core as the derived elements of core/catalogue.yaml, at the cycle's data year:

    rectification_tasks_total     every task of an approved plan
    rectification_closed_on_time  closed (验收销号 or 数据达标) on or before its deadline
    rectification_overdue         deadline passed while still open, or closed after its deadline
    rectification_targets_total   tasks with a data target
    rectification_targets_met     of those, checked as met against a later year's figure

A cycle with no earlier cycle gets no figures (an item reading them is 数据不足, not full marks); a
region without tasks in an earlier cycle gets zeros.
"""

from __future__ import annotations

import json
from datetime import date, timedelta

from django.db.models import Count, F, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from .models import Task

CODES = ("rectification_tasks_total", "rectification_closed_on_time", "rectification_overdue",
         "rectification_targets_total", "rectification_targets_met")


def ledger_counts(cycle, region_ids, today: date | None = None) -> dict[int, dict[str, int]]:
    """Region id → the five figures, for the regions given; {} when the cycle has no earlier cycle."""
    from dutyeval.evaluation.models import Cycle

    earlier = Cycle.objects.filter(root_id=cycle.root_id, year__lt=cycle.year)
    if not earlier.exists():
        return {}
    today = today or timezone.localdate()
    closed = Q(state=Task.State.CLOSED)
    closed_day = TruncDate("closed_at")
    rows = (Task.objects.filter(plan__cycle__in=earlier, plan__region_id__in=list(region_ids))
            .exclude(state=Task.State.DRAFT).annotate(closed_day=closed_day).values("plan__region_id")
            .annotate(rectification_tasks_total=Count("pk"),
                      rectification_closed_on_time=Count("pk", filter=closed & Q(closed_day__lte=F("deadline"))),
                      rectification_overdue=Count("pk", filter=(closed & Q(closed_day__gt=F("deadline")))
                                                  | Q(state__in=Task.LIVE, deadline__lt=today)),
                      rectification_targets_total=Count("pk", filter=~Q(target_element="")),
                      rectification_targets_met=Count("pk", filter=Q(check_result=Task.Check.MET))))
    out = {pk: dict.fromkeys(CODES, 0) for pk in region_ids}
    for row in rows:
        out[row["plan__region_id"]] = {code: row[code] for code in CODES}
    return out


def ledger_figures(cycle, region_ids) -> dict[str, dict[int, int]]:
    """The shape evaluation.recompute.DERIVED_SOURCES asks for: element code → region id → value."""
    counts = ledger_counts(cycle, region_ids)
    return {code: {pk: c[code] for pk, c in counts.items()} for code in CODES} if counts else {}


def ledger_changed(cycle, region, reason: str) -> list:
    """A task of `cycle` in `region` was opened, closed, reopened or fell overdue: the later cycles of the
    same office that evaluate the region, and whose scheme reads the ledger, read changed figures, so their
    recomputation of that region is requested through the evaluation app's coalesced request (a waiting
    job is widened, not duplicated). Returns the jobs."""
    from dutyeval.evaluation.models import Submission
    from dutyeval.evaluation.recompute import schedule_recompute

    subs = (Submission.objects.filter(cycle__root_id=cycle.root_id, cycle__year__gt=cycle.year, region=region)
            .select_related("cycle", "region").order_by("cycle__year", "cycle_id"))
    return [schedule_recompute(s.cycle, f"{region.name}整改台账变更：{reason}", region=s.region) for s in subs
            if _reads_ledger(s.cycle.scheme_id)]


def _reads_ledger(scheme_id: int) -> bool:
    """Whether an item of the scheme reads a ledger figure: a scheme that does not (every shipped one
    today) is not recomputed for nothing — in an open cycle without every result that is the whole cycle."""
    from dutyeval.schemes.models import Indicator

    rules = Indicator.objects.filter(scheme_id=scheme_id).exclude(rule_kind="manual").values_list("rule", flat=True)
    return any(code in json.dumps(rule, ensure_ascii=False) for rule in rules for code in CODES)


def fell_overdue(today: date | None = None) -> int:
    """Run daily: tasks whose deadline passed yesterday (still open or pending) change the overdue count
    of later cycles; each (cycle, region) is requested once. Returns the requests made."""
    today = today or timezone.localdate()
    pairs = (Task.objects.filter(state__in=Task.LIVE, deadline=today - timedelta(days=1))
             .order_by().values_list("plan__cycle_id", "plan__region_id").distinct())
    from dutyeval.evaluation.models import Cycle
    from dutyeval.regions.models import Region

    n = 0
    for cycle_id, region_id in pairs:
        n += len(ledger_changed(Cycle.objects.get(pk=cycle_id), Region.objects.get(pk=region_id), "整改任务逾期"))
    return n
